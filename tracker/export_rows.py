"""What the exports say of a development beyond its dates: its precision, actors,
sub-type, place and notes (each as its type's registered ``Kind.exported`` and fields
say), and the row of the CSV and of the SQLite file's ``developments_now``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from projections.grades import Grades
from tracker.application import Tracker
from tracker.dates import OPEN_LOWER, OPEN_UPPER
from tracker.formatting import Names, field_text
from tracker.kinds import KINDS, Exported, Kind
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


def _exported(kind: str) -> tuple[Kind | None, Exported]:
    """The registered type and what the exports say of it (a type no module registers
    here, from a store written with a plugin: the defaults)."""
    registered = KINDS.get(kind)
    return registered, registered.exported if registered else Exported()


def actors(development: Development) -> list[str]:
    """The actors its type's actor fields name, then the parties of its positions."""
    registered = KINDS.get(development.kind)
    if registered is None:
        return []
    fields = development.fields
    found: list[str] = []
    for name in registered.actor_fields:
        value = fields.get(name)
        if isinstance(value, list):
            found.extend(str(item) for item in value)
        elif isinstance(value, str):
            found.append(value)
    for spec in registered.fields:
        positions = fields.get(spec.name) if spec.shape == "positions" else None
        if isinstance(positions, dict):
            found.extend(str(party) for party in positions)
    return list(dict.fromkeys(found))


def sub_type(development: Development, names: Names) -> str:
    _, exported = _exported(development.kind)
    if exported.sub_type is None:
        return ""
    if exported.sub_type == "status":
        return str(development.status or "")
    value = development.fields.get(exported.sub_type)
    return field_text(exported.sub_type, value, names, development.kind) if value else ""


def location(development: Development) -> str:
    _, exported = _exported(development.kind)
    if exported.location is None:
        return ""
    return str(development.fields.get(exported.location) or "")


def notes(development: Development, names: Names) -> str:
    """The development in a sentence or two: what the table's other columns leave out."""
    registered, exported = _exported(development.kind)
    fields = development.fields

    def text(name: str, value: Any) -> str:
        return field_text(name, value, names, development.kind)

    if exported.notes is not None:
        parts = list(exported.notes(fields, names.name, text))
    else:
        parts = []
        if fields.get("participants"):
            parts.append(f"participants: {names.names(fields['participants'])}")
        shown = {"participants", "status", exported.sub_type, exported.location}
        shown.update(exported.unnoted)
        if registered is not None:
            shown.update(spec.name for spec in registered.fields if spec.shape == "date")
        for name, value in fields.items():
            if name not in shown:
                parts.append(f"{name.replace('_', ' ')}: {text(name, value)}")
    if development.dated_by == "planned":
        parts.append(f"planned {development.date_text}")
    for name, values in development.disputed.items():
        told = " | ".join(
            f"{text(name, item['value'])} ({', '.join(item['reports'])})" for item in values
        )
        parts.append(f"disputed {name.replace('_', ' ')}: {told}")
    if development.retracted:
        reasons = [
            f"retracted by {a.report_id} ({a.outlet}): {a.reason or ''}".rstrip(": ")
            for a in development.accounts
            if a.retraction and not a.voided
        ]
        parts.extend(reasons)
    return "; ".join(part for part in parts if part)


def source_grades(development: Development, grades: Grades) -> str:
    """Each standing account's grades as known at K, "REPORT:B2" (reliability of its
    origin, else its outlet, then its credibility; "-" for either not given), or
    nothing where none is graded."""
    codes = [
        (account.report_id, grades.code(development.id, account.version, source))
        for account in development.sources
        for source in [account.origin or account.outlet]
    ]
    if all(code == "--" for _, code in codes):
        return ""
    return ";".join(f"{report_id}:{code}" for report_id, code in codes)


def export_row(
    development: Development, names: Names, grades: Grades | None = None
) -> dict[str, Any]:
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
        "sub_type": sub_type(development, names),
        "actors": ";".join(actors(development)),
        "location": location(development),
        "source_outlets": ";".join(development.outlets),
        "source_count": len({account.report_id for account in sources}),
        "source_origins": ";".join(development.origins),
        "corroboration": development.corroboration,
        "source_grades": "" if grades is None else source_grades(development, grades),
        "notes": notes(development, names),
        "first_report_date": development.first_known,
        "latest_report_date": development.latest_report or "",
        # The report of that day the lists' ``last_reported`` names: of the reports in
        # the order of their first accounts, the last.
        "latest_report_id": development.reports[-1] if development.reports else "",
        "retracted": 1 if development.retracted else 0,
    }


def rows(
    tracker: Tracker, *, as_of: str, known_at: str, since: str | None = None
) -> Iterator[dict[str, Any]]:
    """One row per development as known at K, relevant on D (the CSV's rows)."""
    names = Names(tracker.view.actors())
    grades = Grades(tracker.view.grades_by(known_at))  # as known at K: given by then
    for development in iter_known_developments(tracker, as_of, known_at, since):
        yield export_row(development, names, grades)
