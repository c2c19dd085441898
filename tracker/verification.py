"""Checking a store against itself: the log's hash chain, each report's text against
its SHA-256, each quote against its report, and the read models against a fresh
rebuild, and the chain at positions where a head was noted. Problems are listed in log
order; the first names where to look."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from itertools import zip_longest
from pathlib import Path
from typing import Any

import attrs
from eventsourcing.persistence import Notification, Tracking

from projections.projection import TrackerProjection
from projections.view import TABLE_KEYS
from tracker.application import Tracker
from tracker.batch import quote_in_text
from tracker.chain import GENESIS, chain_hash
from tracker.domain import Actor, Development, Report, text_sha256
from tracker.errors import InvalidAnchor, StoreError, UnknownEventTopic
from tracker.event_visitor import EventVisitor
from tracker.grading import AccountGrade, SourceGrade
from tracker.kinds import quotations
from tracker.positioned import scratch_view

PAGE = 1000


@attrs.frozen
class Problem:
    position: int | None
    what: str

    def __str__(self) -> str:
        where = f"position {self.position}" if self.position is not None else "read models"
        return f"{where}: {self.what}"


# A chain head as people note it: 64 hex digits, '@', the log position it is the hash at.
_ANCHOR = re.compile(r"([0-9a-f]{64})@([1-9][0-9]{0,18})")


@attrs.frozen
class Anchor:
    """The chain's hash at a log position, written ``HEAD@POSITION``: noted in an article
    or a ticket, it proves later that the log up to that position is unchanged."""

    head: str
    position: int

    def __str__(self) -> str:
        return f"{self.head}@{self.position}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        found = _ANCHOR.fullmatch(text.strip().lower())
        if found is None:
            raise InvalidAnchor(
                f"{text!r} is not HEAD@POSITION (a chain head of 64 hex digits, '@', a log"
                " position from 1)"
            )
        return cls(found[1], int(found[2]))


@attrs.frozen
class Verification:
    events: int
    head: str  # the chain's last hash: note it down to detect a rewritten log later
    position: int  # where the head is: ``str(anchor)`` is what ``verify --expect`` takes
    problems: tuple[Problem, ...]
    unchecked_quotes: int = 0  # accounts and retractions quoting a report without text
    at: tuple[Anchor, ...] = ()  # the chain at the positions asked for

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.head, self.position)


def verify(
    tracker: Tracker, *, expect: Iterable[Anchor] = (), at: Iterable[int] = ()
) -> Verification:
    """Check the store; ``expect`` are chain heads noted earlier, each of which must
    still be the chain at its position, and ``at`` positions whose chain to give."""
    expect, at = tuple(expect), tuple(at)
    walk = _Walk(wanted={anchor.position for anchor in expect} | set(at))
    events = _check_log(tracker, walk)
    problems = walk.problems
    for anchor in expect:
        problems.extend(_check_expected(walk, anchor))
    anchors: list[Anchor] = []
    for position in at:
        if position in walk.found:
            anchors.append(Anchor(walk.found[position], position))
        else:
            problems.append(Problem(position, _not_in_chain(walk, position)))
    problems.sort(key=lambda problem: problem.position or 0)
    problems.extend(_check_views(tracker))
    return Verification(
        events, walk.head, walk.position, tuple(problems), walk.unchecked, tuple(anchors)
    )


@attrs.define
class _Walk:
    """What a walk of the log has seen so far."""

    wanted: set[int]  # positions whose chain hash to keep
    found: dict[int, str] = attrs.Factory(dict)
    head: str = GENESIS
    position: int = 0
    problems: list[Problem] = attrs.Factory(list)
    texts: dict[str, str | None] = attrs.Factory(dict)  # each report's text, by report id
    kinds: dict[Any, str] = attrs.Factory(dict)  # each development's type, by aggregate id
    development_ids: dict[Any, str] = attrs.Factory(dict)  # by aggregate id
    accounts: set[tuple[str, int]] = attrs.Factory(set)  # (development id, version)
    unchecked: int = 0


def _check_expected(walk: _Walk, anchor: Anchor) -> Iterator[Problem]:
    found = walk.found.get(anchor.position)
    if found is None:
        missing = _not_in_chain(walk, anchor.position)
        if anchor.position > walk.position:
            yield Problem(anchor.position, f"{missing}, before the expected {anchor}")
        else:
            yield Problem(anchor.position, f"{missing}, not the expected {anchor.head}")
    elif found != anchor.head:
        yield Problem(anchor.position, f"the chain here is {found}, not the expected {anchor.head}")


def _not_in_chain(walk: _Walk, position: int) -> str:
    if position > walk.position:
        return f"the log ends at position {walk.position}"
    return "the chain has no hash at this position"


def _chain_entries(tracker: Tracker, upto: int) -> Iterator[tuple[int, str]]:
    recorder: Any = tracker.recorder
    start = 0
    while True:
        rows = recorder.select_chain(start, PAGE)
        for position, chain in rows:
            if position > upto:
                return
            yield position, chain
        if not rows:
            return
        start = rows[-1][0]


def _events(tracker: Tracker, upto: int) -> Iterator[Notification]:
    for notifications in tracker.notification_pages(stop=upto):
        yield from notifications


@attrs.frozen
class _Link:
    """One position of the log beside the chain: the event, its chain hash, and what
    is wrong there, if anything."""

    position: int
    notification: Notification | None  # None: the chain has a hash the log has no event for
    chain: str | None  # None: the event has no hash in the chain
    problem: str | None = None


def _links(tracker: Tracker) -> Iterator[_Link]:
    """Walk the log and the chain side by side, by position, up to where either ended
    when the walk began: an event and its hash are committed together, so what others
    append meanwhile is never half seen. The chain's end is read first, so an append
    between the two reads only moves the log's end on."""
    recorder: Any = tracker.recorder
    upto = max(recorder.last_chained_position(), tracker.last_position())
    previous = GENESIS
    log = _events(tracker, upto)
    chain = _chain_entries(tracker, upto)
    notification, entry = next(log, None), next(chain, None)
    while notification is not None or entry is not None:
        if notification is not None and (entry is None or notification.id < entry[0]):
            yield _Link(notification.id, notification, None, "the event has no hash in the chain")
            notification = next(log, None)
            continue
        if entry is None:  # pragma: no cover - the loop's condition rules it out
            return
        if notification is None or entry[0] < notification.id:
            yield _Link(entry[0], None, entry[1], "the event is missing from the log")
            previous, entry = entry[1], next(chain, None)
            continue
        broken = entry[1] != chain_hash(previous, notification.id, notification)
        yield _Link(
            notification.id,
            notification,
            entry[1],
            "the event differs from what was recorded (hash chain broken)" if broken else None,
        )
        previous = entry[1]
        notification, entry = next(log, None), next(chain, None)


def chain_checked(tracker: Tracker, name: str) -> Iterator[Notification]:
    """The log's events in order, each checked against the hash chain as it is read: a
    one-line StoreError, naming the store as ``name``, at the first that disagrees.
    ``verify`` lists every problem; this stops at the first, for a command that must
    not go on with a log that fails verification."""
    for link in _links(tracker):
        if link.problem is not None or link.notification is None:
            raise StoreError(
                f"{name} fails verification at position {link.position}: {link.problem};"
                " run 'tracker verify'"
            )
        yield link.notification


def _check_log(tracker: Tracker, walk: _Walk) -> int:
    """Check each event of the log against the chain and the reports before it; returns
    how many events."""
    count = 0
    checks = _EventChecks(walk)
    for link in _links(tracker):
        if link.problem is not None:
            walk.problems.append(Problem(link.position, link.problem))
        if link.chain is not None:
            if link.position in walk.wanted:
                walk.found[link.position] = link.chain
            walk.position, walk.head = link.position, link.chain
        if link.notification is None:
            continue
        count += 1
        if link.chain is None:
            continue
        try:
            event = tracker.mapper.to_domain_event(link.notification)
            walk.problems.extend(checks.visit(event))
        except UnknownEventTopic as error:
            walk.problems.append(Problem(link.position, f"unknown {error.what} {error.topic!r}"))
        except Exception as error:  # a tampered event may not even decode
            walk.problems.append(Problem(link.position, f"the event cannot be read: {error!r}"))
    return count


class _EventChecks(EventVisitor[list[Problem]]):
    """The problems of each event of the walk, at ``walk.position``: a report's text
    against its SHA-256, and the words an account or retraction quotes against the text
    of the report it cites, which must be earlier in the log."""

    def __init__(self, walk: _Walk) -> None:
        self.walk = walk

    def actor_registered(self, event: Actor.Registered) -> list[Problem]:
        return []

    def aliases_added(self, event: Actor.AliasesAdded) -> list[Problem]:
        return []

    def report_registered(self, event: Report.Registered) -> list[Problem]:
        self.walk.texts[event.report_id] = event.text
        if event.text is not None and text_sha256(event.text) != event.sha256:
            return [
                Problem(
                    self.walk.position,
                    f"report {event.report_id!r}: its text does not match its SHA-256",
                )
            ]
        return []

    def development_reported(self, event: Development.Reported) -> list[Problem]:
        self.walk.kinds[event.originator_id] = event.kind
        self.walk.development_ids[event.originator_id] = event.development_id
        self.walk.accounts.add((event.development_id, event.originator_version))
        return self._cited(event.account.report_id, list(quotations(event.kind, event.account)))

    def development_retold(self, event: Development.Retold) -> list[Problem]:
        kind = self.walk.kinds.get(event.originator_id, "")
        development_id = self.walk.development_ids.get(event.originator_id, "")
        self.walk.accounts.add((development_id, event.originator_version))
        return self._cited(event.account.report_id, list(quotations(kind, event.account)))

    def development_retracted(self, event: Development.Retracted) -> list[Problem]:
        return self._cited(event.report_id, [] if event.quote is None else [("quote", event.quote)])

    def development_voided(self, event: Development.Voided) -> list[Problem]:
        return []

    def source_graded(self, event: SourceGrade.Given) -> list[Problem]:
        return []

    def account_graded(self, event: AccountGrade.Given) -> list[Problem]:
        if (event.development_id, event.version) in self.walk.accounts:
            return []
        what = f"account {event.version} of {event.development_id!r}"
        return [Problem(self.walk.position, f"grades {what}, which is not earlier in the log")]

    def _cited(self, report_id: str, quoted: list[tuple[str, Any]]) -> list[Problem]:
        """The problems of citing the report, and of quoting from it every text that a
        view shows as that report's words."""
        walk = self.walk
        if report_id not in walk.texts:
            return [
                Problem(
                    walk.position, f"cites report {report_id!r}, which is not earlier in the log"
                )
            ]
        text = walk.texts[report_id]
        if text is None:
            walk.unchecked += bool(quoted)
            return []
        return [
            Problem(walk.position, f"its {what} is not in report {report_id!r}")
            for what, quote in quoted
            if not isinstance(quote, str) or not quote_in_text(quote, text)
        ]


def _check_views(tracker: Tracker) -> list[Problem]:
    """The store's read models, caught up, must equal a rebuild from position 0.

    The rebuild is replayed up to where the views were caught up, without holding
    anyone up; the comparison then holds the views' page lock, so that no writer
    changes them while they are read, after replaying what others applied meanwhile."""
    try:
        replayed = tracker.catch_up()
    except StoreError as error:  # views that cannot be caught up: no rebuild to compare
        return [Problem(None, str(error))]
    with tempfile.TemporaryDirectory(prefix="tracker-verify-") as folder:
        datastore, fresh_view = scratch_view(Path(folder), tracker)
        try:
            projection = TrackerProjection(view=fresh_view)
            problems: list[Problem] = []
            try:
                tracker.replay_into(projection, upto=replayed)  # as a rebuild: all in one go
            except Exception:  # a tampered log need not make sense: find where, one by one
                projection.view.reset(tracker.name)
                problems = _replay_event_by_event(tracker, projection, 0, replayed)
            with tracker.view.page(tracker.name) as position:
                problems += _replay_event_by_event(tracker, projection, replayed, position)
                for table in TABLE_KEYS:
                    where = _first_difference(tracker.view.rows(table), fresh_view.rows(table))
                    if where is not None:
                        problems.append(
                            Problem(None, f"table {table!r} differs from a rebuild ({where})")
                        )
        finally:
            datastore.close()
    return problems


def _replay_event_by_event(
    tracker: Tracker, projection: TrackerProjection, after: int, upto: int
) -> list[Problem]:
    """The events after ``after`` up to ``upto``, each in a transaction of its own: the
    problems name every event that cannot be replayed, and the view holds the others."""
    unplayable: list[Problem] = []
    if upto <= after:
        return unplayable
    for notifications in tracker.notification_pages(after, stop=upto):
        for notification in notifications:
            try:
                with projection.view.batch():
                    projection.process_event(
                        tracker.mapper.to_domain_event(notification),
                        Tracking(tracker.name, notification.id),
                    )
            except Exception as error:
                unplayable.append(
                    Problem(notification.id, f"cannot be replayed into the read models: {error}")
                )
    return unplayable


def _first_difference(
    kept: Iterable[dict[str, Any]], fresh: Iterable[dict[str, Any]]
) -> str | None:
    for index, (mine, theirs) in enumerate(zip_longest(kept, fresh)):
        if mine != theirs:
            row = theirs or mine or {}
            key = next(
                (
                    f"{name} {row[name]}"
                    for name in ("position", "development_id", "report_id", "actor_id", "alias_key")
                    if name in row
                ),
                f"row {index}",
            )
            return f"first at {key}"
    return None
