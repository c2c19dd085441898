"""The fields of development types: the shapes a field may take, how raw input becomes
domain values, and how accounts' values combine. Each type declares its fields with
``field`` in its own module (``tracker.kinds.registry``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import orjson

from tracker.dates import FuzzyDate, InvalidDate, parse_fuzzy_date
from tracker.errors import InvalidRecord
from tracker.values import FieldValue, Weapon

ActorResolver = Callable[[str], str]


@attrs.frozen
class FieldSpec:
    name: str
    # actors | actor | date | text | texts | relays | int | percent | choice | weapons |
    # positions | json
    shape: str
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    help: str = ""
    # The report's own words, shown as a quotation: checked against the report's text.
    quoted: bool = False
    # How a later account's value meets the earlier one: "latest" replaces it; "by_key"
    # (a mapping of parties to text) adds or changes one party's entry without erasing
    # the others'; "first" keeps the first (words said once are not replaced by a later
    # report re-quoting them, often paraphrased: history shows the variants).
    combine: str = "latest"
    # Whether the field is the development's content: a plan's revisions count the
    # versions that changed its content (its label, points, provisions), not those
    # that only moved its status or readiness.
    content: bool = True

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


def field(
    name: str,
    shape: str,
    *,
    required: bool = False,
    choices: tuple[str, ...] = (),
    default: str | None = None,
    help: str = "",
    quoted: bool = False,
    combine: str = "latest",
    content: bool = True,
) -> FieldSpec:
    """A field of a development type, as its module declares it."""
    if shape not in _PARSERS:
        raise ValueError(f"field {name!r}: unknown shape {shape!r}")
    if combine not in COMBINE_RULES:
        raise ValueError(f"field {name!r}: unknown combine rule {combine!r}")
    return FieldSpec(name, shape, required, choices, default, help, quoted, combine, content)


COMBINE_RULES = ("latest", "by_key", "first")


def parse_values(
    kind: str,
    specs: Mapping[str, FieldSpec],
    raw: Mapping[str, Any],
    resolve_actor: ActorResolver,
    *,
    first_account: bool,
) -> dict[str, FieldValue]:
    """Validate and convert the given fields of one account.

    Required fields are required of the first account of a development only: a later
    report may add or change a single field.
    """
    unknown = sorted(raw.keys() - specs.keys())
    if unknown:
        raise InvalidRecord(f"unknown field {unknown[0]!r} for type {kind!r}")
    fields: dict[str, FieldValue] = {}
    for name, spec in specs.items():
        value = raw.get(name)
        if value is None:
            if first_account and spec.required:
                raise InvalidRecord(f"{kind} needs {name!r}")
            if first_account and spec.default is not None:
                fields[name] = spec.default
            continue
        fields[name] = _parse_value(spec, value, resolve_actor)
    return fields


def _parse_value(spec: FieldSpec, value: Any, resolve_actor: ActorResolver) -> FieldValue:
    if isinstance(value, list | dict) and len(value) > MAX_ITEMS and spec.shape != "json":
        raise InvalidRecord(f"{spec.name!r} has more than {MAX_ITEMS} items")
    return _PARSERS[spec.shape](spec, value, resolve_actor)


def _json(spec: FieldSpec, value: Any, resolve_actor: ActorResolver) -> FieldValue:
    if _depth(value) > MAX_JSON_DEPTH:
        raise InvalidRecord(f"{spec.name!r} is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        orjson.dumps(value)
    except TypeError as error:
        raise InvalidRecord(f"{spec.name!r} is not storable JSON ({error})") from None
    return value


def _texts(spec: FieldSpec, value: Any, resolve_actor: ActorResolver) -> FieldValue:
    if not isinstance(value, list) or not value:
        raise InvalidRecord(f"{spec.name!r} must be a non-empty list of strings")
    return tuple(_text(spec.name, item) for item in value)


def _relays(spec: FieldSpec, value: Any, resolve_actor: ActorResolver) -> FieldValue:
    """Who passed something on, nearest the source first: an item naming a known actor
    is that actor's id (shown by name), any other (an agency, a paper) stays as given."""
    if not isinstance(value, list) or not value:
        raise InvalidRecord(f"{spec.name!r} must be a non-empty list of names")
    relays = []
    for item in value:
        text = _text(spec.name, item)
        try:
            relays.append(resolve_actor(text))
        except InvalidRecord:
            relays.append(text)
    return tuple(relays)


def _choice(spec: FieldSpec, value: Any, resolve_actor: ActorResolver) -> FieldValue:
    text = _text(spec.name, value)
    if text not in spec.choices:
        raise InvalidRecord(f"{spec.name!r} must be one of {', '.join(spec.choices)}, not {text!r}")
    return text


def _int(spec: FieldSpec, value: Any, resolve_actor: ActorResolver) -> FieldValue:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise InvalidRecord(f"{spec.name!r} must be a non-negative whole number, not {value!r}")
    return value


def _percent(spec: FieldSpec, value: Any, resolve_actor: ActorResolver) -> FieldValue:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise InvalidRecord(f"{spec.name!r} must be a number from 0 to 100, not {value!r}")
    return value


def _date(spec: FieldSpec, value: Any, resolve_actor: ActorResolver) -> FieldValue:
    try:
        return parse_fuzzy_date(value)
    except InvalidDate as error:
        raise InvalidRecord(f"{spec.name!r}: {error}") from None


def _actors(spec: FieldSpec, value: Any, resolve_actor: ActorResolver) -> FieldValue:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidRecord(f"{spec.name!r} must be a list of actor names")
    ids = sorted({resolve_actor(item) for item in value})
    if spec.name == "participants" and len(ids) < 2:
        raise InvalidRecord(f"{spec.name!r} needs two or more distinct actors")
    if len(",".join(ids)) > MAX_ACTOR_IDS_CHARS:
        raise InvalidRecord(
            f"{spec.name!r}: {len(ids)} actors whose ids run to more than"
            f" {MAX_ACTOR_IDS_CHARS:,} characters together"
        )
    return tuple(ids)


# One parser per shape: a look-up, not a chain of comparisons, for every field of every
# account.
_PARSERS: dict[str, Callable[[FieldSpec, Any, ActorResolver], FieldValue]] = {
    "json": _json,
    "text": lambda spec, value, _: _text(spec.name, value),
    "texts": _texts,
    "relays": _relays,
    "choice": _choice,
    "int": _int,
    "percent": _percent,
    "date": _date,
    "actor": lambda spec, value, resolve_actor: resolve_actor(_text(spec.name, value)),
    "actors": _actors,
    "weapons": lambda spec, value, _: _weapons(value),
    "positions": lambda spec, value, resolve_actor: _positions(value, resolve_actor),
}


# Far beyond any real claim, and well within what the store's JSON can nest.
MAX_JSON_DEPTH = 32
# Lists in a record (participants, provisions, weapons): beyond any real account.
MAX_ITEMS = 1000
# A list of actors is one key of the views' indexes, and PostgreSQL refuses an index
# entry over 2,704 bytes: with the other columns of the widest index, a key of ids up to
# this long fits (forty actors with ids of twenty characters do).
MAX_ACTOR_IDS_CHARS = 1000


def _depth(value: Any) -> int:
    depth = 0
    level = [value]
    while level:
        containers = [item for item in level if isinstance(item, list | dict)]
        if not containers:
            return depth
        depth += 1
        if depth > MAX_JSON_DEPTH:
            return depth
        level = [
            child
            for container in containers
            for child in (container.values() if isinstance(container, dict) else container)
        ]
    return depth


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecord(f"{name!r} must be a non-empty string, not {value!r}")
    return value


def _weapons(value: Any) -> tuple[Weapon, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidRecord("'weapons' must be a non-empty list of {name, count}")
    weapons = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"name", "count"} or "name" not in item:
            raise InvalidRecord("each weapon must be an object with 'name' and optional 'count'")
        count = item.get("count")
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 0
        ):
            raise InvalidRecord(
                f"weapon count must be a non-negative whole number or null, not {count!r}"
            )
        weapons.append(Weapon(_text("weapon name", item["name"]), count))
    return tuple(weapons)


def _positions(value: Any, resolve_actor: ActorResolver) -> dict[str, str]:
    """Party keys that name a known actor resolve to its id; other parties stay as given."""
    if not isinstance(value, dict) or not value:
        raise InvalidRecord("'positions' must be a non-empty object of party to text")
    positions: dict[str, str] = {}
    for party, text in value.items():
        try:
            key = resolve_actor(party)
        except InvalidRecord:
            key = party
        positions[key] = _text(f"position of {party}", text)
    return positions


def plain_value(value: FieldValue) -> Any:
    """A field value as plain JSON data (the shape the importer accepts)."""
    if isinstance(value, FuzzyDate):
        return value.text
    if isinstance(value, Weapon):
        return {"name": value.name, "count": value.count}
    if isinstance(value, tuple):
        return [plain_value(item) for item in value]
    if isinstance(value, dict):
        return {key: plain_value(item) for key, item in value.items()}
    return value
