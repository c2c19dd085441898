"""View rows read straight from stored development events, without domain events.

A rebuild, and the writer of a large import, turn every stored event into view rows.
Decoding an event into the library's event object (with its Account, FuzzyDate and
Weapon values) and then reading the rows off it cost 12.5 us an event at 100,000; the
rows of the common events read straight from the stored JSON cost 4.6 us. This is a
second reading of the stored format that ``tracker.transcoding`` writes, so it reads
only what it knows for certain: a development's Reported, Retold, Retracted and
Voided events at their first class version, with the envelopes an account's fields
are made of. Anything else (another event, an upcast, an unknown envelope, a
malformed event, a mapper that encrypts or compresses) goes the reference way: the
mapper decodes it and ``PageRows`` (the projection's visitor) makes its rows, and
raises the error a broken event deserves. A topic that names none of the event classes
of ``tracker.event_visitor`` is refused as unreadable, never passed over. The tests
hold the two ways to the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from projections.event_rows import PageRows
from projections.page import Page
from tracker.dates import four_digit_years
from tracker.domain import Development
from tracker.errors import UnknownEventTopic
from tracker.event_visitor import EVENT_TOPICS


class UnreadableEvent(Exception):
    """A stored event the mapper cannot decode, at its log position."""

    def __init__(self, position: int, error: Exception) -> None:
        super().__init__(position, error)
        self.position = position
        self.error = error


class _NotPlain(Exception):
    """Not a case the straight reading knows: read it the reference way."""


# A stored event as a row of the log: its position, its originator's id as the database
# gives it (hex text in SQLite, a UUID in PostgreSQL), its version, topic and state.
LogRow = tuple[int, Any, int, str, bytes]

_HEX_ID = re.compile(r"[0-9a-f]{32}")


def page_of_stored(events: Iterable[tuple[StoredEvent, int]], mapper: Mapper[Any]) -> Page:
    """The view rows of stored events at their log positions: ``page_of`` of the
    decoded events, without decoding the common ones. An event the mapper cannot
    decode raises ``UnreadableEvent``."""
    return page_of_rows(
        (
            (position, stored.originator_id, stored.originator_version, stored.topic, stored.state)
            for stored, position in events
        ),
        mapper,
    )


def page_of_rows(rows: Iterable[LogRow], mapper: Mapper[Any]) -> Page:
    """The view rows of the log's rows (position, originator id, version, topic, state)
    as they are read: the common events straight from their JSON, with no
    ``Notification`` nor UUID made for them (4.2 against 1.8 us a row), any other
    through the mapper. An event that cannot be read raises ``UnreadableEvent``."""
    page = Page()
    decoded = PageRows(page)
    straight = mapper.cipher is None and mapper.compressor is None
    for position, originator, version, topic, state in rows:
        if straight and _add_straight(originator, version, topic, state, page, position):
            continue
        try:
            uuid = originator if type(originator) is UUID else UUID(str(originator))
        except ValueError as error:
            raise UnreadableEvent(position, error) from error
        if topic not in EVENT_TOPICS:
            # Refused as ``tracker.transcoding.TrackerMapper`` refuses it, whatever the
            # mapper: a class no visitor handles has no rows to give.
            event_name = f"event {version} of aggregate {uuid}"
            raise UnreadableEvent(position, UnknownEventTopic(topic, event=event_name))
        stored = StoredEvent(
            originator_id=uuid, originator_version=version, topic=topic, state=state
        )
        try:
            event = mapper.to_domain_event(stored)
        except Exception as error:
            raise UnreadableEvent(position, error) from error
        decoded.position = position
        decoded.visit(event)
    return page


def telling_contents(rows: Iterable[LogRow], mapper: Mapper[Any]) -> dict[int, dict[str, Any]]:
    """What the accounts and retractions among the log's rows say (report, fields,
    quote, attribution, note, reason), by log position: the part of a telling that the
    tellings table leaves to the log."""
    return {position: row for _, _, position, row in page_of_rows(rows, mapper).tellings}


def add_stored_to_page(stored: StoredEvent, page: Page, position: int) -> bool:
    """Add the event's rows to the page if it is one this module reads; whether it was."""
    return _add_straight(
        stored.originator_id, stored.originator_version, stored.topic, stored.state, page, position
    )


def _add_straight(
    originator: Any, version: int, topic: str, state: bytes, page: Page, position: int
) -> bool:
    read = _READERS.get(topic)
    if read is None:
        return False
    try:
        data = orjson.loads(state)
        if type(data) is not dict or "class_version" in data:
            return False
        if type(originator) is UUID:
            hex_id = originator.hex
        elif type(originator) is str and _HEX_ID.fullmatch(originator):
            hex_id = originator  # as the SQLite recorders write it
        else:
            hex_id = UUID(str(originator)).hex
        read(hex_id, version, data, page, position)
    except (_NotPlain, KeyError, TypeError, ValueError):
        return False  # nothing was added: each reader adds its rows last
    return True


def _reported(hex_id: str, version: int, data: dict[str, Any], page: Page, position: int) -> None:
    telling = (hex_id, 1, position, _account_row(data["account"]))
    page.developments.append((hex_id, data["development_id"], data["kind"], position))
    page.tellings.append(telling)


def _retold(hex_id: str, version: int, data: dict[str, Any], page: Page, position: int) -> None:
    page.tellings.append((hex_id, version, position, _account_row(data["account"])))


def _retracted(hex_id: str, version: int, data: dict[str, Any], page: Page, position: int) -> None:
    row = {
        "report_id": data["report_id"],
        "retraction": True,
        "reason": data["reason"],
        "quote": data["quote"],
    }
    page.tellings.append((hex_id, version, position, row))


def _voided(hex_id: str, version: int, data: dict[str, Any], page: Page, position: int) -> None:
    page.voids.append((hex_id, data["voided_version"], position, data["reason"]))


def _account_row(envelope: Any) -> dict[str, Any]:
    """``event_rows._account_row`` of the account the envelope holds."""
    if type(envelope) is not dict or len(envelope) != 2 or envelope.get("_type_") != "account":
        raise _NotPlain
    account = envelope["_data_"]
    if type(account) is not dict or type(account["fields"]) is not dict:
        raise _NotPlain
    return {
        "report_id": account["report"],
        "fields": {
            name: _view(value) if type(value) in _NESTED else value
            for name, value in account["fields"].items()
        },
        "quote": account.get("quote"),
        "attributed_to": account.get("attributed_to"),
        "note": account.get("note"),
    }


_NESTED = frozenset({dict, list})


def _view(value: Any) -> Any:
    """``event_rows.view_json`` of the field value this stored JSON decodes to."""
    kind = type(value)
    if kind is dict:
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            return _ENVELOPES[value["_type_"]](value["_data_"])
        return {key: _view(item) for key, item in value.items()}
    if kind is list:
        return [_view(item) for item in value]
    return value


def _fuzzy_date(data: Any) -> dict[str, Any]:
    text, lower, upper, instant = data
    lower, upper, instant = four_digit_years(lower, upper, instant)
    encoded = {"text": text, "lower": lower, "upper": upper}
    if instant is not None:
        encoded["instant"] = instant
    return encoded


def _weapon(data: Any) -> dict[str, Any]:
    name, count = data
    return {"name": name, "count": count}


def _tuple(data: Any) -> list[Any]:
    if type(data) is not list:
        raise _NotPlain
    return [_view(item) for item in data]


def _escaped_dict(data: Any) -> dict[str, Any]:
    if type(data) is not dict:
        raise _NotPlain
    return {key: _view(item) for key, item in data.items()}


# The transcodings an account's field values are stored with (tracker.transcoding).
_ENVELOPES: dict[str, Callable[[Any], Any]] = {
    "fuzzy_date": _fuzzy_date,
    "weapon": _weapon,
    "tuple_as_list": _tuple,
    "_dict_": _escaped_dict,
}

_Reader = Callable[[str, int, dict[str, Any], Page, int], None]
_READERS: dict[str, _Reader] = {
    get_topic(cls): reader
    for cls, reader in (
        (Development.Reported, _reported),
        (Development.Retold, _retold),
        (Development.Retracted, _retracted),
        (Development.Voided, _voided),
    )
    # An event class at a later version is upcast by the mapper: read it that way.
    if getattr(cls, "class_version", 1) == 1
}

if not set(_READERS) <= set(EVENT_TOPICS):
    # At import: a reader of a topic the visitor does not know would read rows that
    # ``PageRows``, the reference the tests hold these readers to, never makes.
    raise ImportError("projections.stored_rows reads a topic tracker.event_visitor does not know")
