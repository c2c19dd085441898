"""The PostgreSQL application recorder with the log's hash chain (see chain.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier

from tracker.chain import GENESIS, chain_rows
from tracker.chunks import IN_LIST, chunks
from tracker.recorders import LOG_ROWS_BATCH

# Events per INSERT statement of an append: a few megabytes of parameters at most for
# ordinary events, so a large save is a run of moderate statements, not one huge one.
INSERT_CHUNK = 5000


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    def __init__(
        self, datastore: PostgresDatastore, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.hashes_table_name = f"{events_table_name}_hashes"
        self.check_identifier_length(self.hashes_table_name)
        table = (Identifier(datastore.schema), Identifier(self.hashes_table_name))
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} ("
                "notification_id BIGINT PRIMARY KEY, chain TEXT NOT NULL)"
            ).format(*table)
        )
        self._select_last_chain = SQL(
            "SELECT chain FROM {}.{} ORDER BY notification_id DESC LIMIT 1"
        ).format(*table)
        self._insert_chains = SQL(
            "INSERT INTO {}.{} (notification_id, chain)"
            " SELECT * FROM unnest(%s::bigint[], %s::text[])"
        ).format(*table)
        self._events_table = Identifier(datastore.schema, events_table_name).as_string()
        self._select_events_of = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {}.{}"
            " WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
        ).format(Identifier(datastore.schema), Identifier(events_table_name))
        self._select_last_chained_position = SQL(
            "SELECT max(notification_id) AS max FROM {}.{}"
        ).format(*table)
        self._select_chain = SQL(
            "SELECT notification_id, chain FROM {}.{} WHERE notification_id > %s"
            " ORDER BY notification_id LIMIT %s"
        ).format(*table)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Append the events and their hash chain in one transaction, holding the
        table's EXCLUSIVE lock as the library does, but without its pipeline mode.

        The library sends all the events as one INSERT inside a pipeline and then
        syncs it. psycopg's pipeline loop stops writing once its queue of commands is
        empty even if libpq still holds unsent bytes, and then waits for a reply: with
        a statement of more than a few megabytes (20,000 events of 300 bytes hung most
        times, 30,000 every time) the server waits for the rest of the statement and
        the client for an answer, for ever (like psycopg issue #685). Outside a
        pipeline a statement is sent whole before the reply is awaited; the events go
        in statements of ``INSERT_CHUNK`` so that none is huge.

        The library's database-function path (``enable_db_functions``) is not used: it
        would append events without their hash chain.
        """
        if not stored_events:
            return []
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            return self._append(curs, stored_events)

    def _append(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent]) -> list[int]:
        """Insert the events and their chain in the cursor's transaction; their log
        positions, in order."""
        # Serialise appends: each transaction takes its positions and commits before
        # another takes any, so readers never pass a gap filled in later; listeners on
        # the channel are told when the transaction commits.
        self._lock_table(curs)
        self._notify_channel(curs)
        positions: list[int] = []
        for chunk in chunks(stored_events, INSERT_CHUNK):
            curs.execute(
                self.insert_events_statement,
                (
                    [
                        self.construct_pg_stored_event(
                            event.originator_id,
                            event.originator_version,
                            event.topic,
                            event.state,
                        )
                        for event in chunk
                    ],
                ),
            )
            returned = [row["notification_id"] for row in curs.fetchall()]
            if len(returned) != len(chunk):
                msg = f"inserted {len(chunk)} events but got {len(returned)} notification IDs"
                raise ProgrammingError(msg)
            positions.extend(returned)
        curs.execute(self._select_last_chain)
        row = curs.fetchone()
        chained = list(chain_rows(row["chain"] if row else GENESIS, positions, stored_events))
        for links in chunks(chained, INSERT_CHUNK):
            curs.execute(
                self._insert_chains,
                ([position for position, _ in links], [chain for _, chain in links]),
            )
        return positions

    # -- a bulk session's own transaction (see tracker.fast.bulk) -------------------------

    def append_on(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent]) -> list[int]:
        """Append in the caller's transaction; the events' log positions."""
        return self._append(curs, stored_events) if stored_events else []

    def last_position_on(self, curs: Cursor[DictRow]) -> int:
        """The log's last position, read holding the append lock until the caller's
        transaction ends (SQLite's IMMEDIATE transaction holds it from the start)."""
        self._lock_table(curs)
        curs.execute(self.max_notification_id_statement)
        row = curs.fetchone()
        return int(row["max"] or 0) if row else 0

    def restart_positions_on(self, curs: Cursor[DictRow]) -> None:
        """Number an empty log's events from 1 again. The sequence that numbers them is
        not rolled back with a transaction: after an append that failed or was killed
        (a copy, a first import), the next would start past the positions it took, and
        a copy would not keep its source's. For the caller's transaction, holding the
        append lock, on a log it found empty."""
        self._lock_table(curs)
        curs.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), 1, false)",
            (self._events_table,),
        )

    def events_on(self, curs: Cursor[DictRow], ids: Sequence[UUID]) -> Iterator[StoredEvent]:
        """The stored events of these aggregates, each aggregate's in order."""
        for chunk in chunks(ids, IN_LIST):
            curs.execute(self._select_events_of, (list(chunk),))
            for row in curs.fetchall():
                yield StoredEvent(
                    row["originator_id"], row["originator_version"], row["topic"], row["state"]
                )

    @contextmanager
    def bulk_cache(self, curs: Cursor[DictRow]) -> Iterator[None]:
        """Nothing to tune: the server sizes its own buffers."""
        yield

    def select_rows_by_originator(
        self, upto: int, topic_prefix: str, low: UUID | None, high: UUID | None
    ) -> Iterator[tuple[int, UUID, int, str, bytes]]:
        """As ``ChainedSQLiteApplicationRecorder.select_rows_by_originator``, read by
        the primary key's index."""
        conditions = ["notification_id <= %s", "starts_with(topic, %s)"]
        params: list[Any] = [upto, topic_prefix]
        if low is not None:
            conditions.append("originator_id >= %s")
            params.append(low)
        if high is not None:
            conditions.append("originator_id < %s")
            params.append(high)
        yield from self._rows(
            f"WHERE {' AND '.join(conditions)} ORDER BY originator_id, originator_version",
            params,
        )

    def select_rows_not_of(
        self, upto: int, topic_prefix: str
    ) -> Iterator[tuple[int, UUID, int, str, bytes]]:
        """As ``ChainedSQLiteApplicationRecorder.select_rows_not_of``."""
        yield from self._rows(
            "WHERE notification_id <= %s AND NOT starts_with(topic, %s) ORDER BY notification_id",
            (upto, topic_prefix),
        )

    def _rows(
        self, condition: str, params: Sequence[Any]
    ) -> Iterator[tuple[int, UUID, int, str, bytes]]:
        """The log's rows that ``condition`` picks, through a server-side cursor: in one
        transaction, without the whole result in memory."""
        statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state"  # noqa: S608
            " FROM {}.{} " + condition
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        with (
            self.datastore.get_connection() as connection,
            connection.transaction(force_rollback=True),
            connection.cursor(name="tracker_log_rows", row_factory=tuple_row) as cursor,
        ):
            cursor.itersize = LOG_ROWS_BATCH
            cursor.execute(statement, params)
            for row in cursor:
                yield (row[0], row[1], row[2], row[3], bytes(row[4]))

    def last_chained_position(self) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_last_chained_position)
            row = curs.fetchone()
            return int(row["max"] or 0) if row else 0

    def select_chain(self, start: int, limit: int) -> list[tuple[int, str]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_chain, (start, limit))
            return [(row["notification_id"], row["chain"]) for row in curs.fetchall()]


class TrackerPostgresFactory(PostgresFactory):
    """The library's PostgreSQL persistence with the chained recorder
    (PERSISTENCE_MODULE names this class)."""

    application_recorder_class = ChainedPostgresApplicationRecorder
