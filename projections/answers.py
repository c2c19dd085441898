"""What the answers of every topic read from a version row, the kinds of development,
and a day counted back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tracker.dates import OPEN_LOWER, OPEN_UPPER
from tracker.kinds import KINDS

# Every kind of development.
ALL_KINDS = tuple(KINDS)


def days_before(day: str, days: int) -> str:
    """The day ``days`` before ``day``; past the calendar's ends, a bound beyond every
    day (a window reaching back before year 1 holds all there is)."""
    try:
        return (date.fromisoformat(day) - timedelta(days=days)).isoformat()
    except OverflowError:
        return OPEN_LOWER if days > 0 else OPEN_UPPER


def version_fields(row: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = row["data"]["fields"]
    return fields


def version_reports(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row["data"]["reports"])


def last_reported(row: dict[str, Any]) -> dict[str, str]:
    """The latest report that told of a development as known at K, from the version
    row that holds at K: a version begins when its latest report became certainly
    known (``known_from``, the latest possible publication day, as the exports'
    ``latest_report_date``), and its reports are listed in the order they became known."""
    return {"date": row["known_from"], "report": row["data"]["reports"][-1]}


def version_disputed(row: dict[str, Any]) -> dict[str, Any]:
    """The fields of a version that accounts of equal standing tell differently
    (``projections.disputes``), each with its values: empty for most."""
    disputed: dict[str, Any] = row["data"].get("disputed", {})
    return disputed


def disputed_item(row: dict[str, Any]) -> dict[str, Any]:
    """``disputed`` as a listed development's dict carries it: absent when undisputed,
    so that those read as they did before disputes were kept."""
    disputed = version_disputed(row)
    return {"disputed": disputed} if disputed else {}


def text_of(value: Any) -> str | None:
    return None if value is None else str(value["text"])


def latest_items(items: list[Any], limit: int | None) -> list[Any]:
    """The last ``limit`` items of a list kept oldest first (all without a limit)."""
    return items if limit is None else items[max(0, len(items) - limit) :]
