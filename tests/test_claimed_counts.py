"""A claimed count speaks as of its claim's day (issue 23, point 6): held calls that
certainly happened after that day add to it; calls on or before it were in it.

On the seeds, Ushakov's "ninth phone call" claim of 2025-12-28 counted the call of
that day; a call recorded on the 29th is the tenth, and the gap stays at six.
"""

# The cited sentences keep the reports' typographic quotes and apostrophes.
# ruff: noqa: RUF003

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from tests.conftest import Invoke
from tests.test_golden import SEEDS, normalised

TRUMP_PUTIN = ["putin", "trump"]
CALL_29 = "call-2025-12-29-trump-putin"
# A report of the next day's call, for the tests (not a seed).
R_X_TEXT = "Trump and Putin spoke again by phone on Monday, the Kremlin said."


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def record_call(invoke: Invoke, call_id: str, occurred: str) -> None:
    ok(invoke("report", "add", "--id", f"r-{call_id}", "--outlet", "Test",
              "--published", "2025-12-30", "--text", R_X_TEXT))  # fmt: skip
    ok(invoke("record", "call", "--id", call_id, "--report", f"r-{call_id}",
              "--participants", "trump,putin", "--occurred", occurred,
              "--quote", "spoke again by phone"))  # fmt: skip


def trump_putin(invoke: Invoke, as_of: str, known_at: str) -> dict[str, Any]:
    found = orjson.loads(ok(invoke("calls", "--as-of", as_of, "--known-at", known_at, "--json")))
    [group] = [group for group in found["calls"] if group["participants"] == TRUMP_PUTIN]
    return {
        key: group[key]
        for key in ("count", "claimed_count", "claimed_as_of", "calls_since_claim", "gap",
                    "gap_text")
    }  # fmt: skip


def test_a_call_after_the_claim_adds_to_the_claimed_count(seeded: Invoke) -> None:
    # [002_ed9e9ae3377e271a.txt] It was the ninth phone call between the two leaders since the
    #   start of Trump’s second term.
    #   (the claim of the 28th counted that day's call: nothing is added before the 29th)
    assert trump_putin(seeded, "2025-12-30", "2025-12-30") == {
        "count": 3,
        "claimed_count": 9,
        "claimed_as_of": "2025-12-28",
        "calls_since_claim": 0,
        "gap": 6,
        "gap_text": "claimed 9, recorded 3: 6 calls not in the record",
    }
    record_call(seeded, CALL_29, "2025-12-29")
    # [002_ed9e9ae3377e271a.txt] It was the ninth phone call between the two leaders since the
    #   start of Trump’s second term.
    #   (a call on the 29th is the tenth: claimed 10, and the gap stays at six)
    assert trump_putin(seeded, "2025-12-30", "2025-12-30") == {
        "count": 4,
        "claimed_count": 10,
        "claimed_as_of": "2025-12-28",
        "calls_since_claim": 1,
        "gap": 6,
        "gap_text": "claimed 10, recorded 4: 6 calls not in the record",
    }
    text = ok(seeded("calls", "--as-of", "2025-12-30", "--known-at", "2025-12-30"))
    row = text.splitlines()[2]
    assert "  10 (9 on 2025-12-28 + 1 since)  " in row
    assert row.endswith("claimed 10, recorded 4: 6 calls not in the record")
    # Known at the 30th, as of the 28th: the call of the 29th had not happened yet.
    assert trump_putin(seeded, "2025-12-28", "2025-12-30")["claimed_count"] == 9


def test_a_call_on_the_claims_day_was_in_it(seeded: Invoke) -> None:
    record_call(seeded, "call-2025-12-28-second", "2025-12-28")
    # [002_ed9e9ae3377e271a.txt] It was the ninth phone call between the two leaders since the
    #   start of Trump’s second term.
    #   (a second call dated the 28th may be among the nine: recorded 4, the claim stays 9)
    found = trump_putin(seeded, "2025-12-30", "2025-12-30")
    assert (found["count"], found["claimed_count"], found["gap"]) == (4, 9, 5)


def test_a_call_only_possibly_after_the_claim_is_not_added(seeded: Invoke) -> None:
    record_call(seeded, "call-2025-12-late", "2025-12-28/2025-12-29")
    found = trump_putin(seeded, "2025-12-30", "2025-12-30")
    assert (found["count"], found["claimed_count"], found["calls_since_claim"]) == (4, 9, 0)


def test_the_state_and_the_timeline_chart_agree(seeded: Invoke, tmp_path: Any) -> None:
    record_call(seeded, CALL_29, "2025-12-29")
    state = orjson.loads(
        ok(seeded("state", "--as-of", "2025-12-30", "--known-at", "2025-12-30", "--json"))
    )
    [group] = state["calls"]
    assert (group["claimed_count"], group["gap"]) == (10, 6)
    page = tmp_path / "t.html"
    ok(seeded("timeline", "--as-of", "2025-12-30", "--known-at", "2025-12-30", "-o", str(page)))
    assert "Putin + Trump: claimed 10 (6 not in the record)" in page.read_text(encoding="utf-8")


def test_every_cited_sentence_here_is_verbatim_in_its_report() -> None:
    """The golden tests' rule, for this module's citations."""
    text = Path(__file__).read_text(encoding="utf-8")
    cited = re.findall(
        r"# \[(\d{3}_[0-9a-f]{16}\.txt)\] ([^\n]*)\n((?:\s*#   [^(][^\n]*\n)*)", text
    )
    assert cited
    for name, first, more in cited:
        sentence = " ".join([first, *(line.strip()[4:] for line in more.splitlines())])
        report = normalised((SEEDS / name).read_text(encoding="utf-8"))
        assert normalised(sentence) in report, (name, sentence)
