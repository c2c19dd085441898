"""The view's transactions and the cursor its parts read and write through.

The SQL is written once, with ``?`` placeholders, for both backends: ``Statements``
turns it into the backend's dialect.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import orjson
from eventsourcing.persistence import Mapper, Tracking, TrackingRecorder

from projections.page import dumps
from projections.schema import ACCOUNT_COLUMNS, TABLE_KEYS
from tracker.chunks import IN_LIST, chunks
from tracker.errors import unreadable_account

if TYPE_CHECKING:
    from projections.page import Page
    from projections.raw_rows import LogRow

ROWS_PAGE = 5000


@functools.cache
def log_mapper() -> Mapper[Any]:
    """The mapper that reads the tracker's stored events (it neither encrypts nor
    compresses them)."""
    from tracker.transcoding import construct_mapper

    return construct_mapper()


def limit_clause(limit: int | None) -> str:
    return "" if limit is None else f" LIMIT {int(limit)}"


def decoded_versions(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Version rows as dicts, their JSON ``data`` decoded."""
    decoded = [dict(row) for row in rows]
    for row in decoded:
        row["data"] = orjson.loads(row["data"])
    return decoded


def with_account(telling: dict[str, Any], contents: Mapping[int, dict[str, Any]]) -> dict[str, Any]:
    """A tellings row given what its account or retraction says (``ACCOUNT_COLUMNS``),
    from ``contents`` by its position."""
    content = contents[telling["position"]]
    telling["fields"] = content.get("fields", {})
    for name in ACCOUNT_COLUMNS[1:]:
        telling[name] = content.get(name)
    return telling


class Statements:
    """A backend's cursor seen through one SQL dialect: ``?`` placeholders, rows by name."""

    def __init__(self, cursor: Any, placeholder: str) -> None:
        self.cursor = cursor
        self.placeholder = placeholder

    def _sql(self, statement: str) -> str:
        return statement if self.placeholder == "?" else statement.replace("?", self.placeholder)

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self._sql(statement), params)

    def executemany(self, statement: str, params: Sequence[Sequence[Any]]) -> None:
        if params:
            self.cursor.executemany(self._sql(statement), params)

    def fetchone(self) -> Any:
        return self.cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self.cursor.fetchall())


class ViewTransactions(TrackingRecorder):
    """The view's transactions and its reading cursor, which every part of the view
    (``projections.view``) reads and writes through, and the reads they all share: rows
    of a table in key order, and what the log says at a position.

    Mixed into a backend's tracking recorder, whose ``datastore``, ``_insert_tracking``
    and ``max_tracking_id`` it uses.
    """

    # Whether a rebuild keeps the views' indexes rather than dropping them and building
    # them again at its end. In SQLite other connections go on reading the old views'
    # snapshot: a million random keys inserted into each key index cost 8 s of a
    # rebuild's writing, and sorted once at the end all five took 1.6 s. PostgreSQL's
    # DROP INDEX locks readers out of the old views until the rebuild commits.
    rebuild_keeps_indexes = False

    placeholder = "?"
    statements: type[Statements] = Statements
    tracking_table = "tracking"
    # The store's log, where a telling's account is read (``log_contents``).
    log_table = "stored_events"
    log_position = "rowid"
    datastore: Any
    tracking_table_exists: bool
    table_migration_identifier: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cursor: Statements | None = None
        self.log_reader: Callable[[Sequence[int]], dict[int, dict[str, Any]]] | None = None
        # The application's mapper, which may decompress or decrypt what the log holds
        # (the library takes its settings from the environment); else ``log_mapper``.
        self.mapper: Mapper[Any] | None = None

    if TYPE_CHECKING:  # provided by the backend's tracking recorder

        def _insert_tracking(self, c: Any, tracking: Tracking) -> None: ...

        def create_table(self) -> None: ...

    def _begin(self, cursor: Any) -> None:
        """Prepare a new transaction's cursor (a backend may set its schema)."""

    def _begin_reading(self, cursor: Any) -> None:
        """Prepare a new read-only transaction's cursor."""
        self._begin(cursor)

    def _lock_for_page(self, cursor: Any) -> None:
        """Hold off other processes' pages until this transaction ends (SQLite's
        IMMEDIATE transactions already do)."""

    def batch(self) -> AbstractContextManager[Statements]:
        """Apply many events in one transaction (each still tracked)."""
        return self._own_transaction(commit=True)

    @contextmanager
    def _own_transaction(self, *, commit: bool) -> Iterator[Statements]:
        """The reads and writes inside share one transaction (or the one already open)."""
        if self._cursor is not None:
            yield self._cursor
            return
        with self.datastore.transaction(commit=commit) as cursor:
            if commit:
                self._begin(cursor)
            else:
                self._begin_reading(cursor)
            self._cursor = self.statements(cursor, self.placeholder)
            try:
                yield self._cursor
            finally:
                self._cursor = None

    @contextmanager
    def _reading(self) -> Iterator[Statements]:
        if self._cursor is not None:  # inside a batch: see its own writes
            yield self._cursor
            return
        with self.datastore.transaction(commit=False) as cursor:
            self._begin_reading(cursor)
            yield self.statements(cursor, self.placeholder)

    def snapshot(self) -> AbstractContextManager[Statements]:
        """Run the reads inside in one read transaction: one consistent view (on SQLite),
        and one transaction begun instead of one per read."""
        return self._own_transaction(commit=False)

    def _using(self, index: str) -> str:
        """The clause that makes a query read the named index, where the backend needs
        one: SQLite plans without statistics and may pick a worse index (PostgreSQL
        plans from its statistics, and has no such clause)."""
        return ""

    def read_log_contents(self, positions: Sequence[int]) -> dict[int, dict[str, Any]]:
        """``log_contents`` in a read transaction of its own."""
        with self._reading() as c:
            return self.log_contents(c, positions)

    def rows_page(self, rows: Iterable[LogRow]) -> Page:
        """The view rows of the log's rows (position, originator id, version, topic,
        state), read with the log's mapper: the one door to ``projections.raw_rows``, for
        an import's writer, a rebuild's readers and a telling's account alike. An event
        that cannot be read raises ``raw_rows.UnreadableEvent``."""
        # Imported here: it reads events through the domain's classes, which a query that
        # reads no account does without (see ``tracker.application``).
        from projections.raw_rows import page_of_rows

        return page_of_rows(rows, self.mapper or log_mapper())

    def log_contents(self, c: Statements, positions: Sequence[int]) -> dict[int, dict[str, Any]]:
        """What the accounts and retractions at these log positions say (report, fields,
        quote, attribution, note, reason): the part of a telling that the tellings table
        leaves to the log. Read from the store's log on the view's own cursor, which sees
        what an open import has appended. A view in another store (``tracker verify``'s
        fresh one) is given a reader of the tracker's log instead."""
        if self.log_reader is not None:
            return self.log_reader(positions)
        from projections.raw_rows import UnreadableEvent

        rows: list[LogRow] = []
        for chunk in chunks(sorted(positions), IN_LIST):
            marks = ",".join("?" * len(chunk))
            c.execute(
                f"SELECT {self.log_position} AS position, originator_id, originator_version,"  # noqa: S608
                f" topic, state FROM {self.log_table} WHERE {self.log_position} IN ({marks})",
                chunk,
            )
            rows.extend(
                (
                    row["position"],
                    row["originator_id"],
                    row["originator_version"],
                    row["topic"],
                    row["state"],
                )
                for row in c.fetchall()
            )
        try:
            contents = {position: row for _, _, position, row in self.rows_page(rows).tellings}
        except UnreadableEvent as unreadable:
            raise unreadable_account(unreadable.position, unreadable.error) from None
        for position in positions:
            if position not in contents:
                raise unreadable_account(position, None)
        return contents

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every view table, in key order (small stores: tests, exports)."""
        with self.snapshot():
            return {table: list(self.rows(table)) for table in TABLE_KEYS}

    def rows(
        self,
        table: str,
        page: int | None = None,
        *,
        where: str = "",
        params: Sequence[Any] = (),
        index: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every row of a view table (that meets ``where``) in key order, a page at a
        time (``ROWS_PAGE``), all from one transaction: memory stays flat however large
        the table, on either backend. ``index`` names the index SQLite must read."""
        page = page or ROWS_PAGE
        key = TABLE_KEYS[table]
        order = ", ".join(key)
        source = table + (self._using(index) if index else "")
        after: tuple[Any, ...] = ()
        with self._reading() as c:
            while True:
                conditions = [f"({where})"] if where else []
                if after:
                    conditions.append(f"({order}) > ({','.join('?' * len(key))})")
                clause = f" WHERE {' AND '.join(conditions)}" if conditions else ""
                c.execute(
                    f"SELECT * FROM {source}{clause} ORDER BY {order} LIMIT {int(page)}",  # noqa: S608 - fixed names
                    (*params, *after),
                )
                rows = c.fetchall()
                for row in rows:
                    yield dict(row)
                if len(rows) < page:
                    return
                after = tuple(rows[-1][name] for name in key)

    def tellings_with_accounts(self) -> Iterator[dict[str, Any]]:
        """Every row of the tellings table in key order, each with what its account or
        retraction says (``ACCOUNT_COLUMNS``, the fields as JSON), a page at a time: the
        tellings as an export gives them, whole without the log."""
        rows = self.rows("tellings")
        while page := list(itertools.islice(rows, ROWS_PAGE)):
            contents = self.read_log_contents([telling["position"] for telling in page])
            for telling in page:
                with_account(telling, contents)
                telling["fields"] = dumps(telling["fields"])
                yield telling
