"""The registry of development types: each type is one module that builds a ``Kind``
and registers it, and everything else (the importer, ``record``'s options, the views'
indexes, the list commands, the state, the timeline's lanes and legend, the exports)
reads what it needs from here.

The built-in types register on import of ``tracker.kinds``; a type of one's own is a
module named in the ``TRACKER_KINDS`` environment variable (comma-separated importable
module names), which calls ``register`` on import. Helper processes inherit the
variable, so they know the same types.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from tracker.errors import InvalidRecord
from tracker.kinds.fields import ActorResolver, FieldSpec, parse_values
from tracker.values import Account, FieldValue

# A development's fields in the read model's JSON form, and a function naming an actor
# by its id (briefly, for headlines).
Fields = Mapping[str, Any]
NameOf = Callable[[str], str]
# One field's value as text for people, from the field's name and value (actors by
# name): what the exports and the page show of any field (tracker.formatting).
FieldText = Callable[[str, Any], str]
# The notes column's sentences of a development's fields, from a function naming an
# actor in full and one showing a field as text.
Notes = Callable[[Fields, NameOf, FieldText], Sequence[str]]

# Statuses of something still ahead: it lists among the next meetings and calls.
UPCOMING_STATUSES = ("proposed", "scheduled", "planned")

ACCOUNT_KEYS = ("quote", "attributed_to", "note", "origin")
# Keys of a development's record and of its items in a list's JSON, which no field of
# a type may take ("quote" may: a statement's words are its field).
RESERVED_FIELDS = frozenset({"type", "id", "report", "reports", "attributed_to", "note", "origin"})

_NAME = re.compile(r"^[a-z][a-z_]{0,31}$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@attrs.frozen
class Exported:
    """What the CSV and SQLite exports (and TimelineJS's slides) say of a development
    of the type beyond its dates, sources and the actors its actor fields name: its
    sub-type, place and notes."""

    # The field whose value is the sub-type column (a subject, weapons); "status" is the
    # status as of D (which a happened meeting's date changes); None: none.
    sub_type: str | None = "status"
    # The field shown as the location column.
    location: str | None = None
    # The notes column's sentences; None: participants, then every other field the
    # columns do not show (the sub-type's, the location's, dates), as "name: value".
    notes: Notes | None = None
    # Fields those default notes leave out besides.
    unnoted: tuple[str, ...] = ()


@attrs.frozen
class Kind:
    """A development type: its fields and everything that is shown of it."""

    name: str  # singular, as records give it: "meeting"
    plural: str  # the list command, the legend and the state's heading: "meetings"
    fields: tuple[FieldSpec, ...]
    # A short headline for a timeline mark, a list or a note: from the fields and a
    # function that names an actor briefly.
    headline: Callable[[Fields, NameOf], str]
    # The list command's columns after the id, in order: field names.
    columns: tuple[str, ...]
    colour: str  # the timeline lane's and legend's colour, "#RRGGBB"
    exported: Exported = Exported()
    # Statuses that take effect when it happened (at ``occurred``), each with the status
    # it had before then: a meeting held on the 28th was scheduled on the 27th.
    happened: Mapping[str, str] = attrs.field(factory=dict)
    # The views' partial indexes the type's queries need: "counted" (how many happened
    # by D), "spanned" (which possibly happened by D), "ahead" (what is still to come).
    indexes: frozenset[str] = frozenset()

    @property
    def specs(self) -> dict[str, FieldSpec]:
        return {spec.name: spec for spec in self.fields}

    @property
    def quoted(self) -> tuple[str, ...]:
        """The fields that hold the report's own words."""
        return tuple(spec.name for spec in self.fields if spec.quoted)

    @property
    def actor_fields(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields if spec.shape in ("actor", "actors"))

    @property
    def scheduled(self) -> bool:
        """Whether it may be still ahead: proposed, scheduled or planned."""
        return "ahead" in self.indexes


# The types in the order of the timeline's lanes and legend, by name.
KINDS: dict[str, Kind] = {}
_SPECS: dict[str, dict[str, FieldSpec]] = {}
INDEXES = ("counted", "spanned", "ahead")


# Why a module named in TRACKER_KINDS could not register its type, one line each. The
# modules are imported when ``tracker.kinds`` is, before the command line can report
# anything; it reports these instead of starting (``plugin_errors``).
_PLUGIN_ERRORS: list[str] = []


def register(kind: Kind) -> Kind:
    """Add a development type; it takes the next lane. Registering a name again with
    the same definition does nothing (a module imported twice)."""
    if not _NAME.match(kind.name) or not _NAME.match(kind.plural):
        raise ValueError(f"a type's name and plural are lowercase words, not {kind.name!r}")
    if not _COLOUR.match(kind.colour):
        raise ValueError(f"{kind.name}: colour must be #RRGGBB, not {kind.colour!r}")
    unknown = sorted(kind.indexes - set(INDEXES))
    if unknown:
        raise ValueError(f"{kind.name}: unknown index {unknown[0]!r}")
    names = {spec.name for spec in kind.fields}
    clashing = sorted(names & RESERVED_FIELDS)
    if clashing:
        raise ValueError(f"{kind.name}: field name {clashing[0]!r} is a record's own key")
    missing = [name for name in kind.columns if name not in names]
    if missing:
        raise ValueError(f"{kind.name}: column {missing[0]!r} is not one of its fields")
    if kind.name in KINDS:
        if KINDS[kind.name] != kind:
            raise ValueError(f"development type {kind.name!r} is registered already")
        return kind
    if any(other.plural == kind.plural for other in KINDS.values()):
        raise ValueError(f"{kind.name}: plural {kind.plural!r} is taken")
    KINDS[kind.name] = kind
    _SPECS[kind.name] = kind.specs
    return kind


def kind_of(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        # Where a module of TRACKER_KINDS failed, that is likely why.
        failed = "".join(f"; {error}" for error in _PLUGIN_ERRORS)
        raise InvalidRecord(
            f"unknown development type {name!r} (expected one of {', '.join(KINDS)}){failed}"
        ) from None


def takes_field(kind: str, name: str) -> bool:
    """Whether a registered type has a field of this name: a look-up, for each record."""
    specs = _SPECS.get(kind)
    return specs is not None and name in specs


def field_specs(kind: str) -> tuple[FieldSpec, ...]:
    return kind_of(kind).fields


def parse_fields(
    kind: str,
    raw: Mapping[str, Any],
    resolve_actor: ActorResolver,
    *,
    first_account: bool,
) -> dict[str, FieldValue]:
    """Validate and convert the given fields of one account of a development of type
    ``kind`` (see ``parse_values``)."""
    specs = _SPECS.get(kind) or kind_of(kind).specs
    return parse_values(kind, specs, raw, resolve_actor, first_account=first_account)


def quotations(kind: str, account: Account) -> Iterator[tuple[str, Any]]:
    """Every text of an account that a view shows as its report's words, with what it
    is: the account's quote, and the fields of its type that are quotes (a statement
    keeps its words in its fields, where the views read them)."""
    if account.quote is not None:
        yield "quote", account.quote
    registered = KINDS.get(kind)
    for name in registered.quoted if registered else ():
        value = account.fields.get(name)
        if value is not None:
            yield f"field {name!r}", value


def kinds_with(index: str) -> tuple[str, ...]:
    """The names of the types that need one of the views' partial indexes."""
    return tuple(name for name, kind in KINDS.items() if index in kind.indexes)


def lane(name: str) -> int:
    """A type's place among the timeline's lanes: the order it registered in."""
    return list(KINDS).index(name)


def may_be_ahead(name: str) -> bool:
    """Whether a development of the type may be still ahead (``Kind.scheduled``)."""
    kind = KINDS.get(name)
    return kind is not None and kind.scheduled


def expected_on_occurred(name: str) -> bool:
    """Whether a development of the type that is still ahead is expected on the day of
    its ``occurred`` field: it may be ahead but has no ``planned`` field (a call)."""
    kind = KINDS.get(name)
    return kind is not None and kind.scheduled and "planned" not in kind.specs


def load_plugins(names: Sequence[str] | None = None) -> None:
    """Import the modules of the types named in ``TRACKER_KINDS`` (or ``names``). One
    that fails to import or to register is noted, not raised: see ``plugin_errors``."""
    if names is None:
        names = [n.strip() for n in os.environ.get("TRACKER_KINDS", "").split(",")]
    for name in names:
        if not name:
            continue
        try:
            importlib.import_module(name)
        except Exception as error:  # whatever a plugin does wrong, said in one line
            _PLUGIN_ERRORS.append(
                f"TRACKER_KINDS: module {name!r} did not register its development type"
                f" ({type(error).__name__}: {error})"
            )


def plugin_errors() -> tuple[str, ...]:
    """What went wrong registering the types of ``TRACKER_KINDS``: empty if nothing."""
    return tuple(_PLUGIN_ERRORS)
