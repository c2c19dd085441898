"""The common development events read straight from their stored JSON.

A second reading of the stored format that ``tracker.transcoding`` writes, so it reads
only what it knows for certain: a development's Reported, Retold, Retracted and Voided
events at the class versions it knows (an account event of version 1 names no origin,
which is all its upcast says), with the envelopes an account's fields are made of.
Anything else (another event, a version it does not know, an unknown envelope, a
malformed event)
is left to the reference way (``projections.raw_rows``), and so is every event of a
mapper that encrypts or compresses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.utils import get_topic

from projections.page import Page
from tracker.dates import four_digit_years
from tracker.domain import Development
from tracker.event_visitor import EVENT_TOPICS


class _NotPlain(Exception):
    """Not a case the straight reading knows: read it the reference way."""


_HEX_ID = re.compile(r"[0-9a-f]{32}")


def add_straight(
    originator: Any, version: int, topic: str, state: bytes, page: Page, position: int
) -> bool:
    """Add the stored event's rows to the page if it is one this module reads; whether
    it was."""
    reader = _READERS.get(topic)
    if reader is None:
        return False
    read, versions = reader
    try:
        data = orjson.loads(state)
        if type(data) is not dict or data.get("class_version", 1) not in versions:
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
        "origin": account.get("origin"),
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
# Each reader with the stored class versions it reads as the mapper's upcasts would:
# an account event's version 1 differs from its version 2 only in naming no origin.
# A class at a version not listed here is read the reference way.
_READS: tuple[tuple[type, _Reader, frozenset[int]], ...] = (
    (Development.Reported, _reported, frozenset({1, 2})),
    (Development.Retold, _retold, frozenset({1, 2})),
    (Development.Retracted, _retracted, frozenset({1})),
    (Development.Voided, _voided, frozenset({1})),
)
_READERS: dict[str, tuple[_Reader, frozenset[int]]] = {
    get_topic(cls): (reader, versions)
    for cls, reader, versions in _READS
    if getattr(cls, "class_version", 1) == max(versions)
}

if not set(_READERS) <= set(EVENT_TOPICS):
    # At import: a reader of a topic the visitor does not know would read rows that
    # ``PageRows``, the reference the tests hold these readers to, never makes.
    raise ImportError(
        "projections.raw_rows.straight reads a topic tracker.event_visitor does not know"
    )
