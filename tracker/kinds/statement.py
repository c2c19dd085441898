"""Words someone said, verbatim from the report."""

from __future__ import annotations

from tracker.kinds.fields import field
from tracker.kinds.registry import Exported, Fields, FieldText, Kind, NameOf, register


def headline(fields: Fields, brief: NameOf) -> str:
    return f"{brief(str(fields.get('speaker', '?')))}: \u201c{fields.get('quote', '')}\u201d"


def notes(fields: Fields, name: NameOf, text: FieldText) -> list[str]:
    return [f"{name(str(fields.get('speaker', '')))}: \u201c{fields.get('quote', '')}\u201d"]


STATEMENT = register(
    Kind(
        name="statement",
        plural="statements",
        fields=(
            field("speaker", "actor", required=True),
            field(
                "quote",
                "text",
                required=True,
                help="the words, verbatim from the report",
                quoted=True,
                combine="first",
            ),
            field("occurred", "date"),
        ),
        headline=headline,
        columns=("occurred", "speaker", "quote"),
        colour="#CC79A7",
        exported=Exported(sub_type=None, notes=notes),
    )
)
