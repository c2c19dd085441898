"""Moving a whole store to another backend: the stored events themselves, byte for byte
and in log order, into an empty store, whose chain and read models are then its own.

A copy is one transaction on the destination (a bulk session): it holds the
destination's write lock throughout, and ends with every event and the views, or with
none, so a copy killed half-way leaves no shorter store that would verify, and can
simply be run again. The source's events are checked against its hash chain as they
are read: a tampered store is not made into one that verifies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from eventsourcing.persistence import StoredEvent

from tracker.application import Tracker
from tracker.errors import StoreError

if TYPE_CHECKING:
    from tracker.fast.bulk import BulkSession

BATCH = 5000


def copy_store(
    source: Tracker, destination: Tracker, progress: Callable[[int], None] | None = None
) -> int:
    """Append every event of ``source`` to the empty ``destination``; returns the count.

    The events keep their ids, versions, topics, states and so their system times; in
    an empty store they also keep their positions, and so the hash chain's head.
    """
    with destination.filling_empty_store():
        return destination.in_session(lambda session: _copy(source, session, progress))


def _copy(source: Tracker, session: BulkSession, progress: Callable[[int], None] | None) -> int:
    from tracker.verification import chain_checked

    if session.position != 0:  # under the write lock: no other writer can start now
        raise StoreError("the destination store is not empty")
    batch: list[StoredEvent] = []
    for notification in chain_checked(source, "the source store"):
        batch.append(
            StoredEvent(
                originator_id=notification.originator_id,
                originator_version=notification.originator_version,
                topic=notification.topic,
                state=notification.state,
            )
        )
        if len(batch) >= BATCH:
            _append(session, batch)
            batch = []
            if progress:
                progress(session.position)
    _append(session, batch)
    return session.position


def _append(session: BulkSession, batch: list[StoredEvent]) -> None:
    if not batch:
        return
    first = session.position + 1
    session.append_produced(batch)
    # An empty log numbers its events from 1 (``restart_positions_on``), so the copy
    # keeps the source's positions wherever the source has no gap.
    if session.position != first + len(batch) - 1:
        raise StoreError(
            f"the destination numbered events {first}..{first + len(batch) - 1}"
            f" up to {session.position}: nothing was copied"
        )
