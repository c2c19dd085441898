"""The orjson transcoder: the library's transcoder contract, and round trips of the
tracker's value objects and domain events through the event store's mapper."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Mapper,
    Transcoder,
    Transcoding,
    TranscodingNotRegisteredError,
)
from eventsourcing.tests.persistence import (
    CustomType1AsDict,
    CustomType2AsDict,
    Mydict,
    MyInt,
    MyList,
    MyStr,
    TranscoderTestCase,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.dates import FuzzyDate
from tracker.domain import Actor, Development, Report
from tracker.transcoding import (
    OrjsonTranscoder,
    construct_transcoder,
    tracker_transcodings,
)
from tracker.values import Account, Weapon

# --- The library's own transcoder test case -------------------------------------------


class MydictAsDict(Transcoding):
    type = Mydict
    name = "mydict"

    def encode(self, obj: Mydict[Any, Any]) -> dict[Any, Any]:
        return dict(obj)

    def decode(self, data: dict[Any, Any]) -> Mydict[Any, Any]:
        assert type(data) is dict
        return Mydict(data)


class MyListAsList(Transcoding):
    type = MyList
    name = "mylist"

    def encode(self, obj: MyList[Any]) -> list[Any]:
        return list(obj)

    def decode(self, data: list[Any]) -> MyList[Any]:
        assert type(data) is list
        return MyList(data)


class MyStrAsStr(Transcoding):
    type = MyStr
    name = "mystr"

    def encode(self, obj: MyStr) -> str:
        return str(obj)

    def decode(self, data: str) -> MyStr:
        assert type(data) is str
        return MyStr(data)


class MyIntAsInt(Transcoding):
    type = MyInt
    name = "myint"

    def encode(self, obj: MyInt) -> int:
        return int(obj)

    def decode(self, data: int) -> MyInt:
        assert type(data) is int
        return MyInt(data)


class TestOrjsonTranscoder(TranscoderTestCase):
    """Every test of the library's TranscoderTestCase, none skipped: unlike the library's
    JSONTranscoder, OrjsonTranscoder dispatches on exact type, so tuples and subclasses
    of dict/list/str/int keep their types through registered transcodings."""

    def construct_transcoder(self) -> Transcoder:
        transcoder = OrjsonTranscoder()
        for transcoding in tracker_transcodings():
            transcoder.register(transcoding)
        for transcoding in (
            CustomType1AsDict(),
            CustomType2AsDict(),
            MydictAsDict(),
            MyListAsList(),
            MyStrAsStr(),
            MyIntAsInt(),
        ):
            transcoder.register(transcoding)
        return transcoder


# The base class would otherwise be collected too, and fail with NotImplementedError.
del TranscoderTestCase


# --- The transcoder itself --------------------------------------------------------------


def test_construct_transcoder_registers_the_tracker_transcodings() -> None:
    transcoder = construct_transcoder()
    assert sorted(transcoder.names) == [
        "account",
        "datetime_iso",
        "decimal_str",
        "fuzzy_date",
        "tuple_as_list",
        "uuid_hex",
        "weapon",
    ]
    assert set(transcoder.types) == {UUID, Decimal, datetime, tuple, FuzzyDate, Weapon, Account}


def test_encoded_forms_are_exact() -> None:
    transcoder = construct_transcoder()
    assert transcoder.encode(FuzzyDate("2025-02~", "2025-01-01", "2025-03-31")) == (
        b'{"_type_":"fuzzy_date","_data_":["2025-02~","2025-01-01","2025-03-31",null]}'
    )
    assert transcoder.encode(Weapon("Shahed", 12)) == (
        b'{"_type_":"weapon","_data_":["Shahed",12]}'
    )
    assert transcoder.encode(Account.of("r1", {"tone": "warm"})) == (
        b'{"_type_":"account","_data_":{"report":"r1","fields":{"tone":"warm"}}}'
    )
    assert transcoder.encode(Account.of("r1", {}, quote="q", note="n")) == (
        b'{"_type_":"account","_data_":{"report":"r1","fields":{},"quote":"q","note":"n"}}'
    )


def test_unregistered_type_is_rejected_with_the_library_error() -> None:
    transcoder = construct_transcoder()
    with pytest.raises(TranscodingNotRegisteredError, match="is not serializable"):
        transcoder.encode({"a": [{1, 2}]})
    with pytest.raises(TranscodingNotRegisteredError, match="'nope' is not deserializable"):
        transcoder.decode(b'{"_type_":"nope","_data_":1}')


def test_non_string_type_name_is_rejected() -> None:
    transcoder = construct_transcoder()
    with pytest.raises(TranscodingNotRegisteredError, match="is not deserializable"):
        transcoder.decode(b'{"_type_":[1],"_data_":1}')


# --- Round trips of the value objects ---------------------------------------------------


def round_trip(obj: Any) -> Any:
    transcoder = construct_transcoder()
    return transcoder.decode(transcoder.encode(obj))


@pytest.mark.parametrize(
    "value",
    [
        FuzzyDate("2025-02-10", "2025-02-10", "2025-02-10"),
        FuzzyDate("2025-02~", "2025-01-01", "2025-03-31"),
        FuzzyDate("../2025-03", "0000-01-01", "2025-03-31"),
        FuzzyDate("2025-12-28T13:00:00-05:00", "2025-12-28", "2025-12-28", "2025-12-28T18:00:00Z"),
    ],
)
def test_fuzzy_date_round_trip(value: FuzzyDate) -> None:
    copy = round_trip(value)
    assert type(copy) is FuzzyDate
    assert copy == value


@pytest.mark.parametrize("value", [Weapon("Shahed", 12), Weapon("Iskander"), Weapon("x", 0)])
def test_weapon_round_trip(value: Weapon) -> None:
    copy = round_trip(value)
    assert type(copy) is Weapon
    assert copy == value


def test_account_round_trip_with_every_kind_of_value() -> None:
    account = Account.of(
        "r1",
        {
            "participants": ["putin", "trump"],
            "occurred": FuzzyDate("2025-12-28", "2025-12-28", "2025-12-28"),
            "planned": FuzzyDate(
                "2025-12-28T13:00:00-05:00", "2025-12-28", "2025-12-28", "2025-12-28T18:00:00Z"
            ),
            "weapons": [Weapon("Shahed", 12), Weapon("Kalibr")],
            "positions": {"ukraine": "no", "Some Party": "yes"},
            "readiness_pct": 95.5,
            "points": 20,
            "status": "held",
            "provisions": ("a", "b"),
            "nothing": None,
            "flag": False,
        },
        quote="a very good call",
        attributed_to="putin",
        note="n",
    )
    # Lists were frozen to tuples on construction.
    assert account.fields["participants"] == ("putin", "trump")
    assert account.fields["weapons"] == (Weapon("Shahed", 12), Weapon("Kalibr"))
    copy = round_trip(account)
    assert type(copy) is Account
    assert copy == account
    assert copy.fields["positions"] == {"ukraine": "no", "Some Party": "yes"}
    assert type(copy.fields["occurred"]) is FuzzyDate
    assert type(copy.fields["weapons"][0]) is Weapon


@pytest.mark.parametrize(
    "value",
    [
        [1, "two", [3.5, None]],
        {"kyiv": 3, "moscow": [1, 2], "nested": {"a": {"b": True}}},
        42,
        -7.25,
        "text",
        True,
        None,
        [],
        {},
        {"_type_": "not-an-envelope", "other": 1},
    ],
)
def test_claim_value_round_trip(value: Any) -> None:
    account = Account.of("r1", {"subject": "call-count", "value": value, "claimant": "x"})
    copy = round_trip(account)
    assert copy == account


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Decoded as a Weapon instead of the analyst's object.
        (
            {"_type_": "weapon", "_data_": ["Shahed", 3]},
            {"_type_": "weapon", "_data_": ("Shahed", 3)},
        ),
        # Encoded and stored fine, then undecodable: every later read of the store fails.
        ({"_type_": "nope", "_data_": 1}, {"_type_": "nope", "_data_": 1}),
    ],
    ids=["known-name", "unknown-name"],
)
def test_claim_value_shaped_like_an_envelope_round_trips(value: Any, expected: Any) -> None:
    """A claim's value is "any JSON value" given by the analyst (kinds: shape "json"), so
    a JSON object with exactly the keys ``_type_`` and ``_data_`` must come back as that
    object."""
    account = Account.of("r1", {"subject": "s", "value": value, "claimant": "x"})
    copy = round_trip(account)
    assert copy.fields["value"] == expected


# --- Hypothesis: Accounts ---------------------------------------------------------------

_ENVELOPE_KEYS = {"_type_", "_data_"}

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)


def _not_envelope(value: dict[str, Any]) -> bool:
    return set(value) != _ENVELOPE_KEYS


_json_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4).filter(_not_envelope)
    ),
    max_leaves=12,
)

_days = st.dates().map(lambda d: d.isoformat())


@st.composite
def _fuzzy_dates(draw: st.DrawFn) -> FuzzyDate:
    lower, upper = sorted((draw(_days), draw(_days)))
    instant = draw(st.none() | st.just(f"{lower}T12:00:00Z"))
    return FuzzyDate(draw(st.text(min_size=1, max_size=20)), lower, upper, instant)


_weapons = st.builds(
    Weapon,
    st.text(min_size=1, max_size=20),
    st.none() | st.integers(min_value=0, max_value=10_000),
)

_field_values = st.recursive(
    _scalars | _fuzzy_dates() | _weapons,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=8), children, max_size=4).filter(_not_envelope)
    ),
    max_leaves=12,
)

_optional_text = st.none() | st.text(max_size=30)

accounts = st.builds(
    Account.of,
    st.text(min_size=1, max_size=20),
    st.dictionaries(
        st.text(min_size=1, max_size=15),
        _field_values | _json_values,
        max_size=6,
    ),
    quote=_optional_text,
    attributed_to=_optional_text,
    note=_optional_text,
    origin=_optional_text,
)


@settings(max_examples=150, deadline=None)
@given(accounts)
def test_any_account_round_trips(account: Account) -> None:
    copy = round_trip(account)
    assert copy == account
    assert round_trip(copy) == account


@settings(max_examples=100, deadline=None)
@given(_json_values)
def test_any_json_value_round_trips_frozen(value: Any) -> None:
    """A plain JSON value comes back equal once lists are read as tuples."""
    account = Account.of("r", {"value": value})
    assert round_trip(account).fields["value"] == account.fields["value"]


# --- Round trips of the domain events through the mapper -------------------------------


def _events() -> Iterator[DomainEventProtocol[UUID]]:
    report = Report.register(
        "r1",
        outlet="Wire",
        published=FuzzyDate("2025-12-28", "2025-12-28", "2025-12-28"),
        title="Call",
        url="https://example.invalid/a",
        text="Trump said he had a very good call with Putin.",
        note=None,
    )
    bare = Report.register(
        "r2", outlet="Other", published=FuzzyDate("2025-12~", "2025-11-01", "2026-01-31")
    )
    actor = Actor.register("putin", name="Vladimir Putin", aliases=("Putin",), role="president")
    actor.add_aliases(("V. Putin",))
    development = Development.report(
        "call-1",
        "call",
        Account.of(
            "r1",
            {
                "participants": ("putin", "trump"),
                "occurred": FuzzyDate(
                    "2025-12-28T13:00:00-05:00",
                    "2025-12-28",
                    "2025-12-28",
                    "2025-12-28T18:00:00Z",
                ),
                "status": "held",
            },
            quote="a very good call",
        ),
    )
    development.retell(
        "call",
        Account.of("r2", {"duration_min": 75, "positions": {"a": "b"}}, note="later"),
    )
    development.retract("r2", "denied", quote="no call")
    development.void(2, "typo")
    development.void(3, "wrong report")
    strike = Development.report(
        "strike-1",
        "strike",
        Account.of("r1", {"target": "Kyiv", "weapons": (Weapon("Shahed", 12), Weapon("X"))}),
    )
    for aggregate in (report, bare, actor, development, strike):
        yield from aggregate.collect_events()


def test_every_event_type_is_exercised() -> None:
    names = sorted({type(event).__qualname__ for event in _events()})
    assert names == [
        "Actor.AliasesAdded",
        "Actor.Registered",
        "Development.Reported",
        "Development.Retold",
        "Development.Retracted",
        "Development.Voided",
        "Report.Registered",
    ]


@pytest.mark.parametrize(
    "event", list(_events()), ids=lambda e: f"{type(e).__qualname__}-v{e.originator_version}"
)
def test_event_round_trips_through_the_mapper(event: DomainEventProtocol[UUID]) -> None:
    mapper: Mapper[UUID] = Mapper(construct_transcoder())
    stored = mapper.to_stored_event(event)
    assert stored.originator_id == event.originator_id
    assert stored.originator_version == event.originator_version
    assert stored.topic.startswith("tracker.domain:")
    copy = mapper.to_domain_event(stored)
    assert type(copy) is type(event)
    assert copy == event
    assert vars(copy) == vars(event)


def test_stored_state_is_orjson_with_envelopes() -> None:
    event = next(e for e in _events() if isinstance(e, Development.Retold))
    mapper: Mapper[UUID] = Mapper(construct_transcoder())
    stored = mapper.to_stored_event(event)
    assert b'"account":{"_type_":"account","_data_":{"report":"r2"' in stored.state
    assert b'"timestamp":{"_type_":"datetime_iso","_data_":"' in stored.state


def test_timestamp_round_trips_as_aware_datetime() -> None:
    moment = datetime(2025, 12, 28, 18, 0, 0, 123456, tzinfo=UTC)
    assert round_trip(moment) == moment
    assert round_trip(moment).tzinfo is not None
