"""The streaming import: chunk by chunk in one transaction, views fed on the same cursor.

Chunks and the aggregate cache are made tiny here, so that a handful of records cross
chunk boundaries and rebuild evicted aggregates from the log, as a million would.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import pytest

import tracker.fast.bulk
import tracker.records
from tests.conftest import SMALL_STORE_RECORDS, Invoke, exported, ndjson
from tests.test_follow import append_without_catching_up
from tracker.application import Tracker
from tracker.domain import Development, Report
from tracker.store import StoreLocation


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracker.records, "IMPORT_CHUNK", 2)
    monkeypatch.setattr(tracker.fast.bulk, "CACHED_AGGREGATES", 1)


def _retellings(count: int) -> list[dict[str, Any]]:
    """Accounts of three calls, each told again and again, one retracted, one voided."""
    records: list[dict[str, Any]] = []
    for number in range(count):
        records.append(
            {
                "type": "call",
                "id": f"call-{2 + number % 3}",
                "report": "r1",
                "participants": ["Trump", "Putin"],
                "duration_min": 10 + number,
            }
        )
    records.append({"type": "retraction", "target": "call-3", "report": "r1", "reason": "no"})
    records.append({"type": "void", "development": "call-2", "version": 2, "reason": "typo"})
    return records


def _dump(store_url: str) -> dict[str, Any]:
    app = Tracker.open(StoreLocation.parse(store_url), existing=True)
    try:
        return {"position": app.last_position(), "views": app.view.dump()}
    finally:
        app.close()


def test_chunks_and_evicted_aggregates_give_the_views_a_rebuild_gives(
    small_store: Invoke, store_url: str, tiny_chunks: None
) -> None:
    result = small_store("import", "-", input=ndjson(_retellings(9)))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("log position 15\n")

    app = Tracker.open(StoreLocation.parse(store_url))
    try:
        kept = app.view.dump()
        assert app.rebuild() == 15
        assert app.view.dump() == kept
        assert [row["version"] for row in app.view.tellings("call-2")] == [1, 2, 3]
        assert [row["voided_at"] is not None for row in app.view.tellings("call-2")] == [
            False,
            True,
            False,
        ]
    finally:
        app.close()
    history = small_store("history", "call-3", "--json")
    assert history.exit_code == 0, history.output


def test_a_bad_record_in_a_later_chunk_leaves_the_store_as_it_was(
    small_store: Invoke, store_url: str, tiny_chunks: None
) -> None:
    before_export = exported(small_store)
    before = _dump(store_url)
    records = [*_retellings(7), {"type": "call", "id": "call-9", "report": "nowhere"}]
    result = small_store("import", "-", input=ndjson(records))
    assert result.exit_code == 1
    assert result.stderr == "Error: <stdin>:10: unknown report 'nowhere'\n"
    assert exported(small_store) == before_export
    assert _dump(store_url) == before


def test_an_import_first_brings_views_that_are_behind_up_to_date(
    small_store: Invoke, store_url: str
) -> None:
    last = append_without_catching_up(store_url, "call-2", 30)
    result = small_store("import", "-", input=ndjson(_retellings(3)[:3]))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f"log position {last + 3}\n")
    dumped = _dump(store_url)
    assert [row["position"] for row in dumped["views"]["tellings"]] == list(range(4, last + 4))


def test_an_import_of_the_small_store_twice_names_the_duplicate(small_store: Invoke) -> None:
    result = small_store("import", "-", input=ndjson(SMALL_STORE_RECORDS))
    assert result.exit_code == 1
    assert result.stderr == "Error: <stdin>:1: actor 'trump' already exists\n"


def test_a_chunk_loads_the_reports_it_cites_with_its_developments(
    small_store: Invoke, tiny_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # r1 was registered before the import, and has left the one-aggregate cache when
    # each chunk cites it: it comes with the chunk's developments, in one look-up.
    looked_up: list[set[UUID]] = []
    preload = tracker.fast.bulk.BulkSession.preload

    def spy(session: tracker.fast.bulk.BulkSession, uuids: Iterable[UUID]) -> set[UUID]:
        wanted = set(uuids)
        looked_up.append(wanted)
        return preload(session, wanted)

    monkeypatch.setattr(tracker.fast.bulk.BulkSession, "preload", spy)
    # In this process, where the spy is: a producer process has a session of its own.
    monkeypatch.setattr(tracker.records, "PARALLEL_IMPORT_MIN_BYTES", 2**62)
    result = small_store("import", "-", input=ndjson(_retellings(4)[:4]))
    assert result.exit_code == 0, result.output
    report = Report.create_id("r1")
    calls = [Development.create_id(f"call-{number}") for number in (2, 3, 4)]
    # (With a cache of one, the others come back one by one as the chunk's records need
    # them.)
    assert looked_up[0] == {calls[0], calls[1], report}
    assert {calls[2], calls[0], report} in looked_up
