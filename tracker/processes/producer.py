"""The import's producer process (``tracker.fast.produced_import`` starts it): it opens
the store as it was committed when the import took the lock, reads the files, and
sends each chunk's stored events to the process that appends them. What it runs is
``tracker.fast.producer``'s session; this module is its program, above the records it
applies."""

from __future__ import annotations

from typing import Any

from tracker.application import Tracker
from tracker.errors import StoreError, TrackerError
from tracker.fast.child_process import Send, serve
from tracker.fast.producer import ProducerSession, ScratchFile
from tracker.records import apply_records, records_from_files


def _produce(settings: dict[str, Any], send: Send) -> None:
    app = Tracker({**settings["env"], "CREATE_TABLE": "no"})
    try:
        scratch = ScratchFile(settings["scratch"])
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
    # Not ahead: the producer is the slower side of an import, and chunks made ahead
    # only held more memory (35 MB).
    serve(_produce)
