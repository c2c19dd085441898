"""A development as of D: its status and fields in valid time, from the version that
holds at K. Every reading path (the state, the lists, changes, the timeline and the
exports) reads a version through ``fields_as_of``, so that they agree.

The fold gives what is known at K, whenever it happened. Most of it holds whatever D
is, but some statuses take effect when the development happened (``Kind.happened``):
a meeting held on the 28th was still scheduled on the 27th. Before its earliest
possible day such a development reads as it stood before, with the status it had
then and without the day it happened, which had not come: its planned date is when
it was expected (a call's expected day is its ``occurred``, as for any planned call).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from projections.folding import before_it_happened, happened_statuses
from tracker.kinds import expected_on_occurred


class AsOf(NamedTuple):
    """A development's status and fields as of D. (A tuple: the timeline and the
    exports read every development through one, and a tuple is made in about 60% of
    the time of a frozen attrs class.)"""

    status: str | None
    fields: dict[str, Any]
    # It happened after D: read as it stood before then.
    ahead: bool = False


def fields_as_of(kind: str, data: Mapping[str, Any], day: str) -> AsOf:
    """The status and fields as of ``day`` of a development of type ``kind`` whose
    version (as known at K) has ``data`` (a version row's decoded ``data``)."""
    fields: dict[str, Any] = data["fields"]
    status = fields.get("status")
    if status not in happened_statuses(kind):
        return AsOf(status, fields)
    occurred = fields.get("occurred")
    # Undated, or possibly happened by D: as it is known.
    if not occurred or occurred["lower"] <= day:
        return AsOf(status, fields)
    before = before_it_happened(kind, fields, data.get("before"))
    shown = {name: value for name, value in fields.items() if name != "occurred"}
    shown["status"] = before["status"]
    date_field = "occurred" if expected_on_occurred(kind) else "planned"
    if before["planned"] is None:
        shown.pop(date_field, None)
    else:
        shown[date_field] = before["planned"]
    return AsOf(before["status"], shown, ahead=True)


def row_as_of(row: Mapping[str, Any], day: str) -> AsOf:
    """``fields_as_of`` of a version row read with its ``kind`` and decoded ``data``."""
    return fields_as_of(row["kind"], row["data"], day)
