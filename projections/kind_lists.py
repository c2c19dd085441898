"""The list of a development type that no query of its own answers: a type registered
from outside the package (``TRACKER_KINDS``) gets its list command and its section of
the state from its ``Kind`` alone, and a store holding a type that no module registers
is refused where an answer would otherwise leave it out without a word."""

from __future__ import annotations

from typing import Any

from projections.answers import disputed_item, last_reported, version_fields, version_reports
from projections.state_counts import CountQueries
from tracker.errors import UnregisteredKind
from tracker.kinds import BUILT_IN, KINDS, Kind, kind_of
from tracker.state import KindList


def generic_kinds() -> tuple[Kind, ...]:
    """The registered types that the state shows in a generic section and that have no
    list command of their own: those not built in. Read at each call, not at import,
    so that a type registered later is seen too."""
    return tuple(kind for name, kind in KINDS.items() if name not in BUILT_IN)


def kind_window(
    view: CountQueries, kind: str, as_of: str, known_at: str, limit: int | None
) -> tuple[int, list[dict[str, Any]]]:
    """Developments of a type that happened by D, as known at K: how many, and the
    latest ``limit`` of them (all without one), oldest first, each its id, its fields
    in the view's JSON form (dates with their bounds) and its reports, as meetings
    list theirs. A type that may be still ahead (``Kind.scheduled``) lists, as meetings
    do, everything first reported by D, whatever its status, by when it happened or is
    planned: what is only planned has not happened, and would otherwise be missing."""
    if kind_of(kind).scheduled:
        total, rows = view.latest_reported(kind, as_of, known_at, limit)  # oldest first
    else:
        total, newest = view.latest_happened(kind, as_of, known_at, limit=limit)
        rows = newest[::-1]
    return total, [
        {
            "id": row["development_id"],
            **version_fields(row),
            "reports": list(version_reports(row)),
            "last_reported": last_reported(row),
            **disputed_item(row),
        }
        for row in rows
    ]


def kind_lists(
    view: CountQueries, as_of: str, known_at: str, limit: int | None
) -> tuple[KindList, ...]:
    """The state's generic sections: each type of ``generic_kinds`` with its window."""
    lists = []
    for kind in generic_kinds():
        total, items = kind_window(view, kind.name, as_of, known_at, limit)
        lists.append(KindList(kind=kind.name, plural=kind.plural, total=total, items=tuple(items)))
    return tuple(lists)


def refuse_unregistered(view: CountQueries) -> None:
    """Refuse a store that holds developments of a type no module here registers: the
    state, the changes, the timeline and the exports other than NDJSON would leave them
    out without a word. (History, sources, the log, NDJSON export, verify and rebuild
    show the log's own accounts and need no definition of the type.)"""
    unknown = [kind for kind in view.kinds_held() if kind not in KINDS]
    if unknown:
        types = ", ".join(repr(kind) for kind in unknown)
        raise UnregisteredKind(
            f"the store holds developments of type {types}, which no module registers here:"
            " name the module that does in TRACKER_KINDS (see README, 'Adding a development"
            " type')"
        )
