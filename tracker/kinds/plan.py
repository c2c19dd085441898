"""A peace plan and its revisions."""

from __future__ import annotations

from tracker.kinds.fields import field
from tracker.kinds.registry import Fields, Kind, NameOf, register


def headline(fields: Fields, brief: NameOf) -> str:
    return str(fields.get("label") or "")


PLAN = register(
    Kind(
        name="plan",
        plural="plans",
        fields=(
            field("label", "text"),
            field("points", "int"),
            # Its revisions count versions of its content: label, points, provisions.
            field("readiness_pct", "percent", content=False),
            field(
                "status",
                "choice",
                choices=("draft", "proposed", "agreed", "rejected", "superseded"),
                content=False,
            ),
            field("provisions", "texts"),
            field("occurred", "date", content=False),
        ),
        headline=headline,
        columns=("label", "points", "readiness_pct", "status"),
        colour="#E69F00",
    )
)
