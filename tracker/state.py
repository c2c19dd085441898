"""What the tracker answers: the state of the process as of a date, as known at a date.

These are read-side values built from the views; the interface layer turns them into
plain dicts for JSON and tables.

A state's size does not grow with the log: its counts are exact, but each list in it
holds at most ``list_limit`` items (the most recent, or the soonest), with the full
number beside it (``count`` beside ``calls``, ``*_total`` beside the others).
"""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class CallGroup:
    """Calls between one set of participants."""

    participants: tuple[str, ...]
    count: int  # distinct calls that certainly happened by the as-of date
    calls: tuple[str, ...]  # their ids by when they happened (in a state, the latest ones)
    last: str | None  # the latest of them, by when it happened
    last_occurred: str | None
    claimed_count: Any  # the latest asserting call-count claim, or None
    claimed_by: str | None  # the claim's development id
    possible: tuple[str, ...]  # calls that may have happened by then, but not certainly
    possible_count: int  # all the calls that possibly happened, listed or not
    gap: int | None  # claimed minus recorded, where the claim is a number

    @property
    def gap_text(self) -> str | None:
        if self.gap is None:
            return None
        if self.gap > 0:
            return (
                f"claimed {self.claimed_count}, recorded {self.count}:"
                f" {self.gap} call{'s' if self.gap != 1 else ''} not in the record"
            )
        if self.gap < 0:
            return (
                f"claimed {self.claimed_count}, recorded {self.count}: more recorded than claimed"
            )
        return f"claimed {self.claimed_count}, recorded {self.count}: all in the record"


@attrs.frozen
class Upcoming:
    """A proposed or scheduled meeting, or a planned call."""

    id: str
    kind: str
    participants: tuple[str, ...]
    status: str
    planned: str | None
    place: str | None
    reports: tuple[str, ...]
    # Fields that equal accounts tell differently (absent from JSON when none).
    disputed: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class PlanSummary:
    id: str
    label: str | None
    points: int | None
    readiness_pct: float | None
    status: str | None
    revisions: int
    provisions: tuple[str, ...]
    reports: tuple[str, ...]
    # Fields that equal accounts tell differently (absent from JSON when none).
    disputed: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class IssueSummary:
    id: str
    title: str | None
    status: str
    positions: dict[str, str]
    reports: tuple[str, ...]
    # Fields that equal accounts tell differently (absent from JSON when none).
    disputed: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class StrikeSummary:
    id: str
    occurred: str | None
    target: str | None  # None while only a later account, without it, is known
    by: str | None
    weapons: tuple[dict[str, Any], ...]
    effects: str | None
    reports: tuple[str, ...]
    # Fields that equal accounts tell differently (absent from JSON when none).
    disputed: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class ClaimSummary:
    id: str
    subject: str
    participants: tuple[str, ...]
    value: Any
    claimant: str | None
    stance: str
    occurred: str | None
    reports: tuple[str, ...]
    # Fields that equal accounts tell differently (absent from JSON when none).
    disputed: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class StatementSummary:
    id: str
    speaker: str | None
    quote: str | None
    occurred: str | None
    reports: tuple[str, ...]
    # Fields that equal accounts tell differently (absent from JSON when none).
    disputed: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class KindList:
    """The latest developments of a type that has no section of its own in the state
    (one registered from outside the package): how many happened by the as-of date,
    and the latest of them, each its id, fields and reports."""

    kind: str
    plural: str
    total: int
    items: tuple[dict[str, Any], ...]


@attrs.frozen
class State:
    """The state as of a day, as known at a day.

    Lists keep their usual order and hold at most ``list_limit`` items: the soonest
    next meetings, the newest strikes, the first reports by id, and otherwise the
    latest by when they happened. The total beside each counts the whole list.
    """

    as_of: str
    known_at: str
    position: int
    list_limit: int | None  # the most items a list holds; None: no limit
    calls: tuple[CallGroup, ...]  # the most recently active sets of participants
    calls_total: int  # every set with calls, possible calls or a claimed count
    next_meetings: tuple[Upcoming, ...]
    next_meetings_total: int
    plans: tuple[PlanSummary, ...]
    plans_total: int
    open_issues: tuple[IssueSummary, ...]
    open_issues_total: int
    strike_count: int  # strikes that certainly happened by the as-of date
    strikes_since: str
    strikes: tuple[StrikeSummary, ...]  # the newest of those since ``strikes_since``
    strikes_total: int  # all the strikes since ``strikes_since``
    possible: dict[str, tuple[str, ...]]
    possible_total: dict[str, int]
    # A section per registered type that has none of its own above; in JSON, each is
    # ``<plural>`` and ``<plural>_total`` beside the others (``tracker.presenters``).
    listed: tuple[KindList, ...] = ()


@attrs.frozen
class HistoryEntry:
    """One account or retraction of a development, with what it changed."""

    position: int
    version: int
    report_id: str
    outlet: str
    published: str
    kind: str  # "account" or "retraction"
    fields: dict[str, Any]
    changed: tuple[str, ...]
    quote: str | None
    attributed_to: str | None
    note: str | None
    reason: str | None
    voided: bool
    void_reason: str | None


@attrs.frozen
class History:
    id: str
    kind: str
    entries: tuple[HistoryEntry, ...]
    corroboration: int  # distinct outlets among the standing accounts
    # Fields that accounts of equal standing tell differently, as the fold weighs them
    # (``projections.disputes``): {field: [{"value", "reports"}, ...]}, shown first.
    disputed: dict[str, list[dict[str, Any]]]


@attrs.frozen
class Source:
    report_id: str
    outlet: str
    published: str
    kind: str  # "account" or "retraction"
    quote: str | None
    attributed_to: str | None
    voided: bool
    # Whether the quote was found in its report's text; False for a report without
    # text, which nothing can check it against; None without a quote.
    quote_checked: bool | None = None


@attrs.frozen
class Sources:
    id: str
    kind: str
    corroboration: int
    sources: tuple[Source, ...]


@attrs.frozen
class FieldChange:
    field: str
    old: Any
    new: Any
    report_id: str | None  # the report whose account made the change
    outlet: str | None


@attrs.frozen
class DevelopmentChange:
    id: str
    kind: str
    change: str  # added | changed | retracted
    fields: tuple[FieldChange, ...]
    reports: tuple[str, ...]  # the reports, published in the interval, behind the change


@attrs.frozen
class Changes:
    known_from: str
    known_to: str
    as_of: str | None
    added: tuple[DevelopmentChange, ...]
    changed: tuple[DevelopmentChange, ...]
    retracted: tuple[DevelopmentChange, ...]
    claims_added: tuple[DevelopmentChange, ...]
