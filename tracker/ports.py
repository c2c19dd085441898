"""What the unit of work (``tracker.batch``, ``tracker.fast.bulk``) needs of the application
and of a bulk session, as protocols.

The application runs its commands through a batch in a bulk session, so it imports
them; typed by these protocols, they need not import it, nor each other, in turn.
``tracker.application.Tracker`` and ``tracker.fast.bulk.BulkSession`` are what meet them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder, Mapper

if TYPE_CHECKING:
    from projections.projection import TrackerProjection
    from projections.view import TrackerViewBase

A = TypeVar("A", bound=Aggregate)


class LogAndViews(Protocol):
    """The application as its commands use it: the log, the mapper that reads and
    writes it, and the views with the projection that feeds them."""

    @property
    def name(self) -> str: ...

    @property
    def env(self) -> Mapping[str, str]: ...

    @property
    def mapper(self) -> Mapper[UUID]: ...

    @property
    def recorder(self) -> ApplicationRecorder: ...

    @property
    def view(self) -> TrackerViewBase: ...

    @property
    def projection(self) -> TrackerProjection: ...

    def catch_up(self) -> int: ...


class Session(Protocol):
    """A bulk session as a batch reads through it: aggregates and aliases as the
    session's open transaction sees them."""

    aliases: dict[str, str]

    def get(self, uuid: UUID) -> Aggregate | None: ...

    def preload(self, uuids: Iterable[UUID]) -> set[UUID]: ...

    def stored_actor(self, alias_key: str) -> str | None: ...

    def stored_aliases(self) -> list[str]: ...
