"""An issue in the negotiations and each party's position on it."""

from __future__ import annotations

from tracker.kinds.fields import field
from tracker.kinds.registry import Exported, Fields, FieldText, Kind, NameOf, register


def headline(fields: Fields, brief: NameOf) -> str:
    return str(fields.get("title") or "")


def notes(fields: Fields, name: NameOf, text: FieldText) -> list[str]:
    parts = [str(fields["title"])] if fields.get("title") else []
    if fields.get("positions"):
        parts.append(text("positions", fields["positions"]))
    return parts


ISSUE = register(
    Kind(
        name="issue",
        plural="issues",
        fields=(
            field("title", "text"),
            field("status", "choice", required=True, choices=("open", "resolved", "dropped")),
            field("positions", "positions", help="PARTY=TEXT, repeatable", combine="by_key"),
            field("occurred", "date"),
        ),
        headline=headline,
        columns=("title", "status", "positions"),
        colour="#7A6A00",
        exported=Exported(notes=notes),
    )
)
