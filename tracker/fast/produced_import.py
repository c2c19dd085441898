"""The importing side of an import through a producer process: the producer (its
program ``tracker.processes.producer``, its session ``tracker.fast.producer``) turns the
files into events, and this process appends them in its bulk session's transaction.
``import_produced`` is the producer's one entry, called by ``tracker.records``."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

from tracker.fast.bulk import BulkSession
from tracker.fast.child_process import child_process
from tracker.sqlite_pool import KEEP_JOURNAL_MODE
from tracker.store import scratch_parent

# The producer's program, named rather than imported: it runs in the producer process,
# and it applies records with tracker.records, which imports this module.
PRODUCER_MODULE = "tracker.processes.producer"


def import_produced(
    session: BulkSession,
    names: Sequence[str],
    base: Path,
    progress: Callable[[int], None] | None,
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
    session: BulkSession, settings: dict[str, Any], progress: Callable[[int], None] | None
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
