"""Registering development types beyond the ceasefire's own proof
(tests/test_kind_registry.py): the helper processes of a large import and of a rebuild
register a plugin's type too; a plugin that fails, or whose type would clash, is one
line; and a type registered in a process after the tracker's import is imported and
shown in the state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.conftest import FIXTURES, Invoke, ndjson
from tests.test_kind_registry import DAY, date, ok, one_line_error, tracker, write_ndjson
from tracker import records
from tracker.kinds import KINDS, Fields, Kind, NameOf, field, register, registry
from tracker.records import PARALLEL_IMPORT_MIN_BYTES


def test_a_plugin_that_does_not_register_is_one_line(tmp_path: Path) -> None:
    missing = tracker("state", store=tmp_path / "none.db", kinds="no_such_kinds_module")
    assert one_line_error(missing, 2) == (
        "Error: TRACKER_KINDS: module 'no_such_kinds_module' did not register its development"
        " type (ModuleNotFoundError: No module named 'no_such_kinds_module')"
    )
    taken = tracker("state", store=tmp_path / "none.db", kinds="ceasefire,taken_plural")
    assert one_line_error(taken, 2) == (
        "Error: TRACKER_KINDS: module 'taken_plural' did not register its development type"
        " (ValueError: truce: plural 'ceasefires' is taken)"
    )
    clashing = tracker("state", store=tmp_path / "none.db", kinds="clashing_plural")
    assert one_line_error(clashing, 2) == (
        "Error: a development type's plural 'changes' is the name of a command: register it"
        " with another plural"
    )


def test_register_refuses_what_would_clash() -> None:
    def headline(fields: object, brief: object) -> str:
        return ""

    def kind(name: str, plural: str, *fields_named: str) -> Kind:
        return Kind(
            name=name,
            plural=plural,
            fields=tuple(field(field_name, "text") for field_name in fields_named),
            headline=headline,
            columns=(),
            colour="#123456",
        )

    with pytest.raises(ValueError, match="field name 'report' is a record's own key"):
        register(kind("visit", "visits", "report"))
    with pytest.raises(ValueError, match="plural 'calls' is taken"):
        register(kind("visit", "calls"))
    with pytest.raises(ValueError, match="'call' is registered already"):
        register(kind("call", "phonecalls"))
    assert "visit" not in KINDS


# Past these, an import is turned into events by a producer process and a rebuild reads
# the log in reader processes (tracker/records.py PARALLEL_IMPORT_MIN_BYTES, the
# rebuild's PARALLEL_REBUILD_MIN_EVENTS = 20,000): both inherit TRACKER_KINDS.
MANY = 21_000


def test_helper_processes_know_a_plugin_type(tmp_path: Path) -> None:
    records: list[dict[str, object]] = [
        {"type": "report", "id": "r-many", "outlet": "Wire", "published": "2026-03-10"}
    ]
    records += [
        {
            "type": "ceasefire",
            "id": f"cf-{number:05d}",
            "report": "r-many",
            "parties": ["putin", "zelenskyy"],
            "start": "2026-03-12",
            "scope": f"front sector {number} and the villages around it, as the wire reported",
            "status": "agreed",
        }
        for number in range(MANY)
    ]
    big = write_ndjson(tmp_path / "many.ndjson", records)
    assert big.stat().st_size >= PARALLEL_IMPORT_MIN_BYTES
    store = tmp_path / "many.db"
    log = tmp_path / "registered"
    out = ok(
        tracker(
            "import", str(FIXTURES / "actors.ndjson"), str(big), store=store, registered_log=log
        )
    )
    # The command's process and its producer each registered the type.
    assert len(set(log.read_text().split())) == 2
    log.unlink()
    assert out == (
        f"imported {MANY + 19} records (18 actor, {MANY} ceasefire, 1 report);"
        f" log position {MANY + 19}\n"
    )
    listed = ("ceasefires", *DAY, "--json", "--limit", "2")
    before = orjson.loads(ok(tracker(*listed, store=store)))
    assert before["ceasefires_total"] == MANY
    assert [item["id"] for item in before["ceasefires"]] == ["cf-20998", "cf-20999"]
    rebuilt = ok(tracker("rebuild", store=store, registered_log=log))
    assert rebuilt == f"read models rebuilt to log position {MANY + 19}\n"
    # And the rebuild's process and its reader processes (two or more).
    assert len(set(log.read_text().split())) >= 3
    assert orjson.loads(ok(tracker(*listed, store=store))) == before


def visit_headline(fields: Fields, brief: NameOf) -> str:
    return f"Visit by {brief(str(fields.get('host', '?')))}"


@pytest.fixture
def visit_registered() -> Iterator[None]:
    """A type registered in this process after the tracker's modules were imported, as
    a program that imports the tracker and registers its own would; taken out after."""
    register(
        Kind(
            name="visit",
            plural="visits",
            fields=(
                field("host", "actor", required=True),
                field("occurred", "date"),
                # Its own field is the account's quote, as a statement's is.
                field("quote", "text", quoted=True, combine="first"),
            ),
            headline=visit_headline,
            columns=("host", "occurred"),
            colour="#654321",
        )
    )
    try:
        yield
    finally:
        KINDS.pop("visit")
        registry._SPECS.pop("visit", None)
        records._ALLOWED_KEYS.pop("visit", None)


def test_a_type_registered_at_run_time(visit_registered: None, invoke: Invoke) -> None:
    """The importer and the state read the registry when they run, not only when they
    are imported (the list commands are made at import: TRACKER_KINDS is for those)."""
    visit: list[dict[str, object]] = [
        {"type": "actor", "id": "trump", "name": "Donald Trump", "aliases": ["Trump"]},
        {
            "type": "report",
            "id": "r1",
            "outlet": "Wire",
            "published": "2026-01-05",
            "text": "Trump arrived in Riyadh on Sunday.",
        },
        {
            "type": "visit",
            "id": "v-1",
            "report": "r1",
            "host": "Trump",
            "occurred": "2026-01-04",
            "quote": "Trump arrived in Riyadh",
        },
    ]
    imported = invoke("import", "-", input=ndjson(visit))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == "imported 3 records (1 actor, 1 report, 1 visit); log position 3\n"
    day = ("--as-of", "2026-01-10", "--known-at", "2026-01-10")
    state = orjson.loads(invoke("state", *day, "--json").stdout)
    assert state["visits"] == [
        {
            "id": "v-1",
            "host": "trump",
            "occurred": date("2026-01-04"),
            "quote": "Trump arrived in Riyadh",
            "reports": ["r1"],
            "last_reported": {"date": "2026-01-05", "report": "r1"},
        }
    ]
    assert state["visits_total"] == 1
    assert invoke("state", *day).stdout.endswith(
        "Visits: 1 as of 2026-01-10\n"
        "id   host   occurred\n"
        "---  -----  ----------\n"
        "v-1  trump  2026-01-04\n"
    )


SUMMIT_RECORDS: list[dict[str, object]] = [
    {"type": "report", "id": "r-s-1", "outlet": "Wire", "published": "2026-03-20"},
    {
        "type": "summit",
        "id": "summit-riyadh",
        "report": "r-s-1",
        "participants": ["Trump", "Putin"],
        "status": "scheduled",
        "planned": "2026-04-10",
        "place": "Riyadh",
    },
    {"type": "report", "id": "r-s-2", "outlet": "Agency", "published": "2026-04-11"},
    {
        "type": "summit",
        "id": "summit-riyadh",
        "report": "r-s-2",
        "status": "held",
        "occurred": "2026-04-10",
    },
]


def test_a_plugin_type_that_may_be_ahead(tmp_path: Path) -> None:
    """A type with the views' index of what is to come (tests/kinds_plugins/summit.py,
    beside the ceasefire) lists what is only planned, as meetings do, and its state
    section shows it before it happened."""
    store = tmp_path / "summit.db"
    kinds = "ceasefire,summit"
    summits = write_ndjson(tmp_path / "summits.ndjson", SUMMIT_RECORDS)
    imported = tracker(
        "import", str(FIXTURES / "actors.ndjson"), str(summits), store=store, kinds=kinds
    )
    assert ok(imported) == "imported 22 records (18 actor, 2 report, 2 summit); log position 22\n"
    assert ok(tracker("summits", *DAY, store=store, kinds=kinds)) == (
        "id             participants  status     planned     occurred  place\n"
        "-------------  ------------  ---------  ----------  --------  ------\n"
        "summit-riyadh  putin, trump  scheduled  2026-04-10  -         Riyadh\n"
    )
    later = ("--as-of", "2026-04-12", "--known-at", "2026-04-12", "--json")
    held = orjson.loads(ok(tracker("summits", *later, store=store, kinds=kinds)))
    assert [(s["id"], s["status"], s["occurred"]["text"]) for s in held["summits"]] == [
        ("summit-riyadh", "held", "2026-04-10")
    ]
    state = ok(tracker("state", *DAY, store=store, kinds=kinds))
    assert state.endswith(
        "Summits: 1 as of 2026-03-25\n"
        "id             participants  status     planned     occurred  place\n"
        "-------------  ------------  ---------  ----------  --------  ------\n"
        "summit-riyadh  putin, trump  scheduled  2026-04-10  -         Riyadh\n"
    )
    # Both plugins' sections, in the order TRACKER_KINDS names them.
    assert state.index("Ceasefires: 0 as of") < state.index("Summits: 1 as of")
