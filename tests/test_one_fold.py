"""One fold: every view of a development as of D, as known at K, reads its status and
fields in valid time from the same function, and they agree.

A meeting held on the 28th was scheduled on the 27th: in the state, the meetings
list, the CSV, the TimelineJS document, the SQLite file and the timeline page alike.
A grid of (D, K) over the seed fixtures (with a report that the Mar-a-Lago meeting was
held) and over a generated store checks each development in every view that shows it.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from bench.generate import write_corpus
from tests.conftest import FIXTURE_FILES, Invoke, ndjson
from tracker.application import Tracker
from tracker.cli import main
from tracker.formatting import date_label
from tracker.kinds import KINDS
from tracker.store import StoreLocation
from tracker.timeline import Known
from tracker.timeline_model import Development, window

MEETING = "meeting-2025-12-28-mar-a-lago"
HELD_TEXT = "Trump and Zelenskyy met at Mar-a-Lago on Sunday, December 28."
# A report of the 29th that the meeting of the fixtures was held on the 28th.
HELD: list[dict[str, object]] = [
    {
        "type": "report",
        "id": "r-held",
        "outlet": "Test",
        "published": "2025-12-29",
        "text": HELD_TEXT,
    },
    {
        "type": "meeting",
        "id": MEETING,
        "report": "r-held",
        "status": "held",
        "occurred": "2025-12-28",
        "quote": HELD_TEXT,
    },
]
# The fixtures' r-001 (2025-12-28) gave its time: "Trump is set to meet Zelenskyy at
# 1 p.m. (6 p.m. GMT) in the dining room of his Mar-a-Lago estate".
PLANNED_AT = "2025-12-28T13:00:00-05:00"
# The list commands whose items are developments (``calls`` lists sets of participants,
# checked through the state).
LIST_COMMANDS = ("meetings", "plans", "issues", "strikes", "claims", "statements")
# What a list item carries beside the development's fields.
NOT_FIELDS = {"id", "kind", "reports", "revisions", "last_reported", "overdue", "stale", "disputed"}


def _scratch() -> str | None:
    """Where SQLite exports are written: in memory where there is a tmpfs (writing a
    file to disk waits for the disk at every commit, most of the grid's time)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() else None


class Views:
    """Every view of the store as of D, as known at K, keyed by development."""

    def __init__(self, run: Callable[..., Any], tracker: Tracker, as_of: str, known_at: str):
        self.as_of = as_of
        days = ("--as-of", as_of, "--known-at", known_at)
        self.state = _json(run("state", "--json", *days))
        self.lists = {name: _json(run(name, "--json", *days)) for name in LIST_COMMANDS}
        self.csv = {
            row["event_id"]: row
            for row in csv.DictReader(
                io.StringIO(_ok(run("export", "--format", "csv", *days)), newline="")
            )
        }
        timelinejs = _json(run("export", "--format", "timelinejs", *days))
        self.timelinejs = {event["unique_id"]: event for event in timelinejs["events"]}
        with tempfile.TemporaryDirectory(dir=_scratch()) as folder:
            target = Path(folder) / "export.sqlite"
            _ok(run("export", "--format", "sqlite", "-o", str(target), *days))
            connection = sqlite3.connect(target)
            connection.row_factory = sqlite3.Row
            try:
                self.sqlite = {
                    row["event_id"]: dict(row)
                    for row in connection.execute("SELECT * FROM developments_now")
                }
            finally:
                connection.close()
        self.page = {d.id: d for d in page_developments(tracker, as_of, known_at)}


def page_developments(tracker: Tracker, as_of: str, known_at: str) -> list[Development]:
    """The developments the timeline page shows (``Known.read``, which also reads a
    state of calls for each report's day: only where reports are few)."""
    if len(list(tracker.view.reports())) <= 20:
        return Known.read(tracker, as_of, known_at, None, None).developments
    return window(tracker, as_of, known_at, None, None, "page")


def _ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def _json(result: Any) -> Any:
    return orjson.loads(_ok(result))


def _text(value: Any) -> Any:
    return value["text"] if isinstance(value, dict) and "text" in value else value


def assert_agree(views: Views) -> None:
    """Each development as the timeline page has it is what every other view says of
    it; every export holds what the page holds; nothing shows a status that takes
    effect when it happened before it possibly happened."""
    as_of, page = views.as_of, views.page
    assert set(views.csv) == set(page), as_of
    assert set(views.timelinejs) == set(page), as_of
    assert set(views.sqlite) == set(page), as_of
    for development in page.values():
        where = (as_of, development.id)
        if development.status in KINDS[development.kind].happened:
            occurred = development.fields.get("occurred")
            assert not occurred or occurred["lower"] <= as_of, where
        row = views.csv[development.id]
        assert (row["event_type"], row["date_text"]) == (
            development.kind,
            development.date_text or "",
        ), where
        if development.kind in ("call", "meeting", "plan", "issue"):
            assert row["sub_type"] == (development.status or ""), where
        stored = views.sqlite[development.id]
        assert (stored["status"], orjson.loads(stored["fields"])) == (
            development.status,
            development.fields,
        ), where
        # The CSV's columns, as the SQLite file holds them.
        assert {k: "" if stored[k] is None else str(stored[k]) for k in row} == row, where
        event = views.timelinejs[development.id]
        facts = [development.kind, date_label(development), *filter(None, [development.status])]
        assert event["display_date"] == escape(date_label(development)), where
        assert event["text"]["text"].startswith(f"<p><b>{escape(' · '.join(facts))}</b></p>"), where
    for name, listed in views.lists.items():
        for item in listed[name]:
            # Each happened by D (a meeting: was reported by D, whatever its status), so
            # it is on the page for D; a claim is listed whenever it was made.
            if name != "claims":
                assert item["id"] in page, (as_of, name, item["id"])
            if item["id"] in page:
                # Claims are read as known at the earlier of D and K, the page at K.
                # Each stance names its latest report, as known then (the claims' K).
                skip = frozenset({"last_reported", "stances"}) if name == "claims" else frozenset()
                assert_item_agrees(item, page[item["id"]], as_of, skip)
    state = views.state
    for key in ("plans", "open_issues", "strikes"):
        for item in state[key]:
            assert item["id"] in page, (as_of, key, item["id"])
            assert_item_agrees(item, page[item["id"]], as_of)
    # What is next and what is overdue: each still planned on D, as the page has it.
    for item in [*state["next_meetings"], *state["overdue"]]:
        development = page[item["id"]]
        assert development.upcoming, (as_of, item["id"])
        # A planned call's expected day is its "occurred".
        fields = development.fields
        expected = fields.get("planned") or (
            fields.get("occurred") if item["kind"] == "call" else None
        )
        assert item["planned"] == _text(expected), (as_of, item["id"])
        assert_item_agrees(item, development, as_of, skip=frozenset({"planned"}))
    # Calls counted held by D, and those only possibly held by then.
    for group in state["calls"]:
        for call_id in group["calls"]:
            development = page[call_id]
            assert (development.status, development.upper <= as_of) == ("held", True), call_id
        for call_id in group["possible"]:
            development = page[call_id]
            assert development.status == "held", (as_of, call_id)
            assert development.lower <= as_of < development.upper, (as_of, call_id)
        if group["last"] is not None:
            last = page[group["last"]].fields.get("occurred")
            assert group["last_occurred"] == _text(last), (as_of, group["last"])


def assert_item_agrees(
    item: dict[str, Any], development: Development, as_of: str, skip: frozenset[str] = frozenset()
) -> None:
    """A list's item says what the page says of the development: its status, and each
    of its fields (a date as its text); a field the page has not, the item has empty."""
    where = (as_of, development.id)
    if "last_reported" in item and "last_reported" not in skip:  # as the exports' latest report
        assert item["last_reported"]["date"] == development.latest_report, where
    for key, value in item.items():
        if key in NOT_FIELDS or key in skip:
            continue
        if key == "status":
            assert value == development.status, where
            continue
        expected = development.fields.get(key)
        if isinstance(value, str) and isinstance(expected, dict):
            expected = _text(expected)
        if expected is None:
            assert value in (None, [], {}, ""), (where, key, value)
        else:
            assert value == expected, (where, key)


def _runner(store_url: str) -> Callable[..., Any]:
    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["--store", store_url, *args])

    return run


@pytest.fixture
def open_store(
    sqlite_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[list[Path]], tuple[Callable[..., Any], Tracker]]]:
    """A function importing files into a SQLite store: its CLI and its Tracker."""
    monkeypatch.delenv("TRACKER_STORE", raising=False)
    opened: list[Tracker] = []

    def open_with(files: list[Path]) -> tuple[Callable[..., Any], Tracker]:
        run = _runner(sqlite_store_url)
        _ok(run("import", *map(str, files)))
        tracker = Tracker.open(StoreLocation.parse(sqlite_store_url), existing=True)
        tracker.catch_up()
        opened.append(tracker)
        return run, tracker

    yield open_with
    for tracker in opened:
        tracker.close()


def _day(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def _report_days(tracker: Tracker) -> list[str]:
    return sorted({report["published_upper"] for report in tracker.view.reports()})


# -- the example of the issue ---------------------------------------------------------------


def test_a_meeting_held_on_the_28th_was_scheduled_on_the_27th(
    seeded: Invoke, tmp_path: Path
) -> None:
    _ok(seeded("import", "-", input=ndjson(HELD)))
    seen: dict[str, dict[str, Any]] = {}
    for as_of in ("2025-12-27", "2025-12-28"):
        days = ("--as-of", as_of, "--known-at", "2025-12-29")
        meetings = _json(seeded("meetings", "--json", *days))["meetings"]
        [meeting] = [m for m in meetings if m["id"] == MEETING]
        next_ids = {m["id"]: m for m in _json(seeded("state", "--json", *days))["next_meetings"]}
        rows = csv.DictReader(io.StringIO(_ok(seeded("export", "--format", "csv", *days))))
        row = next(row for row in rows if row["event_id"] == MEETING)
        events = _json(seeded("export", "--format", "timelinejs", *days))["events"]
        event = next(event for event in events if event["unique_id"] == MEETING)
        target = tmp_path / f"{as_of}.sqlite"
        _ok(seeded("export", "--format", "sqlite", "-o", str(target), *days))
        with sqlite3.connect(target) as connection:
            status, fields = connection.execute(
                "SELECT status, fields FROM developments_now WHERE event_id = ?", (MEETING,)
            ).fetchone()
        _ok(seeded("timeline", "-o", str(tmp_path / "page.html"), *days))
        page = (tmp_path / "page.html").read_text(encoding="utf-8")
        seen[as_of] = {
            "list": (meeting["status"], meeting.get("occurred"), meeting.get("planned")),
            "next": next_ids.get(MEETING, {}).get("status"),
            "csv": (row["sub_type"], row["event_date"], row["date_text"]),
            "timelinejs": event["display_date"],
            "sqlite": (status, "occurred" in orjson.loads(fields)),
            "page": re.findall(rf"{MEETING} · (\w+) ·", page),
        }
    planned = {"text": PLANNED_AT, "lower": "2025-12-28", "upper": "2025-12-28"}
    # On the 27th it had not been held: scheduled, for 1 p.m. on the 28th.
    assert seen["2025-12-27"] == {
        "list": ("scheduled", None, {**planned, "instant": "2025-12-28T18:00:00Z"}),
        "next": "scheduled",
        "csv": ("scheduled", "2025-12-28", PLANNED_AT),
        "timelinejs": f"planned {PLANNED_AT}",
        "sqlite": ("scheduled", False),
        "page": ["scheduled"],
    }
    # "Trump and Zelenskyy met at Mar-a-Lago on Sunday, December 28.": held on the 28th.
    held = {"text": "2025-12-28", "lower": "2025-12-28", "upper": "2025-12-28"}
    assert seen["2025-12-28"] == {
        "list": ("held", held, {**planned, "instant": "2025-12-28T18:00:00Z"}),
        "next": None,
        "csv": ("held", "2025-12-28", "2025-12-28"),
        "timelinejs": "2025-12-28",
        "sqlite": ("held", True),
        "page": ["held"],
    }


# -- the grid ---------------------------------------------------------------------------------


def test_every_view_agrees_on_the_seed_fixtures(
    open_store: Callable[[list[Path]], tuple[Callable[..., Any], Tracker]], tmp_path: Path
) -> None:
    held = tmp_path / "held.ndjson"
    held.write_bytes(ndjson(HELD))
    run, tracker = open_store([*FIXTURE_FILES, held])
    reports = _report_days(tracker)
    known = [_day(reports[0], -1), *reports]
    # Around each day of a meeting or call, and each report's day.
    days = set(reports)
    for row in tracker.view.current_versions(("meeting", "call"), known[-1]):
        for name in ("occurred_lower", "occurred_upper", "planned_lower", "first_known"):
            if row[name] is not None and row[name] > "2025-12":
                days.update({_day(row[name], -1), row[name], _day(row[name], 1)})
    pairs = [(as_of, known_at) for as_of in sorted(days) for known_at in known]
    for as_of, known_at in pairs:
        assert_agree(Views(run, tracker, as_of, known_at))


GENERATED_SIZE = 600


def test_every_view_agrees_on_a_generated_store(
    open_store: Callable[[list[Path]], tuple[Callable[..., Any], Tracker]], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus.ndjson"
    write_corpus(corpus, GENERATED_SIZE, seed=22)
    run, tracker = open_store([corpus])
    # The meetings and calls told of before they were held: before, on and after the
    # day, as known when first told and at the end.
    reports = _report_days(tracker)
    last = reports[-1]
    told_ahead = [
        row
        for row in tracker.view.current_versions(("meeting", "call"), last)
        if row["status"] in KINDS[row["kind"]].happened
        and row["occurred_lower"] > row["first_known"]
    ]
    assert told_ahead, "the generated store has no meeting told of before it was held"
    # And days across the store's four years.
    pairs = {(last, last), (_day(last, -400), last)}
    for quarter in (1, 2, 3):
        known_at = reports[len(reports) * quarter // 4]
        pairs.update({(known_at, known_at), (_day(known_at, -10), known_at)})
    for row in told_ahead:
        for as_of in (_day(row["occurred_lower"], -1), row["occurred_lower"]):
            pairs.update({(as_of, row["first_known"]), (as_of, last)})
    for as_of, known_at in sorted(pairs):
        assert_agree(Views(run, tracker, as_of, known_at))
