"""The projection that feeds the tracker's view from the log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from projections.event_rows import PageRows, add_to_page
from projections.page import Page
from projections.view import PROJECTION_NAME, TrackerViewBase


class TrackerProjection(Projection[TrackerViewBase]):
    """Each event becomes entries of a Page of view changes: one event at a time for the
    library's ProjectionRunner (``process_event``), a run of events at once for the
    CLI's catch-up and rebuild (``process_page``). Both write through the same code."""

    name = PROJECTION_NAME

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        page = Page()
        add_to_page(domain_event, page, tracking.notification_id)
        self.view.write_page(page, tracking)

    def process_page(self, events: Sequence[tuple[Any, Tracking]]) -> None:
        """Apply a run of consecutive events at once (inside the view's ``page``)."""
        if not events:
            return
        page = Page()
        rows = PageRows(page)
        for event, tracking in events:
            rows.position = tracking.notification_id
            rows.visit(event)
        self.view.apply_page(page)
        self.view.track(events[-1][1])
