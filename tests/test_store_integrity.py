"""No command leaves the log holding what the read models cannot serve, a follower and
writers take turns on the views, and a tracking record changed behind the tracker's back
is named in one line instead of being retried for ever (issue 21, items 1, 4 and 5)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest

from projections.view import TrackerViewBase
from tests.conftest import PROJECT, Invoke, exported, ndjson
from tests.store_sql import run_sql
from tests.test_cli_errors import run_tracker_process
from tests.test_follow import TRACKER, start_follower, tracked, wait_for

# Forty actors with ids of the longest length allowed: one call among all of them was a
# key of 5,160 characters, over PostgreSQL's 2,704-byte limit for an index entry.
LONG_IDS = [f"{index:02d}" + "x" * 126 for index in range(40)]
PARTICIPANTS_REFUSED = (
    "'participants': 40 actors whose ids run to more than 1,000 characters together"
)


@pytest.fixture
def long_named(small_store: Invoke) -> Invoke:
    actors = [{"type": "actor", "id": actor_id, "name": actor_id} for actor_id in LONG_IDS]
    result = small_store("import", "-", input=ndjson(actors))
    assert result.exit_code == 0, result.output
    return small_store


def test_a_record_the_views_cannot_index_is_refused_before_the_append(
    long_named: Invoke,
) -> None:
    before = exported(long_named)
    result = long_named(
        "record", "call", "--id", "wide", "--report", "r1", "--participants", ",".join(LONG_IDS)
    )
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {PARTICIPANTS_REFUSED}\n"
    assert exported(long_named) == before
    assert long_named("state").exit_code == 0
    assert long_named("verify").exit_code == 0


def test_import_refuses_the_same_record_with_the_same_reason(long_named: Invoke) -> None:
    before = exported(long_named)
    call = {"type": "call", "id": "wide", "report": "r1", "participants": LONG_IDS}
    result = long_named("import", "-", input=ndjson([call]))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: <stdin>:1: {PARTICIPANTS_REFUSED}\n"
    assert exported(long_named) == before


def test_a_command_whose_events_the_views_refuse_appends_nothing(
    small_store: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the limits miss: the append is rolled back with the view that failed."""
    before = exported(small_store)

    def refuse(*args: object) -> None:
        raise RuntimeError("the views refused the page")

    with monkeypatch.context() as patched:
        patched.setattr(TrackerViewBase, "_apply_page", refuse)
        result = small_store("actor", "add", "zelensky", "--name", "Volodymyr Zelensky")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the read models refused the events that would have been at log positions"
        " 5-5 (the views refused the page); nothing was recorded\n"
    )
    assert exported(small_store) == before
    for command in ("state", "verify", "log"):
        assert small_store(command).exit_code == 0, command
    assert small_store("actor", "add", "zelensky", "--name", "Volodymyr Zelensky").exit_code == 0


WRITERS = 8


def test_a_follower_and_writers_that_update_the_views_take_turns(
    small_store: Invoke, store_url: str
) -> None:
    """Eight writer processes, each applying its own events to the views, while a
    follower applies the same events: nobody dies, nothing is applied twice."""
    env = {key: value for key, value in os.environ.items() if key != "TRACKER_STORE"}
    follower = start_follower(store_url)
    try:
        writers = [
            subprocess.Popen(
                [
                    *(TRACKER, "--store", store_url, "record", "call", "--id", f"call-w{number}"),
                    *("--report", "r1", "--participants", "trump,putin"),
                    *("--duration-min", str(number)),
                ],
                cwd=PROJECT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for number in range(WRITERS)
        ]
        outcomes = [(writer.communicate(timeout=120)[1], writer.returncode) for writer in writers]
        assert [code for _, code in outcomes] == [0] * WRITERS, [err for err, _ in outcomes]
        last = 4 + WRITERS
        wait_for(store_url, last)
        assert follower.poll() is None, "the follower died"
    finally:
        follower.send_signal(signal.SIGINT)
        out, err = follower.communicate(timeout=30)
    assert (follower.returncode, out) == (0, f"stopped at log position {last}\n"), err
    assert tracked(store_url) == last
    assert small_store("verify").exit_code == 0


def _tracking_table(store_url: str) -> str:
    return "tracking" if store_url.startswith("sqlite:") else "tracker_views_tracking"


def _message(position: int, why: str) -> str:
    return (
        f"Error: the read models' tracking position {position} {why},"
        " so they cannot be trusted: run 'tracker rebuild'\n"
    )


TRACKING = "UPDATE {tracking} SET notification_id = {position} WHERE application_name = 'Tracker'"
APPLIED = "UPDATE applied SET position = {position} WHERE application_name = 'Tracker'"


@pytest.mark.parametrize(
    ("tampering", "message"),
    [
        (
            [TRACKING.format(tracking="{tracking}", position=4)],
            _message(4, "is not the position 5 the views record as applied"),
        ),
        (
            ["DELETE FROM {tracking} WHERE application_name = 'Tracker'"],
            _message(0, "is not the position 5 the views record as applied"),
        ),
        (
            [TRACKING.format(tracking="{tracking}", position=40)],
            _message(40, "is beyond the log's last position 5"),
        ),
        # Both moved back over the call: re-applying it meets its own rows.
        (
            [TRACKING.format(tracking="{tracking}", position=3), APPLIED.format(position=3)],
            _message(3, "is behind events they already hold"),
        ),
    ],
    ids=["behind", "deleted", "ahead", "both-behind"],
)
def test_a_tampered_tracking_position_is_named_and_rebuild_mends_it(
    small_store: Invoke, store_url: str, tampering: list[str], message: str
) -> None:
    """Position 5 adds aliases: applied twice it would raise nothing, and the aliases
    would be listed twice, so moving the tracking record back over it must be seen by
    the record the views keep beside it."""
    assert small_store("actor", "alias", "putin", "Vova").exit_code == 0
    before = log_rows(store_url)
    for statement in tampering:
        run_sql(store_url, statement.format(tracking=_tracking_table(store_url)))
    result = run_tracker_process(store_url, "verify")
    found = message.removeprefix("Error: ")
    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        f"read models: {found}",
        f"Error: verification failed at read models: {found}",
    )
    for command in (
        ("state",),
        ("actor", "list"),
        ("history", "call-1"),
        ("record", "call", "--id", "call-1", "--report", "r1", "--duration-min", "5"),
    ):
        result = run_tracker_process(store_url, *command)  # a hang would not take the suite
        assert (result.returncode, result.stdout, result.stderr) == (1, "", message), command
    assert log_rows(store_url) == before

    assert small_store("rebuild").stdout == "read models rebuilt to log position 5\n"
    assert small_store("verify").exit_code == 0
    listed = small_store("actor", "list", "--json")
    assert [a["aliases"] for a in orjson.loads(listed.stdout) if a["id"] == "putin"] == [
        ["Putin", "Vova"]
    ]


def log_rows(store_url: str) -> list[tuple[object, ...]]:
    """The log as its rows hold it: an export would need the views."""
    return run_sql(store_url, "SELECT {rowid}, topic, state FROM {events} ORDER BY {rowid}")


def test_a_writer_that_gives_up_says_how_many_times_it_tried(
    small_store: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if another process appended, without applying its events to the views, each
    time this one caught up: it tries a bounded number of times, then says so."""
    from tracker.fast import bulk

    before = exported(small_store)
    attempts: list[int] = []

    @contextmanager
    def always_behind(app: object) -> Iterator[None]:
        attempts.append(1)
        raise bulk.ViewBehind(0)
        yield

    with monkeypatch.context() as patched:
        patched.setattr(bulk, "bulk_session", always_behind)
        result = small_store("actor", "add", "zelensky", "--name", "Volodymyr Zelensky")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: other processes kept appending before the views could catch up, in 8"
        " attempts; nothing was recorded: try again\n"
    )
    assert len(attempts) == bulk.VIEW_CATCH_UP_ATTEMPTS == 8
    assert exported(small_store) == before


KILLED_IN_A_ROLLBACK_JOURNAL = """
import os, sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA journal_mode = truncate")
connection.execute("PRAGMA cache_size = 2")  # so that changed pages reach the file
connection.execute("BEGIN IMMEDIATE")
connection.executemany(
    "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
    " VALUES (?, 1, 'x', ?)",
    [(os.urandom(16).hex(), os.urandom(1000)) for _ in range(3000)],
)
os._exit(0)  # as if killed: no commit, no rollback, the journal left hot
"""


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_reader_rolls_back_what_a_transaction_killed_in_a_rollback_journal_left(
    small_store: Invoke, store_url: str, tmp_path: Path
) -> None:
    """A first import or a copy into an empty store writes with a rollback journal; a
    kill leaves the journal hot, and a reader must roll the store back with it, not say
    that it cannot read the store."""
    before = exported(small_store)
    store = store_url.removeprefix("sqlite:///")
    script = tmp_path / "killed.py"
    script.write_text(KILLED_IN_A_ROLLBACK_JOURNAL)
    subprocess.run([sys.executable, str(script), store], check=True, timeout=60)
    assert Path(f"{store}-journal").stat().st_size > 0
    result = run_tracker_process(store_url, "verify")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("ok: 4 events, chain head ")
    assert exported(small_store) == before


def test_verify_while_others_write_finds_nothing_wrong(small_store: Invoke, store_url: str) -> None:
    """verify compares the views with a rebuild under the views' lock, after replaying
    what others applied meanwhile: writers at work are not tampering."""
    env = {key: value for key, value in os.environ.items() if key != "TRACKER_STORE"}

    def start(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [TRACKER, "--store", store_url, *args],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    processes = []
    for number in range(3):
        processes.append(
            start(
                *("record", "call", "--id", f"call-v{number}", "--report", "r1"),
                *("--participants", "trump,putin", "--duration-min", str(number)),
            )
        )
        processes.append(start("verify"))
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, (process.args, out, err)
    assert small_store("verify").exit_code == 0


def test_verify_catches_the_last_event_deleted(small_store: Invoke, store_url: str) -> None:
    """verify walks up to where the log or the chain ends, whichever is later: a walk
    bounded by the log alone would not see its last event gone."""
    run_sql(store_url, "DELETE FROM {events} WHERE {rowid} = 4")
    result = run_tracker_process(store_url, "verify")
    assert (result.returncode, result.stdout.splitlines()) == (
        1,
        [
            "position 4: the event is missing from the log",
            "read models: the read models' tracking position 4 is beyond the log's last"
            " position 3, so they cannot be trusted: run 'tracker rebuild'",
        ],
    )
    assert result.stderr == (
        "Error: verification failed at position 4: the event is missing from the log (and 1 more)\n"
    )


@pytest.mark.parametrize("command", [("export",), ("log",)])
def test_an_event_that_cannot_be_decoded_is_one_line(
    small_store: Invoke, store_url: str, command: tuple[str, ...]
) -> None:
    """The views are up to date, so only reading the log itself meets the event. (An
    export to standard output has streamed the events before it.)"""
    run_sql(store_url, "UPDATE {events} SET state = ? WHERE {rowid} = 4", (b"{{{",))
    result = run_tracker_process(store_url, *command)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: the log holds an event that cannot be decoded (")
    assert result.stderr.endswith("; run 'tracker verify'\n")
    assert result.stderr.count("\n") == 1
