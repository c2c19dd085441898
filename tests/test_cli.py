"""Each command through click's CliRunner, with exact output where it is stable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import PROJECT, Invoke, exported, ndjson, without_times


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return str(result.stdout)


def as_json(result: Any) -> Any:
    return orjson.loads(ok(result))


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_init_creates_an_empty_store(invoke: Invoke, store_url: str) -> None:
    assert ok(invoke("init")).endswith("(log position 0)\n")
    assert Path(store_url.removeprefix("sqlite:///")).is_file()
    assert as_json(invoke("log", "--json")) == []


def test_report_add_takes_the_publication_date_from_the_header(invoke: Invoke) -> None:
    seed = PROJECT / "seeds" / "000_f5ac395222edac7b.txt"
    out = ok(invoke("report", "add", str(seed), "--outlet", "Zee News", "--id", "r-000"))
    assert out == "report r-000 added (published 2025-12-27)\n"
    reports = as_json(invoke("report", "list", "--json"))
    assert [(r["id"], r["outlet"], r["published"]) for r in reports] == [
        ("r-000", "Zee News", "2025-12-27")
    ]
    import hashlib

    assert reports[0]["sha256"] == hashlib.sha256(seed.read_bytes()).hexdigest()


def test_report_add_with_inline_text_and_uncertain_date(invoke: Invoke) -> None:
    out = ok(
        invoke(
            "report",
            "add",
            "--id",
            "r-x",
            "--outlet",
            "Wire",
            "--text",
            "Words.",
            "--published",
            "2025-02~",
            "--title",
            "A title",
            "--url",
            "https://example.org/a",
        )
    )
    assert out == "report r-x added (published 2025-02~)\n"
    (report,) = as_json(invoke("report", "list", "--json"))
    assert (report["published_lower"], report["published_upper"]) == ("2025-01-01", "2025-03-31")
    assert (report["title"], report["url"]) == ("A title", "https://example.org/a")
    table = ok(invoke("report", "list"))
    assert table.splitlines()[2].split() == ["r-x", "2025-02~", "Wire", "A", "title"]


def test_actor_add_alias_and_list(invoke: Invoke) -> None:
    ok(
        invoke(
            "actor",
            "add",
            "zelenskyy",
            "--name",
            "Volodymyr Zelenskyy",
            "--alias",
            "Zelensky",
            "--role",
            "President of Ukraine",
        )
    )
    assert ok(invoke("actor", "alias", "ZELENSKY", "Zelenksy")) == "aliases added to ZELENSKY\n"
    assert as_json(invoke("actor", "list", "--json")) == [
        {
            "id": "zelenskyy",
            "name": "Volodymyr Zelenskyy",
            "role": "President of Ukraine",
            "aliases": ["Zelensky", "Zelenksy"],
        }
    ]


def test_record_each_type_through_the_cli(small_store: Invoke) -> None:
    run = small_store
    ok(run("actor", "add", "ushakov", "--name", "Yuri Ushakov", "--alias", "Yury Ushakov"))
    commands = [
        [
            "record",
            "call",
            "--id",
            "call-1",
            "--report",
            "r1",
            "--duration-min",
            "75",
            "--duration-text",
            "an hour and a quarter",
            "--initiator",
            "trump",
            "--tone",
            "good",
        ],
        [
            "record",
            "meeting",
            "--id",
            "m-1",
            "--report",
            "r1",
            "--participants",
            "trump,putin",
            "--status",
            "scheduled",
            "--planned",
            "2026-01-10T13:00:00-05:00",
            "--place",
            "Geneva",
        ],
        [
            "record",
            "plan",
            "--id",
            "p-1",
            "--report",
            "r1",
            "--label",
            "20-point plan",
            "--points",
            "20",
            "--readiness-pct",
            "90",
            "--status",
            "proposed",
            "--provisions",
            "front lines frozen",
            "--provisions",
            "buffer zones",
        ],
        [
            "record",
            "strike",
            "--id",
            "s-1",
            "--report",
            "r1",
            "--target",
            "Kyiv",
            "--by",
            "putin",
            "--occurred",
            "2025-12-27",
            "--weapons",
            "Iskander:4",
            "--weapons",
            "Kinzhal",
            "--effects",
            "power cuts",
        ],
        [
            "record",
            "issue",
            "--id",
            "i-1",
            "--report",
            "r1",
            "--title",
            "Donetsk",
            "--status",
            "open",
            "--positions",
            "putin=withdraw",
            "--positions",
            "Europe=no",
        ],
        [
            "record",
            "statement",
            "--id",
            "st-1",
            "--report",
            "r1",
            "--speaker",
            "trump",
            "--quote",
            "It lasted 75 minutes.",
            "--occurred",
            "2025-12-28",
        ],
        [
            "record",
            "claim",
            "--id",
            "cl-1",
            "--report",
            "r1",
            "--subject",
            "call-count",
            "--participants",
            "trump,putin",
            "--value",
            "9",
            "--claimant",
            "Yury Ushakov",
            "--attributed-to",
            "Yuri Ushakov via TASS",
        ],
    ]
    outputs = [ok(run(*command)) for command in commands]
    assert outputs[0] == "call call-1 account 2 recorded (log position 6)\n"
    assert outputs[1] == "meeting m-1 recorded (log position 7)\n"
    state = as_json(run("state", "--as-of", "2025-12-28", "--known-at", "2025-12-28", "--json"))
    assert state["position"] == 12
    assert state["calls"] == [
        {
            "participants": ["putin", "trump"],
            "count": 1,
            "calls": ["call-1"],
            "last": "call-1",
            "last_occurred": "2025-12-28",
            "claimed_count": 9,
            "claimed_by": "cl-1",
            "possible": [],
            "possible_count": 0,
            "gap": 8,
            "claimed_as_of": "2025-12-28",
            "calls_since_claim": 0,
            "gap_text": "claimed 9, recorded 1: 8 calls not in the record",
        }
    ]
    assert state["next_meetings"] == [
        {
            "id": "m-1",
            "kind": "meeting",
            "participants": ["putin", "trump"],
            "status": "scheduled",
            "planned": "2026-01-10T13:00:00-05:00",
            "place": "Geneva",
            "reports": ["r1"],
            "last_reported": {"date": "2025-12-28", "report": "r1"},
            "overdue": False,
        }
    ]
    assert state["plans"] == [
        {
            "id": "p-1",
            "label": "20-point plan",
            "points": 20,
            "readiness_pct": 90.0,
            "status": "proposed",
            "revisions": 1,
            "provisions": ["front lines frozen", "buffer zones"],
            "reports": ["r1"],
            "last_reported": {"date": "2025-12-28", "report": "r1"},
        }
    ]
    assert state["open_issues"] == [
        {
            "id": "i-1",
            "title": "Donetsk",
            "status": "open",
            "positions": {"putin": "withdraw", "Europe": "no"},
            "reports": ["r1"],
            "last_reported": {"date": "2025-12-28", "report": "r1"},
            "stale": False,
        }
    ]
    assert (state["strike_count"], state["strikes_total"]) == (1, 1)
    assert (state["list_limit"], state["calls_total"], state["next_meetings_total"]) == (20, 1, 1)
    assert (state["plans_total"], state["open_issues_total"]) == (1, 1)
    assert state["possible_total"] == {"calls": 0, "strikes": 0, "reports": 0}
    assert state["strikes"] == [
        {
            "id": "s-1",
            "occurred": "2025-12-27",
            "target": "Kyiv",
            "by": "putin",
            "weapons": [{"name": "Iskander", "count": 4}, {"name": "Kinzhal", "count": None}],
            "effects": "power cuts",
            "reports": ["r1"],
            "last_reported": {"date": "2025-12-28", "report": "r1"},
        }
    ]
    statements = as_json(run("statements", "--as-of", "2025-12-28", "--json"))["statements"]
    assert [(s["id"], s["speaker"], s["quote"]) for s in statements] == [
        ("st-1", "trump", "It lasted 75 minutes.")
    ]
    claims = as_json(run("claims", "--as-of", "2025-12-28", "--json"))["claims"]
    assert [(c["id"], c["value"], c["claimant"], c["stance"]) for c in claims] == [
        ("cl-1", 9, "ushakov", "asserts")
    ]


def test_as_of_and_known_at_keep_valid_and_knowledge_time_apart(invoke: Invoke) -> None:
    records = [
        {"type": "actor", "id": "a", "name": "Alpha"},
        {"type": "actor", "id": "b", "name": "Beta"},
        {"type": "report", "id": "feb", "outlet": "X", "published": "2025-02-10"},
        {"type": "report", "id": "dec", "outlet": "Y", "published": "2025-12-28"},
        # Told only in December, of a call in January: known from December on.
        {
            "type": "call",
            "id": "jan",
            "report": "dec",
            "participants": ["a", "b"],
            "occurred": "2025-01",
        },
        # Told in February of a call "in early 2025", refined in December.
        {
            "type": "call",
            "id": "early",
            "report": "feb",
            "participants": ["a", "b"],
            "occurred": "2025-01/2025-02-09",
        },
        {"type": "call", "id": "early", "report": "dec", "occurred": "2025-02-03"},
    ]
    ok(invoke("import", "-", input=ndjson(records)))

    def calls(as_of: str, known_at: str) -> tuple[int, list[str], list[str]]:
        groups = as_json(invoke("calls", "--as-of", as_of, "--known-at", known_at, "--json"))
        group = groups["calls"][0] if groups["calls"] else {"count": 0, "calls": [], "possible": []}
        return group["count"], group["calls"], group["possible"]

    assert calls("2025-03-01", "2025-03-01") == (1, ["early"], [])
    assert calls("2025-03-01", "2025-12-28") == (2, ["jan", "early"], [])
    # As of 2025-02-01 the February report's interval leaves the call only possible.
    assert calls("2025-02-01", "2025-03-01") == (0, [], ["early"])
    # December's precise date makes it certain it had not happened by then...
    assert calls("2025-02-01", "2025-12-28") == (1, ["jan"], [])
    # ...and nothing known before February counts.
    assert calls("2025-12-31", "2025-02-09") == (0, [], [])


def test_retraction_removes_a_development_from_its_publication_on(small_store: Invoke) -> None:
    run = small_store
    ok(
        run(
            "report",
            "add",
            "--id",
            "r2",
            "--outlet",
            "Kremlin",
            "--text",
            "There was no call.",
            "--published",
            "2026-01-05",
        )
    )
    assert (
        ok(
            run(
                "retract",
                "call-1",
                "--report",
                "r2",
                "--reason",
                "denied",
                "--quote",
                "There was no call.",
            )
        )
        == "call-1 retracted by r2\n"
    )

    def count(known_at: str) -> int:
        state = as_json(run("state", "--as-of", "2026-01-10", "--known-at", known_at, "--json"))
        return sum(group["count"] for group in state["calls"])

    assert count("2026-01-04") == 1
    assert count("2026-01-05") == 0


def test_void_hides_an_account_but_the_log_and_history_keep_it(small_store: Invoke) -> None:
    run = small_store
    ok(run("record", "call", "--id", "call-1", "--report", "r1", "--duration-min", "57"))
    assert ok(run("void", "5", "--reason", "typo")) == (
        "voided account 2 of call-1 (log position 5)\n"
    )
    history = as_json(run("history", "call-1", "--json"))
    assert [(e["version"], e["voided"], e["void_reason"]) for e in history["entries"]] == [
        (1, False, None),
        (2, True, "typo"),
    ]
    log = as_json(run("log", "--json"))
    assert [entry["event"] for entry in log[-2:]] == ["Development.Retold", "Development.Voided"]
    assert without_times(exported(run)).splitlines()[-1] == (
        '{"type":"void","development":"call-1","version":2,"reason":"typo"}'
    )


def test_history_shows_each_account_and_what_it_changed(seeded: Invoke) -> None:
    history = as_json(seeded("history", "call-2025-10-trump-putin", "--json"))
    entries = history["entries"]
    assert [(e["report_id"], e["fields"].get("occurred", {}).get("text")) for e in entries] == [
        ("r-000", "2025-10"),
        ("r-002", "2025-10-16"),
    ]
    assert "occurred" in entries[1]["changed"]
    assert "participants" not in entries[1]["changed"]
    text = ok(seeded("history", "meeting-2025-12-28-mar-a-lago"))
    assert " *planned: 2025-12-28\n" in text
    assert " *planned: 2025-12-28T13:00:00-05:00\n" in text


def test_export_imports_into_an_identical_store(seeded: Invoke, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tracker.cli import main

    dump = tmp_path / "dump.ndjson"
    ok(seeded("export", "-o", str(dump)))
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    runner = CliRunner()
    result = runner.invoke(main, ["--store", copy, "import", str(dump)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(main, ["--store", copy, "export"])
    assert again.stdout == dump.read_text(encoding="utf-8")
    state_args = ["state", "--as-of", "2025-12-28", "--known-at", "2025-12-28", "--json"]
    original = as_json(seeded(*state_args))
    copied = orjson.loads(runner.invoke(main, ["--store", copy, *state_args]).stdout)
    assert copied == original


def test_log_lists_every_event_in_order(small_store: Invoke) -> None:
    log = as_json(small_store("log", "--json"))
    assert [(e["position"], e["event"], e["subject"]) for e in log] == [
        (1, "Actor.Registered", "trump"),
        (2, "Actor.Registered", "putin"),
        (3, "Report.Registered", "r1"),
        (4, "Development.Reported", "call-1"),
    ]
    assert all(e["recorded_at"].endswith("Z") for e in log)
    last = ok(small_store("log", "--limit", "1")).splitlines()
    assert len(last) == 3 and last[2].startswith("4 ")


def test_reading_views_print_tables(seeded: Invoke) -> None:
    for command in ("calls", "meetings", "plans", "issues", "strikes", "claims", "statements"):
        out = ok(seeded(command, "--as-of", "2025-12-28", "--known-at", "2025-12-28"))
        assert out.strip(), command
    plans = ok(seeded("plans", "--as-of", "2025-12-28", "--known-at", "2025-12-28"))
    assert "plan-20-point" in plans and "90" in plans


def test_rebuild_reports_the_position(small_store: Invoke) -> None:
    assert ok(small_store("rebuild")) == "read models rebuilt to log position 4\n"


@pytest.mark.parametrize("command", ["claims", "statements", "meetings"])
def test_a_list_shows_its_latest_by_default_and_all_with_limit_0(
    seeded: Invoke, command: str
) -> None:
    dates = ("--as-of", "2026-01-31", "--known-at", "2026-01-31")
    everything = as_json(seeded(command, *dates, "--limit", "0", "--json"))
    assert everything[f"{command}_total"] == len(everything[command]) > 3
    assert everything["list_limit"] is None
    assert as_json(seeded(command, *dates, "--json"))["list_limit"] == 100

    latest = as_json(seeded(command, *dates, "--limit", "3", "--json"))
    assert latest[f"{command}_total"] == len(everything[command])
    assert latest["list_limit"] == 3
    assert latest[command] == everything[command][-3:]  # the latest three, oldest first

    text = ok(seeded(command, *dates, "--limit", "3")).splitlines()
    left_out = len(everything[command]) - 3
    assert text[0] == f"{left_out} earlier not shown (--limit 0 shows all)"
    # The note, the header and its rule, three rows; then a footnote for each field that
    # same-day reports tell differently (issue 23, point 1: the Mar-a-Lago meeting's
    # place, the Truth Social post's wording).
    table_lines = [line for line in text if not line.startswith("disputed: ")]
    assert len(table_lines) == 1 + 2 + 3


def test_calls_show_the_most_recently_active_sets_each_with_its_latest_calls(
    invoke: Invoke,
) -> None:
    records: list[dict[str, object]] = [
        *({"type": "actor", "id": name, "name": name.title()} for name in ("a", "b", "c", "d")),
        {"type": "report", "id": "r1", "outlet": "Wire", "published": "2025-12-31"},
    ]
    # a+b call on the 11th to 13th, c+d on the 10th, a+c on the 5th.
    calls = [
        ("ab1", "a", "b", 11),
        ("ab2", "a", "b", 12),
        ("ab3", "a", "b", 13),
        ("cd1", "c", "d", 10),
        ("ac1", "a", "c", 5),
    ]
    records += [
        {"type": "call", "id": id_, "report": "r1", "participants": [one, other],
         "status": "held", "occurred": f"2025-12-{day:02d}"}
        for id_, one, other, day in calls
    ]  # fmt: skip
    assert invoke("import", "-", input=ndjson(records)).exit_code == 0
    dates = ("--as-of", "2025-12-31", "--known-at", "2025-12-31")

    everything = as_json(invoke("calls", *dates, "--limit", "0", "--json"))
    assert [(g["participants"], g["calls"]) for g in everything["calls"]] == [
        (["a", "b"], ["ab1", "ab2", "ab3"]),
        (["a", "c"], ["ac1"]),
        (["c", "d"], ["cd1"]),
    ]
    assert (everything["calls_total"], everything["list_limit"]) == (3, None)

    # The two most recently active sets (by their latest call), each with its latest two.
    latest = as_json(invoke("calls", *dates, "--limit", "2", "--json"))
    assert [(g["participants"], g["count"], g["calls"]) for g in latest["calls"]] == [
        (["a", "b"], 3, ["ab2", "ab3"]),
        (["c", "d"], 1, ["cd1"]),
    ]
    assert (latest["calls_total"], latest["list_limit"]) == (3, 2)
    one = as_json(invoke("calls", *dates, "--limit", "1", "--json"))
    assert [(g["participants"], g["calls"]) for g in one["calls"]] == [(["a", "b"], ["ab3"])]

    text = ok(invoke("calls", *dates, "--limit", "2")).splitlines()
    assert text[-1] == "… and 1 more set (--limit 0 shows all)"
    assert "ab2, ab3 … and 1 more" in text[2]
    assert ok(invoke("calls", *dates, "--limit", "1")).splitlines()[-1] == (
        "… and 2 more sets (--limit 0 shows all)"
    )
    assert invoke("calls", "--limit", "-1").exit_code == 2


def test_strikes_show_the_newest_first_and_say_how_many_more(invoke: Invoke) -> None:
    records: list[dict[str, object]] = [
        {"type": "actor", "id": "putin", "name": "Vladimir Putin"},
        {"type": "report", "id": "r1", "outlet": "Wire", "published": "2025-12-31"},
    ]
    records += [
        {"type": "strike", "id": f"s-{day}", "report": "r1", "target": "Kyiv",
         "occurred": f"2025-12-{day:02d}"}
        for day in range(1, 6)
    ]  # fmt: skip
    assert invoke("import", "-", input=ndjson(records)).exit_code == 0
    dates = ("--as-of", "2025-12-31", "--known-at", "2025-12-31")
    found = as_json(invoke("strikes", *dates, "--limit", "2", "--json"))
    assert [strike["id"] for strike in found["strikes"]] == ["s-5", "s-4"]
    assert (found["strikes_total"], found["list_limit"]) == (5, 2)
    text = ok(invoke("strikes", *dates, "--limit", "2")).splitlines()
    assert text[-1] == "… and 3 more (--limit 0 shows all)"
    assert [line.split()[1] for line in text[2:4]] == ["s-5", "s-4"]
    negative = invoke("strikes", "--limit", "-1")
    assert negative.exit_code == 2
