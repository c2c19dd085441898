"""A second process that reads and decodes the log for a rebuild.

A rebuild spends about half its time in Python that needs nothing but the log: decoding
each stored event, turning it into view rows, folding the developments first told in a
page. A reader process does that work on the machine's other core and sends ready pages
through a pipe, while this process writes the pages before them. A pipe holds a few
pages at most, so neither side runs far ahead and memory stays flat.

The reader is ``python -m tracker.rebuild_reader``, started afresh rather than forked:
a forked child would share this process's open database connections, and
multiprocessing's spawn would run the caller's main script again. It opens the store
with its own connection and never writes. It reads up to a position fixed before it
starts: what is appended meanwhile, a catch-up applies after.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import InfrastructureFactory, Mapper
from eventsourcing.utils import Environment

from projections.projection import add_to_page
from projections.view import Page
from tracker.errors import StoreError, unappliable_event
from tracker.transcoding import construct_transcoder

# Below this many events, starting a process (about 0.2 s) costs more than it saves.
PARALLEL_REBUILD_MIN_EVENTS = 20_000

# A decoded page: the view rows of the events at log positions first to last.
ReadPage = tuple[Page, int, int]


def read_pages(
    env: Mapping[str, str], application_name: str, stop: int, page_size: int
) -> Iterator[ReadPage]:
    """The log's events up to ``stop`` as view pages, decoded by a reader process."""
    with tempfile.TemporaryFile() as errors:
        reader = subprocess.Popen(
            [sys.executable, "-m", "tracker.rebuild_reader"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert reader.stdin is not None and reader.stdout is not None
        try:
            # On stdin, not the command line: the settings may hold a password.
            pickle.dump((dict(env), application_name, stop, page_size), reader.stdin)
            reader.stdin.close()
            while True:
                try:
                    message = pickle.load(reader.stdout)  # noqa: S301 - our own child
                except EOFError:
                    reader.wait()
                    errors.seek(0)
                    lines = errors.read().decode(errors="replace").strip().splitlines()
                    raise StoreError(
                        f"the rebuild's reader process stopped (exit code {reader.returncode}"
                        + (f": {lines[-1]}" if lines else "")
                        + ")"
                    ) from None
                if message is None:
                    return
                if isinstance(message, str):
                    raise StoreError(message)
                yield message
        finally:
            reader.stdout.close()
            if reader.poll() is None:
                reader.kill()
            reader.wait()


def _read(
    env: dict[str, str], application_name: str, stop: int, page_size: int, out: IO[bytes]
) -> None:
    def send(message: Any) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    factory = InfrastructureFactory.construct(
        Environment(application_name, {**env, "CREATE_TABLE": "no"})
    )
    try:
        recorder = factory.application_recorder()
        mapper: Mapper[UUID] = factory.mapper(transcoder=construct_transcoder())
        # Reports come before the accounts that cite them, so reading from the start
        # learns every publication date the fold needs.
        published: dict[str, tuple[str, str]] = {}
        position = 0
        while position < stop:
            notifications = recorder.select_notifications(
                start=position, limit=page_size, stop=stop, inclusive_of_start=False
            )
            if not notifications:
                break
            page = Page()
            for notification in notifications:
                try:
                    add_to_page(mapper.to_domain_event(notification), page, notification.id)
                except Exception as error:  # a tampered log need not decode
                    send(str(unappliable_event(notification.id, error)))
                    return
            for report_id, _, _, lower, upper, *_ in page.reports:
                published[report_id] = (lower, upper)
            page.fold_new(published, partly=True)
            send((page, notifications[0].id, notifications[-1].id))
            position = notifications[-1].id
        send(None)
    except BrokenPipeError:
        pass  # the rebuild stopped: nobody is reading
    except Exception as error:
        send(f"the rebuild's reader failed: {error}")
    finally:
        factory.close()


def main() -> None:
    env, application_name, stop, page_size = pickle.load(sys.stdin.buffer)  # noqa: S301
    _read(env, application_name, stop, page_size, sys.stdout.buffer)


if __name__ == "__main__":
    main()
