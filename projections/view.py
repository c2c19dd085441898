"""The tracker's materialised view: SQL tables in the store's own database, updated
in the same transaction as the tracking record of the event that changed them, so a
replay is idempotent and a crash never leaves a half-applied event.

The SQL is written once, with ``?`` placeholders, for both backends: ``TrackerView``
is the SQLite tracking recorder, ``projections.postgres_view`` the PostgreSQL one.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, Tracking, TrackingRecorder
from eventsourcing.sqlite import SQLiteCursor, SQLiteTrackingRecorder

from projections.folding import Telling, Version, fold_after
from projections.page import Page, dumps, page_telling, telling_row, version_row, version_rows
from projections.schema import (
    ACCOUNT_COLUMNS,
    AHEAD,
    APPLIED_TABLE,
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
    SCHEMA_VERSION,
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
from tracker.chunks import IN_LIST, chunks
from tracker.dates import OPEN_UPPER
from tracker.errors import unreadable_account
from tracker.names import alias_key
from tracker.recorders import bulk_cache, sorting_cache

ROWS_PAGE = 5000

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


@functools.cache
def log_mapper() -> Mapper[Any]:
    """The mapper that reads the tracker's stored events (it neither encrypts nor
    compresses them)."""
    from tracker.transcoding import construct_mapper

    return construct_mapper()


INSERT_VERSION = "INSERT INTO versions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
INSERT_TELLING = "INSERT INTO tellings VALUES (?,?,?,?,?,?,?,?)"


# The last days of a window of strikes, where its latest are looked for first.
RECENT_DAYS = 3

# An OFFSET past any list: "no limit" for a query that takes the limit-th item.
UNLIMITED = 2**62


def _limit(limit: int | None) -> str:
    return "" if limit is None else f" LIMIT {int(limit)}"


def _counted_latest(
    c: Statements, source: str, params: Sequence[Any], columns: str, limit: int | None
) -> tuple[int, list[Any]]:
    """How many rows ``source`` (a table and its condition, or a subquery) holds, and
    ``columns`` of the latest ``limit`` of them by sort key, then id, newest first."""
    c.execute(f"SELECT COUNT(*) AS n FROM {source}", params)  # noqa: S608 - callers' SQL
    total = int(c.fetchone()["n"])
    c.execute(
        f"SELECT {columns} FROM {source}"  # noqa: S608 - callers' SQL
        f" ORDER BY sort_key DESC, development_id DESC{_limit(limit)}",
        params,
    )
    return total, c.fetchall()


def _with_account(
    telling: dict[str, Any], contents: Mapping[int, dict[str, Any]]
) -> dict[str, Any]:
    """A tellings row given what its account or retraction says (``ACCOUNT_COLUMNS``),
    from ``contents`` by its position."""
    content = contents[telling["position"]]
    telling["fields"] = content.get("fields", {})
    for name in ACCOUNT_COLUMNS[1:]:
        telling[name] = content.get(name)
    return telling


def _decoded(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Version rows as dicts, their JSON ``data`` decoded."""
    decoded = [dict(row) for row in rows]
    for row in decoded:
        row["data"] = orjson.loads(row["data"])
    return decoded


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


class Statements:
    """A backend's cursor seen through one SQL dialect: ``?`` placeholders, rows by name."""

    def __init__(self, cursor: Any, placeholder: str) -> None:
        self.cursor = cursor
        self.placeholder = placeholder

    def _sql(self, statement: str) -> str:
        return statement if self.placeholder == "?" else statement.replace("?", self.placeholder)

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self._sql(statement), params)

    def executemany(self, statement: str, params: Sequence[Sequence[Any]]) -> None:
        if params:
            self.cursor.executemany(self._sql(statement), params)

    def fetchone(self) -> Any:
        return self.cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self.cursor.fetchall())


class TrackerViewBase(TrackingRecorder):
    """Tables of reports, actors, tellings and knowledge-time versions of developments.

    Mixed into a backend's tracking recorder, whose ``datastore``, ``_insert_tracking``
    and ``max_tracking_id`` it uses.
    """

    # Whether a rebuild keeps the views' indexes rather than dropping them and building
    # them again at its end. In SQLite other connections go on reading the old views'
    # snapshot: a million random keys inserted into each key index cost 8 s of a
    # rebuild's writing, and sorted once at the end all five took 1.6 s. PostgreSQL's
    # DROP INDEX locks readers out of the old views until the rebuild commits.
    rebuild_keeps_indexes = False

    placeholder = "?"
    statements: type[Statements] = Statements
    tracking_table = "tracking"
    # The store's log, where a telling's account is read (``log_contents``).
    log_table = "stored_events"
    log_position = "rowid"
    datastore: Any
    tracking_table_exists: bool
    table_migration_identifier: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cursor: Statements | None = None
        self.log_reader: Callable[[Sequence[int]], dict[int, dict[str, Any]]] | None = None
        # The application's mapper, which may decompress or decrypt what the log holds
        # (the library takes its settings from the environment); else ``log_mapper``.
        self.mapper: Mapper[Any] | None = None

    if TYPE_CHECKING:  # provided by the backend's tracking recorder

        def _insert_tracking(self, c: Any, tracking: Tracking) -> None: ...

        def create_table(self) -> None: ...

    def ensure_schema(self) -> None:
        """Create or rebuild the tables only when they are missing or out of date: on an
        existing store, opening it must not wait for the write lock."""
        try:
            with self._reading() as c:
                c.execute("SELECT version FROM view_schema")
                row = c.fetchone()
        except Exception:  # no such table yet; the backends word it differently
            row = None
        if row is None or row["version"] != SCHEMA_VERSION:
            self.create_table()

    def _begin(self, cursor: Any) -> None:
        """Prepare a new transaction's cursor (a backend may set its schema)."""

    def _begin_reading(self, cursor: Any) -> None:
        """Prepare a new read-only transaction's cursor."""
        self._begin(cursor)

    def _lock_for_page(self, cursor: Any) -> None:
        """Hold off other processes' pages until this transaction ends (SQLite's
        IMMEDIATE transactions already do)."""

    @contextmanager
    def page(self, application_name: str) -> Iterator[int]:
        """One transaction for a run of events; yields the position already applied, read
        under the lock, so a page never applies an event another process applied."""
        with self.datastore.transaction(commit=True) as cursor:
            self._begin(cursor)
            self._lock_for_page(cursor)
            self._cursor = self.statements(cursor, self.placeholder)
            try:
                yield self._tracked_position(self._cursor, application_name)
            finally:
                self._cursor = None

    @contextmanager
    def borrow(self, cursor: Any) -> Iterator[None]:
        """Read and write the view through a transaction the caller holds: a bulk
        session appends to the log and updates the view in one transaction."""
        if self._cursor is not None:
            raise RuntimeError("the view is already in a transaction")
        self._begin(cursor)
        self._lock_for_page(cursor)
        self._cursor = self.statements(cursor, self.placeholder)
        try:
            yield
        finally:
            self._cursor = None

    def refresh_statistics(self) -> None:
        """Inside ``borrow``, after a bulk load: tell the query planner how large the
        views now are, where the backend plans from statistics."""
        if self._cursor is None:
            raise RuntimeError("refresh_statistics() belongs inside borrow()")
        self._analyze(self._cursor)

    def _analyze(self, c: Statements) -> None:
        """SQLite keeps no statistics here: its queries name their indexes."""

    def track(self, tracking: Tracking) -> None:
        """Record the last event of a page as applied (inside ``page``)."""
        if self._cursor is None:
            raise RuntimeError("track() belongs inside page()")
        self._mark_applied(self._cursor, tracking)

    def _mark_applied(self, c: Statements, tracking: Tracking) -> None:
        self._insert_tracking(c.cursor, tracking)
        c.execute(
            "INSERT INTO applied VALUES (?, ?) ON CONFLICT (application_name)"
            " DO UPDATE SET position = excluded.position",
            (tracking.application_name, tracking.notification_id),
        )

    def apply_page(self, page: Page) -> None:
        """Write a page's changes inside ``page()``."""
        if self._cursor is None:
            raise RuntimeError("apply_page() belongs inside page()")
        self._apply_page(self._cursor, page)

    def write_page(self, page: Page, tracking: Tracking) -> None:
        """Write the changes of one event with its tracking, in a transaction of its own
        (or the one open), unless the event is applied already. A follower and the
        commands that apply their own events take turns under the page lock, and whoever
        comes second skips the event instead of failing on its tracking record."""
        with self._own_transaction(commit=True) as c:
            self._lock_for_page(c.cursor)
            if tracking.notification_id <= self._tracked_position(c, tracking.application_name):
                return
            self._apply_page(c, page)
            self._mark_applied(c, tracking)

    def _apply_page(self, c: Statements, page: Page) -> None:
        """A page's changes, in the order the events need: reports and actors before the
        tellings that cite them, tellings before the voids of them, then each touched
        development refolded once."""
        c.executemany("INSERT INTO reports VALUES (?,?,?,?,?,?,?,?,?,?)", page.reports)
        for uuid, actor_id, name, role, aliases, position in page.actors:
            c.execute(
                "INSERT INTO actors VALUES (?,?,?,?,?,?)",
                (actor_id, name, role, dumps(list(aliases)), position, uuid),
            )
            self._put_aliases(c, actor_id, (*aliases, name, actor_id))
        for uuid, aliases in page.alias_additions:
            c.execute("SELECT actor_id, aliases FROM actors WHERE uuid=?", (uuid,))
            row = c.fetchone()
            known = orjson.loads(row["aliases"])
            c.execute(
                "UPDATE actors SET aliases=? WHERE actor_id=?",
                (dumps([*known, *aliases]), row["actor_id"]),
            )
            self._put_aliases(c, row["actor_id"], aliases)
        c.executemany(
            "INSERT INTO developments VALUES (?,?,?,?)",
            [(dev, kind, position, uuid) for uuid, dev, kind, position in page.developments],
        )
        if not page.tellings and not page.voids:  # folded whole already, or no development
            c.executemany(INSERT_TELLING, page.settled_tellings)
            c.executemany(INSERT_VERSION, page.folded)
            return
        names = {uuid: dev for uuid, dev, _, _ in page.developments}
        unknown = sorted({uuid for uuid, *_ in [*page.tellings, *page.voids] if uuid not in names})
        for chunk in chunks(unknown, IN_LIST):
            marks = ",".join("?" * len(chunk))
            c.execute(
                f"SELECT uuid, development_id FROM developments WHERE uuid IN ({marks})",  # noqa: S608
                chunk,
            )
            names.update({row["uuid"]: row["development_id"] for row in c.fetchall()})
        c.executemany(
            INSERT_TELLING,
            [
                telling_row(names[uuid], version, position, row)
                for uuid, version, position, row in page.tellings
            ],
        )
        c.executemany(
            "UPDATE tellings SET voided_at=?, void_reason=? WHERE development_id=? AND version=?",
            [(pos, reason, names[uuid], version) for uuid, version, pos, reason in page.voids],
        )
        # A development first told in this page, and not voided in it, has all its
        # tellings in the page: fold it from memory. Any other is folded onto its latest
        # version, or read back and refolded.
        page.fold_new(self._published_bounds(c, page.reports_to_fold()))
        c.executemany(INSERT_VERSION, page.folded)
        voided = {names[uuid] for uuid, *_ in page.voids}
        told: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
        for uuid, version, position, row in page.tellings:
            if uuid not in page.folded_ids and names[uuid] not in voided:
                told.setdefault(names[uuid], []).append((version, position, row))
        refold = voided | self._fold_onto_latest(c, told)
        for chunk in chunks(sorted(refold), IN_LIST):
            self._refold_many(c, chunk)

    def _fold_onto_latest(
        self, c: Statements, told: Mapping[str, Sequence[tuple[int, int, dict[str, Any]]]]
    ) -> set[str]:
        """Fold each development's new tellings onto its latest version row, read back,
        where they come after everything folded into it (nearly always: reports are
        mostly entered as they are published); the ids of the others, to refold."""
        bounds = self._published_bounds(
            c, {row["report_id"] for tellings in told.values() for _, _, row in tellings}
        )
        refold: set[str] = set()
        replaced: list[tuple[str, str]] = []
        # (known until, development id, known from) of latest versions that only end.
        closed: list[tuple[str, str, str]] = []
        version_rows: list[tuple[Any, ...]] = []
        for chunk in chunks(sorted(told), IN_LIST):
            marks = ",".join("?" * len(chunk))
            c.execute(
                "SELECT development_id, kind, known_from, retracted, first_known,"  # noqa: S608 - placeholders only
                " account_count, data FROM versions"
                f" WHERE known_until = ? AND development_id IN ({marks})",
                (OPEN_UPPER, *chunk),
            )
            latest = {row["development_id"]: row for row in c.fetchall()}
            for development_id in chunk:
                row = latest.get(development_id)
                tellings = told[development_id]
                if row is None or any(r["report_id"] not in bounds for _, _, r in tellings):
                    refold.add(development_id)
                    continue
                data = orjson.loads(row["data"])
                after = fold_after(
                    Version(
                        known_from=row["known_from"],
                        known_until=OPEN_UPPER,
                        retracted=bool(row["retracted"]),
                        fields=data["fields"],
                        account_count=row["account_count"],
                        reports=tuple(data["reports"]),
                        first_known=row["first_known"],
                        revisions=data["revisions"],
                    ),
                    [
                        page_telling(version, position, r, bounds)
                        for version, position, r in tellings
                    ],
                )
                if after is None:
                    refold.add(development_id)
                    continue
                ends, versions = after
                if ends is None:
                    replaced.append((development_id, row["known_from"]))
                else:
                    closed.append((ends, development_id, row["known_from"]))
                version_rows.extend(
                    version_row(development_id, row["kind"], version) for version in versions
                )
        c.executemany(
            "UPDATE versions SET known_until=? WHERE development_id=? AND known_from=?", closed
        )
        c.executemany("DELETE FROM versions WHERE development_id=? AND known_from=?", replaced)
        c.executemany(INSERT_VERSION, version_rows)
        return refold

    def _published_bounds(self, c: Statements, report_ids: set[str]) -> dict[str, tuple[str, str]]:
        bounds: dict[str, tuple[str, str]] = {}
        for chunk in chunks(sorted(report_ids), IN_LIST):
            marks = ",".join("?" * len(chunk))
            c.execute(
                "SELECT report_id, published_lower, published_upper FROM reports"  # noqa: S608
                f" WHERE report_id IN ({marks})",
                chunk,
            )
            bounds.update(
                {
                    row["report_id"]: (row["published_lower"], row["published_upper"])
                    for row in c.fetchall()
                }
            )
        return bounds

    def _refold_many(self, c: Statements, development_ids: Sequence[str]) -> None:
        marks = ",".join("?" * len(development_ids))
        c.execute(
            "SELECT t.development_id, t.position, t.version, t.report_id,"  # noqa: S608 - placeholders only
            " t.retraction, r.published_lower, r.published_upper, d.kind"
            " FROM tellings t JOIN reports r ON r.report_id = t.report_id"
            " JOIN developments d ON d.development_id = t.development_id"
            f" WHERE t.development_id IN ({marks}) AND t.voided_at IS NULL",
            development_ids,
        )
        grouped: dict[str, list[Any]] = {}
        rows = c.fetchall()
        for row in rows:
            grouped.setdefault(row["development_id"], []).append(row)
        contents = self.log_contents(c, [row["position"] for row in rows])
        c.execute(
            f"DELETE FROM versions WHERE development_id IN ({marks})",  # noqa: S608
            development_ids,
        )
        self._insert_versions(
            c,
            (
                (
                    development_id,
                    rows[0]["kind"],
                    [
                        Telling(
                            position=row["position"],
                            version=row["version"],
                            report_id=row["report_id"],
                            known_lower=row["published_lower"],
                            known_upper=row["published_upper"],
                            fields=contents[row["position"]].get("fields", {}),
                            retraction=bool(row["retraction"]),
                        )
                        for row in rows
                    ],
                )
                for development_id, rows in grouped.items()
            ),
        )

    @staticmethod
    def _insert_versions(
        c: Statements, developments: Iterable[tuple[str, str, Sequence[Telling]]]
    ) -> None:
        """The version rows of each (development id, kind, standing tellings), folded."""
        c.executemany(
            INSERT_VERSION,
            [
                version_row
                for development_id, kind, tellings in developments
                for version_row in version_rows(development_id, kind, tellings)
            ],
        )

    def _drop_if_schema_changed(self, raw_cursor: Any) -> None:
        c = self.statements(raw_cursor, self.placeholder)
        c.execute("CREATE TABLE IF NOT EXISTS view_schema (version TEXT NOT NULL)")
        c.execute("SELECT version FROM view_schema")
        row = c.fetchone()
        if row is None or row["version"] != SCHEMA_VERSION:
            for table in (*VIEW_TABLES, "applied"):
                c.execute(f"DROP TABLE IF EXISTS {table}")
            c.execute(APPLIED_TABLE)
            if self.tracking_table_exists:
                c.execute(
                    f"DELETE FROM {self.tracking_table} WHERE application_name != ?",  # noqa: S608
                    (self.table_migration_identifier,),
                )

    def _record_schema(self, raw_cursor: Any) -> None:
        c = self.statements(raw_cursor, self.placeholder)
        c.execute("SELECT version FROM view_schema")
        row = c.fetchone()
        if row is None or row["version"] != SCHEMA_VERSION:
            c.execute("DELETE FROM view_schema")
            c.execute("INSERT INTO view_schema VALUES (?)", (SCHEMA_VERSION,))

    # -- transactions ------------------------------------------------------------------

    def batch(self) -> AbstractContextManager[Statements]:
        """Apply many events in one transaction (each still tracked)."""
        return self._own_transaction(commit=True)

    @contextmanager
    def _own_transaction(self, *, commit: bool) -> Iterator[Statements]:
        """The reads and writes inside share one transaction (or the one already open)."""
        if self._cursor is not None:
            yield self._cursor
            return
        with self.datastore.transaction(commit=commit) as cursor:
            if commit:
                self._begin(cursor)
            else:
                self._begin_reading(cursor)
            self._cursor = self.statements(cursor, self.placeholder)
            try:
                yield self._cursor
            finally:
                self._cursor = None

    @contextmanager
    def _reading(self) -> Iterator[Statements]:
        if self._cursor is not None:  # inside a batch: see its own writes
            yield self._cursor
            return
        with self.datastore.transaction(commit=False) as cursor:
            self._begin_reading(cursor)
            yield self.statements(cursor, self.placeholder)

    @contextmanager
    def rebuilding(self, application_name: str) -> Iterator[None]:
        """One transaction that empties the read models and lets the caller feed them
        every event again (``apply_page`` and ``track`` inside): other readers see the
        old views until the new ones commit, and a failed rebuild changes nothing."""
        with self.datastore.transaction(commit=True) as cursor, self._bulk_cache(cursor):
            self._begin(cursor)
            self._lock_for_page(cursor)
            c = self.statements(cursor, self.placeholder)
            replaced = self._replaced_in_rebuild(QUERY_INDEXES)
            self._drop_indexes(c, replaced)
            self._forget_applied(c, application_name)
            self._cursor = c
            try:
                yield
            finally:
                self._cursor = None
            self._create_indexes(c, replaced)
            self._analyze(c)

    def _bulk_cache(self, cursor: Any) -> AbstractContextManager[None]:
        """A bigger page cache for a long transaction, where the backend has one."""
        return nullcontext()

    def loading_empty(self) -> AbstractContextManager[None]:
        """Inside ``borrow``, while the views are filled from nothing: the indexes only
        queries use are built once at the end, where the backend allows it."""
        return self._indexes_built_at_end(QUERY_INDEXES, "loading_empty() belongs inside borrow()")

    def loading_whole(self) -> AbstractContextManager[None]:
        """Inside ``rebuilding``, while pages of whole developments are written and
        nothing is read back (``Page.fold_whole``): the key indexes are sorted once at
        the end, where the backend allows it."""
        return self._indexes_built_at_end(
            self._replaced_in_rebuild(KEY_INDEXES), "loading_whole() belongs inside rebuilding()"
        )

    def _replaced_in_rebuild(self, indexes: Sequence[tuple[str, str]]) -> Sequence[tuple[str, str]]:
        """The indexes a rebuild drops and builds again at its end (see
        ``rebuild_keeps_indexes``)."""
        return () if self.rebuild_keeps_indexes else indexes

    @contextmanager
    def _indexes_built_at_end(
        self, indexes: Sequence[tuple[str, str]], misplaced: str
    ) -> Iterator[None]:
        if self._cursor is None:
            raise RuntimeError(misplaced)
        cursor = self._cursor
        self._drop_indexes(cursor, indexes)
        yield
        self._create_indexes(cursor, indexes)

    def _drop_indexes(self, c: Statements, indexes: Sequence[tuple[str, str]]) -> None:
        """Where building an index once beats updating it row by row in a long
        transaction, drop these (name, statement) indexes (in the transaction: a
        rollback restores them)."""
        for name, _ in indexes:
            c.execute(f"DROP INDEX IF EXISTS {name}")

    def _create_indexes(self, c: Statements, indexes: Sequence[tuple[str, str]]) -> None:
        """Build again what ``_drop_indexes`` dropped."""
        for _, statement in indexes:
            c.execute(statement)

    def reset(self, application_name: str) -> None:
        """Empty the read models and forget the tracking position (for a rebuild)."""
        with self.datastore.transaction(commit=True) as cursor:
            self._begin(cursor)
            c = self.statements(cursor, self.placeholder)
            self._forget_applied(c, application_name)

    def _forget_applied(self, c: Statements, application_name: str) -> None:
        """Empty the read models and forget what they applied, tracking included."""
        for table in VIEW_TABLES:
            c.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        c.execute(
            f"DELETE FROM {self.tracking_table} WHERE application_name=?",  # noqa: S608
            (application_name,),
        )
        c.execute("DELETE FROM applied WHERE application_name=?", (application_name,))

    # -- updates ---------------------------------------------------------------------

    @staticmethod
    def _put_aliases(c: Statements, actor_id: str, aliases: Sequence[str]) -> None:
        c.executemany(
            "INSERT INTO actor_aliases VALUES (?,?,?) ON CONFLICT DO NOTHING",
            [(alias_key(alias), alias, actor_id) for alias in aliases],
        )

    # -- queries ---------------------------------------------------------------------

    def position(self, application_name: str) -> int:
        if self._cursor is not None:  # a borrowed transaction: see its own writes
            return self._tracked_position(self._cursor, application_name)
        return self.max_tracking_id(application_name) or 0

    def positions(self, application_name: str) -> tuple[int, int]:
        """The tracking record's position and the one the views record as applied, read
        in one statement (one snapshot, even in PostgreSQL's read-committed reads): they
        differ only when one was changed behind the tracker's back."""
        with self._reading() as c:
            c.execute(
                f"SELECT (SELECT notification_id FROM {self.tracking_table}"  # noqa: S608
                " WHERE application_name = ?) AS tracked,"
                " (SELECT position FROM applied WHERE application_name = ?) AS applied",
                (application_name, application_name),
            )
            row = c.fetchone()
        return int(row["tracked"] or 0), int(row["applied"] or 0)

    def _tracked_position(self, c: Statements, application_name: str) -> int:
        c.execute(
            f"SELECT notification_id FROM {self.tracking_table}"  # noqa: S608
            " WHERE application_name = ?",
            (application_name,),
        )
        row = c.fetchone()
        return int(row["notification_id"]) if row else 0

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
                    telling = _with_account(dict(row), contents)
                    found.setdefault(telling["development_id"], []).append(telling)
        return found

    def tellings_with_accounts(self) -> Iterator[dict[str, Any]]:
        """Every row of the tellings table in key order, each with what its account or
        retraction says (``ACCOUNT_COLUMNS``, the fields as JSON), a page at a time: the
        tellings as an export gives them, whole without the log."""
        rows = self.rows("tellings")
        while page := list(itertools.islice(rows, ROWS_PAGE)):
            contents = self.read_log_contents([telling["position"] for telling in page])
            for telling in page:
                _with_account(telling, contents)
                telling["fields"] = dumps(telling["fields"])
                yield telling

    def read_log_contents(self, positions: Sequence[int]) -> dict[int, dict[str, Any]]:
        """``log_contents`` in a read transaction of its own."""
        with self._reading() as c:
            return self.log_contents(c, positions)

    def log_contents(self, c: Statements, positions: Sequence[int]) -> dict[int, dict[str, Any]]:
        """What the accounts and retractions at these log positions say (see
        ``stored_rows.telling_contents``), read from the store's log on the view's own
        cursor, which sees what an open import has appended. A view in another store
        (``tracker verify``'s fresh one) is given a reader of the tracker's log instead."""
        if self.log_reader is not None:
            return self.log_reader(positions)
        # Imported here: it reads events through the domain's classes, which a query that
        # reads no account does without (see ``tracker.application``).
        from projections.stored_rows import UnreadableEvent, telling_contents

        rows: list[tuple[Any, ...]] = []
        for chunk in chunks(sorted(positions), IN_LIST):
            marks = ",".join("?" * len(chunk))
            c.execute(
                f"SELECT {self.log_position} AS position, originator_id, originator_version,"  # noqa: S608
                f" topic, state FROM {self.log_table} WHERE {self.log_position} IN ({marks})",
                chunk,
            )
            rows.extend(
                (
                    row["position"],
                    row["originator_id"],
                    row["originator_version"],
                    row["topic"],
                    row["state"],
                )
                for row in c.fetchall()
            )
        try:
            contents = telling_contents(rows, self.mapper or log_mapper())
        except UnreadableEvent as unreadable:
            raise unreadable_account(unreadable.position, unreadable.error) from None
        for position in positions:
            if position not in contents:
                raise unreadable_account(position, None)
        return contents

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
                f"SELECT report_id{where} ORDER BY report_id{_limit(limit)}",
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

    def _using(self, index: str) -> str:
        """The clause that makes a query read the named index, where the backend needs
        one: SQLite plans without statistics and may pick a worse index (PostgreSQL
        plans from its statistics, and has no such clause)."""
        return ""

    def snapshot(self) -> AbstractContextManager[Statements]:
        """Run the reads inside in one read transaction: one consistent view (on SQLite),
        and one transaction begun instead of one per read."""
        return self._own_transaction(commit=False)

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
                f" ORDER BY sort_key DESC, development_id DESC{_limit(limit)}",
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
                    for row in _decoded(c.fetchall())
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
                found.update((row["development_id"], row) for row in _decoded(c.fetchall()))
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

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every view table, in key order (small stores: tests, exports)."""
        with self.snapshot():
            return {table: list(self.rows(table)) for table in TABLE_KEYS}

    def rows(
        self,
        table: str,
        page: int | None = None,
        *,
        where: str = "",
        params: Sequence[Any] = (),
        index: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every row of a view table (that meets ``where``) in key order, a page at a
        time (``ROWS_PAGE``), all from one transaction: memory stays flat however large
        the table, on either backend. ``index`` names the index SQLite must read."""
        page = page or ROWS_PAGE
        key = TABLE_KEYS[table]
        order = ", ".join(key)
        source = table + (self._using(index) if index else "")
        after: tuple[Any, ...] = ()
        with self._reading() as c:
            while True:
                conditions = [f"({where})"] if where else []
                if after:
                    conditions.append(f"({order}) > ({','.join('?' * len(key))})")
                clause = f" WHERE {' AND '.join(conditions)}" if conditions else ""
                c.execute(
                    f"SELECT * FROM {source}{clause} ORDER BY {order} LIMIT {int(page)}",  # noqa: S608 - fixed names
                    (*params, *after),
                )
                rows = c.fetchall()
                for row in rows:
                    yield dict(row)
                if len(rows) < page:
                    return
                after = tuple(rows[-1][name] for name in key)


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
