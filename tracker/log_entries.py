"""The log as people read it: one entry per event, with position and system time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from tracker.application import Tracker
from tracker.domain import Actor, Development, Report


def log_entries(tracker: Tracker, start: int = 0) -> Iterator[dict[str, Any]]:
    names: dict[Any, str] = {}
    if start:
        # Subjects of later events are named by their first event, which may precede start.
        for notification in tracker.notifications(0):
            if notification.id > start:
                break
            _remember(names, tracker.mapper.to_domain_event(notification))
    for notification in tracker.notifications(start):
        event: Any = tracker.mapper.to_domain_event(notification)
        _remember(names, event)
        yield {
            "position": notification.id,
            "recorded_at": cast(datetime, event.timestamp).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "event": type(event).__qualname__,
            "subject": names.get(event.originator_id, str(event.originator_id)),
            "version": event.originator_version,
            "summary": _summary(event),
        }


def _remember(names: dict[Any, str], event: Any) -> None:
    if isinstance(event, Actor.Registered):
        names[event.originator_id] = event.actor_id
    elif isinstance(event, Report.Registered):
        names[event.originator_id] = event.report_id
    elif isinstance(event, Development.Reported):
        names[event.originator_id] = event.development_id


def _summary(event: Any) -> str:
    if isinstance(event, Actor.Registered):
        return event.name
    if isinstance(event, Actor.AliasesAdded):
        return "aliases: " + ", ".join(event.aliases)
    if isinstance(event, Report.Registered):
        return f"{event.outlet}, published {event.published.text}"
    if isinstance(event, Development.Reported):
        return f"{event.kind} first told by {event.account.report_id}"
    if isinstance(event, Development.Retold):
        return f"told by {event.account.report_id}"
    if isinstance(event, Development.Retracted):
        return f"retracted by {event.report_id}: {event.reason}"
    if isinstance(event, Development.Voided):
        return f"account {event.voided_version} void: {event.reason}"
    return ""
