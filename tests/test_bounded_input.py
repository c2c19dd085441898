"""Bounded input: no input may swell memory, fill a disk, leave scratch files behind, or
end in a traceback; and what a store exports, it imports back.

The rule of test_cli_errors.py holds throughout: one line on stderr naming the place,
exit 1 for bad data and 2 for bad usage, and the store exactly as it was. Where memory,
devices, pipes and signals matter, ``tracker`` runs in a process of its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import orjson
import pytest
from click.testing import CliRunner

import tracker.ndjson_lines
import tracker.records
from tests.conftest import PROJECT, Invoke, exported, ndjson
from tests.store_sql import run_sql
from tests.test_cli_errors import check_error
from tracker.cli import main
from tracker.dates import parse_fuzzy_date
from tracker.limits import MAX_LINE_BYTES, MAX_REPORT_BYTES

SQLITE_ONLY = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
MIB = 1024 * 1024

# -- running tracker in a process of its own ---------------------------------------------

# Guards for the machine, set in the child: a runaway fails there, not the host. Old
# code read /dev/zero into memory until it failed, and copied it to disk without end.
MEMORY_GUARD = 1 << 30
FILE_SIZE_GUARD = 64 * MIB
PROCESS_CODE = (
    "import resource, signal, sys;"
    f" resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_GUARD}, {MEMORY_GUARD}));"
    f" resource.setrlimit(resource.RLIMIT_FSIZE, ({FILE_SIZE_GUARD}, {FILE_SIZE_GUARD}));"
    " signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
    " sys.argv[0] = 'tracker'; from tracker.cli import main; main()"
)


class Finished(NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    peak_mb: float


def spawn(
    store: str, tmp_path: Path, *args: str, stdin: Any = subprocess.DEVNULL
) -> subprocess.Popen[bytes]:
    """``tracker ARGS`` in a process of its own, its output into files in ``tmp_path``."""
    env = {key: value for key, value in os.environ.items() if key != "TRACKER_STORE"}
    with (tmp_path / "stdout.txt").open("wb") as out, (tmp_path / "stderr.txt").open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-c", PROCESS_CODE, "--store", store, *args],
            cwd=PROJECT,
            env=env,
            stdin=stdin,
            stdout=out,
            stderr=err,
        )


def stopped_while_copying_stdin(store: str, tmp_path: Path, stop: signal.Signals) -> Finished:
    """``tracker import -`` from a pipe kept open, sent ``stop`` once it has begun to
    copy standard input to its scratch folder."""
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb") as stdin:
        process = spawn(store, tmp_path, "import", "-", stdin=stdin)
    with os.fdopen(write_end, "wb") as writer:
        writer.write(ndjson([{"type": "actor", "id": "late", "name": "Late"}]))
        writer.flush()
        deadline = time.monotonic() + 30
        while not scratch_files(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert scratch_files(tmp_path), "the import never started copying standard input"
        process.send_signal(stop)
        return finish(process, tmp_path)


def finish(process: subprocess.Popen[bytes], tmp_path: Path, timeout: float = 60) -> Finished:
    """Wait for the process (killed after ``timeout`` seconds: a hang fails the test, it
    does not time anything); its exit code, output and peak memory, from wait4."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    return Finished(
        process.returncode,
        (tmp_path / "stdout.txt").read_bytes().decode("utf-8", "replace"),
        (tmp_path / "stderr.txt").read_bytes().decode("utf-8", "replace"),
        usage.ru_maxrss / 1024,
    )


def run_tracker(
    store: str, tmp_path: Path, *args: str, stdin: Any = subprocess.DEVNULL
) -> Finished:
    return finish(spawn(store, tmp_path, *args, stdin=stdin), tmp_path)


def check_finished(finished: Finished, code: int, *needles: str) -> None:
    """As check_error, for a process of its own."""
    check_error(
        subprocess.CompletedProcess([], finished.returncode, finished.stdout, finished.stderr),
        code,
        *needles,
    )


def scratch_files(folder: Path) -> list[str]:
    """What an import keeps beside a SQLite store while it runs, and must remove."""
    return sorted(path.name for path in folder.iterdir() if "tracker-" in path.name)


def sparse_file(path: Path, size: int) -> Path:
    """A file of ``size`` zero bytes and no newline that takes no room on the disk."""
    with path.open("wb") as stream:
        stream.truncate(size)
    return path


# -- 1. what is not a regular file is refused before it is read ---------------------------


@SQLITE_ONLY
def test_import_of_dev_zero_is_refused_on_one_line(
    small_store: Invoke, store_url: str, tmp_path: Path
) -> None:
    """It ended in a MemoryError traceback after reading gigabytes."""
    before = exported(small_store)
    finished = run_tracker(store_url, tmp_path, "import", "/dev/zero")
    check_finished(finished, 1, "/dev/zero", "not a regular file")
    assert exported(small_store) == before


@SQLITE_ONLY
def test_import_of_a_named_pipe_is_refused_without_waiting_for_a_writer(
    small_store: Invoke, store_url: str, tmp_path: Path
) -> None:
    """Opening a pipe that nobody writes waits for ever."""
    fifo = tmp_path / "records.fifo"
    os.mkfifo(fifo)
    before = exported(small_store)
    finished = finish(spawn(store_url, tmp_path, "import", str(fifo)), tmp_path)
    check_finished(finished, 1, str(fifo), "not a regular file")
    assert exported(small_store) == before


def test_import_of_a_folder_names_it(small_store: Invoke, tmp_path: Path) -> None:
    before = exported(small_store)
    result = small_store("import", str(tmp_path))
    check_error(
        result, 1, f"{tmp_path}: not a regular file", before=before, after=exported(small_store)
    )


@SQLITE_ONLY
def test_report_add_of_dev_zero_is_refused_on_one_line(
    small_store: Invoke, store_url: str, tmp_path: Path
) -> None:
    before = exported(small_store)
    finished = run_tracker(
        store_url,
        tmp_path,
        "report",
        "add",
        "/dev/zero",
        "--id",
        "z",
        "--outlet",
        "W",
        "--published",
        "2025-01-01",
    )
    check_finished(finished, 1, "/dev/zero", "not a regular file")
    assert exported(small_store) == before


@SQLITE_ONLY
def test_a_report_path_to_dev_zero_is_refused_on_one_line(
    small_store: Invoke, store_url: str, tmp_path: Path
) -> None:
    """With ``--base /``, a report's path may reach a device: it was read whole."""
    source = tmp_path / "zero.ndjson"
    up = "../" * len(tmp_path.parts)
    source.write_bytes(
        ndjson(
            [
                {
                    "type": "report",
                    "id": "rz",
                    "outlet": "W",
                    "published": "2025-01-01",
                    "path": f"{up}dev/zero",
                }
            ]
        )
    )
    before = exported(small_store)
    finished = run_tracker(store_url, tmp_path, "import", "--base", "/", str(source))
    check_finished(finished, 1, f"{source}:1:", "dev/zero", "not a regular file")
    assert exported(small_store) == before


# -- 2. lines are read with a bound -------------------------------------------------------

# Ten times the line limit, as one line without a newline: read whole, it took more
# than this many MB; read with a bound, a few times the limit at most.
LONG_LINE = 10 * MAX_LINE_BYTES
MEMORY_LIMIT_MB = 160


@SQLITE_ONLY
@pytest.mark.parametrize("how", ["file", "stdin"])
def test_a_line_ten_times_the_limit_is_refused_once_the_limit_is_read(
    small_store: Invoke, store_url: str, tmp_path: Path, how: str
) -> None:
    source = sparse_file(tmp_path / "long.ndjson", LONG_LINE)
    before = exported(small_store)
    if how == "file":
        finished = run_tracker(store_url, tmp_path, "import", str(source))
        place = f"{source}:1:"
    else:
        with source.open("rb") as stdin:
            finished = run_tracker(store_url, tmp_path, "import", "-", stdin=stdin)
        place = "<stdin>:1:"
    check_finished(finished, 1, place, "longer than 16 MB")
    assert finished.peak_mb < MEMORY_LIMIT_MB, f"peak memory {finished.peak_mb:.0f} MB"
    assert exported(small_store) == before
    assert scratch_files(tmp_path) == []


@SQLITE_ONLY
def test_import_of_dev_zero_on_stdin_stops_at_the_line_limit(
    small_store: Invoke, store_url: str, tmp_path: Path
) -> None:
    """It copied 2.5 GB beside the store in 4 s; here the child may not write a file
    over FILE_SIZE_GUARD, which old code ran into, saying so in another error."""
    before = exported(small_store)
    with open("/dev/zero", "rb") as zero:
        finished = run_tracker(store_url, tmp_path, "import", "-", stdin=zero)
    check_finished(finished, 1, "<stdin>:1:", "longer than 16 MB")
    assert exported(small_store) == before
    assert scratch_files(tmp_path) == []


def test_a_line_just_over_the_limit_is_refused_naming_its_line(
    small_store: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit made smaller, to test its edge cheaply: a line of exactly the limit
    (newline included) is read; one byte more is not."""
    monkeypatch.setattr(tracker.ndjson_lines, "MAX_LINE_BYTES", 200)
    actor = b'{"type": "actor", "id": "a1", "name": "'
    fits = actor + b"x" * (200 - len(actor) - 3) + b'"}\n'
    assert len(fits) == 200
    over = actor + b"y" * (200 - len(actor) - 2) + b'"}\n'
    source = tmp_path / "edge.ndjson"
    source.write_bytes(fits + over)
    before = exported(small_store)
    result = small_store("import", str(source))
    check_error(
        result, 1, f"{source}:2:", "longer than", before=before, after=exported(small_store)
    )


def test_standard_input_larger_than_the_free_space_is_refused(
    small_store: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy of standard input stops where the disk would have no room left for the
    import's log (here: 1 MB free, 3 MB of records)."""
    monkeypatch.setattr(
        tracker.records.shutil, "disk_usage", lambda path: SimpleNamespace(free=MIB)
    )
    records = [
        {"type": "actor", "id": f"a{n}", "name": f"Actor {n}", "role": "x" * 100}
        for n in range(20_000)
    ]
    before = exported(small_store)
    result = small_store("import", "-", input=ndjson(records))
    check_error(
        result,
        1,
        "standard input is too large for the disk",
        before=before,
        after=exported(small_store),
    )


# -- 3. a stop signal leaves no scratch file ----------------------------------------------


@SQLITE_ONLY
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_import_of_standard_input_leaves_no_copy(
    small_store: Invoke, store_url: str, tmp_path: Path, stop: signal.Signals
) -> None:
    """Stopped while it copies standard input (a pipe kept open), the import removes its
    copy and leaves the store as it was."""
    before = exported(small_store)
    finished = stopped_while_copying_stdin(store_url, tmp_path, stop)
    assert finished.returncode != 0
    assert "Traceback" not in finished.stderr
    assert scratch_files(tmp_path) == []
    assert exported(small_store) == before


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_first_import_leaves_no_store(tmp_path: Path, stop: signal.Signals) -> None:
    """Stopped before it appended anything, an import that created the store removes
    it, as a failed one does."""
    finished = stopped_while_copying_stdin(f"sqlite:///{tmp_path / 'new.db'}", tmp_path, stop)
    assert finished.returncode != 0
    assert "Traceback" not in finished.stderr
    assert sorted(path.name for path in tmp_path.iterdir() if "new.db" in path.name) == []
    assert scratch_files(tmp_path) == []


# -- 4. what is exported imports back: a report's size --------------------------------------


def report_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "big-report.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("all quiet " * (MAX_LINE_BYTES // 10 + 1000), id="longer-than-a-line"),
        # 3 MB of a control character: 18 MB as JSON (\u0001), which is what counts.
        pytest.param("\x01" * (3 * MIB), id="escaped-to-more-than-a-line"),
    ],
)
def test_report_add_refuses_a_text_whose_export_line_would_not_import(
    small_store: Invoke, tmp_path: Path, text: str
) -> None:
    before = exported(small_store)
    result = small_store(
        "report",
        "add",
        str(report_file(tmp_path, text)),
        "--id",
        "big",
        "--outlet",
        "W",
        "--published",
        "2025-12-29",
    )
    check_error(result, 1, "too large", before=before, after=exported(small_store))


def test_import_refuses_a_report_path_whose_export_line_would_not_import(
    small_store: Invoke, tmp_path: Path
) -> None:
    report_file(tmp_path, "all quiet " * (MAX_LINE_BYTES // 10 + 1000))
    source = tmp_path / "report.ndjson"
    source.write_bytes(
        ndjson(
            [
                {
                    "type": "report",
                    "id": "big",
                    "outlet": "W",
                    "published": "2025-12-29",
                    "path": "big-report.txt",
                }
            ]
        )
    )
    before = exported(small_store)
    result = small_store("import", "--base", str(tmp_path), str(source))
    check_error(result, 1, f"{source}:1:", "too large", before=before, after=exported(small_store))


@SQLITE_ONLY
def test_the_largest_report_exports_and_imports_back(small_store: Invoke, tmp_path: Path) -> None:
    """At the limit, with the longest other fields a line leaves room for, the export
    line still fits the importer's limit."""
    text = "a" * (MAX_REPORT_BYTES - 1014)  # with the outlet and date, the most there is
    result = small_store(
        "report",
        "add",
        str(report_file(tmp_path, text)),
        "--id",
        "largest",
        "--outlet",
        "W" * 998,
        "--published",
        "2025-12-29",
    )
    assert result.exit_code == 0, result.output
    exported_lines = exported(small_store)
    assert max(len(line.encode()) + 1 for line in exported_lines.splitlines()) <= MAX_LINE_BYTES
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    result = CliRunner().invoke(main, ["--store", copy, "import", "-"], input=exported_lines)
    assert result.exit_code == 0, result.output
    assert (
        exported(lambda *args: CliRunner().invoke(main, ["--store", copy, *args])) == exported_lines
    )


# -- 5. numbers and days at the ends of their range ---------------------------------------

HUGE = "99999999999999999999"  # past 64 bits: it reached the database, and a traceback


def test_void_of_a_position_past_64_bits_is_a_usage_error(small_store: Invoke) -> None:
    before = exported(small_store)
    result = small_store("void", HUGE, "--reason", "typo")
    check_error(result, 2, "POSITION", before=before, after=exported(small_store))


@pytest.mark.parametrize("command", ["strikes", "claims", "statements", "meetings", "calls", "log"])
def test_a_limit_past_64_bits_is_a_usage_error(small_store: Invoke, command: str) -> None:
    result = small_store(command, "--limit", HUGE)
    check_error(result, 2, "'--limit'")


@pytest.mark.parametrize(
    ("args", "option"),
    [(["verify", "--at", HUGE], "'--at'"), (["export", "--max-developments", HUGE], "'--max")],
)
def test_other_whole_numbers_past_64_bits_are_usage_errors(
    small_store: Invoke, args: list[str], option: str
) -> None:
    check_error(small_store(*args), 2, option)


def test_the_largest_limit_is_taken(small_store: Invoke) -> None:
    result = small_store("statements", "--limit", str(2**63 - 1))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args",
    [
        ["state"],
        ["meetings"],
        ["strikes"],
        ["timeline", "-o", "{tmp}/timeline.html"],
        ["export", "--format", "csv"],
    ],
    ids=lambda args: args[0] if args[0] != "export" else "export-csv",
)
@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-29", "9999-12-31"])
def test_the_first_and_last_days_of_the_calendar_are_days_like_others(
    small_store: Invoke, tmp_path: Path, args: list[str], day: str
) -> None:
    """A window of days before ``--as-of`` reached back before year 1: OverflowError."""
    result = small_store(*[arg.format(tmp=tmp_path) for arg in args], "--as-of", day)
    assert result.exit_code == 0, result.output
    assert not result.stderr


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("args", "named"),
    [
        ([b"actor", b"add", b"x", b"--name", b"\xff"], "'--name'"),
        (
            [b"actor", b"add", b"x", b"--name", b"X", b"--alias", b"ok", b"--alias", b"a\xc3("],
            "'--alias'",
        ),
        ([b"actor", b"add", b"x\xff", b"--name", b"X"], "'ACTOR_ID'"),
        ([b"actor", b"alias", b"Trump", b"\xfe"], "'ALIASES...'"),
        (
            [
                b"report",
                b"add",
                b"--id",
                b"r9",
                b"--outlet",
                b"W\xff",
                b"--text",
                b"t",
                b"--published",
                b"2025",
            ],
            "'--outlet'",
        ),
        (
            [b"record", b"call", b"--id", b"call-1", b"--report", b"r1", b"--note", b"\x80"],
            "'--note'",
        ),
        # Its callback refuses it first, as a date it is not: a usage error all the same.
        ([b"statements", b"--as-of", b"2025-01-0\xff"], "'--as-of'"),
        ([b"\xff"], "command name"),
    ],
    ids=["name", "alias", "actor-id", "actor-alias", "outlet", "note", "as-of", "command"],
)
def test_text_that_is_not_utf8_is_a_usage_error_naming_its_option(
    small_store: Invoke, store_url: str, tmp_path: Path, args: list[bytes], named: str
) -> None:
    """Through a real process, as a shell passes ``$'\\xff'``: click hands such bytes on
    as surrogates, which failed deep in the store with a traceback."""
    before = exported(small_store)
    finished = run_tracker(store_url, tmp_path, *args)  # type: ignore[arg-type]
    check_finished(finished, 2, named, "not UTF-8" if "as-of" not in named else "")
    assert exported(small_store) == before


@SQLITE_ONLY
def test_a_file_name_that_is_not_utf8_is_still_a_file_name(
    small_store: Invoke, store_url: str, tmp_path: Path
) -> None:
    """File names are bytes to the system: one that is not UTF-8 opens all the same."""
    source = Path(os.fsdecode(bytes(tmp_path) + b"/\xff.ndjson"))
    source.write_bytes(ndjson([{"type": "actor", "id": "late", "name": "Late"}]))
    finished = run_tracker(store_url, tmp_path, "import", os.fsencode(source))  # type: ignore[arg-type]
    assert finished.returncode == 0, finished.stderr
    assert "late" in exported(small_store)


# -- 6. years before 1000 ------------------------------------------------------------------


def statements_of_the_year_500(invoke: Invoke) -> None:
    """Two statements in r1's words, told as of the spring and of May of the year 500."""
    for statement_id, quote, occurred in [
        ("s-spring", "It lasted 75 minutes.", "0500-21"),
        ("s-may", "a very good call with Putin today", "0500-05"),
    ]:
        result = invoke(
            "record", "statement", "--id", statement_id, "--report", "r1", "--speaker",
            "Trump", "--quote", quote, "--occurred", occurred,
        )  # fmt: skip
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("0500-21", "0500-03-01", "0500-05-31"),
        ("0999-22", "0999-06-01", "0999-08-31"),
        ("[0500..0600]", "0500-01-01", "0600-12-31"),
        ("0050-05~", "0050-04-01", "0050-06-30"),
    ],
)
def test_bounds_from_edtf_have_four_digit_years(text: str, lower: str, upper: str) -> None:
    parsed = parse_fuzzy_date(text)
    assert (parsed.lower, parsed.upper) == (lower, upper)


def test_an_instant_before_year_1000_has_a_four_digit_year() -> None:
    assert parse_fuzzy_date("0500-05-01T10:00Z").instant == "0500-05-01T10:00:00Z"
    assert parse_fuzzy_date("0500-05-01T10:00").instant == "0500-05-01T10:00:00"


def test_a_season_of_the_year_500_shows_as_its_month_does(small_store: Invoke) -> None:
    """``0500-21`` was stored as ``500-03-01``, which sorts after every four-digit day:
    the statement vanished from ``statements`` and the CSV, while ``0500-05`` showed."""
    statements_of_the_year_500(small_store)
    result = small_store("statements", "--json")
    assert result.exit_code == 0, result.output
    shown = {statement["id"] for statement in orjson.loads(result.stdout)["statements"]}
    assert shown == {"s-spring", "s-may"}
    result = small_store("export", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "s-spring,0500-03-01,0500-05-31" in result.stdout
    assert "s-may,0500-05-01,0500-05-31" in result.stdout


@SQLITE_ONLY
def test_a_store_holding_three_digit_years_shows_them_after_a_rebuild(
    small_store: Invoke, store_url: str
) -> None:
    """Events stored before the fix hold ``500-03-01``: read back, they have four digits."""
    statements_of_the_year_500(small_store)
    run_sql(
        store_url,
        "UPDATE {events} SET state = CAST(replace(CAST(state AS TEXT), '\"0500-0', '\"500-0')"
        " AS BLOB)",
    )
    assert b'"500-03-01"' in b"".join(
        bytes(row[0]) for row in run_sql(store_url, "SELECT state FROM {events}")
    )
    assert small_store("rebuild").exit_code == 0
    result = small_store("statements", "--json")
    shown = {statement["id"] for statement in orjson.loads(result.stdout)["statements"]}
    assert shown == {"s-spring", "s-may"}


@SQLITE_ONLY
def test_a_report_path_to_a_named_pipe_is_refused_without_waiting_for_a_writer(
    small_store: Invoke, store_url: str, tmp_path: Path
) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    source = tmp_path / "report.ndjson"
    source.write_bytes(
        ndjson(
            [{"type": "report", "id": "rp", "outlet": "W", "published": "2025", "path": fifo.name}]
        )
    )
    before = exported(small_store)
    process = spawn(store_url, tmp_path, "import", "--base", str(tmp_path), str(source))
    finished = finish(process, tmp_path)
    check_finished(finished, 1, f"{source}:1:", "not a regular file")
    assert exported(small_store) == before


@SQLITE_ONLY
def test_a_stopped_import_through_the_producer_process_leaves_no_scratch_file(
    small_store: Invoke, store_url: str, tmp_path: Path
) -> None:
    """A file large enough for the producer process (tracker.fast.producer): its
    scratch folder beside the store is removed when SIGTERM stops the import."""
    source = tmp_path / "calls.ndjson"
    source.write_bytes(
        ndjson(
            [
                {"type": "call", "id": f"c{n}", "report": "r1", "participants": ["Trump", "Putin"]}
                for n in range(60_000)
            ]
        )
    )
    before = exported(small_store)
    process = spawn(store_url, tmp_path, "import", str(source))
    deadline = time.monotonic() + 30
    while not scratch_files(tmp_path) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    assert scratch_files(tmp_path), "the producer's scratch folder was never seen"
    process.send_signal(signal.SIGTERM)
    finished = finish(process, tmp_path)
    assert finished.returncode == 128 + signal.SIGTERM, finished.stderr
    assert "Traceback" not in finished.stderr
    assert scratch_files(tmp_path) == []
    assert exported(small_store) == before


def claim_line(size: int, **extra: str) -> bytes:
    """A claim by Trump in r1 whose line (newline included) is ``size`` bytes long."""
    claim = {"type": "claim", "id": "c-big", "report": "r1", "subject": "s", "claimant": "Trump"}
    head = orjson.dumps({**claim, **extra, "value": ""})
    return orjson.dumps({**claim, **extra, "value": "x" * (size - len(head) - 1)}) + b"\n"


@SQLITE_ONLY
def test_an_account_whose_export_line_would_pass_the_limit_is_refused(
    small_store: Invoke, tmp_path: Path
) -> None:
    """A claim at the line limit without a stance: its export writes the default stance
    out, and came out 19 bytes too long to import back."""
    source = tmp_path / "claim.ndjson"
    source.write_bytes(claim_line(MAX_LINE_BYTES))
    before = exported(small_store)
    result = small_store("import", str(source))
    check_error(
        result, 1, f"{source}:1:", "export line", before=before, after=exported(small_store)
    )


@SQLITE_ONLY
def test_an_account_at_the_limit_that_exports_within_it_imports_back(
    small_store: Invoke, tmp_path: Path
) -> None:
    source = tmp_path / "claim.ndjson"
    source.write_bytes(
        claim_line(
            MAX_LINE_BYTES,
            stance="asserts",
            claimant="trump",
            recorded_at="2025-12-28T13:00:00.000000Z",  # as its export writes it
        )
    )
    result = small_store("import", str(source))
    assert result.exit_code == 0, result.output
    export = exported(small_store)
    assert max(len(line.encode()) + 1 for line in export.splitlines()) <= MAX_LINE_BYTES
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    result = CliRunner().invoke(main, ["--store", copy, "import", "-"], input=export)
    assert result.exit_code == 0, result.output
