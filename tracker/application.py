"""The tracker application: commands that append events, and queries over the views.

Commands build events in a ``Batch`` (a unit of work) and append them in one
transaction, so a command or a whole import is all or nothing. The views are brought
up to date from their tracking position before a query answers.
"""

from __future__ import annotations

import difflib
import functools
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    Mapper,
    Notification,
    PersistenceError,
    Recording,
    Tracking,
    Transcoder,
)
from eventsourcing.projection import BaseProjectionRunner
from eventsourcing.utils import Environment

from projections.projection import TrackerProjection
from projections.view import TrackerView, TrackerViewBase
from tracker.chunks import chunks
from tracker.dates import FuzzyDate
from tracker.domain import Actor, Development, Report
from tracker.errors import (
    ConcurrentChange,
    DuplicateId,
    InvalidRecord,
    QuoteNotInReport,
    UnknownActor,
    UnknownDevelopment,
    UnknownReport,
    unappliable_event,
    unappliable_events,
)
from tracker.kinds import parse_fields

if TYPE_CHECKING:
    from tracker.bulk import BulkSession
from tracker.store import POSTGRES_FACTORY, StoreLocation
from tracker.transcoding import construct_transcoder
from tracker.values import Account

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")
CONFLICT_ATTEMPTS = 8

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\Z")
_WHITESPACE = re.compile(r"\s+")
CATCH_UP_PAGE = 1000
REBUILD_PAGE = 5000


MAX_NAME_TO_MATCH = 200


def shorten(text: str, limit: int = 60) -> str:
    """A value quoted in an error message, cut to a readable length."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_id(kind: str, value: Any) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        shown = shorten(value) if isinstance(value, str) else value
        raise InvalidRecord(
            f"{kind} id {shown!r} must be 1-128 letters, digits or . _ : - (starting with a"
            " letter or digit)"
        )
    return value


def normalise_whitespace(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


@functools.lru_cache(maxsize=8)
def normalised_text(text: str) -> str:
    """A report's text as quotes are compared with it; reports are quoted many times
    in a row, and normalising a long text for each quote was most of an import. A few
    texts only: a report may be megabytes long."""
    return normalise_whitespace(text)


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
    return BaseProjectionRunner._construct_env(TrackerProjection.name, dict(env or {}))


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
        self.projection = TrackerProjection(view=self.view)

    @classmethod
    def open(cls, store: StoreLocation, *, existing: bool = False) -> Tracker:
        """Open a store; ``existing`` skips creating tables, so that opening a store
        another process is writing to does not wait for its write lock."""
        env = store.application_env()
        if existing:
            env["CREATE_TABLE"] = "no"
        return cls(env)

    def close(self) -> None:
        self.view_factory.close()
        super().close()

    def construct_transcoder(self) -> Transcoder:
        return construct_transcoder()

    @contextmanager
    def filling_empty_store(self) -> Iterator[None]:
        """Around one long transaction that may fill an empty store (a large import):
        an empty SQLite store, open nowhere else, takes it with a rollback journal
        instead of its WAL (see ``tracker.recorders.rollback_journal``)."""
        from tracker.recorders import ImmediateConnectionPool, rollback_journal

        pools = [cast(Any, self.recorder).datastore.pool, cast(Any, self.view).datastore.pool]
        if self.last_position() or not all(
            isinstance(pool, ImmediateConnectionPool) for pool in pools
        ):
            yield
            return
        with rollback_journal(pools):
            yield

    # -- commands --------------------------------------------------------------------

    def run(self, work: Callable[[Batch], T]) -> T:
        """Run commands as one unit of work: everything they record is appended at once,
        or nothing. Another process appending to the same aggregate first is a conflict:
        the commands run again on what is stored now (so they re-check every rule)."""
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            batch = Batch(self)
            result = work(batch)
            recordings: list[Recording[UUID]] = []
            if batch.events:
                try:
                    recordings = self.save(*batch.events)
                except IntegrityError as error:
                    if attempt == CONFLICT_ATTEMPTS:
                        raise ConcurrentChange(
                            f"the store kept changing under this command ({error});"
                            " nothing was recorded: try again"
                        ) from None
                    time.sleep(random.uniform(0.005, 0.05) * attempt)  # noqa: S311
                    continue
            self._project_recorded(recordings)
            self.catch_up()
            return result
        raise AssertionError("unreachable")  # pragma: no cover

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

    # -- the views -------------------------------------------------------------------

    def catch_up(self) -> int:
        """Feed the view every event after its tracking position; returns the position."""
        position = self.view.position(self.name)
        if position == 0 and self.last_position() > REBUILD_PAGE:
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
                # Another process recorded the same positions first: carry on from there.
                position = self.view.position(self.name)
                continue
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

    def _project_recorded(self, recordings: Sequence[Recording[UUID]]) -> None:
        """Feed the views the events just appended, as they are in memory, when the
        views are right behind them: no need to read them back and decode them."""
        if not recordings or self.view.position(self.name) != recordings[0].notification.id - 1:
            return  # someone else's events come first: catch_up reads them all in order
        try:
            for chunk in chunks(recordings, CATCH_UP_PAGE):
                with self.view.page(self.name) as done:
                    self.projection.process_page(
                        [
                            (recording.domain_event, Tracking(self.name, recording.notification.id))
                            for recording in chunk
                            if recording.notification.id > done
                        ]
                    )
        except IntegrityError:
            pass  # another process applied them first; catch_up carries on from there

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

    def replay_into(self, projection: TrackerProjection) -> int:
        """Empty the projection's view and feed it the log up to its last position now,
        in one transaction; returns that position. A long log is decoded by a second
        process while this one writes."""
        from tracker import rebuild_reader

        view = projection.view
        with view.rebuilding(self.name):
            last = self.last_position()
            if last < rebuild_reader.PARALLEL_REBUILD_MIN_EVENTS:
                for notifications in self.notification_pages(page=REBUILD_PAGE, stop=last):
                    self._feed(notifications, projection)
            else:
                with view.loading_whole():
                    pages = rebuild_reader.read_pages(self.env, last, REBUILD_PAGE)
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

    def get(self, cls: type[A], uuid: UUID) -> A | None:
        try:
            aggregate: object = self.repository.get(uuid)
        except AggregateNotFoundError:
            return None
        if not isinstance(aggregate, cls):  # pragma: no cover - ids are namespaced by kind
            return None
        return aggregate


class Batch:
    """Commands checked against the store and against what this batch already holds."""

    def __init__(self, app: Tracker, session: BulkSession | None = None) -> None:
        self.app = app
        self.session = session
        self.events: list[Any] = []
        self._aggregates: dict[UUID, Aggregate] = {}
        # A session's batches share what they learn of aliases: only it can change them.
        self._aliases: dict[str, str] = session.aliases if session is not None else {}
        self._absent: set[UUID] = set()

    def prefetch(self, development_ids: Iterable[str], report_ids: Iterable[str] = ()) -> None:
        """In a bulk session, load in a few queries the developments and reports these
        records name and learn which are new, so that recording many accounts does not
        ask the store about each one."""
        if self.session is not None:
            self._absent = self.session.preload(
                {Development.create_id(development_id) for development_id in development_ids}
                | {Report.create_id(report_id) for report_id in report_ids}
            )

    def _load(self, cls: type[A], uuid: UUID) -> A | None:
        if uuid in self._aggregates:
            aggregate = self._aggregates[uuid]
            return aggregate if isinstance(aggregate, cls) else None
        if uuid in self._absent:
            return None
        aggregate_or_none: A | None
        if self.session is not None:
            found = self.session.get(uuid)
            aggregate_or_none = found if isinstance(found, cls) else None
        else:
            aggregate_or_none = self.app.get(cls, uuid)
        if aggregate_or_none is not None:
            self._aggregates[uuid] = aggregate_or_none
        return aggregate_or_none

    def aggregates(self) -> Iterable[Aggregate]:
        return self._aggregates.values()

    def _keep(self, aggregate: Aggregate) -> None:
        self._aggregates[aggregate.id] = aggregate
        self.events.extend(aggregate.collect_events())

    # -- actors ----------------------------------------------------------------------

    def resolve_actor(self, name: str) -> str:
        key = name.strip().casefold()
        if key in self._aliases:
            return self._aliases[key]
        found = self._stored_actor(key)
        if found is not None:
            if self.session is not None:
                self._aliases[key] = found
            return found
        close: list[str] = []
        if len(name) <= MAX_NAME_TO_MATCH:
            known = self._stored_aliases() + list(self._aliases)
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        raise UnknownActor(f"unknown actor {shorten(name)!r}{hint}")

    def _stored_actor(self, alias_key: str) -> str | None:
        if self.session is not None:
            return self.session.stored_actor(alias_key)
        return self.app.view.resolve_actor(alias_key)

    def _stored_aliases(self) -> list[str]:
        if self.session is not None:
            return self.session.stored_aliases()
        return [alias for alias, _ in self.app.view.all_aliases()]

    def _claim_aliases(self, actor_id: str, aliases: tuple[str, ...]) -> None:
        for alias in aliases:
            if not isinstance(alias, str) or not alias.strip():
                raise InvalidRecord(f"alias {alias!r} must be a non-empty string")
            key = alias.strip().casefold()
            owner = self._aliases.get(key) or self._stored_actor(key)
            if owner is not None and owner != actor_id:
                raise DuplicateId(f"alias {alias!r} already names actor {owner!r}")
            self._aliases[key] = actor_id

    def add_actor(
        self, actor_id: str, name: str, aliases: tuple[str, ...], role: str | None
    ) -> None:
        check_id("actor", actor_id)
        if not isinstance(name, str) or not name.strip():
            raise InvalidRecord("an actor needs a non-empty name")
        if self._load(Actor, Actor.create_id(actor_id)) is not None:
            raise DuplicateId(f"actor {actor_id!r} already exists")
        self._claim_aliases(actor_id, (actor_id, name, *aliases))
        self._keep(Actor.register(actor_id, name=name, aliases=tuple(aliases), role=role))

    def add_aliases(self, actor: str, aliases: tuple[str, ...]) -> None:
        actor_id = self.resolve_actor(actor)
        aggregate = self._load(Actor, Actor.create_id(actor_id))
        if aggregate is None:  # pragma: no cover - resolved ids exist
            raise UnknownActor(f"unknown actor {actor!r}")
        self._claim_aliases(actor_id, aliases)
        aggregate.add_aliases(aliases)
        self._keep(aggregate)

    # -- reports ---------------------------------------------------------------------

    def add_report(
        self,
        report_id: str,
        *,
        outlet: str,
        published: FuzzyDate,
        title: str | None = None,
        url: str | None = None,
        text: str | None = None,
        note: str | None = None,
    ) -> None:
        check_id("report", report_id)
        if not isinstance(outlet, str) or not outlet.strip():
            raise InvalidRecord("a report needs a non-empty outlet")
        if self._load(Report, Report.create_id(report_id)) is not None:
            raise DuplicateId(f"report {report_id!r} already exists")
        self._keep(
            Report.register(
                report_id,
                outlet=outlet,
                published=published,
                title=title,
                url=url,
                text=text,
                note=note,
            )
        )

    def report(self, report_id: str) -> Report:
        if not isinstance(report_id, str):
            raise InvalidRecord(f"report id must be a string, not {report_id!r}")
        report = self._load(Report, Report.create_id(report_id))
        if report is None:
            raise UnknownReport(f"unknown report {report_id!r}")
        return report

    def check_quote(self, report: Report, quote: str | None) -> None:
        if quote is None or report.text is None:
            return
        if not isinstance(quote, str) or not quote.strip():
            raise InvalidRecord("a quote must be a non-empty string")
        if quote in report.text:
            return  # word for word, so also once whitespace is normalised in both
        if normalise_whitespace(quote) not in normalised_text(report.text):
            raise QuoteNotInReport(
                f"quote {shorten(quote)!r} is not in report {report.report_id!r}"
            )

    # -- developments ----------------------------------------------------------------

    def development(self, development_id: str) -> Development:
        development = self._load(Development, Development.create_id(development_id))
        if development is None:
            raise UnknownDevelopment(f"unknown development {development_id!r}")
        return development

    def record(self, kind: str, development_id: str, report_id: str, raw: Mapping[str, Any]) -> int:
        check_id("development", development_id)
        report = self.report(report_id)
        raw = dict(raw)
        details = {key: raw.pop(key, None) for key in ("quote", "attributed_to", "note")}
        for key in ("attributed_to", "note"):
            if details[key] is not None and not isinstance(details[key], str):
                raise InvalidRecord(f"{key!r} must be a string")
        if kind == "statement" and details["quote"] is not None:
            raw["quote"] = details["quote"]
        self.check_quote(report, details["quote"])
        development = self._load(Development, Development.create_id(development_id))
        fields = parse_fields(kind, raw, self.resolve_actor, first_account=development is None)
        account = Account.of(report_id, fields, **details)
        if development is None:
            development = Development.report(development_id, kind, account)
        else:
            development.retell(kind, account)
        version = development.version
        self._keep(development)
        return version

    def retract(
        self, development_id: str, report_id: str, reason: str, quote: str | None = None
    ) -> None:
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidRecord("a retraction needs a reason")
        development = self.development(development_id)
        report = self.report(report_id)
        self.check_quote(report, quote)
        development.retract(report_id, reason, quote)
        self._keep(development)

    def void(self, development_id: str, version: int, reason: str) -> None:
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidRecord("a void needs a reason")
        development = self.development(development_id)
        development.void(version, reason)
        self._keep(development)

    def void_position(self, position: int, reason: str) -> tuple[str, int]:
        notifications = self.app.recorder.select_notifications(start=position, limit=1)
        if not notifications or notifications[0].id != position:
            raise InvalidRecord(f"there is no log position {position}")
        event = self.app.mapper.to_domain_event(notifications[0])
        if not isinstance(event, Development.Reported | Development.Retold | Development.Retracted):
            raise InvalidRecord(
                f"log position {position} is a {type(event).__qualname__}, not an account"
                " or retraction"
            )
        development = self._load(Development, event.originator_id)
        assert development is not None  # the event came from it
        self.void(development.development_id, event.originator_version, reason)
        return development.development_id, event.originator_version
