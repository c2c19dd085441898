"""``tracker report`` and ``tracker actor``: the reports every development comes from,
and the actors they name."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.group import Context, domain_errors, emit_json, pass_context
from tracker.cli.options import position_option

# Commands import what they need inside them: see tracker/cli/__init__.py on start-up.


@click.group()
def report() -> None:
    """Reports: the sources of every development."""


@report.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--id", "report_id", help="Report id (default: the file's name without suffix).")
@click.option("--outlet", required=True, help="The outlet or agency.")
@click.option("--published", help="EDTF publication date (default: the file's ' date' header).")
@click.option("--url")
@click.option("--title")
@click.option("--note")
@click.option("--text", "inline_text", help="The report's text, instead of a FILE.")
@pass_context
def report_add(
    context: Context,
    file: Path | None,
    report_id: str | None,
    outlet: str,
    published: str | None,
    url: str | None,
    title: str | None,
    note: str | None,
    inline_text: str | None,
) -> None:
    """Register a report, with its text from FILE or --text."""
    from tracker.dates import parse_fuzzy_date
    from tracker.errors import InvalidRecord
    from tracker.records import published_from_header, read_report_file

    if (file is None) == (inline_text is None):
        raise click.UsageError("give the report's text as FILE or --text, not both or neither")
    if report_id is None:
        if file is None:
            raise click.UsageError("--id is needed with --text")
        report_id = file.stem
    with domain_errors():
        # One of the two was given: the check above.
        text = read_report_file(file, str(file)) if file is not None else inline_text or ""
        published = published or published_from_header(text)
        if published is None:
            raise InvalidRecord(
                f"{file or 'the text'} has no ' date YYYY-MM-DD' header: give --published"
            )
        tracker = context.tracker(create=True)
        tracker.add_report(
            report_id,
            outlet=outlet,
            published=parse_fuzzy_date(published),
            title=title,
            url=url,
            text=text,
            note=note,
        )
    click.echo(f"report {report_id} added (published {published})")


@report.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@position_option
@pass_context
def report_list(context: Context, as_json: bool) -> None:
    """List the reports in publication order."""
    from tracker.formatting import table

    reports = context.reading().view.reports()
    if as_json:
        emit_json(reports)
        return
    click.echo(
        table(
            [(r["id"], r["published"], r["outlet"], r["title"]) for r in reports],
            ("id", "published", "outlet", "title"),
        )
    )


@click.group()
def actor() -> None:
    """Actors: people, governments and parties, with their aliases."""


@actor.command("add")
@click.argument("actor_id")
@click.option("--name", required=True, help="Display name.")
@click.option("--alias", "aliases", multiple=True, help="Another spelling (repeatable).")
@click.option("--role")
@pass_context
def actor_add(
    context: Context, actor_id: str, name: str, aliases: tuple[str, ...], role: str | None
) -> None:
    """Register an actor."""
    with domain_errors():
        context.tracker(create=True).add_actor(actor_id, name, aliases, role)
    click.echo(f"actor {actor_id} added")


@actor.command("alias")
@click.argument("actor_name")
@click.argument("aliases", nargs=-1, required=True)
@pass_context
def actor_alias(context: Context, actor_name: str, aliases: tuple[str, ...]) -> None:
    """Add spellings to an actor."""
    with domain_errors():
        context.reading().add_aliases(actor_name, aliases)
    click.echo(f"aliases added to {actor_name}")


@actor.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@position_option
@pass_context
def actor_list(context: Context, as_json: bool) -> None:
    """List the actors with their aliases."""
    from tracker.formatting import table

    actors = context.reading().view.actors()
    if as_json:
        emit_json(actors)
        return
    click.echo(
        table(
            [(a["id"], a["name"], a["role"], a["aliases"]) for a in actors],
            ("id", "name", "role", "aliases"),
        )
    )


COMMANDS = (report, actor)
