"""SQLite connections for the tracker's store: writers that take the write lock when
their transaction begins, the page size of a new store, the rollback journal an import
into an empty store is written with, and page caches for long transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eventsourcing.sqlite import (
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteTransaction,
)

SORT_THREADS = 2
SORTING_CACHE_KIB = 2000  # SQLite's default
BULK_CACHE_KIB = 144 * 1024  # with it, a million-account import peaks under 500 MB
# The page size of a new store (SQLite's default is 4096). A rebuild writes the views'
# rows in one transaction and then builds each query index by reading the whole
# versions table: with four times fewer pages to find, read and write, a million
# versions with their indexes took 7.6 against 9.1-11.4 s.
PAGE_SIZE = 16384


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
