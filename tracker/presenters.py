"""The interface layer: read-side values as plain dicts for JSON, and as aligned text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from tracker.state import CallGroup, Changes, History, IssueSummary, Sources, State


def plain(value: Any) -> Any:
    """attrs values, tuples and dicts as plain JSON-ready data."""
    if isinstance(value, CallGroup):
        return {**attrs.asdict(value, recurse=True), "gap_text": value.gap_text}
    if attrs.has(type(value)):
        return {key: plain(item) for key, item in attrs.asdict(value, recurse=False).items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    lines = ["  ".join(header.ljust(widths[i]) for i, header in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines.extend(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells
    )
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(item) for item in value) or "-"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_cell(item)}" for key, item in value.items())
    return printable(str(value))


_CONTROL: dict[int, str] = {
    code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F] if code not in (0x09, 0x0A)
}
_CONTROL[0x0A] = " "
_CONTROL[0x09] = " "


def printable(text: str) -> str:
    """Text for a terminal: control characters (escape sequences, bells) shown, not run."""
    return text.translate(_CONTROL)


def weapons_text(weapons: Sequence[dict[str, Any]]) -> str:
    return ", ".join(
        f"{weapon['count']} {weapon['name']}" if weapon.get("count") is not None else weapon["name"]
        for weapon in weapons
    )


def render_state(state: State) -> str:
    parts = [
        f"State as of {state.as_of}, as known at {state.known_at} (log position {state.position})",
        "",
        "Calls",
        call_table(state.calls, last=True),
        "",
        "Next meetings",
        table(
            [
                (item.planned, item.id, " + ".join(item.participants), item.status, item.place)
                for item in state.next_meetings
            ],
            ("planned", "id", "participants", "status", "place"),
        ),
        "",
        "Plans",
        table(
            [
                (plan.id, plan.label, plan.points, plan.readiness_pct, plan.status, plan.revisions)
                for plan in state.plans
            ],
            ("id", "label", "points", "ready %", "status", "revisions"),
        ),
        "",
        "Open issues",
        *issue_blocks(state.open_issues),
        "",
        f"Strikes: {state.strike_count} by {state.as_of}; since {state.strikes_since}:",
        table(
            [
                (strike.occurred, strike.id, strike.target, strike.by, weapons_text(strike.weapons))
                for strike in state.strikes
            ],
            ("occurred", "id", "target", "by", "weapons"),
        ),
    ]
    possible = [f"{name}: {', '.join(ids)}" for name, ids in state.possible.items() if ids]
    if possible:
        parts += ["", "Only possibly by then: " + "; ".join(possible)]
    return "\n".join(parts)


def call_table(groups: Sequence[CallGroup], *, last: bool = False) -> str:
    """Recorded calls per participant set beside the latest claimed count, and the gap."""
    rows = [
        (
            " + ".join(group.participants),
            group.count,
            group.claimed_count,
            group.last_occurred if last else group.calls,
            group.possible,
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
        lines.append(f"{issue.id}: {issue.title or '-'} [{issue.status}]")
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
        if entry.kind == "retraction":
            lines.append(f"  retracted: {entry.reason}")
        for name, value in entry.fields.items():
            mark = "*" if name in entry.changed else " "
            flag = "  [disputed]" if name in history.disputed and not entry.voided else ""
            lines.append(f" {mark}{name}: {_cell(field_text(name, value))}{flag}")
        if entry.quote:
            lines.append(f'  quote: "{entry.quote}"')
        if entry.attributed_to:
            lines.append(f"  attributed to: {entry.attributed_to}")
        if entry.note:
            lines.append(f"  note: {entry.note}")
    lines.append("")
    lines.append("* field set or changed by this account")
    lines.append(f"corroborated by {history.corroboration} outlet(s)")
    for name, values in history.disputed.items():
        lines.append(f"disputed {name}:")
        lines.extend(
            f"    {_cell(field_text(name, item.value))}  ({item.report_id}, {item.outlet},"
            f" {item.published})"
            for item in values
        )
    return "\n".join(lines)


def render_sources(sources: Sources) -> str:
    lines = [
        f"{sources.id} ({sources.kind}): corroborated by {sources.corroboration} outlet(s)",
        table(
            [
                (
                    s.published,
                    s.report_id,
                    s.outlet,
                    s.kind + (" (void)" if s.voided else ""),
                    s.quote,
                    s.attributed_to,
                )
                for s in sources.sources
            ],
            ("published", "report", "outlet", "kind", "quote", "attributed to"),
        ),
    ]
    return "\n".join(lines)


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
                    old = _cell(field_text(change.field, change.old))
                    new = _cell(field_text(change.field, change.new))
                    lines.append(
                        f"      {change.field}: {old} -> {new}  ({change.report_id or '-'})"
                    )
    return "\n".join(lines)


DATE_FIELDS = frozenset({"occurred", "planned"})


def field_text(name: str, value: Any) -> Any:
    """A view field for people: dates as written, weapons as "4 Iskander"."""
    if name in DATE_FIELDS and isinstance(value, dict):
        return value.get("text")
    if name == "weapons" and isinstance(value, list):
        return weapons_text(value)
    return value
