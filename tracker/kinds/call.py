"""A call between leaders, held or planned."""

from __future__ import annotations

from tracker.kinds.fields import field
from tracker.kinds.registry import Fields, Kind, NameOf, register


def headline(fields: Fields, brief: NameOf) -> str:
    return "\u2013".join(brief(p) for p in fields.get("participants", ())) + " call"


CALL = register(
    Kind(
        name="call",
        plural="calls",
        fields=(
            field("participants", "actors", required=True, help="two or more actors"),
            field("occurred", "date", help="EDTF date of the call"),
            field("status", "choice", choices=("held", "planned"), default="held"),
            field("duration_min", "int", help="length in minutes"),
            field("duration_text", "text", help='as reported, e.g. "over two hours"'),
            field("initiator", "actor"),
            field("tone", "text"),
        ),
        headline=headline,
        columns=("participants", "status", "occurred", "duration_min", "tone"),
        colour="#0072B2",
        happened={"held": "planned"},
        indexes=frozenset({"spanned", "ahead"}),
    )
)
