"""``--position N``: every reading command answers as the store stood when its log
ended at N, byte for byte what it printed then (issue 23, point 10), on both backends."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.conftest import FIXTURE_FILES, Invoke, exported, ndjson

DAY = ("--as-of", "2025-12-28", "--known-at", "2025-12-28")

# A report published on the 27th that is typed in after the seeds: it tells of a
# Trump-Putin call in August, so "as known at 12-28" goes from 3 calls on record to 4.
LATE_RECORDS: list[dict[str, object]] = [
    {
        "type": "report",
        "id": "r-late",
        "outlet": "Late Wire",
        "published": "2025-12-27",
        "text": "Trump and Putin spoke by phone on August 10, a Kremlin aide said."
        " Their October call was tense.",
    },
    {
        "type": "call",
        "id": "call-2025-08-10-trump-putin",
        "report": "r-late",
        "participants": ["trump", "putin"],
        "occurred": "2025-08-10",
        "quote": "Trump and Putin spoke by phone on August 10",
    },
    {  # and a second account of October's call, which changes its history
        "type": "call",
        "id": "call-2025-10-trump-putin",
        "report": "r-late",
        "participants": ["trump", "putin"],
        "tone": "tense",
        "quote": "Their October call was tense.",
    },
]

# What each reading command is asked, at the position and again later with --position.
QUESTIONS: list[tuple[str, ...]] = [
    ("state", *DAY),
    ("state", *DAY, "--json"),
    ("state", "--as-of", "2025-02-23", "--known-at", "2025-02-23", "--json"),
    ("calls", *DAY),
    ("calls", *DAY, "--json"),
    ("meetings", *DAY, "--json"),
    ("plans", *DAY),
    ("issues", *DAY, "--json"),
    ("strikes", *DAY, "--json"),
    ("claims", *DAY, "--json"),
    ("statements", *DAY),
    ("history", "call-2025-10-trump-putin"),
    ("history", "call-2025-10-trump-putin", "--json"),
    ("sources", "call-2025-12-28-trump-putin", "--json"),
    ("changes", "--from", "2025-12-26", "--to", "2025-12-28", "--json"),
    ("log",),
    ("log", "--json", "--limit", "5"),
    ("export",),
    ("report", "list", "--json"),
    ("actor", "list"),
]


def answers(invoke: Invoke, folder: Path, *extra: str) -> dict[tuple[str, ...], bytes]:
    """Each question's standard output, and the bytes of the files the exports and the
    timeline write."""
    found: dict[tuple[str, ...], bytes] = {}
    for question in QUESTIONS:
        result = invoke(*question, *extra)
        assert result.exit_code == 0, (question, result.output)
        found[question] = result.stdout_bytes
    for export_format in ("csv", "timelinejs"):
        output = folder / f"export.{export_format}"
        result = invoke("export", "--format", export_format, *DAY, "-o", str(output), *extra)
        assert result.exit_code == 0, result.output
        found[("export", export_format)] = output.read_bytes()
    page = folder / "timeline.html"
    result = invoke("timeline", *DAY, "-o", str(page), *extra)
    assert result.exit_code == 0, result.output
    found[("timeline",)] = page.read_bytes()
    database = folder / "export.sqlite"
    database.unlink(missing_ok=True)
    result = invoke("export", "--format", "sqlite", "-o", str(database), *extra)
    assert result.exit_code == 0, result.output
    found[("export", "sqlite")] = database.read_bytes()
    return found


def position_of(invoke: Invoke) -> int:
    result = invoke("state", *DAY, "--json")
    assert result.exit_code == 0, result.output
    position: int = orjson.loads(result.stdout)["position"]
    return position


def test_every_reading_command_answers_at_a_position_as_it_did_then(
    invoke: Invoke, tmp_path: Path
) -> None:
    # The store as it stood after the first reports, and after all the seeds.
    assert invoke("import", *map(str, FIXTURE_FILES[:4])).exit_code == 0
    early = position_of(invoke)
    then_early = answers(invoke, tmp_path)
    assert invoke("import", *map(str, FIXTURE_FILES[4:])).exit_code == 0
    seeds = position_of(invoke)
    then = answers(invoke, tmp_path)
    calls = orjson.loads(then[("calls", *DAY, "--json")])["calls"]
    assert [group["count"] for group in calls] == [3]

    result = invoke("import", "-", input=ndjson(LATE_RECORDS))
    assert result.exit_code == 0, result.output
    calls = orjson.loads(invoke("calls", *DAY, "--json").stdout)["calls"]
    assert [group["count"] for group in calls] == [4]
    assert "call-2025-08-10-trump-putin" in invoke("calls", *DAY).stdout

    store_before = exported(invoke)
    now = answers(invoke, tmp_path)
    assert now != then
    at_seeds = answers(invoke, tmp_path, "--position", str(seeds))
    for question, printed in then.items():
        assert at_seeds[question] == printed, question
    at_early = answers(invoke, tmp_path, "--position", str(early))
    for question, printed in then_early.items():
        assert at_early[question] == printed, question
    # Only read: the store and its up-to-date answers are as they were.
    assert exported(invoke) == store_before
    assert answers(invoke, tmp_path) == now


def test_a_position_the_log_has_not_reached_is_an_error_that_changes_nothing(
    seeded: Invoke,
) -> None:
    last = position_of(seeded)
    before = exported(seeded)
    result = seeded("state", "--position", str(last + 1))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the log ends at position {last}: there is no position {last + 1} to answer at\n"
    )
    result = seeded("calls", "--position", "-1")
    assert result.exit_code == 2
    assert "--position" in result.stderr and len(result.stderr.splitlines()) == 1
    assert exported(seeded) == before


def test_position_0_answers_as_the_empty_store(invoke: Invoke) -> None:
    assert invoke("init").exit_code == 0
    state = invoke("state", *DAY, "--json").stdout_bytes
    log = invoke("log").stdout_bytes
    assert orjson.loads(state)["position"] == 0
    assert invoke("import", *map(str, FIXTURE_FILES)).exit_code == 0
    assert invoke("state", *DAY, "--json", "--position", "0").stdout_bytes == state
    assert invoke("log", "--position", "0").stdout_bytes == log


@pytest.mark.parametrize(
    "command",
    [
        "state",
        "calls",
        "meetings",
        "plans",
        "issues",
        "strikes",
        "claims",
        "statements",
        "history",
        "sources",
        "changes",
        "log",
        "export",
        "timeline",
        "report list",
        "actor list",
    ],
)
def test_every_reading_command_takes_position(command: str) -> None:
    from click.testing import CliRunner

    from tracker.cli import main

    result = CliRunner().invoke(main, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "--position N" in result.output


def test_a_registered_types_own_list_answers_at_a_position(tmp_path: Path) -> None:
    """The list a plugin type gets (tests/kinds_plugins/ceasefire.py) takes --position
    too, in processes that register the type as any would."""
    from tests.conftest import FIXTURES
    from tests.test_kind_registry import CEASEFIRE_RECORDS, ok, tracker, write_ndjson
    from tests.test_kind_registry import DAY as CEASEFIRE_DAY

    store = tmp_path / "cf.db"
    records = write_ndjson(tmp_path / "cf.ndjson", CEASEFIRE_RECORDS)
    out = ok(tracker("import", str(FIXTURES / "actors.ndjson"), str(records), store=store))
    assert out.endswith("log position 22\n")
    asked = [("ceasefires", *CEASEFIRE_DAY), ("ceasefires", *CEASEFIRE_DAY, "--json")]
    then = [ok(tracker(*question, store=store)) for question in asked]
    late = ("record", "ceasefire", "--id", "cf-late", "--report", "r-cf-2")
    out = ok(tracker(*late, "--parties", "putin,zelenskyy", "--start", "2026-03-21", store=store))
    assert out == "ceasefire cf-late recorded (log position 23)\n"
    assert ok(tracker(*asked[0], store=store)) != then[0]
    again = [ok(tracker(*question, "--position", "22", store=store)) for question in asked]
    assert again == then


def test_the_store_at_a_position_refuses_commands(seeded: Invoke, store_url: str) -> None:
    from tracker.errors import StoreError
    from tracker.positioned import PositionedTracker
    from tracker.store import StoreLocation

    before = exported(seeded)
    tracker = PositionedTracker.open_at(StoreLocation.parse(store_url), 40)
    try:
        assert tracker.catch_up() == 40
        assert tracker.view.position(tracker.name) == 40
        with pytest.raises(StoreError, match="the store at position 40 is only read"):
            tracker.add_actor("nobody", "Nobody")
    finally:
        tracker.close()
    assert exported(seeded) == before


def test_reader_processes_replay_up_to_the_position_alone(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long log is decoded by the rebuild's reader processes (20,000 events and
    more): they too stop at the position, whatever was appended after it."""
    import tracker.fast.rebuild_readers

    asked = [("state", *DAY, "--json"), ("calls", *DAY), ("history", "call-2025-10-trump-putin")]
    assert invoke("import", *map(str, FIXTURE_FILES[:4])).exit_code == 0
    early = position_of(invoke)
    then = [invoke(*question).stdout_bytes for question in asked]
    assert invoke("import", *map(str, FIXTURE_FILES[4:])).exit_code == 0
    assert invoke("import", "-", input=ndjson(LATE_RECORDS)).exit_code == 0
    monkeypatch.setattr(tracker.fast.rebuild_readers, "PARALLEL_REBUILD_MIN_EVENTS", 0)
    again = [invoke(*question, "--position", str(early)).stdout_bytes for question in asked]
    assert again == then
