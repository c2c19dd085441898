"""What the reports published in an interval of knowledge time changed: the
developments added, changed and retracted, each change credited to its report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.answers import ALL_KINDS, version_fields
from projections.as_of import row_as_of
from projections.folding import planned_date
from projections.history import HistoryQueries
from projections.versions import VersionQueries
from tracker.kinds import UPCOMING_STATUSES
from tracker.state import Changes, DevelopmentChange, FieldChange


class ChangeQueries(HistoryQueries, VersionQueries):
    """Developments with versions, and tellings with reports, in an interval."""

    def developments_changed_between(
        self, kinds: Sequence[str], after: str, until: str
    ) -> list[str]:
        """Developments with a version beginning after ``after``, up to ``until``: the
        only ones whose version at ``until`` may differ from that at ``after``."""
        marks = ",".join("?" * len(kinds))
        with self._reading() as c:
            c.execute(
                "SELECT DISTINCT development_id"  # noqa: S608
                f" FROM versions{self._using('versions_by_kind')} WHERE kind IN ({marks})"
                " AND known_from > ? AND known_from <= ? ORDER BY development_id",
                (*kinds, after, until),
            )
            return [row["development_id"] for row in c.fetchall()]

    def tellings_published_between(
        self, development_ids: Sequence[str], after: str, until: str
    ) -> dict[str, list[dict[str, Any]]]:
        """The standing (not voided) tellings of these developments from reports
        certainly published after ``after``, by ``until``, each development's in the
        order the fold applies them."""
        return self._tellings_where(
            development_ids,
            " AND t.voided_at IS NULL AND r.published_upper > ? AND r.published_upper <= ?",
            (after, until),
        )


def changes(
    view: ChangeQueries, known_from: str, known_to: str, as_of: str | None = None
) -> Changes:
    """What the reports published after ``known_from``, up to ``known_to``, changed;
    with ``as_of``, of the developments relevant on D, each read as it stood on D (a
    meeting held after D: its status then).

    A development's version at ``known_to`` differs from that at ``known_from`` only
    if one of its versions begins in between: only those are read.
    """
    with view.snapshot():
        candidates = view.developments_changed_between(ALL_KINDS, known_from, known_to)
        columns = ("kind", "retracted", "first_known")
        before = view.versions_of(candidates, known_from, include_retracted=True, columns=columns)
        after = view.versions_of(candidates, known_to, include_retracted=True, columns=columns)
        published = view.tellings_published_between(candidates, known_from, known_to)
    added: list[DevelopmentChange] = []
    changed: list[DevelopmentChange] = []
    retracted: list[DevelopmentChange] = []
    for development_id in candidates:
        old, new = before.get(development_id), after.get(development_id)
        latest = new or old
        if latest is None:  # pragma: no cover - a version begins by known_to
            continue
        if as_of is not None and not _relevant_on(latest, as_of):
            continue
        old_fields = _fields_on(old, as_of)
        new_fields = _fields_on(new, as_of)
        alive_before = old is not None and not old["retracted"]
        alive_after = new is not None and not new["retracted"]
        if not alive_before and not alive_after:
            continue
        tellings = published.get(development_id, [])
        reports = tuple(dict.fromkeys(row["report_id"] for row in tellings))
        # A development alive on one side has a version there.
        if new is not None and alive_after and not alive_before:
            fields = tuple(
                _field_change(name, None, value, tellings) for name, value in new_fields.items()
            )
            added.append(DevelopmentChange(development_id, new["kind"], "added", fields, reports))
        elif alive_before and not alive_after:
            retractions = tuple(r["report_id"] for r in tellings if r["retraction"])
            retracted.append(
                DevelopmentChange(development_id, latest["kind"], "retracted", (), retractions)
            )
        elif old is not None and new is not None:
            fields = tuple(
                _field_change(name, old_fields.get(name), new_fields.get(name), tellings)
                for name in dict.fromkeys([*old_fields, *new_fields])
                if old_fields.get(name) != new_fields.get(name)
            )
            if fields:
                changed.append(
                    DevelopmentChange(development_id, new["kind"], "changed", fields, reports)
                )
    return Changes(
        known_from=known_from,
        known_to=known_to,
        as_of=as_of,
        added=tuple(change for change in added if change.kind != "claim"),
        changed=tuple(changed),
        retracted=tuple(retracted),
        claims_added=tuple(change for change in added if change.kind == "claim"),
    )


def _fields_on(row: dict[str, Any] | None, as_of: str | None) -> dict[str, Any]:
    """A version's fields, as they stood on D when there is one."""
    if row is None:
        return {}
    return version_fields(row) if as_of is None else row_as_of(row, as_of).fields


def _relevant_on(row: dict[str, Any], as_of: str) -> bool:
    """Possibly happened by D, or known of by D and still ahead then, as it stood on D
    (as the timeline reads it: a call first reported after D was not yet planned)."""
    seen = row_as_of(row, as_of)
    if seen.status in UPCOMING_STATUSES:
        if row["first_known"] > as_of:
            return False
        planned = planned_date(row["kind"], seen.fields)
        return planned is None or bool(planned["upper"] >= as_of)
    occurred = seen.fields.get("occurred")
    # Undated: it had happened by its first report.
    return bool(occurred["lower"] <= as_of) if occurred else True


def _field_change(name: str, old: Any, new: Any, tellings: list[dict[str, Any]]) -> FieldChange:
    """The change of one field, credited to the first account in the interval that gave
    the new value (later ones only repeat it)."""
    giving = [row for row in tellings if not row["retraction"] and name in row["fields"]]
    source = next((row for row in giving if row["fields"][name] == new), None)
    if source is None and giving:  # a merged value (positions): the last contributor
        source = giving[-1]
    return FieldChange(
        field=name,
        old=old,
        new=new,
        report_id=source["report_id"] if source else None,
        outlet=source["outlet"] if source else None,
    )
