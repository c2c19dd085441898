"""A type whose plural another type holds already: its registration fails, and a
process naming it in TRACKER_KINDS says so in one line (tests/test_kind_registry.py)."""

from __future__ import annotations

from tracker.kinds import Fields, Kind, NameOf, field, register


def headline(fields: Fields, brief: NameOf) -> str:
    return "truce"


register(
    Kind(
        name="truce",
        plural="ceasefires",
        fields=(field("parties", "actors", required=True),),
        headline=headline,
        columns=("parties",),
        colour="#000000",
    )
)
