"""View rows read from the log's stored rows, most without making domain events.

A rebuild, and the writer of a large import, turn every stored event into view rows.
Decoding an event into the library's event object (with its Account, FuzzyDate and
Weapon values) and then reading the rows off it cost 12.5 us an event at 100,000; the
rows of the common events read straight from the stored JSON (``straight``) cost
4.6 us. Anything the straight reading does not know for certain goes the reference
way: the mapper decodes it and ``PageRows`` (the projection's visitor) makes its rows,
and raises the error a broken event deserves. A topic that names none of the event
classes of ``tracker.event_visitor`` is refused as unreadable, never passed over. The
tests hold the two ways to the same rows.

``page_of_rows`` is the one entry, called by the view alone
(``TrackerViewBase.rows_page``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent

from projections.event_rows import PageRows
from projections.page import Page
from projections.raw_rows.straight import add_straight
from tracker.errors import UnknownEventTopic
from tracker.event_visitor import EVENT_TOPICS


class UnreadableEvent(Exception):
    """A stored event the mapper cannot decode, at its log position."""

    def __init__(self, position: int, error: Exception) -> None:
        super().__init__(position, error)
        self.position = position
        self.error = error


# A stored event as a row of the log: its position, its originator's id as the database
# gives it (hex text in SQLite, a UUID in PostgreSQL), its version, topic and state.
LogRow = tuple[int, Any, int, str, bytes]


def page_of_rows(rows: Iterable[LogRow], mapper: Mapper[Any]) -> Page:
    """The view rows of the log's rows (position, originator id, version, topic, state)
    as they are read: the common events straight from their JSON, with no
    ``Notification`` nor UUID made for them (4.2 against 1.8 us a row), any other
    through the mapper. An event that cannot be read raises ``UnreadableEvent``."""
    page = Page()
    decoded = PageRows(page)
    straight = mapper.cipher is None and mapper.compressor is None
    for position, originator, version, topic, state in rows:
        if straight and add_straight(originator, version, topic, state, page, position):
            continue
        try:
            uuid = originator if type(originator) is UUID else UUID(str(originator))
        except ValueError as error:
            raise UnreadableEvent(position, error) from error
        if topic not in EVENT_TOPICS:
            # Refused as ``tracker.transcoding.TrackerMapper`` refuses it, whatever the
            # mapper: a class no visitor handles has no rows to give.
            event_name = f"event {version} of aggregate {uuid}"
            raise UnreadableEvent(position, UnknownEventTopic(topic, event=event_name))
        stored = StoredEvent(
            originator_id=uuid, originator_version=version, topic=topic, state=state
        )
        try:
            event = mapper.to_domain_event(stored)
        except Exception as error:
            raise UnreadableEvent(position, error) from error
        decoded.position = position
        decoded.visit(event)
    return page
