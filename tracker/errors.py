"""The tracker's named errors. Each is a domain error: the CLI reports it on one line and
exits 1, and the store is left as it was."""

from __future__ import annotations


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


class StoreNotFound(TrackerError):
    pass


class StoreError(TrackerError):
    """The store cannot be opened, read or written (bad URL, read-only file, disk full)."""


class ConcurrentChange(TrackerError):
    """Other processes kept appending to the same developments; nothing was recorded."""
