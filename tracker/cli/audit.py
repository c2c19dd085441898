"""Where the state comes from, and whether the log still holds: ``history``,
``sources``, ``changes``, ``log`` and ``verify``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from tracker.cli.group import Context, domain_errors, emit_json, pass_context
from tracker.cli.options import day_option, day_value, position_option, whole_number

# Grades (``tracker.grading``) are read as given by a day: a regrading after it leaves
# the answer as it was. The accounts are all shown, whenever published.
_GRADED_BY = day_option(
    "--graded-by", "Show each source's and account's latest grade given by then [today]."
)

# Commands import what they need inside them: see tracker/cli/__init__.py on start-up.


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=whole_number(1), help="Only the last N entries.")
@position_option
@pass_context
def log(context: Context, as_json: bool, limit: int | None) -> None:
    """The log in append order, with positions, types and system times."""
    from tracker.formatting import table
    from tracker.log_entries import log_entries

    tracker = context.reading()
    with domain_errors():
        start = max(0, tracker.last_position() - limit) if limit else 0
        entries = list(log_entries(tracker, start))
    if as_json:
        emit_json(entries)
        return
    click.echo(
        table(
            [
                (e["position"], e["recorded_at"], e["event"], e["subject"], e["summary"])
                for e in entries
            ],
            ("pos", "recorded at (UTC)", "event", "subject", "summary"),
        )
    )


@click.command()
@click.argument("development_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_GRADED_BY
@position_option
@pass_context
def history(context: Context, development_id: str, as_json: bool, graded_by: str) -> None:
    """Every account of one development in publication order, field by field."""
    from tracker.presenters import render_history

    found = context.queries().history(development_id, graded_by)
    _show_development(development_id, found, render_history, as_json=as_json)


@click.command()
@click.argument("development_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_GRADED_BY
@position_option
@pass_context
def sources(context: Context, development_id: str, as_json: bool, graded_by: str) -> None:
    """Every report that tells of a development, with outlet, date, quote and grades."""
    from tracker.presenters import render_sources

    found = context.queries().sources(development_id, graded_by)
    _show_development(development_id, found, render_sources, as_json=as_json)


def _show_development(
    development_id: str, found: Any, render: Callable[[Any], str], *, as_json: bool
) -> None:
    """One development's history or sources, as JSON or text; unknown ids are an error."""
    if found is None:
        raise click.ClickException(f"unknown development {development_id!r}")
    if as_json:
        emit_json(found)
    else:
        click.echo(render(found))


@click.command()
@click.option("--from", "known_from", required=True, metavar="DATE", help="Known at this day...")
@click.option("--to", "known_to", required=True, metavar="DATE", help="...against this day.")
@click.option("--as-of", "as_of", metavar="DATE", help="Only what possibly happened by then.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@position_option
@pass_context
def changes(
    context: Context, known_from: str, known_to: str, as_of: str | None, as_json: bool
) -> None:
    """What the reports published after --from, up to --to, changed in the state."""
    from tracker.presenters import render_changes

    known_from = day_value("--from", known_from)
    known_to = day_value("--to", known_to)
    as_of = day_value("--as-of", as_of) if as_of is not None else None
    if known_from > known_to:
        raise click.BadParameter("--from must not be after --to", param_hint="--from")
    found = context.queries(every_kind=True).changes(known_from, known_to, as_of)
    if as_json:
        emit_json(found)
    else:
        click.echo(render_changes(found))


def _anchor(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Any:
    from tracker.errors import InvalidAnchor
    from tracker.verification import Anchor

    try:
        return tuple(Anchor.parse(value) for value in values)
    except InvalidAnchor as error:
        raise click.BadParameter(str(error)) from None


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--expect",
    multiple=True,
    callback=_anchor,
    metavar="HEAD@POSITION",
    help="A chain head noted earlier, as verify prints it: fail unless the chain at that"
    " position still has that hash (repeatable).",
)
@click.option(
    "--at",
    multiple=True,
    type=whole_number(1),
    metavar="POSITION",
    help="Also print the chain's HEAD@POSITION at this log position (repeatable).",
)
@pass_context
def verify(context: Context, as_json: bool, expect: Any, at: tuple[int, ...]) -> None:
    """Check the log's hash chain, report texts, quotes and read models, and heads noted
    earlier; exit 1 naming the first position where anything differs."""
    from tracker.presenters import render_verification, verification_json
    from tracker.verification import verify as verify_store

    tracker = context.tracker()
    with domain_errors():
        result = verify_store(tracker, expect=expect, at=at)
    if as_json:
        emit_json(verification_json(result, expect))
    elif text := render_verification(result, expect):
        click.echo(text)
    if not result.ok:
        raise click.ClickException(
            f"verification failed at {result.problems[0]}"
            + (f" (and {len(result.problems) - 1} more)" if len(result.problems) > 1 else "")
        )


COMMANDS = (history, sources, changes, log, verify)
