"""Checking a store against itself: the log's hash chain, each report's text against
its SHA-256, each quote against its report, and the read models against a fresh
rebuild. Problems are listed in log order; the first names where to look."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from itertools import zip_longest
from pathlib import Path
from typing import Any

import attrs
from eventsourcing.persistence import Notification, Tracking

from projections.projection import TrackerProjection
from projections.view import TABLE_KEYS, TrackerView
from tracker.application import Tracker
from tracker.batch import normalise_whitespace
from tracker.domain import Development, Report, text_sha256
from tracker.errors import StoreError
from tracker.recorders import GENESIS, chain_hash

PAGE = 1000


@attrs.frozen
class Problem:
    position: int | None
    what: str

    def __str__(self) -> str:
        where = f"position {self.position}" if self.position is not None else "read models"
        return f"{where}: {self.what}"


@attrs.frozen
class Verification:
    events: int
    head: str  # the chain's last hash: note it down to detect a rewritten log later
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(tracker: Tracker) -> Verification:
    problems: list[Problem] = []
    events, head = _check_log(tracker, problems)
    problems.extend(_check_views(tracker))
    return Verification(events, head, tuple(problems))


def _chain_entries(tracker: Tracker) -> Iterator[tuple[int, str]]:
    recorder: Any = tracker.recorder
    start = 0
    while True:
        rows = recorder.select_chain(start, PAGE)
        if not rows:
            return
        yield from rows
        start = rows[-1][0]


def chain_checked(tracker: Tracker, name: str) -> Iterator[Notification]:
    """The log's events in order, each checked against the hash chain as it is read: a
    one-line StoreError, naming the store as ``name``, at the first that disagrees.
    ``verify`` lists every problem; this stops at the first, for a command that must
    not go on with a log that fails verification."""
    previous = GENESIS
    chain = iter(_chain_entries(tracker))
    for notification in tracker.notifications():
        entry = next(chain, None)
        if entry is None or entry[0] > notification.id:
            what = "the event has no hash in the chain"
        elif entry[0] < notification.id:
            what = "the event is missing from the log"
        elif entry[1] != chain_hash(previous, notification.id, notification):
            what = "the event differs from what was recorded (hash chain broken)"
        else:
            previous = entry[1]
            yield notification
            continue
        position = notification.id if entry is None else min(entry[0], notification.id)
        raise StoreError(
            f"{name} fails verification at position {position}: {what}; run 'tracker verify'"
        )
    extra = next(chain, None)
    if extra is not None:
        raise StoreError(
            f"{name} fails verification at position {extra[0]}: the event is missing from"
            " the log; run 'tracker verify'"
        )


def _check_log(tracker: Tracker, problems: list[Problem]) -> tuple[int, str]:
    """Walk the log and the chain side by side, by position."""
    previous = GENESIS
    count = 0
    texts: dict[str, str | None] = {}
    log = iter(tracker.notifications())
    chain = iter(_chain_entries(tracker))
    notification, entry = next(log, None), next(chain, None)
    while notification is not None or entry is not None:
        if entry is None or (notification is not None and notification.id < entry[0]):
            assert notification is not None
            problems.append(Problem(notification.id, "the event has no hash in the chain"))
            count += 1
            notification = next(log, None)
            continue
        if notification is None or entry[0] < notification.id:
            problems.append(Problem(entry[0], "the event is missing from the log"))
            previous = entry[1]
            entry = next(chain, None)
            continue
        count += 1
        position = notification.id
        if entry[1] != chain_hash(previous, position, notification):
            problems.append(
                Problem(position, "the event differs from what was recorded (hash chain broken)")
            )
        previous = entry[1]
        try:
            event = tracker.mapper.to_domain_event(notification)
            problems.extend(_check_event(position, event, texts))
        except Exception as error:  # a tampered event may not even decode
            problems.append(Problem(position, f"the event cannot be read: {error!r}"))
        notification, entry = next(log, None), next(chain, None)
    problems.sort(key=lambda problem: problem.position or 0)
    return count, previous


def _check_event(position: int, event: Any, texts: dict[str, str | None]) -> Iterator[Problem]:
    if isinstance(event, Report.Registered):
        texts[event.report_id] = event.text
        if event.text is not None and text_sha256(event.text) != event.sha256:
            yield Problem(
                position, f"report {event.report_id!r}: its text does not match its SHA-256"
            )
        return
    if isinstance(event, Development.Reported | Development.Retold):
        report_id, quote = event.account.report_id, event.account.quote
    elif isinstance(event, Development.Retracted):
        report_id, quote = event.report_id, event.quote
    else:
        return
    if report_id not in texts:
        yield Problem(position, f"cites report {report_id!r}, which is not earlier in the log")
        return
    text = texts[report_id]
    if (
        quote is not None
        and text is not None
        and normalise_whitespace(quote) not in normalise_whitespace(text)
    ):
        yield Problem(position, f"its quote is not in report {report_id!r}")


def _check_views(tracker: Tracker) -> list[Problem]:
    """The store's read models, caught up, must equal a rebuild from position 0."""
    tracker.catch_up()
    with tempfile.TemporaryDirectory(prefix="tracker-verify-") as folder:
        from eventsourcing.sqlite import SQLiteDatastore

        datastore = SQLiteDatastore(str(Path(folder) / "rebuild.db"))
        try:
            fresh_view = TrackerView(datastore)
            fresh_view.create_table()
            fresh_view.log_reader = tracker.view.read_log_contents  # its store has no log
            projection = TrackerProjection(view=fresh_view)
            unplayable: list[Problem] = []
            try:
                tracker.replay_into(projection)  # as a rebuild does: all in one go
            except Exception:  # a tampered log need not make sense: find where, one by one
                unplayable = _replay_event_by_event(tracker, projection)
            problems = unplayable
            for table in TABLE_KEYS:
                where = _first_difference(tracker.view.rows(table), fresh_view.rows(table))
                if where is not None:
                    problems.append(
                        Problem(None, f"table {table!r} differs from a rebuild ({where})")
                    )
        finally:
            datastore.close()
    return problems


def _replay_event_by_event(tracker: Tracker, projection: TrackerProjection) -> list[Problem]:
    """Each event in a transaction of its own: the problems name every event that
    cannot be replayed, and the view holds all the others."""
    projection.view.reset(tracker.name)
    unplayable: list[Problem] = []
    for notification in tracker.notifications():
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
