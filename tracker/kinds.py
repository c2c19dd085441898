"""The development types and their fields: what each accepts and how raw input becomes
domain values. One table drives the importer, the CLI's options and the projections."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import orjson

from tracker.dates import FuzzyDate, InvalidDate, parse_fuzzy_date
from tracker.errors import InvalidRecord
from tracker.values import Account, FieldValue, Weapon

ActorResolver = Callable[[str], str]


@attrs.frozen
class FieldSpec:
    name: str
    # actors | actor | date | text | texts | int | percent | choice | weapons | positions | json
    shape: str
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    help: str = ""
    # The report's own words, shown as a quotation: checked against the report's text.
    quoted: bool = False

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


def _f(
    name: str,
    shape: str,
    *,
    required: bool = False,
    choices: tuple[str, ...] = (),
    default: str | None = None,
    help: str = "",
    quoted: bool = False,
) -> FieldSpec:
    return FieldSpec(name, shape, required, choices, default, help, quoted)


MEETING_STATUSES = ("proposed", "scheduled", "held", "postponed", "cancelled")

KINDS: dict[str, tuple[FieldSpec, ...]] = {
    "call": (
        _f("participants", "actors", required=True, help="two or more actors"),
        _f("occurred", "date", help="EDTF date of the call"),
        _f("status", "choice", choices=("held", "planned"), default="held"),
        _f("duration_min", "int", help="length in minutes"),
        _f("duration_text", "text", help='as reported, e.g. "over two hours"'),
        _f("initiator", "actor"),
        _f("tone", "text"),
    ),
    "meeting": (
        _f("participants", "actors", required=True),
        _f("status", "choice", required=True, choices=MEETING_STATUSES),
        _f("planned", "date", help="EDTF date or ISO date-time with offset"),
        _f("place", "text"),
        _f("occurred", "date", help="when it was held"),
    ),
    "plan": (
        _f("label", "text"),
        _f("points", "int"),
        _f("readiness_pct", "percent"),
        _f("status", "choice", choices=("draft", "proposed", "agreed", "rejected", "superseded")),
        _f("provisions", "texts"),
        _f("occurred", "date"),
    ),
    "strike": (
        _f("target", "text", required=True),
        _f("by", "actor"),
        _f("occurred", "date"),
        _f("weapons", "weapons", help="NAME[:COUNT],..."),
        _f("effects", "text"),
    ),
    "issue": (
        _f("title", "text"),
        _f("status", "choice", required=True, choices=("open", "resolved", "dropped")),
        _f("positions", "positions", help="PARTY=TEXT, repeatable"),
        _f("occurred", "date"),
    ),
    "statement": (
        _f("speaker", "actor", required=True),
        _f(
            "quote",
            "text",
            required=True,
            help="the words, verbatim from the report",
            quoted=True,
        ),
        _f("occurred", "date"),
    ),
    "claim": (
        _f("subject", "text", required=True, help="e.g. call-count"),
        _f("participants", "actors"),
        _f("value", "json", required=True, help="any JSON value"),
        _f("claimant", "actor", required=True),
        _f("stance", "choice", choices=("asserts", "denies", "neither"), default="asserts"),
        _f("occurred", "date"),
    ),
}

ACCOUNT_KEYS = ("quote", "attributed_to", "note")

# The fields of each type that hold the report's own words (``FieldSpec.quoted``).
QUOTED_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(spec.name for spec in specs if spec.quoted) for kind, specs in KINDS.items()
}


def quotations(kind: str, account: Account) -> Iterator[tuple[str, Any]]:
    """Every text of an account that a view shows as its report's words, with what it
    is: the account's quote, and the fields of its type that are quotes (a statement
    keeps its words in its fields, where the views read them)."""
    if account.quote is not None:
        yield "quote", account.quote
    for name in QUOTED_FIELDS.get(kind, ()):
        value = account.fields.get(name)
        if value is not None:
            yield f"field {name!r}", value


_SPECS_BY_NAME = {kind: {spec.name: spec for spec in specs} for kind, specs in KINDS.items()}


def field_specs(kind: str) -> tuple[FieldSpec, ...]:
    try:
        return KINDS[kind]
    except KeyError:
        raise InvalidRecord(
            f"unknown development type {kind!r} (expected one of {', '.join(KINDS)})"
        ) from None


def parse_fields(
    kind: str,
    raw: Mapping[str, Any],
    resolve_actor: ActorResolver,
    *,
    first_account: bool,
) -> dict[str, FieldValue]:
    """Validate and convert the given fields of one account.

    Required fields are required of the first account of a development only: a later
    report may add or change a single field.
    """
    specs = _SPECS_BY_NAME.get(kind) or {spec.name: spec for spec in field_specs(kind)}
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
