"""The tracker's application recorders pass the library's own ApplicationRecorderTestCase
(including the optional subscription test), on SQLite and on PostgreSQL, and keep an
unbroken hash chain under concurrent appends."""

from __future__ import annotations

import sqlite3
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import ApplicationRecorderTestCase

from tests.postgres_server import PostgresServer
from tracker.application import Tracker
from tracker.chain import GENESIS, chain_hash
from tracker.postgres_recorder import ChainedPostgresApplicationRecorder
from tracker.recorders import ChainedSQLiteApplicationRecorder
from tracker.sqlite_pool import PAGE_SIZE, SORT_THREADS, SORTING_CACHE_KIB, sorting_cache
from tracker.store import StoreLocation


def assert_chain_unbroken(recorder: Any) -> None:
    notifications = recorder.select_notifications(start=None, limit=1_000_000)
    chain = recorder.select_chain(0, 1_000_000)
    assert [position for position, _ in chain] == [n.id for n in notifications]
    previous = GENESIS
    for notification, (_, recorded) in zip(notifications, chain, strict=True):
        previous = chain_hash(previous, notification.id, notification)
        assert recorded == previous


class TestChainedSQLiteApplicationRecorder(
    ApplicationRecorderTestCase[ChainedSQLiteApplicationRecorder]
):
    def setUp(self) -> None:
        super().setUp()
        # Not removed in tearDown: the library's concurrency tests may leave a reader
        # thread running briefly, and closing its SQLite connection under it crashes.
        self.folder = tempfile.mkdtemp(prefix="tracker-recorder-")

    def create_recorder(self) -> ChainedSQLiteApplicationRecorder:
        datastore = SQLiteDatastore(str(Path(self.folder) / "log.db"), lock_timeout=30)
        recorder = ChainedSQLiteApplicationRecorder(datastore)
        recorder.create_table()
        return recorder

    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()

    def test_chain_after_concurrent_appends(self) -> None:
        recorder = self.create_recorder()
        append_concurrently(recorder)
        assert_chain_unbroken(recorder)


def append_concurrently(recorder: Any, threads: int = 4, batches: int = 25) -> None:
    def work() -> None:
        for _ in range(batches):
            originator = uuid.uuid4()
            recorder.insert_events(
                [StoredEvent(originator, version, "topic", b"state") for version in (1, 2, 3)]
            )

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert recorder.max_notification_id() >= threads * batches * 3


@pytest.fixture(scope="class")
def postgres_for_class(request: pytest.FixtureRequest, postgres_server: PostgresServer) -> None:
    request.cls.server = postgres_server


@pytest.mark.usefixtures("postgres_for_class")
class TestChainedPostgresApplicationRecorder(
    ApplicationRecorderTestCase[ChainedPostgresApplicationRecorder]
):
    server: PostgresServer
    EXPECT_CONTIGUOUS_NOTIFICATION_IDS = False

    def setUp(self) -> None:
        super().setUp()
        self.schema = f"r_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.server.url, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{self.schema}"')
        self.datastores: list[PostgresDatastore] = []

    def tearDown(self) -> None:
        for datastore in self.datastores:
            datastore.close()
        super().tearDown()

    def create_recorder(self) -> ChainedPostgresApplicationRecorder:
        datastore = PostgresDatastore(
            dbname="postgres",
            host="127.0.0.1",
            port=str(self.server.port),
            user="postgres",
            password="",
            schema=self.schema,
            pool_size=6,
            max_overflow=6,
        )
        self.datastores.append(datastore)
        recorder = ChainedPostgresApplicationRecorder(datastore, "tracker_events")
        recorder.create_table()
        return recorder

    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()

    def test_chain_after_concurrent_appends(self) -> None:
        recorder = self.create_recorder()
        append_concurrently(recorder)
        assert_chain_unbroken(recorder)


def pragma(cursor: Any, name: str) -> int:
    cursor.execute(f"PRAGMA {name}")
    return int(cursor.fetchone()[0])


def test_sqlite_store_connections_leave_freed_pages_unzeroed(sqlite_store_url: str) -> None:
    # Debian builds SQLite with SECURE_DELETE on; emptying the views for a rebuild then
    # wrote zeros over every freed page.
    tracker = Tracker.open(StoreLocation.parse(sqlite_store_url))
    try:
        for datastore in (tracker.view.datastore, tracker.recorder.datastore):
            with datastore.transaction(commit=False) as cursor:
                assert pragma(cursor, "secure_delete") == 0
    finally:
        tracker.close()


def test_a_new_store_takes_the_trackers_page_size_and_an_old_one_keeps_its_own(
    tmp_path: Path,
) -> None:
    new, old = tmp_path / "new.db", tmp_path / "old.db"
    SQLiteDatastore(str(old)).close()  # the library's own store, at SQLite's default
    sqlite3.connect(old).execute("CREATE TABLE elsewhere (x)").connection.close()
    for path in (new, old):
        tracker = Tracker.open(StoreLocation.parse(f"sqlite:///{path}"))
        try:
            tracker.catch_up()
            with tracker.recorder.datastore.transaction(commit=False) as cursor:
                page_size = pragma(cursor, "page_size")
                cursor.execute("PRAGMA journal_mode")
                sizes = page_size, str(cursor.fetchone()[0])
        finally:
            tracker.close()
        assert sizes == ((PAGE_SIZE if path == new else 4096), "wal")


def test_sorting_cache_sorts_on_helper_threads_and_restores_the_cache(tmp_path: Path) -> None:
    datastore = SQLiteDatastore(str(tmp_path / "sort.db"))
    try:
        with datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA cache_size = -50000")
            with sorting_cache(cursor):
                assert pragma(cursor, "threads") == SORT_THREADS
                assert pragma(cursor, "cache_size") == -SORTING_CACHE_KIB
            assert pragma(cursor, "threads") == 0
            assert pragma(cursor, "cache_size") == -50000
    finally:
        datastore.close()
