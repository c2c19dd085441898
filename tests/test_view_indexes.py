"""Which of the views' indexes a first import and a rebuild drop and build again at
their end, on each backend, and what a PostgreSQL reader is told while a first
import holds them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

import projections.postgres_view
import tracker.fast.rebuild_readers
from projections.view import KEY_INDEXES, QUERY_INDEXES, TrackerViewBase
from tests.conftest import SMALL_STORE_RECORDS, Invoke, ndjson
from tests.store_sql import run_sql

QUERY_INDEX_NAMES = sorted(name for name, _ in QUERY_INDEXES)
KEY_INDEX_NAMES = sorted(name for name, _ in KEY_INDEXES)


@pytest.fixture
def dropped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the indexes the views drop, in order, on either backend."""
    names: list[str] = []
    original = TrackerViewBase._drop_indexes

    def drop(view: TrackerViewBase, c: Any, indexes: Any) -> None:
        names.extend(name for name, _ in indexes)
        original(view, c, indexes)

    monkeypatch.setattr(TrackerViewBase, "_drop_indexes", drop)
    return names


def _index_names(store_url: str) -> list[str]:
    if store_url.startswith("sqlite:"):
        rows = run_sql(store_url, "SELECT name FROM sqlite_master WHERE type = 'index'")
    else:
        schema = store_url.split("?schema=")[1]
        rows = run_sql(
            store_url, "SELECT indexname FROM pg_indexes WHERE schemaname = ?", (schema,)
        )
    return sorted(str(row[0]) for row in rows)


def test_a_first_import_builds_the_query_indexes_at_its_end(
    invoke: Invoke, store_url: str, dropped: list[str]
) -> None:
    result = invoke("import", "-", input=ndjson(SMALL_STORE_RECORDS[:3]))
    assert result.exit_code == 0, result.output
    assert sorted(dropped) == QUERY_INDEX_NAMES
    present = _index_names(store_url)
    assert set(QUERY_INDEX_NAMES + KEY_INDEX_NAMES) <= set(present)

    dropped.clear()
    result = invoke("import", "-", input=ndjson(SMALL_STORE_RECORDS[3:]))
    assert result.exit_code == 0, result.output
    assert dropped == []  # the store holds views others may be reading
    assert _index_names(store_url) == present


def test_a_rebuild_drops_indexes_only_where_readers_keep_the_old_views(
    invoke: Invoke, store_url: str, dropped: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke("import", "-", input=ndjson(SMALL_STORE_RECORDS))
    assert result.exit_code == 0, result.output
    present = _index_names(store_url)
    dropped.clear()
    # Through the readers, whose pages of whole developments also let the key indexes go.
    monkeypatch.setattr(tracker.fast.rebuild_readers, "PARALLEL_REBUILD_MIN_EVENTS", 0)

    result = invoke("rebuild")

    assert result.exit_code == 0, result.output
    if store_url.startswith("sqlite:"):
        assert sorted(dropped) == sorted(QUERY_INDEX_NAMES + KEY_INDEX_NAMES)
    else:
        assert dropped == []  # DROP INDEX would lock readers out of the old views
    assert _index_names(store_url) == present


@contextmanager
def versions_locked(store_url: str) -> Iterator[None]:
    """Another transaction holds the views' versions table, as a first import into an
    empty PostgreSQL store does until it ends."""
    base, schema = store_url.split("?schema=")
    with psycopg.connect(base) as holder:
        holder.execute(f'LOCK TABLE "{schema}".versions IN ACCESS EXCLUSIVE MODE')
        # A reader that waited for ever would hang the suite: end the lock after a while.
        release = threading.Timer(LOCK_HELD_AT_MOST, _terminate, (base, holder.info.backend_pid))
        release.start()
        try:
            yield
        finally:
            release.cancel()
    # The holder's transaction rolls back as its connection closes.


LOCK_HELD_AT_MOST = 15.0


def _terminate(base: str, pid: int) -> None:
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_postgres_reader_is_told_when_the_views_stay_locked(
    small_store: Invoke, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store_url.startswith("sqlite:"):
        pytest.skip("SQLite's readers are told by the store (test_empty_store_load)")
    monkeypatch.setattr(projections.postgres_view, "READ_LOCK_TIMEOUT", 1)
    before = small_store("state", "--json")
    assert before.exit_code == 0, before.output

    with versions_locked(store_url):
        result = small_store("state", "--json")

    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "Error: the store's views stayed locked for 1 s: an import into an empty store"
        " locks them until it ends\n"
    )
    after = small_store("state", "--json")
    assert after.stdout == before.stdout
