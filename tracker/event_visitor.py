"""The one interpreter of the tracker's events: a visitor with a method per event class.

Whatever reads events (the projection's page builder, the NDJSON export, ``tracker
log``, ``tracker verify``) is an ``EventVisitor``. Every method is abstract, so a
visitor that lacks one for some event class cannot be instantiated; and ``visit``
raises ``UnhandledEvent`` for a class that is not one of the domain's, rather than
passing over it. tests/test_event_visitor.py holds the table to the classes the
aggregates define.

Dispatch is one dict look-up by exact type: the projection visits every event of an
import or rebuild, and the domain's event classes are never subclassed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from eventsourcing.utils import get_topic

from tracker.domain import EVENT_CLASSES, Actor, Development, Report
from tracker.grading import AccountGrade, SourceGrade

T = TypeVar("T")


class UnhandledEvent(TypeError):
    """An event of a class the visitor's table does not name."""

    def __init__(self, event_class: type) -> None:
        super().__init__(f"no visitor method for event class {event_class.__qualname__!r}")
        self.event_class = event_class


# The method of ``EventVisitor`` for each event class of the domain.
METHOD_NAMES: Mapping[type, str] = MappingProxyType(
    {
        Actor.Registered: "actor_registered",
        Actor.AliasesAdded: "aliases_added",
        Report.Registered: "report_registered",
        Development.Reported: "development_reported",
        Development.Retold: "development_retold",
        Development.Retracted: "development_retracted",
        Development.Voided: "development_voided",
        SourceGrade.Given: "source_graded",
        AccountGrade.Given: "account_graded",
    }
)

# The event classes by topic: what a reader of stored events, which has only the topic,
# may take for one of the domain's events.
EVENT_TOPICS: Mapping[str, type] = MappingProxyType({get_topic(cls): cls for cls in METHOD_NAMES})

if set(METHOD_NAMES) != {cls for _, cls in EVENT_CLASSES}:
    # At import, so that an event class added to the domain cannot run unvisited.
    raise ImportError(
        "tracker.event_visitor.METHOD_NAMES does not name exactly the classes of "
        "tracker.domain.EVENT_CLASSES"
    )


class EventVisitor(ABC, Generic[T]):
    """What to make of each event class. A subclass keeps whatever a walk over the log
    needs (a page, names seen so far) on itself; each method returns the event's T."""

    # The bound methods by event class, made on first use for each instance.
    _dispatch: dict[type, Callable[[Any], T]]

    def visit(self, event: Any) -> T:
        """The result of this visitor's method for the event's class."""
        try:
            dispatch = self._dispatch
        except AttributeError:
            dispatch = self._dispatch = dispatch_table(self)
        try:
            method = dispatch[type(event)]
        except KeyError:
            raise UnhandledEvent(type(event)) from None
        return method(event)

    @abstractmethod
    def actor_registered(self, event: Actor.Registered) -> T: ...

    @abstractmethod
    def aliases_added(self, event: Actor.AliasesAdded) -> T: ...

    @abstractmethod
    def report_registered(self, event: Report.Registered) -> T: ...

    @abstractmethod
    def development_reported(self, event: Development.Reported) -> T: ...

    @abstractmethod
    def development_retold(self, event: Development.Retold) -> T: ...

    @abstractmethod
    def development_retracted(self, event: Development.Retracted) -> T: ...

    @abstractmethod
    def development_voided(self, event: Development.Voided) -> T: ...

    @abstractmethod
    def source_graded(self, event: SourceGrade.Given) -> T: ...

    @abstractmethod
    def account_graded(self, event: AccountGrade.Given) -> T: ...


def dispatch_table(visitor: EventVisitor[T]) -> dict[type, Callable[[Any], T]]:
    """The visitor's bound method for each event class."""
    return {cls: getattr(visitor, name) for cls, name in METHOD_NAMES.items()}


def visit(event: Any, visitor: EventVisitor[T]) -> T:
    """``visitor.visit(event)``."""
    return visitor.visit(event)
