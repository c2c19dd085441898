"""A second process that reads and decodes the log for a rebuild.

A rebuild spends about half its time in Python that needs nothing but the log: decoding
each stored event, turning it into view rows, folding the developments first told in a
page. A reader process (see ``tracker.child_process``) does that work on the machine's
other core and sends ready pages, while this process writes the pages before them.

The reader opens the store with its own connection and never writes. It reads up to a
position fixed before it starts: what is appended meanwhile, a catch-up applies after.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from projections.projection import folded_page
from projections.view import Page
from tracker.child_process import Send, child_process, serve
from tracker.errors import StoreError, unappliable_event, unappliable_events

# Below this many events, starting a process (about 0.2 s) costs more than it saves.
PARALLEL_REBUILD_MIN_EVENTS = 20_000

# A decoded page: the view rows of the events at log positions first to last.
ReadPage = tuple[Page, int, int]


def read_pages(env: Mapping[str, str], stop: int, page_size: int) -> Iterator[ReadPage]:
    """The log's events up to ``stop`` as view pages, decoded by a reader process."""
    settings = (dict(env), stop, page_size)
    with child_process(__name__, settings, "the rebuild's reader process") as receive:
        while (message := receive()) is not None:
            if isinstance(message, str):
                raise StoreError(message)
            yield message


def _read(settings: Any, send: Send) -> None:
    from tracker.application import Tracker

    env, stop, page_size = settings
    app = Tracker({**env, "CREATE_TABLE": "no"})
    try:
        # Reports come before the accounts that cite them, so reading from the start
        # learns every publication date the fold needs.
        published: dict[str, tuple[str, str]] = {}
        for notifications in app.notification_pages(page=page_size, stop=stop):
            events = []
            for notification in notifications:
                try:
                    events.append((app.mapper.to_domain_event(notification), notification.id))
                except Exception as error:  # a tampered log need not decode
                    send(str(unappliable_event(notification.id, error)))
                    return
            try:
                page = folded_page(events, published)
            except Exception as error:
                send(str(unappliable_events(events[0][1], events[-1][1], error)))
                return
            send((page, notifications[0].id, notifications[-1].id))
        send(None)
    except BrokenPipeError:
        raise  # the parent stopped
    except Exception as error:
        send(f"the rebuild's reader failed: {error}")
    finally:
        app.close()


if __name__ == "__main__":
    serve(_read)
