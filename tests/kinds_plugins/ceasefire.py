"""A development type from outside the package: a ceasefire between parties, from
proposed to in force (or broken). Named in ``TRACKER_KINDS=ceasefire`` with this
directory on ``PYTHONPATH``, it registers on ``tracker.kinds``' import; the tests of
``tests/test_kind_registry.py`` run every command on it with no other file changed."""

from __future__ import annotations

import os

from tracker.kinds import Exported, Fields, Kind, NameOf, field, register

STATUSES = ("proposed", "agreed", "in_force", "broken")


def headline(fields: Fields, brief: NameOf) -> str:
    parties = "\u2013".join(brief(party) for party in fields.get("parties", ()))
    scope = fields.get("scope")
    return f"Ceasefire: {parties}" + (f" ({scope})" if scope else "")


CEASEFIRE = register(
    Kind(
        name="ceasefire",
        plural="ceasefires",
        fields=(
            field("parties", "actors", required=True, help="the sides that hold their fire"),
            field("start", "date", help="EDTF date it takes effect"),
            field("end", "date", help="EDTF date it ends"),
            field("scope", "text", help="e.g. energy infrastructure"),
            field("status", "choice", choices=STATUSES, default="proposed"),
        ),
        headline=headline,
        columns=("parties", "status", "start", "end", "scope"),
        colour="#8B4513",
        exported=Exported(sub_type="status", location="scope"),
    )
)

# Each process that registers the type notes its id here when asked: the test of the
# helper processes (an import's producer, a rebuild's readers) sees that they did too.
if log := os.environ.get("CEASEFIRE_REGISTERED_LOG"):
    with open(log, "a", encoding="utf-8") as noted:
        noted.write(f"{os.getpid()}\n")
