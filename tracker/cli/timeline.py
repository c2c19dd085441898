"""``tracker timeline``: the timeline as one HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.group import Context, domain_errors, pass_context
from tracker.cli.options import (
    day_option,
    max_developments_option,
    position_option,
    since_option,
)

# Commands import what they need inside them: see tracker/cli/__init__.py on start-up.


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("timeline.html"),
    show_default=True,
    help="The HTML file to write.",
)
@day_option("--known-at", "Use only reports published by then (default: today).")
@day_option("--as-of", "The world on this day (default: today).")
@since_option(
    "Leave out what ended before this day, and reports published before it"
    " (default: show everything)."
)
@max_developments_option(
    "Refuse a page of more developments than this (0: no limit); a browser struggles"
    " well before 100,000."
)
@position_option
@pass_context
def timeline(
    context: Context,
    output: Path,
    known_at: str,
    as_of: str,
    since: str | None,
    max_developments: int,
) -> None:
    """Write the timeline as one self-contained HTML page: every development on a
    valid-time axis, when each was first reported, the call counts over knowledge time,
    the next meetings, the open issues and every account. It loads nothing from the
    network and prints well. A large store needs --since: a page holds at most
    --max-developments."""
    from tracker.atomic_write import replacing
    from tracker.timeline import render_timeline

    tracker = context.reading(every_kind=True)
    # The output is checked, and its temporary file made, before the page is rendered.
    with domain_errors(), replacing(output, store=context.location()) as temporary:
        page = render_timeline(tracker, as_of, known_at, since, max_developments or None)
        temporary.write_text(page, encoding="utf-8", newline="")
    click.echo(str(output.resolve()))


COMMANDS = (timeline,)
