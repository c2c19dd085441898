"""A type whose plural is the name of a command (``tracker changes``): the command line
refuses it in one line rather than let its list replace the command
(tests/test_kind_registry.py)."""

from __future__ import annotations

from tracker.kinds import Fields, Kind, NameOf, field, register


def headline(fields: Fields, brief: NameOf) -> str:
    return "change"


register(
    Kind(
        name="change",
        plural="changes",
        fields=(field("parties", "actors", required=True),),
        headline=headline,
        columns=("parties",),
        colour="#000000",
    )
)
