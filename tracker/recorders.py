"""The tracker's application recorders: the library's, with a hash chain over the log
and, for SQLite, a polling subscription so a follower can tail the log.

Every event appended gets a row in a hash table, in the same transaction:
``chain = sha256(previous chain, position, originator id, version, topic, state)``.
Inserts are serialised (SQLite's write lock, PostgreSQL's table lock), so the chain is
the log's order. ``tracker verify`` recomputes it: an event edited, deleted or moved
behind the tracker's back breaks the chain at that position.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    ListenNotifySubscription,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
    SQLiteTransaction,
)
from eventsourcing.utils import Environment, EnvType

from tracker.chunks import IN_LIST, chunks

GENESIS = "0" * 64
POLL_SECONDS = 0.2
SORT_THREADS = 2
SORTING_CACHE_KIB = 2000  # SQLite's default
BULK_CACHE_KIB = 144 * 1024  # with it, a million-account import peaks under 500 MB
# The page size of a new store (SQLite's default is 4096). A rebuild writes the views'
# rows in one transaction and then builds each query index by reading the whole
# versions table: with four times fewer pages to find, read and write, a million
# versions with their indexes took 7.6 against 9.1-11.4 s.
PAGE_SIZE = 16384
# Rows fetched at a time by a reader that streams the log.
LOG_ROWS_BATCH = 2000


@contextmanager
def bulk_cache(cursor: Any) -> Iterator[None]:
    """A page cache big enough for a long transaction of inserts (an import, a
    rebuild): the indexes on development ids take random keys, and with SQLite's default
    2 MB cache a million-account import spent most of its time re-reading index pages."""
    cursor.execute("PRAGMA cache_size")
    default = int(cursor.fetchone()[0])
    cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {default}")


@contextmanager
def sorting_cache(cursor: Any) -> Iterator[None]:
    """For building indexes over a large table: with a cache big enough to hold all the
    keys, SQLite sorts them in memory on one thread; with a small one it sorts runs and
    merges them on ``SORT_THREADS`` threads. The twelve query indexes of a
    million-account store took 8.7 s with the bulk cache, 6.0 s this way."""
    cursor.execute("PRAGMA cache_size")
    before = int(cursor.fetchone()[0])
    cursor.execute(f"PRAGMA cache_size = -{SORTING_CACHE_KIB}")
    cursor.execute(f"PRAGMA threads = {SORT_THREADS}")
    try:
        yield
    finally:
        cursor.execute("PRAGMA threads = 0")
        cursor.execute(f"PRAGMA cache_size = {before}")


# A helper process of an import sets this in its environment: the store it opens may
# be in the rollback journal mode an import into an empty store puts it in.
KEEP_JOURNAL_MODE = "SQLITE_KEEP_JOURNAL_MODE"
# The rollback journal an import into an empty store is written with.
LOADING_JOURNAL_MODE = "truncate"


@contextmanager
def rollback_journal(pools: Sequence[ImmediateConnectionPool]) -> Iterator[bool]:
    """The store in a rollback journal mode for the duration, when no other connection
    has it open; whether it is. For a long transaction that fills an empty store.

    In WAL mode, a transaction larger than the page cache spills its pages into the
    WAL, finds every page it reads again among the WAL's frames, and at its end the
    checkpoint writes the whole store a second time: a million-account import
    wrote 2 GB twice. A rollback journal keeps only the pages the transaction changes
    that existed before it: in an empty store, next to none. A crash leaves a journal
    that rolls the store back to empty, and then the library puts it back in WAL mode.
    Meanwhile other processes cannot read the store: they wait for the lock.
    """
    if not _set_journal_mode(pools, LOADING_JOURNAL_MODE):
        yield False
        return
    try:
        yield True
    finally:
        _set_journal_mode(pools, "wal")


def _set_journal_mode(pools: Sequence[ImmediateConnectionPool], mode: str) -> bool:
    # Every other connection must be closed: each connection to a store in WAL mode
    # holds a shared lock that keeps it in WAL mode.
    for pool in pools:
        pool.close_idle()
        pool.is_journal_mode_wal = True  # new connections: leave the mode as it is
    connection = pools[0].get_connection()
    try:
        row = connection._sqlite_conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()
    except sqlite3.OperationalError:
        return False  # another connection, perhaps another process's, has it open
    finally:
        pools[0].put_connection(connection)
    return str(row[0]).lower() == mode


def chain_hash(previous: str, position: int, event: StoredEvent) -> str:
    originator = (
        event.originator_id.hex if isinstance(event.originator_id, UUID) else event.originator_id
    )
    parts = (
        previous.encode(),
        str(position).encode(),
        str(originator).encode(),
        str(event.originator_version).encode(),
        event.topic.encode(),
        bytes(event.state),
    )
    # Each part preceded by its length, so that no two different events hash alike.
    return hashlib.sha256(
        b"".join(len(part).to_bytes(8, "big") + part for part in parts)
    ).hexdigest()


def chain_rows(
    previous: str, positions: Sequence[int], events: Sequence[StoredEvent]
) -> Iterator[tuple[int, str]]:
    for position, event in zip(positions, events, strict=True):
        previous = chain_hash(previous, position, event)
        yield position, previous


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        self.hashes_table_name = "event_hashes"
        super().__init__(datastore, events_table_name)
        self._listeners: list[threading.Event] = []
        self._listeners_lock = threading.Lock()

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.hashes_table_name} ("
            "notification_id INTEGER PRIMARY KEY, chain TEXT NOT NULL)",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """All the events in one ``executemany`` (the library inserts them one by one to
        read each row id): under the write lock SQLite gives the new rows the ids
        after the largest one, in order, so the positions are known from the largest
        id before and after."""
        if not stored_events:
            return []
        c.execute(self.select_max_notification_id_statement)
        before = c.fetchone()[0] or 0
        c.executemany(
            self.insert_events_statement,
            [
                (
                    s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                    s.originator_version,
                    s.topic,
                    s.state,
                )
                for s in stored_events
            ],
        )
        c.execute(self.select_max_notification_id_statement)
        after = c.fetchone()[0]
        if after != before + len(stored_events):  # pragma: no cover - SQLite's rowid rule
            raise PersistenceError(
                f"appended {len(stored_events)} events after position {before} but the log"
                f" now ends at {after}"
            )
        positions = range(before + 1, after + 1)
        c.execute(
            f"SELECT chain FROM {self.hashes_table_name}"  # noqa: S608 - fixed name
            " ORDER BY notification_id DESC LIMIT 1"
        )
        row = c.fetchone()
        c.executemany(
            f"INSERT INTO {self.hashes_table_name} VALUES (?, ?)",  # noqa: S608
            list(chain_rows(row[0] if row else GENESIS, positions, stored_events)),
        )
        return list(positions)

    # -- a bulk session's own transaction (see tracker.bulk) ------------------------------

    def append_on(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]) -> Sequence[int]:
        """Append in the caller's transaction; the events' log positions."""
        positions = self._insert_events(c, stored_events)
        self._notify_listeners()
        return positions or []

    def bulk_cache(self, c: SQLiteCursor) -> AbstractContextManager[None]:
        return bulk_cache(c)

    def last_position_on(self, c: SQLiteCursor) -> int:
        c.execute(self.select_max_notification_id_statement)
        return int(c.fetchone()[0] or 0)

    def restart_positions_on(self, c: SQLiteCursor) -> None:
        """Nothing to do: SQLite numbers a row after the largest there is, so an empty
        log's first event is at 1 whatever was rolled back before."""

    def events_on(self, c: SQLiteCursor, ids: Sequence[UUID]) -> Iterator[StoredEvent]:
        """The stored events of these aggregates, each aggregate's in order."""
        for run in chunks(ids, IN_LIST):
            chunk = [uuid.hex for uuid in run]
            marks = ",".join("?" * len(chunk))
            c.execute(
                "SELECT originator_id, originator_version, topic, state"  # noqa: S608
                f" FROM {self.events_table_name} WHERE originator_id IN ({marks})"
                " ORDER BY originator_id, originator_version",
                chunk,
            )
            for row in c.fetchall():
                yield StoredEvent(UUID(row[0]), row[1], row[2], row[3])

    def _notify_listeners(self) -> None:
        with self._listeners_lock:
            for listener in self._listeners:
                listener.set()

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super().insert_events(stored_events, **kwargs)
        self._notify_listeners()
        return positions

    def last_chained_position(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT max(notification_id) FROM {self.hashes_table_name}")  # noqa: S608
            return int(c.fetchone()[0] or 0)

    def select_chain(self, start: int, limit: int) -> list[tuple[int, str]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT notification_id, chain FROM {self.hashes_table_name}"  # noqa: S608
                " WHERE notification_id > ? ORDER BY notification_id LIMIT ?",
                (start, limit),
            )
            return [(row[0], row[1]) for row in c.fetchall()]

    def select_rows_by_originator(
        self, upto: int, topic_prefix: str, low: UUID | None, high: UUID | None
    ) -> Iterator[tuple[int, str, int, str, bytes]]:
        """The log's events up to ``upto`` whose topics start with ``topic_prefix`` (the
        events of one aggregate class) and whose originators' ids lie from ``low`` up to
        ``high`` (either open when None), as rows, each originator's together and in
        order, a batch at a time in one read transaction.

        SQLite sorts the rows it scans: half a million-account log in 1.3 s. Read by the
        primary key's index instead, each row is a seek of its own: 3.0 s."""
        conditions = ["rowid <= ?", "substr(topic, 1, ?) = ?"]
        params: list[Any] = [upto, len(topic_prefix), topic_prefix]
        if low is not None:
            conditions.append("originator_id >= ?")
            params.append(low.hex)
        if high is not None:
            conditions.append("originator_id < ?")
            params.append(high.hex)
        yield from self._rows(
            "SELECT rowid, originator_id, originator_version, topic, state"  # noqa: S608
            f" FROM {self.events_table_name} NOT INDEXED WHERE {' AND '.join(conditions)}"
            " ORDER BY originator_id, originator_version",
            params,
        )

    def select_rows_not_of(
        self, upto: int, topic_prefix: str
    ) -> Iterator[tuple[int, str, int, str, bytes]]:
        """The log's events up to ``upto`` whose topics do not start with
        ``topic_prefix``, as rows in log order, a batch at a time."""
        yield from self._rows(
            "SELECT rowid, originator_id, originator_version, topic, state"  # noqa: S608
            f" FROM {self.events_table_name} WHERE rowid <= ? AND substr(topic, 1, ?) <> ?"
            " ORDER BY rowid",
            (upto, len(topic_prefix), topic_prefix),
        )

    def _rows(
        self, statement: str, params: Sequence[Any]
    ) -> Iterator[tuple[int, str, int, str, bytes]]:
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None  # plain tuples, as the rows are given
            cursor.execute(statement, params)
            while rows := cursor.fetchmany(LOG_ROWS_BATCH):
                yield from rows

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> PollingSubscription:
        return PollingSubscription(self, gt=gt, topics=topics)

    def listen(self, event: threading.Event) -> None:
        with self._listeners_lock:
            self._listeners.append(event)

    def unlisten(self, event: threading.Event) -> None:
        with self._listeners_lock:
            if event in self._listeners:
                self._listeners.remove(event)


class PollingSubscription(ListenNotifySubscription[ApplicationRecorder]):
    """SQLite cannot notify another process of an insert: look every POLL_SECONDS, and
    at once when this process appends."""

    def __init__(
        self,
        recorder: ChainedSQLiteApplicationRecorder,
        gt: int | None = None,
        topics: Sequence[str] = (),
    ) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._chained = recorder
        recorder.listen(self._has_been_notified)
        self._stopping = threading.Event()
        self._poll_thread = threading.Thread(target=self._poll, daemon=True)
        self._poll_thread.start()

    def _poll(self) -> None:
        while not self._stopping.wait(POLL_SECONDS):
            self._has_been_notified.set()

    def stop(self) -> None:
        self._stopping.set()
        self._chained.unlisten(self._has_been_notified)
        super().stop()

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._poll_thread.join()


class ImmediateTransaction(SQLiteTransaction):
    """A writing transaction takes SQLite's write lock when it begins.

    The library begins every transaction DEFERRED: one that reads and then writes, while
    another process commits in between, fails at once with "database is locked" instead
    of waiting its turn. Taking the lock first makes writers queue (up to the lock
    timeout); readers are unaffected.
    """

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE" if self.commit else "BEGIN")
        return cursor


class ImmediateConnection(SQLiteConnection):
    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        with ImmediateTransaction(self, commit=commit) as curs, curs:
            yield curs


class ImmediateConnectionPool(SQLiteConnectionPool):
    def close_idle(self) -> None:
        """Close the connections waiting in the pool (those in use stay open)."""
        with self._put_condition:
            while self._pool:
                self._pool.popleft().close()

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        sqlite_conn = connection._sqlite_conn
        # Debian's SQLite is built with SECURE_DELETE, which zeroes every page a delete
        # frees: emptying the views for a rebuild took 6 s of a million-event rebuild.
        # Nothing the tracker deletes is secret (the views are derived from an
        # append-only log), so freed pages are left as they are.
        sqlite_conn.execute("PRAGMA secure_delete = OFF")
        return ImmediateConnection(sqlite_conn, max_age=self.max_age)


def start_store_file(db_name: str) -> None:
    """Write the header of a store that does not exist yet, with the tracker's page
    size: it can only be set before the first table, and SQLite refuses to change it
    once in WAL mode, which the library puts a store in as it first connects."""
    if ":memory:" in db_name or db_name.startswith("file:"):
        return
    path = Path(db_name)
    if path.exists() and path.stat().st_size:
        return
    try:
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            connection.execute("PRAGMA journal_mode = WAL")
        finally:
            connection.close()
    except sqlite3.Error:
        return  # a folder it cannot write to, say: the library's own connection says so


class TrackerSQLiteFactory(SQLiteFactory):
    """The library's SQLite persistence with the chained recorder and writers that
    queue for the write lock (PERSISTENCE_MODULE names this class)."""

    application_recorder_class = ChainedSQLiteApplicationRecorder

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        stock = self.datastore
        self.datastore = SQLiteDatastore(
            db_name=stock.pool.db_name,
            lock_timeout=stock.pool.lock_timeout,
            single_row_tracking=stock.single_row_tracking,
            originator_id_type=stock.originator_id_type,
        )
        stock.close()
        self.datastore.pool.close()
        if self.env_create_table():
            start_store_file(stock.pool.db_name)
        self.datastore.pool = ImmediateConnectionPool(
            db_name=stock.pool.db_name, lock_timeout=stock.pool.lock_timeout
        )
        if self.env.get(KEEP_JOURNAL_MODE) == "yes":
            # Tells the library the store is in WAL mode already, so that it does not
            # wait for the write lock to put it back while an import holds it.
            self.datastore.pool.is_journal_mode_wal = True
