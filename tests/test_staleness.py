"""Staleness (issue 23, point 8): each development's ``last_reported``; a meeting or
call whose planned day passed with no report of it held is ``overdue``, not next; an
open issue no report has told of for ``--stale-after`` days (90) is ``stale``.

Golden expectations cite the seed report's sentence that supports them, as
``tests/test_golden.py`` does, and the last test checks the citations.
"""

# The cited sentences keep the reports' typographic quotes and apostrophes.
# ruff: noqa: RUF003

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import orjson

from tests.conftest import Invoke
from tests.test_golden import SEEDS, normalised
from tracker.state import STALE_AFTER_DAYS

FEB_MEETING = "meeting-2025-02-trump-zelenskyy"
IN_PERSON = "meeting-2025-trump-putin-in-person"
RARE_EARTH = "issue-rare-earth-minerals"


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def as_json(invoke: Invoke, *args: str) -> Any:
    return orjson.loads(ok(invoke(*args, "--json")))


def day(as_of: str, known_at: str = "2025-12-28") -> tuple[str, ...]:
    return ("--as-of", as_of, "--known-at", known_at)


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


# -- overdue meetings and calls ----------------------------------------------------------


def test_the_february_meeting_is_overdue_in_december(seeded: Invoke) -> None:
    # [003_ab770ee007b62c3e.txt] In addition to his talks with Putin, Trump also revealed
    #   plans to meet Ukrainian President Volodymyr Zelenskyy next week.
    # [004_39c7d08025569692.txt] Trump is expected to meet with Ukraine’s President Volodymyr
    #   Zelenskyy soon, aiming to further discussions towards ending the war.
    #   (no report tells of it held: by December its week has long passed)
    state = as_json(seeded, "state", *day("2025-12-28"))
    assert FEB_MEETING not in ids(state["next_meetings"])
    [feb] = [item for item in state["overdue"] if item["id"] == FEB_MEETING]
    assert feb == {
        "id": FEB_MEETING,
        "kind": "meeting",
        "participants": ["trump", "zelenskyy"],
        "status": "proposed",
        "planned": "2025-02-10/2025-02-16",
        "place": None,
        "reports": ["r-003", "r-004"],
        "last_reported": {"date": "2025-02-23", "report": "r-004"},
        "overdue": True,
    }
    # [003_ab770ee007b62c3e.txt] Trump has previously suggested that he would be open to
    #   meeting Putin in person to negotiate a peace agreement, though no specific date or
    #   location for such talks has been confirmed.
    #   (undated: next for 30 days after its report, then overdue)
    assert ids(state["overdue"]) == [FEB_MEETING, IN_PERSON]
    assert state["overdue_total"] == 2
    assert all(item["overdue"] is False for item in state["next_meetings"])


def test_overdue_from_the_day_after_its_window(seeded: Invoke) -> None:
    # [003_ab770ee007b62c3e.txt] In addition to his talks with Putin, Trump also revealed
    #   plans to meet Ukrainian President Volodymyr Zelenskyy next week.
    #   (next week: 10 to 16 February; on the 16th it is still next, on the 17th overdue)
    on_the_16th = as_json(seeded, "state", *day("2025-02-16", "2025-02-23"))
    assert FEB_MEETING in ids(on_the_16th["next_meetings"])
    assert FEB_MEETING not in ids(on_the_16th["overdue"])
    on_the_17th = as_json(seeded, "state", *day("2025-02-17", "2025-02-23"))
    assert FEB_MEETING not in ids(on_the_17th["next_meetings"])
    assert ids(on_the_17th["overdue"]) == [FEB_MEETING]


def test_an_undated_plan_is_next_for_30_days_then_overdue(seeded: Invoke) -> None:
    # [003_ab770ee007b62c3e.txt] Trump has previously suggested that he would be open to
    #   meeting Putin in person to negotiate a peace agreement, though no specific date or
    #   location for such talks has been confirmed.
    #   (first reported 2025-02-09: next until 2025-03-11, overdue from the 12th)
    before = as_json(seeded, "state", *day("2025-03-11"))
    assert IN_PERSON in ids(before["next_meetings"])
    assert IN_PERSON not in ids(before["overdue"])
    after = as_json(seeded, "state", *day("2025-03-12"))
    assert IN_PERSON not in ids(after["next_meetings"])
    assert IN_PERSON in ids(after["overdue"])


def test_meetings_mark_the_overdue(seeded: Invoke) -> None:
    found = as_json(seeded, "meetings", *day("2025-12-28"))
    # [003_ab770ee007b62c3e.txt] In addition to his talks with Putin, Trump also revealed
    #   plans to meet Ukrainian President Volodymyr Zelenskyy next week.
    # [001_19ea9254312cad2c.txt] Trump is set to meet Zelenskyy at 1 p.m. (6 p.m. GMT) in the
    #   dining room of his Mar-a-Lago estate, where he frequently brings both foreign guests
    #   and domestic supporters.
    #   (the February meeting is overdue; Mar-a-Lago, on the day, is not)
    assert [(m["id"], m["overdue"]) for m in found["meetings"]] == [
        (IN_PERSON, True),
        (FEB_MEETING, True),
        ("meeting-2025-10-trump-zelenskyy", False),
        ("meeting-2025-12-ushakov-witkoff-kushner", False),
        ("meeting-2025-12-28-mar-a-lago", False),
    ]
    assert (ids(found["overdue"]), found["overdue_total"]) == ([FEB_MEETING, IN_PERSON], 2)
    assert found["meetings"][1]["last_reported"] == {"date": "2025-02-23", "report": "r-004"}
    text = ok(seeded("meetings", *day("2025-12-28")))
    assert text.splitlines()[2:4] == [
        "meeting-2025-trump-putin-in-person       putin, trump               proposed (overdue)"
        "  -                          -                      -",
        "meeting-2025-02-trump-zelenskyy          trump, zelenskyy           proposed (overdue)"
        "  2025-02-10/2025-02-16      -                      -",
    ]


def test_the_state_text_lists_the_overdue_apart(seeded: Invoke) -> None:
    text = ok(seeded("state", *day("2025-12-28")))
    # [003_ab770ee007b62c3e.txt] In addition to his talks with Putin, Trump also revealed
    #   plans to meet Ukrainian President Volodymyr Zelenskyy next week.
    assert (
        "\n\nOverdue (planned day passed, not reported held)\n"
        "planned                id                                  participants       status"
        "    last reported\n"
        "---------------------  ----------------------------------  -----------------  --------"
        "  ------------------\n"
        "2025-02-10/2025-02-16  meeting-2025-02-trump-zelenskyy     trump + zelenskyy  proposed"
        "  2025-02-23 (r-004)\n"
        "-                      meeting-2025-trump-putin-in-person  putin + trump      proposed"
        "  2025-02-09 (r-003)\n"
        "\nPlans\n"
    ) in text
    # Nothing overdue on the 16th: no section.
    assert "Overdue" not in ok(seeded("state", *day("2025-02-16", "2025-02-23")))


def test_a_meeting_reported_held_is_not_overdue(seeded: Invoke) -> None:
    ok(seeded("report", "add", "--id", "r-held", "--outlet", "Test", "--published",
              "2025-02-24", "--text", "Trump met Zelenskyy on Friday."))  # fmt: skip
    ok(seeded("record", "meeting", "--id", FEB_MEETING, "--report", "r-held", "--status",
              "held", "--occurred", "2025-02-14", "--quote", "Trump met Zelenskyy"))  # fmt: skip
    state = as_json(seeded, "state", *day("2025-12-28"))
    assert ids(state["overdue"]) == [IN_PERSON]
    meetings = as_json(seeded, "meetings", *day("2025-12-28"))["meetings"]
    assert [m["overdue"] for m in meetings if m["id"] == FEB_MEETING] == [False]


def test_a_cut_overdue_list_keeps_the_latest_due(seeded: Invoke) -> None:
    found = as_json(seeded, "meetings", *day("2025-12-29"), "--limit", "1")
    # The Mar-a-Lago meeting and the call after it were due on the 28th: the latest.
    assert (ids(found["overdue"]), found["overdue_total"]) == (
        ["meeting-2025-12-28-mar-a-lago"],
        4,
    )


# -- stale issues ------------------------------------------------------------------------


def test_an_issue_unmentioned_for_90_days_is_stale(seeded: Invoke) -> None:
    # [003_ab770ee007b62c3e.txt] According to reports, Zelenskyy is seeking rare earth
    #   minerals from the U.S. in exchange for financial support as part of ongoing efforts
    #   to aid Ukraine in the conflict.
    #   (told on 2025-02-09 only: 90 days later, on 2025-05-10, not yet stale; then stale)
    def rare_earth(as_of: str, *more: str) -> dict[str, Any]:
        found = as_json(seeded, "issues", *day(as_of), *more)["issues"]
        [issue] = [issue for issue in found if issue["id"] == RARE_EARTH]
        return {key: issue[key] for key in ("status", "last_reported", "stale")}

    assert rare_earth("2025-05-10") == {
        "status": "open",
        "last_reported": {"date": "2025-02-09", "report": "r-003"},
        "stale": False,
    }
    assert rare_earth("2025-05-11")["stale"] is True
    assert rare_earth("2025-12-28", "--stale-after", "400")["stale"] is False
    assert rare_earth("2025-02-10", "--stale-after", "0")["stale"] is True
    assert rare_earth("2025-12-28")["stale"] is True
    # As known on 2025-02-10, whatever the as-of day: told the day before, not stale
    # (no report after the 10th can be counted on).
    early = as_json(seeded, "issues", "--as-of", "2025-12-28", "--known-at", "2025-02-10")
    assert [i["stale"] for i in early["issues"] if i["id"] == RARE_EARTH] == [False]


def test_stale_issues_in_the_state(seeded: Invoke) -> None:
    state = as_json(seeded, "state", *day("2025-12-28"))
    # [003_ab770ee007b62c3e.txt] These include Ukraine’s renouncement of its NATO ambitions
    #   and the withdrawal of Ukrainian forces from four regions currently claimed by Russia.
    # [003_ab770ee007b62c3e.txt] According to reports, Zelenskyy is seeking rare earth
    #   minerals from the U.S. in exchange for financial support as part of ongoing efforts
    #   to aid Ukraine in the conflict.
    #   (told in February and not since: still open, and stale)
    assert sorted(i["id"] for i in state["open_issues"] if i["stale"]) == [
        "issue-four-regions",
        "issue-nato",
        RARE_EARTH,
    ]
    text = ok(seeded("state", *day("2025-12-28")))
    assert (
        "issue-rare-earth-minerals: Rare earth minerals in exchange for U.S. financial"
        " support [open] stale: last reported 2025-02-09 (r-003)\n"
    ) in text
    assert (
        "issue-donetsk-territory: Ukrainian withdrawal from the part of Donetsk region it"
        " still holds [open]\n"
    ) in text
    fresh = as_json(seeded, "state", *day("2025-12-28"), "--stale-after", "365")
    assert [i["id"] for i in fresh["open_issues"] if i["stale"]] == []
    assert STALE_AFTER_DAYS == 90


def test_only_an_open_issue_goes_stale(seeded: Invoke) -> None:
    ok(seeded("report", "add", "--id", "r-old", "--outlet", "Test", "--published",
              "2025-01-05", "--text", "The prisoner exchange issue was settled."))  # fmt: skip
    ok(seeded("record", "issue", "--id", "issue-old-resolved", "--report", "r-old",
              "--title", "Prisoner exchange", "--status", "resolved",
              "--quote", "prisoner exchange issue was settled"))  # fmt: skip
    found = as_json(seeded, "issues", *day("2025-12-28"))["issues"]
    [old] = [issue for issue in found if issue["id"] == "issue-old-resolved"]
    assert (old["status"], old["stale"], old["last_reported"]) == (
        "resolved",
        False,
        {"date": "2025-01-05", "report": "r-old"},
    )
    state = as_json(seeded, "state", *day("2025-12-28"))
    assert "issue-old-resolved" not in ids(state["open_issues"])


def test_stale_after_must_be_a_whole_number(seeded: Invoke) -> None:
    result = seeded("issues", "--stale-after", "-1")
    assert result.exit_code == 2
    assert "--stale-after" in result.output


def test_the_timeline_cards_say_overdue_and_stale(seeded: Invoke, tmp_path: Path) -> None:
    page = tmp_path / "timeline.html"
    ok(seeded("timeline", *day("2025-12-28"), "-o", str(page)))
    html = page.read_text(encoding="utf-8")
    # [003_ab770ee007b62c3e.txt] In addition to his talks with Putin, Trump also revealed
    #   plans to meet Ukrainian President Volodymyr Zelenskyy next week.
    assert (
        "<p>overdue: not reported held; meeting, proposed; planned 2025-02-10/2025-02-16</p>"
        f"<p class='id'>{FEB_MEETING}</p>"
    ) in html
    # [003_ab770ee007b62c3e.txt] According to reports, Zelenskyy is seeking rare earth
    #   minerals from the U.S. in exchange for financial support as part of ongoing efforts
    #   to aid Ukraine in the conflict.
    assert html.count("<p>stale: last reported 2025-02-09 (r-003)</p>") == 3
    # The next ones come first, then the overdue.
    assert html.index("meeting-2025-12-28-mar-a-lago</p>") < html.index(f"{FEB_MEETING}</p>")


# -- last reported -----------------------------------------------------------------------


def test_last_reported_agrees_everywhere(seeded: Invoke) -> None:
    """Every development's ``last_reported`` in the lists, as ``history`` and
    ``sources`` give it and as the CSV export's ``latest_report_date``."""
    when = day("2025-12-28")
    shown: dict[str, dict[str, str]] = {}
    for command in ("meetings", "plans", "issues", "strikes", "claims", "statements"):
        found = as_json(seeded, command, *when)
        for item in found[command]:
            shown[item["id"]] = item["last_reported"]
    state = as_json(seeded, "state", *when)
    for section in ("next_meetings", "overdue", "plans", "open_issues", "strikes"):
        for item in state[section]:
            assert shown.setdefault(item["id"], item["last_reported"]) == item["last_reported"]
    rows = list(csv.DictReader(io.StringIO(ok(seeded("export", "--format", "csv", *when)))))
    latest = {row["event_id"]: (row["latest_report_date"], row["latest_report_id"]) for row in rows}
    assert len(shown) > 40
    for development_id, last in shown.items():
        assert latest[development_id] == (last["date"], last["report"]), development_id
        assert as_json(seeded, "history", development_id)["last_reported"] == last
        assert as_json(seeded, "sources", development_id)["last_reported"] == last
    # [004_39c7d08025569692.txt] Trump is expected to meet with Ukraine’s President Volodymyr
    #   Zelenskyy soon, aiming to further discussions towards ending the war.
    #   (004 is dated 2025-02-09/2025-02-23: it is known, and last, from the 23rd)
    assert shown[FEB_MEETING] == {"date": "2025-02-23", "report": "r-004"}


def test_last_reported_as_known_at(seeded: Invoke) -> None:
    # [003_ab770ee007b62c3e.txt] In addition to his talks with Putin, Trump also revealed
    #   plans to meet Ukrainian President Volodymyr Zelenskyy next week.
    #   (before 004 is certainly known, 003 is the last report of it)
    found = as_json(seeded, "meetings", *day("2025-02-16", "2025-02-22"))
    [feb] = [m for m in found["meetings"] if m["id"] == FEB_MEETING]
    assert feb["last_reported"] == {"date": "2025-02-09", "report": "r-003"}


# -- the citations -----------------------------------------------------------------------


def test_every_cited_sentence_here_is_verbatim_in_its_report() -> None:
    """The golden tests' rule, for this module's citations."""
    text = Path(__file__).read_text(encoding="utf-8")
    cited = re.findall(
        r"# \[(\d{3}_[0-9a-f]{16}\.txt)\] ([^\n]*)\n((?:\s*#   [^(][^\n]*\n)*)", text
    )
    assert len(cited) >= 10
    for name, first, more in cited:
        sentence = " ".join([first, *(line.strip()[4:] for line in more.splitlines())])
        report = normalised((SEEDS / name).read_text(encoding="utf-8"))
        assert normalised(sentence) in report, (name, sentence)
