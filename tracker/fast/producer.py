"""The session of a second process that turns an import's records into stored events.

Most of an import is Python that needs no write lock: parsing and checking each
record, building its event and encoding it. A producer process (its program is
``tracker.processes.producer``, started as ``tracker.fast.child_process`` says) does
that on the machine's other core, while the importing process
(``tracker.fast.produced_import``), which holds the store's write lock, appends the
chunk before into the log, reads its view rows from it (``projections.raw_rows``),
and folds the developments it tells.
One transaction still holds everything: a bad record anywhere, or either process
stopping, leaves the store as it was.

The producer sees the store as it was committed when the import took the lock; what
the import has appended since, it does not. So it keeps, in a scratch file of its own,
what it needs to find again the aggregates it no longer holds in memory: the events of
reports and actors, and a snapshot of each development as it leaves the cache. (It
kept every event there before: at a million accounts, writing 600 MB of events took a
tenth of its time, and rebuilding developments from them another tenth.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from tracker.batch import Batch
from tracker.chunks import IN_LIST, chunks
from tracker.domain import DEVELOPMENT_EVENTS, Development
from tracker.errors import StoreError
from tracker.fast.bulk import BulkSession
from tracker.fast.child_process import Send
from tracker.ports import LogAndViews


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


DEVELOPMENT_TOPIC = get_topic(Development)
SCRATCH_CACHE_KIB = 24 * 1024


def development_row(development: Development) -> tuple[Any, ...]:
    """A development's snapshot as the scratch file keeps it. Its account versions are
    nearly always 1 to its version: only the others are written out."""
    irregular = None
    if (
        development.retractions
        or development.voided
        or len(development.account_versions) != development.version
    ):
        irregular = orjson.dumps(
            [
                sorted(development.account_versions),
                list(development.retractions.items()),
                list(development.voided.items()),
            ]
        )
    return (
        development.id.bytes,
        development.version,
        development.created_on.isoformat(),
        development.modified_on.isoformat(),
        development.development_id,
        development.kind,
        irregular,
    )


def restored_development(row: Sequence[Any]) -> Development:
    """The development a ``development_row`` was taken from, rebuilt from its snapshot
    by the library's own ``Snapshot.mutate``."""
    uuid, version, created_on, modified_on, development_id, kind, irregular = row
    if irregular is None:
        account_versions: Iterable[int] = range(1, version + 1)
        retractions: list[tuple[int, str]] = []
        voided: list[tuple[int, str]] = []
    else:
        account_versions, retractions, voided = orjson.loads(irregular)
    modified = datetime.fromisoformat(modified_on)
    snapshot = Snapshot(
        originator_id=UUID(bytes=uuid),
        originator_version=version,
        timestamp=modified,
        topic=DEVELOPMENT_TOPIC,
        state={
            "_created_on": datetime.fromisoformat(created_on),
            "_modified_on": modified,
            "development_id": development_id,
            "kind": kind,
            "account_versions": set(account_versions),
            "retractions": dict(retractions),
            "voided": dict(voided),
        },
    )
    development = snapshot.mutate(None)
    if not isinstance(development, Development):  # pragma: no cover - the topic says
        raise TypeError(f"not a development: {development!r}")
    return development


class IdFilter:
    """A Bloom filter of aggregate ids: whether an id may have been added, or surely
    was not. Ids are UUIDs whose bits are already random (name-based, from SHA-1), so
    three slices of each serve as its three hashes."""

    BITS = 1 << 24  # 2 MB: one false "may" in 200 after a million ids
    _SHIFTS = (0, 24, 80)  # clear of the bits that give the UUID's version and variant

    def __init__(self) -> None:
        self._bits = bytearray(self.BITS // 8)

    def add(self, uuid: UUID) -> None:
        number = uuid.int
        for shift in self._SHIFTS:
            bit = (number >> shift) & (self.BITS - 1)
            self._bits[bit >> 3] |= 1 << (bit & 7)

    def __contains__(self, uuid: UUID) -> bool:
        number = uuid.int
        for shift in self._SHIFTS:
            bit = (number >> shift) & (self.BITS - 1)
            if not self._bits[bit >> 3] & (1 << (bit & 7)):
                return False
        return True


class ScratchFile:
    """What a producer needs to find again the aggregates it made or changed, in a
    temporary SQLite file that nobody else reads: no journal and no syncing, since a
    crash throws it away with the import. The events of reports and actors; a snapshot
    of each development, the latest it left the producer's cache with.

    One transaction, never committed: nobody else reads the file, and a commit for
    each chunk wrote its pages out each time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Most look-ups are of new developments: the filter spares a query for each.
        self.held = IdFilter()
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode = OFF")
        self.connection.execute("PRAGMA synchronous = OFF")
        # Rows in the order they come, and a small index by aggregate: a table keyed by
        # the random ids themselves moves whole events around on every insert.
        self.connection.execute(
            "CREATE TABLE events (originator_id BLOB, version INTEGER, topic TEXT, state BLOB)"
        )
        self.connection.execute("CREATE INDEX events_by_originator ON events (originator_id)")
        # Snapshots appended as they come, the latest of each development found by its
        # row id: a table keyed by the random ids spent 8 µs on each.
        self.connection.execute(
            "CREATE TABLE developments (originator_id BLOB, version INTEGER,"
            " created_on TEXT, modified_on TEXT, development_id TEXT, kind TEXT,"
            " irregular BLOB)"
        )
        self.connection.execute(
            "CREATE INDEX developments_by_originator ON developments (originator_id)"
        )
        # Enough to hold that index for a million developments (20 MB), which takes
        # random keys.
        self.connection.execute(f"PRAGMA cache_size = -{SCRATCH_CACHE_KIB}")
        self.connection.execute("BEGIN")

    def add(self, events: Sequence[StoredEvent]) -> None:
        rows = []
        for event in events:
            uuid = _uuid(event.originator_id)
            self.held.add(uuid)
            rows.append((uuid.bytes, event.originator_version, event.topic, event.state))
        self._write("INSERT INTO events VALUES (?, ?, ?, ?)", rows)

    def keep(self, developments: Iterable[Development]) -> None:
        """Snapshots of these developments, each replacing its last."""
        rows = []
        for development in developments:
            self.held.add(development.id)
            rows.append(development_row(development))
        self._write("INSERT INTO developments VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def _write(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        try:
            self.connection.executemany(statement, rows)
        except sqlite3.Error as error:
            raise StoreError(
                f"cannot write the import's scratch file {str(self.path)!r}: {error}"
            ) from None

    def developments_of(self, uuids: Sequence[UUID]) -> list[Development]:
        """The developments among these whose snapshots are kept, as they were kept."""
        latest = {
            row[0]: row for row in self._rows_of("SELECT * FROM developments", uuids, "rowid")
        }
        return [restored_development(row) for row in latest.values()]

    def events_of(self, uuids: Sequence[UUID]) -> list[StoredEvent]:
        """These aggregates' events, each one's in order."""
        return [
            StoredEvent(UUID(bytes=row[0]), row[1], row[2], row[3])
            for row in self._rows_of(
                "SELECT originator_id, version, topic, state FROM events",
                uuids,
                "originator_id, version",
            )
        ]

    def _rows_of(self, select: str, uuids: Sequence[UUID], order: str) -> Iterator[Any]:
        """The rows of ``select`` (from a table keyed by originator) of these ids, IN_LIST
        at a time, each run in ``order``; ids the filter has never seen are not asked."""
        for run in chunks([uuid for uuid in uuids if uuid in self.held], IN_LIST):
            chunk = [uuid.bytes for uuid in run]
            yield from self.connection.execute(
                f"{select} WHERE originator_id IN ({','.join('?' * len(chunk))}) ORDER BY {order}",
                chunk,
            )

    def close(self) -> None:
        self.connection.close()


class ProducerSession(BulkSession):
    """A bulk session whose chunks are sent to the process that writes them."""

    def __init__(self, app: LogAndViews, scratch: ScratchFile, position: int, send: Send) -> None:
        # It appends nothing itself: its position stays the log's when the import began.
        super().__init__(app, cursor=None, position=position)
        self.store_was_empty = position == 0
        self.scratch = scratch
        self.send = send
        self.read = 0  # bytes read since the last chunk was sent
        self._left: list[Development] = []  # developments that left the cache since

    # An empty store is not read at all: an import may hold it with a rollback journal
    # (see Tracker.filling_empty_store), and a read would wait for the import's end.

    def stored_actor(self, alias_key: str) -> str | None:
        return None if self.store_was_empty else super().stored_actor(alias_key)

    def stored_aliases(self) -> list[str]:
        return [] if self.store_was_empty else super().stored_aliases()

    def _forget(self, aggregate: Aggregate) -> None:
        if isinstance(aggregate, Development):
            self._left.append(aggregate)

    def _keep_left(self) -> None:
        self.scratch.keep(self._left)
        self._left = []

    def preload(self, uuids: Iterable[UUID]) -> set[UUID]:
        """A development this import touched comes back from its snapshot; any other
        aggregate from its events."""
        self._keep_left()
        wanted = [uuid for uuid in set(uuids) if uuid not in self._cache]
        restored = self.scratch.developments_of(wanted)
        for development in restored:
            self._remember(development)
        # Restoring snapshots can push others out of the cache: they are found all the same.
        found = {development.id for development in restored}
        return super().preload([uuid for uuid in wanted if uuid not in found])

    def _stored_events(self, uuids: list[UUID]) -> Iterable[StoredEvent]:
        """What the store held when the import began, then what this import made."""
        committed: list[StoredEvent] = []
        if not self.store_was_empty:
            recorder: Any = self.app.recorder
            with recorder.datastore.transaction(commit=False) as cursor:
                committed = list(recorder.events_on(cursor, uuids))
        return committed + self.scratch.events_of(uuids)

    def append(self, batch: Batch) -> None:
        for aggregate in batch.aggregates():
            self._remember(aggregate)
        self._keep_left()
        if not batch.events:
            return
        stored = [self.app.mapper.to_stored_event(event) for event in batch.events]
        self.scratch.add(
            [event for event in stored if not event.topic.startswith(DEVELOPMENT_EVENTS)]
        )
        # The events' fields, not StoredEvent objects: a frozen dataclass holding a UUID
        # pickles seven times slower, and unpickles nine times slower, than this tuple.
        rows = [
            (_uuid(event.originator_id).hex, event.originator_version, event.topic, event.state)
            for event in stored
        ]
        self.send(("chunk", rows, self.read))
        self.read = 0
