"""The log as people read it: one entry per event, with position and system time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from tracker.application import Tracker
from tracker.domain import Actor, Development, Report
from tracker.event_visitor import EventVisitor
from tracker.grading import AccountGrade, SourceGrade


def log_entries(tracker: Tracker, start: int = 0) -> Iterator[dict[str, Any]]:
    entries = _LogEntries()
    if start:
        # Subjects of later events are named by their first event, which may precede start.
        for notification in tracker.notifications(0):
            if notification.id > start:
                break
            entries.visit(tracker.mapper.to_domain_event(notification))
    for notification in tracker.notifications(start):
        event: Any = tracker.mapper.to_domain_event(notification)
        summary = entries.visit(event)
        yield {
            "position": notification.id,
            "recorded_at": cast(datetime, event.timestamp).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "event": type(event).__qualname__,
            "subject": entries.names.get(event.originator_id, str(event.originator_id)),
            "version": event.originator_version,
            "summary": summary,
        }


class _LogEntries(EventVisitor[str]):
    """Each event's summary; an aggregate's first event also names it, for the subject
    of its later entries."""

    def __init__(self) -> None:
        self.names: dict[Any, str] = {}

    def actor_registered(self, event: Actor.Registered) -> str:
        self.names[event.originator_id] = event.actor_id
        return event.name

    def aliases_added(self, event: Actor.AliasesAdded) -> str:
        return "aliases: " + ", ".join(event.aliases)

    def report_registered(self, event: Report.Registered) -> str:
        self.names[event.originator_id] = event.report_id
        return f"{event.outlet}, published {event.published.text}"

    def development_reported(self, event: Development.Reported) -> str:
        self.names[event.originator_id] = event.development_id
        return f"{event.kind} first told by {event.account.report_id}"

    def development_retold(self, event: Development.Retold) -> str:
        return f"told by {event.account.report_id}"

    def development_retracted(self, event: Development.Retracted) -> str:
        return f"retracted by {event.report_id}: {event.reason}"

    def development_voided(self, event: Development.Voided) -> str:
        return f"account {event.voided_version} void: {event.reason}"

    def source_graded(self, event: SourceGrade.Given) -> str:
        self.names[event.originator_id] = event.name
        return _with_note(f"reliability {event.reliability} on {event.graded_on}", event.note)

    def account_graded(self, event: AccountGrade.Given) -> str:
        self.names[event.originator_id] = event.development_id
        return _with_note(
            f"account {event.version} credibility {event.credibility} on {event.graded_on}",
            event.note,
        )


def _with_note(summary: str, note: str | None) -> str:
    return summary if note is None else f"{summary}: {note}"
