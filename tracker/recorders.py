"""The tracker's SQLite application recorder: the library's, with the log's hash chain
(tracker.chain) and a polling subscription so a follower can tail the log; and the
factory that gives it writers that queue for the write lock (tracker.sqlite_pool).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
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
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType

from tracker.chain import GENESIS, chain_rows
from tracker.chunks import IN_LIST, chunks
from tracker.sqlite_pool import (
    KEEP_JOURNAL_MODE,
    ImmediateConnectionPool,
    bulk_cache,
    start_store_file,
)

POLL_SECONDS = 0.2
# Rows fetched at a time by a reader that streams the log.
LOG_ROWS_BATCH = 2000


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

    # -- a bulk session's own transaction (see tracker.fast.bulk) -------------------------

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
