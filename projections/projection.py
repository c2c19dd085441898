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
    """Each event becomes entries of a Page of view changes: one event at a time for the
    library's ProjectionRunner (``process_event``), a run of events at once for the
    CLI's catch-up and rebuild (``process_page``). Both write through the same code."""

    name = "tracker_views"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        page = Page()
        self.add_to_page(domain_event, page, tracking.notification_id)
        self.view.write_page(page, tracking)

    def process_page(self, events: Sequence[tuple[Any, Tracking]]) -> None:
        """Apply a run of consecutive events at once (inside the view's ``page``)."""
        if not events:
            return
        page = Page()
        for event, tracking in events:
            self.add_to_page(event, page, tracking.notification_id)
        self.view.apply_page(page)
        self.view.track(events[-1][1])

    @singledispatchmethod
    def add_to_page(self, domain_event: Any, page: Page, position: int) -> None:
        """Events that change no view (none yet) are only tracked."""

    @add_to_page.register
    def _(self, event: Report.Registered, page: Page, position: int) -> None:
        page.reports.append(_report_row(event, position))

    @add_to_page.register
    def _(self, event: Actor.Registered, page: Page, position: int) -> None:
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

    @add_to_page.register
    def _(self, event: Actor.AliasesAdded, page: Page, position: int) -> None:
        page.alias_additions.append((event.originator_id, tuple(event.aliases)))

    @add_to_page.register
    def _(self, event: Development.Reported, page: Page, position: int) -> None:
        page.developments.append((event.originator_id, event.development_id, event.kind, position))
        page.tellings.append((event.originator_id, 1, position, _account_row(event.account)))

    @add_to_page.register
    def _(self, event: Development.Retold, page: Page, position: int) -> None:
        page.tellings.append(
            (event.originator_id, event.originator_version, position, _account_row(event.account))
        )

    @add_to_page.register
    def _(self, event: Development.Retracted, page: Page, position: int) -> None:
        page.tellings.append(
            (event.originator_id, event.originator_version, position, _retraction_row(event))
        )

    @add_to_page.register
    def _(self, event: Development.Voided, page: Page, position: int) -> None:
        page.voids.append((event.originator_id, event.voided_version, position, event.reason))
