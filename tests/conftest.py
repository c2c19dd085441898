"""Shared fixtures: stores in temporary folders, a CLI runner, and the seed store."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings

from tests.postgres_server import PostgresServer, PostgresUnavailable
from tracker.cli import main

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "fixtures"
# In knowledge order: each report's file may retell developments of the ones before.
FIXTURE_FILES = [
    FIXTURES / "actors.ndjson",
    FIXTURES / "003_ab770ee007b62c3e.ndjson",
    FIXTURES / "004_39c7d08025569692.ndjson",
    FIXTURES / "000_f5ac395222edac7b.ndjson",
    FIXTURES / "001_19ea9254312cad2c.ndjson",
    FIXTURES / "002_ed9e9ae3377e271a.ndjson",
]

Invoke = Callable[..., Result]

# Hypothesis fails an example slower than 200 ms, and data slow to generate, by default:
# timings, which a busy machine misses. A hang is what a test here may fail on, not time.
settings.register_profile("no-timing", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("no-timing")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throw-away PostgreSQL server for the whole run.

    Where none can be installed or started the PostgreSQL tests are skipped with the
    reason, except in CI, where they must run.
    """
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as reason:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests must run in CI: {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    yield server
    server.stop()


@pytest.fixture
def sqlite_store_url(tmp_path: Path) -> str:
    """A store URL for a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store that does not exist yet, on each backend in turn: a SQLite file, or a
    fresh schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.store_url(f"t_{uuid.uuid4().hex[:16]}")


@pytest.fixture
def invoke(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run the CLI on ``store_url`` from the project root; stdout and stderr apart."""
    monkeypatch.chdir(PROJECT)
    monkeypatch.delenv("TRACKER_STORE", raising=False)

    def run(*args: str, input: str | bytes | None = None) -> Result:
        return CliRunner().invoke(main, ["--store", store_url, *args], input=input)

    return run


@pytest.fixture
def seeded(invoke: Invoke) -> Invoke:
    """``invoke`` on a store holding the seed fixtures."""
    result = invoke("import", *map(str, FIXTURE_FILES))
    assert result.exit_code == 0, result.output
    return invoke


# The small store's records, at positions: trump (1), putin (2), r1 (3), call-1 (4).
SMALL_STORE_RECORDS: list[dict[str, object]] = [
    {"type": "actor", "id": "trump", "name": "Donald Trump", "aliases": ["Trump"]},
    {"type": "actor", "id": "putin", "name": "Vladimir Putin", "aliases": ["Putin"]},
    {
        "type": "report",
        "id": "r1",
        "outlet": "Wire",
        "published": "2025-12-28",
        "text": "Trump said he had a very good call with Putin today. It lasted 75 minutes.",
    },
    {
        "type": "call",
        "id": "call-1",
        "report": "r1",
        "participants": ["Trump", "Putin"],
        "occurred": "2025-12-28",
        "quote": "a very good call with Putin today",
    },
]


@pytest.fixture
def small_store(invoke: Invoke) -> Invoke:
    """``invoke`` on a store with two actors, one report with text, and one call."""
    result = invoke("import", "-", input=ndjson(SMALL_STORE_RECORDS))
    assert result.exit_code == 0, result.output
    return invoke


def ndjson(records: list[dict[str, object]]) -> bytes:
    return b"".join(orjson.dumps(record) + b"\n" for record in records)


def exported(invoke: Invoke) -> str:
    """The whole log as NDJSON: equal exports mean an unchanged store."""
    result = invoke("export")
    assert result.exit_code == 0, result.output
    return result.stdout


def without_times(export: str) -> str:
    """An export less its system times (``recorded_at``): what two stores given the same
    records at different times have in common."""
    return "".join(
        orjson.dumps(
            {key: value for key, value in orjson.loads(line).items() if key != "recorded_at"}
        ).decode()
        + "\n"
        for line in export.splitlines()
    )


def _on_postgresql(nodeid: str) -> bool:
    return "postgresql" in nodeid or "Postgres" in nodeid


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say in the log how the PostgreSQL half of the suite went (CI must show it ran)."""
    counts = {
        outcome: len(
            {
                report.nodeid
                for report in terminalreporter.stats.get(outcome, [])
                if _on_postgresql(report.nodeid)
                and (outcome != "passed" or getattr(report, "when", "call") == "call")
            }
        )
        for outcome in ("passed", "failed", "error", "skipped")
    }
    terminalreporter.write_line(
        f"PostgreSQL backend: {counts['passed']} passed,"
        f" {counts['failed'] + counts['error']} failed, {counts['skipped']} skipped"
    )
