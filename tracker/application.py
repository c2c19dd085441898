"""The tracker application: commands that append events, and queries over the views.

Commands build events in a ``Batch`` (``tracker.batch``, a unit of work) and append
them in one transaction, so a command or a whole import is all or nothing. The views
are brought up to date from their tracking position before a query answers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    Mapper,
    Notification,
    PersistenceError,
    Tracking,
    Transcoder,
)
from eventsourcing.projection import BaseProjectionRunner
from eventsourcing.utils import Environment

from projections.view import PROJECTION_NAME, TrackerView, TrackerViewBase
from tracker.errors import impossible_tracking, unappliable_event, unappliable_events
from tracker.store import POSTGRES_FACTORY, StoreLocation
from tracker.transcoding import TrackerMapper, construct_transcoder

if TYPE_CHECKING:
    # Imported where they are used: a query on views that are up to date needs neither
    # the commands nor the projection, nor the domain's aggregates they import.
    from projections.projection import TrackerProjection
    from tracker.batch import Batch
    from tracker.fast.bulk import BulkSession

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")

CATCH_UP_PAGE = 1000
REBUILD_PAGE = 5000


def view_class(env: Mapping[str, str], mapper: Mapper[Any] | None = None) -> Any:
    """The view's tracking recorder class for the store's backend. Given the
    application's mapper (which may decompress or decrypt the log), its views read the
    log's accounts with it from their construction on: a ProjectionRunner constructs
    its view and starts the threads that feed it before anyone could hand it one."""
    base: type[TrackerViewBase] = TrackerView
    if env.get("PERSISTENCE_MODULE") == POSTGRES_FACTORY:
        from projections.postgres_view import PostgresTrackerView

        base = PostgresTrackerView
    if mapper is None:
        return base

    class ViewWithMapper(base):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.mapper = mapper

    ViewWithMapper.__name__ = ViewWithMapper.__qualname__ = base.__name__
    return ViewWithMapper


def view_env(env: Mapping[str, str] | None) -> Environment:
    """The view's environment, named after its projection exactly as the library's
    ProjectionRunner names it, so a follower and the CLI share one tracking record."""
    return BaseProjectionRunner._construct_env(PROJECTION_NAME, dict(env or {}))


class Tracker(Application[UUID]):
    """The application; ``Tracker.open(store)`` for a store URL, or an environment as the
    library's ProjectionRunner gives it."""

    name = "Tracker"

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env=env)
        self.view_factory = InfrastructureFactory.construct(env=view_env(env))
        self.view = cast(
            TrackerViewBase,
            self.view_factory.tracking_recorder(view_class(self.env, self.mapper)),
        )
        self.view.ensure_schema()

    @classmethod
    def open(cls, store: StoreLocation, *, existing: bool = False) -> Tracker:
        """Open a store; ``existing`` skips creating tables, so that opening a store
        another process is writing to does not wait for its write lock."""
        env = store.application_env()
        if existing:
            env["CREATE_TABLE"] = "no"
        return cls(env)

    @functools.cached_property
    def projection(self) -> TrackerProjection:
        """The projection that feeds the view, built when first needed: a query on
        views that are up to date needs neither it nor the domain it imports."""
        from projections.projection import TrackerProjection

        return TrackerProjection(view=self.view)

    def close(self) -> None:
        self.view_factory.close()
        super().close()

    def construct_transcoder(self) -> Transcoder:
        return construct_transcoder()

    def construct_mapper(self) -> Mapper[UUID]:
        # The factory adds the cipher and compressor the environment asks for.
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=TrackerMapper
        )

    @contextmanager
    def filling_empty_store(self) -> Iterator[None]:
        """Around one long transaction that may fill an empty store (a large import):
        an empty SQLite store, open nowhere else, takes it with a rollback journal
        instead of its WAL (see ``tracker.sqlite_pool.rollback_journal``)."""
        from tracker.sqlite_pool import ImmediateConnectionPool, rollback_journal

        pools = [cast(Any, self.recorder).datastore.pool, cast(Any, self.view).datastore.pool]
        if self.last_position() or not all(
            isinstance(pool, ImmediateConnectionPool) for pool in pools
        ):
            yield
            return
        with rollback_journal(pools):
            yield

    # -- commands --------------------------------------------------------------------

    def in_session(self, work: Callable[[BulkSession], T]) -> T:
        """Run ``work`` in one bulk session (``tracker.fast.bulk``): one transaction
        that holds the write lock throughout, the log and the views written together.
        Commands, imports and copies all come here."""
        from tracker.fast.bulk import in_bulk_session

        return in_bulk_session(self, work)

    def run(self, work: Callable[[Batch], T]) -> T:
        """Run commands as one unit of work, in the transaction an import uses: under the
        write lock, their events are appended and applied to the views together, so an
        event the views cannot apply is never left in the log."""

        def unit(session: BulkSession) -> T:
            batch = session.batch()
            result = work(batch)
            session.append(batch)
            return result

        return self.in_session(unit)

    def add_actor(
        self, actor_id: str, name: str, aliases: tuple[str, ...] = (), role: str | None = None
    ) -> None:
        self.run(lambda batch: batch.add_actor(actor_id, name, aliases, role))

    def add_aliases(self, actor: str, aliases: tuple[str, ...]) -> None:
        self.run(lambda batch: batch.add_aliases(actor, aliases))

    def add_report(self, report_id: str, **details: Any) -> None:
        self.run(lambda batch: batch.add_report(report_id, **details))

    def record(self, kind: str, development_id: str, report_id: str, raw: Mapping[str, Any]) -> int:
        """Record one account; returns the development's version it became."""
        return self.run(lambda batch: batch.record(kind, development_id, report_id, raw))

    def retract(
        self, development_id: str, report_id: str, reason: str, quote: str | None = None
    ) -> None:
        self.run(lambda batch: batch.retract(development_id, report_id, reason, quote))

    def void(self, position: int, reason: str) -> tuple[str, int]:
        return self.run(lambda batch: batch.void_position(position, reason))

    def grade_source(
        self, name: str, reliability: str, graded_on: str, note: str | None = None
    ) -> None:
        self.run(lambda batch: batch.grade_source(name, reliability, graded_on, note))

    def grade_account(
        self,
        development_id: str,
        version: int,
        credibility: int,
        graded_on: str,
        note: str | None = None,
    ) -> None:
        self.run(
            lambda batch: batch.grade_account(development_id, version, credibility, graded_on, note)
        )

    # -- the views -------------------------------------------------------------------

    def catch_up(self) -> int:
        """Feed the view every event after its tracking position; returns the position.

        Pages are applied under the page lock from the position read under it, so no
        other process applies the same events in between. A tracking position beyond
        the log's end, or other than the one the views record beside it, or a page that
        meets rows of its own events already in the views, is a tracking record changed
        behind the tracker's back: that is said, not retried."""
        position, applied = self.view.positions(self.name)
        last = self.last_position()
        if position > last:
            raise impossible_tracking(position, f"is beyond the log's last position {last}")
        if position != applied:
            raise impossible_tracking(
                position, f"is not the position {applied} the views record as applied"
            )
        if position == 0 and last > REBUILD_PAGE:
            # Empty views (a new view schema, or a copied log): one transaction, as a
            # rebuild, rather than a commit every page.
            return self.rebuild()
        while True:
            notifications = self.recorder.select_notifications(
                start=position, limit=CATCH_UP_PAGE, inclusive_of_start=False
            )
            if not notifications:
                return position
            try:
                self._project(notifications)
            except IntegrityError:
                raise impossible_tracking(position, "is behind events they already hold") from None
            position = notifications[-1].id

    def _project(self, notifications: Sequence[Notification]) -> None:
        with self.view.page(self.name) as done:
            self._feed([notification for notification in notifications if notification.id > done])

    def _feed(
        self, notifications: Sequence[Notification], projection: TrackerProjection | None = None
    ) -> None:
        """Decode events and apply them to the views, in the view's open transaction."""
        try:
            (projection or self.projection).process_page(
                [
                    (
                        self.mapper.to_domain_event(notification),
                        Tracking(self.name, notification.id),
                    )
                    for notification in notifications
                ]
            )
        except (IntegrityError, PersistenceError):
            raise
        except Exception as error:
            if "IntegrityError" in {cls.__name__ for cls in type(error).__mro__}:
                # The database's own uniqueness error (sqlite3 or psycopg): another
                # process applied the same events first.
                raise IntegrityError(str(error)) from error
            raise self._unappliable(notifications, error) from error

    def _unappliable(self, notifications: Sequence[Notification], error: Exception) -> Exception:
        """The first event that cannot be applied on its own (the page was rolled back)."""
        for notification in notifications:
            try:
                self.mapper.to_domain_event(notification)
            except Exception as decode_error:
                return unappliable_event(notification.id, decode_error)
        return unappliable_events(notifications[0].id, notifications[-1].id, error)

    def rebuild(self) -> int:
        """Empty the views and feed them the whole log again, in one transaction."""
        self.replay_into(self.projection)
        return self.catch_up()  # anything appended meanwhile

    def replay_into(self, projection: TrackerProjection, upto: int | None = None) -> int:
        """Empty the projection's view and feed it the log up to ``upto`` (its last
        position now, by default), in one transaction; returns that position. A long log
        is decoded by reader processes while this one writes."""
        from tracker.fast.rebuild_readers import read_pages

        view = projection.view
        with view.rebuilding(self.name):
            last = self.last_position() if upto is None else upto
            pages = read_pages(self.env, last, REBUILD_PAGE)
            if pages is None:
                for notifications in self.notification_pages(page=REBUILD_PAGE, stop=last):
                    self._feed(notifications, projection)
            else:
                with view.loading_whole():
                    for page, first, page_last in pages:
                        try:
                            view.apply_page(page)
                        except (IntegrityError, PersistenceError):
                            raise
                        except Exception as error:
                            raise unappliable_events(first, page_last, error) from error
                if last:
                    view.track(Tracking(self.name, last))
        return last

    def notifications(self, start: int = 0, page: int = CATCH_UP_PAGE) -> Iterator[Notification]:
        for notifications in self.notification_pages(start, page):
            yield from notifications

    def notification_pages(
        self, start: int = 0, page: int = CATCH_UP_PAGE, stop: int | None = None
    ) -> Iterator[Sequence[Notification]]:
        position = start
        while True:
            notifications = self.recorder.select_notifications(
                start=position, limit=page, stop=stop, inclusive_of_start=False
            )
            if not notifications:
                return
            yield notifications
            position = notifications[-1].id

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0
