"""A rebuild whose events are decoded by a reader process: the same views as one process
builds, and a one-line error, with the views unchanged, when the reader cannot go on.

The reader is made to serve every rebuild here, with pages of three events, so that
developments are told across pages, refolded, retracted and voided.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest

import tracker.application
import tracker.fast.rebuild_readers
import tracker.records
from projections.view import KEY_INDEXES, TrackerView
from tests.conftest import Invoke, ndjson
from tests.store_sql import run_sql
from tests.test_bulk_import import _retellings
from tracker.application import Tracker
from tracker.domain import DEVELOPMENT_EVENTS
from tracker.errors import StoreError
from tracker.fast.rebuild_readers import share_of_ids, whole_developments
from tracker.store import StoreLocation

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracker.application, "REBUILD_PAGE", 3)


@pytest.fixture
def opened(store_url: str) -> Iterator[Tracker]:
    app = Tracker.open(StoreLocation.parse(store_url))
    try:
        yield app
    finally:
        app.close()


def _rebuilt(app: Tracker, monkeypatch: pytest.MonkeyPatch, *, reader: bool) -> dict[str, Any]:
    threshold = 0 if reader else 10**9
    monkeypatch.setattr(tracker.fast.rebuild_readers, "PARALLEL_REBUILD_MIN_EVENTS", threshold)
    assert app.rebuild() == app.last_position()
    return app.view.dump()


def test_the_reader_gives_the_views_one_process_gives(
    seeded: Invoke, small_pages: None, opened: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = _rebuilt(opened, monkeypatch, reader=False)
    with_reader = _rebuilt(opened, monkeypatch, reader=True)
    assert with_reader == alone
    assert len(with_reader["versions"]) > 50


def test_the_log_read_by_originator_is_each_aggregates_events_in_order(
    seeded: Invoke, opened: Tracker
) -> None:
    """Development events by originator within a share of the ids, every other event
    in log order: between them, each event of the log once."""
    recorder: Any = opened.recorder
    last = opened.last_position()
    prefix = DEVELOPMENT_EVENTS
    log = [
        (n.id, n.originator_id, n.originator_version, n.topic, n.state)
        for n in recorder.select_notifications(start=1, limit=last)
    ]
    stop = last - 5  # what is appended after a rebuild began is left to a catch-up
    mine = [row for row in log if row[0] <= stop and row[3].startswith(prefix)]
    shares = [share_of_ids(index, 3) for index in range(3)]
    by_share = [
        [
            (row[0], UUID(str(row[1])), *row[2:])
            for row in recorder.select_rows_by_originator(stop, prefix, low, high)
        ]
        for low, high in shares
    ]
    for (low, high), rows in zip(shares, by_share, strict=True):
        assert rows, "each share holds some developments"
        assert all(
            (low is None or low <= row[1]) and (high is None or row[1] < high) for row in rows
        )
        assert [(row[1], row[2]) for row in rows] == sorted((row[1], row[2]) for row in rows)
    assert sorted(row for rows in by_share for row in rows) == sorted(mine)
    others = [
        (row[0], UUID(str(row[1])), *row[2:]) for row in recorder.select_rows_not_of(stop, prefix)
    ]
    assert others == [row for row in log if row[0] <= stop and not row[3].startswith(prefix)]
    assert any(row[3].endswith("Report.Registered") for row in others)


def test_shares_of_the_ids_cover_them_once() -> None:
    assert share_of_ids(0, 1) == (None, None)
    assert share_of_ids(0, 2) == (None, UUID("80000000-0000-0000-0000-000000000000"))
    assert share_of_ids(1, 2) == (UUID("80000000-0000-0000-0000-000000000000"), None)
    three = [share_of_ids(index, 3) for index in range(3)]
    assert [high for _, high in three[:-1]] == [low for low, _ in three[1:]]


def test_runs_of_whole_developments_end_where_a_development_ends() -> None:
    rows: list[Any] = [
        (position, originator, 1, "topic", b"")
        for position, originator in enumerate("aaabccccd", start=1)
    ]
    runs = list(whole_developments(rows, 2))
    assert [[row[1] for row in run] for run in runs] == [
        ["a", "a", "a"],
        ["b", "c", "c", "c", "c"],
        ["d"],
    ]
    assert list(whole_developments([], 2)) == []


def test_key_indexes_are_sorted_at_the_end_and_all_there_after(
    seeded: Invoke, store_url: str, opened: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("PostgreSQL keeps its indexes through a rebuild")
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    before = run_sql(store_url, indexes)
    dropped: list[str] = []
    original = TrackerView._drop_indexes

    def drop(view: TrackerView, c: Any, indexes: Any) -> None:
        original(view, c, indexes)
        if indexes is KEY_INDEXES:
            c.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            left = {row[0] for row in c.fetchall()}
            dropped.extend(sorted({name for name, _ in KEY_INDEXES} - left))

    monkeypatch.setattr(TrackerView, "_drop_indexes", drop)
    _rebuilt(opened, monkeypatch, reader=True)
    assert dropped == sorted(name for name, _ in KEY_INDEXES)
    assert run_sql(store_url, indexes) == before


def test_retellings_retractions_and_voids_across_pages(
    small_store: Invoke, small_pages: None, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = small_store("import", "-", input=ndjson(_retellings(9)))
    assert result.exit_code == 0, result.output
    app = Tracker.open(StoreLocation.parse(store_url))
    try:
        kept = app.view.dump()  # kept step by step by the import
        assert _rebuilt(app, monkeypatch, reader=True) == kept
        voided = [row["voided_at"] is not None for row in app.view.tellings("call-2")]
        assert voided == [False, True, False]
    finally:
        app.close()


def test_an_event_that_cannot_be_decoded_is_named_and_changes_nothing(
    seeded: Invoke,
    small_pages: None,
    store_url: str,
    opened: Tracker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = opened.view.dump()
    run_sql(store_url, "UPDATE {events} SET state = ? WHERE {rowid} = ?", (b"{not json", 40))
    messages = []
    for reader in (False, True):
        with pytest.raises(StoreError) as raised:
            _rebuilt(opened, monkeypatch, reader=reader)
        messages.append(str(raised.value))
        assert opened.view.dump() == kept
    assert messages[0] == messages[1]
    assert messages[1].startswith("the event at log position 40 cannot be applied")


def test_a_reader_that_stops_is_a_one_line_error(
    seeded: Invoke, opened: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = opened.view.dump()
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(StoreError, match=r"^the rebuild's reader process stopped \(exit code 1\)$"):
        _rebuilt(opened, monkeypatch, reader=True)
    assert opened.view.dump() == kept


def test_the_cli_rebuilds_a_long_log_with_a_reader(tmp_path: Path) -> None:
    """End to end, in processes: a log just past the size where the reader starts."""
    corpus = tmp_path / "corpus.ndjson"
    store = f"sqlite:///{tmp_path / 'store.db'}"
    size = tracker.fast.rebuild_readers.PARALLEL_REBUILD_MIN_EVENTS
    tracker_cli = [str(Path(sys.executable).parent / "tracker"), "--store", store]
    generated = subprocess.run(
        [sys.executable, "-m", "bench.generate", str(corpus), "--size", str(size)],
        cwd=PROJECT,
        capture_output=True,
        check=False,
    )
    assert generated.returncode == 0, generated.stderr
    imported = subprocess.run(
        [*tracker_cli, "import", str(corpus)], capture_output=True, check=False
    )
    assert imported.returncode == 0, imported.stderr
    position = int(imported.stdout.split()[-1])
    assert position > size
    state = subprocess.run([*tracker_cli, "state", "--json"], capture_output=True, check=False)
    assert state.returncode == 0, state.stderr

    rebuilt = subprocess.run([*tracker_cli, "rebuild"], capture_output=True, check=False)
    assert (rebuilt.returncode, rebuilt.stderr) == (0, b"")
    assert rebuilt.stdout == f"read models rebuilt to log position {position}\n".encode()
    again = subprocess.run([*tracker_cli, "state", "--json"], capture_output=True, check=False)
    assert orjson.loads(again.stdout) == orjson.loads(state.stdout)


def test_readers_take_turns_over_positions_the_log_skips(
    small_store: Invoke,
    small_pages: None,
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each reader decodes every other range of positions: a range the log skips
    entirely (a failed import on PostgreSQL) is passed over, and the views are the
    views one process builds."""
    monkeypatch.setattr(tracker.records, "IMPORT_CHUNK", 2)  # appended before it fails
    bad = [*_retellings(9), {"type": "call", "id": "call-9", "report": "nowhere"}]
    assert small_store("import", "-", input=ndjson(bad)).exit_code == 1
    assert small_store("import", "-", input=ndjson(_retellings(9))).exit_code == 0
    app = Tracker.open(StoreLocation.parse(store_url))
    try:
        log = [notification.id for notification in app.notifications()]
        if store_url.startswith("postgresql"):
            assert log[-1] - len(log) >= 2 * tracker.application.REBUILD_PAGE  # empty ranges
        alone = _rebuilt(app, monkeypatch, reader=False)
        assert tracker.fast.rebuild_readers.READERS == 2
        assert _rebuilt(app, monkeypatch, reader=True) == alone
        assert app.view.position(app.name) == log[-1]
    finally:
        app.close()
