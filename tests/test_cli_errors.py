"""Bad input: one clear line on stderr, the right exit code, no traceback, no change.

The rule under test: every error names its place (``FILE:LINE: reason`` for imports),
exits 1 for bad data or a domain error and 2 for bad usage, prints no traceback, and
leaves the store exactly as it was (equal exports before and after; a store that did
not exist still does not exist, or holds no events).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import PROJECT, SMALL_STORE_RECORDS, Invoke, exported, ndjson
from tracker.cli import main

# -- helpers -----------------------------------------------------------------------------


def check_error(
    result: Result | subprocess.CompletedProcess[str],
    code: int,
    *needles: str,
    before: str | None = None,
    after: str | None = None,
) -> None:
    """Exit ``code``, exactly one stderr line holding every needle, no traceback, and
    (when given) equal exports before and after. Every problem is reported at once.

    ``result`` is a CliRunner result or a finished ``tracker`` subprocess."""
    problems: list[str] = []
    if isinstance(result, Result):
        exit_code = result.exit_code
        exception = result.exception
    else:
        exit_code = result.returncode
        exception = None
    stdout, stderr = result.stdout, result.stderr
    if exception is not None and not isinstance(exception, SystemExit):
        formatted = "".join(
            traceback.format_exception(type(exception), exception, exception.__traceback__)
        )
        problems.append(f"unhandled exception (a traceback for the user):\n{formatted}")
    if exit_code != code:
        problems.append(f"exit code {exit_code}, expected {code}")
    if "Traceback" in stdout or "Traceback" in stderr:
        problems.append("'Traceback' in the output")
    lines = stderr.rstrip("\n").split("\n") if stderr.strip() else []
    if len(lines) != 1:
        problems.append(f"stderr has {len(lines)} lines, expected exactly one")
    for needle in needles:
        if needle not in stderr:
            problems.append(f"{needle!r} not in stderr")
    if before is not None and before != after:
        problems.append(f"the store changed:\n--- before\n{before}\n--- after\n{after}")
    assert not problems, "\n".join([*problems, f"stdout: {stdout!r}", f"stderr: {stderr!r}"])


def event_count(db: Path) -> int:
    """Events in a SQLite store file (0 when there is no file or no log table)."""
    if not db.exists():
        return 0
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        table = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='stored_events'"
        ).fetchone()
        if table is None:
            return 0
        return int(connection.execute("SELECT count(*) FROM stored_events").fetchone()[0])
    finally:
        connection.close()


def write_ndjson(path: Path, records: list[Any]) -> Path:
    """One line per item: dicts as JSON, bytes as they are (without their newline)."""
    lines = [item if isinstance(item, bytes) else ndjson([item]).rstrip(b"\n") for item in records]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def run_cli(store: str, *args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["--store", store, *args], input=input)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The file behind ``store_url`` (conftest puts it in tmp_path)."""
    return tmp_path / "tracker.db"


# Three good lines, to come before a bad one: a new actor (with the alias Zelenskyy but
# not Zelensky), a new report with text, and a call between a stored and a new actor.
REPORT_2_TEXT = (
    "Zelenskyy said he spoke with Trump on Monday.\n"
    "The two leaders talked for   an hour about   security guarantees."
)
GOOD = [
    {"type": "actor", "id": "zelenskyy", "name": "Volodymyr Zelenskyy", "aliases": ["Zelenskyy"]},
    {
        "type": "report",
        "id": "r2",
        "outlet": "Wire",
        "published": "2025-12-29",
        "text": REPORT_2_TEXT,
    },
    {
        "type": "call",
        "id": "call-2",
        "report": "r2",
        "participants": ["Trump", "Zelenskyy"],
        "occurred": "2025-12-29",
        "quote": "Zelenskyy said he spoke with Trump",
    },
]
BAD_LINE = len(GOOD) + 1


def call(**fields: Any) -> dict[str, Any]:
    """A valid new call on report r1 of ``small_store``, with ``fields`` changed."""
    record: dict[str, Any] = {
        "type": "call",
        "id": "call-new",
        "report": "r1",
        "participants": ["Trump", "Putin"],
        "occurred": "2025-12-28",
    }
    record.update(fields)
    return {key: value for key, value in record.items() if value is not None}


# -- import: one bad line after good ones -----------------------------------------------

BAD_RECORDS: list[Any] = [
    pytest.param(b'{"type": "call", "id": "call-x", "report": ', "malformed JSON", id="malformed"),
    pytest.param(b'{"type": "actor", "id": "x", "name": "X"', "malformed JSON", id="truncated"),
    pytest.param(b'{"type": "actor" "id": "x"}', "malformed JSON", id="missing-comma"),
    pytest.param(b'[{"type": "actor", "id": "x", "name": "X"}]', "JSON object", id="array"),
    pytest.param(b'"actor"', "JSON object", id="string"),
    pytest.param({"id": "x", "name": "X"}, "'type'", id="missing-type"),
    pytest.param({"type": 3, "id": "x"}, "'type'", id="type-not-string"),
    pytest.param({"type": ["call"], "id": "x"}, "'type'", id="type-a-list"),
    pytest.param({"type": {"call": 1}, "actor": "x"}, "'type'", id="type-an-object"),
    pytest.param({"type": "phonecall", "id": "x"}, "unknown record type 'phonecall'", id="type"),
    pytest.param(call(colour="red"), "unknown field 'colour'", id="unknown-field"),
    pytest.param(
        {"type": "actor", "id": "x", "name": "X", "age": 3},
        "unknown field 'age'",
        id="unknown-actor-field",
    ),
    pytest.param(call(participants="Trump, Putin"), "'participants'", id="participants-str"),
    pytest.param(call(participants=["Trump", 7]), "'participants'", id="participants-int"),
    pytest.param(call(duration_min="75"), "'duration_min'", id="duration-str"),
    pytest.param(call(duration_min=-3), "'duration_min'", id="duration-negative"),
    pytest.param(call(duration_min=True), "'duration_min'", id="duration-bool"),
    pytest.param(call(duration_min=7.5), "'duration_min'", id="duration-float"),
    pytest.param(call(status="maybe"), "'status'", id="status-choice"),
    pytest.param(
        {"type": "plan", "id": "plan-x", "report": "r1", "readiness_pct": 150},
        "'readiness_pct'",
        id="readiness-150",
    ),
    pytest.param(
        {"type": "plan", "id": "plan-x", "report": "r1", "readiness_pct": "90"},
        "'readiness_pct'",
        id="readiness-str",
    ),
    pytest.param(call(participants=["Trump"]), "two or more", id="one-participant"),
    pytest.param(
        call(participants=["Trump", "Donald Trump"]), "two or more", id="same-actor-twice"
    ),
    pytest.param(
        call(participants=["Trump", "Zelensky"]),
        "unknown actor 'Zelensky' (did you mean",
        id="unknown-actor",
    ),
    pytest.param(call(initiator="Nobody"), "unknown actor 'Nobody'", id="unknown-initiator"),
    pytest.param(call(report="r-missing"), "unknown report 'r-missing'", id="unknown-report"),
    pytest.param(call(occurred="2025-02-30"), "2025-02-30", id="impossible-date"),
    pytest.param(call(occurred="2025-13"), "2025-13", id="impossible-month"),
    pytest.param(
        call(occurred="2025-03-01/2025-02-01"), "ends before it starts", id="reversed-interval"
    ),
    pytest.param(call(occurred="Y99999"), "Y99999", id="year-99999-edtf"),
    pytest.param(call(occurred="99999-01-01"), "99999-01-01", id="year-99999"),
    pytest.param(call(occurred="yesterday"), "yesterday", id="not-a-date"),
    pytest.param(call(occurred=20251228), "date", id="date-not-string"),
    pytest.param(call(quote="a terrible call"), "is not in report 'r1'", id="quote-not-in-report"),
    pytest.param(
        call(quote="a very good call with Zelenskyy"), "is not in report 'r1'", id="quote-partly"
    ),
    pytest.param(
        {"type": "retraction", "target": "nope", "report": "r1", "reason": "wrong"},
        "unknown development 'nope'",
        id="retract-unknown",
    ),
    pytest.param(
        {"type": "retraction", "target": "call-1", "report": "r9", "reason": "wrong"},
        "unknown report 'r9'",
        id="retract-unknown-report",
    ),
    pytest.param(
        {"type": "void", "development": "call-1", "version": 7, "reason": "typo"},
        "version 7 of 'call-1'",
        id="void-missing-version",
    ),
    pytest.param(
        {"type": "void", "development": "nope", "version": 1, "reason": "typo"},
        "unknown development 'nope'",
        id="void-unknown-development",
    ),
    pytest.param(
        {"type": "void", "development": "call-1", "version": "1", "reason": "typo"},
        "'version'",
        id="void-version-str",
    ),
    pytest.param(
        {
            "type": "meeting",
            "id": "call-1",
            "report": "r1",
            "participants": ["Trump", "Putin"],
            "status": "held",
        },
        "'call-1' is a call, not a meeting",
        id="kind-mismatch-stored",
    ),
    pytest.param(
        {"type": "strike", "id": "call-2", "report": "r2", "target": "Kyiv"},
        "'call-2' is a call, not a strike",
        id="kind-mismatch-same-batch",
    ),
    pytest.param(
        {"type": "report", "id": "r1", "outlet": "Other", "published": "2025-12-30"},
        "report 'r1' already exists",
        id="duplicate-report-stored",
    ),
    pytest.param(
        {"type": "report", "id": "r2", "outlet": "Other", "published": "2025-12-30"},
        "report 'r2' already exists",
        id="duplicate-report-same-batch",
    ),
    pytest.param(
        {"type": "actor", "id": "trump", "name": "Someone Else"},
        "actor 'trump' already exists",
        id="duplicate-actor-stored",
    ),
    pytest.param(
        {"type": "actor", "id": "zelenskyy", "name": "Someone Else"},
        "actor 'zelenskyy' already exists",
        id="duplicate-actor-same-batch",
    ),
    pytest.param(
        {"type": "actor", "id": "biden", "name": "Joe Biden", "aliases": ["Putin"]},
        "alias 'Putin' already names actor 'putin'",
        id="alias-owned-stored",
    ),
    pytest.param(
        {"type": "actor", "id": "zel", "name": "Zel", "aliases": ["ZELENSKYY"]},
        "already names actor 'zelenskyy'",
        id="alias-owned-same-batch",
    ),
    pytest.param(
        {"type": "aliases", "actor": "Trump", "aliases": ["Putin"]},
        "alias 'Putin' already names actor 'putin'",
        id="aliases-record-owned",
    ),
    pytest.param(
        {"type": "report", "id": "r9", "outlet": "W", "published": "2025-01-01", "path": "/etc"},
        "must be relative",
        id="report-path-absolute",
    ),
    pytest.param(
        {
            "type": "report",
            "id": "r9",
            "outlet": "W",
            "published": "2025-01-01",
            "path": "../../../../../../etc/passwd",
        },
        "is outside",
        id="report-path-outside",
    ),
    pytest.param(
        {"type": "report", "id": "r9", "outlet": "W", "published": "2025-01-01", "path": "no.txt"},
        "cannot read report file",
        id="report-path-missing",
    ),
    pytest.param(
        {"type": "report", "id": "r9", "outlet": "W", "path": "bad.txt"},
        "is not UTF-8",
        id="report-path-not-utf8",
    ),
    pytest.param(
        {"type": "report", "id": "r9", "outlet": "W", "text": "no header"},
        "'published'",
        id="report-no-date",
    ),
    pytest.param(
        {
            "type": "report",
            "id": "r9",
            "outlet": "W",
            "published": "2025-01-01",
            "text": "t",
            "path": "good.txt",
        },
        "not both",
        id="report-text-and-path",
    ),
    pytest.param(
        b'{"type": "actor", "id": "x", "name": "\xff\xfe bad"}', "not UTF-8", id="line-not-utf8"
    ),
    pytest.param({"type": "actor", "id": "a/b", "name": "AB"}, "id 'a/b'", id="actor-id-slash"),
    pytest.param({"type": "actor", "id": "..", "name": "Dots"}, "id '..'", id="actor-id-dots"),
    pytest.param(
        {"type": "report", "id": "../r", "outlet": "W", "published": "2025-01-01"},
        "id '../r'",
        id="report-id-dots",
    ),
    pytest.param(call(id="calls/1"), "id 'calls/1'", id="development-id-slash"),
    pytest.param(call(id=""), "'id'", id="development-id-empty"),
    pytest.param(call(id=7), "'id'", id="development-id-int"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_RECORDS)
def test_import_bad_line_after_good_lines(
    small_store: Invoke, tmp_path: Path, bad: Any, reason: str
) -> None:
    (tmp_path / "good.txt").write_text("date 2025-01-01\nGood text.\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe bad")
    source = write_ndjson(tmp_path / "batch.ndjson", [*GOOD, bad])
    before = exported(small_store)
    result = small_store("import", "--base", str(tmp_path), str(source))
    check_error(
        result,
        1,
        f"{source}:{BAD_LINE}: ",
        reason,
        before=before,
        after=exported(small_store),
    )


def test_import_bad_line_alone_names_line_one(small_store: Invoke, tmp_path: Path) -> None:
    source = write_ndjson(tmp_path / "one.ndjson", [call(duration_min=-1)])
    before = exported(small_store)
    result = small_store("import", str(source))
    check_error(result, 1, f"{source}:1: ", before=before, after=exported(small_store))


def test_import_line_numbers_count_blank_lines(small_store: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "gaps.ndjson"
    source.write_bytes(ndjson(GOOD[:1]) + b"\n   \n" + ndjson([call(duration_min="x")]))
    before = exported(small_store)
    result = small_store("import", str(source))
    check_error(result, 1, f"{source}:4: ", before=before, after=exported(small_store))


def test_import_from_stdin_names_stdin(small_store: Invoke) -> None:
    before = exported(small_store)
    result = small_store("import", "-", input=ndjson([*GOOD, call(occurred="2025-02-30")]))
    check_error(result, 1, f"<stdin>:{BAD_LINE}: ", before=before, after=exported(small_store))


def test_unknown_actor_suggests_stored_alias(small_store: Invoke, tmp_path: Path) -> None:
    setup = small_store("import", "-", input=ndjson(GOOD[:1]))
    assert setup.exit_code == 0, setup.output
    before = exported(small_store)
    source = write_ndjson(tmp_path / "z.ndjson", [call(participants=["Trump", "Zelensky"])])
    result = small_store("import", str(source))
    check_error(
        result,
        1,
        f"{source}:1: ",
        "unknown actor 'Zelensky'",
        "did you mean",
        before=before,
        after=exported(small_store),
    )
    # The suggestion may be the id 'zelenskyy' or the alias 'Zelenskyy': both resolve.
    assert "'zelenskyy'" in result.stderr.casefold()


@pytest.mark.parametrize(
    "quote",
    [
        "a  very good call\nwith Putin   today",
        "  Trump said he had\ta very good call  ",
        "It lasted\r\n75 minutes.",
    ],
)
def test_quote_with_other_whitespace_still_matches(small_store: Invoke, quote: str) -> None:
    result = small_store("import", "-", input=ndjson([call(quote=quote)]))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert '"call-new"' in exported(small_store)


def test_good_lines_import_on_their_own(small_store: Invoke, tmp_path: Path) -> None:
    """The control for the bad-line tests: without the bad line, all three import."""
    (tmp_path / "good.txt").write_text("date 2025-01-01\nGood text.\n", encoding="utf-8")
    records = [
        *GOOD,
        {"type": "report", "id": "r9", "outlet": "W", "path": "good.txt"},
    ]
    source = write_ndjson(tmp_path / "batch.ndjson", records)
    result = small_store("import", "--base", str(tmp_path), str(source))
    assert result.exit_code == 0, result.output
    assert "imported 4 records" in result.stdout


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(b"{not json", id="malformed"),
        pytest.param(call(participants=["Trump"]), id="one-participant"),
        pytest.param({"type": "call", "id": "c", "report": "nope"}, id="unknown-report"),
    ],
)
def test_bad_import_into_new_store_leaves_no_events(
    invoke: Invoke, db: Path, tmp_path: Path, bad: Any
) -> None:
    actors = [
        {"type": "actor", "id": "trump", "name": "Donald Trump", "aliases": ["Trump"]},
        {"type": "actor", "id": "putin", "name": "Vladimir Putin"},
    ]
    source = write_ndjson(tmp_path / "new.ndjson", [*actors, bad])
    result = invoke("import", str(source))
    check_error(result, 1, f"{source}:3: ")
    assert event_count(db) == 0


# -- import: several files, missing files ------------------------------------------------


def test_second_file_bad_appends_nothing_from_the_first(
    small_store: Invoke, tmp_path: Path
) -> None:
    first = write_ndjson(tmp_path / "first.ndjson", GOOD)
    second = write_ndjson(
        tmp_path / "second.ndjson",
        [
            {"type": "actor", "id": "rubio", "name": "Marco Rubio"},
            call(id="call-3", participants=["Trump", "Zelensky"]),
        ],
    )
    before = exported(small_store)
    result = small_store("import", str(first), str(second))
    check_error(
        result, 1, f"{second}:2: ", "unknown actor", before=before, after=exported(small_store)
    )
    assert "first.ndjson" not in result.stderr


def test_second_file_missing_appends_nothing_from_the_first(
    small_store: Invoke, tmp_path: Path
) -> None:
    first = write_ndjson(tmp_path / "first.ndjson", GOOD)
    missing = tmp_path / "missing.ndjson"
    before = exported(small_store)
    result = small_store("import", str(first), str(missing))
    check_error(
        result,
        1,
        str(missing),
        "No such file",
        before=before,
        after=exported(small_store),
    )


def test_import_of_missing_file_into_new_store(invoke: Invoke, db: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.ndjson"
    result = invoke("import", str(missing))
    check_error(result, 1, str(missing), "No such file")
    assert event_count(db) == 0


def test_import_of_a_folder(small_store: Invoke, tmp_path: Path) -> None:
    before = exported(small_store)
    result = small_store("import", str(tmp_path))
    check_error(result, 1, str(tmp_path), before=before, after=exported(small_store))


def test_import_without_files_is_usage_error(invoke: Invoke, db: Path) -> None:
    result = invoke("import")
    check_error(result, 2, "FILES")
    assert event_count(db) == 0
    assert not db.exists()


# -- record, retract, void ---------------------------------------------------------------


def test_record_new_call_without_participants_and_no_terminal(small_store: Invoke) -> None:
    before = exported(small_store)
    result = small_store("record", "call", "--id", "call-new", "--report", "r1", input="")
    check_error(result, 2, "--participants", before=before, after=exported(small_store))


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        pytest.param(
            ["call", "--id", "call-new", "--report", "r1", "--participants", "Trump,Zelensky"],
            ["unknown actor 'Zelensky'"],
            id="unknown-actor",
        ),
        pytest.param(
            ["call", "--id", "call-new", "--report", "r1", "--participants", "Trump"],
            ["two or more"],
            id="one-participant",
        ),
        pytest.param(
            ["call", "--id", "call-new", "--report", "r9", "--participants", "Trump,Putin"],
            ["unknown report 'r9'"],
            id="unknown-report",
        ),
        pytest.param(
            [
                "call",
                "--id",
                "call-new",
                "--report",
                "r1",
                "--participants",
                "Trump,Putin",
                "--quote",
                "a terrible call",
            ],
            ["is not in report 'r1'"],
            id="quote-not-in-report",
        ),
        pytest.param(
            [
                "meeting",
                "--id",
                "call-1",
                "--report",
                "r1",
                "--participants",
                "Trump,Putin",
                "--status",
                "held",
            ],
            ["'call-1' is a call, not a meeting"],
            id="kind-mismatch",
        ),
        pytest.param(
            [
                "call",
                "--id",
                "call-new",
                "--report",
                "r1",
                "--participants",
                "Trump,Putin",
                "--occurred",
                "2025-02-30",
            ],
            ["2025-02-30"],
            id="impossible-date",
        ),
        pytest.param(
            ["call", "--id", "a/b", "--report", "r1", "--participants", "Trump,Putin"],
            ["'a/b'"],
            id="id-slash",
        ),
    ],
)
def test_record_domain_errors(small_store: Invoke, args: list[str], needles: list[str]) -> None:
    before = exported(small_store)
    result = small_store("record", *args, input="")
    check_error(result, 1, *needles, before=before, after=exported(small_store))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        pytest.param(["--duration-min", "-3"], "--duration-min", id="duration-negative"),
        pytest.param(["--duration-min", "long"], "--duration-min", id="duration-text"),
        pytest.param(["--status", "maybe"], "--status", id="status-choice"),
    ],
)
def test_record_bad_option_values_are_usage_errors(
    small_store: Invoke, args: list[str], needle: str
) -> None:
    before = exported(small_store)
    result = small_store(
        "record",
        "call",
        "--id",
        "call-new",
        "--report",
        "r1",
        "--participants",
        "Trump,Putin",
        *args,
        input="",
    )
    check_error(result, 2, needle, before=before, after=exported(small_store))


def test_record_without_report_option_is_usage_error(small_store: Invoke) -> None:
    before = exported(small_store)
    result = small_store("record", "call", "--id", "call-new", input="")
    check_error(result, 2, "--report", before=before, after=exported(small_store))


def test_retract_unknown_development(small_store: Invoke) -> None:
    before = exported(small_store)
    result = small_store("retract", "nope", "--report", "r1", "--reason", "wrong")
    check_error(result, 1, "unknown development 'nope'", before=before, after=exported(small_store))


def test_retract_with_quote_not_in_report(small_store: Invoke) -> None:
    before = exported(small_store)
    result = small_store(
        "retract", "call-1", "--report", "r1", "--reason", "wrong", "--quote", "never happened"
    )
    check_error(result, 1, "is not in report 'r1'", before=before, after=exported(small_store))


def test_void_position_zero_is_usage_error(small_store: Invoke) -> None:
    before = exported(small_store)
    result = small_store("void", "0", "--reason", "typo")
    check_error(result, 2, "POSITION", before=before, after=exported(small_store))


def test_void_a_report_registration(small_store: Invoke) -> None:
    # small_store appends trump (1), putin (2), r1 (3), call-1 (4).
    before = exported(small_store)
    result = small_store("void", "3", "--reason", "typo")
    check_error(
        result,
        1,
        "log position 3",
        "Report",
        "not an account",
        before=before,
        after=exported(small_store),
    )


def test_void_an_actor_registration(small_store: Invoke) -> None:
    before = exported(small_store)
    result = small_store("void", "1", "--reason", "typo")
    check_error(result, 1, "not an account", before=before, after=exported(small_store))


@pytest.mark.parametrize("position", ["5", "99"])
def test_void_beyond_the_log_end(small_store: Invoke, position: str) -> None:
    before = exported(small_store)
    result = small_store("void", position, "--reason", "typo")
    check_error(
        result,
        1,
        f"there is no log position {position}",
        before=before,
        after=exported(small_store),
    )


def test_void_twice(small_store: Invoke) -> None:
    first = small_store("void", "4", "--reason", "typo")
    assert first.exit_code == 0, first.output
    before = exported(small_store)
    result = small_store("void", "4", "--reason", "typo")
    check_error(result, 1, "already void", before=before, after=exported(small_store))


# -- reading commands on a store that does not exist -------------------------------------

READING_COMMANDS = [
    pytest.param(["state"], id="state"),
    pytest.param(["calls"], id="calls"),
    pytest.param(["meetings"], id="meetings"),
    pytest.param(["log"], id="log"),
    pytest.param(["export"], id="export"),
    pytest.param(["history", "call-1"], id="history"),
    pytest.param(["report", "list"], id="report-list"),
    pytest.param(["actor", "list"], id="actor-list"),
    pytest.param(["retract", "call-1", "--report", "r1", "--reason", "x"], id="retract"),
    pytest.param(["void", "1", "--reason", "x"], id="void"),
    pytest.param(
        ["grade", "source", "Wire", "--reliability", "B", "--on", "2025-12-29"], id="grade-source"
    ),
    pytest.param(
        [
            "grade",
            "account",
            "call-1",
            "--account",
            "1",
            "--credibility",
            "2",
            "--on",
            "2025-12-29",
        ],
        id="grade-account",
    ),
    pytest.param(["rebuild"], id="rebuild"),
]


SQLITE_ONLY = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
@pytest.mark.parametrize("args", READING_COMMANDS)
def test_reading_a_missing_store(invoke: Invoke, db: Path, args: list[str]) -> None:
    result = invoke(*args)
    check_error(result, 1, "no tracker store", str(db))
    assert not db.exists()


def test_record_on_a_missing_store(invoke: Invoke, db: Path) -> None:
    result = invoke(
        "record", "call", "--id", "c", "--report", "r1", "--participants", "A,B", input=""
    )
    check_error(result, 1, "no tracker store")
    assert not db.exists()


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("args", READING_COMMANDS)
def test_reading_a_missing_postgres_store(invoke: Invoke, store_url: str, args: list[str]) -> None:
    import psycopg

    schema = store_url.rsplit("schema=", 1)[1]
    result = invoke(*args)
    check_error(result, 1, "no tracker store", f"(schema {schema})")
    with psycopg.connect(store_url.split("?", 1)[0]) as connection:
        found = connection.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
    assert found is None


@SQLITE_ONLY
def test_store_file_that_is_not_a_database(invoke: Invoke, db: Path) -> None:
    db.write_bytes(b"this is not a database, just some text " * 100)
    content = db.read_bytes()
    result = invoke("state")
    check_error(result, 1, "not a tracker store")
    assert db.read_bytes() == content


# -- dates and ids on the reading commands -----------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["state", "--as-of", "2025-02-30"], id="as-of-impossible"),
        pytest.param(["state", "--known-at", "nonsense"], id="known-at-nonsense"),
        pytest.param(["state", "--as-of", "2025-02"], id="as-of-month"),
        pytest.param(["calls", "--as-of", "2025-02-30"], id="calls-as-of"),
        pytest.param(["state", "--since", "2025-13-01"], id="since"),
        pytest.param(["strikes", "--since", "nope"], id="strikes-since-nonsense"),
        pytest.param(["strikes", "--since", "2025-02-30"], id="strikes-since-impossible"),
    ],
)
def test_bad_day_options_are_usage_errors(small_store: Invoke, args: list[str]) -> None:
    before = exported(small_store)
    result = small_store(*args)
    check_error(result, 2, args[-1], before=before, after=exported(small_store))


def test_bad_day_option_on_missing_store_creates_nothing(invoke: Invoke, db: Path) -> None:
    result = invoke("state", "--as-of", "2025-02-30")
    check_error(result, 2, "2025-02-30")
    assert not db.exists()


def test_history_of_unknown_development(small_store: Invoke) -> None:
    before = exported(small_store)
    result = small_store("history", "unknown-id")
    check_error(
        result, 1, "unknown development 'unknown-id'", before=before, after=exported(small_store)
    )


# -- store URLs and permissions ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["state"], id="state"),
        pytest.param(["init"], id="init"),
        pytest.param(["import", str(PROJECT / "fixtures" / "actors.ndjson")], id="import"),
        pytest.param(["actor", "add", "x", "--name", "X"], id="actor-add"),
    ],
)
@pytest.mark.parametrize("url", ["mysql://x", "sqlite:///", "sqlite://relative.db"])
def test_unsupported_store_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_STORE", raising=False)
    result = run_cli(url, *args)
    check_error(result, 1, repr(url))
    assert list(tmp_path.iterdir()) == []


def run_tracker_process(
    store: str, *args: str, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The ``tracker`` command in a process of its own.

    The read-only tests need this: a store opened by an earlier CliRunner call in the
    pytest process keeps its connections (and SQLite's -wal and -shm files) alive, and
    SQLite may even reuse their read-write file descriptors, so a read-only file is not
    what a user meets. A process of its own opens the store as the user would.
    """
    env = {key: value for key, value in os.environ.items() if key != "TRACKER_STORE"}
    code = "import sys; sys.argv[0] = 'tracker'; from tracker.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "--store", store, *args],
        cwd=PROJECT,
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


ROOT_SKIP = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root: chmod does not stop root from writing, so a read-only"
    " store cannot be simulated",
)


def run_on_read_only_store(
    tmp_path: Path, store_url: str, folder_read_only: bool, *args: str
) -> tuple[subprocess.CompletedProcess[str], str, str]:
    """Build the small store in a process of its own, make it read-only, run ``args``,
    restore the permissions; returns the result and the exports before and after."""
    setup = run_tracker_process(
        store_url, "import", "-", input=ndjson(SMALL_STORE_RECORDS).decode()
    )
    assert setup.returncode == 0, setup.stderr
    before = run_tracker_process(store_url, "export")
    assert before.returncode == 0, before.stderr
    db = tmp_path / "tracker.db"
    folder_mode = stat.S_IMODE(tmp_path.stat().st_mode)
    db.chmod(0o444)
    if folder_read_only:
        tmp_path.chmod(0o555)
    try:
        result = run_tracker_process(store_url, *args)
    finally:
        tmp_path.chmod(folder_mode)
        for path in tmp_path.glob("tracker.db*"):
            path.chmod(0o644)
    after = run_tracker_process(store_url, "export")
    assert after.returncode == 0, after.stderr
    return result, before.stdout, after.stdout


@ROOT_SKIP
@pytest.mark.parametrize("folder_read_only", [False, True], ids=["file", "file-and-folder"])
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["import", "{source}"], id="import"),
        pytest.param(["actor", "add", "rubio", "--name", "Marco Rubio"], id="actor-add"),
        pytest.param(
            ["record", "call", "--id", "call-1", "--report", "r1", "--duration-min", "75"],
            id="record",
        ),
        pytest.param(["void", "4", "--reason", "typo"], id="void"),
    ],
)
def test_writing_to_a_read_only_store(
    tmp_path: Path, store_url: str, folder_read_only: bool, args: list[str]
) -> None:
    source = write_ndjson(
        tmp_path / "more.ndjson", [{"type": "actor", "id": "rubio", "name": "Marco Rubio"}]
    )
    args = [arg.replace("{source}", str(source)) for arg in args]
    result, before, after = run_on_read_only_store(tmp_path, store_url, folder_read_only, *args)
    check_error(result, 1, before=before, after=after)
    assert "read" in result.stderr.casefold()
    assert "not a tracker store" not in result.stderr


@ROOT_SKIP
@pytest.mark.parametrize("folder_read_only", [False, True], ids=["file", "file-and-folder"])
@pytest.mark.parametrize("args", [["state"], ["export"], ["actor", "list"]], ids=" ".join)
def test_reading_a_read_only_store_fails_clearly_or_works(
    tmp_path: Path, store_url: str, folder_read_only: bool, args: list[str]
) -> None:
    """Reading may work; if it cannot, the one line must not call the store foreign."""
    result, before, after = run_on_read_only_store(tmp_path, store_url, folder_read_only, *args)
    if result.returncode != 0:
        check_error(result, 1, before=before, after=after)
        assert "read" in result.stderr.casefold()
        assert "not a tracker store" not in result.stderr
    else:
        assert "Traceback" not in result.stderr
        assert after == before
