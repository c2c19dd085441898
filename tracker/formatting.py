"""Text for people: aligned tables and their cells, each field's value as text, actors
by name, and a development's headline, date and tooltip. The CLI's presenters, the
timeline page and the exports all format with these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from tracker.kinds import KINDS

if TYPE_CHECKING:
    from tracker.timeline_model import Development

_CONTROL: dict[int, str] = {
    code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F] if code not in (0x09, 0x0A)
}
_CONTROL[0x0A] = " "
_CONTROL[0x09] = " "


def printable(text: str) -> str:
    """Text for a terminal: control characters (escape sequences, bells) shown, not run."""
    return text.translate(_CONTROL)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    cells = [[cell(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for index, text in enumerate(row):
            widths[index] = max(widths[index], len(text))
    lines = ["  ".join(header.ljust(widths[i]) for i, header in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines.extend(
        "  ".join(text.ljust(widths[i]) for i, text in enumerate(row)).rstrip() for row in cells
    )
    return "\n".join(lines)


def cell(value: Any) -> str:
    """A value in a table's cell: none as "-", lists and mappings on one line."""
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(cell(item) for item in value) or "-"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {cell(item)}" for key, item in value.items())
    return printable(str(value))


def more_text(total: int, shown: int) -> str | None:
    """The line or cell end that says a list was cut: "… and 1,234 more"."""
    return f"… and {total - shown:,} more" if total > shown else None


def weapons_text(weapons: Sequence[dict[str, Any]]) -> str:
    return ", ".join(
        f"{w['count']} {w['name']}" if w.get("count") is not None else str(w["name"])
        for w in weapons
    )


def value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def field_shape(name: str, kind: str | None = None) -> str | None:
    """The shape of the field ``name`` (``tracker.kinds.fields``): of type ``kind``'s
    field, or, where only the field's name is at hand (a history's changes), of the
    first registered type that has a field of that name; None for a field no type has."""
    kinds = (KINDS[kind],) if kind in KINDS else tuple(KINDS.values())
    for registered in kinds:
        for spec in registered.fields:
            if spec.name == name:
                return spec.shape
    return None


def field_cell(name: str, value: Any, kind: str | None = None) -> Any:
    """A view field for a table's cell (``cell`` shows the rest): dates as written,
    weapons as "4 Iskander", actors by id."""
    shape = field_shape(name, kind)
    if shape == "date" and isinstance(value, dict):
        return value.get("text")
    if shape == "weapons" and isinstance(value, list):
        return weapons_text(value)
    return value


class Names:
    """Actor ids as people read them: the display name, or a short one for labels."""

    def __init__(self, actors: Iterable[dict[str, Any]]) -> None:
        self.full: dict[str, str] = {}
        self.short: dict[str, str] = {}
        for actor in actors:
            name = str(actor["name"])
            aliases = [str(alias) for alias in actor["aliases"]]
            self.full[actor["id"]] = name
            self.short[actor["id"]] = (
                aliases[0] if aliases and len(aliases[0]) < len(name) else name
            )

    def name(self, actor_id: str) -> str:
        return self.full.get(actor_id, actor_id)

    def brief(self, actor_id: str) -> str:
        return self.short.get(actor_id, actor_id)

    def names(self, actor_ids: Iterable[str]) -> str:
        return ", ".join(self.name(actor) for actor in actor_ids)


def field_text(name: str, value: Any, names: Names, kind: str | None = None) -> str:
    """One field's value as one line for people, for the timeline page and the exports:
    dates as written, actors by name, weapons, positions and lists of texts run together.

    Not ``field_cell``: a table for the command line names actors by id (what its
    commands take) and shows an absent value as "-"."""
    if isinstance(value, dict) and "text" in value and "lower" in value:
        return str(value["text"])  # a date as the views keep it
    shape = field_shape(name, kind)
    if shape == "weapons" and isinstance(value, list):
        return weapons_text(value)
    if shape == "positions" and isinstance(value, dict):
        return " | ".join(f"{names.name(party)}: {text}" for party, text in value.items())
    if shape in ("actor", "actors"):
        if isinstance(value, list):
            return names.names(value)
        if isinstance(value, str):
            return names.name(value)
    if shape == "texts" and isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if shape == "relays" and isinstance(value, list):
        return names.names(value)  # actors by name, the others as written
    if shape == "percent" and not isinstance(value, bool | str):
        return f"{value}%"
    if name == "stances" and isinstance(value, list):
        # A claim's stance per claimant (``projections.stances``).
        return "; ".join(
            f"{names.name(str(entry.get('claimant')))} {entry.get('stance')}"
            f" {value_text(entry.get('value'))} ({entry.get('report')})"
            for entry in value
            if isinstance(entry, dict)
        )
    return value_text(value)


def label(development: Development, names: Names, limit: int = 34) -> str:
    """A short headline for a mark: its type's (``Kind.headline``), or its id where that
    is empty (a plan without a label, an issue without a title)."""
    registered = KINDS.get(development.kind)
    text = registered.headline(development.fields, names.brief) if registered else ""
    text = " ".join((text or development.id).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def date_label(development: Development) -> str:
    if development.date_text is None:
        if development.upcoming:
            return "date not reported"
        return f"undated; by {development.first_known}"
    if development.dated_by == "planned":
        return f"planned {development.date_text}"
    return development.date_text


def tooltip(development: Development, names: Names) -> str:
    """A mark's tooltip: what it is, then one line per account."""
    lines = [
        f"{development.kind} · {date_label(development)}"
        + (f" · {development.status}" if development.status else "")
        + (" · RETRACTED" if development.retracted else ""),
        label(development, names, limit=200),
    ]
    for account in development.accounts:
        head = f"{account.report_id}, {account.outlet}, {account.published}"
        if account.retraction:
            lines.append(f"✗ retracted by {head}: {account.reason or ''}")
            continue
        quote = f": “{_cut(account.quote, 220)}”" if account.quote else ""
        void = " (voided)" if account.voided else ""
        lines.append(f"• {head}{void}{quote}")
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
