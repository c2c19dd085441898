"""The projection that feeds the tracker's view from the log."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from projections.view import TrackerViewBase
from tracker.dates import FuzzyDate
from tracker.domain import Actor, Development, Report
from tracker.values import Account, FieldValue, Weapon


def view_json(value: FieldValue) -> Any:
    """A field value in the view's JSON form: dates keep their bounds for queries."""
    if isinstance(value, FuzzyDate):
        encoded = {"text": value.text, "lower": value.lower, "upper": value.upper}
        if value.instant is not None:
            encoded["instant"] = value.instant
        return encoded
    if isinstance(value, Weapon):
        return {"name": value.name, "count": value.count}
    if isinstance(value, tuple | list):
        return [view_json(item) for item in value]
    if isinstance(value, dict):
        return {key: view_json(item) for key, item in value.items()}
    return value


def _account_row(account: Account) -> dict[str, Any]:
    return {
        "report_id": account.report_id,
        "fields": {name: view_json(value) for name, value in account.fields.items()},
        "quote": account.quote,
        "attributed_to": account.attributed_to,
        "note": account.note,
    }


class TrackerProjection(Projection[TrackerViewBase]):
    name = "tracker_views"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.skip(tracking)

    @process_event.register
    def _(self, event: Report.Registered, tracking: Tracking) -> None:
        self.view.put_report(
            {
                "report_id": event.report_id,
                "outlet": event.outlet,
                "published": event.published.text,
                "published_lower": event.published.lower,
                "published_upper": event.published.upper,
                "title": event.title,
                "url": event.url,
                "sha256": event.sha256,
                "note": event.note,
            },
            tracking,
        )

    @process_event.register
    def _(self, event: Actor.Registered, tracking: Tracking) -> None:
        self.view.put_actor(
            event.originator_id, event.actor_id, event.name, event.role, event.aliases, tracking
        )

    @process_event.register
    def _(self, event: Actor.AliasesAdded, tracking: Tracking) -> None:
        actor_id = self._actor_id(event)
        self.view.add_aliases(actor_id, event.aliases, tracking)

    @process_event.register
    def _(self, event: Development.Reported, tracking: Tracking) -> None:
        self.view.put_telling(
            event.originator_id,
            event.development_id,
            event.kind,
            event.originator_version,
            _account_row(event.account),
            tracking,
        )

    @process_event.register
    def _(self, event: Development.Retold, tracking: Tracking) -> None:
        development_id, kind = self._development(event)
        self.view.put_telling(
            event.originator_id,
            development_id,
            kind,
            event.originator_version,
            _account_row(event.account),
            tracking,
        )

    @process_event.register
    def _(self, event: Development.Retracted, tracking: Tracking) -> None:
        development_id, kind = self._development(event)
        row = {
            "report_id": event.report_id,
            "retraction": True,
            "reason": event.reason,
            "quote": event.quote,
        }
        self.view.put_telling(
            event.originator_id, development_id, kind, event.originator_version, row, tracking
        )

    @process_event.register
    def _(self, event: Development.Voided, tracking: Tracking) -> None:
        development_id, _ = self._development(event)
        self.view.void_telling(development_id, event.voided_version, event.reason, tracking)

    def _development(self, event: Development.Event) -> tuple[str, str]:
        found = self.view.development_by_uuid(event.originator_id)
        if found is None:  # pragma: no cover - the log always has the Reported event first
            msg = f"no development for {event.originator_id}"
            raise LookupError(msg)
        return found

    def _actor_id(self, event: Actor.Event) -> str:
        return self.view.actor_by_uuid(event.originator_id)
