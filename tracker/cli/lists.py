"""What the process stands at as of a day, as known at a day: ``state`` and the list of
each kind of development (``calls``, ``meetings``, ``plans``, ``issues``, ``strikes``,
``claims``, ``statements``, and for each registered type without a list of its own, one
named by its plural, e.g. ``ceasefires``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from tracker.cli.group import Context, emit_json, pass_context
from tracker.cli.options import (
    limit_option,
    list_limit_option,
    since_option,
    stale_after_option,
    time_options,
)
from tracker.kinds import KINDS, Kind
from tracker.kinds.statement import said_by

# Commands import what they need inside them: see tracker/cli/__init__.py on start-up.


@click.command()
@time_options
@since_option("Start of the strike window (default: 30 days before --as-of).")
@stale_after_option
@pass_context
def state(
    context: Context,
    as_of: str,
    known_at: str,
    as_json: bool,
    since: str | None,
    stale_after: int,
) -> None:
    """The state of the process as of a day, as known at a day.

    Counts are exact; each list holds the latest 20 items (the soonest next meetings)
    and says how many more there are: 'tracker strikes' shows the latest 100 (--limit),
    'calls', 'plans', 'issues' and 'meetings' list everything. A registered type
    without a section of its own (see README, 'Adding a development type') has one
    generic section at the end, as its list command shows it. A meeting or call
    whose planned day passed with no report of it held is listed as overdue, not
    next; an open issue no report has told of for --stale-after days is marked stale."""
    from tracker.presenters import render_state

    result = context.queries(every_kind=True).state(as_of, known_at, since, stale_after=stale_after)
    if as_json:
        emit_json(result)
    else:
        click.echo(render_state(result))


@click.command()
@time_options
@list_limit_option(
    "Show the N most recently active sets, each with its latest N calls (0 shows all)."
)
@pass_context
def calls(context: Context, as_of: str, known_at: str, as_json: bool, limit: int) -> None:
    """Calls per participant set: recorded and claimed."""
    from tracker.presenters import call_table

    total, groups = context.queries().call_groups_window(as_of, known_at, limit or None)
    if as_json:
        emit_list("calls", as_of, known_at, total, groups, limit)
        return
    lines = [call_table(groups)]
    if (left_out := total - len(groups)) > 0:
        sets = "set" if left_out == 1 else "sets"
        lines.append(f"… and {left_out:,} more {sets} (--limit 0 shows all)")
    click.echo("\n".join(lines))


@click.command()
@time_options
@limit_option
@pass_context
def meetings(context: Context, as_of: str, known_at: str, as_json: bool, limit: int) -> None:
    """Meetings known at the date, with their status, by when they happened or are
    planned, and what is next. One still proposed or scheduled whose day has passed
    (undated: first reported over 30 days before) with no report of it held is
    overdue, no longer next."""
    from tracker.formatting import field_cell

    queries = context.queries()
    with queries.view.snapshot():  # the list and what is next from the same view
        total, found = queries.meetings_window(as_of, known_at, limit or None)
        (next_total, upcoming), (overdue_total, overdue) = queries.next_and_overdue(
            as_of, known_at, limit or None
        )
    if as_json:
        emit_json(
            {
                "as_of": as_of,
                "known_at": known_at,
                "meetings": found,
                "meetings_total": total,
                "next": upcoming,
                "next_total": next_total,
                "overdue": overdue,
                "overdue_total": overdue_total,
                "list_limit": limit or None,
            }
        )
        return
    echo_table(
        [
            (
                m["id"],
                m.get("participants"),
                f"{m.get('status')} (overdue)" if m["overdue"] else m.get("status"),
                field_cell("planned", m.get("planned")),
                field_cell("occurred", m.get("occurred")),
                m.get("place"),
            )
            for m in found
        ],
        ("id", "participants", "status", "planned", "occurred", "place"),
        total,
        latest_first=False,
        found=found,
    )


@click.command()
@time_options
@pass_context
def plans(context: Context, as_of: str, known_at: str, as_json: bool) -> None:
    """Peace plans with their current label, readiness and status."""
    from tracker.formatting import table

    found = context.queries().plans(as_of, known_at)
    if as_json:
        emit_json({"as_of": as_of, "known_at": known_at, "plans": found})
        return
    from tracker.presenters import disputed_notes

    lines = [
        table(
            [(p.id, p.label, p.points, p.readiness_pct, p.status, p.revisions) for p in found],
            ("id", "label", "points", "ready %", "status", "revisions"),
        ),
        *disputed_notes(found),
    ]
    click.echo("\n".join(lines))


@click.command()
@time_options
@stale_after_option
@pass_context
def issues(context: Context, as_of: str, known_at: str, as_json: bool, stale_after: int) -> None:
    """Issues under negotiation, with each party's position. An open issue that no
    report has told of for more than --stale-after days stays open, marked stale."""
    from tracker.presenters import issue_blocks

    found = context.queries().issues(as_of, known_at, stale_after)
    if as_json:
        emit_json({"as_of": as_of, "known_at": known_at, "issues": found})
        return
    from tracker.presenters import disputed_notes

    click.echo("\n".join([*issue_blocks(found), *disputed_notes(found)]))


def emit_list(
    name: str, as_of: str, known_at: str, total: int, found: list[Any], limit: int
) -> None:
    emit_json(
        {
            "as_of": as_of,
            "known_at": known_at,
            name: found,
            f"{name}_total": total,
            "list_limit": limit or None,
        }
    )


def echo_table(
    rows: list[tuple[Any, ...]],
    headers: tuple[str, ...],
    total: int,
    *,
    latest_first: bool,
    found: Sequence[Any] = (),
) -> None:
    """A list's table; where it was cut, a line that says how many were left out: after
    the table when it runs newest first, before it when oldest first (they came earlier).
    Then a footnote for each of the ``found`` developments with a disputed field."""
    from tracker.formatting import more_text, table
    from tracker.presenters import disputed_notes

    lines = [table(rows, headers)]
    if total > len(rows):
        if latest_first:
            lines.append(f"{more_text(total, len(rows))} (--limit 0 shows all)")
        else:
            lines.insert(0, f"{total - len(rows):,} earlier not shown (--limit 0 shows all)")
    lines.extend(disputed_notes(found))
    click.echo("\n".join(lines))


@click.command()
@time_options
@since_option("Only strikes from this day on.")
@limit_option
@pass_context
def strikes(
    context: Context, as_of: str, known_at: str, as_json: bool, since: str | None, limit: int
) -> None:
    """Strikes that happened by the date, newest first."""
    from tracker.formatting import weapons_text

    total, found = context.queries().strikes(as_of, known_at, since, limit or None)
    if as_json:
        emit_list("strikes", as_of, known_at, total, found, limit)
        return
    echo_table(
        [(s.occurred, s.id, s.target, s.by, weapons_text(s.weapons), s.effects) for s in found],
        ("occurred", "id", "target", "by", "weapons", "effects"),
        total,
        latest_first=True,
        found=found,
    )


@click.command()
@time_options
@limit_option
@pass_context
def claims(context: Context, as_of: str, known_at: str, as_json: bool, limit: int) -> None:
    """Claims known at the date from reports published by the as-of date, oldest first."""
    total, found = context.queries().claims(as_of, known_at, limit or None)
    if as_json:
        emit_list("claims", as_of, known_at, total, found, limit)
        return
    echo_table(
        [(c.id, c.subject, c.participants, c.value, c.claimant, c.stance) for c in found],
        ("id", "subject", "participants", "value", "claimant", "stance"),
        total,
        latest_first=False,
        found=found,
    )
    for line in stance_lines(found):
        click.echo(line)


def stance_lines(found: Sequence[Any]) -> list[str]:
    """A line for each claim about a development or with more than one claimant: what
    it is about, and each claimant's latest stance with its report."""
    from tracker.formatting import cell

    lines = []
    for claim in found:
        if claim.about is None and len(claim.stances) < 2:
            continue
        about = f" (about {claim.about})" if claim.about else ""
        told = "; ".join(
            f"{s['claimant']} {s['stance']} {cell(s['value'])} ({s['report']})"
            for s in claim.stances
        )
        lines.append(f"stances: {claim.id}{about}: {told}")
    return lines


@click.command()
@time_options
@limit_option
@pass_context
def statements(context: Context, as_of: str, known_at: str, as_json: bool, limit: int) -> None:
    """Statements made by the date, oldest first."""
    total, found = context.queries().statements(as_of, known_at, limit or None)
    if as_json:
        emit_list("statements", as_of, known_at, total, found, limit)
        return
    # Ids, as every table here names actors; relayed words say who relayed them.
    echo_table(
        [(s.occurred, s.id, s.speaker and said_by(s.speaker, s.via, str), s.quote) for s in found],
        ("occurred", "id", "speaker", "quote"),
        total,
        latest_first=False,
        found=found,
    )


def _kind_list_command(kind: Kind) -> click.Command:
    """The list command of a type without one of its own: its id and its ``Kind``'s
    columns, oldest first, as ``claims`` and ``statements`` list theirs."""

    def run(context: Context, as_of: str, known_at: str, as_json: bool, limit: int) -> None:
        from tracker.presenters import kind_table

        total, found = context.queries().kind_window(kind.name, as_of, known_at, limit or None)
        if as_json:
            emit_list(kind.plural, as_of, known_at, total, found, limit)
            return
        echo_table(*kind_table(kind.name, found), total, latest_first=False, found=found)

    which = (
        "first reported by the date, whatever their status, by when they happened or are planned"
        if kind.scheduled
        else "that happened by the date, oldest first"
    )
    command = time_options(limit_option(pass_context(run)))
    return click.command(
        kind.plural, help=f"{kind.plural.capitalize()} {which}, as known at a day."
    )(command)


COMMANDS = (state, calls, meetings, plans, issues, strikes, claims, statements)
# Every registered type (TRACKER_KINDS' too: they register on tracker.kinds' import,
# above) without a list of its own gets the generic one; tracker.cli adds them after
# every other command, refusing a plural that names one.
_TAKEN = {command.name for command in COMMANDS}
KIND_LISTS = tuple(_kind_list_command(kind) for kind in KINDS.values() if kind.plural not in _TAKEN)
