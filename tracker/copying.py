"""Moving a whole store to another backend: the stored events themselves, byte for byte
and in log order, into an empty store, whose chain and read models are then its own."""

from __future__ import annotations

from collections.abc import Callable

from eventsourcing.persistence import StoredEvent

from tracker.application import Tracker
from tracker.errors import StoreError

BATCH = 5000


def copy_store(
    source: Tracker, destination: Tracker, progress: Callable[[int], None] | None = None
) -> int:
    """Append every event of ``source`` to the empty ``destination``; returns the count.

    The events keep their ids, versions, topics, states and so their system times; in
    an empty store they also keep their positions, and so the hash chain's head.
    """
    if destination.last_position() != 0:
        raise StoreError("the destination store is not empty")
    copied = 0
    batch: list[StoredEvent] = []
    for notification in source.notifications():
        batch.append(
            StoredEvent(
                originator_id=notification.originator_id,
                originator_version=notification.originator_version,
                topic=notification.topic,
                state=notification.state,
            )
        )
        if len(batch) >= BATCH:
            copied += _append(destination, batch, copied)
            batch = []
            if progress:
                progress(copied)
    if batch:
        copied += _append(destination, batch, copied)
    destination.catch_up()
    return copied


def _append(destination: Tracker, batch: list[StoredEvent], copied: int) -> int:
    positions = destination.recorder.insert_events(batch)
    expected = list(range(copied + 1, copied + len(batch) + 1))
    if positions is not None and list(positions) != expected:
        raise StoreError(
            f"the destination gave positions {positions[0]}..{positions[-1]} to events"
            f" {expected[0]}..{expected[-1]}: another process is writing to it"
        )
    return len(batch)
