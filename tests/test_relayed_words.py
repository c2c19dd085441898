"""Relayed words (issue 23, point 7): a statement may name ``via``, who relayed it, and
every view says so ("Trump (per Ushakov, RIA Novosti)"), never the bare speaker. On
both backends."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson

from tests.conftest import SMALL_STORE_RECORDS, Invoke, exported, ndjson

# 002: "A TASS report cited Ushakov as saying that Trump stressed the need to end the war
# as quickly as possible".
END_WAR = "stmt-2025-12-28-trump-end-war-quickly"
ON_THE_28TH = ("--as-of", "2025-12-28", "--known-at", "2025-12-28")


def json_of(invoke: Invoke, *args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def test_ushakovs_accounts_name_him_and_the_agency(seeded: Invoke) -> None:
    listed = json_of(seeded, "statements", *ON_THE_28TH)["statements"]
    relayed = {s["id"]: (s["speaker"], s["via"]) for s in listed if s["via"]}
    # 002: Ushakov "revealed details of the call. ... reported RIA Novosti", and "A TASS
    # report cited Ushakov as saying that Trump stressed ...".
    assert relayed == {
        "stmt-2025-12-28-putin-diplomatic-commitment": ("putin", ["ushakov", "RIA Novosti"]),
        "stmt-2025-12-28-trump-convinced-russia-wants-diplomacy": (
            "trump",
            ["ushakov", "RIA Novosti"],
        ),
        "stmt-2025-12-28-trump-economic-cooperation": ("trump", ["ushakov", "RIA Novosti"]),
        END_WAR: ("trump", ["ushakov", "TASS"]),
    }
    # Trump's own post (001: "Trump announced on his Truth Social platform") is his.
    own = next(s for s in listed if s["id"] == "stmt-2025-12-28-trump-truth-social-putin-call")
    assert (own["speaker"], own["via"]) == ("trump", [])


def test_the_list_and_history_say_who_relayed_it(seeded: Invoke) -> None:
    text = seeded("statements", *ON_THE_28TH).stdout
    row = next(line for line in text.splitlines() if END_WAR in line)
    assert row.split(END_WAR)[1].split()[:4] == ["trump", "(per", "ushakov,", "TASS)"]
    history = seeded("history", END_WAR).stdout
    assert " *speaker: trump (per ushakov, TASS)\n" in history
    assert " *via: ushakov, TASS\n" in history


def test_the_exports_and_the_timeline_say_it_by_name(seeded: Invoke, tmp_path: Any) -> None:
    rows = csv.DictReader(io.StringIO(seeded("export", "--format", "csv", *ON_THE_28TH).stdout))
    notes = next(row["notes"] for row in rows if row["event_id"] == END_WAR)
    assert notes == (
        "Donald Trump (per Yuri Ushakov, TASS):"
        " \u201cTrump stressed the need to end the war as quickly as possible\u201d"
    )
    slides = orjson.loads(seeded("export", "--format", "timelinejs", *ON_THE_28TH).stdout)
    headline = next(e["text"]["headline"] for e in slides["events"] if e["unique_id"] == END_WAR)
    assert headline.startswith("Trump (per Ushakov, TASS): \u201cTrump stressed")
    page = tmp_path / "timeline.html"
    assert seeded("timeline", *ON_THE_28TH, "-o", str(page)).exit_code == 0
    assert "Trump (per Ushakov, TASS)" in page.read_text(encoding="utf-8")


STATEMENT_REPORT = {
    "type": "report",
    "id": "r2",
    "outlet": "Wire",
    "published": "2025-12-29",
    "text": "Ushakov told RIA Novosti that Putin said: we are ready.",
}


def test_record_takes_via_in_order_and_resolves_actors(small_store: Invoke) -> None:
    assert small_store("actor", "add", "ushakov", "--name", "Yuri Ushakov").exit_code == 0
    assert small_store("import", "-", input=ndjson([STATEMENT_REPORT])).exit_code == 0
    result = small_store(
        "record", "statement", "--id", "st-1", "--report", "r2", "--speaker", "Putin",
        "--quote", "we are ready", "--occurred", "2025-12-29",
        "--via", "Yuri Ushakov", "--via", "RIA Novosti",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = small_store("statements", "--as-of", "2025-12-29", "--known-at", "2025-12-29")
    assert listed.stdout == (
        "occurred    id    speaker                           quote\n"
        "----------  ----  --------------------------------  ------------\n"
        "2025-12-29  st-1  putin (per ushakov, RIA Novosti)  we are ready\n"
    )
    statement = json_of(small_store, "statements", "--as-of", "2025-12-29")["statements"][0]
    assert statement["via"] == ["ushakov", "RIA Novosti"]
    # The export writes the ids and texts, which import back the same.
    line = next(
        orjson.loads(line) for line in exported(small_store).splitlines() if '"st-1"' in line
    )
    assert line["via"] == ["ushakov", "RIA Novosti"]


def test_via_must_be_a_list_of_names(invoke: Invoke) -> None:
    records = [*SMALL_STORE_RECORDS, STATEMENT_REPORT]
    assert invoke("import", "-", input=ndjson(records)).exit_code == 0
    before = exported(invoke)
    for via in ("Ushakov", [], [""], [3]):
        statement = {
            "type": "statement",
            "id": "st-1",
            "report": "r2",
            "speaker": "putin",
            "quote": "we are ready",
            "via": via,
        }
        result = invoke("import", "-", input=ndjson([statement]))
        assert result.exit_code == 1, via
        assert "'via'" in result.stderr
    assert exported(invoke) == before
