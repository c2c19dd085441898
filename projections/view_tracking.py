"""Which events the view has applied, and its lifecycle: creating the tables (and
dropping them when the schema changed), a page's transaction and the lock it holds,
a transaction borrowed from the application, a rebuild, and the indexes a rebuild or a
first import builds once at its end."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from eventsourcing.persistence import Tracking

from projections.schema import (
    APPLIED_TABLE,
    KEY_INDEXES,
    QUERY_INDEXES,
    SCHEMA_VERSION,
    VIEW_TABLES,
)
from projections.view_transactions import Statements, ViewTransactions


class ViewTracking(ViewTransactions):
    """The tracking of the view's events and the lifecycle of its tables."""

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
