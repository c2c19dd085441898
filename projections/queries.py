"""Queries over the tracker's view, answered from knowledge-time versions.

Comparisons are conservative: a development counts as having happened by D only if its
latest possible date is on or before D; what only possibly happened is listed apart.

The state is counted and windowed in SQL (``projections.view``): its counts are exact,
and each of its lists holds at most ``STATE_LIST_LIMIT`` items with the total beside
it, so its time and size do not grow with the log.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from projections.folding import merge_fields
from projections.view import TrackerViewBase
from tracker.dates import OPEN_LOWER, OPEN_UPPER
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
# The most items a list in a state holds: the latest (or soonest) ones.
STATE_LIST_LIMIT = 20


def days_before(day: str, days: int) -> str:
    """The day ``days`` before ``day``; past the calendar's ends, a bound beyond every
    day (a window reaching back before year 1 holds all there is)."""
    try:
        return (date.fromisoformat(day) - timedelta(days=days)).isoformat()
    except OverflowError:
        return OPEN_LOWER if days > 0 else OPEN_UPPER


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = row["data"]["fields"]
    return fields


def _reports(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row["data"]["reports"])


def _text(value: Any) -> str | None:
    return None if value is None else str(value["text"])


def _latest(items: list[Any], limit: int | None) -> list[Any]:
    """The last ``limit`` items of a list kept oldest first (all without a limit)."""
    return items if limit is None else items[max(0, len(items) - limit) :]


class Queries:
    def __init__(self, view: TrackerViewBase, application_name: str) -> None:
        self.view = view
        self.application_name = application_name

    def state(
        self,
        as_of: str,
        known_at: str,
        since: str | None = None,
        limit: int | None = STATE_LIST_LIMIT,
    ) -> State:
        strikes_since = since or days_before(as_of, STRIKE_WINDOW_DAYS)
        view = self.view
        with view.snapshot():  # one read transaction: every figure from the same view
            position = view.position(self.application_name)
            calls_total, calls = self.call_groups_window(as_of, known_at, limit)
            next_total, next_meetings = self.upcoming_window(as_of, known_at, limit)
            plans_total, plans = self.plans_window(as_of, known_at, limit)
            issues_total, issues = self.issues_window(as_of, known_at, limit, status="open")
            strike_count = view.count_happened("strike", as_of, known_at)
            strikes_total, strikes = view.latest_happened(
                "strike", as_of, known_at, since=strikes_since, limit=limit
            )
            possible_calls = view.possibly_happened(
                "call", as_of, known_at, status="held", limit=limit
            )
            possible_strikes = view.possibly_happened("strike", as_of, known_at, limit=limit)
            possible_reports = view.reports_possibly_known(known_at, limit)
        return State(
            as_of=as_of,
            known_at=known_at,
            position=position,
            list_limit=limit,
            calls=tuple(calls),
            calls_total=calls_total,
            next_meetings=tuple(next_meetings),
            next_meetings_total=next_total,
            plans=tuple(plans),
            plans_total=plans_total,
            open_issues=tuple(issues),
            open_issues_total=issues_total,
            strike_count=strike_count,
            strikes_since=strikes_since,
            strikes=tuple(_strike(row) for row in strikes),
            strikes_total=strikes_total,
            possible={
                # Oldest first, as the lists of calls are.
                "calls": tuple(row["development_id"] for row in reversed(possible_calls[1])),
                "strikes": tuple(row["development_id"] for row in reversed(possible_strikes[1])),
                "reports": tuple(possible_reports[1]),
            },
            possible_total={
                "calls": possible_calls[0],
                "strikes": possible_strikes[0],
                "reports": possible_reports[0],
            },
        )

    def call_groups(self, as_of: str, known_at: str) -> list[CallGroup]:
        """Held calls per set of participants: how many certainly happened by D, which
        only possibly did, and the latest claimed count beside them."""
        return self.call_groups_window(as_of, known_at, None)[1]

    def call_groups_window(
        self, as_of: str, known_at: str, limit: int | None
    ) -> tuple[int, list[CallGroup]]:
        """How many sets of participants have calls (certain or possible) or a claimed
        count, and the ``limit`` most recently active of them (all without a limit), by
        participants, each with the latest ``limit`` of its calls.

        Most recently active: by the latest call that happened or possibly happened by
        D; sets with only a claimed count come after those with calls.
        """
        view = self.view
        # Claims known at K from reports published by D: as known at the earlier.
        claims_at = min(as_of, known_at)
        with view.snapshot():
            sets = view.participant_sets(as_of, known_at, claims_at)
            _, possible_rows = view.possibly_happened("call", as_of, known_at, status="held")
            possible: dict[str, list[str]] = defaultdict(list)
            active = {key: latest for key, latest in sets.items() if latest is not None}
            for row in reversed(possible_rows):  # oldest first
                key = row["participants"]
                if key is not None:
                    possible[key].append(row["development_id"])
                    mark = (row["sort_key"], row["development_id"])
                    active[key] = max(active.get(key, mark), mark)
            everyone = sorted(set(sets) | set(possible))
            # Python's sort is stable: sets with only a claim stay in participants order.
            everyone.sort(key=lambda key: (key in active, active.get(key, ("", ""))), reverse=True)
            shown = everyone[:limit]
            held = view.held_calls_by_participants(
                as_of, known_at, None if limit is None else shown, limit
            )
            last = view.versions_of(
                [calls[-1]["development_id"] for _, calls in held.values() if calls],
                known_at,
                columns=(),
            )
            claims = view.latest_call_count_claims(claims_at, shown)
        groups = []
        for key in sorted(shown):
            count, recent = held.get(key, (0, []))
            last_row = last[recent[-1]["development_id"]] if recent else None
            claim = claims.get(key)
            claimed = _fields(claim).get("value") if claim else None
            gap = (
                claimed - count
                if isinstance(claimed, int) and not isinstance(claimed, bool)
                else None
            )
            possible_ids = possible.get(key, [])
            groups.append(
                CallGroup(
                    participants=tuple(key.split(",")),
                    count=count,
                    calls=tuple(call["development_id"] for call in recent),
                    last=last_row["development_id"] if last_row else None,
                    last_occurred=_text(_fields(last_row).get("occurred")) if last_row else None,
                    claimed_count=claimed,
                    claimed_by=claim["development_id"] if claim else None,
                    possible=tuple(_latest(possible_ids, limit)),
                    possible_count=len(possible_ids),
                    gap=gap,
                )
            )
        return len(everyone), groups

    def upcoming(self, as_of: str, known_at: str) -> list[Upcoming]:
        """Meetings and calls still ahead on D that were known of by D, soonest first.

        Ahead means proposed or scheduled meetings and planned calls whose planned date
        is on or after D (undated ones only if first reported in the month up to D),
        and meetings or calls that were held after D but first reported by D: on D
        they were still to come.
        """
        return self.upcoming_window(as_of, known_at, None)[1]

    def upcoming_window(
        self, as_of: str, known_at: str, limit: int | None
    ) -> tuple[int, list[Upcoming]]:
        """How many meetings and calls are still ahead on D (see ``upcoming``), and the
        soonest ``limit`` of them (all without a limit)."""
        keyed: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        with self.view.snapshot():
            candidates = self.view.upcoming_candidates(
                as_of, known_at, days_before(as_of, UNDATED_UPCOMING_DAYS)
            )
            for row in candidates:
                # Held after D: dated by when it happened; otherwise by its planned date.
                held = row["status"] == "held"
                lower = row["occurred_lower"] if held else row["planned_lower"]
                # Dated first, by day and then time (a day without a time after the
                # timed ones of that day); undated last, by when they were first
                # reported. A dated version's sort key is its date's instant, if timed.
                if lower is not None:
                    instant = row["sort_key"] if row["sort_key"] != lower else "T24"
                    key: tuple[Any, ...] = (0, lower, instant, row["development_id"])
                else:
                    key = (1, row["first_known"], "", row["development_id"])
                keyed.append((key, row))
            keyed.sort(key=lambda pair: pair[0])
            soonest = [row for _, row in keyed[:limit]]
            versions = self.view.versions_of(
                [row["development_id"] for row in soonest], known_at, columns=()
            )
        return len(keyed), [_upcoming(row, versions[row["development_id"]]) for row in soonest]

    def meetings_window(
        self, as_of: str, known_at: str, limit: int | None
    ) -> tuple[int, list[dict[str, Any]]]:
        """Meetings first reported by D, whatever their status, as known at K: how many,
        and the latest ``limit`` by when they happened or are planned, oldest first."""
        total, rows = self.view.latest_reported("meeting", as_of, known_at, limit)
        return total, [
            {"id": row["development_id"], **_fields(row), "reports": list(_reports(row))}
            for row in rows
        ]

    def plans(self, as_of: str, known_at: str) -> list[PlanSummary]:
        return self.plans_window(as_of, known_at, None)[1]

    def plans_window(
        self, as_of: str, known_at: str, limit: int | None
    ) -> tuple[int, list[PlanSummary]]:
        """Plans made by D, as known at K: how many, and the latest ``limit``."""
        total, rows = self.view.latest_happened("plan", as_of, known_at, limit=limit)
        return total, [
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
            for row in reversed(rows)
        ]

    def issues(self, as_of: str, known_at: str) -> list[IssueSummary]:
        return self.issues_window(as_of, known_at, None)[1]

    def issues_window(
        self, as_of: str, known_at: str, limit: int | None, status: str | None = None
    ) -> tuple[int, list[IssueSummary]]:
        """Issues raised by D (with ``status``), as known at K: how many, and the
        latest ``limit``."""
        total, rows = self.view.latest_happened(
            "issue", as_of, known_at, status=status, limit=limit
        )
        return total, [
            IssueSummary(
                id=row["development_id"],
                title=_fields(row).get("title"),
                status=row["status"],
                positions=dict(_fields(row).get("positions", {})),
                reports=_reports(row),
            )
            for row in reversed(rows)
        ]

    def strikes(
        self, as_of: str, known_at: str, since: str | None, limit: int | None = None
    ) -> tuple[int, list[StrikeSummary]]:
        """Strikes that happened by D (since ``since``), as known at K: how many, and the
        latest ``limit`` (all without one), newest first."""
        total, rows = self.view.latest_happened("strike", as_of, known_at, since=since, limit=limit)
        return total, [_strike(row) for row in rows]

    def claims(
        self, as_of: str, known_at: str, limit: int | None = None
    ) -> tuple[int, list[ClaimSummary]]:
        """Claims known at the earlier of D and K, whenever made: how many, and the latest
        ``limit`` (all without one), oldest first."""
        # No valid-time bound: every claim's latest possible date is on or before the
        # open upper bound.
        total, rows = self.view.latest_happened(
            "claim", OPEN_UPPER, min(as_of, known_at), limit=limit
        )
        return total, [
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
            for row in reversed(rows)
        ]

    def statements(
        self, as_of: str, known_at: str, limit: int | None = None
    ) -> tuple[int, list[StatementSummary]]:
        """Statements made by D, as known at K: how many, and the latest ``limit`` (all
        without one), oldest first."""
        total, rows = self.view.latest_happened("statement", as_of, known_at, limit=limit)
        return total, [
            StatementSummary(
                id=row["development_id"],
                speaker=_fields(row).get("speaker"),
                quote=_fields(row).get("quote"),
                occurred=_text(_fields(row).get("occurred")),
                reports=_reports(row),
            )
            for row in reversed(rows)
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
                    quote_checked=None
                    if row["quote"] is None
                    else row["report_sha256"] is not None,
                )
                for row in tellings
            ),
        )

    def changes(self, known_from: str, known_to: str, as_of: str | None = None) -> Changes:
        """What the reports published after ``known_from``, up to ``known_to``, changed.

        A development's version at ``known_to`` differs from that at ``known_from`` only
        if one of its versions begins in between: only those are read.
        """
        with self.view.snapshot():
            candidates = self.view.developments_changed_between(ALL_KINDS, known_from, known_to)
            columns = ("kind", "status", "retracted", "planned_upper", "occurred_lower")
            before = self.view.versions_of(
                candidates, known_from, include_retracted=True, columns=columns
            )
            after = self.view.versions_of(
                candidates, known_to, include_retracted=True, columns=columns
            )
            published = self.view.tellings_published_between(candidates, known_from, known_to)
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
            alive_before = old is not None and not old["retracted"]
            alive_after = new is not None and not new["retracted"]
            if not alive_before and not alive_after:
                continue
            tellings = published.get(development_id, [])
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


def _upcoming(candidate: dict[str, Any], version: dict[str, Any]) -> Upcoming:
    """A meeting or call ahead on D, from its candidate row and its version's data."""
    fields = _fields(version)
    kind = candidate["kind"]
    status = candidate["status"]
    if status == "held":  # held after D but reported by D: on D it was still to come
        planned = fields.get("occurred")
        status = "planned" if kind == "call" else "scheduled"
    else:
        planned = fields.get("planned") or (fields.get("occurred") if kind == "call" else None)
    return Upcoming(
        id=candidate["development_id"],
        kind=kind,
        participants=tuple(fields.get("participants", ())),
        status=status,
        planned=_text(planned),
        place=fields.get("place"),
        reports=_reports(version),
    )
