"""The interface layer: read-side values as plain dicts for JSON, and as aligned text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from tracker.state import History, IssueSummary, State


def plain(value: Any) -> Any:
    """attrs values, tuples and dicts as plain JSON-ready data."""
    if attrs.has(type(value)):
        return attrs.asdict(value, recurse=True)
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
    return str(value).replace("\n", " ")


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
        table(
            [
                (
                    " + ".join(group.participants),
                    group.count,
                    group.claimed_count,
                    group.last_occurred,
                    group.possible,
                )
                for group in state.calls
            ],
            ("participants", "recorded", "claimed", "last", "possibly also"),
        ),
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
            lines.append(f" {mark}{name}: {_cell(field_text(value))}")
        if entry.quote:
            lines.append(f'  quote: "{entry.quote}"')
        if entry.attributed_to:
            lines.append(f"  attributed to: {entry.attributed_to}")
        if entry.note:
            lines.append(f"  note: {entry.note}")
    lines.append("")
    lines.append("* field set or changed by this account")
    return "\n".join(lines)


def field_text(value: Any) -> Any:
    """A view field for people: dates as written, weapons as "4 Iskander"."""
    if isinstance(value, dict) and "text" in value and "lower" in value:
        return value["text"]
    if isinstance(value, list) and value and isinstance(value[0], dict) and "name" in value[0]:
        return weapons_text(value)
    return value
