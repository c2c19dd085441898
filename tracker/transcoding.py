"""An orjson transcoder for the event store, with transcodings for the value objects,
and the mapper that reads stored events only as the tracker's own event classes."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    Mapper,
    Notification,
    StoredEvent,
    Transcoder,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

from tracker.dates import FuzzyDate, four_digit_years
from tracker.errors import UnknownEventTopic
from tracker.values import Account, Weapon

_JSON_SCALARS = (str, int, float, bool, type(None))
_CONTAINERS = (dict, list)
_ESCAPED_DICT = "_dict_"
_FLAT_LIBRARY_TRANSCODINGS = (UUIDAsHex, DecimalAsStr, DatetimeAsISO)


class OrjsonTranscoder(Transcoder):
    """The library's JSONTranscoder contract (``_type_``/``_data_`` envelopes for
    registered types, exact-type dispatch), encoded and decoded with orjson."""

    def __init__(self) -> None:
        self.types: dict[type, Transcoding] = {}
        self.names: dict[str, Transcoding] = {}
        # Transcodings whose encoded form is a scalar or a list of scalars: neither
        # direction needs to walk it for envelopes, which halves the cost of an event.
        self.flat: set[str] = set()

    def register(self, transcoding: Transcoding) -> None:
        self.types[transcoding.type] = transcoding
        self.names[transcoding.name] = transcoding
        if isinstance(transcoding, _FLAT_LIBRARY_TRANSCODINGS) or getattr(
            transcoding, "encodes_scalars", False
        ):
            self.flat.add(transcoding.name)
        else:
            self.flat.discard(transcoding.name)

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(self._to_json(obj))

    def decode(self, data: bytes) -> Any:
        return self._from_json(orjson.loads(data))

    def _to_json(self, obj: Any) -> Any:
        kind = type(obj)
        if kind in _JSON_SCALARS:
            return obj
        if kind is dict:
            # Scalars inline: most values are, and a call per value doubled the cost.
            encoded = {
                key: value if type(value) in _JSON_SCALARS else self._to_json(value)
                for key, value in obj.items()
            }
            if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
                # Plain data shaped like an envelope (a claim's value may be any JSON).
                return {"_type_": _ESCAPED_DICT, "_data_": encoded}
            return encoded
        if kind is list:
            return [item if type(item) in _JSON_SCALARS else self._to_json(item) for item in obj]
        try:
            transcoding = self.types[kind]
        except KeyError:
            msg = (
                f"Object of type {kind} is not serializable. Please define and register "
                "a custom transcoding for this type."
            )
            raise TranscodingNotRegisteredError(msg) from None
        name = transcoding.name
        if name in self.flat:
            return {"_type_": name, "_data_": transcoding.encode(obj)}
        return {"_type_": name, "_data_": self._to_json(transcoding.encode(obj))}

    def _from_json(self, data: Any) -> Any:
        if type(data) is list:
            return [self._from_json(item) if type(item) in _CONTAINERS else item for item in data]
        if type(data) is not dict:
            return data
        if len(data) == 2 and "_type_" in data and "_data_" in data:
            name = data["_type_"]
            if name == _ESCAPED_DICT and type(data["_data_"]) is dict:
                return {key: self._from_json(value) for key, value in data["_data_"].items()}
            try:
                transcoding = self.names[cast(str, name)]
            except (KeyError, TypeError):
                msg = (
                    f"Data serialized with name '{name}' is not deserializable. "
                    "Please register a custom transcoding for this type."
                )
                raise TranscodingNotRegisteredError(msg) from None
            if name in self.flat:
                return transcoding.decode(data["_data_"])
            return transcoding.decode(self._from_json(data["_data_"]))
        return {
            key: self._from_json(value) if type(value) in _CONTAINERS else value
            for key, value in data.items()
        }


class TupleAsList(Transcoding):
    type = tuple
    name = "tuple_as_list"

    def encode(self, obj: tuple[Any, ...]) -> list[Any]:
        return list(obj)

    def decode(self, data: list[Any]) -> tuple[Any, ...]:
        return tuple(data)


class FuzzyDateAsList(Transcoding):
    """Text and precomputed bounds, so reading an event never parses EDTF."""

    type = FuzzyDate
    name = "fuzzy_date"
    encodes_scalars = True

    def encode(self, obj: FuzzyDate) -> list[str | None]:
        return [obj.text, obj.lower, obj.upper, obj.instant]

    def decode(self, data: list[str | None]) -> FuzzyDate:
        text, lower, upper, instant = data
        lower, upper, instant = four_digit_years(cast(str, lower), cast(str, upper), instant)
        return FuzzyDate(cast(str, text), lower, upper, instant)


class WeaponAsList(Transcoding):
    type = Weapon
    name = "weapon"
    encodes_scalars = True

    def encode(self, obj: Weapon) -> list[str | int | None]:
        return [obj.name, obj.count]

    def decode(self, data: list[Any]) -> Weapon:
        name, count = data
        return Weapon(name, count)


class AccountAsDict(Transcoding):
    type = Account
    name = "account"

    def encode(self, obj: Account) -> dict[str, Any]:
        encoded: dict[str, Any] = {"report": obj.report_id, "fields": obj.fields}
        # Absent keys stay absent: an account without them is stored as before origins.
        for key in ("quote", "attributed_to", "note", "origin"):
            value = getattr(obj, key)
            if value is not None:
                encoded[key] = value
        return encoded

    def decode(self, data: dict[str, Any]) -> Account:
        return Account(
            data["report"],
            data["fields"],
            data.get("quote"),
            data.get("attributed_to"),
            data.get("note"),
            data.get("origin"),
        )


def tracker_transcodings() -> Iterable[Transcoding]:
    return (
        UUIDAsHex(),
        DecimalAsStr(),
        DatetimeAsISO(),
        TupleAsList(),
        FuzzyDateAsList(),
        WeaponAsList(),
        AccountAsDict(),
    )


def construct_transcoder() -> OrjsonTranscoder:
    transcoder = OrjsonTranscoder()
    for transcoding in tracker_transcodings():
        transcoder.register(transcoding)
    return transcoder


@functools.cache
def _known_topics() -> Mapping[str, str | None]:
    """The topic of each of the tracker's event classes, with the topic of its aggregate
    for a first event (which the library resolves to construct the aggregate)."""
    from eventsourcing.domain import CanInitAggregate
    from eventsourcing.utils import get_topic

    from tracker.domain import EVENT_CLASSES

    return {
        get_topic(cls): get_topic(aggregate) if issubclass(cls, CanInitAggregate) else None
        for aggregate, cls in EVENT_CLASSES
    }


class TrackerMapper(Mapper[UUID]):
    """The library's mapper, except that a stored event's topic is looked up among the
    tracker's own event classes instead of resolved, which imports whatever module a
    topic names: a topic rewritten in the store is refused, naming where it is."""

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        known = _known_topics()
        topic = stored_event.topic
        if topic not in known:
            raise _unknown(stored_event, topic, "event topic")
        event = super().to_domain_event(stored_event)
        aggregate_topic = known[topic]
        if aggregate_topic is not None:
            stored_aggregate = vars(event).get("originator_topic")
            if stored_aggregate != aggregate_topic:
                raise _unknown(stored_event, str(stored_aggregate), "aggregate topic")
        return event


def _unknown(stored_event: StoredEvent, topic: str, what: str) -> UnknownEventTopic:
    if isinstance(stored_event, Notification):
        return UnknownEventTopic(topic, what, position=stored_event.id)
    originator = stored_event.originator_id
    uuid = originator if isinstance(originator, UUID) else UUID(str(originator))
    event = f"event {stored_event.originator_version} of aggregate {uuid}"
    return UnknownEventTopic(topic, what, event=event)


def construct_mapper() -> TrackerMapper:
    """A mapper for a store that neither encrypts nor compresses its events."""
    return TrackerMapper(transcoder=construct_transcoder())


__all__ = ["OrjsonTranscoder", "TrackerMapper", "construct_mapper", "construct_transcoder"]
