"""Meetings and calls still ahead on D, and those overdue on D: the candidates read in
SQL from the partial indexes ``versions_planned`` and ``versions_told_ahead``, ordered
soonest first (the overdue ones by when they fell due).

Overdue: proposed, scheduled or planned as of D, known of by D, and no longer ahead,
as no report tells of it held: its planned day (or the last day of its planned window)
is before D, or, undated, it was first reported more than ``UNDATED_UPCOMING_DAYS``
before D. What leaves the next meetings while still planned is listed as overdue: it
never vanishes without a word."""

from __future__ import annotations

from typing import Any

import attrs

from projections.answers import (
    days_before,
    last_reported,
    text_of,
    version_disputed,
    version_reports,
)
from projections.as_of import AsOf, fields_as_of, row_as_of
from projections.folding import planned_date
from projections.schema import (
    AHEAD,
    AHEAD_KINDS,
    PLANNED_STATUS,
    STANDING_AT,
    TOLD_BEFORE_IT_HAPPENED,
    on_table,
)
from projections.state_counts import shifted_day
from projections.versions import VersionQueries
from projections.view_transactions import limit_clause
from tracker.kinds import KINDS, UPCOMING_STATUSES, may_be_ahead
from tracker.state import Upcoming

UNDATED_UPCOMING_DAYS = 30
# The statuses of the types that may be ahead which take effect when they happened
# (held): one of them after D may have been ahead on D.
HAPPENED_AHEAD = tuple(sorted({status for kind in AHEAD_KINDS for status in KINDS[kind].happened}))


class UpcomingQueries(VersionQueries):
    """The meetings and calls that may be ahead on D."""

    def upcoming_candidates(
        self, as_of: str, known_at: str, undated_since: str
    ) -> list[dict[str, Any]]:
        """Meetings and calls known of by D that may still be ahead on D, as known at K
        (their keys and dates; ``upcoming_window`` orders them): proposed, scheduled
        or planned ones dated on or after D, or undated and first reported from
        ``undated_since`` to D, and held ones that happened after D but were first reported by D."""
        columns = (
            "SELECT development_id, known_from, kind, status, planned_lower, sort_key,"
            " first_known FROM versions"
        )
        planned = f"{self._using('versions_planned')} WHERE {on_table(AHEAD)}"
        planned += f" AND {on_table(PLANNED_STATUS)}"
        told_ahead = f"{self._using('versions_told_ahead')} WHERE {on_table(AHEAD)}"
        marks = ",".join("?" * len(HAPPENED_AHEAD))
        with self._reading() as c:
            c.execute(
                f"{columns}{planned} AND {on_table(STANDING_AT)}"
                " AND planned_upper >= ? AND first_known <= ?"
                f" UNION ALL {columns}{planned} AND {on_table(STANDING_AT)}"
                " AND planned_upper IS NULL AND first_known >= ? AND first_known <= ?"
                f" UNION ALL {columns}{told_ahead} AND status IN ({marks})"
                f" AND {on_table(TOLD_BEFORE_IT_HAPPENED)}"
                f" AND {on_table(STANDING_AT)} AND occurred_lower > ? AND first_known <= ?",
                (
                    *(known_at, known_at, as_of, as_of),
                    *(known_at, known_at, undated_since, as_of),
                    *(*HAPPENED_AHEAD, known_at, known_at, as_of, as_of),
                ),
            )
            return [dict(row) for row in c.fetchall()]

    def overdue_candidates(
        self, as_of: str, known_at: str, undated_since: str, limit: int | None
    ) -> tuple[int, list[dict[str, Any]]]:
        """Proposed, scheduled or planned meetings and calls known of by D, as known at
        K, whose planned date ended before D, or undated and first reported before
        ``undated_since``: how many, and the ``limit`` that fell due last of each (all
        without a limit), with their keys and dates. (Held ones that happened after D
        come from ``upcoming_candidates``.)"""
        columns = (
            "SELECT development_id, known_from, kind, status, planned_lower, planned_upper,"
            " sort_key, first_known FROM versions"
        )
        planned = f"{self._using('versions_planned')} WHERE {on_table(AHEAD)}"
        planned += f" AND {on_table(PLANNED_STATUS)} AND {on_table(STANDING_AT)}"
        dated = f"{planned} AND planned_upper < ? AND first_known <= ?"
        undated = f"{planned} AND planned_upper IS NULL AND first_known < ?"
        parts = (
            (dated, (known_at, known_at, as_of, as_of), "planned_upper"),
            (undated, (known_at, known_at, undated_since), "first_known"),
        )
        total = 0
        found: list[dict[str, Any]] = []
        with self._reading() as c:
            for where, params, due in parts:
                c.execute(f"SELECT COUNT(*) AS n FROM versions{where}", params)  # noqa: S608
                total += int(c.fetchone()["n"])
                c.execute(
                    f"{columns}{where} ORDER BY {due} DESC, development_id DESC"
                    f"{limit_clause(limit)}",
                    params,
                )
                found.extend(dict(row) for row in c.fetchall())
        return total, found


def overdue_since(planned: Any, first_known: str) -> str:
    """The day a planned meeting or call fell due: the last day of its planned date,
    or, undated, when it had gone ``UNDATED_UPCOMING_DAYS`` since its first report."""
    if planned is None:
        return shifted_day(first_known, UNDATED_UPCOMING_DAYS)
    return str(planned["upper"])


def upcoming_window(
    view: UpcomingQueries, as_of: str, known_at: str, limit: int | None
) -> tuple[int, list[Upcoming]]:
    """How many meetings and calls are still ahead on D (see ``Queries.upcoming``), and the
    soonest ``limit`` of them (all without a limit)."""
    return next_and_overdue(view, as_of, known_at, limit)[0]


def next_and_overdue(
    view: UpcomingQueries, as_of: str, known_at: str, limit: int | None
) -> tuple[tuple[int, list[Upcoming]], tuple[int, list[Upcoming]]]:
    """What is still ahead on D, soonest first, and what is overdue on D, in the order
    they fell due: how many of each, and ``limit`` of each (the soonest ahead, the
    latest due; all without a limit)."""
    undated_since = days_before(as_of, UNDATED_UPCOMING_DAYS)
    keyed: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    late: list[tuple[tuple[str, str], dict[str, Any]]] = []
    with view.snapshot():
        candidates = view.upcoming_candidates(as_of, known_at, undated_since)
        # One held after D reads as it stood before (``as_of``): its status then, and
        # its planned date, decide whether it was ahead and when.
        held = view.versions_at(
            [(row["development_id"], row["known_from"]) for row in candidates if _held(row)]
        )
        for row in candidates:
            lower = row["planned_lower"]
            instant = row["sort_key"] if row["sort_key"] != lower else "T24"
            if _held(row):
                before = row_as_of(held[row["development_id"], row["known_from"]], as_of)
                planned = planned_date(row["kind"], before.fields)
                if before.status not in UPCOMING_STATUSES:
                    continue
                if not _ahead(planned, as_of, row["first_known"], undated_since):
                    # Held after D, but its day had passed by D: overdue then.
                    late.append(
                        ((overdue_since(planned, row["first_known"]), row["development_id"]), row)
                    )
                    continue
                lower = planned["lower"] if planned else None
                instant = (planned or {}).get("instant") or "T24"
            # Dated first, by day and then time (a day without a time after the
            # timed ones of that day); undated last, by when they were first
            # reported. A dated version's sort key is its date's instant, if timed.
            if lower is not None:
                key: tuple[Any, ...] = (0, lower, instant, row["development_id"])
            else:
                key = (1, row["first_known"], "", row["development_id"])
            keyed.append((key, row))
        keyed.sort(key=lambda pair: pair[0])
        soonest = [row for _, row in keyed[:limit]]
        # Held after D but due before it (above), and those still planned now.
        overdue_total = len(late)
        still_planned, overdue = view.overdue_candidates(as_of, known_at, undated_since, limit)
        overdue_total += still_planned
        late.extend(
            ((overdue_since(_planned_bounds(row), row["first_known"]), row["development_id"]), row)
            for row in overdue
        )
        late.sort(key=lambda pair: pair[0])
        latest_due = [
            row for _, row in (late if limit is None else late[max(0, len(late) - limit) :])
        ]
        versions = view.versions_of(
            [row["development_id"] for row in [*soonest, *latest_due]],
            known_at,
            columns=("known_from",),
        )
    ahead = [upcoming_summary(row, versions[row["development_id"]], as_of) for row in soonest]
    due = [
        attrs.evolve(upcoming_summary(row, versions[row["development_id"]], as_of), overdue=True)
        for row in latest_due
    ]
    return (len(keyed), ahead), (overdue_total, due)


def _planned_bounds(row: dict[str, Any]) -> dict[str, str] | None:
    """A candidate row's planned date, as its bounds (None when undated)."""
    if row["planned_upper"] is None:
        return None
    return {"lower": row["planned_lower"], "upper": row["planned_upper"]}


def is_overdue(kind: str, seen: AsOf, first_known: str, as_of: str) -> bool:
    """Whether a meeting or call as it stood on D (``seen``) is overdue on D: still
    proposed, scheduled or planned, known of by D, and no longer ahead (the rule of
    this module's docstring, which the SQL above reads from the version rows)."""
    if seen.status not in UPCOMING_STATUSES or first_known > as_of or not may_be_ahead(kind):
        return False
    undated_since = days_before(as_of, UNDATED_UPCOMING_DAYS)
    return not _ahead(planned_date(kind, seen.fields), as_of, first_known, undated_since)


def _held(row: dict[str, Any]) -> bool:
    return row["status"] not in UPCOMING_STATUSES


def _ahead(planned: Any, as_of: str, first_known: str, undated_since: str) -> bool:
    """Whether something planned for ``planned`` is ahead on D, as the candidates' SQL
    reads a planned one: dated on or after D, or undated and first reported lately."""
    if planned is None:
        return undated_since <= first_known
    return bool(planned["upper"] >= as_of)


def upcoming_summary(candidate: dict[str, Any], version: dict[str, Any], as_of: str) -> Upcoming:
    """A meeting or call ahead on D, from its candidate row and its version's data, as
    it stood on D (one held after D: as it was before)."""
    kind = candidate["kind"]
    seen = fields_as_of(kind, version["data"], as_of)
    fields = seen.fields
    return Upcoming(
        id=candidate["development_id"],
        kind=kind,
        participants=tuple(fields.get("participants", ())),
        status=seen.status or "",
        planned=text_of(planned_date(kind, fields)),
        place=fields.get("place"),
        reports=version_reports(version),
        last_reported=last_reported(version),
        disputed=version_disputed(version),
    )
