"""The tracker's named errors. Each is a domain error: the CLI reports it on one line and
exits 1, and the store is left as it was."""

from __future__ import annotations

from typing import Any


class TrackerError(Exception):
    """Base of every error the tracker reports to its user."""


class InvalidRecord(TrackerError):
    """A record or command argument that the domain rejects."""


class UnknownActor(InvalidRecord):
    pass


class UnknownReport(InvalidRecord):
    pass


class UnknownDevelopment(InvalidRecord):
    pass


class DuplicateId(InvalidRecord):
    pass


class KindMismatch(InvalidRecord):
    """An account of a development under a different type than its first account."""


class QuoteNotInReport(InvalidRecord):
    pass


class InvalidGrade(InvalidRecord):
    """A reliability grade outside A-F, a credibility grade outside 1-6, or a grade
    whose day is not one calendar day."""


class UnknownAccount(InvalidRecord):
    """A grade of an account that its development does not have."""


class UnregisteredKind(TrackerError):
    """The store holds developments of a type that no module of this process registers
    (see ``tracker.kinds``: TRACKER_KINDS)."""


class InvalidAnchor(TrackerError):
    """A noted chain head that is not written HEAD@POSITION."""


class StoreNotFound(TrackerError):
    pass


class StoreError(TrackerError):
    """The store cannot be opened, read or written (bad URL, read-only file, disk full)."""


class UnknownEventTopic(StoreError):
    """A stored event whose topic, or whose aggregate's topic, names none of the
    tracker's own classes: the log chooses nothing that Python imports."""

    def __init__(
        self,
        topic: str,
        what: str = "event topic",
        position: int | None = None,
        event: str | None = None,
    ) -> None:
        self.topic = topic
        self.what = what
        self.position = position
        self.event = event
        if position is not None:
            message = f"log position {position}: unknown {what} {topic!r}"
        else:
            message = f"unknown {what} {topic!r} in {event}; run 'tracker verify'"
        super().__init__(message)

    def __reduce__(self) -> tuple[type[UnknownEventTopic], tuple[Any, ...]]:
        # Whole across processes (an import's producer, a rebuild's readers).
        return (UnknownEventTopic, (self.topic, self.what, self.position, self.event))

    def at(self, position: int) -> UnknownEventTopic:
        return UnknownEventTopic(self.topic, self.what, position=position)


class ConcurrentChange(TrackerError):
    """Other processes kept appending before this one's views could catch up; nothing
    was recorded."""


def unreadable_account(position: int, error: Exception | None) -> StoreError:
    """A telling whose event the log no longer holds, or cannot decode."""
    if isinstance(error, UnknownEventTopic):
        return error.at(position)
    what = "holds no event" if error is None else f"cannot decode the event ({error})"
    return StoreError(
        f"the log {what} at position {position}, where the read models have an account;"
        " run 'tracker verify'"
    )


def impossible_tracking(position: int, why: str) -> StoreError:
    """The views' tracking record contradicts the log or the views' own rows: someone
    changed it behind the tracker's back. Only a rebuild can tell what the views hold."""
    return StoreError(
        f"the read models' tracking position {position} {why}, so they cannot be trusted:"
        " run 'tracker rebuild'"
    )


def refused_by_views(first: int, last: int, error: Exception) -> StoreError:
    """Events the read models refused before they were committed: the whole unit of
    work is rolled back with them."""
    return StoreError(
        f"the read models refused the events that would have been at log positions"
        f" {first}-{last} ({error}); nothing was recorded"
    )


def unappliable_event(position: int, error: Exception) -> StoreError:
    """An event in the log that cannot be decoded or applied to the read models."""
    if isinstance(error, UnknownEventTopic):
        return error.at(position)
    return StoreError(
        f"the event at log position {position} cannot be applied to the read models"
        f" ({error}); run 'tracker verify'"
    )


def unappliable_events(first: int, last: int, error: Exception) -> StoreError:
    """A run of events that the read models refused, none of them singled out."""
    return StoreError(
        f"the events at log positions {first}-{last} cannot be applied to the read models"
        f" ({error!r}); run 'tracker verify'"
    )
