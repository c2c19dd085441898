"""The store as it stood when its log ended at a position: ``--position N``.

A cited figure must be reproducible after the log has grown: a late account may
change what "as known at" a past day says, since reports are dated by publication,
not by when they were typed in. So an answer at N is computed exactly as it was when
the log ended at N: the read models of the log's first N events are built from
nothing in a scratch SQLite file (``Tracker.replay_into`` with a stop, as a rebuild
and ``tracker verify``'s fresh rebuild build them), and the same query runs over
them. The views are a function of the log alone (``verify`` checks a store's views
against such a rebuild), so they are the ones the store held then.

The real store is only read: its log up to N (the scratch views read a telling's
account from it, by position) and never its views, which are not even caught up.
The cost is that of a rebuild of N events, in time and in the scratch file's size on
disk (about the store's views at N); memory stays flat, since the replay applies
pages. The scratch folder goes when the tracker is closed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar, cast

from eventsourcing.persistence import Notification
from eventsourcing.sqlite import SQLiteDatastore

from projections.view import TrackerView, TrackerViewBase
from tracker.application import CATCH_UP_PAGE, Tracker
from tracker.errors import StoreError
from tracker.store import StoreLocation

T = TypeVar("T")


class PositionedTracker(Tracker):
    """A tracker whose log ends at ``position`` and whose views are a scratch rebuild
    of it; ``PositionedTracker.open_at(store, position)``. Reading only: it has no
    commands (they would append to the real log), which it refuses."""

    # The library names an application's tables and tracking records after its class
    # unless told: this one reads the store's own.
    name = Tracker.name

    def __init__(self, env: Mapping[str, str], position: int) -> None:
        super().__init__(env)
        last = super().last_position()
        if position > last:
            super().close()
            raise StoreError(
                f"the log ends at position {last}: there is no position {position} to answer at"
            )
        self.position = position
        self._folder = Path(tempfile.mkdtemp(prefix="tracker-position-"))
        self._datastore: SQLiteDatastore | None = None
        try:
            self._datastore, scratch = scratch_view(self._folder, self)
        except BaseException:
            self.close()
            raise
        self.view = cast(TrackerViewBase, scratch)
        self._built = False

    @classmethod
    def open_at(cls, store: StoreLocation, position: int) -> PositionedTracker:
        env = store.application_env()
        env["CREATE_TABLE"] = "no"  # a reading command never creates a store
        return cls(env, position)

    def catch_up(self) -> int:
        """Build the scratch views from the log's first N events, once."""
        if not self._built:
            self.replay_into(self.projection, upto=self.position)
            self._built = True
        return self.position

    def rebuild(self) -> int:
        return self.catch_up()

    def last_position(self) -> int:
        return self.position

    def in_session(self, work: Callable[..., T]) -> T:
        # Every command comes here: none may append to a log read as it stood earlier.
        # (Its work is typed loosely: only Tracker.in_session's module may name the bulk
        # session, see .importlinter.)
        raise StoreError(f"the store at position {self.position} is only read")

    def notification_pages(
        self, start: int = 0, page: int = CATCH_UP_PAGE, stop: int | None = None
    ) -> Iterator[Sequence[Notification]]:
        # Nothing after N is read: not by `log`, nor the NDJSON export, nor a replay.
        if start >= self.position:
            return iter(())
        stop = self.position if stop is None else min(stop, self.position)
        return super().notification_pages(start, page, stop)

    def close(self) -> None:
        try:
            if self._datastore is not None:
                self._datastore.close()
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)
            super().close()


def scratch_view(folder: Path, tracker: Tracker) -> tuple[SQLiteDatastore, TrackerView]:
    """Empty read models in a SQLite file in ``folder`` (its datastore, for the caller
    to close), for a rebuild apart from the store's own: ``--position``'s, and the one
    ``tracker verify`` compares the store's views with. The file has no log: a
    telling's account is read from the tracker's, by position, through its own view
    (which is only read)."""
    datastore = SQLiteDatastore(str(folder / "views.db"))
    try:
        view = TrackerView(datastore)
        view.create_table()
        view.mapper = tracker.mapper
        view.log_reader = tracker.view.read_log_contents
    except BaseException:
        datastore.close()
        raise
    return datastore, view
