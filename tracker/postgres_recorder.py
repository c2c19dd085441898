"""The PostgreSQL application recorder with the log's hash chain (see recorders.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from tracker.recorders import GENESIS, chain_rows


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
        self._insert_chain = SQL("INSERT INTO {}.{} VALUES (%s, %s)").format(*table)
        self._select_existing = SQL(
            "SELECT DISTINCT originator_id FROM {}.{} WHERE originator_id = ANY(%s)"
        ).format(Identifier(datastore.schema), Identifier(events_table_name))
        self._select_chain = SQL(
            "SELECT notification_id, chain FROM {}.{} WHERE notification_id > %s"
            " ORDER BY notification_id LIMIT %s"
        ).format(*table)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if positions:
            # The insert holds the table's EXCLUSIVE lock: appends are serialised.
            curs.execute(self._select_last_chain)
            row = curs.fetchone()
            previous = row["chain"] if row else GENESIS
            curs.executemany(
                self._insert_chain, list(chain_rows(previous, positions, stored_events))
            )
        return positions

    def existing_originators(self, ids: Sequence[UUID]) -> set[UUID]:
        """Which of these aggregates have events."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_existing, (list(ids),))
            return {row["originator_id"] for row in curs.fetchall()}

    def select_chain(self, start: int, limit: int) -> list[tuple[int, str]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_chain, (start, limit))
            return [(row["notification_id"], row["chain"]) for row in curs.fetchall()]


class TrackerPostgresFactory(PostgresFactory):
    """The library's PostgreSQL persistence with the chained recorder
    (PERSISTENCE_MODULE names this class)."""

    application_recorder_class = ChainedPostgresApplicationRecorder
