"""Processes that read and decode the log for a rebuild.

A rebuild spends most of its time in Python that needs nothing but the log: reading
each stored event's view rows (``projections.raw_rows``) and folding each
development's accounts into its versions. Reader processes (their program is
``tracker.processes.rebuild_reader``, started as ``tracker.fast.child_process`` says)
do that work, each for the developments whose ids fall in its share of the id space, and
send pages of finished rows while this process writes the pages before them.

A reader reads its developments' events together, each one's in order, so it folds
each development once, from all of its tellings (``Page.fold_whole``). The process that
writes then reads nothing back: it appends rows, and SQLite sorts the views' key
indexes once at the end (``TrackerViewBase.loading_whole``). Before their
developments, the readers read the events of the other aggregates (reports, actors)
in log order: each for the reports' publication dates, which its folds need, and the
first also to send them.

A reader opens the store with its own connection and never writes. It reads up to a
position fixed before it starts: what is appended meanwhile, a catch-up applies after.

``read_pages`` is the readers' one entry, called by ``Tracker.replay_into``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from typing import Any, TypeVar
from uuid import UUID

from projections.page import Page
from tracker.errors import StoreError
from tracker.fast.child_process import child_process

# A row of the log as ``projections.raw_rows`` reads it: its originator's id second.
Row = TypeVar("Row", bound=tuple[Any, ...])

# Below this many events, starting a process (about 0.2 s) costs more than it saves.
PARALLEL_REBUILD_MIN_EVENTS = 20_000
# Readers, each with its share of the developments: one reader was the slower side of
# a rebuild, and the process that writes waited for it a third of the time.
READERS = 2

# A decoded page: the view rows of events at log positions from first to last (not all
# of those between: a page holds whole developments).
ReadPage = tuple[Page, int, int]

# The readers' program, named rather than imported: it runs in the reader processes,
# and it opens the store through the application, which imports this module.
READER_MODULE = "tracker.processes.rebuild_reader"


def read_pages(env: Mapping[str, str], stop: int, page_size: int) -> Iterator[ReadPage] | None:
    """The log's events up to ``stop`` as view pages of about ``page_size`` events,
    decoded and folded by reader processes: the other aggregates' events first, in log
    order, then whole developments in no particular order. None for a log too short
    to be worth the processes: the caller applies it itself, in log order."""
    if stop < PARALLEL_REBUILD_MIN_EVENTS:
        return None
    return _pages(env, stop, page_size)


def _pages(env: Mapping[str, str], stop: int, page_size: int) -> Iterator[ReadPage]:
    with ExitStack() as readers:
        receivers = [
            readers.enter_context(
                child_process(
                    READER_MODULE,
                    (dict(env), stop, page_size, index, READERS),
                    "the rebuild's reader process",
                )
            )
            for index in range(READERS)
        ]
        while receivers:  # a page from each reader in turn, until each says it is done
            for receive in list(receivers):
                message = receive()
                if isinstance(message, str):
                    raise StoreError(message)
                if message is None:
                    receivers.remove(receive)
                else:
                    yield message


def share_of_ids(index: int, readers: int) -> tuple[UUID | None, UUID | None]:
    """The ids from which and up to which (either open: None) reader ``index`` of
    ``readers`` folds the developments."""
    low = None if index == 0 else UUID(int=(index << 128) // readers)
    high = None if index == readers - 1 else UUID(int=((index + 1) << 128) // readers)
    return low, high


def whole_developments(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Rows (each originator's together) in runs of about ``size``, each run ending
    where an originator's rows end."""
    run: list[Row] = []
    for row in rows:
        if len(run) >= size and row[1] != run[-1][1]:
            yield run
            run = []
        run.append(row)
    if run:
        yield run
