"""Folding tellings told after a development's last version onto that version gives the
versions a fold of all its tellings gives."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
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
    for position in range(1, draw(st.integers(min_value=1, max_value=8)) + 1):
        upper = draw(st.sampled_from(DAYS))
        lower = draw(st.sampled_from([day for day in DAYS if day <= upper]))
        retraction = draw(st.booleans()) and draw(st.booleans())
        result.append(
            Telling(
                position=position,
                version=position,
                report_id=f"r-{draw(st.integers(min_value=1, max_value=4))}",
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
    stored = attrs.evolve(versions[-1], earlier=stored_earlier(kind, data))
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


def test_a_report_of_the_same_certain_day_goes_on_with_the_last_version() -> None:
    [latest] = fold("call", [telling(1, "2022-03-01", "2022-03-01", status="planned")])
    onto = fold_onto("call", latest, [telling(2, "2022-03-01", "2022-03-01", status="held")])
    assert onto is not None
    [version] = onto
    assert (version.known_from, version.fields["status"], version.account_count) == (
        "2022-03-01",
        "held",
        2,
    )
    assert version.reports == ("r-1", "r-2")
    # As a change to the view: the last version is replaced.
    assert fold_after("call", latest, [telling(2, "2022-03-01", "2022-03-01", status="held")]) == (
        None,
        onto,
    )


def test_nothing_told_leaves_the_last_version() -> None:
    [latest] = fold("call", [telling(1, "2022-03-01", "2022-03-01", status="planned")])
    assert fold_onto("call", latest, []) == [latest]


def test_a_report_that_sorts_among_the_folded_ones_needs_a_full_fold() -> None:
    latest: Version = fold("call", [telling(1, "2022-03-05", "2022-03-05")])[-1]
    # certainly published before the last version began
    assert fold_onto("call", latest, [telling(2, "2022-03-01", "2022-03-01")]) is None
    # perhaps published before the accounts of the last version's first day
    assert fold_onto("call", latest, [telling(2, "2022-03-01", "2022-03-05")]) is None
