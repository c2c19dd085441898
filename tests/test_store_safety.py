"""No command may destroy a store: outputs never over the store's own files and written
whole, copies all or nothing and only of a store that verifies, and store URLs that
mean one store to every command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result

from tests.conftest import SMALL_STORE_RECORDS, Invoke, ndjson
from tests.postgres_server import PostgresServer
from tests.store_sql import run_sql
from tracker.cli import main
from tracker.sqlite_pool import PAGE_SIZE

TRACKER = str(Path(sys.executable).parent / "tracker")


def run(*args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


# -- outputs never over the store ----------------------------------------------------------

WRITERS = {
    "export": ("export",),
    "export csv": ("export", "--format", "csv"),
    "export timelinejs": ("export", "--format", "timelinejs"),
    "export sqlite": ("export", "--format", "sqlite"),
    "timeline": ("timeline",),
}


def _spellings(folder: Path) -> list[tuple[str, str]]:
    """Names of the store's files, as given and as the refusal names the file: the
    default store's ``tracker.db`` in the current folder."""
    (folder / "sub").mkdir()
    (folder / "link.db").symlink_to(folder / "tracker.db")
    (folder / "wal-link").symlink_to("tracker.db-wal")
    os.link(folder / "tracker.db", folder / "hard.db")
    return [
        ("tracker.db", "tracker.db"),
        (str(folder / "tracker.db"), "tracker.db"),
        ("./sub/../tracker.db", "tracker.db"),
        ("link.db", "tracker.db"),
        ("hard.db", "tracker.db"),
        ("tracker.db-wal", "tracker.db-wal"),
        ("tracker.db-shm", "tracker.db-shm"),
        ("tracker.db-journal", "tracker.db-journal"),
        ("wal-link", "tracker.db-wal"),
    ]


@pytest.mark.parametrize("writer", list(WRITERS))
def test_no_output_is_written_over_the_store_or_its_files(
    writer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_STORE", raising=False)
    assert run("import", "-", input=ndjson(SMALL_STORE_RECORDS)).exit_code == 0
    before = run("export").stdout
    store_bytes = (tmp_path / "tracker.db").read_bytes()
    for given, store_file in _spellings(tmp_path):
        result = run(*WRITERS[writer], "-o", given)
        assert result.exit_code == 1, (given, result.output)
        assert result.stdout == ""
        assert result.stderr == (
            f"Error: cannot write {Path(given)}: it is the store's own file {store_file};"
            " choose another output file\n"
        )
        assert run("export").stdout == before
        assert run("verify").exit_code == 0
    assert (tmp_path / "tracker.db").read_bytes() == store_bytes
    assert os.readlink(tmp_path / "link.db") == str(tmp_path / "tracker.db")
    assert (tmp_path / "hard.db").samefile(tmp_path / "tracker.db")
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []


def test_a_store_url_through_another_path_is_protected_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store named by an absolute URL, the output by a relative path."""
    (tmp_path / "stores").mkdir()
    url = f"sqlite:///{tmp_path / 'stores' / 'team.db'}"
    assert run("--store", url, "import", "-", input=ndjson(SMALL_STORE_RECORDS)).exit_code == 0
    before = run("--store", url, "export").stdout
    monkeypatch.chdir(tmp_path / "stores")
    result = run("--store", url, "export", "--format", "sqlite", "-o", "../stores/team.db")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot write ../stores/team.db: it is the store's own file"
        f" {tmp_path / 'stores' / 'team.db'}; choose another output file\n"
    )
    assert run("--store", url, "export").stdout == before


def test_a_failing_export_leaves_the_file_it_would_replace_as_it_was(
    seeded: Invoke, store_url: str, tmp_path: Path
) -> None:
    """A backup of the whole log, then an export that fails half-way through the log
    (an event that cannot be read): the backup keeps every line."""
    backup = tmp_path / "backup.ndjson"
    result = seeded("export", "-o", str(backup))
    assert result.exit_code == 0, result.output
    whole = backup.read_bytes()
    assert whole.count(b"\n") == 97
    run_sql(store_url, "UPDATE {events} SET state = ? WHERE {rowid} = 50", (b"{",))
    result = seeded("export", "-o", str(backup))
    assert result.exit_code == 1
    assert backup.read_bytes() == whole
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


# -- store URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a#b.db", "what?.db", "50%.db", "x?mode=memory#.db"])
def test_a_store_file_named_with_uri_characters_is_found_again(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{name}"
    result = run("--store", url, "init")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"store ready at {name} (log position 0)\n"
    result = run("--store", url, "import", "-", input=ndjson(SMALL_STORE_RECORDS))
    assert result.exit_code == 0, result.output
    result = run("--store", url, "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: 4 events, chain head ")
    # Nothing beside the store: no stray file named after the part before "#" or "?".
    assert sorted(path.name for path in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize(
    "schema", ["%20victim", "victim%20", "Victim", "a%22b", "", "1st", "a&schema=b", "x" * 64]
)
def test_a_schema_name_that_readers_would_read_otherwise_is_refused(
    schema: str, postgres_server: PostgresServer
) -> None:
    """The library strips the spaces a reader keeps: the import wrote into "victim"
    while every reader of the same URL looked in " victim" and found no store."""
    url = postgres_server.store_url(schema)
    victim = postgres_server.store_url("victim")
    result = run("--store", url, "import", "-", input=ndjson(SMALL_STORE_RECORDS))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: store URL {url!r}: the schema must be one name of lower-case letters,"
        " digits and underscores, not starting with a digit, at most 63 characters\n"
    )
    result = run("--store", victim, "log")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no tracker store at postgresql://")


@pytest.mark.parametrize(
    "path", [":memory:", "file::memory:?cache=shared", "file:kept.db?mode=memory", "x/:memory:"]
)
def test_an_in_memory_sqlite_store_is_refused(
    path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import into memory reported success and kept nothing."""
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{path}"
    result = run("--store", url, "import", "-", input=ndjson(SMALL_STORE_RECORDS))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: store URL {url!r} names an in-memory or URI database, which would keep"
        " nothing: name a file\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("seconds", ["nan", "inf", "NaN", "+Infinity"])
def test_follow_refuses_seconds_that_never_end(seconds: str, tmp_path: Path) -> None:
    """``follow --seconds nan`` ran for ever: a subprocess, so that it cannot hang the
    suite (its timeout only bounds a failure)."""
    store = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert run("--store", store, "init").exit_code == 0
    result = subprocess.run(
        [TRACKER, "--store", store, "follow", "--seconds", seconds],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    value = float(seconds)
    assert result.stderr == (
        f"Error: Invalid value for '--seconds': {value} is not a finite number of seconds"
        " (see 'tracker follow --help')\n"
    )


# -- copy: all or nothing, and only of a store that verifies --------------------------------


def _destination(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'copy.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.store_url(f"copy_{uuid.uuid4().hex[:16]}")


def _head(store_url: str) -> str:
    rows = run_sql(store_url, "SELECT chain FROM {hashes} ORDER BY notification_id DESC LIMIT 1")
    return str(rows[0][0]) if rows else "0" * 64


@pytest.mark.parametrize("destination_kind", ["sqlite", "postgresql"])
def test_copy_refuses_a_source_whose_chain_does_not_verify(
    small_store: Invoke,
    store_url: str,
    destination_kind: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """An actor's name rewritten behind the tracker's back: the copy's own chain would
    have verified, and the forged name become evidence."""
    ((state,),) = run_sql(store_url, "SELECT state FROM {events} WHERE {rowid} = 1")
    forged = bytes(state).replace(b"Donald Trump", b"Donald Tramp")
    assert forged != bytes(state)
    run_sql(store_url, "UPDATE {events} SET state = ? WHERE {rowid} = 1", (forged,))
    destination = _destination(destination_kind, tmp_path, request)

    result = run("copy", "--from", store_url, "--to", destination)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: the source store fails verification at position 1: the event differs from"
        " what was recorded (hash chain broken); run 'tracker verify'\n"
    )
    result = run("--store", destination, "log")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no tracker store at ")
    assert not (tmp_path / "copy.db").exists()


# Three of the batches an older copy committed one by one (5,000 events each).
COPIED_EVENTS = 12_000
# The destination's log has grown past its empty tables: only a copy in batches
# commits this much before its end.
COMMITTED_BYTES = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def large_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store of many small events, so that a copy takes a while."""
    folder = tmp_path_factory.mktemp("large-source")
    records = folder / "actors.ndjson"
    records.write_bytes(
        ndjson(
            [
                {"type": "actor", "id": f"a{index}", "name": f"Actor {index}"}
                for index in range(COPIED_EVENTS)
            ]
        )
    )
    url = f"sqlite:///{folder / 'source.db'}"
    result = run("--store", url, "import", str(records))
    assert result.exit_code == 0, result.output
    return url


def _copy_under_way(destination: str) -> bool:
    """Whether the copy writes the destination's log. On SQLite: the store made, with
    its tables (more than its first page), out of WAL mode, and its rollback journal
    holding pages (one transaction); or the store grown with committed batches. On
    PostgreSQL: the log's table has grown, its rows committed or not."""
    if destination.startswith("sqlite:"):
        path = Path(destination.removeprefix("sqlite:///"))
        sizes = {
            suffix: Path(f"{path}{suffix}").stat().st_size
            for suffix in ("", "-wal", "-journal")
            if Path(f"{path}{suffix}").exists()
        }
        in_transaction = (
            sizes.get("-journal", 0) > 0 and "-wal" not in sizes and sizes.get("", 0) > PAGE_SIZE
        )
        committed = sizes.get("", 0) + sizes.get("-wal", 0) > COMMITTED_BYTES
        return in_transaction or committed
    base, schema = destination.split("?schema=")
    with psycopg.connect(base, autocommit=True) as connection:
        row = connection.execute(
            "SELECT pg_relation_size(to_regclass(%s))", (f"{schema}.tracker_events",)
        ).fetchone()
    return row is not None and row[0] is not None and row[0] > 0


@pytest.mark.parametrize("destination_kind", ["sqlite", "postgresql"])
def test_a_copy_killed_half_way_leaves_an_empty_destination_and_can_run_again(
    large_source: str, destination_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Killed after 0.7 s, a copy left 30,000 of 60,097 events that verified, and a
    second copy refused the store as not empty."""
    destination = _destination(destination_kind, tmp_path, request)
    process = subprocess.Popen(
        [TRACKER, "copy", "--from", large_source, "--to", destination],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        # Bounds only a failure: the copy runs for a second or more.
        for _ in range(6000):
            if process.poll() is not None or _copy_under_way(destination):
                break
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == -signal.SIGKILL  # killed, not finished

    empty = f"ok: 0 events, chain head {'0' * 64}@0\n"
    result = run("--store", destination, "verify")
    assert (result.exit_code, result.stdout, result.stderr) == (0, empty, "")

    result = run("copy", "--from", large_source, "--to", destination)
    assert result.exit_code == 0, result.output
    where = "copy.db" if destination_kind == "sqlite" else "postgresql://"
    assert result.stdout.startswith(f"copied {COPIED_EVENTS} events to ")
    assert where in result.stdout
    result = run("--store", destination, "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"ok: {COPIED_EVENTS} events, chain head {_head(large_source)}@{COPIED_EVENTS}\n"
    )
