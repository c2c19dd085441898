"""Processes that read and decode the log for a rebuild.

A rebuild spends most of its time in Python that needs nothing but the log: reading
each stored event's view rows (``projections.stored_rows``) and folding each
development's accounts into its versions. Reader processes (see
``tracker.child_process``) do that work, each for the developments whose ids fall in
its share of the id space, and send pages of finished rows while this process writes
the pages before them.

A reader reads its developments' events together, each one's in order, so it folds
each development once, from all of its tellings (``Page.fold_whole``). The process that
writes then reads nothing back: it appends rows, and SQLite sorts the views' key
indexes once at the end (``TrackerViewBase.loading_whole``). Before their
developments, the readers read the events of the other aggregates (reports, actors)
in log order: each for the reports' publication dates, which its folds need, and the
first also to send them.

A reader opens the store with its own connection and never writes. It reads up to a
position fixed before it starts: what is appended meanwhile, a catch-up applies after.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from typing import Any
from uuid import UUID

from projections.event_rows import learn_publications
from projections.page import Page
from projections.stored_rows import LogRow, UnreadableEvent, page_of_rows
from tracker.child_process import Send, child_process, serve
from tracker.chunks import batches
from tracker.errors import StoreError, unappliable_event, unappliable_events

# Below this many events, starting a process (about 0.2 s) costs more than it saves.
PARALLEL_REBUILD_MIN_EVENTS = 20_000
# Readers, each with its share of the developments: one reader was the slower side of
# a rebuild, and the process that writes waited for it a third of the time.
READERS = 2

# A decoded page: the view rows of events at log positions from first to last (not all
# of those between: a page holds whole developments).
ReadPage = tuple[Page, int, int]


def read_pages(env: Mapping[str, str], stop: int, page_size: int) -> Iterator[ReadPage]:
    """The log's events up to ``stop`` as view pages of about ``page_size`` events,
    decoded and folded by reader processes: the other aggregates' events first, in log
    order, then whole developments in no particular order."""
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


def whole_developments(rows: Iterable[LogRow], size: int) -> Iterator[list[LogRow]]:
    """Rows (each originator's together) in runs of about ``size``, each run ending
    where an originator's rows end."""
    run: list[LogRow] = []
    for row in rows:
        if len(run) >= size and row[1] != run[-1][1]:
            yield run
            run = []
        run.append(row)
    if run:
        yield run


class _Stop(Exception):
    """The reader met an event it cannot read, and said so."""


def _read(settings: Any, send: Send) -> None:
    from tracker.application import Tracker
    from tracker.domain import DEVELOPMENT_EVENTS

    env, stop, page_size, index, readers = settings
    app = Tracker({**env, "CREATE_TABLE": "no"})
    recorder: Any = app.recorder  # the tracker's own recorders: select_rows_*
    # Reports come before anything that cites them, in log order.
    published: dict[str, tuple[str, str]] = {}

    def page(rows: list[LogRow], *, fold: bool) -> ReadPage:
        """The rows' page (folded whole with ``fold``) and their lowest and highest
        positions; an event that cannot be read is reported, and the reader stops."""
        positions = [row[0] for row in rows]
        first, last = min(positions), max(positions)
        try:
            read = page_of_rows(rows, app.mapper)
            if fold:
                read.fold_whole(published)
        except UnreadableEvent as unreadable:  # a tampered log need not decode
            send(str(unappliable_event(unreadable.position, unreadable.error)))
            raise _Stop from None
        except Exception as error:
            send(str(unappliable_events(first, last, error)))
            raise _Stop from None
        return read, first, last

    try:
        for rows in batches(recorder.select_rows_not_of(stop, DEVELOPMENT_EVENTS), page_size):
            others = page(rows, fold=False)
            learn_publications(others[0], published)
            if index == 0:
                send(others)
        low, high = share_of_ids(index, readers)
        developments = recorder.select_rows_by_originator(stop, DEVELOPMENT_EVENTS, low, high)
        for rows in whole_developments(developments, page_size):
            send(page(rows, fold=True))
        send(None)
    except _Stop:
        return
    except BrokenPipeError:
        raise  # the parent stopped
    except Exception as error:
        send(f"the rebuild's reader failed: {error}")
    finally:
        app.close()


if __name__ == "__main__":
    serve(_read, ahead=True)
