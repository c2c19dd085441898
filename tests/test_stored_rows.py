"""View rows read straight from stored events equal the rows of the decoded events, and
whatever the straight reading does not know goes the reference way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from uuid import UUID

import orjson
import pytest
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.event_rows import page_of
from projections.page import Page
from projections.raw_rows import LogRow, UnreadableEvent, page_of_rows
from projections.raw_rows.straight import add_straight
from tests.test_transcoding import _events, accounts
from tracker.domain import Development
from tracker.errors import UnknownEventTopic
from tracker.transcoding import construct_transcoder
from tracker.values import Account

MAPPER: Mapper[Any] = Mapper(transcoder=construct_transcoder())


def _rows(page: Page) -> dict[str, Any]:
    return {
        "reports": page.reports,
        "actors": page.actors,
        "alias_additions": page.alias_additions,
        "developments": page.developments,
        "tellings": page.tellings,
        "voids": page.voids,
    }


def page_of_stored(events: Iterable[tuple[StoredEvent, int]], mapper: Mapper[Any]) -> Page:
    """The rows of stored events at their log positions, their ids as the events hold
    them, as an import's writer reads them (``BulkSession.append_produced``)."""
    return page_of_rows(
        (
            (position, stored.originator_id, stored.originator_version, stored.topic, stored.state)
            for stored, position in events
        ),
        mapper,
    )


def _log_rows(stored: list[StoredEvent], positions: range) -> list[LogRow]:
    """The events as SQLite's log gives them to a rebuild's readers: ids in hex."""
    return [
        (position, UUID(str(event.originator_id)).hex, event.originator_version,
         event.topic, event.state)
        for event, position in zip(stored, positions, strict=True)
    ]  # fmt: skip


def _both_ways(stored: list[StoredEvent]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The rows read straight (from stored events, and from the log's rows, which must
    agree), and the rows of the decoded events."""
    positions = range(1, len(stored) + 1)
    decoded = [MAPPER.to_domain_event(event) for event in stored]
    reference = _rows(page_of(zip(decoded, positions, strict=True)))
    straight = _rows(page_of_stored(zip(stored, positions, strict=True), MAPPER))
    assert _rows(page_of_rows(_log_rows(stored, positions), MAPPER)) == straight
    return straight, reference


def _read_straight(stored: StoredEvent) -> bool:
    page = Page()
    return add_straight(
        stored.originator_id, stored.originator_version, stored.topic, stored.state, page, 1
    )


@settings(max_examples=150, deadline=None)
@given(
    first=accounts,
    later=accounts,
    retraction_quote=st.none() | st.text(max_size=20),
    claim_value=st.fixed_dictionaries(
        {
            "_type_": st.sampled_from(["fuzzy_date", "weapon", "_dict_", "account", "x"]),
            "_data_": st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text(max_size=5),
        }
    ),
)
def test_development_events_read_straight_give_the_rows_of_the_decoded_events(
    first: Account, later: Account, retraction_quote: str | None, claim_value: dict[str, int]
) -> None:
    # A claim's value may be shaped like an envelope: it is stored escaped.
    later = Account.of(later.report_id, {**later.fields, "value": claim_value})
    development = Development.report("d-1", "claim", first)
    development.retell("claim", later)
    development.retract("r9", "denied", quote=retraction_quote)
    development.void(2, "typo")
    stored = [MAPPER.to_stored_event(event) for event in development.collect_events()]
    assert all(_read_straight(event) for event in stored)
    straight, reference = _both_ways(stored)
    assert straight == reference


def test_every_kind_of_event_gives_the_rows_of_the_decoded_events() -> None:
    stored = [MAPPER.to_stored_event(event) for event in _events()]
    straight, reference = _both_ways(stored)
    assert straight == reference
    assert [_read_straight(event) for event in stored] == [
        False,  # reports, actors and their aliases are decoded
        False,
        False,
        False,
        True,  # a development's events are read straight
        True,
        True,
        True,
        True,
        True,
    ]


def _stored_account(fields: dict[str, Any]) -> StoredEvent:
    event = Development.report("d-2", "claim", Account.of("r1", {"subject": "x"}))
    stored = MAPPER.to_stored_event(next(iter(event.collect_events())))
    state = orjson.loads(stored.state)
    state["account"]["_data_"]["fields"] = fields
    return replace(stored, state=orjson.dumps(state))


@pytest.mark.parametrize(
    "fields",
    [
        {"when": {"_type_": "datetime_iso", "_data_": "2025-12-28T10:00:00+00:00"}},
        {"value": {"_type_": "tuple_as_list", "_data_": {"a": 1}}},
        {"value": {"_type_": "_dict_", "_data_": [1, 2]}},
    ],
    ids=["an envelope it does not know", "a tuple that is no list", "an escaped non-dict"],
)
def test_what_it_does_not_know_goes_the_reference_way(fields: dict[str, Any]) -> None:
    stored = _stored_account(fields)
    assert not _read_straight(stored)
    try:
        reference: Any = _rows(page_of([(MAPPER.to_domain_event(stored), 1)]))
    except Exception as error:
        reference = type(error)
    try:
        straight: Any = _rows(page_of_stored([(stored, 1)], MAPPER))
    except UnreadableEvent as unreadable:
        straight = type(unreadable.error)
    except Exception as error:
        straight = type(error)
    assert straight == reference


def test_an_event_of_a_version_it_does_not_know_goes_the_reference_way() -> None:
    stored = _stored_account({"subject": "x"})
    state = orjson.loads(stored.state)
    assert _read_straight(stored)
    state["class_version"] = 3
    assert not _read_straight(replace(stored, state=orjson.dumps(state)))


def test_an_account_stored_before_origins_reads_straight_as_the_upcast_does() -> None:
    """Version 1 of an account event (no ``class_version`` stored, no origin) is read
    straight, and gives the rows the mapper's upcast gives."""
    stored = _stored_account({"subject": "x"})
    state = orjson.loads(stored.state)
    assert state.pop("class_version") == 2
    old = replace(stored, state=orjson.dumps(state))
    assert _read_straight(old)
    assert _rows(page_of_stored([(old, 1)], MAPPER)) == _rows(
        page_of([(MAPPER.to_domain_event(old), 1)])
    )


def test_an_event_that_does_not_decode_is_named_by_its_position() -> None:
    stored = replace(_stored_account({"subject": "x"}), state=b'{"account": ')
    with pytest.raises(UnreadableEvent) as raised:
        page_of_stored([(stored, 41)], MAPPER)
    assert raised.value.position == 41


def test_a_log_row_whose_originator_is_not_an_id_is_named_by_its_position() -> None:
    stored = _stored_account({"subject": "x"})
    tampered = (41, "not-an-id", stored.originator_version, stored.topic, stored.state)
    with pytest.raises(UnreadableEvent) as raised:
        page_of_rows([tampered], MAPPER)
    assert raised.value.position == 41
    # Another spelling of the same id is read as that id.
    dashed = (41, str(stored.originator_id), *tampered[2:])
    assert _rows(page_of_rows([dashed], MAPPER)) == _rows(page_of_stored([(stored, 41)], MAPPER))


def test_a_topic_no_visitor_knows_is_unreadable_whatever_the_mapper() -> None:
    """The library's own mapper would decode the library's base event class; nothing
    reads rows from it, so it is refused rather than passed over."""
    stored = replace(_stored_account({"subject": "x"}), topic=get_topic(Development.Event))
    with pytest.raises(UnreadableEvent) as raised:
        page_of_stored([(stored, 41)], MAPPER)
    assert raised.value.position == 41
    assert isinstance(raised.value.error, UnknownEventTopic)
    assert raised.value.error.topic == get_topic(Development.Event)


def test_a_mapper_that_compresses_is_always_read_the_reference_way() -> None:
    from eventsourcing.compressor import ZlibCompressor

    compressing: Mapper[Any] = Mapper(
        transcoder=construct_transcoder(), compressor=ZlibCompressor()
    )
    events = list(_events())
    stored = [compressing.to_stored_event(event) for event in events]
    positions = range(1, len(stored) + 1)
    assert _rows(page_of_stored(zip(stored, positions, strict=True), compressing)) == _rows(
        page_of(zip(events, positions, strict=True))
    )
