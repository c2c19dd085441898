"""Words someone said, verbatim from the report, and who relayed them."""

from __future__ import annotations

from collections.abc import Iterable

from tracker.kinds.fields import field
from tracker.kinds.registry import Exported, Fields, FieldText, Kind, NameOf, register


def said_by(speaker: str, via: Iterable[str] | None, name: NameOf) -> str:
    """Who said it, and who relayed it where anyone did: "Trump (per Ushakov, RIA
    Novosti)". Relayed words are never shown as the bare speaker's own."""
    relays = [name(str(relay)) for relay in via or ()]
    return f"{name(speaker)} (per {', '.join(relays)})" if relays else name(speaker)


def headline(fields: Fields, brief: NameOf) -> str:
    speaker = said_by(str(fields.get("speaker", "?")), fields.get("via"), brief)
    return f"{speaker}: \u201c{fields.get('quote', '')}\u201d"


def notes(fields: Fields, name: NameOf, text: FieldText) -> list[str]:
    speaker = said_by(str(fields.get("speaker", "")), fields.get("via"), name)
    return [f"{speaker}: \u201c{fields.get('quote', '')}\u201d"]


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
            field(
                "via",
                "relays",
                help="who relayed the words, nearest the speaker first: an actor, or an"
                " agency or paper by name (Ushakov, RIA Novosti)",
            ),
        ),
        headline=headline,
        columns=("occurred", "speaker", "quote"),
        colour="#CC79A7",
        exported=Exported(sub_type=None, notes=notes),
    )
)
