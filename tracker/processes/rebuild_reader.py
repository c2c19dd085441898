"""A rebuild's reader process (``tracker.fast.rebuild_readers`` starts it): it opens the
store with its own connection, reads its share of the log up to the position it is
given, and sends the pages of view rows it decodes (through the view's one door to
``projections.raw_rows``) and folds."""

from __future__ import annotations

from typing import Any

from projections.event_rows import learn_publications
from projections.raw_rows import LogRow, UnreadableEvent
from tracker.application import Tracker
from tracker.chunks import batches
from tracker.domain import DEVELOPMENT_EVENTS
from tracker.errors import unappliable_event, unappliable_events
from tracker.fast.child_process import Send, serve
from tracker.fast.rebuild_readers import ReadPage, share_of_ids, whole_developments


class _Stop(Exception):
    """The reader met an event it cannot read, and said so."""


def _read(settings: Any, send: Send) -> None:
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
            read = app.view.rows_page(rows)
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
