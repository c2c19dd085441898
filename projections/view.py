"""The tracker's materialised view: SQL tables in the store's own database, updated
in the same transaction as the tracking record of the event that changed them, so a
replay is idempotent and a crash never leaves a half-applied event.

The SQL is written once, with ``?`` placeholders, for both backends: ``TrackerView``
is the SQLite tracking recorder, ``projections.postgres_view`` the PostgreSQL one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.sqlite import SQLiteCursor, SQLiteTrackingRecorder

from projections.schema import (
    ACCOUNT_COLUMNS,
    AHEAD,
    CALL_COUNT_CLAIM,
    CALL_OR_CALL_COUNT,
    COUNTED,
    COUNTED_KINDS,
    HELD_CALL,
    KEY_INDEXES,
    PLANNED_STATUS,
    PROJECTION_NAME,
    QUERY_INDEXES,
    REPORT_DATE_UNCERTAIN,
    SCHEMA,
    SETTLED,
    SPAN_ACROSS_MONTHS,
    SPAN_WITHIN_A_MONTH,
    SPANNED,
    SPANNED_KINDS,
    STANDING_AT,
    SUPERSEDED_ACROSS_MONTHS,
    SUPERSEDED_WITHIN_A_MONTH,
    TABLE_KEYS,
    TOLD_BEFORE_IT_HAPPENED,
    UNSETTLED,
    VERSIONS_KEY,
    VIEW_TABLES,
    on_table,
)
from projections.view_transactions import Statements, decoded_versions, limit_clause, with_account
from projections.view_writes import ViewWrites
from tracker.chunks import IN_LIST, chunks
from tracker.names import alias_key
from tracker.recorders import bulk_cache, sorting_cache

# Names other modules import from here, the view's own module.
__all__ = [
    "ACCOUNT_COLUMNS",
    "KEY_INDEXES",
    "PROJECTION_NAME",
    "QUERY_INDEXES",
    "SCHEMA",
    "TABLE_KEYS",
    "VIEW_TABLES",
    "Statements",
    "TrackerView",
    "TrackerViewBase",
]


# The last days of a window of strikes, where its latest are looked for first.
RECENT_DAYS = 3

# An OFFSET past any list: "no limit" for a query that takes the limit-th item.
UNLIMITED = 2**62


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


def _shifted(day: str, days: int) -> str:
    """The day ``days`` after ``day`` (before, if negative), or a string beyond every
    day at the calendar's ends."""
    try:
        return (date.fromisoformat(day) + timedelta(days=days)).isoformat()
    except (OverflowError, ValueError):
        return "99999" if days > 0 else "0000"


def _sort_key_bound(day: str) -> str:
    """A bound above the sort key of anything dated by ``day``: a sort key is the UTC
    instant of a date with a time of day, which may fall on the day after its local
    date, so two days after."""
    return _shifted(day, 2)


class TrackerViewBase(ViewWrites):
    """Tables of reports, actors, tellings and knowledge-time versions of developments.

    Mixed into a backend's tracking recorder, whose ``datastore``, ``_insert_tracking``
    and ``max_tracking_id`` it uses.
    """

    def resolve_actor(self, name: str) -> str | None:
        with self._reading() as c:
            c.execute("SELECT actor_id FROM actor_aliases WHERE alias_key=?", (alias_key(name),))
            row = c.fetchone()
        return None if row is None else str(row["actor_id"])

    def all_aliases(self) -> list[tuple[str, str]]:
        with self._reading() as c:
            c.execute("SELECT alias, actor_id FROM actor_aliases ORDER BY alias_key")
            return [(row["alias"], row["actor_id"]) for row in c.fetchall()]

    def actors(self) -> list[dict[str, Any]]:
        with self._reading() as c:
            c.execute("SELECT actor_id AS id, name, role, aliases FROM actors ORDER BY actor_id")
            actors = [dict(row) for row in c.fetchall()]
        for actor in actors:
            actor["aliases"] = orjson.loads(actor["aliases"])
        return actors

    def reports(self) -> list[dict[str, Any]]:
        with self._reading() as c:
            c.execute(
                "SELECT report_id AS id, outlet, published, published_lower, published_upper,"
                " title, url, sha256, note, position FROM reports"
                " ORDER BY published_upper, published_lower, position"
            )
            return [dict(row) for row in c.fetchall()]

    def development_by_uuid(self, uuid: UUID) -> tuple[str, str] | None:
        with self._reading() as c:
            c.execute("SELECT development_id, kind FROM developments WHERE uuid=?", (uuid.hex,))
            row = c.fetchone()
        return None if row is None else (str(row["development_id"]), str(row["kind"]))

    def development_kind(self, development_id: str) -> str | None:
        with self._reading() as c:
            c.execute("SELECT kind FROM developments WHERE development_id=?", (development_id,))
            row = c.fetchone()
        return None if row is None else str(row["kind"])

    def tellings(self, development_id: str) -> list[dict[str, Any]]:
        """Every account and retraction of a development with its report, in the order
        the fold applies them (publication, then log position)."""
        return self.tellings_of([development_id]).get(development_id, [])

    def tellings_of(self, development_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """``tellings`` of many developments, a few queries for all of them."""
        return self._tellings_where(development_ids, "", ())

    def _tellings_where(
        self, development_ids: Sequence[str], condition: str, params: Sequence[Any]
    ) -> dict[str, list[dict[str, Any]]]:
        """The tellings of these developments that meet ``condition`` (SQL on ``t``, the
        telling, and ``r``, its report), each development's in the order the fold
        applies them."""
        found: dict[str, list[dict[str, Any]]] = {}
        with self._reading() as c:
            for chunk in chunks(sorted(set(development_ids)), IN_LIST):
                marks = ",".join("?" * len(chunk))
                c.execute(
                    "SELECT t.*, r.outlet, r.published, r.published_lower, r.published_upper,"  # noqa: S608
                    " r.sha256 AS report_sha256"
                    " FROM tellings t JOIN reports r ON r.report_id = t.report_id"
                    f" WHERE t.development_id IN ({marks}){condition}"
                    " ORDER BY t.development_id, r.published_upper, r.published_lower,"
                    " t.position",
                    (*chunk, *params),
                )
                rows = c.fetchall()
                contents = self.log_contents(c, [row["position"] for row in rows])
                for row in rows:
                    telling = with_account(dict(row), contents)
                    found.setdefault(telling["development_id"], []).append(telling)
        return found

    def standing_versions(
        self, kinds: Sequence[str], known_at: str, *, include_retracted: bool = False
    ) -> Iterator[dict[str, Any]]:
        """``current_versions`` in key order, a page at a time, in one transaction: for
        reading every development of a million-account store in flat memory."""
        marks = ",".join("?" * len(kinds))
        condition = f"kind IN ({marks}) AND known_from <= ? AND ? < known_until"
        if not include_retracted:
            condition += " AND retracted = 0"
        # By the table's key: any other index needs the whole table sorted again for
        # every page.
        for row in self.rows(
            "versions",
            where=condition,
            params=(*kinds, known_at, known_at),
            index=VERSIONS_KEY,
        ):
            row["data"] = orjson.loads(row["data"])
            yield row

    def current_versions(
        self, kinds: Sequence[str], known_at: str, *, include_retracted: bool = False
    ) -> list[dict[str, Any]]:
        """The version of each development of the given kinds as known at ``known_at``."""
        marks = ",".join("?" * len(kinds))
        statement = (
            f"SELECT * FROM versions WHERE kind IN ({marks})"  # noqa: S608 - placeholders only
            " AND known_from <= ? AND ? < known_until"
        )
        if not include_retracted:
            statement += " AND retracted = 0"
        statement += " ORDER BY sort_key, development_id"
        with self._reading() as c:
            c.execute(statement, (*kinds, known_at, known_at))
            rows = [dict(row) for row in c.fetchall()]
        for row in rows:
            row["data"] = orjson.loads(row["data"])
        return rows

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

    # -- the state, counted and windowed in SQL ----------------------------------------
    #
    # A state reads only the versions that hold at K and stand (STANDING_AT) and applies
    # the conservative rules of ``projections.queries`` to valid time: a development
    # happened by D if its latest possible date is on or before D, and only possibly if
    # D falls inside its dates' span. Counts are made in SQL and lists come back cut to
    # a limit, so that neither time nor memory grows with every row of a kind; each
    # query has an index in SCHEMA holding the columns it filters on.

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
                recent = max(since, _shifted(as_of, -RECENT_DAYS))
                keys = latest_keys(c, recent)
                if len(keys) < limit:
                    keys = None
                else:
                    floor = max(since, _shifted(keys[-1]["sort_key"][:10], -2))
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

    def versions_at(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Version rows by (development id, known from), with their data decoded."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        with self._reading() as c:
            for chunk in chunks(keys, IN_LIST):
                pairs = ", ".join("(?, ?)" for _ in chunk)
                c.execute(
                    f"WITH chosen(development_id, known_from) AS (VALUES {pairs})"  # noqa: S608
                    " SELECT v.* FROM chosen JOIN versions v"
                    " ON v.development_id = chosen.development_id"
                    " AND v.known_from = chosen.known_from",
                    [value for pair in chunk for value in pair],
                )
                found.update(
                    ((row["development_id"], row["known_from"]), row)
                    for row in decoded_versions(c.fetchall())
                )
        return found

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

    def participant_sets(
        self, as_of: str, known_at: str, claims_at: str
    ) -> dict[str, tuple[str, str] | None]:
        """Every set of participants with a held call that certainly happened by D, as
        known at K, or else an asserting call-count claim standing at ``claims_at``:
        the sort key and id of its latest such call (None for a set with a claim only).

        One statement over the index ``calls_by_participants``: a recursive CTE finds
        each set with one seek (a loose index scan, not a walk over every call); a
        set's latest call is the first that qualifies walking back from D, and only
        a set without one is looked at for a claim: a few rows per set, however many
        calls the log holds.
        """
        index = self._using("calls_by_participants")
        first = (
            f"SELECT participants FROM versions{index}"  # noqa: S608
            f" WHERE {on_table(CALL_OR_CALL_COUNT)}"
            " AND participants IS NOT NULL ORDER BY participants LIMIT 1"
        )
        after = (
            f"SELECT n.participants FROM versions AS n{index}"  # noqa: S608
            f" WHERE {on_table(CALL_OR_CALL_COUNT, 'n')} AND n.participants > sets.participants"
            " ORDER BY n.participants LIMIT 1"
        )
        happened = STANDING_AT + " AND {t}occurred_upper <= ?"
        with self._reading() as c:
            c.execute(
                f"WITH RECURSIVE sets(participants) AS (SELECT ({first})"  # noqa: S608
                f" UNION ALL SELECT ({after}) FROM sets WHERE sets.participants IS NOT NULL)"
                # "sort key id" of the latest call, else '' if there is a claim.
                " SELECT participants, COALESCE((SELECT w.sort_key || ' ' || w.development_id"
                f" FROM versions AS w{index} WHERE {on_table(CALL_OR_CALL_COUNT, 'w')}"
                f" AND {on_table(HELD_CALL, 'w')} AND w.participants = sets.participants"
                f" AND w.sort_key < ? AND {on_table(happened, 'w')}"
                " ORDER BY w.kind DESC, w.sort_key DESC, w.development_id DESC LIMIT 1),"
                " CASE WHEN EXISTS (SELECT 1"
                f" FROM versions AS k{index} WHERE {on_table(CALL_OR_CALL_COUNT, 'k')}"
                f" AND {on_table(CALL_COUNT_CLAIM, 'k')} AND k.participants = sets.participants"
                f" AND {on_table(STANDING_AT, 'k')}) THEN '' END) AS latest"
                " FROM sets WHERE participants IS NOT NULL",
                (_sort_key_bound(as_of), known_at, known_at, as_of, claims_at, claims_at),
            )
            rows = c.fetchall()
        found: dict[str, tuple[str, str] | None] = {}
        for row in rows:
            if row["latest"]:
                sort_key, development_id = row["latest"].split(" ", 1)
                found[row["participants"]] = (sort_key, development_id)
            elif row["latest"] is not None:
                found[row["participants"]] = None
        return found

    def held_calls_by_participants(
        self,
        as_of: str,
        known_at: str,
        participants: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> dict[str, tuple[int, list[dict[str, Any]]]]:
        """Per set of participants (these, or all), the held calls that certainly
        happened by D, as known at K: how many, and the keys (``development_id``,
        ``known_from``, ``sort_key``) of the latest ``limit`` of them (all without a
        limit), oldest first.

        One statement: the count per set walks that set's calls in the index
        ``calls_by_participants``; the ``limit``-th latest call's sort key (a subquery
        walking back from D) bounds a short range of them to return.
        """
        happened = STANDING_AT + " AND {t}occurred_upper <= ?"
        happened_params = (known_at, known_at, as_of)
        bound = _sort_key_bound(as_of)
        offset = (limit or UNLIMITED) - 1
        index = self._using("calls_by_participants")
        held = f"{on_table(CALL_OR_CALL_COUNT)} AND {on_table(HELD_CALL)}"
        groups: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        runs = [None] if participants is None else list(chunks(sorted(participants), IN_LIST))
        with self._reading() as c:
            for chunk in runs:
                among = (
                    "" if chunk is None else f" AND participants IN ({','.join('?' * len(chunk))})"
                )
                c.execute(
                    "SELECT g.participants, g.recorded, v.development_id, v.known_from,"  # noqa: S608
                    " v.sort_key"
                    f" FROM (SELECT participants, COUNT(*) AS recorded FROM versions{index}"
                    f" WHERE {held} AND participants IS NOT NULL{among}"
                    f" AND {on_table(happened)} GROUP BY participants) AS g"
                    f" CROSS JOIN versions AS v{index}"
                    f" WHERE {on_table(CALL_OR_CALL_COUNT, 'v')} AND {on_table(HELD_CALL, 'v')}"
                    " AND v.participants = g.participants"
                    " AND v.sort_key < ? AND v.sort_key >= COALESCE((SELECT w.sort_key"
                    f" FROM versions AS w{index} WHERE {on_table(CALL_OR_CALL_COUNT, 'w')}"
                    f" AND {on_table(HELD_CALL, 'w')}"
                    " AND w.participants = g.participants AND w.sort_key < ?"
                    f" AND {on_table(happened, 'w')}"
                    " ORDER BY w.sort_key DESC LIMIT 1 OFFSET ?), '')"
                    f" AND {on_table(happened, 'v')}",
                    (
                        *(chunk or ()),
                        *happened_params,
                        *(bound, bound, *happened_params, offset, *happened_params),
                    ),
                )
                for row in c.fetchall():
                    group = groups.setdefault(row["participants"], (int(row["recorded"]), []))
                    group[1].append(
                        {key: row[key] for key in ("development_id", "known_from", "sort_key")}
                    )
        for _, calls in groups.values():
            # Calls tied with the limit-th latest come back too: keep the latest.
            calls.sort(key=lambda call: (call["sort_key"], call["development_id"]))
            del calls[: max(0, len(calls) - (limit or len(calls)))]
        return groups

    def latest_call_count_claims(
        self, known_at: str, participants: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """For each of these sets of participants, the latest asserting call-count
        claim standing at K (latest by when it was made, then by when it became known,
        then in the order of versions), with its data: for each set, the first claim
        that stands at K walking back in the index ``call_count_claims``."""
        index = self._using("call_count_claims")
        chosen: dict[str, str] = {}
        with self._reading() as c:
            for chunk in chunks(sorted(participants), IN_LIST):
                sets = ", ".join("(?)" for _ in chunk)
                c.execute(
                    f"WITH sets(participants) AS (VALUES {sets})"  # noqa: S608
                    " SELECT participants, (SELECT w.development_id"
                    f" FROM versions AS w{index} WHERE {on_table(CALL_COUNT_CLAIM, 'w')}"
                    f" AND w.participants = sets.participants AND {on_table(STANDING_AT, 'w')}"
                    " ORDER BY w.occurred_upper DESC, w.known_from DESC, w.sort_key DESC,"
                    " w.development_id DESC LIMIT 1) AS claim FROM sets",
                    (*chunk, known_at, known_at),
                )
                chosen.update(
                    (row["participants"], row["claim"])
                    for row in c.fetchall()
                    if row["claim"] is not None
                )
        versions = self.versions_of(list(chosen.values()), known_at, columns=())
        return {key: versions[development_id] for key, development_id in chosen.items()}

    def upcoming_candidates(
        self, as_of: str, known_at: str, undated_since: str
    ) -> list[dict[str, Any]]:
        """Meetings and calls known of by D that may still be ahead on D, as known at K
        (their keys and dates; ``projections.queries`` orders them): proposed, scheduled
        or planned ones dated on or after D, or undated and first reported from
        ``undated_since`` to D, and held ones that happened after D but were first reported by D."""
        columns = (
            "SELECT development_id, known_from, kind, status, planned_lower, occurred_lower,"
            " sort_key, first_known FROM versions"
        )
        planned = f"{self._using('versions_planned')} WHERE {on_table(AHEAD)}"
        planned += f" AND {on_table(PLANNED_STATUS)}"
        told_ahead = f"{self._using('versions_told_ahead')} WHERE {on_table(AHEAD)}"
        with self._reading() as c:
            c.execute(
                f"{columns}{planned} AND {on_table(STANDING_AT)}"
                " AND planned_upper >= ? AND first_known <= ?"
                f" UNION ALL {columns}{planned} AND {on_table(STANDING_AT)}"
                " AND planned_upper IS NULL AND first_known >= ? AND first_known <= ?"
                f" UNION ALL {columns}{told_ahead} AND status = 'held'"
                f" AND {on_table(TOLD_BEFORE_IT_HAPPENED)}"
                f" AND {on_table(STANDING_AT)} AND occurred_lower > ? AND first_known <= ?",
                (
                    *(known_at, known_at, as_of, as_of),
                    *(known_at, known_at, undated_since, as_of),
                    *(known_at, known_at, as_of, as_of),
                ),
            )
            return [dict(row) for row in c.fetchall()]

    def versions_of(
        self,
        development_ids: Sequence[str],
        known_at: str,
        *,
        include_retracted: bool = False,
        columns: Sequence[str] = ("*",),
    ) -> dict[str, dict[str, Any]]:
        """The version of each of these developments that holds at K (``columns`` of
        it, with ``development_id`` and ``data``), its data decoded."""
        found: dict[str, dict[str, Any]] = {}
        retracted = "" if include_retracted else " AND retracted = 0"
        selected = ", ".join(dict.fromkeys([*columns, "development_id", "data"]))
        with self._reading() as c:
            for chunk in chunks(sorted(set(development_ids)), IN_LIST):
                marks = ",".join("?" * len(chunk))
                c.execute(
                    f"SELECT {selected} FROM versions WHERE development_id IN ({marks})"  # noqa: S608
                    f" AND known_from <= ? AND ? < known_until{retracted}",
                    (*chunk, known_at, known_at),
                )
                found.update((row["development_id"], row) for row in decoded_versions(c.fetchall()))
        return found

    def developments_changed_between(
        self, kinds: Sequence[str], after: str, until: str
    ) -> list[str]:
        """Developments with a version beginning after ``after``, up to ``until``: the
        only ones whose version at ``until`` may differ from that at ``after``."""
        marks = ",".join("?" * len(kinds))
        with self._reading() as c:
            c.execute(
                "SELECT DISTINCT development_id"  # noqa: S608
                f" FROM versions{self._using('versions_by_kind')} WHERE kind IN ({marks})"
                " AND known_from > ? AND known_from <= ? ORDER BY development_id",
                (*kinds, after, until),
            )
            return [row["development_id"] for row in c.fetchall()]

    def tellings_published_between(
        self, development_ids: Sequence[str], after: str, until: str
    ) -> dict[str, list[dict[str, Any]]]:
        """The standing (not voided) tellings of these developments from reports
        certainly published after ``after``, by ``until``, each development's in the
        order the fold applies them."""
        return self._tellings_where(
            development_ids,
            " AND t.voided_at IS NULL AND r.published_upper > ? AND r.published_upper <= ?",
            (after, until),
        )


class TrackerView(TrackerViewBase, SQLiteTrackingRecorder):
    """The tracker's view in the SQLite store."""

    def _using(self, index: str) -> str:
        return f" INDEXED BY {index}"

    def _create_indexes(self, c: Statements, indexes: Sequence[tuple[str, str]]) -> None:
        with sorting_cache(c.cursor):
            super()._create_indexes(c, indexes)

    def _bulk_cache(self, cursor: Any) -> AbstractContextManager[None]:
        return bulk_cache(cursor)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *SCHEMA]

    def _create_table(self, c: SQLiteCursor) -> None:
        self._drop_if_schema_changed(c)
        super()._create_table(c)
        self._record_schema(c)
