"""A type from outside the package that may be still ahead: a summit, proposed, then
scheduled, then held. Its ``indexes`` put it in the views' index of what is to come,
so its list shows what is only planned (tests/test_kind_plugins.py)."""

from __future__ import annotations

from tracker.kinds import Exported, Fields, Kind, NameOf, field, register


def headline(fields: Fields, brief: NameOf) -> str:
    return "Summit: " + "\u2013".join(brief(p) for p in fields.get("participants", ()))


SUMMIT = register(
    Kind(
        name="summit",
        plural="summits",
        fields=(
            field("participants", "actors", required=True),
            field("status", "choice", required=True, choices=("proposed", "scheduled", "held")),
            field("planned", "date"),
            field("occurred", "date"),
            field("place", "text"),
        ),
        headline=headline,
        columns=("participants", "status", "planned", "occurred", "place"),
        colour="#117733",
        exported=Exported(location="place"),
        happened={"held": "scheduled"},
        indexes=frozenset({"ahead"}),
    )
)
