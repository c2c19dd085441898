"""Shared fixtures: stores in temporary folders, a CLI runner, and the seed store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

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


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    """A store URL for a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'tracker.db'}"


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


@pytest.fixture
def small_store(invoke: Invoke) -> Invoke:
    """``invoke`` on a store with two actors, one report with text, and one call."""
    records = [
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
    result = invoke("import", "-", input=ndjson(records))
    assert result.exit_code == 0, result.output
    return invoke


def ndjson(records: list[dict[str, object]]) -> bytes:
    return b"".join(orjson.dumps(record) + b"\n" for record in records)


def exported(invoke: Invoke) -> str:
    """The whole log as NDJSON: equal exports mean an unchanged store."""
    result = invoke("export")
    assert result.exit_code == 0, result.output
    return result.stdout
