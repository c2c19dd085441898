"""Processes that read and decode the log for a rebuild.

A rebuild spends much of its time in Python that needs nothing but the log: reading
each stored event's view rows (``projections.stored_rows``), folding the developments
first told in a page, making their tellings' rows. Reader processes (see
``tracker.child_process``) do that work and send ready pages, while this process writes
the pages before them. There are two, taking turns by ranges of log positions: with
one, this process waited for it a third of the time. Each also reads the reports of the
other's ranges, whose publication dates its folds need.

A reader opens the store with its own connection and never writes. It reads up to a
position fixed before it starts: what is appended meanwhile, a catch-up applies after.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from typing import Any

from projections.projection import learn_publications
from projections.stored_rows import UnreadableEvent, page_of_rows
from projections.view import Page
from tracker.child_process import Send, child_process, serve
from tracker.errors import StoreError, unappliable_event, unappliable_events

# Below this many events, starting a process (about 0.2 s) costs more than it saves.
PARALLEL_REBUILD_MIN_EVENTS = 20_000
# Readers that take turns, page by page: one reader was the slower side of a rebuild,
# and the process that writes waited for it a third of the time.
READERS = 2

# A decoded page: the view rows of the events at log positions first to last.
ReadPage = tuple[Page, int, int]


def read_pages(env: Mapping[str, str], stop: int, page_size: int) -> Iterator[ReadPage]:
    """The log's events up to ``stop`` as view pages of the positions ``page_size`` at a
    time, decoded by reader processes that take turns."""
    with ExitStack() as readers:
        receivers = [
            readers.enter_context(
                child_process(
                    __name__,
                    (dict(env), stop, page_size, index, READERS),
                    "the rebuild's reader process",
                )
            )
            for index in range(READERS)
        ]
        for number in range(_page_count(stop, page_size)):
            message = receivers[number % READERS]()
            if isinstance(message, str):
                raise StoreError(message)
            if message is not None:  # None: no events at these positions (gaps)
                yield message


def _page_count(stop: int, page_size: int) -> int:
    return -(-stop // page_size)


def _read(settings: Any, send: Send) -> None:
    from eventsourcing.utils import get_topic

    from tracker.application import Tracker
    from tracker.domain import Report

    env, stop, page_size, index, readers = settings
    app = Tracker({**env, "CREATE_TABLE": "no"})
    recorder: Any = app.recorder  # the tracker's own recorders: select_log_rows
    try:
        # Reports come before the accounts that cite them, so reading the reports of
        # every page up to this one learns every publication date the fold needs.
        published: dict[str, tuple[str, str]] = {}
        for number in range(_page_count(stop, page_size)):
            low, high = number * page_size, min((number + 1) * page_size, stop)
            mine = number % readers == index
            rows = recorder.select_log_rows(
                low, high, () if mine else (get_topic(Report.Registered),)
            )
            if not rows:
                if mine:
                    send(None)
                continue
            try:
                page = page_of_rows(rows, app.mapper)
                learn_publications(page, published)
                if mine:  # developments citing a report not yet published are left to the writer
                    page.fold_new(published, partly=True)
                    page.settle_folded()
            except UnreadableEvent as unreadable:  # a tampered log need not decode
                send(str(unappliable_event(unreadable.position, unreadable.error)))
                return
            except Exception as error:
                send(str(unappliable_events(rows[0][0], rows[-1][0], error)))
                return
            if mine:
                send((page, rows[0][0], rows[-1][0]))
    except BrokenPipeError:
        raise  # the parent stopped
    except Exception as error:
        send(f"the rebuild's reader failed: {error}")
    finally:
        app.close()


if __name__ == "__main__":
    serve(_read)
