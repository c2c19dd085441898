"""Golden tests: what the five seed reports support, asked through the CLI.

One test per knowledge date (and per question where a date raises several). Every
expectation cites, in the comment right above its assert, the sentence of the report
that supports it, as ``# [file] sentence`` (continued on ``#   `` lines); the last test
checks that each cited sentence is verbatim in its report.

Knowledge dates: 2025-02-09 (003), 2025-02-22 and 2025-02-23 (004 is published some day
in 2025-02-09/2025-02-23, so it counts only from the upper end), 2025-12-27 (000) and
2025-12-28 (001, 002).
"""

# The cited sentences keep the reports' typographic quotes and apostrophes.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from tests.conftest import PROJECT, Invoke

SEEDS = PROJECT / "seeds"

TRUMP_PUTIN = ["putin", "trump"]
EARLY_CALL = "call-2025-early-trump-putin"
OCTOBER_CALL = "call-2025-10-trump-putin"
DEC_28_CALL = "call-2025-12-28-trump-putin"
MAR_A_LAGO = "meeting-2025-12-28-mar-a-lago"

CALL_KEYS = (
    "participants",
    "count",
    "calls",
    "last",
    "last_occurred",
    "claimed_count",
    "claimed_by",
    "possible",
)
UPCOMING_KEYS = ("id", "kind", "participants", "status", "planned", "place")
PLAN_KEYS = ("label", "points", "readiness_pct", "status", "revisions", "reports")
CLAIM_KEYS = ("subject", "participants", "value", "claimant", "stance", "reports")

KYIV_WEAPONS = [
    {"name": "Kinzhal hypersonic missile", "count": None},
    {"name": "Iskander ballistic missile", "count": 4},
    {"name": "Kalibr cruise missile", "count": None},
    {"name": "drone", "count": None},
]


# -- helpers ---------------------------------------------------------------------------


def cli_json(invoke: Invoke, *args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def state(invoke: Invoke, as_of: str, known_at: str) -> dict[str, Any]:
    found: dict[str, Any] = cli_json(invoke, "state", "--as-of", as_of, "--known-at", known_at)
    return found


def call_groups(found: dict[str, Any]) -> list[dict[str, Any]]:
    return [{key: group[key] for key in CALL_KEYS} for group in found["calls"]]


def trump_putin(found: dict[str, Any]) -> dict[str, Any]:
    """The Trump-Putin call group (count, ids, claim, possible)."""
    groups = [group for group in call_groups(found) if group["participants"] == TRUMP_PUTIN]
    assert len(groups) == 1, found["calls"]
    return groups[0]


def upcoming(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The next meetings and planned calls, by id (order is tested apart)."""
    rows = [{key: row[key] for key in UPCOMING_KEYS} for row in found["next_meetings"]]
    return sorted(rows, key=lambda row: str(row["id"]))


def plans(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {plan["id"]: {key: plan[key] for key in PLAN_KEYS} for plan in found["plans"]}


def issue_parties(found: dict[str, Any]) -> dict[str, list[str]]:
    """Each open issue with the parties whose positions it records."""
    return {issue["id"]: sorted(issue["positions"]) for issue in found["open_issues"]}


def claims(invoke: Invoke, as_of: str, known_at: str) -> dict[str, dict[str, Any]]:
    found = cli_json(invoke, "claims", "--as-of", as_of, "--known-at", known_at)
    return {claim["id"]: {key: claim[key] for key in CLAIM_KEYS} for claim in found["claims"]}


def statements(invoke: Invoke, as_of: str, known_at: str) -> dict[str, dict[str, Any]]:
    found = cli_json(invoke, "statements", "--as-of", as_of, "--known-at", known_at)
    return {row["id"]: row for row in found["statements"]}


def accounts(invoke: Invoke, development_id: str) -> list[dict[str, Any]]:
    history = cli_json(invoke, "history", development_id)
    entries: list[dict[str, Any]] = history["entries"]
    return entries


def upcoming_call(
    development_id: str, participants: list[str], planned: str | None
) -> dict[str, Any]:
    return {
        "id": development_id,
        "kind": "call",
        "participants": participants,
        "status": "planned",
        "planned": planned,
        "place": None,
    }


# -- before any report ------------------------------------------------------------------


def test_before_the_first_report_nothing_is_known(seeded: Invoke) -> None:
    found = state(seeded, "2025-02-08", "2025-02-08")
    # [003_ab770ee007b62c3e.txt] date 2025-02-09
    #   (the earliest report: on 2025-02-08 no report is known)
    assert (
        found["calls"],
        found["next_meetings"],
        found["plans"],
        found["open_issues"],
        found["strike_count"],
        found["possible"]["reports"],
    ) == ([], [], [], [], 0, [])


# -- known at 2025-02-09: report 003 -----------------------------------------------------


def test_known_at_003_one_trump_putin_call_and_no_count(seeded: Invoke) -> None:
    found = state(seeded, "2025-02-09", "2025-02-09")
    # [003_ab770ee007b62c3e.txt] Washington D.C: United States President Donald Trump has
    #   confirmed that he recently spoke with Russian President Vladimir Putin regarding
    #   efforts to end the ongoing war in Ukraine.
    # [003_ab770ee007b62c3e.txt] This marks the first known direct conversation between the
    #   two leaders since early 2022.
    # [003_ab770ee007b62c3e.txt] However, Trump refrained from revealing specific details
    #   about his discussions with Putin, responding cryptically when asked how many times
    #   he had communicated with the Russian leader, saying, “better not say.”
    assert call_groups(found) == [
        {
            "participants": TRUMP_PUTIN,
            "count": 1,
            "calls": [EARLY_CALL],
            "last": EARLY_CALL,
            "last_occurred": "2025-01/2025-02-09",
            "claimed_count": None,
            "claimed_by": None,
            "possible": [],
        }
    ]
    # [004_39c7d08025569692.txt] As the war approaches its third anniversary since Russia’s
    #   full-scale invasion, Trump has indicated a sense of urgency, emphasizing the need to
    #   stop the loss of lives.
    #   (004 is undated and may be published any day up to 2025-02-23: only possible here)
    assert found["possible"]["reports"] == ["r-004"]


def test_early_2025_the_call_only_possibly_happened(seeded: Invoke) -> None:
    for known_at in ("2025-02-09", "2025-12-28"):
        found = state(seeded, "2025-01-15", known_at)
        # [003_ab770ee007b62c3e.txt] Washington D.C: United States President Donald Trump has
        #   confirmed that he recently spoke with Russian President Vladimir Putin regarding
        #   efforts to end the ongoing war in Ukraine.
        #   ("recently" before 2025-02-09: by mid-January it may or may not have happened)
        assert (trump_putin(found)["count"], trump_putin(found)["possible"]) == (0, [EARLY_CALL])


def test_known_at_003_next_meetings(seeded: Invoke) -> None:
    found = state(seeded, "2025-02-09", "2025-02-09")
    # [003_ab770ee007b62c3e.txt] Trump has previously suggested that he would be open to
    #   meeting Putin in person to negotiate a peace agreement, though no specific date or
    #   location for such talks has been confirmed.
    # [003_ab770ee007b62c3e.txt] In addition to his talks with Putin, Trump also revealed
    #   plans to meet Ukrainian President Volodymyr Zelenskyy next week.
    assert upcoming(found) == [
        {
            "id": "meeting-2025-02-trump-zelenskyy",
            "kind": "meeting",
            "participants": ["trump", "zelenskyy"],
            "status": "proposed",
            "planned": "2025-02-10/2025-02-16",
            "place": None,
        },
        {
            "id": "meeting-2025-trump-putin-in-person",
            "kind": "meeting",
            "participants": TRUMP_PUTIN,
            "status": "proposed",
            "planned": None,
            "place": None,
        },
    ]


def test_known_at_003_plan_issues_and_no_strikes(seeded: Invoke) -> None:
    found = state(seeded, "2025-02-09", "2025-02-09")
    # [003_ab770ee007b62c3e.txt] Trump has said that he possesses a concrete plan to end the
    #   war but has not revealed specifics.
    assert plans(found) == {
        "plan-trump-2025-02": {
            "label": "Trump's plan to end the war (specifics not revealed)",
            "points": None,
            "readiness_pct": None,
            "status": None,
            "revisions": 1,
            "reports": ["r-003"],
        }
    }
    # [003_ab770ee007b62c3e.txt] These include Ukraine’s renouncement of its NATO ambitions
    #   and the withdrawal of Ukrainian forces from four regions currently claimed by Russia.
    # [003_ab770ee007b62c3e.txt] According to reports, Zelenskyy is seeking rare earth
    #   minerals from the U.S. in exchange for financial support as part of ongoing efforts
    #   to aid Ukraine in the conflict.
    assert issue_parties(found) == {
        "issue-four-regions": ["putin"],
        "issue-nato": ["putin"],
        "issue-rare-earth-minerals": ["zelenskyy"],
    }
    # [003_ab770ee007b62c3e.txt] Trump emphasized that the conflict has been a devastating
    #   bloodbath, noting that his team had held “some very good talks” about resolving the
    #   war.
    #   (003 reports no strike)
    assert (found["strike_count"], found["strikes"]) == (0, [])


def test_known_at_003_claims(seeded: Invoke) -> None:
    found = claims(seeded, "2025-02-09", "2025-02-09")
    # [003_ab770ee007b62c3e.txt] The White House has yet to comment on Trump’s claims, while
    #   Kremlin spokesperson Dmitry Peskov neither confirmed nor denied the conversation.
    assert found["claim-2025-02-call-held-peskov"] == {
        "subject": "call-held",
        "participants": TRUMP_PUTIN,
        "value": True,
        "claimant": "peskov",
        "stance": "neither",
        "reports": ["r-003"],
    }
    # [003_ab770ee007b62c3e.txt] Washington D.C: United States President Donald Trump has
    #   confirmed that he recently spoke with Russian President Vladimir Putin regarding
    #   efforts to end the ongoing war in Ukraine.
    assert (
        found["claim-2025-02-call-held-trump"]["claimant"],
        found["claim-2025-02-call-held-trump"]["stance"],
    ) == ("trump", "asserts")
    # [003_ab770ee007b62c3e.txt] However, Trump refrained from revealing specific details
    #   about his discussions with Putin, responding cryptically when asked how many times
    #   he had communicated with the Russian leader, saying, “better not say.”
    assert found["claim-2025-02-call-count-trump"] == {
        "subject": "call-count",
        "participants": TRUMP_PUTIN,
        "value": "undisclosed",
        "claimant": "trump",
        "stance": "neither",
        "reports": ["r-003"],
    }
    # [003_ab770ee007b62c3e.txt] Russian lawmakers have indicated that peace talks could take
    #   place as soon as February or March, but caution remains regarding any speculation
    #   about the meeting.
    assert found["claim-2025-02-peace-talks-timing-russian-lawmakers"]["value"] == (
        "2025-02/2025-03"
    )
    assert sorted(found) == [
        "claim-2025-02-call-count-trump",
        "claim-2025-02-call-held-peskov",
        "claim-2025-02-call-held-trump",
        "claim-2025-02-peace-talks-timing-russian-lawmakers",
    ]


def test_known_at_003_the_early_calls_claims_are_about_it(seeded: Invoke) -> None:
    found = {
        claim["id"]: claim
        for claim in cli_json(
            seeded, "claims", "--as-of", "2025-02-09", "--known-at", "2025-02-09"
        )["claims"]
    }
    # [003_ab770ee007b62c3e.txt] Therefore, in this case, I can neither confirm nor deny it.”
    #   (Peskov's stance on the early-2025 call: neither)
    peskov = found["claim-2025-02-call-held-peskov"]
    assert peskov["about"] == "call-2025-early-trump-putin"
    assert [(s["claimant"], s["stance"], s["report"]) for s in peskov["stances"]] == [
        ("peskov", "neither", "r-003")
    ]
    # [003_ab770ee007b62c3e.txt] Washington D.C: United States President Donald Trump has
    #   confirmed that he recently spoke with Russian President Vladimir Putin
    trump = found["claim-2025-02-call-held-trump"]
    assert trump["about"] == "call-2025-early-trump-putin"
    assert [(s["claimant"], s["stance"], s["report"]) for s in trump["stances"]] == [
        ("trump", "asserts", "r-003")
    ]


# -- known at 2025-02-22 and 2025-02-23: report 004 ----------------------------------------


def test_just_before_004_it_does_not_count(seeded: Invoke) -> None:
    found = state(seeded, "2025-02-22", "2025-02-22")
    # [004_39c7d08025569692.txt] As the war approaches its third anniversary since Russia’s
    #   full-scale invasion, Trump has indicated a sense of urgency, emphasizing the need to
    #   stop the loss of lives.
    #   (no date header; published by 2025-02-23 at the latest, so on the 22nd only possibly)
    assert found["possible"]["reports"] == ["r-004"]
    # [003_ab770ee007b62c3e.txt] Trump has said that he possesses a concrete plan to end the
    #   war but has not revealed specifics.
    assert plans(found)["plan-trump-2025-02"]["reports"] == ["r-003"]
    assert plans(found)["plan-trump-2025-02"]["revisions"] == 1
    # [003_ab770ee007b62c3e.txt] In addition to his talks with Putin, Trump also revealed
    #   plans to meet Ukrainian President Volodymyr Zelenskyy next week.
    in_window = state(seeded, "2025-02-16", "2025-02-22")["next_meetings"]
    # Dated meetings come first; the undated in-person meeting last.
    assert [(row["id"], row["reports"]) for row in in_window] == [
        ("meeting-2025-02-trump-zelenskyy", ["r-003"]),
        ("meeting-2025-trump-putin-in-person", ["r-003"]),
    ]
    # [004_39c7d08025569692.txt] Communication Channels and Readiness: The Kremlin has
    #   expressed readiness for telephone conversations with Trump, highlighting Moscow’s
    #   openness to dialogue.
    #   (told by 004 only: not known yet)
    known = statements(seeded, "2025-02-22", "2025-02-22")
    assert "stmt-2025-02-kremlin-ready-for-phone-talks" not in known
    # [003_ab770ee007b62c3e.txt] However, Trump refrained from revealing specific details
    #   about his discussions with Putin, responding cryptically when asked how many times
    #   he had communicated with the Russian leader, saying, “better not say.”
    assert claims(seeded, "2025-02-22", "2025-02-22")["claim-2025-02-call-count-trump"][
        "reports"
    ] == ["r-003"]


def test_known_at_004_retellings_add_accounts_not_calls(seeded: Invoke) -> None:
    found = state(seeded, "2025-02-23", "2025-02-23")
    # [004_39c7d08025569692.txt] As the war approaches its third anniversary since Russia’s
    #   full-scale invasion, Trump has indicated a sense of urgency, emphasizing the need to
    #   stop the loss of lives.
    assert found["possible"]["reports"] == []
    # [004_39c7d08025569692.txt] In a recent series of discussions, President Donald Trump has
    #   been actively engaging with Russian President Vladimir Putin regarding efforts to end
    #   the ongoing conflict in Ukraine.
    #   (a retelling of 003's call: still one call, no number claimed)
    assert trump_putin(found) == {
        "participants": TRUMP_PUTIN,
        "count": 1,
        "calls": [EARLY_CALL],
        "last": EARLY_CALL,
        "last_occurred": "2025-01/2025-02-09",
        "claimed_count": None,
        "claimed_by": None,
        "possible": [],
    }
    # [004_39c7d08025569692.txt] Strategic Plans: While Trump expressed having a concrete plan
    #   to halt the war, details remain undisclosed.
    assert plans(found) == {
        "plan-trump-2025-02": {
            "label": "Trump's plan to end the war (specifics not revealed)",
            "points": None,
            "readiness_pct": None,
            "status": None,
            # 004 only repeats 003: a second account, not a revision.
            "revisions": 1,
            "reports": ["r-003", "r-004"],
        }
    }
    # [004_39c7d08025569692.txt] Future Engagements: Trump is expected to meet with Ukraine’s
    #   President Volodymyr Zelenskyy soon, aiming to further discussions towards ending the
    #   war.
    in_window = state(seeded, "2025-02-16", "2025-02-23")["next_meetings"]
    assert [(row["id"], row["planned"], row["reports"]) for row in in_window] == [
        ("meeting-2025-02-trump-zelenskyy", "2025-02-10/2025-02-16", ["r-003", "r-004"]),
        ("meeting-2025-trump-putin-in-person", None, ["r-003"]),
    ]
    # [003_ab770ee007b62c3e.txt] In addition to his talks with Putin, Trump also revealed
    #   plans to meet Ukrainian President Volodymyr Zelenskyy next week.
    #   ("next week" from Sunday 2025-02-09 ended on the 16th; the in-person Trump-Putin
    #   meeting, undated, is still within 30 days of 003)
    assert [row["id"] for row in found["next_meetings"]] == ["meeting-2025-trump-putin-in-person"]


def test_known_at_004_claims_and_statements(seeded: Invoke) -> None:
    found = claims(seeded, "2025-02-23", "2025-02-23")
    # [004_39c7d08025569692.txt] Kremlin’s Response: The Kremlin, represented by spokesperson
    #   Dmitry Peskov, did not confirm or deny the talks, indicating that there are numerous
    #   ongoing communications between the U.S. and Russia via various channels.
    assert found["claim-2025-02-call-held-peskov"] == {
        "subject": "call-held",
        "participants": TRUMP_PUTIN,
        "value": True,
        "claimant": "peskov",
        "stance": "neither",
        "reports": ["r-003", "r-004"],
    }
    # [004_39c7d08025569692.txt] Frequency of Conversations: While Trump chose not to disclose
    #   the exact number of his conversations with Putin, he stressed the critical nature of
    #   these talks.
    assert found["claim-2025-02-call-count-trump"] == {
        "subject": "call-count",
        "participants": TRUMP_PUTIN,
        "value": "undisclosed",
        "claimant": "trump",
        "stance": "neither",
        "reports": ["r-003", "r-004"],
    }
    said = statements(seeded, "2025-02-23", "2025-02-23")
    # [004_39c7d08025569692.txt] Communication Channels and Readiness: The Kremlin has
    #   expressed readiness for telephone conversations with Trump, highlighting Moscow’s
    #   openness to dialogue.
    # [004_39c7d08025569692.txt] This follows previous remarks by Peskov affirming Putin’s
    #   willingness to engage in discussions with the U.S. administration to address the
    #   situation.
    assert (
        said["stmt-2025-02-kremlin-ready-for-phone-talks"]["speaker"],
        said["stmt-2025-02-kremlin-ready-for-phone-talks"]["reports"],
        said["stmt-peskov-putin-willing-to-engage-us"]["speaker"],
        said["stmt-peskov-putin-willing-to-engage-us"]["reports"],
    ) == ("kremlin", ["r-004"], "peskov", ["r-004"])


def test_known_at_004_paraphrases_do_not_replace_the_verbatim_quotes(seeded: Invoke) -> None:
    said = statements(seeded, "2025-02-23", "2025-02-23")
    quotes = {
        statement_id: said[statement_id]["quote"]
        for statement_id in (
            "stmt-2025-02-peskov-different-channels",
            "stmt-2025-02-trump-end-this-damn-thing",
            "stmt-2025-02-trump-good-relationship-putin",
            "stmt-2025-02-trump-putin-wants-people-stop-dying",
        )
    }
    # [003_ab770ee007b62c3e.txt] These communications are conducted through different
    #   channels.
    # [003_ab770ee007b62c3e.txt] I personally may not know something, be unaware of
    #   something.
    # [003_ab770ee007b62c3e.txt] Therefore, in this case, I can neither confirm nor deny it.”
    # [003_ab770ee007b62c3e.txt] Trump expressed urgency in bringing the war to an end,
    #   stating, “Every day people are dying. This war is so bad in Ukraine. I want to end
    #   this damn thing,” and added that he hoped peace would come quickly.
    # [003_ab770ee007b62c3e.txt] He mentioned his positive relationship with Putin, noting,
    #   “I’ve always had a good relationship with Putin.”
    # [003_ab770ee007b62c3e.txt] In an exclusive interview with The New York Post, Trump
    #   revealed that Putin expressed a desire to stop the bloodshed, saying, “He (Putin)
    #   wants to see people stop dying.”
    #   (004 retells these as paraphrase — "indicating that there are numerous ongoing
    #   communications", "He described having a “good relationship”" — which must not
    #   replace the speakers' own words)
    assert quotes == {
        "stmt-2025-02-peskov-different-channels": (
            "These communications are conducted through different channels. I personally may"
            " not know something, be unaware of something. Therefore, in this case, I can"
            " neither confirm nor deny it."
        ),
        "stmt-2025-02-trump-end-this-damn-thing": (
            "Every day people are dying. This war is so bad in Ukraine. I want to end this"
            " damn thing"
        ),
        "stmt-2025-02-trump-good-relationship-putin": (
            "I’ve always had a good relationship with Putin."
        ),
        "stmt-2025-02-trump-putin-wants-people-stop-dying": (
            "He (Putin) wants to see people stop dying."
        ),
    }


# -- known at 2025-12-27: report 000 -----------------------------------------------------


def test_known_at_000_the_october_call_is_dated_only_to_the_month(seeded: Invoke) -> None:
    # [000_f5ac395222edac7b.txt] The last time Trump and Putin spoke was in October by phone,
    #   which the White House said was "very good and productive" and lasted "over two
    #   hours.”
    #   (any day of October: on the 16th only possible, by the 31st certain)
    for as_of, count, possible in (
        ("2025-10-15", 1, [OCTOBER_CALL]),
        ("2025-10-16", 1, [OCTOBER_CALL]),
        ("2025-10-31", 2, []),
    ):
        group = trump_putin(state(seeded, as_of, "2025-12-27"))
        assert (as_of, group["count"], group["possible"]) == (as_of, count, possible)


def test_known_at_000_calls_and_next_meetings(seeded: Invoke) -> None:
    found = state(seeded, "2025-12-27", "2025-12-27")
    # [003_ab770ee007b62c3e.txt] This marks the first known direct conversation between the
    #   two leaders since early 2022.
    # [000_f5ac395222edac7b.txt] The last time Trump and Putin spoke was in October by phone,
    #   which the White House said was "very good and productive" and lasted "over two
    #   hours.”
    assert call_groups(found) == [
        {
            "participants": TRUMP_PUTIN,
            "count": 2,
            "calls": [EARLY_CALL, OCTOBER_CALL],
            "last": OCTOBER_CALL,
            "last_occurred": "2025-10",
            "claimed_count": None,
            "claimed_by": None,
            "possible": [],
        }
    ]
    # [000_f5ac395222edac7b.txt] "I think it's going to go good with him. I think it's going
    #   to go good with [Vladimir] Putin," Trump said to Politico, adding that he expects to
    #   speak with Putin "soon, as much as I want."
    # [000_f5ac395222edac7b.txt] The remarks come after Zelenskyy confirmed his meeting with
    #   the US President, acting as a mediator in the peace talks to end the war, in Florida
    #   on Sunday.
    assert upcoming(found) == [
        upcoming_call(DEC_28_CALL, TRUMP_PUTIN, None),
        {
            "id": MAR_A_LAGO,
            "kind": "meeting",
            "participants": ["trump", "zelenskyy"],
            "status": "scheduled",
            "planned": "2025-12-28",
            "place": "Florida",
        },
    ]


def test_known_at_000_plan_and_issues(seeded: Invoke) -> None:
    found = state(seeded, "2025-12-27", "2025-12-27")
    # [000_f5ac395222edac7b.txt] Zelenskyy also said the 20-point peace plan proposed by US and
    #   Ukrainian officials is 90 per cent ready and that talks with Trump would focus on
    #   long-term security guarantees for Ukraine and the role of its allies in ensuring
    #   stability after the war, as reported by CNN.
    assert plans(found)["plan-20-point"] == {
        "label": "20-point peace plan",
        "points": 20,
        "readiness_pct": 90,
        "status": "proposed",
        "revisions": 1,
        "reports": ["r-000"],
    }
    # [003_ab770ee007b62c3e.txt] Trump has said that he possesses a concrete plan to end the
    #   war but has not revealed specifics.
    assert sorted(plans(found)) == ["plan-20-point", "plan-trump-2025-02"]
    # [000_f5ac395222edac7b.txt] Zelenskyy also said the 20-point peace plan proposed by US and
    #   Ukrainian officials is 90 per cent ready and that talks with Trump would focus on
    #   long-term security guarantees for Ukraine and the role of its allies in ensuring
    #   stability after the war, as reported by CNN.
    # [003_ab770ee007b62c3e.txt] These include Ukraine’s renouncement of its NATO ambitions
    #   and the withdrawal of Ukrainian forces from four regions currently claimed by Russia.
    assert issue_parties(found) == {
        "issue-four-regions": ["putin"],
        "issue-nato": ["putin"],
        "issue-rare-earth-minerals": ["zelenskyy"],
        "issue-security-guarantees": ["zelenskyy"],
    }


def test_known_at_000_the_strike_on_kyiv(seeded: Invoke) -> None:
    # [000_f5ac395222edac7b.txt] Meanwhile, the capital of Kyiv came under a large-scale
    #   missile and drone attack overnight on December 27, with multiple explosions reported
    #   across the Ukrainian capital and surrounding regions, one day ahead of the meeting
    #   between Trump and Zelenskyy.
    assert state(seeded, "2025-12-26", "2025-12-27")["strike_count"] == 0
    found = state(seeded, "2025-12-27", "2025-12-27")
    # [000_f5ac395222edac7b.txt] According to the Kyiv Independent, citing monitoring
    #   sources, the capital was hit by a large-scale ballistic missile assault as Russia
    #   fired multiple Kinzhal hypersonic missiles, four Iskander ballistic missiles, and
    #   several Kalibr cruise missiles at the city.
    # [000_f5ac395222edac7b.txt] Kyiv Mayor Vitali Klitschko confirmed the attack in a post
    #   on Telegram, urging residents to remain in shelters.
    assert (found["strike_count"], found["strikes"]) == (
        1,
        [
            {
                "id": "strike-2025-12-27-kyiv",
                "occurred": "2025-12-27",
                "target": "Kyiv",
                "by": "russia",
                "weapons": KYIV_WEAPONS,
                "effects": (
                    "Large-scale ballistic missile and drone attack overnight; multiple"
                    " explosions reported across the capital and surrounding regions;"
                    " residents urged to stay in shelters."
                ),
                "reports": ["r-000"],
                "last_reported": {"date": "2025-12-27", "report": "r-000"},
            }
        ],
    )


# -- known at 2025-12-28: reports 001 and 002 --------------------------------------------


def test_known_at_002_the_october_call_is_dated_to_the_16th(seeded: Invoke) -> None:
    # [002_ed9e9ae3377e271a.txt] Their previous and longest conversation took place on
    #   October 16.
    before = trump_putin(state(seeded, "2025-10-15", "2025-12-28"))
    assert (before["count"], before["calls"], before["possible"]) == (1, [EARLY_CALL], [])
    on_the_day = trump_putin(state(seeded, "2025-10-16", "2025-12-28"))
    # [002_ed9e9ae3377e271a.txt] Their previous and longest conversation took place on
    #   October 16.
    assert (
        on_the_day["count"],
        on_the_day["calls"],
        on_the_day["last_occurred"],
        on_the_day["possible"],
    ) == (2, [EARLY_CALL, OCTOBER_CALL], "2025-10-16", [])


def test_known_at_001_002_the_call_of_the_28th_and_the_ninth_call_claim(
    seeded: Invoke,
) -> None:
    # [001_19ea9254312cad2c.txt] date 2025-12-28 Donald Trump said Sunday he held
    #   “productive” talks with Russian President Vladimir Putin just hours before meeting
    #   Ukraine’s Volodymyr Zelenskyy, framing the discussions as part of a year-end push to
    #   secure a deal to end the war.
    #   (on the 27th it had not happened yet, and Ushakov's count was not yet made)
    assert trump_putin(state(seeded, "2025-12-27", "2025-12-28")) == {
        "participants": TRUMP_PUTIN,
        "count": 2,
        "calls": [EARLY_CALL, OCTOBER_CALL],
        "last": OCTOBER_CALL,
        "last_occurred": "2025-10-16",
        "claimed_count": None,
        "claimed_by": None,
        "possible": [],
    }
    found = state(seeded, "2025-12-28", "2025-12-28")
    # [002_ed9e9ae3377e271a.txt] date 2025-12-28 US President Donald Trump said on Sunday that
    #   he spoke by phone with President Vladimir V. Putin of Russia, ahead of his meeting
    #   with President Volodymyr Zelensky of Ukraine at Mar-a-Lago, where they will discuss
    #   a revised 20-point peace plan aimed at ending the war with Russia.
    # [002_ed9e9ae3377e271a.txt] It was the ninth phone call between the two leaders since the
    #   start of Trump’s second term.
    #   (recorded: the early-2025, 16 October and 28 December calls; claimed: nine)
    assert call_groups(found) == [
        {
            "participants": TRUMP_PUTIN,
            "count": 3,
            "calls": [EARLY_CALL, OCTOBER_CALL, DEC_28_CALL],
            "last": DEC_28_CALL,
            "last_occurred": "2025-12-28",
            "claimed_count": 9,
            "claimed_by": "claim-2025-12-28-call-count-ushakov",
            "possible": [],
        }
    ]
    # [002_ed9e9ae3377e271a.txt] It was the ninth phone call between the two leaders since the
    #   start of Trump’s second term.
    assert claims(seeded, "2025-12-28", "2025-12-28")["claim-2025-12-28-call-count-ushakov"] == {
        "subject": "call-count",
        "participants": TRUMP_PUTIN,
        "value": 9,
        "claimant": "ushakov",
        "stance": "asserts",
        "reports": ["r-002"],
    }
    # [002_ed9e9ae3377e271a.txt] It was the ninth phone call between the two leaders since the
    #   start of Trump’s second term.
    #   (claims are taken as known at the earlier of as-of and known-at: not on the 27th)
    assert "claim-2025-12-28-call-count-ushakov" not in claims(seeded, "2025-12-27", "2025-12-28")


def test_known_at_001_002_the_call_went_from_planned_to_held(seeded: Invoke) -> None:
    # [000_f5ac395222edac7b.txt] "I think it's going to go good with him. I think it's going
    #   to go good with [Vladimir] Putin," Trump said to Politico, adding that he expects to
    #   speak with Putin "soon, as much as I want."
    # [001_19ea9254312cad2c.txt] "I just had a very good and productive telephone call with
    #   President Putin of Russia," Trump announced on his Truth Social platform.
    # [002_ed9e9ae3377e271a.txt] The conversation lasted one hour and 15 minutes and was
    #   friendly, benevolent, and businesslike in nature.
    assert [
        (entry["report_id"], entry["fields"].get("status"))
        for entry in accounts(seeded, DEC_28_CALL)
    ] == [("r-000", "planned"), ("r-001", "held"), ("r-002", "held")]


def test_known_at_001_002_next_meetings(seeded: Invoke) -> None:
    found = state(seeded, "2025-12-28", "2025-12-28")
    mar_a_lago = {
        "id": MAR_A_LAGO,
        "kind": "meeting",
        "participants": ["trump", "zelenskyy"],
        "status": "scheduled",
        "planned": "2025-12-28T13:00:00-05:00",
        "place": "Mar-a-Lago",
    }
    # [002_ed9e9ae3377e271a.txt] The Kremlin said that Putin and Trump will speak again by
    #   phone after the US leader’s meeting with Zelenksy.
    # [001_19ea9254312cad2c.txt] The talks are expected to last an hour, after which the two
    #   presidents are scheduled to hold a joint call with the leaders of key European
    #   allies.
    # [001_19ea9254312cad2c.txt] Polish Prime Minister Donald Tusk, who will join the call,
    #   wrote on X that the Russian attacks on Kyiv were "contrary to President Trump's
    #   expectations and despite the readiness to make compromises" by Zelenskyy.
    # [001_19ea9254312cad2c.txt] Trump is set to meet Zelenskyy at 1 p.m. (6 p.m. GMT) in the
    #   dining room of his Mar-a-Lago estate, where he frequently brings both foreign guests
    #   and domestic supporters.
    # [002_ed9e9ae3377e271a.txt] date 2025-12-28 US President Donald Trump said on Sunday that
    #   he spoke by phone with President Vladimir V. Putin of Russia, ahead of his meeting
    #   with President Volodymyr Zelensky of Ukraine at Mar-a-Lago, where they will discuss
    #   a revised 20-point peace plan aimed at ending the war with Russia.
    assert upcoming(found) == [
        upcoming_call("call-2025-12-28-trump-putin-followup", TRUMP_PUTIN, None),
        upcoming_call(
            "call-2025-12-28-trump-zelenskyy-european-leaders",
            ["europe", "trump", "tusk", "zelenskyy"],
            "2025-12-28",
        ),
        mar_a_lago,
    ]
    # [002_ed9e9ae3377e271a.txt] The leaders agreed to talk after Trump’s meeting with
    #   Zelensky.
    #   (the day after, only the undated follow-up call is still ahead)
    assert upcoming(state(seeded, "2025-12-29", "2025-12-28")) == [
        upcoming_call("call-2025-12-28-trump-putin-followup", TRUMP_PUTIN, None)
    ]


def test_known_at_001_002_the_meeting_comes_first_among_the_next(seeded: Invoke) -> None:
    found = state(seeded, "2025-12-28", "2025-12-28")
    # [001_19ea9254312cad2c.txt] The talks are expected to last an hour, after which the two
    #   presidents are scheduled to hold a joint call with the leaders of key European
    #   allies.
    # [002_ed9e9ae3377e271a.txt] The Kremlin said that Putin and Trump will speak again by
    #   phone after the US leader’s meeting with Zelenksy.
    #   (both calls come after the 1 p.m. meeting: soonest first, the meeting leads)
    assert found["next_meetings"][0]["id"] == MAR_A_LAGO


def test_as_of_the_27th_known_on_the_28th_the_call_was_still_ahead(seeded: Invoke) -> None:
    found = state(seeded, "2025-12-27", "2025-12-28")
    # [000_f5ac395222edac7b.txt] "I think it's going to go good with him. I think it's going
    #   to go good with [Vladimir] Putin," Trump said to Politico, adding that he expects to
    #   speak with Putin "soon, as much as I want."
    # [001_19ea9254312cad2c.txt] date 2025-12-28 Donald Trump said Sunday he held
    #   “productive” talks with Russian President Vladimir Putin just hours before meeting
    #   Ukraine’s Volodymyr Zelenskyy, framing the discussions as part of a year-end push to
    #   secure a deal to end the war.
    #   (reported by the 27th as expected, held on the 28th: on the 27th it was still next)
    assert sorted(row["id"] for row in found["next_meetings"]) == [DEC_28_CALL, MAR_A_LAGO]


def test_known_at_001_002_plans(seeded: Invoke) -> None:
    found = state(seeded, "2025-12-28", "2025-12-28")
    # [002_ed9e9ae3377e271a.txt] date 2025-12-28 US President Donald Trump said on Sunday that
    #   he spoke by phone with President Vladimir V. Putin of Russia, ahead of his meeting
    #   with President Volodymyr Zelensky of Ukraine at Mar-a-Lago, where they will discuss
    #   a revised 20-point peace plan aimed at ending the war with Russia.
    # [000_f5ac395222edac7b.txt] Zelenskyy also said the 20-point peace plan proposed by US and
    #   Ukrainian officials is 90 per cent ready and that talks with Trump would focus on
    #   long-term security guarantees for Ukraine and the role of its allies in ensuring
    #   stability after the war, as reported by CNN.
    # [001_19ea9254312cad2c.txt] Russia has accused Ukraine and its European backers of trying
    #   to "torpedo" a previous U.S.-brokered plan to stop the fighting, and recent
    #   battlefield gains – Russia announced Saturday it had captured two more towns in
    #   eastern Ukraine – are seen as strengthening Moscow's hand when it comes to peace
    #   talks.
    # [003_ab770ee007b62c3e.txt] Trump has said that he possesses a concrete plan to end the
    #   war but has not revealed specifics.
    assert plans(found) == {
        "plan-20-point": {
            "label": "revised 20-point peace plan",
            "points": 20,
            "readiness_pct": 90,
            "status": "proposed",
            # Two versions of its content (issue 23, point 9): 000's "20-point peace
            # plan", then 28 December's, when 001 and 002 told it on the same day.
            "revisions": 2,
            "reports": ["r-000", "r-001", "r-002"],
        },
        "plan-us-brokered-previous": {
            "label": "previous U.S.-brokered plan to stop the fighting",
            "points": None,
            "readiness_pct": None,
            "status": "superseded",
            "revisions": 1,
            "reports": ["r-001"],
        },
        "plan-trump-2025-02": {
            "label": "Trump's plan to end the war (specifics not revealed)",
            "points": None,
            "readiness_pct": None,
            "status": None,
            # 004 only repeats 003: a second account, not a revision.
            "revisions": 1,
            "reports": ["r-003", "r-004"],
        },
    }
    provisions = next(plan for plan in found["plans"] if plan["id"] == "plan-20-point")
    # [001_19ea9254312cad2c.txt] The revised peace plan, which emerged from weeks of intense
    #   U.S.-Ukraine negotiations, would stop the war along its current front lines and
    #   could require Ukraine to pull troops back from the east, allowing the creation of
    #   demilitarized buffer zones.
    # [001_19ea9254312cad2c.txt] It does not, however, envisage Ukraine withdrawing from the
    #   20% of the eastern Donetsk region that it still controls – Russia's main territorial
    #   demand.
    assert provisions["provisions"] == [
        "Stop the war along the current front lines",
        "Could require Ukraine to pull troops back from the east",
        "Creation of demilitarized buffer zones",
        "No Ukrainian withdrawal from the 20% of eastern Donetsk region it still controls",
    ]


def test_known_at_001_002_open_issues(seeded: Invoke) -> None:
    found = state(seeded, "2025-12-28", "2025-12-28")
    # [001_19ea9254312cad2c.txt] It does not, however, envisage Ukraine withdrawing from the
    #   20% of the eastern Donetsk region that it still controls – Russia's main territorial
    #   demand.
    # [003_ab770ee007b62c3e.txt] These include Ukraine’s renouncement of its NATO ambitions
    #   and the withdrawal of Ukrainian forces from four regions currently claimed by Russia.
    # [001_19ea9254312cad2c.txt] Ukraine insists it needs more European and U.S. funding and
    #   weapons – especially drones.
    # [003_ab770ee007b62c3e.txt] According to reports, Zelenskyy is seeking rare earth
    #   minerals from the U.S. in exchange for financial support as part of ongoing efforts
    #   to aid Ukraine in the conflict.
    # [001_19ea9254312cad2c.txt] He also told reporters that he would press Trump on the
    #   importance of providing security guarantees that would prevent any renewed Russian
    #   aggression if a cease-fire were secured.
    # [002_ed9e9ae3377e271a.txt] Ushakov said the presidents share similar views that a
    #   temporary ceasefire under the pretext of a referendum will only prolong the
    #   conflict.
    # [002_ed9e9ae3377e271a.txt] Putin agreed with Trump’s proposal to continue work on a
    #   settlement within the framework of two specially created working groups: one on
    #   security and one on economic issues.
    assert issue_parties(found) == {
        "issue-donetsk-territory": ["russia", "ukraine"],
        "issue-four-regions": ["putin"],
        "issue-funding-and-weapons": ["ukraine"],
        "issue-nato": ["putin"],
        "issue-rare-earth-minerals": ["zelenskyy"],
        "issue-security-guarantees": ["zelenskyy"],
        "issue-temporary-ceasefire-referendum": ["putin", "trump"],
        "working-group-economic": ["putin", "trump"],
        "working-group-security": ["putin", "trump"],
    }


def test_known_at_001_002_the_strike_on_kyiv(seeded: Invoke) -> None:
    found = state(seeded, "2025-12-28", "2025-12-28")
    strikes = [
        {key: strike[key] for key in ("id", "occurred", "target", "by", "weapons", "effects")}
        | {"reports": strike["reports"]}
        for strike in found["strikes"]
    ]
    # [000_f5ac395222edac7b.txt] According to the Kyiv Independent, citing monitoring
    #   sources, the capital was hit by a large-scale ballistic missile assault as Russia
    #   fired multiple Kinzhal hypersonic missiles, four Iskander ballistic missiles, and
    #   several Kalibr cruise missiles at the city.
    # [001_19ea9254312cad2c.txt] The Ukrainian leader said he hoped the talks in Florida would
    #   be "very constructive" but stressed that Putin had shown his hand with a deadly drone
    #   and missile assault on Kyiv that temporarily knocked out power and heating to
    #   hundreds of thousands of residents during freezing temperatures.
    #   (one strike told twice: 000's weapons stand, 001 adds the effects)
    assert (found["strike_count"], strikes) == (
        1,
        [
            {
                "id": "strike-2025-12-27-kyiv",
                "occurred": "2025-12-27",
                "target": "Kyiv",
                "by": "russia",
                "weapons": KYIV_WEAPONS,
                "effects": (
                    "Deadly drone and missile assault; temporarily knocked out power and"
                    " heating to hundreds of thousands of residents during freezing"
                    " temperatures."
                ),
                "reports": ["r-000", "r-001"],
            }
        ],
    )


def test_known_at_001_002_claims(seeded: Invoke) -> None:
    found = claims(seeded, "2025-12-28", "2025-12-28")
    # [003_ab770ee007b62c3e.txt] The White House has yet to comment on Trump’s claims, while
    #   Kremlin spokesperson Dmitry Peskov neither confirmed nor denied the conversation.
    # [003_ab770ee007b62c3e.txt] Therefore, in this case, I can neither confirm nor deny it.”
    assert (
        found["claim-2025-02-call-held-peskov"]["claimant"],
        found["claim-2025-02-call-held-peskov"]["stance"],
    ) == ("peskov", "neither")
    # [001_19ea9254312cad2c.txt] Russia has accused Ukraine and its European backers of trying
    #   to "torpedo" a previous U.S.-brokered plan to stop the fighting, and recent
    #   battlefield gains – Russia announced Saturday it had captured two more towns in
    #   eastern Ukraine – are seen as strengthening Moscow's hand when it comes to peace
    #   talks.
    assert found["claim-2025-12-27-russia-captured-two-towns"] == {
        "subject": "territorial-control",
        "participants": [],
        "value": {"towns_captured": 2, "area": "eastern Ukraine"},
        "claimant": "russia",
        "stance": "asserts",
        "reports": ["r-001"],
    }
    # [002_ed9e9ae3377e271a.txt] It was the ninth phone call between the two leaders since the
    #   start of Trump’s second term.
    assert sorted(found) == [
        "claim-2025-02-call-count-trump",
        "claim-2025-02-call-held-peskov",
        "claim-2025-02-call-held-trump",
        "claim-2025-02-peace-talks-timing-russian-lawmakers",
        "claim-2025-12-27-russia-captured-two-towns",
        "claim-2025-12-28-call-count-ushakov",
    ]


def test_known_at_001_002_one_truth_social_post_two_wordings(seeded: Invoke) -> None:
    statement_id = "stmt-2025-12-28-trump-truth-social-putin-call"
    said = statements(seeded, "2025-12-28", "2025-12-28")
    # [001_19ea9254312cad2c.txt] "I just had a very good and productive telephone call with
    #   President Putin of Russia," Trump announced on his Truth Social platform.
    # [002_ed9e9ae3377e271a.txt] He wrote on Truth Social, “I just had a good and very
    #   productive telephone call with President Putin of Russia prior to my meeting, at 1:00
    #   P.M. today, with President Zelenskyy of Ukraine.”
    #   (one post: one statement, told by both reports)
    assert [
        (row["speaker"], row["occurred"], row["reports"])
        for row in said.values()
        if "telephone call with President Putin" in row["quote"]
    ] == [("trump", "2025-12-28", ["r-001", "r-002"])]
    assert statement_id in said
    # [001_19ea9254312cad2c.txt] "I just had a very good and productive telephone call with
    #   President Putin of Russia," Trump announced on his Truth Social platform.
    # [002_ed9e9ae3377e271a.txt] He wrote on Truth Social, “I just had a good and very
    #   productive telephone call with President Putin of Russia prior to my meeting, at 1:00
    #   P.M. today, with President Zelenskyy of Ukraine.”
    assert [
        (entry["report_id"], entry["kind"], entry["fields"]["quote"])
        for entry in accounts(seeded, statement_id)
    ] == [
        (
            "r-001",
            "account",
            "I just had a very good and productive telephone call with President Putin of Russia",
        ),
        (
            "r-002",
            "account",
            "I just had a good and very productive telephone call with President Putin of"
            " Russia prior to my meeting, at 1:00 P.M. today, with President Zelenskyy of"
            " Ukraine.",
        ),
    ]


# -- origins and relayed words (issue 23, points 3 and 7) ------------------------------


def test_one_interview_relayed_by_two_reports_corroborates_once(seeded: Invoke) -> None:
    # [003_ab770ee007b62c3e.txt] In an exclusive interview with The New York Post, Trump
    #   revealed that Putin expressed a desire to stop the bloodshed
    # [004_39c7d08025569692.txt] According to Trump, Putin is also motivated to reduce
    #   casualties and is open to negotiation discussions.
    # (004 names no other source: it retells the interview 003 relays.)
    early = cli_json(seeded, "sources", EARLY_CALL)
    assert [(s["report_id"], s["origin"]) for s in early["sources"]] == [
        ("r-003", "Donald Trump, interview with The New York Post"),
        ("r-004", "Donald Trump, interview with The New York Post"),
    ]
    assert early["corroboration"] == 1
    # [003_ab770ee007b62c3e.txt] In an interview with TASS news agency, Peskov stated,
    # [004_39c7d08025569692.txt] Kremlin’s Response: The Kremlin, represented by spokesperson
    #   Dmitry Peskov, did not confirm or deny the talks
    peskov = cli_json(seeded, "sources", "claim-2025-02-call-held-peskov")
    assert {s["origin"] for s in peskov["sources"]} == {"Dmitry Peskov to TASS"}
    assert peskov["corroboration"] == 1


def test_the_28_december_call_has_three_origins_and_one_post_is_one(seeded: Invoke) -> None:
    # [000_f5ac395222edac7b.txt] "I think it's going to go good with him. I think it's going
    #   to go good with [Vladimir] Putin," Trump said to Politico, adding that he expects to
    #   speak with Putin "soon, as much as I want."
    # [001_19ea9254312cad2c.txt] "I just had a very good and productive telephone call with
    #   President Putin of Russia," Trump announced on his Truth Social platform.
    # [002_ed9e9ae3377e271a.txt] Trump did not share more about his conversation with the
    #   Russian leader, but Russian Presidential Aide Yuri Ushakov revealed details of the call.
    call = cli_json(seeded, "sources", DEC_28_CALL)
    assert [s["origin"] for s in call["sources"]] == [
        "Donald Trump, interview with Politico",
        "Donald Trump on Truth Social",
        "Yuri Ushakov",
    ]
    assert call["corroboration"] == 3
    # [002_ed9e9ae3377e271a.txt] He wrote on Truth Social, “I just had a good and very
    #   productive telephone call with President Putin of Russia prior to my meeting
    # (001 and 002 quote the one post: one origin.)
    post = cli_json(seeded, "history", "stmt-2025-12-28-trump-truth-social-putin-call")
    assert [entry["report_id"] for entry in post["entries"]] == ["r-001", "r-002"]
    assert post["corroboration"] == 1


def test_known_at_002_ushakovs_accounts_are_his_relays(seeded: Invoke) -> None:
    statements = cli_json(
        seeded, "statements", "--as-of", "2025-12-28", "--known-at", "2025-12-28"
    )["statements"]
    via = {s["id"]: s["via"] for s in statements if s["via"]}
    # [002_ed9e9ae3377e271a.txt] A TASS report cited Ushakov as saying that Trump stressed the
    #   need to end the war as quickly as possible
    assert via.pop("stmt-2025-12-28-trump-end-war-quickly") == ["ushakov", "TASS"]
    # [002_ed9e9ae3377e271a.txt] The phone call was organised at Trump's initiative, as he
    #   wanted to discuss several issues with Putin before his meeting with Volodymyr
    #   Zelensky, reported RIA Novosti.
    # [002_ed9e9ae3377e271a.txt] Trump stated that he was convinced of Russia’s desire for a
    #   political and diplomatic resolution to the situation.
    # [002_ed9e9ae3377e271a.txt] The Russian president emphasized Moscow’s commitment to a
    #   diplomatic solution.
    # [002_ed9e9ae3377e271a.txt] Trump spoke of the impressive prospects for economic
    #   cooperation between the US and Russia
    assert via == {
        "stmt-2025-12-28-trump-convinced-russia-wants-diplomacy": ["ushakov", "RIA Novosti"],
        "stmt-2025-12-28-putin-diplomatic-commitment": ["ushakov", "RIA Novosti"],
        "stmt-2025-12-28-trump-economic-cooperation": ["ushakov", "RIA Novosti"],
    }


# -- the citations themselves ------------------------------------------------------------

CITATION = re.compile(r"^# \[(\d{3}_[0-9a-f]{16}\.txt)\] (.*)$")
CONTINUATION = re.compile(r"^#   (.*)$")


def citations() -> list[tuple[str, str]]:
    """Every ``# [file] sentence`` in this module, continuation lines joined; a
    parenthesised line ends the sentence (it is the analyst's gloss)."""
    found: list[tuple[str, list[str]]] = []
    open_citation = False
    for line in Path(__file__).read_text(encoding="utf-8").splitlines():
        text = line.strip()
        start = CITATION.match(text)
        more = CONTINUATION.match(text)
        if start:
            found.append((start[1], [start[2]]))
            open_citation = True
        elif more and open_citation and not more[1].startswith("("):
            found[-1][1].append(more[1])
        else:
            open_citation = False
    return [(name, " ".join(parts)) for name, parts in found]


def normalised(text: str) -> str:
    return " ".join(text.split())


def test_every_cited_sentence_is_verbatim_in_its_report() -> None:
    cited = citations()
    assert len(cited) > 50
    missing = [
        (name, sentence)
        for name, sentence in cited
        if normalised(sentence) not in normalised((SEEDS / name).read_text(encoding="utf-8"))
    ]
    assert missing == []
