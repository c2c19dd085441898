"""The state exports: TimelineJS3 JSON, CSV and a SQLite file of the read models, on
both backends; and the Debian tools their tests (and the timeline's) need."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Invoke, ndjson
from tracker.export_csv import CSV_COLUMNS

KINDS = {"call", "meeting", "plan", "strike", "statement", "claim", "issue"}
FIXTURE_COUNTS = {
    "call": 5,
    "meeting": 5,
    "plan": 3,
    "strike": 1,
    "statement": 25,
    "claim": 6,
    "issue": 9,
}
DAY = ("--as-of", "2025-12-28", "--known-at", "2025-12-28")

# Report text that must never become markup, and a CSV field that needs quoting.
EVIL = (
    "<script>document.title='pwned'</script></svg><img src=x"
    " onerror=\"document.body.setAttribute('data-pwned','1')\">"
)
EVIL_QUOTE = f'He said, "stop, now";\n{EVIL} & left'
HOSTILE = [
    {"type": "actor", "id": "mallory", "name": 'Mallory <b>&</b> "Co"', "aliases": ["Mallory"]},
    {
        "type": "report",
        "id": "r-evil",
        "outlet": 'Evil, "Outlet" <i>&amp;</i></svg>',
        "published": "2025-12-28",
        "title": "</title><script>document.title='pwned'</script>",
        "url": "javascript:alert(1)",
        "text": f"Intro. {EVIL_QUOTE} Outro. Nothing happened on the 16th.",
    },
    {
        "type": "statement",
        "id": "stmt-evil",
        "report": "r-evil",
        "speaker": "mallory",
        "occurred": "2025-12-28",
        "quote": EVIL_QUOTE,
        "note": "</textarea><script>document.title='pwned'</script>",
    },
    {
        "type": "claim",
        "id": "claim-evil",
        "report": "r-evil",
        "subject": "</svg><script>",
        "value": {"<script>": "</script>"},
        "claimant": "mallory",
        "occurred": "2025-12-28",
    },
    {
        "type": "retraction",
        "target": "call-2025-10-trump-putin",
        "report": "r-evil",
        "reason": '<b>denied</b>, "never" happened',
        "quote": "Nothing happened on the 16th.",
    },
]


def plant(invoke: Invoke) -> None:
    result = invoke("import", "-", input=ndjson(HOSTILE))
    assert result.exit_code == 0, result.output


def debian_tool(binary: str, package: str) -> str:
    """The path of a tool from a Debian package (``.ci/install-test-services`` installs
    it); the test is skipped with one line where it is missing, and fails under CI."""
    found = shutil.which(binary)
    if found:
        return found
    reason = f"{binary} is not installed (package {package}: .ci/install-test-services)"
    if os.environ.get("CI"):
        pytest.fail(f"{binary} is needed under CI: {reason}")
    pytest.skip(reason)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# -- CSV ---------------------------------------------------------------------------------


def not_over(rows: list[dict[str, str]], since: str) -> list[dict[str, str]]:
    """The CSV rows of developments that may not have ended before ``since``: an empty
    latest date is an open end, or a plan without a day."""
    return [
        row for row in rows if not row["event_date_latest"] or row["event_date_latest"] >= since
    ]


def test_csv_has_one_row_per_development_with_the_documented_columns(seeded: Invoke) -> None:
    result = seeded("export", "--format", "csv", *DAY)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert result.stdout_bytes.endswith(b"0\r\n")  # RFC 4180 line ends
    rows = csv_rows(result.stdout)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["event_type"]] = counts.get(row["event_type"], 0) + 1
    assert counts == FIXTURE_COUNTS
    by_id = {row["event_id"]: row for row in rows}
    assert len(by_id) == len(rows)

    call = by_id["call-2025-12-28-trump-putin"]
    assert call["event_date"] == "2025-12-28"
    assert call["date_precision"] == "day"
    assert call["sub_type"] == "held"
    assert call["actors"] == "putin;trump"
    assert call["first_report_date"] == "2025-12-27"
    assert call["latest_report_date"] == "2025-12-28"
    assert int(call["source_count"]) == len(call["source_outlets"].split(";")) == 3
    assert call["retracted"] == "0"

    assert by_id["meeting-2025-10-trump-zelenskyy"]["date_precision"] == "month"
    early = by_id["call-2025-early-trump-putin"]
    assert (early["event_date"], early["event_date_latest"]) == ("2025-01-01", "2025-02-09")
    assert early["date_precision"] == "range"
    strike = by_id["strike-2025-12-27-kyiv"]
    assert strike["location"] == "Kyiv"
    assert "Iskander" in strike["sub_type"]
    assert by_id["claim-2025-12-28-call-count-ushakov"]["sub_type"] == "call-count"
    meeting = by_id["meeting-2025-12-28-mar-a-lago"]
    assert (meeting["event_date"], meeting["sub_type"]) == ("2025-12-28", "scheduled")
    assert meeting["location"] == "Mar-a-Lago"
    undated = by_id["stmt-2025-02-trump-end-this-damn-thing"]
    assert (undated["event_date"], undated["date_precision"]) == ("", "undated")
    assert undated["event_date_latest"] == "2025-02-09"  # happened by its first report


def test_csv_is_the_state_as_known_at_k(seeded: Invoke) -> None:
    result = seeded(
        "export", "--format", "csv", "--as-of", "2025-02-23", "--known-at", "2025-02-23"
    )
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert rows
    assert all(row["first_report_date"] <= "2025-02-23" for row in rows)
    assert not [row for row in rows if "2025-12" in row["event_id"]]
    # r-004 (published 2025-02-09/2025-02-23) is certainly known on the 23rd, not before.
    early = {row["event_id"]: row for row in rows}["call-2025-early-trump-putin"]
    assert early["source_count"] == "2"
    before = csv_rows(
        seeded(
            "export", "--format", "csv", "--as-of", "2025-02-22", "--known-at", "2025-02-22"
        ).stdout
    )
    assert {row["event_id"]: row for row in before}["call-2025-early-trump-putin"][
        "source_count"
    ] == "1"


def test_csv_quotes_commas_quotes_and_line_breaks(seeded: Invoke, tmp_path: Path) -> None:
    plant(seeded)
    target = tmp_path / "events.csv"
    result = seeded("export", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.output
    rows = {row["event_id"]: row for row in csv_rows(target.read_text(encoding="utf-8"))}
    evil = rows["stmt-evil"]
    assert evil["notes"] == f'Mallory <b>&</b> "Co": “{EVIL_QUOTE}”'
    assert evil["source_outlets"] == 'Evil, "Outlet" <i>&amp;</i></svg>'
    retracted = rows["call-2025-10-trump-putin"]
    assert retracted["retracted"] == "1"
    assert "retracted by r-evil" in retracted["notes"]
    assert len(rows) == sum(FIXTURE_COUNTS.values()) + 2


# -- TimelineJS --------------------------------------------------------------------------


def test_timelinejs_has_one_slide_per_development(seeded: Invoke) -> None:
    result = seeded("export", "--format", "timelinejs", *DAY)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["title"]["text"]["headline"]
    events = document["events"]
    assert len(events) == sum(FIXTURE_COUNTS.values())
    assert {event["group"] for event in events} == KINDS
    assert len({event["unique_id"] for event in events}) == len(events)
    for event in events:
        # TimelineJS reads date parts as strings of digits.
        assert all(isinstance(v, str) and v.isdigit() for v in event["start_date"].values()), event
        assert event["text"]["headline"] and event["text"]["text"]
    by_id = {event["unique_id"]: event for event in events}
    span = by_id["call-2025-early-trump-putin"]
    assert span["start_date"] == {"year": "2025", "month": "1"}
    assert span["end_date"] == {"year": "2025", "month": "2", "day": "9"}
    month = by_id["meeting-2025-10-trump-zelenskyy"]
    assert month["start_date"] == {"year": "2025", "month": "10"} and "end_date" not in month
    scheduled = by_id["meeting-2025-12-28-mar-a-lago"]["start_date"]
    assert scheduled == {"year": "2025", "month": "12", "day": "28", "hour": "13", "minute": "0"}
    body = by_id["call-2025-12-28-trump-putin"]["text"]["text"]
    assert "Zee News" in body and "<q>" in body  # the sources, with their quotes


def test_timelinejs_escapes_report_text(seeded: Invoke) -> None:
    plant(seeded)
    result = seeded("export", "--format", "timelinejs")
    assert result.exit_code == 0, result.output
    events = {event["unique_id"]: event for event in json.loads(result.stdout)["events"]}
    evil = events["stmt-evil"]["text"]
    assert "<script" not in evil["text"] and "<img" not in evil["text"]
    assert "</svg" not in evil["text"] and "<i>" not in evil["text"]
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in evil["text"]
    assert "<script" not in events["claim-evil"]["text"]["text"]
    assert "<b>" not in evil["headline"]
    retracted = events["call-2025-10-trump-putin"]
    assert retracted["text"]["headline"].startswith("Retracted: ")
    assert "&lt;b&gt;denied&lt;/b&gt;" in retracted["text"]["text"]


def test_timelinejs_and_csv_since_a_day(seeded: Invoke) -> None:
    since = "2025-11-01"
    whole = csv_rows(seeded("export", "--format", "csv", *DAY).stdout)
    later = not_over(whole, since)
    assert 0 < len(later) < len(whole)
    result = seeded("export", "--format", "csv", *DAY, "--since", since)
    assert result.exit_code == 0, result.output
    assert csv_rows(result.stdout) == later
    result = seeded("export", "--format", "timelinejs", *DAY, "--since", since)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [event["unique_id"] for event in document["events"]] == [
        row["event_id"] for row in later
    ]
    assert f"as known at {DAY[3]}, since {since}:" in document["title"]["text"]["text"]


def test_a_timelinejs_document_too_large_is_refused(seeded: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    args = ("export", "--format", "timelinejs", *DAY, "-o", str(target))
    result = seeded(*args, "--max-developments", "6")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        f"Error: the timeline would show {sum(FIXTURE_COUNTS.values())} developments, more than"
        " a document can hold (6): choose a later --since ("
    )
    assert result.stderr.count("\n") == 1 and not target.exists()
    assert seeded(*args, "--max-developments", "0").exit_code == 0  # no limit
    result = seeded("export", "--format", "ndjson", "--since", "2025-11-01")
    assert result.exit_code == 2
    assert "--since is for --format timelinejs and csv" in result.stderr


# -- SQLite ------------------------------------------------------------------------------


def test_sqlite_file_opens_in_the_sqlite3_client(seeded: Invoke, tmp_path: Path) -> None:
    sqlite3_client = debian_tool("sqlite3", "sqlite3")
    plant(seeded)
    target = tmp_path / "read-models.sqlite"
    result = seeded("export", "--format", "sqlite", "-o", str(target), *DAY)
    assert result.exit_code == 0, result.output

    def query(sql: str) -> list[dict[str, object]]:
        done = subprocess.run(
            [sqlite3_client, "-json", "-bail", str(target), sql],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return list(json.loads(done.stdout or "[]"))

    kinds = query(
        "SELECT event_type, count(*) AS n FROM developments_now GROUP BY event_type ORDER BY 1"
    )
    expected = dict(FIXTURE_COUNTS, statement=26, claim=7)
    assert {row["event_type"]: row["n"] for row in kinds} == expected
    assert query("SELECT count(*) AS n FROM reports") == [{"n": 6}]
    assert query("SELECT count(*) AS n FROM developments") == [{"n": 56}]
    assert query("SELECT count(*) AS n FROM actors") == [{"n": 19}]
    retracted = query(
        "SELECT event_id, retracted FROM developments_now WHERE retracted = 1 ORDER BY 1"
    )
    assert retracted == [{"event_id": "call-2025-10-trump-putin", "retracted": 1}]
    # The read models as the store holds them: the knowledge-time versions, queried
    # with SQL for any day.
    believed = query(
        "SELECT count(*) AS n FROM versions WHERE kind = 'call' AND retracted = 0"
        " AND known_from <= '2025-02-23' AND '2025-02-23' < known_until"
    )
    assert believed == [{"n": 1}]
    info = {row["key"]: row["value"] for row in query("SELECT key, value FROM export_info")}
    assert info["known_at"] == "2025-12-28" and info["as_of"] == "2025-12-28"
    quoted = query("SELECT quote FROM tellings WHERE development_id = 'stmt-evil'")
    assert quoted == [{"quote": EVIL_QUOTE}]
    fields = query(
        "SELECT json_extract(fields, '$.speaker') AS s FROM developments_now"
        " WHERE event_id = 'stmt-evil'"
    )
    assert fields == [{"s": "mallory"}]


def test_sqlite_export_replaces_a_file_and_needs_o(seeded: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "out.sqlite"
    target.write_text("not a database")
    result = seeded("export", "--format", "sqlite", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"SQLite format 3\x00")
    assert [p.name for p in folder.iterdir()] == ["out.sqlite"]  # no temporary left
    result = seeded("export", "--format", "sqlite")
    assert result.exit_code == 2
    assert "needs -o FILE" in result.stderr


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("export_format", ["csv", "timelinejs", "sqlite"])
def test_export_errors_are_one_line(seeded: Invoke, tmp_path: Path, export_format: str) -> None:
    missing = tmp_path / "no-such-folder" / "out"
    result = seeded("export", "--format", export_format, "-o", str(missing))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: cannot write {missing}: ")
    assert not missing.parent.exists()

    result = seeded("export", "--format", export_format, "-o", str(tmp_path))
    assert result.exit_code in (1, 2)
    assert result.stderr.count("\n") == 1

    result = seeded("export", "--format", export_format, "--as-of", "2025-13-01")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--as-of" in result.stderr


ODD_DATES = {
    "call-open-end": "2025-10/..",
    "call-open-start": "../2025-02",
    "call-about": "2025-02~",
    "call-year": "2024",
    "call-unspecified": "2025-02-1X",
}


def plant_odd_dates(invoke: Invoke) -> None:
    records: list[dict[str, object]] = [
        {
            "type": "call",
            "id": development_id,
            "report": "r1",
            "participants": ["Trump", "Putin"],
            "occurred": occurred,
        }
        for development_id, occurred in ODD_DATES.items()
    ]
    result = invoke("import", "-", input=ndjson(records))
    assert result.exit_code == 0, result.output


def test_odd_dates_in_csv_and_timelinejs(small_store: Invoke) -> None:
    plant_odd_dates(small_store)
    rows = {
        row["event_id"]: row for row in csv_rows(small_store("export", "--format", "csv").stdout)
    }
    assert rows["call-open-end"]["event_date"] == "2025-10-01"
    assert rows["call-open-end"]["event_date_latest"] == ""
    assert rows["call-open-start"]["event_date"] == ""
    assert rows["call-open-start"]["event_date_latest"] == "2025-02-28"
    assert {
        development_id: rows[development_id]["date_precision"] for development_id in ODD_DATES
    } == {
        "call-open-end": "range",
        "call-open-start": "range",
        "call-about": "approximate",
        "call-year": "year",
        "call-unspecified": "range",
    }
    assert rows["call-about"]["event_date"] == "2025-01-01"
    events = {
        event["unique_id"]: event
        for event in json.loads(small_store("export", "--format", "timelinejs").stdout)["events"]
    }
    assert events["call-open-end"]["start_date"] == {"year": "2025", "month": "10"}
    assert "end_date" not in events["call-open-end"]
    assert events["call-open-start"]["start_date"] == {"year": "2025", "month": "2"}
    assert events["call-year"]["start_date"] == {"year": "2024"}
    assert events["call-about"]["start_date"] == {"year": "2025", "month": "1", "day": "1"}
    assert events["call-about"]["end_date"] == {"year": "2025", "month": "3", "day": "31"}
    assert events["call-about"]["display_date"] == "2025-02~"


def test_exports_of_an_empty_store(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("init").exit_code == 0
    result = invoke("export", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == (",".join(CSV_COLUMNS) + "\r\n").encode()
    result = invoke("export", "--format", "timelinejs")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["events"] == []
    result = invoke("export", "--format", "sqlite", "-o", str(tmp_path / "empty.sqlite"))
    assert result.exit_code == 0, result.output


def test_exports_read_in_small_pages_are_the_exports_read_at_once(
    seeded: Invoke, store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The CSV, TimelineJS and SQLite exports stream the views a page and a batch at a
    time: with pages of two rows and batches of two developments they are unchanged."""
    import projections.view_transactions
    import tracker.timeline_model
    from tracker.application import Tracker
    from tracker.store import StoreLocation

    dates = ("--as-of", "2026-01-31", "--known-at", "2026-01-31")
    whole = {fmt: seeded("export", "--format", fmt, *dates).stdout for fmt in ("csv", "timelinejs")}
    seeded("export", "--format", "sqlite", *dates, "-o", str(tmp_path / "whole.db"))
    monkeypatch.setattr(projections.view_transactions, "ROWS_PAGE", 2)
    monkeypatch.setattr(tracker.timeline_model, "BATCH", 2)
    for fmt, text in whole.items():
        assert seeded("export", "--format", fmt, *dates).stdout == text
    assert len(whole["csv"].splitlines()) > 50
    seeded("export", "--format", "sqlite", *dates, "-o", str(tmp_path / "paged.db"))
    for table in ("developments_now", "versions", "tellings"):
        query = f"SELECT * FROM {table} ORDER BY 1, 2"
        paged = sqlite3.connect(tmp_path / "paged.db").execute(query).fetchall()
        assert paged == sqlite3.connect(tmp_path / "whole.db").execute(query).fetchall()

    app = Tracker.open(StoreLocation.parse(store_url))
    try:
        kinds = ("call", "strike", "statement", "claim")
        standing = list(app.view.standing_versions(kinds, "2026-01-31", include_retracted=True))
        keys = [(row["development_id"], row["known_from"]) for row in standing]
        assert keys == sorted(keys)
        current = app.view.current_versions(kinds, "2026-01-31", include_retracted=True)
        assert sorted(keys) == sorted((row["development_id"], row["known_from"]) for row in current)
        assert standing == sorted(current, key=lambda row: row["development_id"])
    finally:
        app.close()
