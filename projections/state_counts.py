"""The state's counts and windows, made in SQL: how many developments of a kind happened
(or possibly happened) by D as known at K, and the latest of them, cut to a limit.

A state reads only the versions that hold at K and stand (STANDING_AT) and applies
the conservative rules of ``projections.queries`` to valid time: a development happened
by D if its latest possible date is on or before D, and only possibly if D falls inside
its dates' span. Counts are made in SQL and lists come back cut to a limit, so that
neither time nor memory grows with every row of a kind; each query has an index in
``projections.schema.SCHEMA`` holding the columns it filters on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from projections.schema import (
    COUNTED,
    COUNTED_KINDS,
    REPORT_DATE_UNCERTAIN,
    SETTLED,
    SPAN_ACROSS_MONTHS,
    SPAN_WITHIN_A_MONTH,
    SPANNED,
    SPANNED_KINDS,
    STANDING_AT,
    SUPERSEDED_ACROSS_MONTHS,
    SUPERSEDED_WITHIN_A_MONTH,
    UNSETTLED,
    on_table,
)
from projections.versions import VersionQueries
from projections.view_transactions import Statements, limit_clause

# The last days of a window of strikes, where its latest are looked for first.
RECENT_DAYS = 3


def _counted_latest(
    c: Statements, source: str, params: Sequence[Any], columns: str, limit: int | None
) -> tuple[int, list[Any]]:
    """How many rows ``source`` (a table and its condition, or a subquery) holds, and
    ``columns`` of the latest ``limit`` of them by sort key, then id, newest first."""
    c.execute(f"SELECT COUNT(*) AS n FROM {source}", params)  # noqa: S608 - callers' SQL
    total = int(c.fetchone()["n"])
    c.execute(
        f"SELECT {columns} FROM {source}"  # noqa: S608 - callers' SQL
        f" ORDER BY sort_key DESC, development_id DESC{limit_clause(limit)}",
        params,
    )
    return total, c.fetchall()


def shifted_day(day: str, days: int) -> str:
    """The day ``days`` after ``day`` (before, if negative), or a string beyond every
    day at the calendar's ends."""
    try:
        return (date.fromisoformat(day) + timedelta(days=days)).isoformat()
    except (OverflowError, ValueError):
        return "99999" if days > 0 else "0000"


def sort_key_bound(day: str) -> str:
    """A bound above the sort key of anything dated by ``day``: a sort key is the UTC
    instant of a date with a time of day, which may fall on the day after its local
    date, so two days after."""
    return shifted_day(day, 2)


class CountQueries(VersionQueries):
    """Counts and the latest few of a kind, by valid and knowledge time."""

    def count_happened(self, kind: str, as_of: str, known_at: str) -> int:
        """How many developments of a kind certainly happened by D, as known at K.

        A count walks every index entry it counts, so the versions are counted in
        parts chosen so that most entries need no test. A current version whose dates
        ended by the time it became known (SETTLED, most of them) happened by D if it
        became known by D: those are a range count on ``known_from`` alone up to the
        earlier of D and K, plus, when D is before K, the few that became known between
        D and K, tested one by one. The other current versions are few; so are the
        superseded versions holding at K, read from the first day of K's month when
        their interval lies within a month, and from K on when it does not. The
        indexes hold the ``COUNTED_KINDS`` only; another kind is counted as
        ``latest_happened`` counts it.
        """
        if kind not in COUNTED_KINDS:
            return self.latest_happened(kind, as_of, known_at, limit=0)[0]

        def count(index: str, condition: str, terms: str) -> str:
            return (
                f"(SELECT COUNT(*) FROM versions{self._using(index)}"  # noqa: S608
                f" WHERE kind = ? AND {on_table(COUNTED)} AND {on_table(condition)} AND {terms})"
            )

        known_by = min(as_of, known_at)
        parts = [
            (count("versions_settled", SETTLED, "known_from <= ?"), (kind, known_by)),
            (
                count("versions_unsettled", UNSETTLED, "known_from <= ? AND occurred_upper <= ?"),
                (kind, known_at, as_of),
            ),
            (
                count(
                    "versions_superseded_within_a_month",
                    SUPERSEDED_WITHIN_A_MONTH,
                    "known_from >= ? AND known_from <= ? AND ? < known_until"
                    " AND occurred_upper <= ?",
                ),
                (kind, f"{known_at[:7]}-01", known_at, known_at, as_of),
            ),
            (
                count(
                    "versions_superseded_across_months",
                    SUPERSEDED_ACROSS_MONTHS,
                    "? < known_until AND known_from <= ? AND occurred_upper <= ?",
                ),
                (kind, known_at, known_at, as_of),
            ),
        ]
        if as_of < known_at:
            parts.append(
                (
                    count(
                        "versions_settled",
                        SETTLED,
                        "known_from > ? AND known_from <= ? AND occurred_upper <= ?",
                    ),
                    (kind, as_of, known_at, as_of),
                )
            )
        with self._reading() as c:
            c.execute(
                "SELECT " + " + ".join(sql for sql, _ in parts) + " AS n",
                [param for _, params in parts for param in params],
            )
            return int(c.fetchone()["n"])

    def latest_happened(
        self,
        kind: str,
        as_of: str,
        known_at: str,
        *,
        since: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        """Developments of a kind that certainly happened by D (and not before ``since``,
        and with ``status``), as known at K: how many, and the latest ``limit`` of them
        (all without a limit), newest first, with their data."""

        def conditions(first: str | None) -> tuple[str, list[Any]]:
            where = f"kind = ? AND {on_table(STANDING_AT)} AND occurred_upper <= ?"
            if by_valid_time:
                where += f" AND {on_table(COUNTED)}"
            params: list[Any] = [kind, known_at, known_at, as_of]
            if first is not None:
                where += " AND occurred_upper >= ?"
                params.append(first)
            if status is not None:
                where += " AND status = ?"
                params.append(status)
            return where, params

        # A window of a counted kind is read by valid time; anything else, by knowledge
        # time.
        by_valid_time = since is not None and kind in COUNTED_KINDS
        versions = "versions" + self._using(
            "versions_by_valid_time" if by_valid_time else "versions_by_kind"
        )

        def latest_keys(c: Statements, first: str | None) -> list[Any]:
            where, params = conditions(first)
            c.execute(
                f"SELECT development_id, known_from, sort_key FROM {versions}"  # noqa: S608
                f" WHERE {where}"
                f" ORDER BY sort_key DESC, development_id DESC{limit_clause(limit)}",
                params,
            )
            return c.fetchall()

        with self._reading() as c:
            where, params = conditions(since)
            c.execute(f"SELECT COUNT(*) AS n FROM {versions} WHERE {where}", params)  # noqa: S608
            total = int(c.fetchone()["n"])
            keys = None
            if since is not None and limit is not None and total > limit:
                # The latest by sort key are nearly always among those dated in the last
                # few days: read those first. A sort key comes before two days after its
                # latest possible date, so nothing dated before two days before the
                # limit-th's sort key can come before it.
                recent = max(since, shifted_day(as_of, -RECENT_DAYS))
                keys = latest_keys(c, recent)
                if len(keys) < limit:
                    keys = None
                else:
                    floor = max(since, shifted_day(keys[-1]["sort_key"][:10], -2))
                    if floor < recent:
                        keys = latest_keys(c, floor)
            if keys is None:
                keys = latest_keys(c, since)
            # The data only for those, each by its key (a development may have many
            # versions: a plan revised a hundred times).
            found = self.versions_at([(row["development_id"], row["known_from"]) for row in keys])
        return total, [found[row["development_id"], row["known_from"]] for row in keys]

    def latest_reported(
        self, kind: str, reported_by: str, known_at: str, limit: int | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """Developments of a kind first reported by ``reported_by``, whatever their
        status, as known at K: how many, and the last ``limit`` of them by when they
        happened or are planned (sort key, then id; all without a limit), in that
        order, with their data."""
        where = f"kind = ? AND {on_table(STANDING_AT)} AND first_known <= ?"
        params = [kind, known_at, known_at, reported_by]
        versions = "versions" + self._using("versions_by_kind")
        with self._reading() as c:
            total, rows = _counted_latest(
                c, f"{versions} WHERE {where}", params, "development_id, known_from", limit
            )
            keys = [(row["development_id"], row["known_from"]) for row in rows]
            found = self.versions_at(keys)
        return total, [found[key] for key in reversed(keys)]

    def possibly_happened(
        self,
        kind: str,
        as_of: str,
        known_at: str,
        *,
        status: str | None = None,
        limit: int | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        """Developments of a kind (with ``status``) that possibly but not certainly
        happened by D, as known at K: how many, and the latest ``limit`` of them (all
        without a limit), newest first; only ``development_id``, ``participants`` and
        ``sort_key`` of each.

        Only a span of days can hold D without ending by it. A span within one calendar
        month must then start in D's month, so the index ``versions_within_a_month``
        is read from that month's first day to D; the other spans (across a month's
        end, or open) are few, and ``versions_across_months`` is read from D on. Both
        hold the ``SPANNED_KINDS`` only; another kind is read through
        ``versions_by_kind``.
        """
        status_term = "" if status is None else " AND status = ?"
        status_params = () if status is None else (status,)
        if kind in SPANNED_KINDS:
            within, across = (
                self._using("versions_within_a_month"),
                self._using("versions_across_months"),
            )
            status_term += f" AND {on_table(SPANNED)}"
        else:
            within = across = self._using("versions_by_kind")
        union = (
            "SELECT development_id, participants, sort_key"  # noqa: S608
            f" FROM versions{within}"
            f" WHERE kind = ?{status_term} AND {on_table(STANDING_AT)}"
            f" AND {on_table(SPAN_WITHIN_A_MONTH)}"
            " AND occurred_lower >= ? AND occurred_lower <= ? AND ? < occurred_upper"
            " UNION ALL SELECT development_id, participants, sort_key"
            f" FROM versions{across}"
            f" WHERE kind = ?{status_term} AND {on_table(STANDING_AT)}"
            f" AND {on_table(SPAN_ACROSS_MONTHS)}"
            " AND ? < occurred_upper AND occurred_lower <= ?"
        )
        params = (
            *(kind, *status_params, known_at, known_at, f"{as_of[:7]}-01", as_of, as_of),
            *(kind, *status_params, known_at, known_at, as_of, as_of),
        )
        with self._reading() as c:
            total, rows = _counted_latest(c, f"({union}) AS possible", params, "*", limit)
            return total, [dict(row) for row in rows]

    def reports_possibly_known(
        self, known_at: str, limit: int | None = None
    ) -> tuple[int, list[str]]:
        """Reports that may have been published by ``known_at`` but not certainly: how
        many, and the first ``limit`` of them by id (all without a limit)."""
        where = (
            f" FROM reports{self._using('reports_of_uncertain_date')}"
            f" WHERE {REPORT_DATE_UNCERTAIN}"
            " AND published_lower <= ? AND ? < published_upper"
        )
        with self._reading() as c:
            c.execute(f"SELECT COUNT(*) AS n{where}", (known_at, known_at))
            total = int(c.fetchone()["n"])
            c.execute(
                f"SELECT report_id{where} ORDER BY report_id{limit_clause(limit)}",
                (known_at, known_at),
            )
            return total, [row["report_id"] for row in c.fetchall()]
