"""A second process that turns an import's records into stored events.

Most of an import is Python that needs no write lock: parsing and checking each
record, building its event and encoding it. A producer process (see
``tracker.child_process``) does that on the machine's other core, while this process,
which holds the store's write lock, appends the chunk before into the log, reads its
view rows from it (``projections.stored_rows``), and folds the developments it tells.
One transaction still holds everything: a bad record anywhere, or either process
stopping, leaves the store as it was.

The producer sees the store as it was committed when the import took the lock; what
the import has appended since, it does not. So it keeps the events it makes in a
scratch file of its own, where it finds the aggregates it no longer holds in memory.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from tracker import records
from tracker.application import Batch, Tracker
from tracker.bulk import BulkSession
from tracker.child_process import Send, child_process, serve
from tracker.chunks import IN_LIST, chunks
from tracker.errors import StoreError, TrackerError
from tracker.recorders import KEEP_JOURNAL_MODE
from tracker.records import Progress, apply_records, records_from_files


def import_produced(
    session: BulkSession,
    names: Sequence[str],
    base: Path,
    progress: Progress | None,
    stdin_copy: Path | None = None,
) -> dict[str, int]:
    """Import the files (``-``: standard input, copied to ``stdin_copy``) through a
    producer process, into the session's transaction."""
    app = session.app
    env = {**app.env, KEEP_JOURNAL_MODE: "yes"}
    # This process owns the scratch folder: it is removed however the producer ends,
    # even when this process stops it.
    with tempfile.TemporaryDirectory(prefix=".tracker-import-", dir=scratch_parent(env)) as folder:
        settings = {
            "env": env,
            "names": list(names),
            "stdin_copy": stdin_copy,
            "base": base,
            "position": session.position,
            "chunk": records.IMPORT_CHUNK,
            "cached": session.cached_aggregates,
            "scratch": Path(folder) / "scratch.db",
        }
        return _write_produced(session, settings, progress)


def _write_produced(
    session: BulkSession, settings: dict[str, Any], progress: Progress | None
) -> dict[str, int]:
    with child_process(__name__, settings, "the import's producer process") as receive:
        while True:
            message = receive()
            if message[0] == "chunk":
                _, rows, read = message
                session.append_produced([StoredEvent(*row) for row in rows])
                if progress is not None:
                    progress(read)
            elif message[0] == "done":
                counts: dict[str, int] = message[1]
                return counts
            else:
                raise message[1]  # the error the producer met, as it was raised there


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


class ScratchEvents:
    """The events a producer made, in a temporary SQLite file that nobody else reads:
    no journal and no syncing, since a crash throws it away with the import."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode = OFF")
        self.connection.execute("PRAGMA synchronous = OFF")
        # Rows in the order they come, and a small index by aggregate: a table keyed by
        # the random ids themselves moves whole events around on every insert.
        self.connection.execute(
            "CREATE TABLE events (originator_id BLOB, version INTEGER, topic TEXT, state BLOB)"
        )
        self.connection.execute("CREATE INDEX events_by_originator ON events (originator_id)")

    def add(self, events: Sequence[StoredEvent]) -> None:
        rows = [
            (
                _uuid(event.originator_id).bytes,
                event.originator_version,
                event.topic,
                event.state,
            )
            for event in events
        ]
        try:
            self.connection.execute("BEGIN")  # one transaction, not one per row
            self.connection.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", rows)
            self.connection.execute("COMMIT")
        except sqlite3.Error as error:
            raise StoreError(
                f"cannot write the import's scratch file {str(self.path)!r}: {error}"
            ) from None

    def events_of(self, uuids: Sequence[UUID]) -> list[StoredEvent]:
        """These aggregates' events, each one's in order."""
        found: list[StoredEvent] = []
        for run in chunks(uuids, IN_LIST):
            chunk = [uuid.bytes for uuid in run]
            rows = self.connection.execute(
                "SELECT originator_id, version, topic, state FROM events"  # noqa: S608
                f" WHERE originator_id IN ({','.join('?' * len(chunk))})"
                " ORDER BY originator_id, version",
                chunk,
            )
            found.extend(StoredEvent(UUID(bytes=row[0]), row[1], row[2], row[3]) for row in rows)
        return found

    def close(self) -> None:
        self.connection.close()


class ProducerSession(BulkSession):
    """A bulk session whose chunks are sent to the process that writes them."""

    def __init__(self, app: Tracker, scratch: ScratchEvents, position: int, send: Send) -> None:
        # It appends nothing itself: its position stays the log's when the import began.
        super().__init__(app, cursor=None, position=position)
        self.store_was_empty = position == 0
        self.scratch = scratch
        self.send = send
        self.read = 0  # bytes read since the last chunk was sent

    # An empty store is not read at all: an import may hold it with a rollback journal
    # (see Tracker.filling_empty_store), and a read would wait for the import's end.

    def stored_actor(self, alias_key: str) -> str | None:
        return None if self.store_was_empty else super().stored_actor(alias_key)

    def stored_aliases(self) -> list[str]:
        return [] if self.store_was_empty else super().stored_aliases()

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
        if not batch.events:
            return
        stored = [self.app.mapper.to_stored_event(event) for event in batch.events]
        self.scratch.add(stored)
        # The events' fields, not StoredEvent objects: a frozen dataclass holding a UUID
        # pickles seven times slower, and unpickles nine times slower, than this tuple.
        rows = [
            (_uuid(event.originator_id).hex, event.originator_version, event.topic, event.state)
            for event in stored
        ]
        self.send(("chunk", rows, self.read))
        self.read = 0


def scratch_parent(env: Mapping[str, str]) -> str | None:
    """Beside a SQLite store, which is on a disk with room for the log it grows by;
    the temporary folder may be memory (tmpfs), and the scratch file is about as large."""
    store = env.get("SQLITE_DBNAME")
    if store and Path(store).parent.is_dir():
        return str(Path(store).parent)
    return None


def _produce(settings: dict[str, Any], send: Send) -> None:
    app = Tracker({**settings["env"], "CREATE_TABLE": "no"})
    try:
        scratch = ScratchEvents(settings["scratch"])
        try:
            session = ProducerSession(app, scratch, settings["position"], send)
            session.cached_aggregates = settings["cached"]

            def count(size: int) -> None:
                session.read += size

            read = records_from_files(settings["names"], count, settings["stdin_copy"])
            counts = apply_records(session, read, settings["base"], settings["chunk"])
            send(("done", counts))
        finally:
            scratch.close()
    except BrokenPipeError:
        raise  # the writer stopped
    except TrackerError as error:
        send(("error", error))
    except Exception as error:
        send(("error", StoreError(f"the import's producer failed: {error!r}")))
    finally:
        app.close()


if __name__ == "__main__":
    serve(_produce)
