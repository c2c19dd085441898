"""Independent origins (issue 23, point 3): an account may name where its information
comes from, and corroboration counts distinct origins, not outlets. On both backends."""

from __future__ import annotations

import csv
import io
import sqlite3
from contextlib import closing
from dataclasses import replace
from typing import Any
from uuid import UUID

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from tests.conftest import SMALL_STORE_RECORDS, Invoke, exported, ndjson
from tests.store_sql import run_sql
from tracker.domain import Development
from tracker.transcoding import construct_mapper
from tracker.values import Account


def json_of(invoke: Invoke, *args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def _reports(*outlets: str) -> list[dict[str, object]]:
    """Reports r2, r3... of these outlets, a day apart after the small store's r1."""
    return [
        {
            "type": "report",
            "id": f"r{index}",
            "outlet": outlet,
            "published": f"2025-12-{27 + index}",
            "text": "The leaders spoke by phone.",
        }
        for index, outlet in enumerate(outlets, start=2)
    ]


def _retelling(report: str, origin: str | None = None) -> dict[str, object]:
    record: dict[str, object] = {"type": "call", "id": "call-1", "report": report}
    if origin is not None:
        record["origin"] = origin
    return record


def test_two_outlets_relaying_one_origin_corroborate_once(small_store: Invoke) -> None:
    records = [*_reports("Agency", "Gazette", "Herald"), _retelling("r2", "tass")]
    assert small_store("import", "-", input=ndjson(records)).exit_code == 0
    # r1 (naming no origin: its own) and TASS.
    assert json_of(small_store, "sources", "call-1")["corroboration"] == 2
    # Another outlet relaying TASS adds nothing; origins match as names do.
    assert small_store("import", "-", input=ndjson([_retelling("r3", "  TASS ")])).exit_code == 0
    sources = json_of(small_store, "sources", "call-1")
    assert sources["corroboration"] == 2
    assert [(s["report_id"], s["outlet"], s["origin"]) for s in sources["sources"]] == [
        ("r1", "Wire", None),
        ("r2", "Agency", "tass"),
        ("r3", "Gazette", "TASS"),
    ]
    assert json_of(small_store, "history", "call-1")["corroboration"] == 2
    # A report naming no origin is one more.
    assert small_store("import", "-", input=ndjson([_retelling("r4")])).exit_code == 0
    assert json_of(small_store, "history", "call-1")["corroboration"] == 3


def test_two_reports_of_one_outlet_without_an_origin_are_two(small_store: Invoke) -> None:
    """Each account without an origin is its report's own: the outlet does not merge
    them (it used to, counting outlets)."""
    records = [*_reports("Wire"), _retelling("r2")]
    assert small_store("import", "-", input=ndjson(records)).exit_code == 0
    assert json_of(small_store, "sources", "call-1")["corroboration"] == 2


def test_different_origins_of_one_report_count_apart(small_store: Invoke) -> None:
    records = [
        *_reports("Agency", "Agency"),
        _retelling("r2", "Kremlin"),
        _retelling("r3", "White House"),
    ]
    assert small_store("import", "-", input=ndjson(records)).exit_code == 0
    history = json_of(small_store, "history", "call-1")
    assert history["corroboration"] == 3
    assert [entry["origin"] for entry in history["entries"]] == [None, "Kremlin", "White House"]


def test_record_takes_origin_and_sources_show_it(small_store: Invoke) -> None:
    assert small_store("import", "-", input=ndjson(_reports("Agency"))).exit_code == 0
    result = small_store(
        "record", "call", "--id", "call-1", "--report", "r2", "--origin", "Yuri Ushakov"
    )
    assert result.exit_code == 0, result.output
    records = [*_reports("Agency", "Gazette")[1:], _retelling("r3", "yuri   ushakov")]
    assert small_store("import", "-", input=ndjson(records)).exit_code == 0
    text = small_store("sources", "call-1")
    assert text.exit_code == 0, text.output
    assert text.stdout == (
        "call-1 (call): corroborated by 2 independent origins\n"
        "published   report  outlet   kind     quote                              attributed to"
        "  origin\n"
        "----------  ------  -------  -------  ---------------------------------  -------------"
        "  ------------\n"
        "2025-12-28  r1      Wire     account  a very good call with Putin today  -            "
        "  -\n"
        "2025-12-29  r2      Agency   account  -                                  -            "
        "  Yuri Ushakov\n"
        "2025-12-30  r3      Gazette  account  -                                  -            "
        "  yuri ushakov\n"
    )
    history = small_store("history", "call-1").stdout
    assert "\n  origin: Yuri Ushakov\n" in history
    assert history.endswith("corroborated by 2 independent origins\n")


def test_origin_round_trips_through_the_ndjson_export(small_store: Invoke) -> None:
    records = [*_reports("Agency"), _retelling("r2", "TASS")]
    assert small_store("import", "-", input=ndjson(records)).exit_code == 0
    lines = [orjson.loads(line) for line in exported(small_store).splitlines()]
    assert [line.get("origin") for line in lines if line["type"] == "call"] == [None, "TASS"]


def test_an_origin_must_be_a_name(small_store: Invoke) -> None:
    before = exported(small_store)
    for origin in ("", "   ", 7, ["TASS"], "x" * 201):
        records = [*_reports("Agency"), {**_retelling("r2"), "origin": origin}]
        result = small_store("import", "-", input=ndjson(records))
        assert result.exit_code == 1, origin
        assert "origin" in result.stderr
    assert exported(small_store) == before


# -- the events' schema: version 2 accounts may name an origin -------------------------


def _stored(event_class: type[Development.Event], origin: str | None) -> StoredEvent:
    development = Development.report("d-1", "call", Account.of("r1", {}, origin=origin))
    if event_class is Development.Retold:
        development.retell("call", Account.of("r2", {"status": "held"}, origin=origin))
    events = [e for e in development.collect_events() if isinstance(e, event_class)]
    return construct_mapper().to_stored_event(events[0])


def test_account_events_are_stored_at_version_2_with_their_origin() -> None:
    for event_class in (Development.Reported, Development.Retold):
        state = orjson.loads(_stored(event_class, "TASS").state)
        assert state["class_version"] == 2
        assert state["account"]["_data_"]["origin"] == "TASS"
        # Without an origin the account is stored as it was before origins.
        assert "origin" not in orjson.loads(_stored(event_class, None).state)["account"]["_data_"]


def test_an_account_event_stored_before_origins_loads_without_one() -> None:
    """The upcaster: an event of version 1 (no ``class_version``, no origin, as every
    store written before origins holds) loads as version 2 with ``origin`` None."""
    mapper = construct_mapper()
    for event_class in (Development.Reported, Development.Retold):
        stored = _stored(event_class, None)
        state = orjson.loads(stored.state)
        del state["class_version"]
        old = replace(stored, state=orjson.dumps(state))
        event: Any = mapper.to_domain_event(old)
        assert type(event) is event_class
        assert event.account.origin is None
        # It stores back at version 2, which reads the same.
        again: Any = mapper.to_domain_event(mapper.to_stored_event(event))
        assert again.account == event.account
        assert isinstance(again.originator_id, UUID)


def test_a_store_written_before_origins_reads_and_verifies(
    invoke: Invoke, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log whose account events are version 1 (written as every store before origins
    was, chained as they were) is read by the views, a rebuild and verify, and an
    account of version 2 beside them counts by its origin."""
    with monkeypatch.context() as old_tracker:
        old_tracker.setattr(Development.Reported, "class_version", 1)
        old_tracker.setattr(Development.Retold, "class_version", 1)
        records = [*SMALL_STORE_RECORDS, *_reports("Agency"), _retelling("r2")]
        assert invoke("import", "-", input=ndjson(records)).exit_code == 0
    states = [
        orjson.loads(bytes(row[0]))
        for row in run_sql(store_url, "SELECT state FROM {events}")
        if b'"account"' in bytes(row[0])
    ]
    assert len(states) == 2
    assert not any("class_version" in state for state in states)
    records = [*_reports("Agency", "Wire"), _retelling("r3", "Ushakov")]
    assert invoke("import", "-", input=ndjson(records[1:])).exit_code == 0
    assert invoke("rebuild").exit_code == 0
    assert invoke("verify").exit_code == 0
    sources = json_of(invoke, "sources", "call-1")
    assert [(s["report_id"], s["origin"]) for s in sources["sources"]] == [
        ("r1", None),
        ("r2", None),
        ("r3", "Ushakov"),
    ]
    assert sources["corroboration"] == 3


def test_the_exports_list_origins_and_count_them(seeded: Invoke, tmp_path: Any) -> None:
    """003 relays "an exclusive interview with The New York Post"; 004 retells it: two
    reports (``source_count``), one origin (``corroboration``)."""
    when = ("--as-of", "2025-02-23", "--known-at", "2025-02-23")
    rows = csv.DictReader(io.StringIO(seeded("export", "--format", "csv", *when).stdout))
    early = next(row for row in rows if row["event_id"] == "call-2025-early-trump-putin")
    assert (early["source_count"], early["corroboration"]) == ("2", "1")
    assert early["source_origins"] == "Donald Trump, interview with The New York Post"
    slides = orjson.loads(seeded("export", "--format", "timelinejs", *when).stdout)
    text = next(e["text"]["text"] for e in slides["events"] if e["unique_id"] == early["event_id"])
    assert text.count("[origin: Donald Trump, interview with The New York Post]") == 2
    output = tmp_path / "tracker.sqlite"
    assert seeded("export", "--format", "sqlite", *when, "-o", str(output)).exit_code == 0
    with closing(sqlite3.connect(output)) as connection:
        origins = connection.execute(
            "SELECT report_id, origin FROM tellings"
            " WHERE development_id = 'call-2025-early-trump-putin' ORDER BY position"
        ).fetchall()
        corroboration = connection.execute(
            "SELECT corroboration FROM developments_now"
            " WHERE event_id = 'call-2025-early-trump-putin'"
        ).fetchone()
    assert origins == [
        ("r-003", "Donald Trump, interview with The New York Post"),
        ("r-004", "Donald Trump, interview with The New York Post"),
    ]
    assert corroboration == (1,)
