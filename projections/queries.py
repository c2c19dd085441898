"""Queries over the tracker's view, answered from knowledge-time versions.

Comparisons are conservative: a development counts as having happened by D only if its
latest possible date is on or before D; what only possibly happened is listed apart.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from projections.folding import merge_fields
from projections.view import TrackerViewBase
from tracker.kinds import KINDS
from tracker.state import (
    CallGroup,
    Changes,
    ClaimSummary,
    DevelopmentChange,
    DisputedValue,
    FieldChange,
    History,
    HistoryEntry,
    IssueSummary,
    PlanSummary,
    Source,
    Sources,
    State,
    StatementSummary,
    StrikeSummary,
    Upcoming,
)

ALL_KINDS = tuple(KINDS)
STRIKE_WINDOW_DAYS = 30
UPCOMING_STATUSES = ("proposed", "scheduled", "planned")
UNDATED_UPCOMING_DAYS = 30


def days_before(day: str, days: int) -> str:
    return (date.fromisoformat(day) - timedelta(days=days)).isoformat()


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = row["data"]["fields"]
    return fields


def _reports(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row["data"]["reports"])


def _text(value: Any) -> str | None:
    return None if value is None else str(value["text"])


def _happened(row: dict[str, Any], as_of: str) -> bool:
    return bool(row["occurred_upper"] <= as_of)


def _possibly_happened(row: dict[str, Any], as_of: str) -> bool:
    return bool(row["occurred_lower"] <= as_of < row["occurred_upper"])


class Queries:
    def __init__(self, view: TrackerViewBase, application_name: str) -> None:
        self.view = view
        self.application_name = application_name

    def state(self, as_of: str, known_at: str, since: str | None = None) -> State:
        strikes_since = since or days_before(as_of, STRIKE_WINDOW_DAYS)
        calls = self.call_groups(as_of, known_at)
        plans = self.plans(as_of, known_at)
        issues = [issue for issue in self.issues(as_of, known_at) if issue.status == "open"]
        strike_rows = [
            row
            for row in self.view.current_versions(("strike",), known_at)
            if _happened(row, as_of)
        ]
        window = [row for row in strike_rows if row["occurred_upper"] >= strikes_since]
        possible = {
            "calls": tuple(call for group in calls for call in group.possible),
            "strikes": tuple(
                row["development_id"]
                for row in self.view.current_versions(("strike",), known_at)
                if _possibly_happened(row, as_of)
            ),
            "reports": tuple(self.view.reports_possibly_known(known_at)),
        }
        return State(
            as_of=as_of,
            known_at=known_at,
            position=self.view.position(self.application_name),
            calls=tuple(calls),
            next_meetings=tuple(self.upcoming(as_of, known_at)),
            plans=tuple(plans),
            open_issues=tuple(issues),
            strike_count=len(strike_rows),
            strikes_since=strikes_since,
            strikes=tuple(_strike(row) for row in reversed(window)),
            possible=possible,
        )

    def call_groups(self, as_of: str, known_at: str) -> list[CallGroup]:
        certain: dict[str, list[dict[str, Any]]] = defaultdict(list)
        possible: dict[str, list[str]] = defaultdict(list)
        for row in self.view.current_versions(("call",), known_at):
            if row["status"] != "held":
                continue
            if _happened(row, as_of):
                certain[row["participants"]].append(row)
            elif _possibly_happened(row, as_of):
                possible[row["participants"]].append(row["development_id"])
        claims = self._latest_call_count_claims(as_of, known_at)
        groups = []
        for key in sorted(set(certain) | set(possible) | set(claims)):
            rows = sorted(certain.get(key, []), key=lambda r: (r["sort_key"], r["development_id"]))
            claim = claims.get(key)
            last = rows[-1] if rows else None
            claimed = _fields(claim).get("value") if claim else None
            gap = (
                claimed - len(rows)
                if isinstance(claimed, int) and not isinstance(claimed, bool)
                else None
            )
            groups.append(
                CallGroup(
                    participants=tuple(key.split(",")),
                    count=len(rows),
                    calls=tuple(row["development_id"] for row in rows),
                    last=last["development_id"] if last else None,
                    last_occurred=_text(_fields(last).get("occurred")) if last else None,
                    claimed_count=claimed,
                    claimed_by=claim["development_id"] if claim else None,
                    possible=tuple(possible.get(key, [])),
                    gap=gap,
                )
            )
        return groups

    def _latest_call_count_claims(self, as_of: str, known_at: str) -> dict[str, dict[str, Any]]:
        """Per participant set, the latest asserting call-count claim known at K from a
        report published by D: the claims as known at the earlier of the two."""
        latest: dict[str, dict[str, Any]] = {}
        for row in self.view.current_versions(("claim",), min(as_of, known_at)):
            if (
                row["subject"] != "call-count"
                or row["stance"] != "asserts"
                or not row["participants"]
            ):
                continue
            key = row["participants"]
            if key not in latest or (row["occurred_upper"], row["known_from"]) >= (
                latest[key]["occurred_upper"],
                latest[key]["known_from"],
            ):
                latest[key] = row
        return latest

    def upcoming(self, as_of: str, known_at: str) -> list[Upcoming]:
        """Meetings and calls still ahead on D that were known of by D, soonest first.

        Ahead means proposed or scheduled meetings and planned calls whose planned date
        is on or after D (undated ones only if first reported in the month up to D),
        and meetings or calls that were held after D but first reported by D: on D
        they were still to come.
        """
        found: list[tuple[tuple[Any, ...], Upcoming]] = []
        for row in self.view.current_versions(("meeting", "call"), known_at):
            if row["first_known"] > as_of:
                continue
            fields = _fields(row)
            status = row["status"]
            if status in UPCOMING_STATUSES:
                planned = fields.get("planned") or (
                    fields.get("occurred") if row["kind"] == "call" else None
                )
                if planned is None:
                    if row["first_known"] < days_before(as_of, UNDATED_UPCOMING_DAYS):
                        continue
                elif planned["upper"] < as_of:
                    continue
            elif status == "held" and row["occurred_lower"] > as_of:
                planned = fields.get("occurred")
                status = "planned" if row["kind"] == "call" else "scheduled"
            else:
                continue
            # Dated first, by day and then time (a day without a time after the timed
            # ones of that day); undated last, by when they were first reported.
            key = (
                (0, planned["lower"], planned.get("instant") or "T24", row["development_id"])
                if planned
                else (1, row["first_known"], "", row["development_id"])
            )
            item = Upcoming(
                id=row["development_id"],
                kind=row["kind"],
                participants=tuple(fields.get("participants", ())),
                status=status,
                planned=_text(planned),
                place=fields.get("place"),
                reports=_reports(row),
            )
            found.append((key, item))
        return [item for _, item in sorted(found, key=lambda pair: pair[0])]

    def meetings(self, as_of: str, known_at: str) -> list[dict[str, Any]]:
        return [
            {"id": row["development_id"], **_fields(row), "reports": list(_reports(row))}
            for row in self.view.current_versions(("meeting",), known_at)
            if row["first_known"] <= as_of
        ]

    def plans(self, as_of: str, known_at: str) -> list[PlanSummary]:
        return [
            PlanSummary(
                id=row["development_id"],
                label=_fields(row).get("label"),
                points=_fields(row).get("points"),
                readiness_pct=_fields(row).get("readiness_pct"),
                status=_fields(row).get("status"),
                revisions=row["data"]["revisions"],
                provisions=tuple(_fields(row).get("provisions", ())),
                reports=_reports(row),
            )
            for row in self.view.current_versions(("plan",), known_at)
            if _happened(row, as_of)
        ]

    def issues(self, as_of: str, known_at: str) -> list[IssueSummary]:
        return [
            IssueSummary(
                id=row["development_id"],
                title=_fields(row).get("title"),
                status=row["status"],
                positions=dict(_fields(row).get("positions", {})),
                reports=_reports(row),
            )
            for row in self.view.current_versions(("issue",), known_at)
            if _happened(row, as_of)
        ]

    def strikes(self, as_of: str, known_at: str, since: str | None) -> list[StrikeSummary]:
        rows = [
            row
            for row in self.view.current_versions(("strike",), known_at)
            if _happened(row, as_of) and (since is None or row["occurred_upper"] >= since)
        ]
        return [_strike(row) for row in reversed(rows)]

    def claims(self, as_of: str, known_at: str) -> list[ClaimSummary]:
        return [
            ClaimSummary(
                id=row["development_id"],
                subject=row["subject"],
                participants=tuple(_fields(row).get("participants", ())),
                value=_fields(row).get("value"),
                claimant=_fields(row).get("claimant"),
                stance=row["stance"],
                occurred=_text(_fields(row).get("occurred")),
                reports=_reports(row),
            )
            for row in self.view.current_versions(("claim",), min(as_of, known_at))
        ]

    def statements(self, as_of: str, known_at: str) -> list[StatementSummary]:
        return [
            StatementSummary(
                id=row["development_id"],
                speaker=_fields(row).get("speaker"),
                quote=_fields(row).get("quote"),
                occurred=_text(_fields(row).get("occurred")),
                reports=_reports(row),
            )
            for row in self.view.current_versions(("statement",), known_at)
            if _happened(row, as_of)
        ]

    def history(self, development_id: str) -> History | None:
        kind = self.view.development_kind(development_id)
        if kind is None:
            return None
        tellings = self.view.tellings(development_id)
        entries = []
        merged: dict[str, Any] = {}
        for row in tellings:
            retraction = bool(row["retraction"])
            voided = row["voided_at"] is not None
            changed: tuple[str, ...] = ()
            if not retraction and not voided:
                # The fold's own rules: a later quotation does not replace the first.
                changed = tuple(merge_fields(merged, row["fields"]))
            entries.append(
                HistoryEntry(
                    position=row["position"],
                    version=row["version"],
                    report_id=row["report_id"],
                    outlet=row["outlet"],
                    published=row["published"],
                    kind="retraction" if retraction else "account",
                    fields=row["fields"],
                    changed=changed,
                    quote=row["quote"],
                    attributed_to=row["attributed_to"],
                    note=row["note"],
                    reason=row["reason"],
                    voided=voided,
                    void_reason=row["void_reason"],
                )
            )
        return History(
            development_id,
            kind,
            tuple(entries),
            corroboration=_corroboration(tellings),
            disputed=_disputes(tellings),
        )

    def sources(self, development_id: str) -> Sources | None:
        kind = self.view.development_kind(development_id)
        if kind is None:
            return None
        tellings = self.view.tellings(development_id)
        return Sources(
            development_id,
            kind,
            _corroboration(tellings),
            tuple(
                Source(
                    report_id=row["report_id"],
                    outlet=row["outlet"],
                    published=row["published"],
                    kind="retraction" if row["retraction"] else "account",
                    quote=row["quote"],
                    attributed_to=row["attributed_to"],
                    voided=row["voided_at"] is not None,
                )
                for row in tellings
            ),
        )

    def changes(self, known_from: str, known_to: str, as_of: str | None = None) -> Changes:
        """What the reports published after ``known_from``, up to ``known_to``, changed."""
        before = self._versions_at(known_from)
        after = self._versions_at(known_to)
        added: list[DevelopmentChange] = []
        changed: list[DevelopmentChange] = []
        retracted: list[DevelopmentChange] = []
        for development_id in sorted(set(before) | set(after)):
            old, new = before.get(development_id), after.get(development_id)
            latest = new or old
            assert latest is not None  # in one of the two by construction
            if as_of is not None and not _relevant_on(latest, as_of):
                continue
            alive_before = old is not None and not old["retracted"]
            alive_after = new is not None and not new["retracted"]
            if not alive_before and not alive_after:
                continue
            tellings = [
                row
                for row in self.view.tellings(development_id)
                if known_from < row["published_upper"] <= known_to and row["voided_at"] is None
            ]
            reports = tuple(dict.fromkeys(row["report_id"] for row in tellings))
            if alive_after and not alive_before:
                assert new is not None
                fields = tuple(
                    _field_change(name, None, value, tellings)
                    for name, value in _fields(new).items()
                )
                added.append(
                    DevelopmentChange(development_id, new["kind"], "added", fields, reports)
                )
            elif alive_before and not alive_after:
                retractions = tuple(r["report_id"] for r in tellings if r["retraction"])
                retracted.append(
                    DevelopmentChange(development_id, latest["kind"], "retracted", (), retractions)
                )
            else:
                assert old is not None and new is not None
                old_fields, new_fields = _fields(old), _fields(new)
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

    def _versions_at(self, known_at: str) -> dict[str, dict[str, Any]]:
        rows = self.view.current_versions(ALL_KINDS, known_at, include_retracted=True)
        return {row["development_id"]: row for row in rows}


def _relevant_on(row: dict[str, Any], as_of: str) -> bool:
    """Possibly happened by D, or still ahead on D."""
    if row["status"] in ("proposed", "scheduled", "planned"):
        return row["planned_upper"] is None or row["planned_upper"] >= as_of
    return bool(row["occurred_lower"] <= as_of)


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


def _standing(tellings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in tellings if not row["retraction"] and row["voided_at"] is None]


def _corroboration(tellings: list[dict[str, Any]]) -> int:
    return len({row["outlet"] for row in _standing(tellings)})


def _disputes(tellings: list[dict[str, Any]]) -> dict[str, tuple[DisputedValue, ...]]:
    """Fields to which accounts of equal standing give different values: their reports
    may have been published on the same day (neither corrects the other), or they quote
    the same words differently."""
    disputed: dict[str, tuple[DisputedValue, ...]] = {}
    accounts = _standing(tellings)
    names = dict.fromkeys(name for row in accounts for name in row["fields"])
    for name in names:
        giving = [row for row in accounts if name in row["fields"]]
        clashing: dict[int, dict[str, Any]] = {}
        for index, first in enumerate(giving):
            for second in giving[index + 1 :]:
                if first["fields"][name] == second["fields"][name]:
                    continue
                overlap = (
                    first["published_lower"] <= second["published_upper"]
                    and second["published_lower"] <= first["published_upper"]
                )
                if overlap or name == "quote":
                    clashing[first["position"]] = first
                    clashing[second["position"]] = second
        if clashing:
            disputed[name] = tuple(
                DisputedValue(
                    value=row["fields"][name],
                    report_id=row["report_id"],
                    outlet=row["outlet"],
                    published=row["published"],
                )
                for row in sorted(clashing.values(), key=lambda row: row["position"])
            )
    return disputed


def _strike(row: dict[str, Any]) -> StrikeSummary:
    fields = _fields(row)
    return StrikeSummary(
        id=row["development_id"],
        occurred=_text(fields.get("occurred")),
        target=fields.get("target"),
        by=fields.get("by"),
        weapons=tuple(fields.get("weapons", ())),
        effects=fields.get("effects"),
        reports=_reports(row),
    )
