"""Folding tellings told after a development's last version onto that version gives the
versions a fold of all its tellings gives."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.folding import (
    Telling,
    Version,
    _fold_groups,
    _Folding,
    _groups,
    fold,
    fold_after,
    fold_onto,
)

DAYS = ("2022-03-01", "2022-03-02", "2022-03-05", "2022-04-01")


@st.composite
def tellings(draw: st.DrawFn) -> list[Telling]:
    """Tellings in log order (position), from reports of certain or uncertain date,
    some of them retractions, with fields that override, merge by key, or keep first."""
    field_values: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
        {},
        optional={
            "status": st.sampled_from(["held", "planned", "cancelled"]),
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
@given(tellings(), st.integers(min_value=1, max_value=7))
def test_fold_onto_the_last_version_equals_folding_everything(
    told: list[Telling], split: int
) -> None:
    earlier, later = told[:split], told[split:]
    versions = fold(earlier)
    if not versions:
        return
    onto = fold_onto(versions[-1], later)
    if onto is not None:
        assert [*versions[:-1], *onto] == fold(told)


@given(tellings())
def test_a_development_told_once_folds_as_the_general_fold_does(told: list[Telling]) -> None:
    once = told[:1]
    assert fold(once) == _fold_groups(_Folding(), _groups(once))


def telling(position: int, lower: str, upper: str, **fields: Any) -> Telling:
    return Telling(position, position, f"r-{position}", lower, upper, fields)


def test_a_later_report_appends_a_version_and_closes_the_last() -> None:
    [latest] = fold([telling(1, "2022-03-01", "2022-03-01", status="planned")])
    onto = fold_onto(latest, [telling(2, "2022-03-05", "2022-03-05", status="held")])
    assert onto is not None
    assert [(v.known_from, v.known_until, v.fields["status"]) for v in onto] == [
        ("2022-03-01", "2022-03-05", "planned"),
        ("2022-03-05", "9999-12-31", "held"),
    ]
    # As a change to the view: the last version only ends.
    assert fold_after(latest, [telling(2, "2022-03-05", "2022-03-05", status="held")]) == (
        "2022-03-05",
        onto[1:],
    )


def test_a_report_of_the_same_certain_day_goes_on_with_the_last_version() -> None:
    [latest] = fold([telling(1, "2022-03-01", "2022-03-01", status="planned")])
    onto = fold_onto(latest, [telling(2, "2022-03-01", "2022-03-01", status="held")])
    assert onto is not None
    [version] = onto
    assert (version.known_from, version.fields["status"], version.account_count) == (
        "2022-03-01",
        "held",
        2,
    )
    assert version.reports == ("r-1", "r-2")
    # As a change to the view: the last version is replaced.
    assert fold_after(latest, [telling(2, "2022-03-01", "2022-03-01", status="held")]) == (
        None,
        onto,
    )


def test_nothing_told_leaves_the_last_version() -> None:
    [latest] = fold([telling(1, "2022-03-01", "2022-03-01", status="planned")])
    assert fold_onto(latest, []) == [latest]


def test_a_report_that_sorts_among_the_folded_ones_needs_a_full_fold() -> None:
    latest: Version = fold([telling(1, "2022-03-05", "2022-03-05")])[-1]
    # certainly published before the last version began
    assert fold_onto(latest, [telling(2, "2022-03-01", "2022-03-01")]) is None
    # perhaps published before the accounts of the last version's first day
    assert fold_onto(latest, [telling(2, "2022-03-01", "2022-03-05")]) is None
