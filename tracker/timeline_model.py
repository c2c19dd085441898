"""The developments the timeline page and the exports show: every development known at
K that is relevant on D, in valid-time order, with its accounts.

A development is dated by when it happened, when it is planned for, or (when no account
dates it) by its first report. The order is found from the view's version rows alone and
the developments are then built a batch at a time, so that a large store is read in flat
memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import attrs

from projections.answers import ALL_KINDS
from projections.as_of import AsOf, row_as_of
from tracker.application import Tracker
from tracker.chunks import chunks
from tracker.dates import OPEN_UPPER
from tracker.errors import TrackerError
from tracker.kinds import UPCOMING_STATUSES, lane, may_be_ahead
from tracker.names import origin_key


@attrs.frozen
class Account:
    """One report's account or retraction of a development."""

    report_id: str
    outlet: str
    published: str
    published_upper: str
    retraction: bool
    quote: str | None
    attributed_to: str | None
    note: str | None
    reason: str | None
    voided: bool
    void_reason: str | None
    origin: str | None = None  # where its information comes from
    version: int = 0  # the development's version it is

    @property
    def standing(self) -> bool:
        return not self.retraction and not self.voided


@attrs.frozen
class Development:
    """A development as known at K, placed in valid time, as it stood on D
    (``projections.as_of``: a meeting held after D is shown scheduled, by its planned
    date).

    ``lower``/``upper`` are the days it happened (``dated_by`` "occurred"), is planned
    for ("planned"), or, when no account dates it, the day of its first report, by which
    it had happened ("reported").
    """

    id: str
    kind: str
    status: str | None
    fields: dict[str, Any]
    retracted: bool
    lower: str
    upper: str
    date_text: str | None
    dated_by: str
    first_known: str
    accounts: tuple[Account, ...]
    # Fields that accounts of equal standing tell differently (``projections.disputes``):
    # {field: [{"value", "reports"}, ...]}, the value shown first.
    disputed: dict[str, Any] = attrs.field(factory=dict)

    @property
    def fuzzy(self) -> bool:
        return self.lower != self.upper

    @property
    def upcoming(self) -> bool:
        """A meeting or call that is (or was) planned or proposed, not held."""
        return upcoming(self.kind, self.status)

    @property
    def sources(self) -> tuple[Account, ...]:
        """The standing accounts: not retractions, not voided."""
        return tuple(account for account in self.accounts if account.standing)

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(account.outlet for account in self.sources))

    @property
    def origins(self) -> tuple[str, ...]:
        """The origins the standing accounts name, each once (as names match)."""
        named = {
            origin_key(account.origin, account.report_id): account.origin
            for account in self.sources
            if account.origin is not None
        }
        return tuple(named.values())

    @property
    def corroboration(self) -> int:
        """Independent origins, as ``history`` counts them (``tracker.names``)."""
        return len({origin_key(a.origin, a.report_id) for a in self.sources})

    @property
    def reports(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(account.report_id for account in self.sources))

    @property
    def latest_report(self) -> str | None:
        days = [account.published_upper for account in self.sources]
        return max(days) if days else None


def upcoming(kind: str, status: str | None) -> bool:
    """A meeting or call that is (or was) planned or proposed, not held."""
    return status in UPCOMING_STATUSES and may_be_ahead(kind)


def relevant(row: dict[str, Any], seen: AsOf, as_of: str) -> bool:
    """On the page for D: what possibly happened by D, and what had been planned or
    proposed by D (a plan whose day has passed is history too), as it stood on D
    (``seen``: a meeting held after D was scheduled)."""
    if upcoming(row["kind"], seen.status):
        return bool(row["first_known"] <= as_of)
    if seen.ahead:  # undated as it stood on D: possibly happened by then
        occurred = seen.fields.get("occurred")
        return not occurred or bool(occurred["lower"] <= as_of)
    return bool(row["occurred_lower"] <= as_of)


# Developments built at a time: each batch costs two queries (versions, tellings).
BATCH = 500

# Where a development is in valid-time order: its lower and upper day, its type's place
# among the lanes, its id and the version known at K; last, whether it is a meeting or
# call still planned without a day, which no --since leaves out.
Placing = tuple[str, str, int, str, str, bool]


def iter_known_developments(
    tracker: Tracker, as_of: str, known_at: str, since: str | None = None
) -> Iterator[Development]:
    """The developments of ``development_order`` one at a time, in flat memory: the order
    is found from the version rows alone, then the developments are built a batch at a
    time (a million accounts' developments, with their tellings, took gigabytes as one
    list)."""
    with tracker.view.snapshot():
        order = development_order(tracker, as_of, known_at, since)
        yield from developments_at(tracker, order, as_of, known_at)


def window(
    tracker: Tracker,
    as_of: str,
    known_at: str,
    since: str | None,
    max_developments: int | None,
    what: str,
) -> list[Development]:
    """The developments of a page or document (``what``), ``since`` a day; more than
    ``max_developments`` raise TimelineTooLarge before any is built."""
    with tracker.view.snapshot():
        order = development_order(tracker, as_of, known_at, since)
        if max_developments is not None and len(order) > max_developments:
            raise TimelineTooLarge(_too_large(order, since, max_developments, what))
        return list(developments_at(tracker, order, as_of, known_at))


def development_order(
    tracker: Tracker, as_of: str, known_at: str, since: str | None = None
) -> list[Placing]:
    """Every development known at K (retracted ones too) that is relevant on D, in
    valid-time order, from their version rows alone. With ``since``, only those that may
    have happened (or are planned) on that day or later, and the meetings and calls
    still planned without a day."""
    order: list[Placing] = []
    for row in tracker.view.standing_versions(ALL_KINDS, known_at, include_retracted=True):
        seen = row_as_of(row, as_of)
        if relevant(row, seen, as_of):
            dated_by, lower, upper, _ = _dating(row, seen.fields)
            undated_plan = dated_by == "reported" and upcoming(row["kind"], seen.status)
            if since is not None and upper < since and not undated_plan:
                continue
            kind = lane(row["kind"])
            development_id, known_from = row["development_id"], row["known_from"]
            order.append((lower, upper, kind, development_id, known_from, undated_plan))
    order.sort()
    return order


def developments_at(
    tracker: Tracker, order: Sequence[Placing], as_of: str, known_at: str
) -> Iterator[Development]:
    """The developments of ``development_order``, built a batch at a time, each as it
    stood on D."""
    view = tracker.view
    for batch in chunks(order, BATCH):
        rows = view.versions_at([(key[3], key[4]) for key in batch])
        tellings = view.tellings_of([key[3] for key in batch])
        for _, _, _, development_id, known_from, _ in batch:
            row = rows[development_id, known_from]
            seen = row_as_of(row, as_of)
            yield _development(row, seen, tellings.get(development_id, []), known_at)


def _dating(row: dict[str, Any], fields: dict[str, Any]) -> tuple[str, str, str, str | None]:
    """What dates a development on the timeline: by, lower and upper day, and text."""
    occurred = fields.get("occurred")
    planned = fields.get("planned")
    if occurred:
        dated: dict[str, Any] | None = occurred
        dated_by = "occurred"
    elif planned:
        dated, dated_by = planned, "planned"
    else:
        dated, dated_by = None, "reported"
    if dated is not None:
        return dated_by, str(dated["lower"]), str(dated["upper"]), str(dated["text"])
    return dated_by, str(row["first_known"]), str(row["first_known"]), None


def _development(
    row: dict[str, Any], seen: AsOf, tellings: list[dict[str, Any]], known_at: str
) -> Development:
    fields = seen.fields
    dated_by, lower, upper, text = _dating(row, fields)
    accounts = tuple(
        Account(
            report_id=t["report_id"],
            outlet=t["outlet"],
            published=t["published"],
            published_upper=t["published_upper"],
            retraction=bool(t["retraction"]),
            quote=t["quote"],
            attributed_to=t["attributed_to"],
            note=t["note"],
            reason=t["reason"],
            voided=t["voided_at"] is not None,
            void_reason=t["void_reason"],
            origin=t["origin"],
            version=t["version"],
        )
        for t in tellings
        if t["published_upper"] <= known_at
    )
    return Development(
        id=row["development_id"],
        kind=row["kind"],
        status=seen.status,
        fields=fields,
        retracted=bool(row["retracted"]),
        lower=lower,
        upper=upper,
        date_text=text,
        dated_by=dated_by,
        first_known=row["first_known"],
        accounts=accounts,
        disputed=row["data"].get("disputed", {}),
    )


def known_reports(
    reports: Iterable[dict[str, Any]], known_at: str, since: str | None = None
) -> list[dict[str, Any]]:
    """Of the view's ``reports`` (in publication order), those certainly published by
    K; from ``since`` on, those that may have been published on that day or later."""
    return [
        r
        for r in reports
        if r["published_upper"] <= known_at and (since is None or r["published_upper"] >= since)
    ]


class TimelineTooLarge(TrackerError):
    """More developments than a page or a TimelineJS document can show."""


def _too_large(order: Sequence[Placing], since: str | None, limit: int, what: str) -> str:
    message = (
        f"the timeline{f' since {since}' if since else ''} would show {len(order):,}"
        f" developments, more than a {what} can hold ({limit:,}): choose a later --since"
    )
    # Plans without a day stay whatever --since says; of the rest, those that end after
    # the (room + 1)-th latest end are the room left.
    ends = sorted(placing[1] for placing in order if not placing[5])
    room = limit - (len(order) - len(ends))
    if 0 <= room < len(ends) and ends[-(room + 1)] < OPEN_UPPER:
        day = (date.fromisoformat(ends[-(room + 1)]) + timedelta(days=1)).isoformat()
        message += f" ({day} leaves {limit:,} or fewer)"
    return message + ", or raise --max-developments"
