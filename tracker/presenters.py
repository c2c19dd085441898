"""What the CLI prints of the read side: values as JSON, and each command's text page
(state, history, sources, changes) made of ``tracker.formatting``'s tables and fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from tracker.formatting import cell, field_cell, more_text, printable, table, weapons_text
from tracker.kinds import kind_of
from tracker.kinds.statement import said_by
from tracker.state import CallGroup, Changes, History, IssueSummary, Sources, State

if TYPE_CHECKING:
    from tracker.verification import Anchor, Verification


def json_bytes(value: Any) -> bytes:
    """Read-side values (attrs values, in tuples, lists and dicts) as indented JSON:
    each attrs value an object of its fields, a call group with its ``gap_text``.
    orjson walks the containers itself and asks here only for each attrs value's
    fields (a month's ``changes`` holds tens of thousands of them)."""
    return orjson.dumps(
        value, default=_fields_of, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    )


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _fields_of(value: Any) -> dict[str, Any]:
    cls = type(value)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        if not attrs.has(cls):
            raise TypeError(f"{cls.__name__} is not JSON serializable")
        names = _FIELD_NAMES[cls] = tuple(field.name for field in attrs.fields(cls))
    fields = {name: getattr(value, name) for name in names}
    if not fields.get("disputed", True) and not isinstance(value, History):
        # Undisputed developments read as they did before disputes were kept.
        del fields["disputed"]
    if isinstance(value, CallGroup):
        fields["gap_text"] = value.gap_text
    elif isinstance(value, State):
        # Each type without a section of its own reads as the built-in lists do:
        # "<plural>" and "<plural>_total".
        for listed in fields.pop("listed"):
            fields[listed.plural] = listed.items
            fields[f"{listed.plural}_total"] = listed.total
    return fields


def _with_more(lines: list[str], total: int, shown: int) -> list[str]:
    more = more_text(total, shown)
    return [*lines, more] if more else lines


def render_state(state: State) -> str:
    next_meetings = table(
        [
            (item.planned, item.id, " + ".join(item.participants), item.status, item.place)
            for item in state.next_meetings
        ],
        ("planned", "id", "participants", "status", "place"),
    )
    plans = table(
        [
            (plan.id, plan.label, plan.points, plan.readiness_pct, plan.status, plan.revisions)
            for plan in state.plans
        ],
        ("id", "label", "points", "ready %", "status", "revisions"),
    )
    strikes = table(
        [
            (strike.occurred, strike.id, strike.target, strike.by, weapons_text(strike.weapons))
            for strike in state.strikes
        ],
        ("occurred", "id", "target", "by", "weapons"),
    )
    parts = [
        f"State as of {state.as_of}, as known at {state.known_at} (log position {state.position})",
        "",
        "Calls",
        *_with_more([call_table(state.calls, last=True)], state.calls_total, len(state.calls)),
        "",
        "Next meetings",
        *_with_more([next_meetings], state.next_meetings_total, len(state.next_meetings)),
        "",
        *_overdue_section(state),
        "Plans",
        *_with_more([plans], state.plans_total, len(state.plans)),
        "",
        "Open issues",
        *_with_more(
            issue_blocks(state.open_issues), state.open_issues_total, len(state.open_issues)
        ),
        "",
        f"Strikes: {state.strike_count:,} by {state.as_of}; {state.strikes_total:,} since"
        f" {state.strikes_since}:",
        *_with_more([strikes], state.strikes_total, len(state.strikes)),
    ]
    for listed in state.listed:
        parts += [
            "",
            f"{listed.plural.capitalize()}: {listed.total:,} as of {state.as_of}",
            *_with_more(
                [table(*kind_table(listed.kind, listed.items))], listed.total, len(listed.items)
            ),
        ]
    possible = [
        f"{name}: {_listed(ids, state.possible_total.get(name, len(ids)))}"
        for name, ids in state.possible.items()
        if ids
    ]
    if possible:
        parts += ["", "Only possibly by then: " + "; ".join(possible)]
    disputed = disputed_notes(
        [
            *state.next_meetings,
            *state.overdue,
            *state.plans,
            *state.open_issues,
            *state.strikes,
            *(item for listed in state.listed for item in listed.items),
        ]
    )
    if disputed:
        parts += ["", *disputed]
    return "\n".join(parts)


def _overdue_section(state: State) -> list[str]:
    """The meetings and calls whose day passed with no report of them held, after the
    next ones; nothing when there are none."""
    if not state.overdue:
        return []
    rows = [
        (
            item.planned,
            item.id,
            " + ".join(item.participants),
            item.status,
            last_reported_text(item.last_reported),
        )
        for item in state.overdue
    ]
    headers = ("planned", "id", "participants", "status", "last reported")
    return [
        "Overdue (planned day passed, not reported held)",
        *_with_more([table(rows, headers)], state.overdue_total, len(state.overdue)),
        "",
    ]


def last_reported_text(last: dict[str, str] | None) -> str | None:
    """A ``last_reported`` as a cell: its day and report."""
    return None if last is None else f"{last['date']} ({last['report']})"


def disputed_notes(items: Sequence[Any]) -> list[str]:
    """A footnote for each listed development with a disputed field (``disputed`` on
    an attrs value or a dict): the values accounts of equal standing give, with their
    reports, the one shown first. Nothing for undisputed lists, which read as before."""
    lines = []
    for item in items:
        found = item.get("disputed") if isinstance(item, dict) else item.disputed
        ident = item["id"] if isinstance(item, dict) else item.id
        for name, values in (found or {}).items():
            told = "; ".join(
                f"{cell(field_cell(name, value['value']))} ({', '.join(value['reports'])})"
                for value in values
            )
            lines.append(f"disputed: {ident} {name}: {told} (the first is shown)")
    return lines


def kind_table(
    kind: str, items: Sequence[dict[str, Any]]
) -> tuple[list[tuple[Any, ...]], tuple[str, ...]]:
    """The rows and headers of a type's list without a table of its own: the id, then
    the columns its ``Kind`` names, each cell as ``field_cell`` shows the field."""
    columns = kind_of(kind).columns
    rows = [(item["id"], *(field_cell(name, item.get(name)) for name in columns)) for item in items]
    return rows, ("id", *columns)


def _listed(ids: Sequence[str], total: int) -> str:
    """Ids as one cell, saying how many more there are when the list was cut."""
    more = more_text(total, len(ids))
    return printable(", ".join(ids)) + (f" {more}" if more else "")


def call_table(groups: Sequence[CallGroup], *, last: bool = False) -> str:
    """Recorded calls per participant set beside the latest claimed count, and the gap."""
    rows = [
        (
            " + ".join(group.participants),
            group.count,
            group.claimed_text,
            group.last_occurred if last else _listed(group.calls, group.count),
            _listed(group.possible, group.possible_count) if group.possible else None,
            group.gap_text,
        )
        for group in groups
    ]
    return table(
        rows,
        (
            "participants",
            "recorded",
            "claimed",
            "last" if last else "calls",
            "possibly also",
            "claimed vs recorded",
        ),
    )


def issue_blocks(issues: Sequence[IssueSummary]) -> list[str]:
    """Each issue on its line, each party's position indented below it."""
    if not issues:
        return ["-"]
    lines = []
    for issue in issues:
        stale = ""
        if issue.stale and issue.last_reported:
            stale = f" stale: last reported {last_reported_text(issue.last_reported)}"
        lines.append(f"{issue.id}: {issue.title or '-'} [{issue.status}]{stale}")
        lines.extend(f"    {party}: {text}" for party, text in issue.positions.items())
    return lines


def render_history(history: History) -> str:
    lines = [f"{history.id} ({history.kind})"]
    for entry in history.entries:
        status = " [void: " + (entry.void_reason or "") + "]" if entry.voided else ""
        lines.append("")
        lines.append(
            f"#{entry.position} v{entry.version} {entry.published} {entry.outlet}"
            f" ({entry.report_id}) {entry.kind}{status}"
        )
        lines.extend(grade_lines(entry.reliability, entry.credibility))
        if entry.kind == "retraction":
            lines.append(f"  retracted: {entry.reason}")
        for name, value in entry.fields.items():
            mark = "*" if name in entry.changed else " "
            flag = "  [disputed]" if name in history.disputed and not entry.voided else ""
            shown = cell(field_cell(name, value))
            if name == "speaker" and entry.fields.get("via"):
                # Relayed words are never the bare speaker's (``kinds.statement``).
                shown = said_by(shown, entry.fields["via"], cell)
            lines.append(f" {mark}{name}: {shown}{flag}")
        if entry.quote:
            lines.append(f'  quote: "{entry.quote}"')
        if entry.attributed_to:
            lines.append(f"  attributed to: {entry.attributed_to}")
        if entry.origin:
            lines.append(f"  origin: {entry.origin}")
        if entry.note:
            lines.append(f"  note: {entry.note}")
    lines.append("")
    lines.append("* field set or changed by this account")
    lines.append(f"corroborated by {corroborated(history.corroboration)}")
    for name, values in history.disputed.items():
        lines.append(f"disputed {name}:")
        lines.extend(
            f"    {cell(field_cell(name, item['value']))}  ({', '.join(item['reports'])})"
            + ("  shown" if index == 0 else "")
            for index, item in enumerate(values)
        )
    return "\n".join(lines)


def grade_lines(
    reliability: dict[str, Any] | None, credibility: dict[str, Any] | None
) -> list[str]:
    """An entry's grades, each with its day and note."""
    lines = []
    for what, grade in (("reliability", reliability), ("credibility", credibility)):
        if grade is not None:
            of = f" of {grade['source']}" if "source" in grade else ""
            note = f": {grade['note']}" if grade["note"] else ""
            lines.append(f"  {what}{of}: {grade['grade']} (graded {grade['graded_on']}){note}")
    return lines


def corroborated(origins: int) -> str:
    """What corroborates a development: its independent origins, not its outlets."""
    return f"{origins} independent origin" + ("" if origins == 1 else "s")


# After a quote whose report has no text to check it against.
UNCHECKED = "(unchecked: report has no text)"


def render_sources(sources: Sources) -> str:
    rows: list[tuple[Any, ...]] = [
        (
            s.published,
            s.report_id,
            s.outlet,
            s.kind + (" (void)" if s.voided else ""),
            s.quote if s.quote_checked is not False else f"{s.quote} {UNCHECKED}",
            s.attributed_to,
            s.origin,
        )
        for s in sources.sources
    ]
    header: tuple[str, ...] = (
        "published",
        "report",
        "outlet",
        "kind",
        "quote",
        "attributed to",
        "origin",
    )
    # The grades' columns where something is graded: a store without grades reads as it did.
    if any(s.reliability or s.credibility for s in sources.sources):
        rows = [
            (
                *row,
                s.reliability and s.reliability["grade"],
                s.credibility and s.credibility["grade"],
            )
            for row, s in zip(rows, sources.sources, strict=True)
        ]
        header = (*header, "reliability", "credibility")
    title = f"{sources.id} ({sources.kind}): corroborated by {corroborated(sources.corroboration)}"
    return "\n".join([title, table(rows, header)])


def render_changes(changes: Changes) -> str:
    scope = f", as of {changes.as_of}" if changes.as_of else ""
    lines = [f"Changes from what was known at {changes.known_from} to {changes.known_to}{scope}"]
    sections = (
        ("Added", changes.added),
        ("Claims added", changes.claims_added),
        ("Changed", changes.changed),
        ("Retracted", changes.retracted),
    )
    for title, items in sections:
        lines.append("")
        lines.append(f"{title} ({len(items)})")
        for item in items:
            lines.append(f"  {item.id} ({item.kind}) by {', '.join(item.reports) or '-'}")
            if item.change == "changed":
                for change in item.fields:
                    old = cell(field_cell(change.field, change.old))
                    new = cell(field_cell(change.field, change.new))
                    lines.append(
                        f"      {change.field}: {old} -> {new}  ({change.report_id or '-'})"
                    )
    return "\n".join(lines)


def verification_json(verification: Verification, expected: Sequence[Anchor]) -> dict[str, Any]:
    return {
        "ok": verification.ok,
        "events": verification.events,
        "head": verification.head,
        "position": verification.position,
        "anchor": str(verification.anchor),
        "expected": [str(anchor) for anchor in expected],
        "at": [{"position": anchor.position, "anchor": str(anchor)} for anchor in verification.at],
        "unchecked_quotes": verification.unchecked_quotes,
        "problems": [
            {"position": problem.position, "problem": problem.what}
            for problem in verification.problems
        ],
    }


def render_verification(verification: Verification, expected: Sequence[Anchor]) -> str:
    """Each problem on its line; when there is none, the chain head, the heads expected
    and asked for, and how many quotes could not be checked."""
    lines = [str(problem) for problem in verification.problems]
    if verification.ok:
        lines.append(f"ok: {verification.events} events, chain head {verification.anchor}")
        lines.extend(f"expected {anchor}: it holds" for anchor in expected)
        lines.extend(f"chain at position {anchor.position}: {anchor}" for anchor in verification.at)
        if verification.unchecked_quotes:
            cite = (
                "quote cites a report"
                if verification.unchecked_quotes == 1
                else "quotes cite reports"
            )
            lines.append(f"{verification.unchecked_quotes} {cite} without text: unchecked")
    return "\n".join(lines)
