"""``tracker grade source`` and ``tracker grade account``: the Admiralty grades an
analyst gives, a source's reliability (A-F) and an account's credibility (1-6), each
on a day (``tracker.grading``)."""

from __future__ import annotations

import click

from tracker.cli.group import Context, domain_errors, pass_context
from tracker.cli.options import whole_number

# Commands import what they need inside them: see tracker/cli/__init__.py on start-up.

_ON = click.option(
    "--on", "graded_on", required=True, metavar="DATE", help="The day the grade was given."
)
_NOTE = click.option("--note", help="The analyst's reason for the grade.")


@click.group()
def grade() -> None:
    """Grade a source's reliability or an account's credibility."""


@grade.command()
@click.argument("name")
@click.option(
    "--reliability",
    required=True,
    metavar="A-F",
    help="A completely reliable ... E unreliable, F cannot be judged.",
)
@_ON
@_NOTE
@pass_context
def source(context: Context, name: str, reliability: str, graded_on: str, note: str | None) -> None:
    """The reliability of an outlet or origin, as of a day."""
    tracker = context.reading()
    with domain_errors():
        tracker.grade_source(name, reliability, graded_on, note)
    click.echo(f"{name} graded {reliability.upper()} on {graded_on}")


@grade.command()
@click.argument("development_id")
@click.option(
    "--account",
    "version",
    required=True,
    type=whole_number(1),
    metavar="N",
    help="The development's account (its version, as `history` shows).",
)
@click.option(
    "--credibility",
    required=True,
    type=int,  # off the scale is the domain's one-line error (exit 1), as a reliability's
    metavar="1-6",
    help="1 confirmed ... 5 improbable, 6 cannot be judged.",
)
@_ON
@_NOTE
@pass_context
def account(
    context: Context,
    development_id: str,
    version: int,
    credibility: int,
    graded_on: str,
    note: str | None,
) -> None:
    """The credibility of one account of a development, as of a day."""
    tracker = context.reading()
    with domain_errors():
        tracker.grade_account(development_id, version, credibility, graded_on, note)
    click.echo(f"account {version} of {development_id} graded {credibility} on {graded_on}")


COMMANDS = (grade,)
