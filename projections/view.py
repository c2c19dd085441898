"""The tracker's materialised view: SQL tables in the store's own database, updated
in the same transaction as the tracking record of the event that changed them, so a
replay is idempotent and a crash never leaves a half-applied event.

The SQL is written once, with ``?`` placeholders, for both backends: ``TrackerView``
is the SQLite tracking recorder, ``projections.postgres_view`` the PostgreSQL one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs
import orjson
from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.sqlite import SQLiteCursor, SQLiteTrackingRecorder

from projections.folding import RULES_VERSION, Telling, Version, fold

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS reports (
        report_id TEXT PRIMARY KEY,
        outlet TEXT NOT NULL,
        published TEXT NOT NULL,
        published_lower TEXT NOT NULL,
        published_upper TEXT NOT NULL,
        title TEXT,
        url TEXT,
        sha256 TEXT,
        note TEXT,
        position BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS actors (
        actor_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT,
        aliases TEXT NOT NULL,
        position BIGINT NOT NULL,
        uuid TEXT NOT NULL UNIQUE)""",
    """CREATE TABLE IF NOT EXISTS actor_aliases (
        alias_key TEXT PRIMARY KEY,
        alias TEXT NOT NULL,
        actor_id TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS developments (
        development_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        position BIGINT NOT NULL,
        uuid TEXT NOT NULL UNIQUE)""",
    """CREATE TABLE IF NOT EXISTS tellings (
        position BIGINT PRIMARY KEY,
        development_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        retraction INTEGER NOT NULL,
        report_id TEXT NOT NULL,
        fields TEXT NOT NULL,
        quote TEXT,
        attributed_to TEXT,
        note TEXT,
        reason TEXT,
        voided_at BIGINT,
        void_reason TEXT)""",
    "CREATE INDEX IF NOT EXISTS tellings_by_development ON tellings (development_id, version)",
    """CREATE TABLE IF NOT EXISTS versions (
        development_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        known_from TEXT NOT NULL,
        known_until TEXT NOT NULL,
        retracted INTEGER NOT NULL,
        status TEXT,
        participants TEXT,
        subject TEXT,
        stance TEXT,
        occurred_lower TEXT NOT NULL,
        occurred_upper TEXT NOT NULL,
        planned_lower TEXT,
        planned_upper TEXT,
        sort_key TEXT NOT NULL,
        first_known TEXT NOT NULL,
        account_count INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (development_id, known_from))""",
    # Knowledge time: which version of each development holds at K.
    "CREATE INDEX IF NOT EXISTS versions_by_kind ON versions (kind, known_from, known_until)",
    # Valid time: what happened by D, strikes in a window before D.
    "CREATE INDEX IF NOT EXISTS versions_by_valid_time ON versions (kind, occurred_upper)",
)

UPCOMING_STATUSES = ("proposed", "scheduled", "planned")

# Read models are disposable: when their schema changes, they are dropped and rebuilt
# from the log rather than migrated.
SCHEMA_VERSION = hashlib.sha256(
    "\n".join([*SCHEMA, f"rules {RULES_VERSION}"]).encode()
).hexdigest()[:16]

VIEW_TABLES = ("reports", "actors", "actor_aliases", "developments", "tellings", "versions")


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# SQLite's page cache during a rebuild or an import, in KiB.
BULK_CACHE_KIB = 192 * 1024

# Rows per IN (...) list: well under either backend's limit on parameters.
CHUNK = 500


@attrs.define
class Page:
    """What a run of consecutive events changes in the view, gathered so that it is
    written with a few bulk statements instead of several per event."""

    reports: list[tuple[Any, ...]] = attrs.Factory(list)
    actors: list[tuple[UUID, str, str, str | None, tuple[str, ...], int]] = attrs.Factory(list)
    alias_additions: list[tuple[UUID, tuple[str, ...]]] = attrs.Factory(list)
    developments: list[tuple[UUID, str, str, int]] = attrs.Factory(list)
    tellings: list[tuple[UUID, int, int, dict[str, Any]]] = attrs.Factory(list)
    voids: list[tuple[UUID, int, int, str]] = attrs.Factory(list)


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


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

    placeholder = "?"
    tracking_table = "tracking"
    datastore: Any
    tracking_table_exists: bool
    table_migration_identifier: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cursor: Statements | None = None

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
            self._cursor = Statements(cursor, self.placeholder)
            try:
                self._cursor.execute(
                    f"SELECT notification_id FROM {self.tracking_table}"  # noqa: S608
                    " WHERE application_name = ?",
                    (application_name,),
                )
                row = self._cursor.fetchone()
                yield int(row["notification_id"]) if row else 0
            finally:
                self._cursor = None

    @contextmanager
    def borrow(self, cursor: Any) -> Iterator[None]:
        """Read and write the view through a transaction the caller holds: a bulk
        session appends to the log and updates the view in one transaction."""
        if self._cursor is not None:
            raise RuntimeError("the view is already in a transaction")
        self._begin(cursor)
        self._cursor = Statements(cursor, self.placeholder)
        try:
            yield
        finally:
            self._cursor = None

    def track(self, tracking: Tracking) -> None:
        """Record the last event of a page as applied (inside ``page``)."""
        if self._cursor is None:
            raise RuntimeError("track() belongs inside page()")
        self._insert_tracking(self._cursor.cursor, tracking)

    def apply_page(self, page: Page) -> None:
        """Write a page's changes inside ``page()``."""
        if self._cursor is None:
            raise RuntimeError("apply_page() belongs inside page()")
        self._apply_page(self._cursor, page)

    def write_page(self, page: Page, tracking: Tracking) -> None:
        """Write the changes of one event in a transaction of its own, with its tracking."""
        with self._writing(tracking) as c:
            self._apply_page(c, page)

    def _apply_page(self, c: Statements, page: Page) -> None:
        """A page's changes, in the order the events need: reports and actors before the
        tellings that cite them, tellings before the voids of them, then each touched
        development refolded once."""
        c.executemany("INSERT INTO reports VALUES (?,?,?,?,?,?,?,?,?,?)", page.reports)
        for uuid, actor_id, name, role, aliases, position in page.actors:
            c.execute(
                "INSERT INTO actors VALUES (?,?,?,?,?,?)",
                (actor_id, name, role, dumps(list(aliases)), position, uuid.hex),
            )
            self._put_aliases(c, actor_id, (*aliases, name, actor_id))
        for uuid, aliases in page.alias_additions:
            c.execute("SELECT actor_id, aliases FROM actors WHERE uuid=?", (uuid.hex,))
            row = c.fetchone()
            known = orjson.loads(row["aliases"])
            c.execute(
                "UPDATE actors SET aliases=? WHERE actor_id=?",
                (dumps([*known, *aliases]), row["actor_id"]),
            )
            self._put_aliases(c, row["actor_id"], aliases)
        c.executemany(
            "INSERT INTO developments VALUES (?,?,?,?)",
            [(dev, kind, position, uuid.hex) for uuid, dev, kind, position in page.developments],
        )
        names = {uuid: dev for uuid, dev, _, _ in page.developments}
        unknown = sorted(
            {uuid.hex for uuid, *_ in [*page.tellings, *page.voids] if uuid not in names}
        )
        for chunk in _chunks(unknown):
            marks = ",".join("?" * len(chunk))
            c.execute(
                f"SELECT uuid, development_id FROM developments WHERE uuid IN ({marks})",  # noqa: S608
                chunk,
            )
            names.update({UUID(row["uuid"]): row["development_id"] for row in c.fetchall()})
        c.executemany(
            "INSERT INTO tellings (position, development_id, version, retraction, report_id,"
            " fields, quote, attributed_to, note, reason) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    position,
                    names[uuid],
                    version,
                    1 if row.get("retraction") else 0,
                    row["report_id"],
                    dumps(row.get("fields", {})),
                    row.get("quote"),
                    row.get("attributed_to"),
                    row.get("note"),
                    row.get("reason"),
                )
                for uuid, version, position, row in page.tellings
            ],
        )
        c.executemany(
            "UPDATE tellings SET voided_at=?, void_reason=? WHERE development_id=? AND version=?",
            [(pos, reason, names[uuid], version) for uuid, version, pos, reason in page.voids],
        )
        # A development first told in this page, and not voided in it, has all its
        # tellings in the page: fold it from memory. Any other is read back and refolded.
        voided = {uuid for uuid, *_ in page.voids}
        new = {uuid: kind for uuid, _, kind, _ in page.developments if uuid not in voided}
        in_memory: dict[UUID, list[tuple[int, int, dict[str, Any]]]] = {}
        touched: set[str] = set()
        for uuid, version, position, row in page.tellings:
            if uuid in new:
                in_memory.setdefault(uuid, []).append((position, version, row))
            else:
                touched.add(names[uuid])
        touched.update(names[uuid] for uuid in voided)
        bounds = self._published_bounds(
            c, {row["report_id"] for tellings in in_memory.values() for *_, row in tellings}
        )
        c.executemany(
            "INSERT INTO versions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                version_row
                for uuid, tellings in in_memory.items()
                for version_row in _version_rows(
                    names[uuid],
                    new[uuid],
                    [
                        Telling(
                            position=position,
                            version=version,
                            report_id=row["report_id"],
                            known_lower=bounds[row["report_id"]][0],
                            known_upper=bounds[row["report_id"]][1],
                            fields=row.get("fields", {}),
                            retraction=bool(row.get("retraction")),
                        )
                        for position, version, row in tellings
                    ],
                )
            ],
        )
        for chunk in _chunks(sorted(touched)):
            self._refold_many(c, chunk)

    def _published_bounds(self, c: Statements, report_ids: set[str]) -> dict[str, tuple[str, str]]:
        bounds: dict[str, tuple[str, str]] = {}
        for chunk in _chunks(sorted(report_ids)):
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
            "SELECT t.development_id, t.position, t.version, t.report_id, t.fields,"  # noqa: S608 - placeholders only
            " t.retraction, r.published_lower, r.published_upper, d.kind"
            " FROM tellings t JOIN reports r ON r.report_id = t.report_id"
            " JOIN developments d ON d.development_id = t.development_id"
            f" WHERE t.development_id IN ({marks}) AND t.voided_at IS NULL",
            development_ids,
        )
        grouped: dict[str, list[Any]] = {}
        for row in c.fetchall():
            grouped.setdefault(row["development_id"], []).append(row)
        c.execute(
            f"DELETE FROM versions WHERE development_id IN ({marks})",  # noqa: S608
            development_ids,
        )
        c.executemany(
            "INSERT INTO versions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                version_row
                for development_id, rows in grouped.items()
                for version_row in _version_rows(
                    development_id,
                    rows[0]["kind"],
                    [
                        Telling(
                            position=row["position"],
                            version=row["version"],
                            report_id=row["report_id"],
                            known_lower=row["published_lower"],
                            known_upper=row["published_upper"],
                            fields=orjson.loads(row["fields"]),
                            retraction=bool(row["retraction"]),
                        )
                        for row in rows
                    ],
                )
            ],
        )

    def _drop_if_schema_changed(self, raw_cursor: Any) -> None:
        c = Statements(raw_cursor, self.placeholder)
        c.execute("CREATE TABLE IF NOT EXISTS view_schema (version TEXT NOT NULL)")
        c.execute("SELECT version FROM view_schema")
        row = c.fetchone()
        if row is None or row["version"] != SCHEMA_VERSION:
            for table in VIEW_TABLES:
                c.execute(f"DROP TABLE IF EXISTS {table}")
            if self.tracking_table_exists:
                c.execute(
                    f"DELETE FROM {self.tracking_table} WHERE application_name != ?",  # noqa: S608
                    (self.table_migration_identifier,),
                )

    def _record_schema(self, raw_cursor: Any) -> None:
        c = Statements(raw_cursor, self.placeholder)
        c.execute("SELECT version FROM view_schema")
        row = c.fetchone()
        if row is None or row["version"] != SCHEMA_VERSION:
            c.execute("DELETE FROM view_schema")
            c.execute("INSERT INTO view_schema VALUES (?)", (SCHEMA_VERSION,))

    # -- transactions ------------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Apply many events in one transaction (each still tracked)."""
        if self._cursor is not None:
            yield
            return
        with self.datastore.transaction(commit=True) as cursor:
            self._begin(cursor)
            self._cursor = Statements(cursor, self.placeholder)
            try:
                yield
            finally:
                self._cursor = None

    @contextmanager
    def _writing(self, tracking: Tracking) -> Iterator[Statements]:
        # The tracking record first: if another process has applied this event already,
        # that fails cleanly (IntegrityError) before any view table is touched, and
        # holds off anyone else applying it until this transaction ends.
        if self._cursor is not None:
            self._insert_tracking(self._cursor.cursor, tracking)
            yield self._cursor
            return
        with self.datastore.transaction(commit=True) as cursor:
            self._begin(cursor)
            self._insert_tracking(cursor, tracking)
            yield Statements(cursor, self.placeholder)

    @contextmanager
    def _reading(self) -> Iterator[Statements]:
        if self._cursor is not None:  # inside a batch: see its own writes
            yield self._cursor
            return
        with self.datastore.transaction(commit=False) as cursor:
            self._begin(cursor)
            yield Statements(cursor, self.placeholder)

    @contextmanager
    def rebuilding(self, application_name: str) -> Iterator[None]:
        """One transaction that empties the read models and lets the caller feed them
        every event again (``apply_page`` and ``track`` inside): other readers see the
        old views until the new ones commit, and a failed rebuild changes nothing."""
        with self.datastore.transaction(commit=True) as cursor, self._bulk_cache(cursor):
            self._begin(cursor)
            self._lock_for_page(cursor)
            c = Statements(cursor, self.placeholder)
            for table in VIEW_TABLES:
                c.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            c.execute(
                f"DELETE FROM {self.tracking_table} WHERE application_name=?",  # noqa: S608
                (application_name,),
            )
            self._cursor = c
            try:
                yield
            finally:
                self._cursor = None

    @contextmanager
    def _bulk_cache(self, cursor: Any) -> Iterator[None]:
        """A bigger page cache for a long transaction, where the backend has one."""
        yield

    def reset(self, application_name: str) -> None:
        """Empty the read models and forget the tracking position (for a rebuild)."""
        with self.datastore.transaction(commit=True) as cursor:
            self._begin(cursor)
            c = Statements(cursor, self.placeholder)
            for table in VIEW_TABLES:
                c.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            c.execute(
                f"DELETE FROM {self.tracking_table} WHERE application_name=?",  # noqa: S608
                (application_name,),
            )

    # -- updates ---------------------------------------------------------------------

    @staticmethod
    def _put_aliases(c: Statements, actor_id: str, aliases: Sequence[str]) -> None:
        c.executemany(
            "INSERT INTO actor_aliases VALUES (?,?,?) ON CONFLICT DO NOTHING",
            [(alias.casefold(), alias, actor_id) for alias in aliases],
        )

    # -- queries ---------------------------------------------------------------------

    def position(self, application_name: str) -> int:
        if self._cursor is not None:  # a borrowed transaction: see its own writes
            self._cursor.execute(
                f"SELECT notification_id FROM {self.tracking_table}"  # noqa: S608
                " WHERE application_name = ?",
                (application_name,),
            )
            row = self._cursor.fetchone()
            return int(row["notification_id"]) if row else 0
        return self.max_tracking_id(application_name) or 0

    def resolve_actor(self, name: str) -> str | None:
        with self._reading() as c:
            c.execute("SELECT actor_id FROM actor_aliases WHERE alias_key=?", (name.casefold(),))
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
        with self._reading() as c:
            c.execute(
                "SELECT t.*, r.outlet, r.published, r.published_lower, r.published_upper"
                " FROM tellings t JOIN reports r ON r.report_id = t.report_id"
                " WHERE t.development_id=?"
                " ORDER BY r.published_upper, r.published_lower, t.position",
                (development_id,),
            )
            rows = [dict(row) for row in c.fetchall()]
        for row in rows:
            row["fields"] = orjson.loads(row["fields"])
        return rows

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

    def reports_possibly_known(self, known_at: str) -> list[str]:
        """Reports that may have been published by ``known_at`` but not certainly."""
        with self._reading() as c:
            c.execute(
                "SELECT report_id FROM reports WHERE published_lower <= ? AND ? < published_upper"
                " ORDER BY report_id",
                (known_at, known_at),
            )
            return [row["report_id"] for row in c.fetchall()]

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every view table, in key order: for comparing a kept view
        with a rebuilt one."""
        keys = {
            "reports": "report_id",
            "actors": "actor_id",
            "actor_aliases": "alias_key",
            "developments": "development_id",
            "tellings": "position",
            "versions": "development_id, known_from",
        }
        tables: dict[str, list[dict[str, Any]]] = {}
        with self._reading() as c:
            for table, key in keys.items():
                c.execute(f"SELECT * FROM {table} ORDER BY {key}")  # noqa: S608 - fixed names
                tables[table] = [dict(row) for row in c.fetchall()]
        return tables


class TrackerView(TrackerViewBase, SQLiteTrackingRecorder):
    """The tracker's view in the SQLite store."""

    @contextmanager
    def _bulk_cache(self, cursor: Any) -> Iterator[None]:
        # The indexes on development ids take random keys: with SQLite's default 2 MB
        # page cache, a rebuild of a big log re-reads index pages most of the time.
        cursor.execute("PRAGMA cache_size")
        default = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {default}")

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *SCHEMA]

    def _create_table(self, c: SQLiteCursor) -> None:
        self._drop_if_schema_changed(c)
        super()._create_table(c)
        self._record_schema(c)


def _version_rows(
    development_id: str, kind: str, tellings: Sequence[Telling]
) -> list[tuple[Any, ...]]:
    """The version rows of one development, folded from its standing tellings."""
    return [_version_row(development_id, kind, version) for version in fold(tellings)]


def _version_row(development_id: str, kind: str, version: Version) -> tuple[Any, ...]:
    fields = version.fields
    occurred_lower, occurred_upper = version.occurred_bounds
    status = fields.get("status")
    participants = fields.get("participants")
    # A planned call's "occurred" is when it is expected: it lists with next meetings.
    planned = fields.get("planned") or (
        fields.get("occurred") if kind == "call" and status == "planned" else None
    )
    upcoming = status in UPCOMING_STATUSES
    if upcoming:
        sort_key = (planned.get("instant") or planned["lower"]) if planned else version.first_known
    else:
        sort_key = (fields.get("occurred") or {}).get("instant") or occurred_lower
    return (
        development_id,
        kind,
        version.known_from,
        version.known_until,
        1 if version.retracted else 0,
        status,
        ",".join(participants) if participants else None,
        fields.get("subject"),
        fields.get("stance"),
        occurred_lower,
        occurred_upper,
        planned["lower"] if planned else None,
        planned["upper"] if planned else None,
        sort_key,
        version.first_known,
        version.account_count,
        dumps({"fields": fields, "reports": list(version.reports), "revisions": version.revisions}),
    )
