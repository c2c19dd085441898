"""The Knight Lab TimelineJS3 export: a title slide and one event per development."""

from __future__ import annotations

from html import escape
from typing import Any

from tracker.application import Tracker
from tracker.dates import OPEN_LOWER, OPEN_UPPER
from tracker.export_rows import DAY, INSTANT, MONTH, YEAR, notes
from tracker.formatting import Names, date_label, label
from tracker.timeline_model import Development, known_reports, window


def _date_object(text: str) -> dict[str, str] | None:
    """A TimelineJS date (strings, as its spreadsheet template gives them) keeping the
    precision of an ISO day, month, year or local date-time; None for other EDTF."""
    match = INSTANT.match(text)
    if match:
        year, month, day, hour, minute = match.groups()
        return {
            "year": year,
            "month": str(int(month)),
            "day": str(int(day)),
            "hour": str(int(hour)),
            "minute": str(int(minute)),
        }
    if DAY.match(text):
        year, month, day = text.split("-")
        return {"year": year, "month": str(int(month)), "day": str(int(day))}
    if MONTH.match(text):
        year, month = text.split("-")
        return {"year": year, "month": str(int(month))}
    if YEAR.match(text):
        return {"year": text}
    return None


def _day_object(day: str) -> dict[str, str]:
    year, month, date_of_month = day.split("-")
    return {"year": year, "month": str(int(month)), "day": str(int(date_of_month))}


def _event_dates(development: Development) -> tuple[dict[str, str], dict[str, str] | None]:
    text = development.date_text
    if text is not None and "/" in text:
        start_text, end_text = text.split("/", 1)
        if development.lower == OPEN_LOWER:  # "../2025-10": up to its end
            return _date_object(end_text) or _day_object(development.upper), None
        start = _date_object(start_text) or _day_object(development.lower)
        if development.upper == OPEN_UPPER:  # "2025-10/..": from its start on
            return start, None
        return start, _date_object(end_text) or _day_object(development.upper)
    if text is not None:
        exact = _date_object(text)
        if exact is not None:
            return exact, None
    if development.fuzzy:
        return _day_object(development.lower), _day_object(development.upper)
    return _day_object(development.lower), None


def _body(development: Development, names: Names) -> str:
    """The slide's HTML: every piece of report text escaped."""
    facts = [development.kind, date_label(development)]
    if development.status:
        facts.append(development.status)
    parts = [f"<p><b>{escape(' · '.join(facts))}</b></p>"]
    if development.retracted:
        parts.append("<p><b>Retracted.</b></p>")
    summary = notes(development, names)
    if summary:
        parts.append(f"<p>{escape(summary)}</p>")
    items = []
    for account in development.accounts:
        if account.voided:
            continue
        source = f"{account.outlet} ({account.report_id}, {account.published})"
        if account.retraction:
            items.append(f"<li>Retracted by {escape(source)}: {escape(account.reason or '')}</li>")
            continue
        quote = f": <q>{escape(account.quote)}</q>" if account.quote else ""
        by = f" ({escape(account.attributed_to)})" if account.attributed_to else ""
        origin = f" [origin: {escape(account.origin)}]" if account.origin else ""
        items.append(f"<li>{escape(source)}{quote}{by}{origin}</li>")
    if items:
        parts.append(f"<p>Sources:</p><ul>{''.join(items)}</ul>")
    return "".join(parts)


def timelinejs(
    tracker: Tracker,
    *,
    as_of: str,
    known_at: str,
    since: str | None = None,
    max_developments: int | None = None,
) -> dict[str, Any]:
    """Knight Lab TimelineJS3 JSON: a title slide and one event per development,
    grouped by type."""
    names = Names(tracker.view.actors())
    developments = window(tracker, as_of, known_at, since, max_developments, "document")
    reports = known_reports(tracker.view.reports(), known_at, since)
    events = []
    for development in developments:
        start, finish = _event_dates(development)
        headline = label(development, names, limit=90)
        if development.retracted:
            headline = f"Retracted: {headline}"
        event: dict[str, Any] = {
            "start_date": start,
            "text": {"headline": escape(headline), "text": _body(development, names)},
            "group": development.kind,
            "unique_id": development.id,
            "display_date": escape(date_label(development)),
            "autolink": False,
        }
        if finish is not None:
            event["end_date"] = finish
        events.append(event)
    return {
        "title": {
            "text": {
                "headline": "Peace process tracker",
                "text": escape(
                    f"As of {as_of}, as known at {known_at}"
                    f"{f', since {since}' if since else ''}: {len(developments)} developments"
                    f" from {len(reports)} reports."
                ),
            }
        },
        "events": events,
    }
