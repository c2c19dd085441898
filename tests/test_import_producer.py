"""An import whose records are turned into events by a producer process: the same log
and views as one process makes, the same one-line errors, and the store unchanged when
anything fails.

The producer is made to serve every import here; chunks of two records and a cache of
one aggregate make it find aggregates in its scratch file and in the committed store.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracker.errors
import tracker.fast.bulk
import tracker.records
from tests.conftest import (
    FIXTURE_FILES,
    SMALL_STORE_RECORDS,
    Invoke,
    exported,
    ndjson,
    without_times,
)
from tests.test_bulk_import import _retellings
from tracker.application import Tracker
from tracker.domain import Development
from tracker.fast.producer import IdFilter, development_row, restored_development
from tracker.store import StoreLocation
from tracker.values import Account


@pytest.fixture
def producer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracker.records, "PARALLEL_IMPORT_MIN_BYTES", 0)


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracker.records, "IMPORT_CHUNK", 2)
    monkeypatch.setattr(tracker.fast.bulk, "CACHED_AGGREGATES", 1)


def _write(path: Path, records: list[dict[str, Any]]) -> str:
    path.write_bytes(ndjson(records))
    return str(path)


def _views_equal_a_rebuild(store_url: str) -> dict[str, Any]:
    app = Tracker.open(StoreLocation.parse(store_url))
    try:
        kept = app.view.dump()
        app.rebuild()
        assert app.view.dump() == kept
        return kept
    finally:
        app.close()


def _in_one_process(tmp_path: Path, *files: str) -> str:
    """The export of the same files imported without a producer, into a new store."""
    from click.testing import CliRunner

    from tracker.cli import main

    store = ["--store", f"sqlite:///{tmp_path / 'alone.db'}"]
    result = CliRunner().invoke(main, [*store, "import", *files])
    assert result.exit_code == 0, result.output
    return without_times(CliRunner().invoke(main, [*store, "export"]).stdout)


def test_the_seed_reports_give_the_log_and_views_one_process_gives(
    invoke: Invoke, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [str(path) for path in FIXTURE_FILES]
    alone = _in_one_process(tmp_path, *files)
    monkeypatch.setattr(tracker.records, "PARALLEL_IMPORT_MIN_BYTES", 0)
    result = invoke("import", *files)
    assert result.exit_code == 0, result.output
    assert without_times(exported(invoke)) == alone
    assert len(_views_equal_a_rebuild(store_url)["tellings"]) == 74


def test_aggregates_it_no_longer_holds_come_from_its_scratch_file_and_the_store(
    small_store: Invoke, store_url: str, tmp_path: Path, producer: None, tiny_chunks: None
) -> None:
    records = [
        *_retellings(9),
        # call-1 was stored before the import began: its events come from the store.
        {"type": "call", "id": "call-1", "report": "r1", "participants": ["Trump", "Putin"],
         "duration_min": 75},
        {"type": "void", "development": "call-1", "version": 2, "reason": "typo"},
    ]  # fmt: skip
    result = small_store("import", _write(tmp_path / "more.ndjson", records))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("log position 17\n")
    views = _views_equal_a_rebuild(store_url)
    assert [row["version"] for row in views["tellings"] if row["development_id"] == "call-2"] == [
        1,
        2,
        3,
    ]
    voided = [
        row["voided_at"] is not None
        for row in views["tellings"]
        if row["development_id"] == "call-1"
    ]
    assert voided == [False, True]
    assert list(tmp_path.glob(".tracker-import-*")) == []  # the scratch file is gone
    small = _write(tmp_path / "small.ndjson", SMALL_STORE_RECORDS)
    assert without_times(exported(small_store)) == _in_one_process(
        tmp_path, small, str(tmp_path / "more.ndjson")
    )


# A development's commands: tell it again, retract it, void one of its versions.
_COMMANDS = st.lists(
    st.one_of(
        st.just(("retell",)),
        st.just(("retract",)),
        st.tuples(st.just("void"), st.integers(min_value=1, max_value=12)),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(_COMMANDS)
def test_a_development_comes_back_from_its_snapshot_as_it_left(
    commands: list[tuple[Any, ...]],
) -> None:
    development = Development.report("call-1", "call", Account.of("r1", {}))
    for command in commands:
        if command[0] == "retell":
            development.retell("call", Account.of("r2", {}))
        elif command[0] == "retract":
            development.retract("r3", "denied")
        else:
            # Not an account or retraction, or void already: refused, as it should be.
            with contextlib.suppress(tracker.errors.InvalidRecord):
                development.void(command[1], "typo")
    development.collect_events()
    restored = restored_development(development_row(development))
    assert vars(restored) == vars(development)
    restored.retell("call", Account.of("r4", {}))  # and its commands go on from there
    assert restored.version == development.version + 1


def test_a_version_voided_twice_across_chunks_is_refused_at_its_line(
    small_store: Invoke, tmp_path: Path, producer: None, tiny_chunks: None
) -> None:
    # call-2's retraction and void leave the producer's cache before the second void.
    records = [
        {"type": "call", "id": "call-2", "report": "r1", "participants": ["Trump", "Putin"]},
        {"type": "retraction", "target": "call-2", "report": "r1", "reason": "no"},
        {"type": "void", "development": "call-2", "version": 2, "reason": "typo"},
        *[
            {
                "type": "call",
                "id": f"call-{number}",
                "report": "r1",
                "participants": ["Putin", "Trump"],
            }
            for number in (5, 6, 5)
        ],
        {"type": "void", "development": "call-2", "version": 2, "reason": "again"},
    ]
    path = _write(tmp_path / "twice.ndjson", records)
    before = exported(small_store)
    result = small_store("import", path)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}:7: version 2 of 'call-2' is already void\n"
    assert exported(small_store) == before


def test_the_id_filter_finds_every_id_added_and_few_others() -> None:
    added = [Development.create_id(f"call-{number}") for number in range(20_000)]
    others = [Development.create_id(f"strike-{number}") for number in range(20_000)]
    held = IdFilter()
    for uuid in added:
        held.add(uuid)
    assert all(uuid in held for uuid in added)
    assert sum(uuid in held for uuid in others) < 20


def test_a_bad_record_in_a_later_chunk_is_named_as_one_process_names_it(
    small_store: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_chunks: None
) -> None:
    records = [*_retellings(5), {"type": "call", "id": "call-9", "report": "r1",
                                 "participants": ["Trump", "Pution"]}]  # fmt: skip
    path = _write(tmp_path / "bad.ndjson", records)
    before = exported(small_store)
    alone = small_store("import", path)
    monkeypatch.setattr(tracker.records, "PARALLEL_IMPORT_MIN_BYTES", 0)
    produced = small_store("import", path)
    assert (produced.exit_code, produced.stderr) == (alone.exit_code, alone.stderr)
    assert produced.stderr.startswith(f"Error: {path}:8: unknown actor 'Pution' (did you mean")
    assert exported(small_store) == before
    assert list(tmp_path.glob(".tracker-import-*")) == []


def test_a_missing_file_is_named(small_store: Invoke, tmp_path: Path, producer: None) -> None:
    good = _write(tmp_path / "good.ndjson", _retellings(2))
    missing = tmp_path / "missing.ndjson"
    before = exported(small_store)
    result = small_store("import", good, str(missing))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {missing}: No such file or directory\n"
    assert exported(small_store) == before


def test_a_producer_that_stops_is_a_one_line_error(
    small_store: Invoke, tmp_path: Path, producer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "more.ndjson", _retellings(2))
    before = exported(small_store)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    result = small_store("import", path)
    assert result.exit_code == 1
    assert result.stderr == "Error: the import's producer process stopped (exit code 1)\n"
    assert exported(small_store) == before
    assert list(tmp_path.glob(".tracker-import-*")) == []  # removed by the importing process


def test_positions_the_log_skips_are_skipped_in_the_views(
    small_store: Invoke, store_url: str, tmp_path: Path, producer: None, tiny_chunks: None
) -> None:
    """A failed import leaves PostgreSQL's position sequence further on than the log's
    end: the producer's numbering is moved to the positions the log gives."""
    bad = [*_retellings(6), {"type": "call", "id": "call-9", "report": "nowhere"}]
    assert small_store("import", _write(tmp_path / "bad.ndjson", bad)).exit_code == 1
    result = small_store("import", _write(tmp_path / "good.ndjson", _retellings(6)))
    assert result.exit_code == 0, result.output
    views = _views_equal_a_rebuild(store_url)
    app = Tracker.open(StoreLocation.parse(store_url))
    try:
        log = [notification.id for notification in app.notifications()]
        # Every telling at its own position; the last event voids one of them.
        assert sorted(row["position"] for row in views["tellings"]) == log[3:-1]
        voided = [row["voided_at"] for row in views["tellings"] if row["voided_at"] is not None]
        assert voided == [log[-1]]
        assert app.view.position(app.name) == log[-1]
    finally:
        app.close()


def test_a_writer_that_fails_stops_the_producer_and_removes_its_scratch_file(
    small_store: Invoke,
    store_url: str,
    tmp_path: Path,
    producer: None,
    tiny_chunks: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _write(tmp_path / "more.ndjson", _retellings(9))
    before = exported(small_store)
    appended = tracker.fast.bulk.BulkSession.append_produced
    calls: list[int] = []

    def fail_on_the_third_chunk(session: Any, *args: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise tracker.errors.StoreError("the disk is full")
        appended(session, *args)

    monkeypatch.setattr(tracker.fast.bulk.BulkSession, "append_produced", fail_on_the_third_chunk)
    result = small_store("import", path)
    assert (result.exit_code, result.stderr) == (1, "Error: the disk is full\n")
    assert exported(small_store) == before
    assert list(tmp_path.glob(".tracker-import-*")) == []


@pytest.fixture
def produced_imports(
    monkeypatch: pytest.MonkeyPatch, producer: None, tiny_chunks: None
) -> list[tuple[str, ...]]:
    """The file names of each import a producer process served (every import, in tiny
    chunks)."""
    import tracker.records

    served: list[tuple[str, ...]] = []
    import_produced = tracker.records.import_produced

    def counted(session: Any, names: Any, *args: Any) -> dict[str, int]:
        served.append(tuple(names))
        return import_produced(session, names, *args)

    monkeypatch.setattr(tracker.records, "import_produced", counted)
    return served


def test_standard_input_goes_through_the_producer_as_a_file_does(
    small_store: Invoke, tmp_path: Path, produced_imports: list[tuple[str, ...]]
) -> None:
    records = _retellings(5)
    result = small_store("import", "-", input=ndjson(records))
    assert result.exit_code == 0, result.output
    assert produced_imports == [("-",)]
    small = _write(tmp_path / "small.ndjson", SMALL_STORE_RECORDS)
    more = _write(tmp_path / "more.ndjson", records)
    assert without_times(exported(small_store)) == _in_one_process(tmp_path, small, more)
    assert list(tmp_path.glob(".tracker-stdin-*")) == []  # the copy is gone


def test_a_bad_record_on_standard_input_is_named_as_stdin_and_changes_nothing(
    small_store: Invoke, tmp_path: Path, produced_imports: list[tuple[str, ...]]
) -> None:
    good = _write(tmp_path / "good.ndjson", [{"type": "call", "id": "call-8", "report": "r1",
                                              "participants": ["Trump", "Putin"]}])  # fmt: skip
    records = [*_retellings(5), {"type": "call", "id": "call-9", "report": "r1",
                                 "participants": ["Trump", "Pution"]}]  # fmt: skip
    before = exported(small_store)
    result = small_store("import", good, "-", "-", input=ndjson(records))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: <stdin>:8: unknown actor 'Pution' (did you mean")
    assert produced_imports == [(good, "-", "-")]
    assert exported(small_store) == before
    assert list(tmp_path.glob(".tracker-stdin-*")) == []


def test_standard_input_read_twice_is_read_once(
    small_store: Invoke, tmp_path: Path, producer: None
) -> None:
    # As when stdin is read directly: the second '-' finds it at its end.
    result = small_store("import", "-", "-", input=ndjson(_retellings(5)))
    assert result.exit_code == 0, result.output
    small = _write(tmp_path / "small.ndjson", SMALL_STORE_RECORDS)
    more = _write(tmp_path / "more.ndjson", _retellings(5))
    assert without_times(exported(small_store)) == _in_one_process(tmp_path, small, more)


def test_standard_input_that_cannot_be_copied_is_a_one_line_error(
    small_store: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def full_disk(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tracker.records, "bounded_lines", full_disk)
    before = exported(small_store)
    result = small_store("import", "-", input=ndjson(_retellings(5)))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: cannot copy standard input to ")
    assert result.stderr.endswith(": No space left on device\n")
    assert result.stderr.count("\n") == 1
    assert exported(small_store) == before
    assert list(tmp_path.glob(".tracker-stdin-*")) == []
