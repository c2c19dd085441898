"""The projection that feeds the tracker's view from the log."""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatchmethod
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from projections.view import Page, TrackerViewBase
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


def _report_row(event: Report.Registered, position: int) -> tuple[Any, ...]:
    published = event.published
    return (
        event.report_id,
        event.outlet,
        published.text,
        published.lower,
        published.upper,
        event.title,
        event.url,
        event.sha256,
        event.note,
        position,
    )


def _retraction_row(event: Development.Retracted) -> dict[str, Any]:
    return {
        "report_id": event.report_id,
        "retraction": True,
        "reason": event.reason,
        "quote": event.quote,
    }


class TrackerProjection(Projection[TrackerViewBase]):
    name = "tracker_views"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.skip(tracking)

    @process_event.register
    def _(self, event: Report.Registered, tracking: Tracking) -> None:
        self.view.put_report(_report_row(event, tracking.notification_id), tracking)

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
        row = _retraction_row(event)
        self.view.put_telling(
            event.originator_id, development_id, kind, event.originator_version, row, tracking
        )

    @process_event.register
    def _(self, event: Development.Voided, tracking: Tracking) -> None:
        development_id, _ = self._development(event)
        self.view.void_telling(development_id, event.voided_version, event.reason, tracking)

    def process_page(self, events: Sequence[tuple[Any, Tracking]]) -> None:
        """Apply a run of consecutive events at once (inside the view's ``page``): the
        same result as ``process_event`` on each, in a few bulk statements."""
        if not events:
            return
        page = Page()
        for event, tracking in events:
            position = tracking.notification_id
            if isinstance(event, Report.Registered):
                page.reports.append(_report_row(event, position))
            elif isinstance(event, Actor.Registered):
                page.actors.append(
                    (
                        event.originator_id,
                        event.actor_id,
                        event.name,
                        event.role,
                        tuple(event.aliases),
                        position,
                    )
                )
            elif isinstance(event, Actor.AliasesAdded):
                page.alias_additions.append((event.originator_id, tuple(event.aliases)))
            elif isinstance(event, Development.Reported):
                page.developments.append(
                    (event.originator_id, event.development_id, event.kind, position)
                )
                page.tellings.append(
                    (event.originator_id, 1, position, _account_row(event.account))
                )
            elif isinstance(event, Development.Retold):
                page.tellings.append(
                    (
                        event.originator_id,
                        event.originator_version,
                        position,
                        _account_row(event.account),
                    )
                )
            elif isinstance(event, Development.Retracted):
                page.tellings.append(
                    (
                        event.originator_id,
                        event.originator_version,
                        position,
                        _retraction_row(event),
                    )
                )
            elif isinstance(event, Development.Voided):
                page.voids.append(
                    (event.originator_id, event.voided_version, position, event.reason)
                )
        self.view.apply_page(page)
        self.view.track(events[-1][1])

    def _development(self, event: Development.Event) -> tuple[str, str]:
        found = self.view.development_by_uuid(event.originator_id)
        if found is None:  # pragma: no cover - the log always has the Reported event first
            msg = f"no development for {event.originator_id}"
            raise LookupError(msg)
        return found

    def _actor_id(self, event: Actor.Event) -> str:
        return self.view.actor_by_uuid(event.originator_id)
