"""A large import into an empty SQLite store is written with a rollback journal, not
the WAL, and the store is back in WAL mode afterwards, however the import ends."""

from __future__ import annotations

import functools
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import tracker.fast.bulk
import tracker.records
import tracker.sqlite_pool
from tests.conftest import PROJECT, SMALL_STORE_RECORDS, ndjson
from tracker.application import Tracker
from tracker.cli import main
from tracker.sqlite_pool import rollback_journal
from tracker.store import StoreLocation

TRACKER = str(Path(sys.executable).parent / "tracker")


def _calls(count: int) -> list[dict[str, Any]]:
    return [
        {"type": "call", "id": f"bulk-{number}", "report": "r1",
         "participants": ["Trump", "Putin"], "duration_min": number % 300}
        for number in range(count)
    ]  # fmt: skip


def _journal_mode(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        connection.close()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


@pytest.fixture
def run(store: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.chdir(PROJECT)
    monkeypatch.delenv("TRACKER_STORE", raising=False)
    monkeypatch.setattr(tracker.records, "PARALLEL_IMPORT_MIN_BYTES", 0)  # the producer

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, ["--store", f"sqlite:///{store}", *args])

    yield invoke


@pytest.fixture
def modes_seen(monkeypatch: pytest.MonkeyPatch, store: Path) -> list[str]:
    """The journal mode of the import's transaction, at each chunk it writes."""
    seen: list[str] = []
    append = tracker.fast.bulk.BulkSession.append_produced

    def watched(session: tracker.fast.bulk.BulkSession, *args: Any) -> None:
        session.cursor.execute("PRAGMA journal_mode")
        seen.append(session.cursor.fetchone()[0])
        sizes_seen.append(store.stat().st_size)
        append(session, *args)

    sizes_seen: list[int] = []
    seen_sizes[id(seen)] = sizes_seen

    monkeypatch.setattr(tracker.fast.bulk.BulkSession, "append_produced", watched)
    return seen


# The store's size at each chunk, by the list of modes seen in the same import.
seen_sizes: dict[int, list[int]] = {}


def _export(run: Any) -> str:
    result = run("export")
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def test_an_empty_store_is_filled_with_a_rollback_journal_and_left_in_wal(
    run: Any, store: Path, tmp_path: Path, modes_seen: list[str]
) -> None:
    source = tmp_path / "load.ndjson"
    source.write_bytes(ndjson([*SMALL_STORE_RECORDS, *_calls(50)]))
    result = run("import", str(source))
    assert result.exit_code == 0, result.output
    assert set(modes_seen) == {"truncate"}
    assert _journal_mode(store) == "wal"
    assert _export(run).count("\n") == 54
    assert run("verify").exit_code == 0
    # The next import finds a store that is not empty: the WAL, as for every write.
    modes_seen.clear()
    more = tmp_path / "more.ndjson"
    more.write_bytes(ndjson(_calls(53)[50:]))
    assert run("import", str(more)).exit_code == 0
    assert set(modes_seen) == {"wal"}


def test_a_store_open_elsewhere_is_filled_in_its_wal(
    run: Any, store: Path, tmp_path: Path, modes_seen: list[str]
) -> None:
    Tracker.open(StoreLocation.parse(f"sqlite:///{store}")).close()
    elsewhere = sqlite3.connect(store)
    try:
        elsewhere.execute("SELECT count(*) FROM stored_events").fetchone()
        source = tmp_path / "load.ndjson"
        source.write_bytes(ndjson([*SMALL_STORE_RECORDS, *_calls(20)]))
        result = run("import", str(source))
        assert result.exit_code == 0, result.output
        assert set(modes_seen) == {"wal"}
        assert elsewhere.execute("SELECT count(*) FROM stored_events").fetchone()[0] == 24
    finally:
        elsewhere.close()


def test_a_bad_record_late_in_a_load_is_named_at_once_and_leaves_the_store_empty(
    run: Any, store: Path, tmp_path: Path, modes_seen: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small page cache makes the import spill its pages into the store, and so hold
    # its exclusive lock, early: the producer must then not read the store (to look for
    # an actor it does not know), or it would wait for the lock until its timeout (30 s)
    # and fail on it, not on the unknown actor the error below must name.
    monkeypatch.setattr(tracker.sqlite_pool, "BULK_CACHE_KIB", 1024)
    monkeypatch.setattr(tracker.records, "IMPORT_CHUNK", 500)
    records = [*SMALL_STORE_RECORDS, *_calls(3000)]
    late = {"type": "call", "id": "late", "report": "r1", "participants": ["Trump", "Pution"]}
    records.append(late)
    source = tmp_path / "bad.ndjson"
    source.write_bytes(ndjson(records))
    Tracker.open(StoreLocation.parse(f"sqlite:///{store}")).close()  # empty, and kept
    result = run("import", str(source))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {source}:3005: unknown actor 'Pution' (did you mean")
    assert set(modes_seen) == {"truncate"}
    sizes = seen_sizes[id(modes_seen)]
    assert sizes[-1] > sizes[0]  # it spilled while the producer was still at work
    assert _journal_mode(store) == "wal"
    assert _export(run) == ""
    assert sorted(path.name for path in store.parent.glob("tracker.db*")) == ["tracker.db"]


def test_sigkill_in_the_middle_of_a_load_leaves_an_empty_store_in_wal(
    store: Path, tmp_path: Path
) -> None:
    source = tmp_path / "big.ndjson"
    source.write_bytes(ndjson([*SMALL_STORE_RECORDS, *_calls(40_000)]))
    url = f"sqlite:///{store}"
    process = subprocess.Popen(
        [TRACKER, "--store", url, "import", str(source)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not (store.parent / "tracker.db-journal").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    tracker_app = Tracker.open(StoreLocation.parse(url), existing=True)
    try:
        assert tracker_app.last_position() == 0
    finally:
        tracker_app.close()
    assert _journal_mode(store) == "wal"
    again = subprocess.run(
        [TRACKER, "--store", url, "import", str(source)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.endswith("log position 40004\n")


def test_the_rollback_journal_is_refused_while_another_connection_is_open(
    tmp_path: Path,
) -> None:
    app = Tracker.open(StoreLocation.parse(f"sqlite:///{tmp_path / 'j.db'}"))
    try:
        pools = [app.recorder.datastore.pool, app.view.datastore.pool]  # type: ignore[attr-defined]
        with rollback_journal(pools) as switched:
            assert switched
            # Out of WAL mode; a new connection's rollback journal is its default one.
            assert _journal_mode(tmp_path / "j.db") == "delete"
        assert _journal_mode(tmp_path / "j.db") == "wal"
        other = sqlite3.connect(tmp_path / "j.db")
        try:
            other.execute("SELECT 1 FROM stored_events").fetchall()
            with rollback_journal(pools) as switched:
                assert not switched
        finally:
            other.close()
        assert _journal_mode(tmp_path / "j.db") == "wal"
    finally:
        app.close()


def test_a_reader_meanwhile_is_told_why_it_cannot_read(
    run: Any, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Tracker.open(StoreLocation.parse(f"sqlite:///{store}")).close()
    holder = sqlite3.connect(store, isolation_level=None)
    try:
        assert holder.execute("PRAGMA journal_mode = truncate").fetchone()[0] == "truncate"
        holder.execute("BEGIN EXCLUSIVE")
        # The reader gives up after sqlite3's busy timeout, 5 s unless told: the same
        # error after a fifth of a second.
        monkeypatch.setattr(sqlite3, "connect", functools.partial(sqlite3.connect, timeout=0.2))
        result = run("state")
    finally:
        holder.close()
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {store}: cannot read the store (database is locked): an import into an"
        " empty store locks it until it ends\n"
    )
