"""Folding tellings told after a development's last version onto that version gives the
versions a fold of all its tellings gives."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.folding import (
    Telling,
    Version,
    _fold_groups,
    _Folding,
    _groups,
    before_it_happened,
    fold,
    fold_after,
    merge_fields,
)
from projections.page import stored_earlier, version_data

DAYS = ("2022-03-01", "2022-03-02", "2022-03-05", "2022-04-01")
DATE_1 = {"text": "2022-03-10", "lower": "2022-03-10", "upper": "2022-03-10"}
DATE_2 = {"text": "2022-03-11", "lower": "2022-03-11", "upper": "2022-03-11"}
# Types whose rules differ: a call's and a meeting's "held" takes effect when it
# happened; an issue merges positions by party; a statement keeps its first quote.
FOLDED_KINDS = st.sampled_from(["call", "meeting", "issue", "statement"])


def fold_onto(kind: str, latest: Version, tellings: Iterable[Telling]) -> list[Version] | None:
    """``fold_after``'s change made: the versions that replace ``latest``, which must
    be the versions of folding all the tellings again."""
    after = fold_after(kind, latest, tellings)
    if after is None:
        return None
    ends, versions = after
    if ends is None:
        return versions
    return [attrs.evolve(latest, known_until=ends), *versions]


@st.composite
def tellings(draw: st.DrawFn) -> list[Telling]:
    """Tellings in log order (position), from reports of certain or uncertain date,
    some of them retractions, with fields that override, merge by key, or keep first."""
    field_values: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
        {},
        optional={
            "status": st.sampled_from(["held", "planned", "cancelled"]),
            "occurred": st.sampled_from([DATE_1, DATE_2]),
            "planned": st.sampled_from([DATE_1, DATE_2]),
            "positions": st.dictionaries(
                st.sampled_from(["ua", "ru", "us"]), st.sampled_from(["yes", "no"]), max_size=2
            ),
            "quote": st.sampled_from(["a", "b"]),
        },
    )
    result = []
    published: dict[str, tuple[str, str]] = {}  # a report has one publication
    for position in range(1, draw(st.integers(min_value=1, max_value=8)) + 1):
        report_id = f"r-{draw(st.integers(min_value=1, max_value=4))}"
        if report_id not in published:
            upper = draw(st.sampled_from(DAYS))
            published[report_id] = draw(st.sampled_from([d for d in DAYS if d <= upper])), upper
        lower, upper = published[report_id]
        retraction = draw(st.booleans()) and draw(st.booleans())
        result.append(
            Telling(
                position=position,
                version=position,
                report_id=report_id,
                known_lower=lower,
                known_upper=upper,
                fields={} if retraction else draw(field_values),
                retraction=retraction,
            )
        )
    return result


@settings(max_examples=400)
@given(FOLDED_KINDS, tellings(), st.integers(min_value=1, max_value=7))
def test_fold_onto_the_last_version_equals_folding_everything(
    kind: str, told: list[Telling], split: int
) -> None:
    earlier, later = told[:split], told[split:]
    versions = fold(kind, earlier)
    if not versions:
        return
    # The last version as a view stores it and reads it back to fold onto.
    data = version_data(kind, versions[-1])
    stored = attrs.evolve(
        versions[-1],
        earlier=stored_earlier(kind, data),
        disputed=orjson.loads(orjson.dumps(data)).get("disputed", {}),
    )
    assert stored == versions[-1]
    onto = fold_onto(kind, stored, later)
    if onto is not None:
        assert [*versions[:-1], *onto] == fold(kind, told)


@given(FOLDED_KINDS, tellings())
def test_a_development_told_once_folds_as_the_general_fold_does(
    kind: str, told: list[Telling]
) -> None:
    once = told[:1]
    assert fold(kind, once) == _fold_groups(_Folding(kind), _groups(once))


def test_each_field_combines_by_its_types_rule() -> None:
    """An issue's positions merge by party, a statement keeps its first quote, and any
    other field takes the latest value."""
    issue = {"positions": {"ua": "yes"}, "title": "a"}
    assert merge_fields("issue", issue, {"positions": {"ru": "no"}, "title": "b"}) == [
        "positions",
        "title",
    ]
    assert issue == {"positions": {"ua": "yes", "ru": "no"}, "title": "b"}
    statement = {"quote": "first"}
    assert merge_fields("statement", statement, {"quote": "second"}) == []
    assert statement == {"quote": "first"}
    # Not merged by key where the type does not say so.
    plan = {"positions": {"ua": "yes"}}
    merge_fields("plan", plan, {"positions": {"ru": "no"}})
    assert plan == {"positions": {"ru": "no"}}


def test_a_held_meeting_keeps_the_status_it_had_before() -> None:
    """The fold keeps the last status that is not "held", with its planned date then,
    for valid time to read before the meeting was held."""
    versions = fold(
        "meeting",
        [
            telling(1, "2022-03-01", "2022-03-01", status="scheduled", planned=DATE_1),
            telling(2, "2022-03-02", "2022-03-02", status="postponed"),
            telling(3, "2022-03-05", "2022-03-05", status="held", occurred=DATE_2),
        ],
    )
    assert [v.earlier for v in versions] == [
        {"status": "scheduled", "planned": DATE_1},
        {"status": "postponed", "planned": DATE_1},
        {"status": "postponed", "planned": DATE_1},
    ]
    assert version_data("meeting", versions[-1])["before"] == versions[-1].earlier
    assert "before" not in version_data("meeting", versions[0])
    # Held when first told: the type's default status, expected when planned.
    [only] = fold("call", [telling(1, "2022-03-05", "2022-03-05", status="held", occurred=DATE_2)])
    assert only.earlier is None
    assert before_it_happened("call", only.fields, only.earlier) == {
        "status": "planned",
        "planned": DATE_2,
    }


def telling(position: int, lower: str, upper: str, **fields: Any) -> Telling:
    return Telling(position, position, f"r-{position}", lower, upper, fields)


def test_a_later_report_appends_a_version_and_closes_the_last() -> None:
    [latest] = fold("call", [telling(1, "2022-03-01", "2022-03-01", status="planned")])
    onto = fold_onto("call", latest, [telling(2, "2022-03-05", "2022-03-05", status="held")])
    assert onto is not None
    assert [(v.known_from, v.known_until, v.fields["status"]) for v in onto] == [
        ("2022-03-01", "2022-03-05", "planned"),
        ("2022-03-05", "9999-12-31", "held"),
    ]
    # As a change to the view: the last version only ends.
    assert fold_after("call", latest, [telling(2, "2022-03-05", "2022-03-05", status="held")]) == (
        "2022-03-05",
        onto[1:],
    )


def test_a_report_of_the_same_certain_day_needs_a_full_fold() -> None:
    """Two reports of one day stand level (issue 23, point 1): neither replaces the
    other, so only a fold of all the tellings weighs them."""
    [latest] = fold("call", [telling(1, "2022-03-01", "2022-03-01", status="planned")])
    assert (
        fold_onto("call", latest, [telling(2, "2022-03-01", "2022-03-01", status="held")]) is None
    )
    [version] = fold(
        "call",
        [
            telling(1, "2022-03-01", "2022-03-01", status="planned"),
            telling(2, "2022-03-01", "2022-03-01", status="held"),
        ],
    )
    assert (version.known_from, version.account_count, version.reports) == (
        "2022-03-01",
        2,
        ("r-1", "r-2"),
    )
    # Equally precise, one report each: the first by serialisation, "held".
    assert version.fields["status"] == "held"
    assert version.disputed == {
        "status": [
            {"value": "held", "reports": ["r-2"]},
            {"value": "planned", "reports": ["r-1"]},
        ]
    }


def test_nothing_told_leaves_the_last_version() -> None:
    [latest] = fold("call", [telling(1, "2022-03-01", "2022-03-01", status="planned")])
    assert fold_onto("call", latest, []) == [latest]


def test_a_report_that_sorts_among_the_folded_ones_needs_a_full_fold() -> None:
    latest: Version = fold("call", [telling(1, "2022-03-05", "2022-03-05")])[-1]
    # certainly published before the last version began
    assert fold_onto("call", latest, [telling(2, "2022-03-01", "2022-03-01")]) is None
    # perhaps published before the accounts of the last version's first day
    assert fold_onto("call", latest, [telling(2, "2022-03-01", "2022-03-05")]) is None


@settings(max_examples=300)
@given(FOLDED_KINDS, tellings(), st.randoms(use_true_random=False))
def test_the_order_tellings_were_logged_in_changes_nothing(
    kind: str, told: list[Telling], random: Any
) -> None:
    """Issue 23, point 1: the fold is a function of what the tellings say. Logged in
    any other order (one report's accounts keeping theirs), the versions are the same."""
    shuffled = list(told)
    random.shuffle(shuffled)
    # Each report's accounts take the places its accounts have in the new order, in
    # their own order: log order counts among one report's accounts.
    own: dict[str, list[Telling]] = {}
    for one in told:
        own.setdefault(one.report_id, []).append(one)
    relogged = [
        attrs.evolve(own[one.report_id].pop(0), position=place, version=place)
        for place, one in enumerate(shuffled, start=1)
    ]
    assert fold(kind, relogged) == fold(kind, told)


def test_equal_accounts_that_disagree_show_the_most_precise_then_the_most_told() -> None:
    """The rule of ``projections.disputes``: a narrower date over a wider one; then
    the value more reports give; and the field is listed as disputed either way."""
    month = {"text": "2022-03", "lower": "2022-03-01", "upper": "2022-03-31"}
    day = "2022-03-05"
    [version] = fold(
        "call",
        [
            telling(1, day, day, occurred=month, status="held"),
            telling(2, day, day, occurred=DATE_1, status="planned"),
            telling(3, day, day, status="planned"),
        ],
    )
    assert version.fields["occurred"] == DATE_1
    assert version.disputed["occurred"] == [
        {"value": DATE_1, "reports": ["r-2"]},
        {"value": month, "reports": ["r-1"]},
    ]
    assert version.fields["status"] == "planned"
    assert version.disputed["status"][0] == {"value": "planned", "reports": ["r-2", "r-3"]}


def test_overlapping_uncertain_dates_stand_level_and_a_certainly_later_report_replaces() -> None:
    """A report of March (uncertain) and one of 5 March overlap: disputed. One of
    1 April is certainly later than both: its value stands alone."""
    versions = fold(
        "call",
        [
            telling(1, "2022-03-01", "2022-03-31", status="held"),
            telling(2, "2022-03-05", "2022-03-05", status="planned"),
            telling(3, "2022-04-01", "2022-04-01", status="cancelled"),
        ],
    )
    assert [(v.known_from, v.fields["status"], sorted(v.disputed)) for v in versions] == [
        ("2022-03-05", "planned", []),
        ("2022-03-31", "held", ["status"]),
        ("2022-04-01", "cancelled", []),
    ]


def test_later_accounts_of_one_report_replace_its_earlier_ones() -> None:
    """Log order counts among one report's accounts: a correction within it."""
    first = telling(1, "2022-03-01", "2022-03-01", status="planned")
    second = attrs.evolve(telling(2, "2022-03-01", "2022-03-01", status="held"), report_id="r-1")
    [version] = fold("call", [second, first])
    assert (version.fields["status"], version.disputed) == ("held", {})


def test_plan_revisions_count_versions_of_its_content() -> None:
    """Issue 23, point 9: a plan's status or readiness changing is no revision; its
    label, points or provisions changing is."""
    versions = fold(
        "plan",
        [
            telling(1, "2022-03-01", "2022-03-01", label="20 points", points=20),
            telling(2, "2022-03-02", "2022-03-02", status="proposed", readiness_pct=90),
            telling(3, "2022-03-02", "2022-03-02", readiness_pct=90),
            telling(4, "2022-03-05", "2022-03-05", points=28, label="28 points"),
            telling(5, "2022-04-01", "2022-04-01", points=28),
        ],
    )
    assert [v.revisions for v in versions] == [1, 1, 2, 2]


def test_accounts_of_one_origin_count_once() -> None:
    """Two outlets relaying one origin weigh as one: a third report of its own origin
    outweighs nothing, and two named origins outweigh it."""
    day = "2022-03-05"

    def told(position: int, status: str, origin: str | None) -> Telling:
        return attrs.evolve(telling(position, day, day, status=status), origin=origin)

    [relayed] = fold(
        "call",
        [told(1, "planned", "TASS"), told(2, "planned", "tass"), told(3, "held", None)],
    )
    # One origin each: the first by serialisation.
    assert relayed.fields["status"] == "held"
    [two] = fold(
        "call",
        [told(1, "planned", "TASS"), told(2, "planned", "Ushakov"), told(3, "held", None)],
    )
    assert two.fields["status"] == "planned"
    assert two.disputed["status"][0] == {"value": "planned", "reports": ["r-1", "r-2"]}


def test_a_later_uncertain_report_that_may_be_as_early_as_the_last_needs_a_full_fold() -> None:
    """Sorted by when they became certainly known, the first new telling may be
    certainly later while another, uncertain, may be as early as the folded ones."""
    [latest] = fold("call", [telling(1, "2022-03-02", "2022-03-02", status="planned")])
    certain = telling(2, "2022-03-05", "2022-03-05", duration_min=30)
    uncertain = telling(3, "2022-03-01", "2022-04-01", status="held")
    assert fold_onto("call", latest, [certain, uncertain]) is None
    versions = fold(
        "call",
        [telling(1, "2022-03-02", "2022-03-02", status="planned"), certain, uncertain],
    )
    assert [sorted(v.disputed) for v in versions] == [[], [], ["status"]]
