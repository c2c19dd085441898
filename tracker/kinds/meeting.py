"""A meeting, from proposed to held (or postponed, or cancelled)."""

from __future__ import annotations

from tracker.kinds.fields import field
from tracker.kinds.registry import Exported, Fields, Kind, NameOf, register

MEETING_STATUSES = ("proposed", "scheduled", "held", "postponed", "cancelled")


def headline(fields: Fields, brief: NameOf) -> str:
    parties = "\u2013".join(brief(p) for p in fields.get("participants", ()))
    return parties + (f", {fields['place']}" if fields.get("place") else "")


MEETING = register(
    Kind(
        name="meeting",
        plural="meetings",
        fields=(
            field("participants", "actors", required=True),
            field("status", "choice", required=True, choices=MEETING_STATUSES),
            field("planned", "date", help="EDTF date or ISO date-time with offset"),
            field("place", "text"),
            field("occurred", "date", help="when it was held"),
        ),
        headline=headline,
        columns=("participants", "status", "planned", "occurred", "place"),
        colour="#009E73",
        exported=Exported(location="place"),
        happened={"held": "scheduled"},
        indexes=frozenset({"ahead"}),
    )
)
