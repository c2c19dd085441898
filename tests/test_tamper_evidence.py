"""Tamper evidence that holds against a careful forger: every quote a view shows is
checked against its report, a noted chain head proves the log up to it unchanged, and a
stored topic never chooses what Python imports."""

from __future__ import annotations

import sys
from typing import Any

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from tests.conftest import SMALL_STORE_RECORDS, Invoke, ndjson
from tests.store_sql import run_sql
from tracker.domain import Report
from tracker.recorders import GENESIS, chain_rows

# After the small store's four records: a report without text (5) and a statement (6).
STATEMENT_RECORDS: list[dict[str, object]] = [
    *SMALL_STORE_RECORDS,
    {"type": "report", "id": "r2", "outlet": "Agency", "published": "2025-12-29"},
    {
        "type": "statement",
        "id": "st-1",
        "report": "r1",
        "speaker": "Trump",
        "quote": "a very good call with Putin today",
        "occurred": "2025-12-28",
    },
]
FORGED = "we will never talk to Putin"


def _load(invoke: Invoke, records: list[dict[str, object]]) -> None:
    result = invoke("import", "-", input=ndjson(records))
    assert result.exit_code == 0, result.output


def _state(store_url: str, position: int) -> Any:
    rows = run_sql(store_url, "SELECT state FROM {events} WHERE {rowid} = ?", (position,))
    return orjson.loads(bytes(rows[0][0]))


def _set(store_url: str, position: int, column: str, value: object) -> None:
    run_sql(store_url, f"UPDATE {{events}} SET {column} = ? WHERE {{rowid}} = ?", (value, position))


def _rechain(store_url: str) -> None:
    """A careful forger recomputes the whole chain after editing an event."""
    rows = run_sql(
        store_url,
        "SELECT {rowid}, originator_id, originator_version, topic, state FROM {events}"
        " ORDER BY {rowid}",
    )
    events = [
        StoredEvent(str(originator).replace("-", ""), version, topic, bytes(state))
        for _, originator, version, topic, state in rows
    ]
    for position, chain in chain_rows(GENESIS, [row[0] for row in rows], events):
        run_sql(
            store_url, "UPDATE {hashes} SET chain = ? WHERE notification_id = ?", (chain, position)
        )


def _head(invoke: Invoke) -> str:
    result = invoke("verify", "--json")
    assert result.exit_code == 0, result.output
    return str(orjson.loads(result.stdout)["anchor"])


# -- item 8: a stored topic never chooses what Python imports ------------------------------


@pytest.fixture
def no_zen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "this", raising=False)


def _refused_without_import(result: Any, message: str) -> None:
    assert "this" not in sys.modules
    assert "Zen of Python" not in result.output
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == message


@pytest.mark.usefixtures("no_zen")
def test_a_rewritten_topic_is_refused_by_every_reader(small_store: Invoke, store_url: str) -> None:
    _set(store_url, 4, "topic", "this:s")
    _rechain(store_url)
    unknown = "log position 4: unknown event topic 'this:s'"
    _refused_without_import(
        small_store("verify"),
        "Error: verification failed at position 4: unknown event topic 'this:s' (and 4 more)",
    )
    _refused_without_import(small_store("log"), f"Error: {unknown}")
    _refused_without_import(small_store("export"), f"Error: {unknown}")
    _refused_without_import(small_store("rebuild"), f"Error: {unknown}")
    _refused_without_import(small_store("sources", "call-1"), f"Error: {unknown}")
    # Views to be built from the start (a new view schema): catch_up reads the log.
    run_sql(store_url, "UPDATE view_schema SET version = 'older'")
    _refused_without_import(small_store("state"), f"Error: {unknown}")


@pytest.mark.usefixtures("no_zen")
def test_a_rewritten_aggregate_topic_is_refused_by_commands(
    small_store: Invoke, store_url: str
) -> None:
    """A first event names its aggregate's class, which loading the aggregate resolves."""
    data = _state(store_url, 3)
    data["originator_topic"] = "this:s"
    _set(store_url, 3, "state", orjson.dumps(data))
    _rechain(store_url)
    unknown = "log position 3: unknown aggregate topic 'this:s'"
    record = small_store(
        "record", "call", "--id", "call-2", "--report", "r1", "--participants", "Trump,Putin"
    )
    _refused_without_import(
        record,
        f"Error: unknown aggregate topic 'this:s' in event 1 of aggregate {Report.create_id('r1')};"
        " run 'tracker verify'",
    )
    _refused_without_import(
        small_store("verify"),
        "Error: verification failed at position 3: unknown aggregate topic 'this:s' (and 7 more)",
    )
    _refused_without_import(small_store("export"), f"Error: {unknown}")


@pytest.mark.usefixtures("no_zen")
def test_the_rebuild_reader_process_refuses_a_rewritten_topic(
    small_store: Invoke, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.rebuild_reader

    monkeypatch.setattr(tracker.rebuild_reader, "PARALLEL_REBUILD_MIN_EVENTS", 0)
    _set(store_url, 4, "topic", "this:s")
    result = small_store("rebuild")
    assert result.exit_code == 1
    assert "Zen of Python" not in result.output
    assert result.stderr == "Error: log position 4: unknown event topic 'this:s'\n"
