"""Claims about developments, one stance per claimant (issue 23, point 2): a claim may
name the development it is ``about``, and each claimant keeps their own latest stance,
which another claimant's account never overwrites. On both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import PROJECT, Invoke, exported, ndjson

ACTORS = [
    {"type": "actor", "id": "kremlin", "name": "Kremlin"},
    {"type": "actor", "id": "kyiv", "name": "Government of Ukraine", "aliases": ["Kyiv"]},
]
REPORTS = [
    {
        "type": "report",
        "id": "r-moscow",
        "outlet": "Wire",
        "published": "2025-12-29",
        "text": "The Kremlin said Ukraine attacked a residence with drones.",
    },
    {
        "type": "report",
        "id": "r-kyiv",
        "outlet": "Wire",
        "published": "2025-12-30",
        "text": "Kyiv denied any drone attack on the residence.",
    },
]
KREMLIN_CLAIMS = {
    "type": "claim",
    "id": "claim-drone-attack",
    "report": "r-moscow",
    "subject": "drone-attack",
    "value": True,
    "claimant": "Kremlin",
    "stance": "asserts",
    "quote": "Ukraine attacked a residence with drones",
}
KYIV_DENIES = {
    "type": "claim",
    "id": "claim-drone-attack",
    "report": "r-kyiv",
    "subject": "drone-attack",
    "value": True,
    "claimant": "Kyiv",
    "stance": "denies",
    "quote": "Kyiv denied any drone attack",
}


def json_of(invoke: Invoke, *args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


@pytest.mark.parametrize("split", [False, True], ids=["one import", "two imports"])
@pytest.mark.parametrize("order", ["kremlin first", "kyiv first"])
def test_a_denial_keeps_the_claimants_assertion(invoke: Invoke, order: str, split: bool) -> None:
    accounts = [KREMLIN_CLAIMS, KYIV_DENIES]
    if order == "kyiv first":
        accounts.reverse()
    # In two imports, the second account folds onto the stored versions.
    parts = (
        [[*ACTORS, *REPORTS, accounts[0]], [accounts[1]]]
        if split
        else [[*ACTORS, *REPORTS, *accounts]]
    )
    for part in parts:
        result = invoke("import", "-", input=ndjson(part))
        assert result.exit_code == 0, result.output
    [claim] = json_of(invoke, "claims", "--as-of", "2026-01-01")["claims"]
    assert claim["stances"] == [
        {
            "claimant": "kremlin",
            "stance": "asserts",
            "value": True,
            "report": "r-moscow",
            "quote": "Ukraine attacked a residence with drones",
        },
        {
            "claimant": "kyiv",
            "stance": "denies",
            "value": True,
            "report": "r-kyiv",
            "quote": "Kyiv denied any drone attack",
        },
    ]
    # The claim's own claimant is the first on record, whatever the import order.
    assert (claim["claimant"], claim["stance"], claim["value"]) == ("kremlin", "asserts", True)
    assert "disputed" not in claim
    text = invoke("claims", "--as-of", "2026-01-01").stdout
    assert "stances: claim-drone-attack: kremlin asserts True (r-moscow);" in text
    assert "kyiv denies True (r-kyiv)" in text


def test_each_claimant_keeps_their_own_latest_stance(small_store: Invoke) -> None:
    later = {
        "type": "report",
        "id": "r9",
        "outlet": "Wire",
        "published": "2026-01-05",
        "text": "Putin now says there was no call.",
    }
    records = [
        {
            "type": "claim",
            "id": "claim-call",
            "report": "r1",
            "subject": "call-held",
            "value": True,
            "claimant": "Trump",
            "about": "call-1",
        },
        {
            "type": "claim",
            "id": "claim-call",
            "report": "r1",
            "claimant": "Putin",
            "stance": "neither",
        },
        later,
        {
            "type": "claim",
            "id": "claim-call",
            "report": "r9",
            "claimant": "Putin",
            "stance": "denies",
        },
    ]
    result = small_store("import", "-", input=ndjson(records))
    assert result.exit_code == 0, result.output
    [claim] = json_of(small_store, "claims", "--as-of", "2026-02-01")["claims"]
    assert claim["about"] == "call-1"
    assert [(s["claimant"], s["stance"], s["report"]) for s in claim["stances"]] == [
        ("trump", "asserts", "r1"),
        ("putin", "denies", "r9"),
    ]
    # As known before the later report, Putin neither asserted nor denied it.
    [before] = json_of(small_store, "claims", "--as-of", "2026-01-01")["claims"]
    assert [(s["claimant"], s["stance"]) for s in before["stances"]] == [
        ("trump", "asserts"),
        ("putin", "neither"),
    ]


def test_a_claim_about_no_development_is_refused_in_one_line(small_store: Invoke) -> None:
    before = exported(small_store)
    record = {
        "type": "claim",
        "id": "claim-x",
        "report": "r1",
        "subject": "call-held",
        "value": True,
        "claimant": "Trump",
        "about": "call-nowhere",
    }
    result = small_store("import", "-", input=ndjson([record]))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "about" in result.stderr and "call-nowhere" in result.stderr
    assert exported(small_store) == before


def test_claims_json_shape(small_store: Invoke) -> None:
    record = {
        "type": "claim",
        "id": "claim-call",
        "report": "r1",
        "subject": "call-held",
        "participants": ["Trump", "Putin"],
        "value": True,
        "claimant": "Trump",
        "stance": "undisclosed",
        "about": "call-1",
        "quote": "a very good call with Putin today",
    }
    result = small_store("import", "-", input=ndjson([record]))
    assert result.exit_code == 0, result.output
    assert json_of(small_store, "claims", "--as-of", "2026-01-01")["claims"] == [
        {
            "id": "claim-call",
            "subject": "call-held",
            "participants": ["putin", "trump"],
            "value": True,
            "claimant": "trump",
            "stance": "undisclosed",
            "occurred": None,
            "reports": ["r1"],
            "last_reported": {"date": "2025-12-28", "report": "r1"},
            "about": "call-1",
            "stances": [
                {
                    "claimant": "trump",
                    "stance": "undisclosed",
                    "value": True,
                    "report": "r1",
                    "quote": "a very good call with Putin today",
                }
            ],
        }
    ]


SEEDS = PROJECT / "seeds"


def _seed_text(prefix: str) -> str:
    [path] = Path(SEEDS).glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def test_the_early_calls_claims_are_about_it(seeded: Invoke) -> None:
    """003: "Kremlin spokesperson Dmitry Peskov neither confirmed nor denied the
    conversation" and "I can neither confirm nor deny it"; Trump "has confirmed that he
    recently spoke with Russian President Vladimir Putin"."""
    text = _seed_text("003")
    for sentence in (
        "Kremlin spokesperson Dmitry Peskov neither confirmed nor denied the conversation",
        "I can neither confirm nor deny it",
        "Trump has confirmed that he recently spoke with Russian President Vladimir Putin",
    ):
        assert sentence in text
    claims = json_of(seeded, "claims")["claims"]
    about = {
        claim["id"]: [(s["claimant"], s["stance"]) for s in claim["stances"]]
        for claim in claims
        if claim.get("about") == "call-2025-early-trump-putin"
    }
    assert about == {
        "claim-2025-02-call-held-trump": [("trump", "asserts")],
        "claim-2025-02-call-held-peskov": [("peskov", "neither")],
    }


def test_one_claimants_same_day_stances_are_disputed_not_another_claimants(
    invoke: Invoke,
) -> None:
    same_day = {**REPORTS[0], "id": "r-other", "text": "The Kremlin neither confirms nor denies."}
    records = [
        *ACTORS,
        *REPORTS,
        same_day,
        KREMLIN_CLAIMS,
        {"type": "claim", "id": "claim-drone-attack", "report": "r-other", "stance": "neither"},
        {**KYIV_DENIES, "value": None},
    ]
    records[-1] = {k: v for k, v in records[-1].items() if v is not None}
    result = invoke("import", "-", input=ndjson(records))
    assert result.exit_code == 0, result.output
    [claim] = json_of(invoke, "claims", "--as-of", "2026-01-01")["claims"]
    # Two reports of one day give the Kremlin's stance differently: a dispute of the
    # claim's own stance, the value shown picked by the rule (the first serialised).
    assert claim["disputed"] == {
        "stance": [
            {"value": "asserts", "reports": ["r-moscow"]},
            {"value": "neither", "reports": ["r-other"]},
        ]
    }
    assert [(s["claimant"], s["stance"], s["value"]) for s in claim["stances"]] == [
        ("kremlin", "asserts", True),
        # Kyiv's account gave no value: the stance is on the claim's.
        ("kyiv", "denies", True),
    ]


def test_history_says_another_claimants_account_changed_the_stances(invoke: Invoke) -> None:
    records = [*ACTORS, *REPORTS, KREMLIN_CLAIMS, KYIV_DENIES]
    result = invoke("import", "-", input=ndjson(records))
    assert result.exit_code == 0, result.output
    entries = json_of(invoke, "history", "claim-drone-attack")["entries"]
    assert [entry["fields"]["claimant"] for entry in entries] == ["kremlin", "kyiv"]
    assert entries[1]["changed"] == ["stances"]
