"""A development type from outside the package, end to end: ``ceasefire``
(tests/kinds_plugins/ceasefire.py), named in ``TRACKER_KINDS`` with its directory on
``PYTHONPATH``, is imported, recorded, listed, shown in the state, its history and
changes, exported and rebuilt by the installed ``tracker`` in real subprocesses, with
no other file changed. A process without the plugin refuses it in one line. (The helper
processes, failing plugins and registration at run time: tests/test_kind_plugins.py.)"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.conftest import FIXTURES, PROJECT

TRACKER = Path(sys.executable).parent / "tracker"
PLUGINS = Path(__file__).resolve().parent / "kinds_plugins"

CEASEFIRE_RECORDS: list[dict[str, object]] = [
    {
        "type": "report",
        "id": "r-cf-1",
        "outlet": "Wire",
        "published": "2026-03-10",
        "text": "Russia and Ukraine agreed an energy ceasefire from March 12.",
    },
    {
        "type": "ceasefire",
        "id": "cf-energy",
        "report": "r-cf-1",
        "parties": ["Putin", "Zelenskyy"],
        "start": "2026-03-12",
        "scope": "energy infrastructure",
        "status": "agreed",
        "quote": "agreed an energy ceasefire",
    },
    {"type": "report", "id": "r-cf-2", "outlet": "Agency", "published": "2026-03-20"},
    {
        "type": "ceasefire",
        "id": "cf-energy",
        "report": "r-cf-2",
        "status": "broken",
        "end": "2026-03-19",
    },
]
DAY = ("--as-of", "2026-03-25", "--known-at", "2026-03-25")


def tracker(
    *args: str,
    store: Path,
    plugin: bool = True,
    kinds: str = "ceasefire",
    registered_log: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """The installed command in a process of its own; with ``plugin``, the ceasefire
    registered through the environment, as any process (and its helpers) would."""
    env = {key: value for key, value in os.environ.items() if key != "TRACKER_STORE"}
    env.pop("TRACKER_KINDS", None)
    if plugin:
        env["TRACKER_KINDS"] = kinds
        if registered_log is not None:
            env["CEASEFIRE_REGISTERED_LOG"] = str(registered_log)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(PLUGINS), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
    return subprocess.run(
        [str(TRACKER), "--store", f"sqlite:///{store}", *args],
        cwd=PROJECT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The error line of a command that failed as the CLI fails: one line, no trace."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def write_ndjson(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in records))
    return path


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store of the actors and two accounts of one ceasefire, and a second ceasefire
    recorded with ``record``."""
    path = tmp_path / "cf.db"
    records = write_ndjson(tmp_path / "cf.ndjson", CEASEFIRE_RECORDS)
    out = ok(tracker("import", str(FIXTURES / "actors.ndjson"), str(records), store=path))
    assert out == "imported 22 records (18 actor, 2 ceasefire, 2 report); log position 22\n"
    out = ok(
        tracker(
            "record",
            "ceasefire",
            "--id",
            "cf-black-sea",
            "--report",
            "r-cf-2",
            "--parties",
            "putin,zelenskyy",
            "--start",
            "2026-04-01",
            "--scope",
            "Black Sea",
            store=path,
        )
    )
    assert out == "ceasefire cf-black-sea recorded (log position 23)\n"
    return path


CEASEFIRE_TABLE = """\
id            parties           status    start       end         scope
------------  ----------------  --------  ----------  ----------  ---------------------
cf-energy     putin, zelenskyy  broken    2026-03-12  2026-03-19  energy infrastructure
cf-black-sea  putin, zelenskyy  proposed  2026-04-01  -           Black Sea
"""

STATE = f"""\
State as of 2026-03-25, as known at 2026-03-25 (log position 23)

Calls
participants  recorded  claimed  last  possibly also  claimed vs recorded
------------  --------  -------  ----  -------------  -------------------

Next meetings
planned  id  participants  status  place
-------  --  ------------  ------  -----

Plans
id  label  points  ready %  status  revisions
--  -----  ------  -------  ------  ---------

Open issues
-

Strikes: 0 by 2026-03-25; 0 since 2026-02-23:
occurred  id  target  by  weapons
--------  --  ------  --  -------

Ceasefires: 2 as of 2026-03-25
{CEASEFIRE_TABLE}"""


def date(text: str) -> dict[str, str]:
    return {"text": text, "lower": text, "upper": text}


ENERGY = {
    "id": "cf-energy",
    "parties": ["putin", "zelenskyy"],
    "start": date("2026-03-12"),
    "scope": "energy infrastructure",
    "status": "broken",
    "end": date("2026-03-19"),
    "reports": ["r-cf-1", "r-cf-2"],
    "last_reported": {"date": "2026-03-20", "report": "r-cf-2"},
}
BLACK_SEA = {
    "id": "cf-black-sea",
    "parties": ["putin", "zelenskyy"],
    "start": date("2026-04-01"),
    "scope": "Black Sea",
    "status": "proposed",
    "reports": ["r-cf-2"],
    "last_reported": {"date": "2026-03-20", "report": "r-cf-2"},
}


def test_record_checks_a_plugin_types_fields(store: Path) -> None:
    help_text = ok(tracker("record", "ceasefire", "--help", store=store))
    assert "--parties ACTOR,..." in help_text
    assert "[proposed|agreed|in_force|broken]" in help_text
    assert "ceasefire" in ok(tracker("record", "--help", store=store))
    bad_status = tracker(
        "record", "ceasefire", "--id", "cf-x", "--report", "r-cf-2", "--status", "over", store=store
    )
    assert "'over' is not one of" in one_line_error(bad_status, 2)
    missing = tracker("record", "ceasefire", "--id", "cf-x", "--report", "r-cf-2", store=store)
    assert one_line_error(missing, 2).startswith("Error: a new ceasefire needs --parties")
    one_party = tracker(
        "record",
        "ceasefire",
        "--id",
        "cf-x",
        "--report",
        "r-cf-2",
        "--parties",
        "ghost",
        store=store,
    )
    assert one_line_error(one_party, 1) == "Error: unknown actor 'ghost'"


def test_state_and_list_of_a_plugin_type(store: Path) -> None:
    assert ok(tracker("state", *DAY, store=store)) == STATE
    state = orjson.loads(ok(tracker("state", *DAY, "--json", store=store)))
    assert state["ceasefires"] == [ENERGY, BLACK_SEA]
    assert state["ceasefires_total"] == 2
    assert "listed" not in state
    assert ok(tracker("ceasefires", *DAY, store=store)) == CEASEFIRE_TABLE
    assert ok(tracker("ceasefires", *DAY, "--limit", "1", store=store)) == (
        "1 earlier not shown (--limit 0 shows all)\n"
        "id            parties           status    start       end  scope\n"
        "------------  ----------------  --------  ----------  ---  ---------\n"
        "cf-black-sea  putin, zelenskyy  proposed  2026-04-01  -    Black Sea\n"
    )
    assert orjson.loads(ok(tracker("ceasefires", *DAY, "--json", "--limit", "1", store=store))) == {
        "as_of": "2026-03-25",
        "known_at": "2026-03-25",
        "ceasefires": [BLACK_SEA],
        "ceasefires_total": 2,
        "list_limit": 1,
    }
    # Known at the 15th: the first account only, and the second ceasefire not yet.
    earlier = orjson.loads(
        ok(
            tracker(
                "ceasefires",
                "--as-of",
                "2026-03-15",
                "--known-at",
                "2026-03-15",
                "--json",
                store=store,
            )
        )
    )
    assert [(c["id"], c["status"]) for c in earlier["ceasefires"]] == [("cf-energy", "agreed")]
    help_text = ok(tracker("--help", store=store))
    assert "  ceasefires " in help_text


def test_history_changes_and_verify_of_a_plugin_type(store: Path) -> None:
    assert ok(tracker("history", "cf-energy", store=store)) == (
        "cf-energy (ceasefire)\n"
        "\n"
        "#20 v1 2026-03-10 Wire (r-cf-1) account\n"
        " *parties: putin, zelenskyy\n"
        " *start: 2026-03-12\n"
        " *scope: energy infrastructure\n"
        " *status: agreed\n"
        '  quote: "agreed an energy ceasefire"\n'
        "\n"
        "#22 v2 2026-03-20 Agency (r-cf-2) account\n"
        " *end: 2026-03-19\n"
        " *status: broken\n"
        "\n"
        "* field set or changed by this account\n"
        "corroborated by 2 independent origins\n"
    )
    assert ok(tracker("changes", "--from", "2026-03-15", "--to", "2026-03-25", store=store)) == (
        "Changes from what was known at 2026-03-15 to 2026-03-25\n"
        "\n"
        "Added (1)\n"
        "  cf-black-sea (ceasefire) by r-cf-2\n"
        "\n"
        "Claims added (0)\n"
        "\n"
        "Changed (1)\n"
        "  cf-energy (ceasefire) by r-cf-2\n"
        "      status: agreed -> broken  (r-cf-2)\n"
        "      end: - -> 2026-03-19  (r-cf-2)\n"
        "\n"
        "Retracted (0)\n"
    )
    verified = ok(tracker("verify", store=store))
    assert verified.startswith("ok: 23 events, chain head ")


def test_ndjson_export_round_trip_and_rebuild_of_a_plugin_type(store: Path, tmp_path: Path) -> None:
    before = ok(tracker("state", *DAY, "--json", store=store))
    exported = tmp_path / "export.ndjson"
    assert ok(tracker("export", "-o", str(exported), store=store)) == ""
    lines = exported.read_text().splitlines()
    assert sum('"type":"ceasefire"' in line for line in lines) == 3
    copy = tmp_path / "copy.db"
    assert ok(tracker("import", str(exported), store=copy)).startswith(
        "imported 23 records (18 actor, 3 ceasefire, 2 report)"
    )
    again = tmp_path / "again.ndjson"
    ok(tracker("export", "-o", str(again), store=copy))
    assert again.read_bytes() == exported.read_bytes()
    assert ok(tracker("state", *DAY, "--json", store=copy)) == before
    assert ok(tracker("rebuild", store=store)) == "read models rebuilt to log position 23\n"
    assert ok(tracker("state", *DAY, "--json", store=store)) == before


def test_ceasefire_timeline_and_exports(store: Path, tmp_path: Path) -> None:
    """The timeline page and the exports other than NDJSON: made registry-driven on
    another branch (tracker/timeline_layout.py, tracker/export_rows.py)."""
    csv_file = tmp_path / "state.csv"
    ok(tracker("export", "--format", "csv", "-o", str(csv_file), *DAY, store=store))
    with csv_file.open(newline="", encoding="utf-8") as opened:
        rows = {row["event_id"]: row for row in csv.DictReader(opened)}
    # Its sub-type and place as its Kind's ``exported`` names them, its actors by its
    # actor fields.
    assert {
        key: rows["cf-energy"][key] for key in ("event_type", "sub_type", "actors", "location")
    } == {
        "event_type": "ceasefire",
        "sub_type": "broken",
        "actors": "putin;zelenskyy",
        "location": "energy infrastructure",
    }
    assert rows["cf-black-sea"]["location"] == "Black Sea"
    timelinejs = tmp_path / "timeline.json"
    ok(tracker("export", "--format", "timelinejs", "-o", str(timelinejs), *DAY, store=store))
    events = {
        event["unique_id"]: event for event in orjson.loads(timelinejs.read_bytes())["events"]
    }
    assert events["cf-energy"]["group"] == "ceasefire"
    assert events["cf-energy"]["text"]["headline"].startswith("Ceasefire: Putin")
    sqlite_file = tmp_path / "state.sqlite"
    ok(tracker("export", "--format", "sqlite", "-o", str(sqlite_file), *DAY, store=store))
    with sqlite3.connect(sqlite_file) as connection:
        kinds = {row[0] for row in connection.execute("SELECT event_type FROM developments_now")}
    assert "ceasefire" in kinds
    page = tmp_path / "timeline.html"
    ok(tracker("timeline", "-o", str(page), *DAY, store=store))
    html = page.read_text()
    # Its lane's label and its legend entry, by its plural, and its colour.
    assert "<text class='lane-label'" in html and ">ceasefires" in html
    assert html.count("ceasefires") >= 2
    assert "#8b4513" in html.lower()
    assert html.count("cf-energy") >= 2 and "cf-black-sea" in html


def test_a_store_with_a_type_no_module_registers(store: Path, tmp_path: Path) -> None:
    """Without the plugin, what would leave the ceasefires out without a word refuses
    in one line; what shows the log's own accounts still works."""
    refused = (
        "Error: the store holds developments of type 'ceasefire', which no module registers"
        " here: name the module that does in TRACKER_KINDS (see README, 'Adding a"
        " development type')"
    )
    for args in (
        ("state", *DAY),
        ("state", *DAY, "--json"),
        ("changes", "--from", "2026-03-01", "--to", "2026-03-25"),
        ("timeline", "-o", str(tmp_path / "t.html")),
        ("export", "--format", "csv", "-o", str(tmp_path / "x.csv")),
        ("export", "--format", "timelinejs", "-o", str(tmp_path / "x.json")),
        ("export", "--format", "sqlite", "-o", str(tmp_path / "x.sqlite")),
    ):
        assert one_line_error(tracker(*args, store=store, plugin=False), 1) == refused, args
    assert not list(tmp_path.glob("x.*")) and not (tmp_path / "t.html").exists()
    assert "cf-energy (ceasefire)" in ok(tracker("history", "cf-energy", store=store, plugin=False))
    assert ok(tracker("verify", store=store, plugin=False)).startswith("ok: 23 events")
    assert ok(tracker("rebuild", store=store, plugin=False)).startswith("read models rebuilt")
    exported = tmp_path / "log.ndjson"
    assert ok(tracker("export", "-o", str(exported), store=store, plugin=False)) == ""
    # The export holds the ceasefires; a store without the plugin takes none of them.
    assert one_line_error(
        tracker("import", str(exported), store=tmp_path / "new.db", plugin=False), 1
    ) == (f"Error: {exported}:20: unknown record type 'ceasefire'")
    no_command = tracker(
        "record", "ceasefire", "--id", "x", "--report", "r-cf-1", store=store, plugin=False
    )
    assert "No such command 'ceasefire'" in one_line_error(no_command, 2)
    assert one_line_error(tracker("ceasefires", store=store, plugin=False), 2).startswith(
        "Error: No such command 'ceasefires'"
    )
