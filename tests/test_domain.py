"""The aggregates' behaviour, and the field table's validation of raw input."""

from __future__ import annotations

import hashlib
import re
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest

from tracker.dates import FuzzyDate
from tracker.domain import Actor, Development, Report, text_sha256
from tracker.errors import InvalidRecord, KindMismatch, UnknownActor
from tracker.kinds import KINDS, field_specs, parse_fields, plain_value
from tracker.values import Account, Weapon

NAMESPACE = uuid5(NAMESPACE_URL, "https://tracker.invalid/ids")
PUBLISHED = FuzzyDate("2025-12-28", "2025-12-28", "2025-12-28")


def account(report_id: str = "r1", **fields: Any) -> Account:
    return Account.of(report_id, fields)


# --- Ids --------------------------------------------------------------------------------


def test_ids_are_uuid5_per_kind() -> None:
    assert Report.create_id("x") == uuid5(NAMESPACE, "report:x")
    assert Actor.create_id("x") == uuid5(NAMESPACE, "actor:x")
    assert Development.create_id("x") == uuid5(NAMESPACE, "development:x")


def test_ids_are_pinned() -> None:
    # Stored events are keyed by these: a change would orphan every existing store.
    assert Report.create_id("r1") == UUID("3297f171-004e-598d-a492-8359323dd151")
    assert Actor.create_id("putin") == UUID("b30f2076-6cac-5221-b1c3-1e40b0adbe93")
    assert Development.create_id("call-1") == UUID("9a0c4b07-7c49-5f0e-a17a-b3da12de4aef")


def test_same_analyst_id_gives_different_ids_per_kind() -> None:
    ids = {Report.create_id("x"), Actor.create_id("x"), Development.create_id("x")}
    assert len(ids) == 3


def test_ids_are_stable_and_distinct() -> None:
    assert Report.create_id("r1") == Report.create_id("r1")
    assert Report.create_id("r1") != Report.create_id("r2")
    assert Report.create_id("r1") != Report.create_id("R1")


def test_aggregates_take_their_stable_ids() -> None:
    report = Report.register("r1", outlet="Wire", published=PUBLISHED)
    actor = Actor.register("putin", name="Vladimir Putin")
    development = Development.report("call-1", "call", account())
    assert report.id == uuid5(NAMESPACE, "report:r1")
    assert actor.id == uuid5(NAMESPACE, "actor:putin")
    assert development.id == uuid5(NAMESPACE, "development:call-1")


# --- Report -----------------------------------------------------------------------------


def test_report_register_with_text_computes_its_sha256() -> None:
    text = "Trump said he had a very good call with Putin — today."
    report = Report.register(
        "r1",
        outlet="Wire",
        published=PUBLISHED,
        title="Call",
        url="https://example.invalid/a",
        text=text,
        note="n",
    )
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert report.sha256 == expected
    assert text_sha256(text) == expected
    assert text_sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert (report.report_id, report.outlet, report.published) == ("r1", "Wire", PUBLISHED)
    assert (report.title, report.url, report.text, report.note) == (
        "Call",
        "https://example.invalid/a",
        text,
        "n",
    )
    assert report.version == 1
    [event] = report.collect_events()
    assert isinstance(event, Report.Registered)
    assert event.sha256 == expected
    assert event.text == text


def test_report_register_without_text_has_no_sha256() -> None:
    report = Report.register("r2", outlet="Wire", published=PUBLISHED)
    assert report.text is None
    assert report.sha256 is None
    assert (report.title, report.url, report.note) == (None, None, None)
    [event] = report.collect_events()
    assert isinstance(event, Report.Registered)
    assert event.sha256 is None


def test_report_with_empty_text_still_has_a_sha256() -> None:
    report = Report.register("r3", outlet="Wire", published=PUBLISHED, text="")
    assert report.sha256 == hashlib.sha256(b"").hexdigest()


# --- Actor ------------------------------------------------------------------------------


def test_actor_register() -> None:
    actor = Actor.register("putin", name="Vladimir Putin", aliases=("Putin",), role="president")
    assert (actor.actor_id, actor.name, actor.aliases, actor.role) == (
        "putin",
        "Vladimir Putin",
        ("Putin",),
        "president",
    )
    [event] = actor.collect_events()
    assert isinstance(event, Actor.Registered)
    assert event.aliases == ("Putin",)


def test_add_aliases_appends_new_ones_in_one_event() -> None:
    actor = Actor.register("putin", name="Vladimir Putin", aliases=("Putin",))
    actor.collect_events()
    actor.add_aliases(("V. Putin", "Vova"))
    assert actor.aliases == ("Putin", "V. Putin", "Vova")
    assert actor.version == 2
    [event] = actor.collect_events()
    assert isinstance(event, Actor.AliasesAdded)
    assert event.aliases == ("V. Putin", "Vova")
    assert event.originator_version == 2


def test_add_aliases_ignores_known_ones_case_insensitively() -> None:
    actor = Actor.register("putin", name="Vladimir Putin", aliases=("Putin",))
    actor.collect_events()
    actor.add_aliases(("PUTIN", "vladimir putin", "Putin", "Vova"))
    assert actor.aliases == ("Putin", "Vova")
    [event] = actor.collect_events()
    assert isinstance(event, Actor.AliasesAdded)
    assert event.aliases == ("Vova",)


def test_add_aliases_with_nothing_new_fires_no_event() -> None:
    actor = Actor.register("putin", name="Vladimir Putin", aliases=("Putin",))
    actor.collect_events()
    actor.add_aliases(("putin", "PUTIN", "Vladimir PUTIN"))
    actor.add_aliases(())
    assert actor.aliases == ("Putin",)
    assert actor.version == 1
    assert actor.collect_events() == []


def test_add_aliases_ignores_duplicates_within_the_new_aliases() -> None:
    actor = Actor.register("putin", name="Vladimir Putin")
    actor.collect_events()
    actor.add_aliases(("Vova", "VOVA", "vova"))
    assert actor.aliases == ("Vova",)
    [event] = actor.collect_events()
    assert isinstance(event, Actor.AliasesAdded)
    assert event.aliases == ("Vova",)


def test_add_aliases_uses_casefold() -> None:
    actor = Actor.register("merz", name="Friedrich Merz", aliases=("STRASSE",))
    actor.collect_events()
    actor.add_aliases(("straße",))
    assert actor.aliases == ("STRASSE",)
    assert actor.collect_events() == []


# --- Development ------------------------------------------------------------------------


def test_development_report() -> None:
    first = account(participants=("putin", "trump"), status="held")
    development = Development.report("call-1", "call", first)
    assert (development.development_id, development.kind) == ("call-1", "call")
    assert development.account_versions == {1}
    assert development.retractions == {}
    assert development.voided == {}
    assert development.version == 1
    [event] = development.collect_events()
    assert isinstance(event, Development.Reported)
    assert (event.development_id, event.kind, event.account) == ("call-1", "call", first)
    assert event.originator_version == 1


def test_retell_retract_void_each_add_a_version() -> None:
    first = account(participants=("putin", "trump"))
    second = account("r2", duration_min=75)
    development = Development.report("call-1", "call", first)
    development.retell("call", second)
    development.retract("r3", "denied", quote="there was no call")
    development.void(2, "typo")
    assert development.version == 4
    assert development.account_versions == {1, 2}
    assert development.retractions == {3: "r3"}
    assert development.voided == {2: "typo"}
    events = development.collect_events()
    assert [type(e) for e in events] == [
        Development.Reported,
        Development.Retold,
        Development.Retracted,
        Development.Voided,
    ]
    assert [e.originator_version for e in events] == [1, 2, 3, 4]
    retold, retracted, voided = events[1:]
    assert isinstance(retold, Development.Retold)
    assert retold.account == second
    assert isinstance(retracted, Development.Retracted)
    assert (retracted.report_id, retracted.reason, retracted.quote) == (
        "r3",
        "denied",
        "there was no call",
    )
    assert isinstance(voided, Development.Voided)
    assert (voided.voided_version, voided.reason) == (2, "typo")


def test_retract_without_quote() -> None:
    development = Development.report("call-1", "call", account())
    development.retract("r2", "denied")
    [_, event] = development.collect_events()
    assert isinstance(event, Development.Retracted)
    assert event.quote is None


def test_retell_by_the_same_report_is_allowed() -> None:
    development = Development.report("call-1", "call", account())
    development.retell("call", account(tone="warm"))
    assert development.account_versions == {1, 2}
    assert development.collect_events()[1].account == account(tone="warm")


def test_retell_with_another_kind_raises_kind_mismatch() -> None:
    development = Development.report("call-1", "call", account())
    development.collect_events()
    message = "development 'call-1' is a call, not a meeting"
    with pytest.raises(KindMismatch, match=f"^{re.escape(message)}$"):
        development.retell("meeting", account("r2"))
    assert issubclass(KindMismatch, InvalidRecord)
    assert development.version == 1
    assert development.account_versions == {1}
    assert development.collect_events() == []


@pytest.mark.parametrize("version", [0, 5, -1, 3])
def test_void_of_a_version_that_is_not_an_account_or_retraction(version: int) -> None:
    development = Development.report("call-1", "call", account())
    development.retract("r2", "denied")  # version 2
    development.void(2, "wrong report")  # version 3: a Voided event
    development.collect_events()
    message = f"version {version} of 'call-1' is not an account or retraction"
    with pytest.raises(InvalidRecord, match=f"^{re.escape(message)}$"):
        development.void(version, "again")
    assert development.version == 3
    assert development.collect_events() == []


def test_void_twice_raises() -> None:
    development = Development.report("call-1", "call", account())
    development.retell("call", account("r2"))
    development.void(2, "typo")
    development.collect_events()
    with pytest.raises(InvalidRecord, match=r"^version 2 of 'call-1' is already void$"):
        development.void(2, "again")
    assert development.voided == {2: "typo"}
    assert development.version == 3
    assert development.collect_events() == []


def test_void_of_a_retraction() -> None:
    development = Development.report("call-1", "call", account())
    development.retract("r2", "denied")
    development.void(2, "wrong report")
    assert development.retractions == {2: "r2"}
    assert development.voided == {2: "wrong report"}
    [*_, event] = development.collect_events()
    assert isinstance(event, Development.Voided)
    assert event.voided_version == 2
    assert event.originator_version == 3


def test_void_of_the_first_account() -> None:
    development = Development.report("call-1", "call", account())
    development.void(1, "not a call")
    assert development.voided == {1: "not a call"}


def test_development_rebuilt_from_its_events() -> None:
    development = Development.report("call-1", "call", account(participants=("a", "b")))
    development.retell("call", account("r2", tone="warm"))
    development.retract("r3", "denied")
    development.void(2, "typo")
    events = development.collect_events()
    copy = None
    for event in events:
        copy = event.mutate(copy)
    assert isinstance(copy, Development)
    assert copy.account_versions == {1, 2}
    assert copy.retractions == {3: "r3"}
    assert copy.voided == {2: "typo"}
    assert copy.version == 4


def test_actor_rebuilt_from_its_events() -> None:
    actor = Actor.register("putin", name="Vladimir Putin", aliases=("Putin",))
    actor.add_aliases(("Vova",))
    copy = None
    for event in actor.collect_events():
        copy = event.mutate(copy)
    assert isinstance(copy, Actor)
    assert copy.aliases == ("Putin", "Vova")


# --- kinds.parse_fields -----------------------------------------------------------------

ACTORS = {
    "trump": "trump",
    "donald trump": "trump",
    "putin": "putin",
    "vladimir putin": "putin",
    "zelensky": "zelensky",
    "ukraine": "ukraine",
}


def resolve(name: str) -> str:
    try:
        return ACTORS[name.strip().casefold()]
    except KeyError:
        raise UnknownActor(f"unknown actor {name!r}") from None


def parse(kind: str, raw: dict[str, Any], *, first: bool = True) -> dict[str, Any]:
    return parse_fields(kind, raw, resolve, first_account=first)


def test_kinds_table() -> None:
    assert list(KINDS) == ["call", "meeting", "plan", "strike", "statement", "claim", "issue"]
    required = {name: [s.name for s in kind.fields if s.required] for name, kind in KINDS.items()}
    assert required == {
        "call": ["participants"],
        "meeting": ["participants", "status"],
        "plan": [],
        "strike": ["target"],
        "issue": ["status"],
        "statement": ["speaker", "quote"],
        "claim": ["subject", "value", "claimant"],
    }
    defaults = {
        (name, s.name): s.default for name, kind in KINDS.items() for s in kind.fields if s.default
    }
    assert defaults == {("call", "status"): "held", ("claim", "stance"): "asserts"}
    assert field_specs("call")[3].option == "--duration-min"


def test_unknown_kind() -> None:
    with pytest.raises(InvalidRecord, match=r"^unknown development type 'visit' \(expected"):
        parse("visit", {})


@pytest.mark.parametrize(
    ("kind", "raw", "missing"),
    [
        ("call", {}, "participants"),
        ("meeting", {"participants": ["Trump", "Putin"]}, "status"),
        ("meeting", {"status": "held"}, "participants"),
        ("strike", {"by": "Putin"}, "target"),
        ("issue", {"title": "land"}, "status"),
        ("statement", {"speaker": "Trump"}, "quote"),
        ("statement", {"quote": "words"}, "speaker"),
        ("claim", {"subject": "s", "claimant": "Trump"}, "value"),
        ("claim", {"value": 1, "claimant": "Trump"}, "subject"),
        ("claim", {"subject": "s", "value": 1}, "claimant"),
        ("call", {"participants": None}, "participants"),
    ],
)
def test_required_fields_on_the_first_account(kind: str, raw: dict[str, Any], missing: str) -> None:
    with pytest.raises(InvalidRecord, match=f"^{kind} needs '{missing}'$"):
        parse(kind, raw)


@pytest.mark.parametrize("kind", list(KINDS))
def test_no_field_is_required_of_a_later_account(kind: str) -> None:
    assert parse(kind, {}, first=False) == {}


def test_first_call_gets_the_default_status() -> None:
    assert parse("call", {"participants": ["Trump", "Putin"]}) == {
        "participants": ("putin", "trump"),
        "status": "held",
    }


def test_given_status_overrides_the_default() -> None:
    fields = parse("call", {"participants": ["Trump", "Putin"], "status": "planned"})
    assert fields["status"] == "planned"


def test_later_call_gets_no_default_status() -> None:
    assert parse("call", {"tone": "warm"}, first=False) == {"tone": "warm"}


def test_first_claim_gets_the_default_stance() -> None:
    assert parse("claim", {"subject": "call-count", "value": 3, "claimant": "Trump"}) == {
        "subject": "call-count",
        "value": 3,
        "claimant": "trump",
        "stance": "asserts",
    }


def test_later_claim_gets_no_default_stance() -> None:
    assert parse("claim", {"value": 4}, first=False) == {"value": 4}


def test_none_is_absent() -> None:
    assert parse("call", {"tone": None, "initiator": None}, first=False) == {}


def test_unknown_field_is_rejected() -> None:
    with pytest.raises(InvalidRecord, match=r"^unknown field 'bogus' for type 'call'$"):
        parse("call", {"participants": ["Trump", "Putin"], "bogus": 1, "zzz": 2})
    with pytest.raises(InvalidRecord, match=r"^unknown field 'target' for type 'call'$"):
        parse("call", {"target": "Kyiv"}, first=False)


def test_full_call() -> None:
    fields = parse(
        "call",
        {
            "participants": ["Donald Trump", "putin", "Zelensky"],
            "occurred": "2025-12-28T13:00:00-05:00",
            "status": "held",
            "duration_min": 75,
            "duration_text": "over an hour",
            "initiator": "TRUMP",
            "tone": "very good",
        },
    )
    assert fields == {
        "participants": ("putin", "trump", "zelensky"),
        "occurred": FuzzyDate(
            "2025-12-28T13:00:00-05:00", "2025-12-28", "2025-12-28", "2025-12-28T18:00:00Z"
        ),
        "status": "held",
        "duration_min": 75,
        "duration_text": "over an hour",
        "initiator": "trump",
        "tone": "very good",
    }


# participants


@pytest.mark.parametrize(
    "participants",
    [["Trump", "trump"], ["Trump", "Donald Trump"], ["Putin"], []],
)
def test_participants_need_two_distinct_actors(participants: list[str]) -> None:
    message = "'participants' needs two or more distinct actors"
    with pytest.raises(InvalidRecord, match=f"^{re.escape(message)}$"):
        parse("call", {"participants": participants})


@pytest.mark.parametrize("participants", ["Trump,Putin", ["Trump", 3], ("Trump", "Putin")])
def test_participants_must_be_a_list_of_names(participants: Any) -> None:
    with pytest.raises(InvalidRecord, match=r"^'participants' must be a list of actor names$"):
        parse("call", {"participants": participants})


def test_participants_are_sorted_and_deduplicated() -> None:
    fields = parse("meeting", {"participants": ["Zelensky", "Trump", "trump"], "status": "held"})
    assert fields["participants"] == ("trump", "zelensky")


def test_claim_participants_also_need_two() -> None:
    with pytest.raises(InvalidRecord, match="two or more distinct actors"):
        parse("claim", {"participants": ["Trump"]}, first=False)


def test_unknown_actor_propagates() -> None:
    with pytest.raises(UnknownActor, match=r"^unknown actor 'Biden'$"):
        parse("call", {"participants": ["Trump", "Biden"]})
    with pytest.raises(UnknownActor):
        parse("strike", {"by": "Biden"}, first=False)


def test_actor_field() -> None:
    assert parse("strike", {"target": "Kyiv", "by": " Putin "}) == {
        "target": "Kyiv",
        "by": "putin",
    }


# percent


@pytest.mark.parametrize("value", [0, 100, 55.5, 0.0, 100.0])
def test_percent_in_range(value: float) -> None:
    assert parse("plan", {"readiness_pct": value}) == {"readiness_pct": value}


@pytest.mark.parametrize("value", [-1, -0.1, 100.1, 101, True, False, "50", [50]])
def test_percent_out_of_range_or_not_a_number(value: Any) -> None:
    message = f"'readiness_pct' must be a number from 0 to 100, not {value!r}"
    with pytest.raises(InvalidRecord, match=f"^{re.escape(message)}$"):
        parse("plan", {"readiness_pct": value})


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_percent_rejects_nan_and_infinity(value: float) -> None:
    with pytest.raises(InvalidRecord, match="must be a number from 0 to 100"):
        parse("plan", {"readiness_pct": value})


# int


@pytest.mark.parametrize("value", [0, 1, 75, 10_000])
def test_int_non_negative(value: int) -> None:
    assert parse("plan", {"points": value}) == {"points": value}
    assert type(parse("plan", {"points": value})["points"]) is int


@pytest.mark.parametrize("value", [-1, True, False, 1.5, 2.0, "75"])
def test_int_rejects_negative_bool_float_and_text(value: Any) -> None:
    message = f"'points' must be a non-negative whole number, not {value!r}"
    with pytest.raises(InvalidRecord, match=f"^{re.escape(message)}$"):
        parse("plan", {"points": value})


# weapons


def test_weapons() -> None:
    fields = parse(
        "strike",
        {
            "target": "Kyiv",
            "weapons": [
                {"name": "Shahed", "count": 12},
                {"name": "Kalibr"},
                {"name": "Kh-101", "count": None},
                {"name": "Iskander", "count": 0},
            ],
        },
    )
    assert fields["weapons"] == (
        Weapon("Shahed", 12),
        Weapon("Kalibr", None),
        Weapon("Kh-101", None),
        Weapon("Iskander", 0),
    )


@pytest.mark.parametrize(
    ("weapons", "message"),
    [
        ([], "'weapons' must be a non-empty list of {name, count}"),
        ({"name": "Shahed"}, "'weapons' must be a non-empty list of {name, count}"),
        ("Shahed", "'weapons' must be a non-empty list of {name, count}"),
        (["Shahed"], "each weapon must be an object with 'name' and optional 'count'"),
        ([{"count": 3}], "each weapon must be an object with 'name' and optional 'count'"),
        (
            [{"name": "Shahed", "kind": "drone"}],
            "each weapon must be an object with 'name' and optional 'count'",
        ),
        (
            [{"name": "Shahed", "count": -1}],
            "weapon count must be a non-negative whole number or null, not -1",
        ),
        (
            [{"name": "Shahed", "count": True}],
            "weapon count must be a non-negative whole number or null, not True",
        ),
        (
            [{"name": "Shahed", "count": "3"}],
            "weapon count must be a non-negative whole number or null, not '3'",
        ),
        (
            [{"name": "Shahed", "count": 2.5}],
            "weapon count must be a non-negative whole number or null, not 2.5",
        ),
        ([{"name": ""}], "'weapon name' must be a non-empty string, not ''"),
        ([{"name": 7}], "'weapon name' must be a non-empty string, not 7"),
    ],
)
def test_weapons_shape(weapons: Any, message: str) -> None:
    with pytest.raises(InvalidRecord, match=f"^{re.escape(message)}$"):
        parse("strike", {"target": "Kyiv", "weapons": weapons})


# positions


def test_positions_resolve_known_actors_and_keep_other_parties() -> None:
    fields = parse(
        "issue",
        {
            "status": "open",
            "positions": {"Ukraine": "no withdrawal", "Vladimir Putin": "all of Donbas", "EU": "?"},
        },
    )
    assert fields["positions"] == {
        "ukraine": "no withdrawal",
        "putin": "all of Donbas",
        "EU": "?",
    }


@pytest.mark.parametrize(
    ("positions", "message"),
    [
        ({}, "'positions' must be a non-empty object of party to text"),
        ([["Ukraine", "no"]], "'positions' must be a non-empty object of party to text"),
        ({"Ukraine": ""}, "'position of Ukraine' must be a non-empty string, not ''"),
        ({"EU": 3}, "'position of EU' must be a non-empty string, not 3"),
    ],
)
def test_positions_shape(positions: Any, message: str) -> None:
    with pytest.raises(InvalidRecord, match=f"^{re.escape(message)}$"):
        parse("issue", {"status": "open", "positions": positions})


# choice


@pytest.mark.parametrize("status", ["proposed", "scheduled", "held", "postponed", "cancelled"])
def test_choice_values(status: str) -> None:
    assert parse("meeting", {"status": status}, first=False) == {"status": status}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "done",
            "'status' must be one of proposed, scheduled, held, postponed, cancelled, not 'done'",
        ),
        (
            "Held",
            "'status' must be one of proposed, scheduled, held, postponed, cancelled, not 'Held'",
        ),
        ("", "'status' must be a non-empty string, not ''"),
        (1, "'status' must be a non-empty string, not 1"),
    ],
)
def test_choice_rejects_other_values(value: Any, message: str) -> None:
    with pytest.raises(InvalidRecord, match=f"^{re.escape(message)}$"):
        parse("meeting", {"status": value}, first=False)


def test_claim_stance_choices() -> None:
    assert parse("claim", {"stance": "denies"}, first=False) == {"stance": "denies"}
    with pytest.raises(InvalidRecord, match="'stance' must be one of asserts, denies, neither"):
        parse("claim", {"stance": "maybe"}, first=False)


# text, texts, date, json


@pytest.mark.parametrize("value", ["", "   ", 3, ["a"]])
def test_text_must_be_a_non_empty_string(value: Any) -> None:
    message = f"'tone' must be a non-empty string, not {value!r}"
    with pytest.raises(InvalidRecord, match=f"^{re.escape(message)}$"):
        parse("call", {"tone": value}, first=False)


def test_texts() -> None:
    assert parse("plan", {"provisions": ["a", "b"]}) == {"provisions": ("a", "b")}
    with pytest.raises(InvalidRecord, match=r"^'provisions' must be a non-empty list of strings$"):
        parse("plan", {"provisions": []})
    with pytest.raises(InvalidRecord, match=r"^'provisions' must be a non-empty list of strings$"):
        parse("plan", {"provisions": "a"})
    with pytest.raises(InvalidRecord, match=r"^'provisions' must be a non-empty string, not 1$"):
        parse("plan", {"provisions": ["a", 1]})


def test_dates() -> None:
    assert parse("plan", {"occurred": "2025-02~"}) == {
        "occurred": FuzzyDate("2025-02~", "2025-01-01", "2025-03-31")
    }
    message = "'occurred': '2025-02-30': day is out of range for month"
    with pytest.raises(InvalidRecord, match=f"^{re.escape(message)}$"):
        parse("plan", {"occurred": "2025-02-30"})
    with pytest.raises(InvalidRecord, match=r"^'planned': a date must be a string, not int$"):
        parse("meeting", {"planned": 2025}, first=False)


@pytest.mark.parametrize("value", [[1, 2], {"kyiv": 3}, 4, 2.5, "three", True, [], {}])
def test_json_value_is_kept_as_given(value: Any) -> None:
    fields = parse("claim", {"value": value}, first=False)
    assert fields == {"value": value}
    assert fields["value"] is value


def test_plain_value_inverts_the_domain_shapes() -> None:
    fields = parse(
        "strike",
        {
            "target": "Kyiv",
            "occurred": "2025-02~",
            "weapons": [{"name": "Shahed", "count": 12}, {"name": "Kalibr"}],
        },
    )
    assert {name: plain_value(value) for name, value in fields.items()} == {
        "target": "Kyiv",
        "occurred": "2025-02~",
        "weapons": [{"name": "Shahed", "count": 12}, {"name": "Kalibr", "count": None}],
    }
    assert plain_value({"a": ("x", "y")}) == {"a": ["x", "y"]}
