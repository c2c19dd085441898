"""The tracker's materialised view: SQL tables in the store's own database, updated
in the same transaction as the tracking record of the event that changed them, so a
replay is idempotent and a crash never leaves a half-applied event.

``TrackerViewBase`` is composed of one part per topic, each a module holding its SQL:
the transactions and reading cursor (``view_transactions``), tracking and the
lifecycle of the tables (``view_tracking``), the write path (``view_writes``), and the
queries: versions, the catalogue of actors and reports, the state's counts, calls,
what is upcoming, history and changes. ``TrackerView`` is the SQLite tracking
recorder, ``projections.postgres_view`` the PostgreSQL one.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from eventsourcing.sqlite import SQLiteCursor, SQLiteTrackingRecorder

from projections.calls import CallQueries
from projections.catalogue import CatalogueQueries
from projections.changes import ChangeQueries
from projections.history import HistoryQueries
from projections.schema import (
    ACCOUNT_COLUMNS,
    KEY_INDEXES,
    PROJECTION_NAME,
    QUERY_INDEXES,
    SCHEMA,
    TABLE_KEYS,
    VIEW_TABLES,
)
from projections.state_counts import CountQueries
from projections.upcoming import UpcomingQueries
from projections.versions import VersionQueries
from projections.view_transactions import Statements
from projections.view_writes import ViewWrites
from tracker.sqlite_pool import bulk_cache, sorting_cache

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


class TrackerViewBase(
    ViewWrites,
    CallQueries,
    CountQueries,
    UpcomingQueries,
    ChangeQueries,
    HistoryQueries,
    CatalogueQueries,
    VersionQueries,
):
    """Tables of reports, actors, tellings and knowledge-time versions of developments.

    Mixed into a backend's tracking recorder, whose ``datastore``, ``_insert_tracking``
    and ``max_tracking_id`` it uses.
    """


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
