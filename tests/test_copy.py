"""``tracker copy`` moves a whole store between backends with identical history, state
and hash chain."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from tests.conftest import FIXTURE_FILES, PROJECT
from tests.postgres_server import PostgresServer
from tracker.cli import main


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def on(url: str, *args: str) -> Result:
    return run("--store", url, *args)


def test_sqlite_to_postgresql_and_back(
    tmp_path: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    first = f"sqlite:///{tmp_path / 'first.db'}"
    middle = postgres_server.store_url("copy_middle")
    last = f"sqlite:///{tmp_path / 'last.db'}"
    assert on(first, "import", *map(str, FIXTURE_FILES)).exit_code == 0
    assert on(first, "void", "30", "--reason", "a typo, to copy a void too").exit_code == 0

    there = run("copy", "--from", first, "--to", middle)
    assert there.exit_code == 0, there.output
    assert there.stdout.startswith("copied 98 events to postgresql://")
    back = run("copy", "--from", middle, "--to", last)
    assert back.exit_code == 0, back.output

    exports = [on(url, "export").stdout for url in (first, middle, last)]
    assert exports[0] == exports[1] == exports[2]
    logs = [orjson.loads(on(url, "log", "--json").stdout) for url in (first, middle, last)]
    assert logs[0] == logs[1] == logs[2]  # positions, types and system times
    heads = [orjson.loads(on(url, "verify", "--json").stdout) for url in (first, middle, last)]
    assert all(report["ok"] for report in heads)
    assert heads[0]["head"] == heads[1]["head"] == heads[2]["head"]
    states = [
        orjson.loads(
            on(url, "state", "--as-of", "2025-12-28", "--known-at", "2025-12-28", "--json").stdout
        )
        for url in (first, middle, last)
    ]
    assert states[0] == states[1] == states[2]


def test_copy_refuses_a_destination_with_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    source = f"sqlite:///{tmp_path / 'a.db'}"
    target = f"sqlite:///{tmp_path / 'b.db'}"
    assert on(source, "import", *map(str, FIXTURE_FILES[:2])).exit_code == 0
    assert on(target, "import", str(FIXTURE_FILES[0])).exit_code == 0
    before = on(target, "export").stdout
    result = run("copy", "--from", source, "--to", target)
    assert result.exit_code == 1
    assert result.stderr == "Error: the destination store is not empty\n"
    assert on(target, "export").stdout == before


def test_copy_from_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    result = run(
        "copy",
        "--from",
        f"sqlite:///{tmp_path / 'none.db'}",
        "--to",
        f"sqlite:///{tmp_path / 'new.db'}",
    )
    assert result.exit_code == 1
    assert "no tracker store" in result.stderr
    assert not (tmp_path / "new.db").exists()
