"""Queries over the tracker's view, answered from knowledge-time versions.

Comparisons are conservative: a development counts as having happened by D only if its
latest possible date is on or before D; what only possibly happened is listed apart.

The state is counted and windowed in SQL (``projections.state_counts``): its counts
are exact, and each of its lists holds at most ``STATE_LIST_LIMIT`` items with the
total beside it, so its time and size do not grow with the log. Each topic's answers
are assembled in the module beside its SQL; ``Queries`` gathers them for the callers.
"""

from __future__ import annotations

from typing import Any

from projections import calls, changes, development_lists, history, kind_lists, upcoming
from projections.answers import days_before
from projections.view import TrackerViewBase
from tracker.state import (
    STALE_AFTER_DAYS,
    CallGroup,
    Changes,
    ClaimSummary,
    History,
    IssueSummary,
    PlanSummary,
    Sources,
    State,
    StatementSummary,
    StrikeSummary,
    Upcoming,
)

STRIKE_WINDOW_DAYS = 30
# The most items a list in a state holds: the latest (or soonest) ones.
STATE_LIST_LIMIT = 20


class Queries:
    def __init__(self, view: TrackerViewBase, application_name: str) -> None:
        self.view = view
        self.application_name = application_name

    def state(
        self,
        as_of: str,
        known_at: str,
        since: str | None = None,
        limit: int | None = STATE_LIST_LIMIT,
        stale_after: int = STALE_AFTER_DAYS,
    ) -> State:
        strikes_since = since or days_before(as_of, STRIKE_WINDOW_DAYS)
        view = self.view
        with view.snapshot():  # one read transaction: every figure from the same view
            position = view.position(self.application_name)
            calls_total, groups = self.call_groups_window(as_of, known_at, limit)
            (next_total, next_meetings), (overdue_total, overdue) = self.next_and_overdue(
                as_of, known_at, limit
            )
            plans_total, plans = self.plans_window(as_of, known_at, limit)
            issues_total, issues = self.issues_window(
                as_of, known_at, limit, status="open", stale_after=stale_after
            )
            strike_count = view.count_happened("strike", as_of, known_at)
            strikes_total, strikes = view.latest_happened(
                "strike", as_of, known_at, since=strikes_since, limit=limit
            )
            possible_calls = view.possibly_happened(
                "call", as_of, known_at, status="held", limit=limit
            )
            possible_strikes = view.possibly_happened("strike", as_of, known_at, limit=limit)
            possible_reports = view.reports_possibly_known(known_at, limit)
            listed = kind_lists.kind_lists(view, as_of, known_at, limit)
        return State(
            as_of=as_of,
            known_at=known_at,
            position=position,
            list_limit=limit,
            calls=tuple(groups),
            calls_total=calls_total,
            next_meetings=tuple(next_meetings),
            next_meetings_total=next_total,
            overdue=tuple(overdue),
            overdue_total=overdue_total,
            plans=tuple(plans),
            plans_total=plans_total,
            open_issues=tuple(issues),
            open_issues_total=issues_total,
            strike_count=strike_count,
            strikes_since=strikes_since,
            strikes=tuple(development_lists.strike_summary(row) for row in strikes),
            strikes_total=strikes_total,
            possible={
                # Oldest first, as the lists of calls are.
                "calls": tuple(row["development_id"] for row in reversed(possible_calls[1])),
                "strikes": tuple(row["development_id"] for row in reversed(possible_strikes[1])),
                "reports": tuple(possible_reports[1]),
            },
            possible_total={
                "calls": possible_calls[0],
                "strikes": possible_strikes[0],
                "reports": possible_reports[0],
            },
            listed=listed,
        )

    def call_groups(self, as_of: str, known_at: str) -> list[CallGroup]:
        """Held calls per set of participants: how many certainly happened by D, which
        only possibly did, and the latest claimed count beside them."""
        return self.call_groups_window(as_of, known_at, None)[1]

    def call_groups_window(
        self, as_of: str, known_at: str, limit: int | None
    ) -> tuple[int, list[CallGroup]]:
        return calls.call_groups_window(self.view, as_of, known_at, limit)

    def upcoming(self, as_of: str, known_at: str) -> list[Upcoming]:
        """Meetings and calls still ahead on D that were known of by D, soonest first.

        Ahead means proposed or scheduled meetings and planned calls whose planned date
        is on or after D (undated ones only if first reported in the month up to D),
        and meetings or calls that were held after D but first reported by D: on D
        they were still to come.
        """
        return self.upcoming_window(as_of, known_at, None)[1]

    def upcoming_window(
        self, as_of: str, known_at: str, limit: int | None
    ) -> tuple[int, list[Upcoming]]:
        return upcoming.upcoming_window(self.view, as_of, known_at, limit)

    def next_and_overdue(
        self, as_of: str, known_at: str, limit: int | None
    ) -> tuple[tuple[int, list[Upcoming]], tuple[int, list[Upcoming]]]:
        """What is ahead on D and what is overdue on D (``projections.upcoming``)."""
        return upcoming.next_and_overdue(self.view, as_of, known_at, limit)

    def meetings_window(
        self, as_of: str, known_at: str, limit: int | None
    ) -> tuple[int, list[dict[str, Any]]]:
        return development_lists.meetings_window(self.view, as_of, known_at, limit)

    def plans(self, as_of: str, known_at: str) -> list[PlanSummary]:
        return self.plans_window(as_of, known_at, None)[1]

    def plans_window(
        self, as_of: str, known_at: str, limit: int | None
    ) -> tuple[int, list[PlanSummary]]:
        return development_lists.plans_window(self.view, as_of, known_at, limit)

    def issues(
        self, as_of: str, known_at: str, stale_after: int = STALE_AFTER_DAYS
    ) -> list[IssueSummary]:
        return self.issues_window(as_of, known_at, None, stale_after=stale_after)[1]

    def issues_window(
        self,
        as_of: str,
        known_at: str,
        limit: int | None,
        status: str | None = None,
        stale_after: int = STALE_AFTER_DAYS,
    ) -> tuple[int, list[IssueSummary]]:
        return development_lists.issues_window(
            self.view, as_of, known_at, limit, status, stale_after
        )

    def strikes(
        self, as_of: str, known_at: str, since: str | None, limit: int | None = None
    ) -> tuple[int, list[StrikeSummary]]:
        return development_lists.strikes(self.view, as_of, known_at, since, limit)

    def claims(
        self, as_of: str, known_at: str, limit: int | None = None
    ) -> tuple[int, list[ClaimSummary]]:
        return development_lists.claims(self.view, as_of, known_at, limit)

    def statements(
        self, as_of: str, known_at: str, limit: int | None = None
    ) -> tuple[int, list[StatementSummary]]:
        return development_lists.statements(self.view, as_of, known_at, limit)

    def kind_window(
        self, kind: str, as_of: str, known_at: str, limit: int | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """The list of a type without a query of its own (``tracker ceasefires``)."""
        return kind_lists.kind_window(self.view, kind, as_of, known_at, limit)

    def history(self, development_id: str, graded_by: str) -> History | None:
        return history.history(self.view, development_id, graded_by)

    def sources(self, development_id: str, graded_by: str) -> Sources | None:
        return history.sources(self.view, development_id, graded_by)

    def changes(self, known_from: str, known_to: str, as_of: str | None = None) -> Changes:
        return changes.changes(self.view, known_from, known_to, as_of)
