"""Lists of developments of one kind as of D, as known at K: strikes, claims,
statements, plans, issues and meetings, each the latest few with how many there are
(``projections.state_counts`` counts and cuts them in SQL)."""

from __future__ import annotations

from typing import Any

from projections.answers import (
    days_before,
    disputed_item,
    last_reported,
    text_of,
    version_disputed,
    version_fields,
    version_reports,
)
from projections.as_of import AsOf, row_as_of
from projections.stances import stance_rows
from projections.state_counts import CountQueries
from projections.upcoming import is_overdue
from tracker.dates import OPEN_UPPER
from tracker.state import (
    STALE_AFTER_DAYS,
    ClaimSummary,
    IssueSummary,
    PlanSummary,
    StatementSummary,
    StrikeSummary,
)


def meetings_window(
    view: CountQueries, as_of: str, known_at: str, limit: int | None
) -> tuple[int, list[dict[str, Any]]]:
    """Meetings first reported by D, whatever their status, as known at K, each as it
    stood on D (one held after D: as it was before): how many, and the latest
    ``limit`` by when they happened or are planned, oldest first; each says whether it
    is ``overdue`` on D (``projections.upcoming``)."""
    total, rows = view.latest_reported("meeting", as_of, known_at, limit)
    seen = [(row, row_as_of(row, as_of)) for row in rows]
    return total, [
        {
            "id": row["development_id"],
            **meeting.fields,
            "reports": list(version_reports(row)),
            "last_reported": last_reported(row),
            "overdue": is_overdue("meeting", meeting, row["first_known"], as_of),
            **disputed_item(row),
        }
        for row, meeting in seen
    ]


def plans_window(
    view: CountQueries, as_of: str, known_at: str, limit: int | None
) -> tuple[int, list[PlanSummary]]:
    """Plans made by D, as known at K: how many, and the latest ``limit``."""
    total, rows = view.latest_happened("plan", as_of, known_at, limit=limit)
    return total, [plan_summary(row, row_as_of(row, as_of)) for row in reversed(rows)]


def plan_summary(row: dict[str, Any], seen: AsOf) -> PlanSummary:
    fields = seen.fields
    return PlanSummary(
        id=row["development_id"],
        label=fields.get("label"),
        points=fields.get("points"),
        readiness_pct=fields.get("readiness_pct"),
        status=seen.status,
        revisions=row["data"]["revisions"],
        provisions=tuple(fields.get("provisions", ())),
        reports=version_reports(row),
        last_reported=last_reported(row),
        disputed=version_disputed(row),
    )


def issues_window(
    view: CountQueries,
    as_of: str,
    known_at: str,
    limit: int | None,
    status: str | None = None,
    stale_after: int = STALE_AFTER_DAYS,
) -> tuple[int, list[IssueSummary]]:
    """Issues raised by D (with ``status``), as known at K: how many, and the
    latest ``limit``. An open one is ``stale`` when its latest report known at K came
    more than ``stale_after`` days before the earlier of D and K: a report after D
    (known at K) still tells of it, and one not yet known at K cannot be counted on."""
    total, rows = view.latest_happened("issue", as_of, known_at, status=status, limit=limit)
    seen = [(row, row_as_of(row, as_of)) for row in reversed(rows)]
    quiet_since = days_before(min(as_of, known_at), stale_after)
    return total, [
        IssueSummary(
            id=row["development_id"],
            title=issue.fields.get("title"),
            status=issue.status or "",
            positions=dict(issue.fields.get("positions", {})),
            reports=version_reports(row),
            last_reported=last_reported(row),
            stale=issue.status == "open" and row["known_from"] < quiet_since,
            disputed=version_disputed(row),
        )
        for row, issue in seen
    ]


def strikes(
    view: CountQueries, as_of: str, known_at: str, since: str | None, limit: int | None = None
) -> tuple[int, list[StrikeSummary]]:
    """Strikes that happened by D (since ``since``), as known at K: how many, and the
    latest ``limit`` (all without one), newest first."""
    total, rows = view.latest_happened("strike", as_of, known_at, since=since, limit=limit)
    return total, [strike_summary(row) for row in rows]


def claims(
    view: CountQueries, as_of: str, known_at: str, limit: int | None = None
) -> tuple[int, list[ClaimSummary]]:
    """Claims known at the earlier of D and K, whenever made: how many, and the latest
    ``limit`` (all without one), oldest first."""
    # No valid-time bound: every claim's latest possible date is on or before the
    # open upper bound.
    total, rows = view.latest_happened("claim", OPEN_UPPER, min(as_of, known_at), limit=limit)
    return total, [
        ClaimSummary(
            id=row["development_id"],
            subject=row["subject"],
            participants=tuple(version_fields(row).get("participants", ())),
            value=version_fields(row).get("value"),
            claimant=version_fields(row).get("claimant"),
            stance=row["stance"],
            occurred=text_of(version_fields(row).get("occurred")),
            reports=version_reports(row),
            last_reported=last_reported(row),
            about=version_fields(row).get("about"),
            stances=tuple(stance_rows(version_fields(row))),
            disputed=version_disputed(row),
        )
        for row in reversed(rows)
    ]


def statements(
    view: CountQueries, as_of: str, known_at: str, limit: int | None = None
) -> tuple[int, list[StatementSummary]]:
    """Statements made by D, as known at K: how many, and the latest ``limit`` (all
    without one), oldest first."""
    total, rows = view.latest_happened("statement", as_of, known_at, limit=limit)
    return total, [
        StatementSummary(
            id=row["development_id"],
            speaker=version_fields(row).get("speaker"),
            via=tuple(version_fields(row).get("via", ())),
            quote=version_fields(row).get("quote"),
            occurred=text_of(version_fields(row).get("occurred")),
            reports=version_reports(row),
            last_reported=last_reported(row),
            disputed=version_disputed(row),
        )
        for row in reversed(rows)
    ]


def strike_summary(row: dict[str, Any]) -> StrikeSummary:
    fields = version_fields(row)
    return StrikeSummary(
        id=row["development_id"],
        occurred=text_of(fields.get("occurred")),
        target=fields.get("target"),
        by=fields.get("by"),
        weapons=tuple(fields.get("weapons", ())),
        effects=fields.get("effects"),
        reports=version_reports(row),
        last_reported=last_reported(row),
        disputed=version_disputed(row),
    )
