"""The importing side of an import through a producer process: the producer
(tracker.import_producer) turns the files into events, and this process appends them in
its bulk session's transaction."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

from tracker.bulk import BulkSession
from tracker.child_process import child_process
from tracker.ndjson_lines import Progress
from tracker.sqlite_pool import KEEP_JOURNAL_MODE

# The producer's own module, named rather than imported: it runs in the producer
# process, and it applies records with tracker.records, which imports this module.
PRODUCER_MODULE = "tracker.import_producer"


def import_produced(
    session: BulkSession,
    names: Sequence[str],
    base: Path,
    progress: Progress | None,
    chunk: int,
    stdin_copy: Path | None = None,
) -> dict[str, int]:
    """Import the files (``-``: standard input, copied to ``stdin_copy``) through a
    producer process, into the session's transaction, ``chunk`` records at a time."""
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
            "chunk": chunk,
            "cached": session.cached_aggregates,
            "scratch": Path(folder) / "scratch.db",
        }
        return _write_produced(session, settings, progress)


def _write_produced(
    session: BulkSession, settings: dict[str, Any], progress: Progress | None
) -> dict[str, int]:
    with child_process(PRODUCER_MODULE, settings, "the import's producer process") as receive:
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


def scratch_parent(env: Mapping[str, str]) -> str | None:
    """Beside a SQLite store, which is on a disk with room for the log it grows by;
    the temporary folder may be memory (tmpfs), and the scratch file is about as large."""
    store = env.get("SQLITE_DBNAME")
    if store and Path(store).parent.is_dir():
        return str(Path(store).parent)
    return None
