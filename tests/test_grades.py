"""Grades (issue 23, point 4): a source's reliability, A-F, and an account's
credibility, 1-6, each an event with its day and note, read as known at K."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

import tracker.application
import tracker.fast.rebuild_readers
import tracker.records
from tests.conftest import Invoke, exported, ndjson, without_times
from tests.test_tamper_evidence import _rechain, _set, _state
from tracker.application import Tracker
from tracker.cli import main
from tracker.errors import InvalidGrade
from tracker.grading import AccountGrade, SourceGrade, grade_id
from tracker.store import StoreLocation


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
    records = [orjson.loads(line) for line in without_times(exported(small_store)).splitlines()]
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
    assert out_of_scale.exit_code == 1
    assert out_of_scale.stderr == "Error: credibility must be one of 1-6, not 7\n"
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
    assert [orjson.loads(line) for line in without_times(dump).splitlines()][-2:] == records
    bad = small_store(
        "import",
        "-",
        input=ndjson(
            [{"type": "grade", "source": "Wire", "credibility": 2, "graded_on": "2025-12-29"}]
        ),
    )
    assert bad.exit_code == 1
    assert exported(small_store) == dump


def test_sources_and_history_read_grades_as_given_by_a_day(small_store: Invoke) -> None:
    """A regrading never rewrites an earlier answer: as given by an earlier day, the
    earlier grade holds."""
    _grade_wire(small_store, "B", "2025-12-29", "long record")
    _grade_wire(small_store, "D", "2026-01-10", "ran a fabricated quote")
    graded = small_store(
        "grade", "account", "call-1", "--account", "1", "--credibility", "3", "--on", "2026-01-02"
    )
    assert graded.exit_code == 0, graded.output

    def source_of(day: str) -> dict[str, object]:
        result = small_store("sources", "call-1", "--json", "--graded-by", day)
        assert result.exit_code == 0, result.output
        [source] = orjson.loads(result.stdout)["sources"]
        return source  # type: ignore[no-any-return]

    before = source_of("2025-12-28")
    assert before["reliability"] is None and before["credibility"] is None
    early = source_of("2026-01-01")
    assert early["reliability"] == {
        "grade": "B",
        "graded_on": "2025-12-29",
        "note": "long record",
        "source": "Wire",
    }
    assert early["credibility"] is None
    late = source_of("2026-02-01")
    assert late["reliability"]["grade"] == "D"  # type: ignore[index]
    assert late["credibility"] == {"grade": 3, "graded_on": "2026-01-02", "note": None}
    # Today, by default: the latest grades.
    assert orjson.loads(small_store("sources", "call-1", "--json").stdout)["sources"][0] == late

    history = small_store("history", "call-1", "--json", "--graded-by", "2026-01-05")
    [entry] = orjson.loads(history.stdout)["entries"]
    assert entry["reliability"]["grade"] == "B"
    assert entry["credibility"]["grade"] == 3
    text = small_store("history", "call-1", "--graded-by", "2026-01-05").stdout
    assert "reliability of Wire: B (graded 2025-12-29): long record" in text
    table = small_store("sources", "call-1").stdout
    assert "reliability" in table and " D " in table


def test_an_origin_is_graded_in_place_of_its_outlet(small_store: Invoke) -> None:
    records = [
        {"type": "report", "id": "r2", "outlet": "Daily", "published": "2025-12-29"},
        {
            "type": "call",
            "id": "call-1",
            "report": "r2",
            "participants": ["Trump", "Putin"],
            "occurred": "2025-12-28",
            "origin": "Kremlin readout",
        },
        {
            "type": "grade",
            "source": "kremlin  READOUT",
            "reliability": "E",
            "graded_on": "2026-01-01",
        },
        {"type": "grade", "source": "Daily", "reliability": "A", "graded_on": "2026-01-01"},
    ]
    result = small_store("import", "-", input=ndjson(records))
    assert result.exit_code == 0, result.output
    sources = orjson.loads(small_store("sources", "call-1", "--json").stdout)["sources"]
    assert [source["reliability"] and source["reliability"]["grade"] for source in sources] == [
        None,
        "E",
    ]


def test_a_rebuild_equals_the_view_kept_with_grades(small_store: Invoke, store_url: str) -> None:
    _grade_wire(small_store, "B", "2025-12-29")
    _grade_wire(small_store, "C", "2026-01-02", "second look")
    graded = small_store(
        "grade", "account", "call-1", "--account", "1", "--credibility", "1", "--on", "2026-01-03"
    )
    assert graded.exit_code == 0, graded.output
    tracker = Tracker.open(StoreLocation.parse(store_url))
    kept = tracker.view.dump()
    tracker.close()
    assert len(kept["grades"]) == 3
    rebuilt = small_store("rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    tracker = Tracker.open(StoreLocation.parse(store_url))
    assert tracker.view.dump() == kept
    tracker.close()


def test_the_domain_refuses_grades_off_the_scales() -> None:
    uuid = grade_id("test", 1)
    with pytest.raises(InvalidGrade, match="A-F"):
        SourceGrade.give(uuid, "Wire", "AB", "2025-12-29")
    with pytest.raises(InvalidGrade, match="1-6"):
        AccountGrade.give(uuid, "call-1", 1, 0, "2025-12-29")
    with pytest.raises(InvalidGrade, match="1-6"):
        AccountGrade.give(uuid, "call-1", 1, True, "2025-12-29")
    with pytest.raises(InvalidGrade, match="single day"):
        SourceGrade.give(uuid, "Wire", "A", "2025-12-29/2025-12-30")
    with pytest.raises(InvalidGrade, match="note"):
        SourceGrade.give(uuid, "Wire", "A", "2025-12-29", "  ")
    grade = AccountGrade.give(uuid, "call-1", 1, "6", "2025-12-29")
    assert (grade.id, grade.credibility, grade.graded_on) == (uuid, 6, "2025-12-29")


def test_an_export_imports_into_the_same_grade_ids(small_store: Invoke, tmp_path: Path) -> None:
    """A subject's nth grade has the same id in every store: an export's grades import
    into the same log, and a regrading, even identical, is a grade of its own."""
    _grade_wire(small_store, "B", "2025-12-29")
    _grade_wire(small_store, "B", "2025-12-29")
    _grade_wire(small_store, "c", "2026-01-02")
    dump = tmp_path / "dump.ndjson"
    dump.write_text(exported(small_store), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'again.db'}"
    imported = CliRunner().invoke(main, ["--store", url, "import", str(dump)])
    assert imported.exit_code == 0, imported.output
    again = Tracker.open(StoreLocation.parse(url))
    try:
        ids = [
            (notification.originator_id, notification.originator_version)
            for notification in again.notifications()
        ]
    finally:
        again.close()
    subject = SourceGrade.subject("wire")
    assert ids[-3:] == [(grade_id(subject, n), 1) for n in (1, 2, 3)]


def test_the_sqlite_export_holds_every_grade(small_store: Invoke, tmp_path: Path) -> None:
    _grade_wire(small_store, "B", "2025-12-29")
    _grade_wire(small_store, "D", "2026-01-10", "second look")
    output = tmp_path / "out.sqlite"
    result = small_store("export", "--format", "sqlite", "-o", str(output))
    assert result.exit_code == 0, result.output
    connection = sqlite3.connect(output)
    try:
        rows = connection.execute(
            "SELECT name, grade, graded_on, note FROM grades ORDER BY position"
        ).fetchall()
    finally:
        connection.close()
    assert rows == [("Wire", "B", "2025-12-29", None), ("Wire", "D", "2026-01-10", "second look")]


def test_the_rebuild_readers_give_the_grades_one_process_gives(
    small_store: Invoke, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Grades are not development events: the reader processes read them the general
    way (``projections.raw_rows`` falls back for them), in pages of three events."""
    _grade_wire(small_store, "B", "2025-12-29")
    graded = small_store(
        "grade", "account", "call-1", "--account", "1", "--credibility", "4", "--on", "2026-01-03"
    )
    assert graded.exit_code == 0, graded.output
    _grade_wire(small_store, "A", "2026-01-04")
    monkeypatch.setattr(tracker.application, "REBUILD_PAGE", 3)
    app = Tracker.open(StoreLocation.parse(store_url))
    try:
        kept = app.view.dump()
        monkeypatch.setattr(tracker.fast.rebuild_readers, "PARALLEL_REBUILD_MIN_EVENTS", 0)
        assert app.rebuild() == app.last_position()
        assert app.view.dump() == kept
        assert len(kept["grades"]) == 3
    finally:
        app.close()


def test_verify_catches_a_grade_edited_onto_an_account_that_is_not_there(
    small_store: Invoke, store_url: str
) -> None:
    graded = small_store(
        "grade", "account", "call-1", "--account", "1", "--credibility", "2", "--on", "2026-01-03"
    )
    assert graded.exit_code == 0, graded.output
    assert small_store("verify").exit_code == 0
    state = _state(store_url, 5)
    assert state["credibility"] == 2
    _set(store_url, 5, "state", orjson.dumps({**state, "version": 5}))
    _rechain(store_url)
    result = small_store("verify")
    assert result.exit_code == 1
    assert "grades account 5 of 'call-1', which is not earlier in the log" in result.output


def test_the_csv_gives_each_account_its_grades_as_known_at_k(small_store: Invoke) -> None:
    _grade_wire(small_store, "B", "2025-12-29")
    _grade_wire(small_store, "E", "2026-01-10")
    graded = small_store(
        "grade", "account", "call-1", "--account", "1", "--credibility", "2", "--on", "2026-01-02"
    )
    assert graded.exit_code == 0, graded.output

    def grades_at(known_at: str) -> str:
        result = small_store(
            "export", "--format", "csv", "--as-of", "2025-12-28", "--known-at", known_at
        )
        assert result.exit_code == 0, result.output
        [row] = csv.DictReader(io.StringIO(result.stdout))
        return row["source_grades"]

    assert grades_at("2025-12-28") == ""
    assert grades_at("2025-12-30") == "r1:B-"
    assert grades_at("2026-01-05") == "r1:B2"
    assert grades_at("2026-02-01") == "r1:E2"


def test_the_import_producer_takes_grades(
    small_store: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large import's producer process keeps what the import made but developments in
    its scratch file: grades go there too, and an account graded later in the file is
    found."""
    records = [
        {"type": "report", "id": "r2", "outlet": "Daily", "published": "2025-12-29"},
        {"type": "call", "id": "call-2", "report": "r2", "participants": ["Trump", "Putin"]},
        {"type": "grade", "source": "Daily", "reliability": "C", "graded_on": "2025-12-30"},
        {
            "type": "grade",
            "development": "call-2",
            "account": 1,
            "credibility": 5,
            "graded_on": "2025-12-30",
        },
    ]
    path = tmp_path / "grades.ndjson"
    path.write_bytes(ndjson(records))
    monkeypatch.setattr(tracker.records, "PARALLEL_IMPORT_MIN_BYTES", 0)
    monkeypatch.setattr(tracker.records, "IMPORT_CHUNK", 2)
    result = small_store("import", str(path))
    assert result.exit_code == 0, result.output
    assert [orjson.loads(line) for line in without_times(exported(small_store)).splitlines()][
        -2:
    ] == records[2:]
    [source] = orjson.loads(small_store("sources", "call-2", "--json").stdout)["sources"]
    assert (source["reliability"]["grade"], source["credibility"]["grade"]) == ("C", 5)
