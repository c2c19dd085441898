"""The export of a store as NDJSON records, in log order, each with the system time of
the event it records (``recorded_at``), which an import gives the event back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

from tracker.application import Tracker
from tracker.domain import Actor, Development, Report
from tracker.errors import InvalidRecord
from tracker.event_visitor import EventVisitor
from tracker.grading import AccountGrade, SourceGrade
from tracker.kinds import plain_value
from tracker.values import Account


def export_records(app: Tracker) -> Iterator[dict[str, Any]]:
    """The log in append order, as records that ``import_records`` reads back."""
    records = _ExportRecords()
    for notification in app.notifications():
        event: Any = app.mapper.to_domain_event(notification)
        yield {**records.visit(event), "recorded_at": recorded_text(event.timestamp)}


# A system time as ``tracker log`` and ``export`` write it: UTC, to the microsecond.
_RECORDED_AT = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})\Z", re.ASCII
)


# What ``recorded_at`` adds to a record's export line, with the line's end.
RECORDED_AT_BYTES = len(',"recorded_at":"2025-12-28T13:00:00.000000Z"') + 1


def recorded_text(timestamp: Any) -> str:
    """An event's system time as a record's ``recorded_at``."""
    return cast(datetime, timestamp).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_recorded(value: Any) -> datetime:
    """A record's ``recorded_at``: a time of day with its zone, in UTC as the library
    keeps system times, so that the event stores the same bytes as the exported one."""
    if isinstance(value, str) and _RECORDED_AT.match(value):
        try:
            return datetime.fromisoformat(value).astimezone(UTC)
        except ValueError:
            pass
    shown = value if not isinstance(value, str) or len(value) <= 40 else value[:37] + "..."
    raise InvalidRecord(
        f"'recorded_at' must be a time with its zone, as export writes it"
        f" (2025-12-28T13:00:00.000000Z), not {shown!r}"
    )


class _ExportRecords(EventVisitor[dict[str, Any]]):
    """The record of each event, in log order: a later event of an actor or development
    names it by the id its first event gave."""

    def __init__(self) -> None:
        self.developments: dict[Any, tuple[str, str]] = {}
        self.actors: dict[Any, str] = {}

    def actor_registered(self, event: Actor.Registered) -> dict[str, Any]:
        self.actors[event.originator_id] = event.actor_id
        return _without_none(
            {
                "type": "actor",
                "id": event.actor_id,
                "name": event.name,
                "aliases": list(event.aliases),
                "role": event.role,
            }
        )

    def aliases_added(self, event: Actor.AliasesAdded) -> dict[str, Any]:
        return {
            "type": "aliases",
            "actor": self.actors[event.originator_id],
            "aliases": list(event.aliases),
        }

    def report_registered(self, event: Report.Registered) -> dict[str, Any]:
        return _without_none(
            {
                "type": "report",
                "id": event.report_id,
                "outlet": event.outlet,
                "published": event.published.text,
                "title": event.title,
                "url": event.url,
                "text": event.text,
                "note": event.note,
            }
        )

    def development_reported(self, event: Development.Reported) -> dict[str, Any]:
        self.developments[event.originator_id] = (event.development_id, event.kind)
        return account_record(event.development_id, event.kind, event.account)

    def development_retold(self, event: Development.Retold) -> dict[str, Any]:
        development_id, kind = self.developments[event.originator_id]
        return account_record(development_id, kind, event.account)

    def development_retracted(self, event: Development.Retracted) -> dict[str, Any]:
        return _without_none(
            {
                "type": "retraction",
                "target": self.developments[event.originator_id][0],
                "report": event.report_id,
                "reason": event.reason,
                "quote": event.quote,
            }
        )

    def development_voided(self, event: Development.Voided) -> dict[str, Any]:
        return {
            "type": "void",
            "development": self.developments[event.originator_id][0],
            "version": event.voided_version,
            "reason": event.reason,
        }

    def source_graded(self, event: SourceGrade.Given) -> dict[str, Any]:
        return _without_none(
            {
                "type": "grade",
                "source": event.name,
                "reliability": event.reliability,
                "graded_on": event.graded_on,
                "note": event.note,
            }
        )

    def account_graded(self, event: AccountGrade.Given) -> dict[str, Any]:
        return _without_none(
            {
                "type": "grade",
                "development": event.development_id,
                "account": event.version,
                "credibility": event.credibility,
                "graded_on": event.graded_on,
                "note": event.note,
            }
        )


def account_record(development_id: str, kind: str, account: Account) -> dict[str, Any]:
    record: dict[str, Any] = {"type": kind, "id": development_id, "report": account.report_id}
    record.update({name: plain_value(value) for name, value in account.fields.items()})
    return _without_none(
        {
            **record,
            "quote": account.quote,
            "attributed_to": account.attributed_to,
            "note": account.note,
            "origin": account.origin,
        }
    )


def _without_none(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value is not None}
