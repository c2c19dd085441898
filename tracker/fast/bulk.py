"""A long run of commands appended in one transaction, chunk by chunk.

An import of a million accounts must neither hold them all in memory nor read the
log back to update the views. A session takes the store's write lock first, so nothing
it reads can change under it: no conflicts, no retries. Each chunk's events are
inserted at once, and fed from memory to the views on the same cursor, so the log and
the views commit together, or not at all.

Aggregates the chunk's commands need come from a bounded cache of the ones the session
touched, and otherwise are rebuilt from their stored events, read on the session's own
cursor: another connection would not see what the session has not committed yet.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent, Tracking

from tracker.batch import Batch
from tracker.errors import ConcurrentChange, TrackerError, refused_by_views
from tracker.ports import LogAndViews

# Aggregates kept between chunks (about 2 KB each); a retelling of an older development
# is rebuilt from its events: at 100,000 accounts, 2,741 rebuilds instead of 581 with a
# 50,000 cache, for 90 MB less memory.
CACHED_AGGREGATES = 10_000
# A session that appends this many events refreshes the views' statistics at its end
# (where the backend keeps any): fewer change too little of a store to mislead a plan.
REFRESH_STATISTICS_MIN_EVENTS = 10_000
VIEW_CATCH_UP_ATTEMPTS = 8

T = TypeVar("T")


class ViewBehind(Exception):
    """Another process appended events the views have not applied yet."""


class BulkSession:
    """Commands applied chunk by chunk in one transaction, on its cursor; ``position``
    is the log's last position, as far as the session has appended."""

    def __init__(self, app: LogAndViews, cursor: Any, position: int) -> None:
        self.app = app
        self.cursor = cursor
        self.position = position
        self._cache: OrderedDict[UUID, Aggregate] = OrderedDict()
        self.aliases: dict[str, str] = {}
        self.cached_aggregates = CACHED_AGGREGATES

    def batch(self) -> Batch:
        return Batch(self.app, session=self)

    # -- reading, on the session's cursor ----------------------------------------------

    def get(self, uuid: UUID) -> Aggregate | None:
        aggregate = self._cache.get(uuid)
        if aggregate is not None:
            self._cache.move_to_end(uuid)
            return aggregate
        self.preload((uuid,))
        return self._cache.get(uuid)

    def preload(self, uuids: Iterable[UUID]) -> set[UUID]:
        """Rebuild the aggregates not cached, in one query; the ids that have no events."""
        wanted = [uuid for uuid in set(uuids) if uuid not in self._cache]
        if not wanted:
            return set()
        events_by_originator: dict[UUID | str, list[Any]] = {}
        for stored in self._stored_events(wanted):
            events_by_originator.setdefault(stored.originator_id, []).append(stored)
        for stored_events in events_by_originator.values():
            # The library's own projector, as its repository rebuilds an aggregate.
            aggregate: Aggregate | None = project_aggregate(
                None, [self.app.mapper.to_domain_event(stored) for stored in stored_events]
            )
            if aggregate is not None:
                self._remember(aggregate)
        return set(wanted) - set(events_by_originator)

    def stored_actor(self, alias_key: str) -> str | None:
        """The actor an alias names in the store (not in this session)."""
        return self.app.view.resolve_actor(alias_key)

    def stored_aliases(self) -> list[str]:
        return [alias for alias, _ in self.app.view.all_aliases()]

    def _stored_events(self, uuids: list[UUID]) -> Iterable[StoredEvent]:
        """The stored events of these aggregates, each one's in order."""
        return self.app.recorder.events_on(self.cursor, uuids)  # type: ignore[attr-defined,no-any-return]

    def _remember(self, aggregate: Aggregate) -> None:
        self._cache[aggregate.id] = aggregate
        self._cache.move_to_end(aggregate.id)
        while len(self._cache) > self.cached_aggregates:
            self._forget(self._cache.popitem(last=False)[1])

    def _forget(self, aggregate: Aggregate) -> None:
        """An aggregate leaves the cache: its stored events rebuild it when needed."""

    # -- appending -----------------------------------------------------------------------

    def append(self, batch: Batch) -> None:
        """The batch's events into the log and the views, in the open transaction."""
        for aggregate in batch.aggregates():
            self._remember(aggregate)
        if not batch.events:
            return
        app = self.app
        stored = [app.mapper.to_stored_event(event) for event in batch.events]
        positions = self._append_stored(stored)
        with _refused_by_views(positions):
            app.projection.process_page(
                [
                    (event, Tracking(app.name, position))
                    for event, position in zip(batch.events, positions, strict=True)
                ]
            )

    def append_produced(self, stored: Sequence[StoredEvent]) -> None:
        """Events a producer process made and encoded (``tracker.fast.producer``), or a
        copy read from another store.

        Their view rows are read from them here: this process had time to spare, the
        producer none, and sending view rows along cost it more than reading them costs
        here (a million-account import: 86.8 s with the rows sent, 75.5 s without)."""
        positions = self._append_stored(stored)
        view = self.app.view
        rows = (
            (position, event.originator_id, event.originator_version, event.topic, event.state)
            for event, position in zip(stored, positions, strict=True)
        )
        with _refused_by_views(positions):
            view.apply_page(view.rows_page(rows))
        view.track(Tracking(self.app.name, self.position))

    def _append_stored(self, stored: Sequence[StoredEvent]) -> Sequence[int]:
        positions: Sequence[int] = self.app.recorder.append_on(self.cursor, stored)  # type: ignore[attr-defined]
        self.position = positions[-1]
        return positions


@contextmanager
def _refused_by_views(positions: Sequence[int]) -> Iterator[None]:
    """Whatever the views refuse, the database's own errors included, ends the session,
    whose transaction rolls the log back with them."""
    try:
        yield
    except TrackerError:
        raise
    except Exception as error:
        raise refused_by_views(positions[0], positions[-1], error) from error


@contextmanager
def bulk_session(app: LogAndViews) -> Iterator[BulkSession]:
    """One write transaction on the log's connection, with the views written through it."""
    recorder: Any = app.recorder
    with recorder.datastore.transaction(commit=True) as cursor, recorder.bulk_cache(cursor):
        view = app.view
        with view.borrow(cursor):
            # Under the write lock: the views must be right behind the log, or the
            # events in between would be fed to them after this session's.
            recorder_position = recorder.last_position_on(cursor)
            if view.position(app.name) != recorder_position:
                raise ViewBehind(recorder_position)
            session = BulkSession(app, cursor, recorder_position)
            if recorder_position:
                yield session
            else:
                recorder.restart_positions_on(cursor)
                with view.loading_empty():
                    yield session
            if session.position - recorder_position >= REFRESH_STATISTICS_MIN_EVENTS:
                view.refresh_statistics()


def in_bulk_session(app: LogAndViews, work: Callable[[BulkSession], T]) -> T:
    """Run ``work`` in one transaction that holds the write lock throughout: memory stays
    flat however long the input, and nothing can conflict."""
    for _ in range(VIEW_CATCH_UP_ATTEMPTS):
        app.catch_up()
        try:
            with bulk_session(app) as session:
                return work(session)
        except ViewBehind:
            continue  # another process appended meanwhile: let the views catch up first
    raise ConcurrentChange(
        f"other processes kept appending before the views could catch up, in"
        f" {VIEW_CATCH_UP_ATTEMPTS} attempts; nothing was recorded: try again"
    )
