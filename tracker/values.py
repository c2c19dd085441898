"""Value objects carried by the tracker's domain events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from tracker.dates import FuzzyDate

# A development field's value: plain JSON scalars, FuzzyDate, Weapon, and tuples or
# string-keyed mappings of those. Lists are frozen to tuples so that equal accounts
# compare equal after a round trip through the store.
FieldValue = Any


_ATOMS = frozenset({str, int, float, bool, type(None)})


def freeze(value: FieldValue) -> FieldValue:
    """Lists become tuples, recursively, so values are immutable and comparable."""
    kind = type(value)
    if kind in _ATOMS or kind in _IMMUTABLE_VALUES:  # before the slower abstract-class check
        return value
    if kind is list or kind is tuple:
        return tuple([freeze(item) for item in value])
    if isinstance(value, Mapping):
        return {key: freeze(item) for key, item in value.items()}
    return value


def _freeze_fields(fields: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
    return {name: freeze(value) for name, value in fields.items()}


@attrs.frozen
class Weapon:
    """A weapon type used in a strike, with its count where the report gives one."""

    name: str
    count: int | None = None


_IMMUTABLE_VALUES = frozenset({FuzzyDate, Weapon})


@attrs.frozen
class Account:
    """What one report says about one development.

    ``fields`` holds only the fields this report gives; later accounts override earlier
    ones field by field, from their report's publication on.
    """

    report_id: str
    fields: dict[str, FieldValue] = attrs.field(converter=_freeze_fields)
    quote: str | None = None
    attributed_to: str | None = None
    note: str | None = None
    # Where the report's information comes from (an official, an agency, a post), as the
    # analyst wrote it: accounts relaying one origin corroborate a development once.
    origin: str | None = None

    @classmethod
    def of(
        cls,
        report_id: str,
        fields: Mapping[str, FieldValue],
        *,
        quote: str | None = None,
        attributed_to: str | None = None,
        note: str | None = None,
        origin: str | None = None,
    ) -> Account:
        return cls(report_id, dict(fields), quote, attributed_to, note, origin)


__all__ = ["Account", "FieldValue", "FuzzyDate", "Weapon", "freeze"]
