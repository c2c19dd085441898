"""Grades (issue 23, point 4): a source's reliability, A-F, and an account's
credibility, 1-6, each an event with its day and note, read as known at K."""

from __future__ import annotations

import orjson

from tests.conftest import Invoke, exported, ndjson


def _grade_wire(invoke: Invoke, reliability: str, on: str, note: str | None = None) -> None:
    args = ["grade", "source", "Wire", "--reliability", reliability, "--on", on]
    result = invoke(*args, *(["--note", note] if note else []))
    assert result.exit_code == 0, result.output


def test_grades_are_logged_and_exported(small_store: Invoke) -> None:
    _grade_wire(small_store, "b", "2025-12-29", "long record on the talks")
    result = small_store(
        "grade", "account", "call-1", "--account", "1", "--credibility", "2", "--on", "2025-12-30"
    )
    assert result.exit_code == 0, result.output
    log = orjson.loads(small_store("log", "--json").stdout)
    assert [entry["event"] for entry in log[-2:]] == ["SourceGrade.Given", "AccountGrade.Given"]
    assert log[-2]["summary"] == "reliability B on 2025-12-29: long record on the talks"
    assert log[-1]["subject"] == "call-1"
    records = [orjson.loads(line) for line in exported(small_store).splitlines()]
    assert records[-2:] == [
        {
            "type": "grade",
            "source": "Wire",
            "reliability": "B",
            "graded_on": "2025-12-29",
            "note": "long record on the talks",
        },
        {
            "type": "grade",
            "development": "call-1",
            "account": 1,
            "credibility": 2,
            "graded_on": "2025-12-30",
        },
    ]
    verified = small_store("verify")
    assert verified.exit_code == 0, verified.output


def test_bad_grades_are_one_line_errors_and_change_nothing(small_store: Invoke) -> None:
    before = exported(small_store)
    bad = [
        ("grade", "source", "Wire", "--reliability", "G", "--on", "2025-12-29"),
        ("grade", "source", "Wire", "--reliability", "A", "--on", "2025-12"),
        ("grade", "source", "Wire", "--reliability", "A", "--on", "soon"),
        (
            "grade",
            "account",
            "call-1",
            "--account",
            "2",
            "--credibility",
            "2",
            "--on",
            "2025-12-29",
        ),
        ("grade", "account", "nope", "--account", "1", "--credibility", "2", "--on", "2025-12-29"),
    ]
    for args in bad:
        result = small_store(*args)
        assert result.exit_code == 1, (args, result.output)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    out_of_scale = small_store(
        "grade", "account", "call-1", "--account", "1", "--credibility", "7", "--on", "2025-12-29"
    )
    assert out_of_scale.exit_code == 2  # click's range: bad usage
    assert exported(small_store) == before


def test_grade_records_import_and_round_trip(small_store: Invoke) -> None:
    records = [
        {"type": "grade", "source": "Wire", "reliability": "C", "graded_on": "2025-12-29"},
        {
            "type": "grade",
            "development": "call-1",
            "account": 1,
            "credibility": 3,
            "graded_on": "2025-12-29",
            "note": "single report",
        },
    ]
    result = small_store("import", "-", input=ndjson(records))
    assert result.exit_code == 0, result.output
    dump = exported(small_store)
    assert [orjson.loads(line) for line in dump.splitlines()][-2:] == records
    bad = small_store(
        "import",
        "-",
        input=ndjson(
            [{"type": "grade", "source": "Wire", "credibility": 2, "graded_on": "2025-12-29"}]
        ),
    )
    assert bad.exit_code == 1
    assert exported(small_store) == dump
