"""Large appends on PostgreSQL: one save of tens of thousands of events (an import)
must finish, in one transaction, with the same positions and hash chain as a small one.

The library's recorder sent such a save as one INSERT in pipeline mode and hung for
ever in psycopg's pipeline sync (every time from about 10 MB of events: 30,000 events
of 300 bytes). Each append here runs on a thread with a deadline, so a hang fails the
test instead of blocking the suite.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresDatastore

from projections.view import VIEW_TABLES
from tests.conftest import FIXTURE_FILES
from tests.postgres_server import PostgresServer
from tests.test_recorders import assert_chain_unbroken
from tracker.postgres_recorder import INSERT_CHUNK, ChainedPostgresApplicationRecorder

# Seconds an append may take: a few on a busy machine; a hang never ends.
DEADLINE = 90.0
LARGE = 40_000


@pytest.fixture
def schema(postgres_server: PostgresServer) -> Iterator[str]:
    name = f"bulk_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
    yield name
    with (
        psycopg.connect(postgres_server.url, autocommit=True) as connection,
        contextlib.suppress(psycopg.errors.LockNotAvailable),
    ):
        # After a hang that could not be ended, leave the schema to the server's removal.
        connection.execute("SET lock_timeout = '5s'")
        connection.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture
def recorder(
    postgres_server: PostgresServer, schema: str
) -> Iterator[ChainedPostgresApplicationRecorder]:
    datastore = PostgresDatastore(
        dbname="postgres",
        host="127.0.0.1",
        port=str(postgres_server.port),
        user="postgres",
        password="",
        schema=schema,
    )
    recorder = ChainedPostgresApplicationRecorder(datastore, "tracker_events")
    recorder.create_table()
    yield recorder
    datastore.close()


def within_deadline(server: PostgresServer, schema: str, work: Callable[[], Any]) -> Any:
    """``work()``'s result, or its exception; a test failure if it has not returned by
    the deadline (its connections are then ended, so that the thread ends too)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as error:  # raised again on the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    if thread.is_alive():
        # End the hung append's connection. The library retries an append whose
        # connection was lost (up to ten times), so end each new attempt too.
        give_up = time.monotonic() + DEADLINE
        while thread.is_alive() and time.monotonic() < give_up:
            end_lock_holders(server, schema)
            thread.join(0.5)
        pytest.fail(f"the append did not finish in {DEADLINE:.0f} s (a hang)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def end_lock_holders(server: PostgresServer, schema: str) -> None:
    """End the connections that hold a lock on a table of the schema."""
    with psycopg.connect(server.url, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(l.pid) FROM pg_locks l"
            " JOIN pg_class c ON c.oid = l.relation"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND l.pid <> pg_backend_pid()",
            (schema,),
        )


def events(count: int, size: int = 300) -> list[StoredEvent]:
    """New aggregates' first events, each with a state of ``size`` bytes."""
    return [
        StoredEvent(
            uuid.uuid4(),
            1,
            "tracker.domain:Development.Recorded",
            uuid.uuid4().bytes * (size // 16),
        )
        for _ in range(count)
    ]


class TestPostgresBulkAppend:
    def test_a_large_save_finishes_with_contiguous_positions_and_an_unbroken_chain(
        self,
        postgres_server: PostgresServer,
        schema: str,
        recorder: ChainedPostgresApplicationRecorder,
    ) -> None:
        first = events(3)
        large = events(LARGE)
        assert within_deadline(postgres_server, schema, lambda: recorder.insert_events(first)) == [
            1,
            2,
            3,
        ]
        positions = within_deadline(postgres_server, schema, lambda: recorder.insert_events(large))
        # The positions after the log's end, in the order of the events given.
        assert positions == list(range(4, 4 + LARGE))
        stored = recorder.select_notifications(start=4, limit=LARGE + 10)
        assert [(n.id, n.originator_id, n.state) for n in stored] == [
            (position, event.originator_id, event.state)
            for position, event in zip(positions, large, strict=True)
        ]
        # A later append carries on the same chain.
        last = events(2)
        assert within_deadline(postgres_server, schema, lambda: recorder.insert_events(last)) == [
            4 + LARGE,
            5 + LARGE,
        ]
        assert_chain_unbroken(recorder)

    def test_a_save_of_large_events_finishes(
        self,
        postgres_server: PostgresServer,
        schema: str,
        recorder: ChainedPostgresApplicationRecorder,
    ) -> None:
        # Few events, but a chunk of them is far more than a socket's buffer.
        large = events(400, size=64 * 1024)
        positions = within_deadline(postgres_server, schema, lambda: recorder.insert_events(large))
        assert positions == list(range(1, 401))
        assert_chain_unbroken(recorder)

    def test_a_large_save_is_all_or_nothing(
        self,
        postgres_server: PostgresServer,
        schema: str,
        recorder: ChainedPostgresApplicationRecorder,
    ) -> None:
        """A conflict in the last chunk undoes the chunks inserted before it."""
        existing = events(1)
        recorder.insert_events(existing)
        chain_before = recorder.select_chain(0, 10)
        batch = [*events(2 * INSERT_CHUNK + 10), existing[0]]
        with pytest.raises(IntegrityError):
            within_deadline(postgres_server, schema, lambda: recorder.insert_events(batch))
        assert recorder.max_notification_id() == 1
        assert recorder.select_chain(0, 10) == chain_before
        # The store is usable after: the next append follows (positions may skip).
        after = recorder.insert_events(events(1))
        assert after is not None
        assert after[0] > 1
        assert_chain_unbroken(recorder)


def planner_rows(server: PostgresServer, schema: str) -> dict[str, float]:
    """Each view table's row count as the planner knows it (-1: never analyzed)."""
    with psycopg.connect(server.url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT c.relname, c.reltuples FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relname = ANY(%s)",
            (schema, list(VIEW_TABLES)),
        ).fetchall()
    return {name: float(count) for name, count in rows}


def run_tracker(store_url: str, *args: str) -> None:
    from click.testing import CliRunner

    from tracker.cli import main

    result = CliRunner().invoke(main, ["--store", store_url, *args])
    assert result.exit_code == 0, result.output


def test_a_large_import_and_a_rebuild_leave_the_views_analyzed(
    postgres_server: PostgresServer, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without statistics the planner scanned an index of every version for a handful
    # of ids, until autovacuum came by.
    import tracker.fast.bulk

    store_url = postgres_server.store_url(schema)
    monkeypatch.setattr(tracker.fast.bulk, "REFRESH_STATISTICS_MIN_EVENTS", 90)
    run_tracker(store_url, "import", *(str(path) for path in FIXTURE_FILES))
    counted = planner_rows(postgres_server, schema)
    assert sorted(counted) == sorted(VIEW_TABLES)
    assert counted["tellings"] == 74
    assert counted["reports"] > 0
    with psycopg.connect(postgres_server.url, autocommit=True) as connection:
        for table in VIEW_TABLES:  # forget the statistics: a rebuild must gather them again
            connection.execute(
                "UPDATE pg_class SET reltuples = -1 WHERE relname = %s"
                " AND relnamespace = %s::regnamespace",
                (table, schema),
            )
    run_tracker(store_url, "rebuild")
    assert planner_rows(postgres_server, schema)["tellings"] == 74
