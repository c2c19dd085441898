"""What the exports say of a development beyond its dates: its precision, actors,
sub-type, place and notes, and the row of the CSV and of the SQLite file's
``developments_now``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tracker.application import Tracker
from tracker.dates import OPEN_LOWER, OPEN_UPPER
from tracker.formatting import Names, field_text, value_text, weapons_text
from tracker.timeline_model import Development, iter_known_developments

DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")
YEAR = re.compile(r"^[0-9]{4}$")
INSTANT = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})")


def date_precision(development: Development) -> str:
    """day, month, year, range or approximate (EDTF ~ ? %); undated when no account
    dates it."""
    text = development.date_text
    if text is None:
        return "undated"
    if any(mark in text for mark in "~?%"):
        return "approximate"
    if "/" in text or "X" in text:
        return "range"
    if DAY.match(text) or INSTANT.match(text):
        return "day"
    if MONTH.match(text):
        return "month"
    if YEAR.match(text):
        return "year"
    return "day" if not development.fuzzy else "range"


def actors(development: Development) -> list[str]:
    fields = development.fields
    found: list[str] = []
    for name in ("participants", "initiator", "by", "speaker", "claimant"):
        value = fields.get(name)
        if isinstance(value, list):
            found.extend(str(item) for item in value)
        elif isinstance(value, str):
            found.append(value)
    positions = fields.get("positions")
    if isinstance(positions, dict):
        found.extend(str(party) for party in positions)
    return list(dict.fromkeys(found))


def sub_type(development: Development) -> str:
    fields = development.fields
    if development.kind == "strike":
        weapons = fields.get("weapons")
        return weapons_text(weapons) if isinstance(weapons, list) else ""
    if development.kind == "claim":
        return str(fields.get("subject") or "")
    if development.kind == "statement":
        return ""
    return str(development.status or "")


def location(development: Development) -> str:
    fields = development.fields
    return str(fields.get("place") or fields.get("target") or "")


STANCES = {"neither": "neither asserts nor denies"}


def notes(development: Development, names: Names) -> str:
    """The development in a sentence or two: what the table's other columns leave out."""
    fields = development.fields
    kind = development.kind
    parts: list[str] = []
    if kind == "statement":
        speaker = names.name(str(fields.get("speaker", "")))
        parts.append(f"{speaker}: “{fields.get('quote', '')}”")
    elif kind == "claim":
        claimant = names.name(str(fields.get("claimant", "")))
        stance = STANCES.get(str(fields.get("stance")), str(fields.get("stance", "asserts")))
        parts.append(
            f"{claimant} {stance} {fields.get('subject', '')}: {value_text(fields.get('value'))}"
        )
        if fields.get("participants"):
            parts.append(f"about {names.names(fields['participants'])}")
    elif kind == "issue":
        if fields.get("title"):
            parts.append(str(fields["title"]))
        if fields.get("positions"):
            parts.append(field_text("positions", fields["positions"], names))
    else:
        if fields.get("participants"):
            parts.append(f"participants: {names.names(fields['participants'])}")
        skip = {"participants", "status", "place", "target", "weapons", "occurred", "by"}
        skip.add("planned")
        for name, value in fields.items():
            if name not in skip:
                parts.append(f"{name.replace('_', ' ')}: {field_text(name, value, names)}")
    if development.dated_by == "planned":
        parts.append(f"planned {development.date_text}")
    if development.retracted:
        reasons = [
            f"retracted by {a.report_id} ({a.outlet}): {a.reason or ''}".rstrip(": ")
            for a in development.accounts
            if a.retraction and not a.voided
        ]
        parts.extend(reasons)
    return "; ".join(part for part in parts if part)


def export_row(development: Development, names: Names) -> dict[str, Any]:
    undated = development.dated_by == "reported"
    if undated:
        event_date = ""
        # Undated: it had happened by its first report; a plan without a date, unknown.
        latest = "" if development.upcoming else development.first_known
    else:
        event_date = "" if development.lower == OPEN_LOWER else development.lower
        latest = "" if development.upper == OPEN_UPPER else development.upper
    sources = development.sources
    return {
        "event_id": development.id,
        "event_date": event_date,
        "event_date_latest": latest,
        "date_text": development.date_text or "",
        "date_precision": date_precision(development),
        "event_type": development.kind,
        "sub_type": sub_type(development),
        "actors": ";".join(actors(development)),
        "location": location(development),
        "source_outlets": ";".join(development.outlets),
        "source_count": len({account.report_id for account in sources}),
        "notes": notes(development, names),
        "first_report_date": development.first_known,
        "latest_report_date": development.latest_report or "",
        "retracted": 1 if development.retracted else 0,
    }


def rows(
    tracker: Tracker, *, as_of: str, known_at: str, since: str | None = None
) -> Iterator[dict[str, Any]]:
    """One row per development as known at K, relevant on D (the CSV's rows)."""
    names = Names(tracker.view.actors())
    for development in iter_known_developments(tracker, as_of, known_at, since):
        yield export_row(development, names)
