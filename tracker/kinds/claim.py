"""A claim someone makes (a count of calls, an attack), and their stance on it."""

from __future__ import annotations

from typing import Any

import orjson

from tracker.kinds.fields import field
from tracker.kinds.registry import Exported, Fields, FieldText, Kind, NameOf, register

# How the notes say a stance other than "asserts" or "denies".
STANCES = {"neither": "neither asserts nor denies", "undisclosed": "does not disclose"}


def value_text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def headline(fields: Fields, brief: NameOf) -> str:
    return (
        f"{brief(str(fields.get('claimant', '?')))}: {fields.get('subject', '?')}"
        f" = {value_text(fields.get('value'))}"
    )


def notes(fields: Fields, name: NameOf, text: FieldText) -> list[str]:
    claimant = name(str(fields.get("claimant", "")))
    stance = STANCES.get(str(fields.get("stance")), str(fields.get("stance", "asserts")))
    parts = [f"{claimant} {stance} {fields.get('subject', '')}: {value_text(fields.get('value'))}"]
    if fields.get("participants"):
        parts.append(f"about {text('participants', fields['participants'])}")
    return parts


CLAIM = register(
    Kind(
        name="claim",
        plural="claims",
        fields=(
            field("subject", "text", required=True, help="e.g. call-count"),
            field("participants", "actors"),
            field("value", "json", required=True, help="any JSON value"),
            field("claimant", "actor", required=True),
            field(
                "stance",
                "choice",
                choices=("asserts", "denies", "neither", "undisclosed"),
                default="asserts",
            ),
            field("occurred", "date"),
            field("about", "text", help="the id of the development the claim is about"),
        ),
        headline=headline,
        columns=("subject", "claimant", "stance", "value", "occurred"),
        colour="#56B4E9",
        exported=Exported(sub_type="subject", notes=notes),
    )
)
