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

# An open issue that no report has told of for this many days is stale
# (``--stale-after``): here, where the CLI's option and the queries both read it.
STALE_AFTER_DAYS = 90


@attrs.frozen
class CallGroup:
    """Calls between one set of participants."""

    participants: tuple[str, ...]
    count: int  # distinct calls that certainly happened by the as-of date
    calls: tuple[str, ...]  # their ids by when they happened (in a state, the latest ones)
    last: str | None  # the latest of them, by when it happened
    last_occurred: str | None
    # The latest asserting call-count claim's value, or None; a number has the held
    # calls since the claim's day added (``calls_since_claim``).
    claimed_count: Any
    claimed_by: str | None  # the claim's development id
    possible: tuple[str, ...]  # calls that may have happened by then, but not certainly
    possible_count: int  # all the calls that possibly happened, listed or not
    gap: int | None  # claimed minus recorded, where the claim is a number
    # The day the claimed count speaks as of (the claim's latest possible date, or its
    # first report's), and the held calls certainly after it, which ``claimed_count``
    # adds to the claim's own number.
    claimed_as_of: str | None = None
    calls_since_claim: int = 0

    @property
    def claimed_text(self) -> Any:
        """The claimed count as a table shows it: with the claim's own number and day
        when calls since then were added to it."""
        if not self.calls_since_claim:
            return self.claimed_count
        return (
            f"{self.claimed_count} ({self.claimed_count - self.calls_since_claim}"
            f" on {self.claimed_as_of} + {self.calls_since_claim} since)"
        )

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
    # The latest report that told of it as known at K: {"date": ..., "report": ...}.
    last_reported: dict[str, str] | None = None
    # Its planned day (or, undated, the month after its first report) has passed as of
    # D with no report of it held: no longer next, listed apart.
    overdue: bool = False
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
    last_reported: dict[str, str] | None = None
    # Fields that equal accounts tell differently (absent from JSON when none).
    disputed: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class IssueSummary:
    id: str
    title: str | None
    status: str
    positions: dict[str, str]
    reports: tuple[str, ...]
    last_reported: dict[str, str] | None = None
    # Open, but no report has told of it for ``stale_after`` days.
    stale: bool = False
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
    last_reported: dict[str, str] | None = None
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
    last_reported: dict[str, str] | None = None
    # The development the claim is about, if it names one.
    about: str | None = None
    # Each claimant's latest stance, the claim's own claimant first:
    # {"claimant", "stance", "value", "report", "quote"}.
    stances: tuple[dict[str, Any], ...] = ()
    # Fields that equal accounts tell differently (absent from JSON when none).
    disputed: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class StatementSummary:
    id: str
    speaker: str | None
    via: tuple[str, ...]  # who relayed the words, nearest the speaker first
    quote: str | None
    occurred: str | None
    reports: tuple[str, ...]
    last_reported: dict[str, str] | None = None
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
    # Meetings and calls still proposed, scheduled or planned whose day has passed as
    # of D (``Upcoming.overdue``): the latest to fall due, in the order they fell due.
    overdue: tuple[Upcoming, ...]
    overdue_total: int
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
    origin: str | None  # where the account's information comes from
    note: str | None
    reason: str | None
    voided: bool
    void_reason: str | None
    # Its grades as given by the day asked (``projections.grades``): {"grade", "graded_on",
    # "note"}, a reliability also naming the "source" graded; None if not graded.
    reliability: dict[str, Any] | None = None
    credibility: dict[str, Any] | None = None


@attrs.frozen
class History:
    id: str
    kind: str
    entries: tuple[HistoryEntry, ...]
    # Independent origins among the standing accounts (``projections.history``).
    corroboration: int
    # Fields that accounts of equal standing tell differently, as the fold weighs them
    # (``projections.disputes``): {field: [{"value", "reports"}, ...]}, shown first.
    disputed: dict[str, list[dict[str, Any]]]
    # The latest report with a standing account: {"date": ..., "report": ...}.
    last_reported: dict[str, str] | None = None


@attrs.frozen
class Source:
    report_id: str
    outlet: str
    published: str
    kind: str  # "account" or "retraction"
    quote: str | None
    attributed_to: str | None
    origin: str | None
    voided: bool
    # Whether the quote was found in its report's text; False for a report without
    # text, which nothing can check it against; None without a quote.
    quote_checked: bool | None = None
    reliability: dict[str, Any] | None = None  # as HistoryEntry's
    credibility: dict[str, Any] | None = None


@attrs.frozen
class Sources:
    id: str
    kind: str
    corroboration: int
    sources: tuple[Source, ...]
    last_reported: dict[str, str] | None = None


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
