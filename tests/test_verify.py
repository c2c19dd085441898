"""Tamper evidence: edits to the store made behind the tracker's back are caught by
``tracker verify``, which names the first position where anything differs."""

from __future__ import annotations

import orjson
import pytest

from tests.conftest import Invoke
from tests.store_sql import run_sql
from tracker.chain import GENESIS, chain_hash


def verified(invoke: Invoke) -> tuple[int, dict[str, object], str]:
    result = invoke("verify", "--json")
    return result.exit_code, orjson.loads(result.stdout), result.stderr


def test_an_untouched_store_verifies(seeded: Invoke) -> None:
    code, report, stderr = verified(seeded)
    assert (code, stderr) == (0, "")
    assert report["ok"] is True and report["events"] == 97 and report["problems"] == []
    text = seeded("verify")
    assert text.exit_code == 0
    assert text.stdout == f"ok: 97 events, chain head {report['head']}@97\n"


def _state(store_url: str, position: int) -> bytes:
    return bytes(
        run_sql(store_url, "SELECT state FROM {events} WHERE {rowid} = ?", (position,))[0][0]
    )


def test_a_changed_byte_is_caught_at_its_position(seeded: Invoke, store_url: str) -> None:
    state = _state(store_url, 40)
    tampered = state.replace(b"Putin", b"Putim", 1) if b"Putin" in state else state[:-2] + b" }"
    run_sql(store_url, "UPDATE {events} SET state = ? WHERE {rowid} = ?", (tampered, 40))
    code, report, stderr = verified(seeded)
    assert code == 1
    assert report["problems"][0] == {  # type: ignore[index]
        "position": 40,
        "problem": "the event differs from what was recorded (hash chain broken)",
    }
    assert stderr.startswith("Error: verification failed at position 40: ")
    assert stderr.count("\n") == 1


def test_a_deleted_event_is_caught(seeded: Invoke, store_url: str) -> None:
    run_sql(store_url, "DELETE FROM {events} WHERE {rowid} = ?", (55,))
    code, report, _ = verified(seeded)
    assert code == 1
    assert report["problems"][0]["position"] == 55  # type: ignore[index]


def test_an_account_the_log_lost_or_garbled_is_one_line_on_reading(
    seeded: Invoke, store_url: str
) -> None:
    """The tellings table leaves each account to the log: reading one whose event was
    deleted or garbled behind the tracker's back names its position, on one line."""
    development = "stmt-2025-02-trump-putin-wants-people-stop-dying"
    position = _position(seeded, "Development.Reported", development)
    run_sql(store_url, "UPDATE {events} SET state = ? WHERE {rowid} = ?", (b"{", position))
    for command in ("history", "sources"):
        result = seeded(command, development)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(
            "Error: the log cannot decode the event (Failed to deserialise state of stored"
        ), result.stderr
        assert result.stderr.endswith(
            f" at position {position}, where the read models have an account;"
            " run 'tracker verify'\n"
        )
        assert result.stderr.count("\n") == 1 and result.stdout == ""
    run_sql(store_url, "DELETE FROM {events} WHERE {rowid} = ?", (position,))
    result = seeded("history", development)
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"Error: the log holds no event at position {position}, where the read models have"
        " an account; run 'tracker verify'\n"
    )


def test_reordered_events_are_caught(seeded: Invoke, store_url: str) -> None:
    first, second = _state(store_url, 60), _state(store_url, 61)
    run_sql(store_url, "UPDATE {events} SET state = ? WHERE {rowid} = ?", (second, 60))
    run_sql(store_url, "UPDATE {events} SET state = ? WHERE {rowid} = ?", (first, 61))
    code, report, _ = verified(seeded)
    assert code == 1
    assert report["problems"][0]["position"] == 60  # type: ignore[index]


def test_a_deleted_hash_is_caught(seeded: Invoke, store_url: str) -> None:
    run_sql(store_url, "DELETE FROM {hashes} WHERE notification_id = ?", (12,))
    code, report, _ = verified(seeded)
    assert code == 1
    assert report["problems"][0] == {  # type: ignore[index]
        "position": 12,
        "problem": "the event has no hash in the chain",
    }


def _rechain(store_url: str) -> None:
    """A careful forger recomputes the whole chain after editing an event."""
    from eventsourcing.persistence import StoredEvent

    rows = run_sql(
        store_url,
        "SELECT {rowid}, originator_id, originator_version, topic, state FROM {events}"
        " ORDER BY {rowid}",
    )
    previous = GENESIS
    for position, originator, version, topic, state in rows:
        event = StoredEvent(str(originator).replace("-", ""), version, topic, bytes(state))
        previous = chain_hash(previous, position, event)
        run_sql(
            store_url,
            "UPDATE {hashes} SET chain = ? WHERE notification_id = ?",
            (previous, position),
        )


def _position(invoke: Invoke, event: str, subject: str) -> int:
    log = orjson.loads(invoke("log", "--json").stdout)
    return next(
        int(entry["position"])
        for entry in log
        if entry["event"] == event and entry["subject"] == subject
    )


def test_a_report_text_edited_and_rechained_fails_its_sha256(
    seeded: Invoke, store_url: str
) -> None:
    position = _position(seeded, "Report.Registered", "r-001")
    state = _state(store_url, position)
    run_sql(
        store_url,
        "UPDATE {events} SET state = ? WHERE {rowid} = ?",
        (state.replace(b"Trump", b"Biden", 1), position),
    )
    _rechain(store_url)
    code, report, _ = verified(seeded)
    assert code == 1
    problems = report["problems"]
    assert problems[0]["position"] == position  # type: ignore[index]
    assert "does not match its SHA-256" in problems[0]["problem"]  # type: ignore[index]


def test_an_edited_quote_rechained_is_not_in_its_report(seeded: Invoke, store_url: str) -> None:
    position = _position(seeded, "Development.Reported", "call-2025-10-trump-putin")
    state = _state(store_url, position)
    quote = orjson.loads(state)["account"]["_data_"]["quote"]
    forged = state.replace(orjson.dumps(quote)[1:-1], b"an invented sentence", 1)
    assert forged != state
    run_sql(store_url, "UPDATE {events} SET state = ? WHERE {rowid} = ?", (forged, position))
    _rechain(store_url)
    code, report, _ = verified(seeded)
    assert code == 1
    assert report["problems"][0]["position"] == position  # type: ignore[index]
    assert "quote is not in report" in report["problems"][0]["problem"]  # type: ignore[index]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE versions SET status = 'cancelled'"
        " WHERE development_id = 'meeting-2025-12-28-mar-a-lago'",
        "DELETE FROM tellings WHERE position = 30",
    ],
)
def test_read_models_edited_by_hand_differ_from_a_rebuild(
    seeded: Invoke, store_url: str, statement: str
) -> None:
    assert seeded("state").exit_code == 0  # the views are caught up
    run_sql(store_url, statement)
    code, report, stderr = verified(seeded)
    assert code == 1
    assert report["problems"][0]["position"] is None  # type: ignore[index]
    assert "differs from a rebuild" in report["problems"][0]["problem"]  # type: ignore[index]
    assert "Error: verification failed at read models: table" in stderr
    assert seeded("rebuild").exit_code == 0
    assert verified(seeded)[0] == 0
