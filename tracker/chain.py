"""The log's hash chain: every event appended gets a row in a hash table, in the same
transaction: ``chain = sha256(previous chain, position, originator id, version, topic,
state)``. Inserts are serialised (SQLite's write lock, PostgreSQL's table lock), so the
chain is the log's order. ``tracker verify`` recomputes it: an event edited, deleted or
moved behind the tracker's back breaks the chain at that position.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent

GENESIS = "0" * 64


def chain_hash(previous: str, position: int, event: StoredEvent) -> str:
    originator = (
        event.originator_id.hex if isinstance(event.originator_id, UUID) else event.originator_id
    )
    parts = (
        previous.encode(),
        str(position).encode(),
        str(originator).encode(),
        str(event.originator_version).encode(),
        event.topic.encode(),
        bytes(event.state),
    )
    # Each part preceded by its length, so that no two different events hash alike.
    return hashlib.sha256(
        b"".join(len(part).to_bytes(8, "big") + part for part in parts)
    ).hexdigest()


def chain_rows(
    previous: str, positions: Sequence[int], events: Sequence[StoredEvent]
) -> Iterator[tuple[int, str]]:
    for position, event in zip(positions, events, strict=True):
        previous = chain_hash(previous, position, event)
        yield position, previous
