"""The installed ``tracker`` command in real subprocesses, on a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from tests.conftest import FIXTURE_FILES, PROJECT
from tracker.records import PARALLEL_IMPORT_MIN_BYTES

TRACKER = Path(sys.executable).parent / "tracker"


def tracker(
    *args: str, store: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {key: value for key, value in os.environ.items() if key != "TRACKER_STORE"}
    return subprocess.run(
        [str(TRACKER), "--store", f"sqlite:///{store}", *args],
        cwd=PROJECT,
        env=env,
        input=stdin,
        capture_output=True,
        check=False,
        timeout=60,
    )


@pytest.fixture
def seed_store(tmp_path: Path) -> Path:
    store = tmp_path / "seed.db"
    result = tracker("import", *map(str, FIXTURE_FILES), store=store)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().startswith("imported 97 records")
    return store


def drain(leader: int, seconds: float = 10) -> bytes:
    """What a terminal's other end still holds, without waiting on it for ever."""
    import select
    import time

    shown = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and select.select([leader], [], [], 0.2)[0]:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end is closed
            break
        if not chunk:
            break
        shown += chunk
    return shown


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = tracker("--help", store=tmp_path / "none.db")
    assert result.returncode == 0
    for command in ("import", "export", "state", "history", "record", "void", "retract"):
        assert f"  {command} " in result.stdout.decode()


def test_seed_state_as_known_on_the_day_of_the_last_reports(seed_store: Path) -> None:
    result = tracker(
        "state", "--as-of", "2025-12-28", "--known-at", "2025-12-28", "--json", store=seed_store
    )
    assert result.returncode == 0, result.stderr.decode()
    state = orjson.loads(result.stdout)
    assert state["position"] == 97
    (group,) = [g for g in state["calls"] if g["participants"] == ["putin", "trump"]]
    assert (group["count"], group["claimed_count"]) == (3, 9)
    # The meeting at 13:00 comes before the calls planned after it that day.
    assert state["next_meetings"][0]["id"] == "meeting-2025-12-28-mar-a-lago"


def test_export_import_round_trip_through_processes(seed_store: Path, tmp_path: Path) -> None:
    exported = tracker("export", store=seed_store)
    assert exported.returncode == 0
    copy = tmp_path / "copy.db"
    imported = tracker("import", "-", store=copy, stdin=exported.stdout)
    assert imported.returncode == 0, imported.stderr.decode()
    assert tracker("export", store=copy).stdout == exported.stdout


def test_a_cited_state_is_reproduced_at_its_position_after_a_late_account(
    seed_store: Path,
) -> None:
    day = ("--as-of", "2025-12-28", "--known-at", "2025-12-28")
    cited = tracker("state", *day, store=seed_store)
    assert b"(log position 97)" in cited.stdout
    recorded = tracker(
        "report", "add", "--id", "r-late", "--outlet", "Late Wire", "--published", "2025-12-27",
        "--text", "Trump and Putin spoke by phone on August 10.", store=seed_store,
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr.decode()
    recorded = tracker(
        "record", "call", "--id", "call-2025-08-10", "--report", "r-late",
        "--participants", "trump,putin", "--occurred", "2025-08-10", store=seed_store,
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr.decode()
    assert tracker("state", *day, store=seed_store).stdout != cited.stdout
    files = {path: path.read_bytes() for path in seed_store.parent.glob("seed.db*")}
    again = tracker("state", *day, "--position", "97", store=seed_store)
    assert (again.returncode, again.stderr) == (0, b"")
    assert again.stdout == cited.stdout
    # Only read: the store's files are byte for byte as they were.
    assert {path: path.read_bytes() for path in seed_store.parent.glob("seed.db*")} == files


def test_recording_from_the_command_line(tmp_path: Path) -> None:
    store = tmp_path / "mine.db"
    steps = [
        ("init",),
        ("actor", "add", "trump", "--name", "Donald Trump", "--alias", "Trump"),
        ("actor", "add", "putin", "--name", "Vladimir Putin", "--alias", "Putin"),
        ("report", "add", "seeds/002_ed9e9ae3377e271a.txt", "--id", "r-002", "--outlet", "RIA"),
        (
            "record",
            "call",
            "--id",
            "call-2025-12-28",
            "--report",
            "r-002",
            "--participants",
            "Trump,PUTIN",
            "--occurred",
            "2025-12-28",
            "--duration-min",
            "75",
            "--quote",
            "The conversation lasted one hour and 15 minutes",
        ),
    ]
    for step in steps:
        result = tracker(*step, store=store)
        assert result.returncode == 0, (step, result.stderr.decode())
    calls = orjson.loads(tracker("calls", "--as-of", "2025-12-28", "--json", store=store).stdout)
    assert calls["calls"][0]["calls"] == ["call-2025-12-28"]


def test_a_reading_command_on_a_missing_store_fails_without_creating_it(tmp_path: Path) -> None:
    store = tmp_path / "missing.db"
    result = tracker("state", store=store)
    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr.decode().count("\n") == 1
    assert "no tracker store" in result.stderr.decode()
    assert not store.exists()


def test_a_bad_import_line_names_the_file_and_line_and_appends_nothing(
    seed_store: Path, tmp_path: Path
) -> None:
    before = tracker("export", store=seed_store).stdout
    bad = tmp_path / "bad.ndjson"
    bad.write_text(
        '{"type":"actor","id":"new","name":"New Actor"}\n{"type":"call","id":"x",\n',
        encoding="utf-8",
    )
    result = tracker("import", str(bad), "--base", str(tmp_path), store=seed_store)
    assert result.returncode == 1
    assert result.stderr.decode().startswith(f"Error: {bad}:2: malformed JSON")
    assert tracker("export", store=seed_store).stdout == before


@pytest.mark.parametrize("count", [5000, 9000], ids=["in-process", "with-a-producer"])
def test_a_long_import_shows_progress_on_a_terminal(tmp_path: Path, count: int) -> None:
    """Over 2 MB, a producer process reads the file and this one reports its progress."""
    import pty

    actors = [
        {"type": "actor", "id": f"actor-{n}", "name": f"Actor {n}", "role": "x" * 200}
        for n in range(count)
    ]
    big = tmp_path / "big.ndjson"
    big.write_bytes(b"".join(orjson.dumps(actor) + b"\n" for actor in actors))
    assert big.stat().st_size > 1_000_000
    produced = big.stat().st_size >= PARALLEL_IMPORT_MIN_BYTES
    assert produced == (count == 9000)
    leader, follower = pty.openpty()
    env = {key: value for key, value in os.environ.items() if key != "TRACKER_STORE"}
    process = subprocess.Popen(
        [
            str(TRACKER),
            "--store",
            f"sqlite:///{tmp_path / 'big.db'}",
            "import",
            str(big),
            "--base",
            str(tmp_path),
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    # Read the terminal while the import runs, so a full terminal buffer cannot stall it.
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        shown += drain(leader, 0.5)
    out, _ = process.communicate(timeout=10)
    shown += drain(leader)
    os.close(leader)
    assert process.returncode == 0
    assert out.startswith(f"imported {count} records".encode())
    assert b"reading big.ndjson" in shown and b"100%" in shown


def test_a_missing_required_field_is_prompted_for_on_a_terminal(tmp_path: Path) -> None:
    import pty
    import select
    import time

    store = tmp_path / "prompt.db"
    records = [
        {"type": "actor", "id": "trump", "name": "Donald Trump"},
        {"type": "actor", "id": "putin", "name": "Vladimir Putin"},
        {"type": "report", "id": "r1", "outlet": "Wire", "published": "2025-12-28"},
    ]
    stdin = b"".join(orjson.dumps(record) + b"\n" for record in records)
    assert tracker("import", "-", store=store, stdin=stdin).returncode == 0
    leader, follower = pty.openpty()
    env = {key: value for key, value in os.environ.items() if key != "TRACKER_STORE"}
    process = subprocess.Popen(
        [
            str(TRACKER),
            "--store",
            f"sqlite:///{store}",
            "record",
            "call",
            "--id",
            "c1",
            "--report",
            "r1",
            "--occurred",
            "2025-12-28",
        ],
        cwd=PROJECT,
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    deadline = time.monotonic() + 60  # a bound for a hang only
    while b"participants:" not in shown and time.monotonic() < deadline:
        if select.select([leader], [], [], 0.5)[0]:
            shown += os.read(leader, 1024)
    assert b"participants:" in shown, shown
    os.write(leader, b"Trump, Putin\n")
    assert process.wait(timeout=30) == 0
    shown += drain(leader)
    os.close(leader)
    assert b"call c1 recorded" in shown
    calls = orjson.loads(tracker("calls", "--as-of", "2025-12-28", "--json", store=store).stdout)
    assert calls["calls"][0]["participants"] == ["putin", "trump"]


# What a query imports: the commands and the domain's aggregates only when it must
# catch the views up (each costs a fresh process start-up time).
COMMAND_MODULES = ("tracker.batch", "tracker.domain", "projections.projection")


def state_in_a_fresh_process(store: Path) -> tuple[dict[str, object], list[str]]:
    """``tracker state --json`` in a new interpreter, and which command modules it
    imported."""
    argv = ["tracker", "--store", f"sqlite:///{store}", "state"]
    argv += ["--as-of", "2025-12-28", "--known-at", "2025-12-28", "--json"]
    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        f"sys.argv = {argv!r}\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "import orjson\n"
        f"imported = [name for name in {COMMAND_MODULES!r} if name in sys.modules]\n"
        "print(orjson.dumps(imported).decode(), file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    return orjson.loads(result.stdout), orjson.loads(result.stderr.splitlines()[-1])


def test_a_query_on_views_up_to_date_imports_no_commands(seed_store: Path) -> None:
    state, imported = state_in_a_fresh_process(seed_store)
    assert state["position"] == 97
    assert imported == []


def test_a_query_that_catches_the_views_up_imports_the_projection(seed_store: Path) -> None:
    expected, _ = state_in_a_fresh_process(seed_store)
    with sqlite3.connect(seed_store) as connection:  # as after an upgrade of the views
        connection.execute("UPDATE view_schema SET version = 'older'")
    connection.close()

    state, imported = state_in_a_fresh_process(seed_store)

    assert state == expected
    assert imported == ["tracker.domain", "projections.projection"]
