"""A strike: its target, who struck, with what, and what it did."""

from __future__ import annotations

from tracker.kinds.fields import field
from tracker.kinds.registry import Exported, Fields, Kind, NameOf, register


def headline(fields: Fields, brief: NameOf) -> str:
    return f"Strike: {fields.get('target', '?')}"


STRIKE = register(
    Kind(
        name="strike",
        plural="strikes",
        fields=(
            field("target", "text", required=True),
            field("by", "actor"),
            field("occurred", "date"),
            field("weapons", "weapons", help="NAME[:COUNT],..."),
            field("effects", "text"),
        ),
        headline=headline,
        columns=("occurred", "target", "by", "weapons"),
        colour="#D55E00",
        # The actors column names who struck; the notes keep to what else is reported.
        exported=Exported(sub_type="weapons", location="target", unnoted=("by",)),
        indexes=frozenset({"counted", "spanned"}),
    )
)
