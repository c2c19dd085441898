"""The tracker's view in a PostgreSQL store: the same tables and SQL as in SQLite, on
the library's PostgreSQL tracking recorder (psycopg 3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.errors import LockNotAvailable
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from projections.view import SCHEMA, VIEW_TABLES, Statements, TrackerViewBase
from tracker.errors import StoreError


def postgres_statement(statement: str) -> str:
    """Text compares byte by byte, as in SQLite, whatever the database's locale: the
    ISO dates and ids the queries order and compare must sort the same on both."""
    return statement.replace(" TEXT", ' TEXT COLLATE "C"')


# Seconds a read waits for a lock on a view's table before it gives up, as long as a
# SQLite read waits for its store: a first import into an empty store holds its
# versions table until it commits (see PostgresTrackerView).
READ_LOCK_TIMEOUT = 5


class PostgresStatements(Statements):
    """Rows written in bulk say NULL with a NaN, for SQLite's sake (see
    ``projections.page.NULL``): PostgreSQL would take it for a float."""

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        try:
            super().execute(statement, params)
        except LockNotAvailable:
            raise StoreError(
                f"the store's views stayed locked for {READ_LOCK_TIMEOUT} s: an import"
                " into an empty store locks them until it ends"
            ) from None

    def executemany(self, statement: str, params: Sequence[Sequence[Any]]) -> None:
        super().executemany(
            statement,
            [
                [None if type(value) is float and value != value else value for value in row]
                for row in params
            ],
        )


class PostgresTrackerView(TrackerViewBase, PostgresTrackingRecorder):
    placeholder = "%s"
    statements = PostgresStatements
    # A rebuild keeps every index: its readers go on reading the old views. A first
    # import into an empty store still drops the query indexes and builds them at its
    # end (``loading_empty``): there are no views yet for anyone to read, and readers
    # wait for the import (READ_LOCK_TIMEOUT), as they do in SQLite, instead of reading
    # an empty store. At 100,000 accounts the import took 10.8-10.9 s instead of
    # 12.7-13.0 s; at a million, 113-116 s instead of 778 s.
    rebuild_keeps_indexes = True
    # The library names an application's events table after it: the Tracker's.
    log_table = "tracker_events"
    log_position = "notification_id"

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        # Quoted by psycopg: the SQL built around it takes it as text.
        self.tracking_table = Identifier(datastore.schema, self.tracking_table_name).as_string()
        self.sql_create_statements.extend(
            SQL(postgres_statement(statement)).format() for statement in SCHEMA
        )

    def _begin(self, cursor: Any) -> None:
        # The view's tables live in the store's schema, beside the library's own.
        cursor.execute(SQL("SET LOCAL search_path TO {}").format(Identifier(self.datastore.schema)))

    def _create_indexes(self, c: Statements, indexes: Sequence[tuple[str, str]]) -> None:
        for _, statement in indexes:
            c.execute(postgres_statement(statement))

    def _begin_reading(self, cursor: Any) -> None:
        super()._begin_reading(cursor)
        cursor.execute(SQL("SET LOCAL lock_timeout = {}").format(f"{READ_LOCK_TIMEOUT}s"))

    def _analyze(self, c: Statements) -> None:
        # Autovacuum analyzes a table some time after it changes: until then, a store
        # just imported or rebuilt had no statistics, and the planner scanned an index
        # of every version for a handful of ids (state at 100,000 accounts: 90 ms
        # instead of 34 ms). ANALYZE samples a fixed number of rows: 0.4 s there.
        for table in VIEW_TABLES:
            c.execute(f"ANALYZE {table}")

    def _lock_for_page(self, cursor: Any) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.tracking_table,))

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        self._begin(curs)
        self._drop_if_schema_changed(curs)
        super()._create_table(curs)
        self._record_schema(curs)
