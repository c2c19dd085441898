"""``export`` carries each event's system time (``recorded_at``) and ``import`` gives it
back, so that export then import into an empty store gives the same hash chain: the
same head printed by ``tracker verify`` (issue 23, point 10)."""

from __future__ import annotations

import uuid
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

import tracker.records
from tests.conftest import SMALL_STORE_RECORDS, Invoke, exported, ndjson
from tests.postgres_server import PostgresServer
from tests.test_cli_errors import check_error
from tracker.cli import main

# On top of the seeds: a report, two accounts of a call, a retraction, a void and aliases.
MORE: list[dict[str, object]] = [
    *SMALL_STORE_RECORDS[2:],
    {"type": "call", "id": "call-1", "report": "r1", "duration_min": 75},
    {"type": "retraction", "target": "call-1", "report": "r1", "reason": "no such call"},
    {"type": "void", "development": "call-1", "version": 3, "reason": "a typo"},
    {"type": "aliases", "actor": "trump", "aliases": ["The Donald"]},
]


@pytest.fixture
def another_url(store_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A second empty store on the backend of ``store_url``."""
    if store_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'again.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.store_url(f"t_{uuid.uuid4().hex[:16]}")


def on(url: str, *args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["--store", url, *args], input=input)


def verified(url: str) -> str:
    result = on(url, "verify")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_export_then_import_gives_the_same_chain_head(
    seeded: Invoke, another_url: str, tmp_path: Path
) -> None:
    result = seeded("import", "-", input=ndjson(MORE))
    assert result.exit_code == 0, result.output
    printed = seeded("verify").stdout
    assert printed.startswith("ok: 103 events, chain head ")
    assert printed.endswith("@103\n")
    backup = tmp_path / "backup.ndjson"
    assert seeded("export", "-o", str(backup)).exit_code == 0
    lines = [orjson.loads(line) for line in backup.read_bytes().splitlines()]
    assert len(lines) == 103  # one record an event
    assert all(line["recorded_at"].endswith("Z") for line in lines)

    result = on(another_url, "import", str(backup))
    assert result.exit_code == 0, result.output
    assert verified(another_url) == printed  # byte for byte: count, head and position
    assert on(another_url, "export").stdout == exported(seeded)
    log = orjson.loads(seeded("log", "--json").stdout)
    assert orjson.loads(on(another_url, "log", "--json").stdout) == log
    assert [entry["recorded_at"] for entry in log] == [line["recorded_at"] for line in lines]


def test_the_producer_keeps_the_system_times(
    small_store: Invoke, another_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large import is turned into events by a producer process: the same head."""
    result = small_store("import", "-", input=ndjson(MORE[1:]))
    assert result.exit_code == 0, result.output
    backup = tmp_path / "backup.ndjson"
    assert small_store("export", "-o", str(backup)).exit_code == 0
    monkeypatch.setattr(tracker.records, "PARALLEL_IMPORT_MIN_BYTES", 0)
    monkeypatch.setattr(tracker.records, "IMPORT_CHUNK", 2)
    result = on(another_url, "import", str(backup))
    assert result.exit_code == 0, result.output
    assert verified(another_url) == small_store("verify").stdout


def test_records_without_system_times_are_given_the_time_of_import(
    small_store: Invoke,
) -> None:
    before = orjson.loads(small_store("log", "--json").stdout)
    stamped = {**MORE[1], "recorded_at": "2025-12-28T18:00:00+01:00"}
    result = small_store("import", "-", input=ndjson([stamped, MORE[2]]))
    assert result.exit_code == 0, result.output
    log = orjson.loads(small_store("log", "--json").stdout)
    # Any zone is read, and kept as UTC, as the library keeps system times.
    assert log[-2]["recorded_at"] == "2025-12-28T17:00:00.000000Z"
    assert log[-1]["recorded_at"] > before[-1]["recorded_at"]
    assert small_store("verify").exit_code == 0


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2025-12-28T13:00:00",  # no zone
        "2025-12-28",
        "2025-13-01T00:00:00Z",
        "2025-12-28T13:00:00.0000001Z",
        " 2025-12-28T13:00:00Z",
        "2025-12-28T13:00:00Z\n",
        "x" * 10_000,
        1766926800,
        None,
        ["2025-12-28T13:00:00Z"],
    ],
    ids=lambda value: repr(value)[:30],
)
def test_a_bad_system_time_names_its_file_and_line(
    small_store: Invoke, tmp_path: Path, value: object
) -> None:
    source = tmp_path / "bad.ndjson"
    source.write_bytes(ndjson([MORE[1], {**MORE[2], "recorded_at": value}]))
    before = exported(small_store)
    result = small_store("import", str(source))
    check_error(
        result,
        1,
        f"{source}:2:",
        "'recorded_at' must be a time with its zone",
        before=before,
        after=exported(small_store),
    )
