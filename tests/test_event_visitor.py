"""Every event class the aggregates define is visited, by every visitor.

The classes are found by walking the aggregates of ``tracker.domain`` and
``tracker.grading`` (the grades' aggregates), not from a list,
so that an event class added to an aggregate fails here until ``EventVisitor`` has a
method for it and every visitor implements that method.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from eventsourcing.domain import Aggregate, DomainEvent

import projections
import tracker
import tracker.domain
import tracker.grading
from tracker.domain import Development
from tracker.event_visitor import METHOD_NAMES, EventVisitor, UnhandledEvent, visit

# The bases the library gives every aggregate; no command of the tracker fires them.
LIBRARY_BASES = ("Event", "Created")

# The visitors that read the log for the projection, the export, `log` and `verify`:
# named so that one dropped, or replaced by something that is no visitor, is noticed.
KNOWN_VISITORS = {
    "projections.event_rows.PageRows",
    "tracker.record_export._ExportRecords",
    "tracker.log_entries._LogEntries",
    "tracker.verification._EventChecks",
}


def event_classes(module: Any) -> set[type]:
    """The event classes nested in the module's aggregates."""
    return {
        event_class
        for aggregate in vars(module).values()
        if isinstance(aggregate, type)
        and issubclass(aggregate, Aggregate)
        and aggregate.__module__ == module.__name__
        for name, event_class in vars(aggregate).items()
        if isinstance(event_class, type)
        and issubclass(event_class, DomainEvent)
        and name not in LIBRARY_BASES
    }


def unvisited(module: Any) -> set[str]:
    """The module's event classes that ``EventVisitor`` has no abstract method for."""
    return {
        event_class.__qualname__
        for event_class in event_classes(module)
        if METHOD_NAMES.get(event_class) not in EventVisitor.__abstractmethods__
    }


def visitors() -> dict[str, type[EventVisitor[Any]]]:
    """Every subclass of ``EventVisitor`` in the tracker's packages, by qualified name
    (not those the tests below define to show what is refused)."""
    for package in (tracker, projections):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    found: dict[str, type[EventVisitor[Any]]] = {}
    pending: list[type[EventVisitor[Any]]] = [EventVisitor]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.partition(".")[0] in ("tracker", "projections"):
                found[f"{subclass.__module__}.{subclass.__qualname__}"] = subclass
    return found


def test_every_event_class_of_the_domain_has_a_visitor_method() -> None:
    assert event_classes(tracker.domain)  # the walk finds the aggregates' events
    assert event_classes(tracker.grading)
    assert unvisited(tracker.domain) == unvisited(tracker.grading) == set()
    assert set(METHOD_NAMES) == event_classes(tracker.domain) | event_classes(tracker.grading)


def test_every_visitor_handles_every_event_class() -> None:
    found = visitors()
    assert set(found) >= KNOWN_VISITORS
    for name, visitor in found.items():
        # What instantiating it checks: no method for an event class left abstract.
        assert not visitor.__abstractmethods__, (name, sorted(visitor.__abstractmethods__))
        for event_class in event_classes(tracker.domain) | event_classes(tracker.grading):
            method_name = METHOD_NAMES.get(event_class)
            assert method_name is not None, f"no visitor method for {event_class.__qualname__}"
            method = getattr(visitor, method_name, None)
            assert method is not None, (name, method_name)
            assert not getattr(method, "__isabstractmethod__", False), (name, method_name)


def test_an_event_class_added_to_an_aggregate_is_unvisited(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the first test sees when a command fires a class no visitor knows yet."""

    class Postponed(Development.Event):
        until: str

    monkeypatch.setattr(Development, "Postponed", Postponed, raising=False)
    assert Postponed in event_classes(tracker.domain)
    assert unvisited(tracker.domain) == {Postponed.__qualname__}


def test_a_visitor_missing_a_method_cannot_be_made() -> None:
    class Partial(EventVisitor[None]):
        def actor_registered(self, event: Any) -> None:
            return None

    with pytest.raises(TypeError, match="abstract"):
        Partial()  # type: ignore[abstract]


def test_visiting_an_event_of_another_class_raises() -> None:
    class Counting(EventVisitor[int]):
        def actor_registered(self, event: Any) -> int:
            return 1

        aliases_added = report_registered = development_reported = actor_registered
        development_retold = development_retracted = development_voided = actor_registered
        source_graded = account_graded = actor_registered

    with pytest.raises(UnhandledEvent, match="'object'"):
        visit(object(), Counting())
