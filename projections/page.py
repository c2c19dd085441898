"""A page of view rows: what a run of events changes in the views, gathered so that it
is written with a few bulk statements, and the version rows the fold makes of it.

Apart from the view so that what reads events into pages (``projections.event_rows``,
``projections.raw_rows``, a rebuild's reader processes) needs nothing of the view's
store, and the view, which reads accounts back from the log through ``raw_rows``,
imports neither in turn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import orjson

from projections.folding import (
    Telling,
    Version,
    earlier_status,
    fold,
    happened_statuses,
    only_version,
)
from tracker.kinds import UPCOMING_STATUSES, expected_on_occurred

# SQLite's Python driver sends every None it binds through its adapter registry (a
# tuple built, a dict and two attributes looked up: 0.34 us, three times an int's cost);
# a float binds directly, and SQLite stores a NaN as NULL. The nullable columns of the
# rows written in bulk (versions, tellings) take this instead of None: about five a
# row, 3.5 s of a million-account rebuild. PostgreSQL's statements turn it back into
# None (see ``PostgresStatements``).
NULL = math.nan


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


@attrs.define
class Page:
    """What a run of consecutive events changes in the view, gathered so that it is
    written with a few bulk statements instead of several per event."""

    reports: list[tuple[Any, ...]] = attrs.Factory(list)
    # Aggregates are named by their ids' hex, as the views store them: a page is
    # pickled from a helper process, and a UUID pickles and unpickles several times
    # slower than its hex.
    actors: list[tuple[str, str, str, str | None, tuple[str, ...], int]] = attrs.Factory(list)
    alias_additions: list[tuple[str, tuple[str, ...]]] = attrs.Factory(list)
    developments: list[tuple[str, str, str, int]] = attrs.Factory(list)
    tellings: list[tuple[str, int, int, dict[str, Any]]] = attrs.Factory(list)
    voids: list[tuple[str, int, int, str]] = attrs.Factory(list)
    # Grades, as the grades table takes them (``projections.event_rows.grade_row``).
    grades: list[tuple[Any, ...]] = attrs.Factory(list)
    # The version rows of the developments folded from the page alone, and their ids.
    folded: list[tuple[Any, ...]] = attrs.Factory(list)
    folded_ids: set[str] = attrs.Factory(set)
    # The rows of the tellings of a page folded whole (``fold_whole``), as inserted:
    # made by a rebuild's reader process, which leaves the one that writes nothing
    # else to do with them.
    settled_tellings: list[tuple[Any, ...]] = attrs.Factory(list)

    def _foldable(self) -> dict[str, tuple[str, str]]:
        """The developments first told in this page and not voided in it, not folded
        yet: all their tellings are in the page."""
        voided = {uuid for uuid, *_ in self.voids}
        return {
            uuid: (development_id, kind)
            for uuid, development_id, kind, _ in self.developments
            if uuid not in voided and uuid not in self.folded_ids
        }

    def reports_to_fold(self) -> set[str]:
        """The reports whose publication bounds ``fold_new`` needs."""
        foldable = self._foldable()
        return {row["report_id"] for uuid, _, _, row in self.tellings if uuid in foldable}

    def fold_new(self, bounds: Mapping[str, tuple[str, str]]) -> None:
        """Fold the developments that the page alone tells in full, given the
        publication bounds of the reports they cite."""
        foldable = self._foldable()
        if not foldable:
            return
        tellings: dict[str, list[Telling]] = {}
        for uuid, version, position, row in self.tellings:
            if uuid not in foldable:
                continue
            report_id = row["report_id"]
            if report_id not in bounds:
                raise KeyError(f"report {report_id!r} is not in the read models")
            tellings.setdefault(uuid, []).append(page_telling(version, position, row, bounds))
        for uuid, development_tellings in tellings.items():
            development_id, kind = foldable[uuid]
            self.folded.extend(version_rows(development_id, kind, development_tellings))
            self.folded_ids.add(uuid)

    def fold_whole(self, bounds: Mapping[str, tuple[str, str]]) -> None:
        """Fold every development of the page, which holds all their events (as a
        rebuild's reader reads them), given the publication bounds of the reports they
        cite: their versions from the tellings that stand, and every telling's row as
        inserted, voided or not. Nothing is left for the process that writes to read."""
        names = {
            uuid: (development_id, kind) for uuid, development_id, kind, _ in self.developments
        }
        # A version voided twice keeps the later void, as a second UPDATE would.
        voided = {
            (uuid, version): (position, reason) for uuid, version, position, reason in self.voids
        }
        standing: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
        settled = self.settled_tellings
        for uuid, version, position, row in self.tellings:
            inserted = telling_row(names[uuid][0], version, position, row)
            if voided and (void := voided.get((uuid, version))):
                inserted = (*inserted[:-2], *void)
            else:
                standing.setdefault(uuid, []).append((version, position, row))
            settled.append(inserted)
        folded = self.folded
        for uuid, (development_id, kind) in names.items():
            told = standing.get(uuid)
            if told is None:
                continue  # every telling void: no version
            if len(told) == 1 and not (row := told[0][2]).get("retraction"):
                report_id = row["report_id"]
                fields = row.get("fields", {})
                quote = row.get("quote")
                only = only_version(kind, report_id, bounds[report_id][1], fields, quote)
                folded.append(version_row(development_id, kind, only))
            else:
                tellings = [page_telling(*telling, bounds) for telling in told]
                folded.extend(version_rows(development_id, kind, tellings))
        self.folded_ids.update(names)
        self.tellings = []
        self.voids = []


def telling_row(
    development_id: str, version: int, position: int, row: dict[str, Any]
) -> tuple[Any, ...]:
    """A telling as the tellings table takes it (INSERT_TELLING), not voided."""
    return (
        position,
        development_id,
        version,
        1 if row.get("retraction") else 0,
        row["report_id"],
        NULL if (reason := row.get("reason")) is None else reason,
        NULL,
        NULL,
    )


def page_telling(
    version: int, position: int, row: dict[str, Any], bounds: Mapping[str, tuple[str, str]]
) -> Telling:
    """A page's telling as the fold sees it, its report's publication bounds given."""
    known_lower, known_upper = bounds[row["report_id"]]
    return Telling(
        position,
        version,
        row["report_id"],
        known_lower,
        known_upper,
        row.get("fields", {}),
        bool(row.get("retraction")),
        row.get("origin"),
        row.get("quote"),
    )


def version_rows(
    development_id: str, kind: str, tellings: Sequence[Telling]
) -> list[tuple[Any, ...]]:
    """The version rows of one development, folded from its standing tellings."""
    return [version_row(development_id, kind, version) for version in fold(kind, tellings)]


def version_row(development_id: str, kind: str, version: Version) -> tuple[Any, ...]:
    fields = version.fields
    occurred_lower, occurred_upper = version.occurred_bounds
    status = fields.get("status")
    participants = fields.get("participants")
    upcoming = status in UPCOMING_STATUSES
    # A type that may be ahead without a field for its planned date (a call) is
    # expected on its "occurred": it lists with the next meetings by that day.
    planned = fields.get("planned") or (
        fields.get("occurred") if upcoming and expected_on_occurred(kind) else None
    )
    if upcoming:
        sort_key = (planned.get("instant") or planned["lower"]) if planned else version.first_known
    else:
        sort_key = (fields.get("occurred") or {}).get("instant") or occurred_lower
    return (
        development_id,
        kind,
        version.known_from,
        version.known_until,
        1 if version.retracted else 0,
        NULL if status is None else status,
        ",".join(participants) if participants else NULL,
        NULL if (subject := fields.get("subject")) is None else subject,
        NULL if (stance := fields.get("stance")) is None else stance,
        occurred_lower,
        occurred_upper,
        planned["lower"] if planned else NULL,
        planned["upper"] if planned else NULL,
        sort_key,
        version.first_known,
        version.account_count,
        dumps(version_data(kind, version)),
    )


def version_data(kind: str, version: Version) -> dict[str, Any]:
    """A version row's ``data``: its fields, reports and revisions and, while its
    status is one that takes effect when it happened (held), the status it had before
    then (``Version.earlier``), which valid time reads before it happened
    (``projections.as_of``) and a fold onto the row carries on from."""
    data: dict[str, Any] = {
        "fields": version.fields,
        "reports": list(version.reports),
        "revisions": version.revisions,
    }
    if version.earlier is not None and version.fields.get("status") in happened_statuses(kind):
        data["before"] = version.earlier
    if version.disputed:  # absent when undisputed: most rows, and rows as they were
        data["disputed"] = version.disputed
    return data


def stored_earlier(kind: str, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """``Version.earlier`` of a version row, from its ``data``: kept there while its
    status is a happened one, and otherwise its own status."""
    before: dict[str, Any] | None = data.get("before")
    return before if before is not None else earlier_status(kind, data["fields"])
