"""The SQLite export: the read models as one file, with the developments as known at K."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from projections.grades import Grades
from tracker.application import Tracker
from tracker.atomic_write import replacing
from tracker.export_rows import export_row
from tracker.formatting import Names, label
from tracker.timeline_model import Development, iter_known_developments

if TYPE_CHECKING:
    from tracker.store import StoreLocation

NOW_COLUMNS = (
    "event_id TEXT PRIMARY KEY",
    "event_date TEXT",
    "event_date_latest TEXT",
    "date_text TEXT",
    "date_precision TEXT NOT NULL",
    "event_type TEXT NOT NULL",
    "sub_type TEXT",
    "actors TEXT",
    "location TEXT",
    "source_outlets TEXT",
    "source_count INTEGER NOT NULL",
    "source_origins TEXT",
    "corroboration INTEGER NOT NULL",
    "source_grades TEXT",
    "notes TEXT",
    "first_report_date TEXT NOT NULL",
    "latest_report_date TEXT",
    "latest_report_id TEXT",
    "retracted INTEGER NOT NULL",
    "status TEXT",
    "headline TEXT NOT NULL",
    "fields TEXT NOT NULL",
)


def write_sqlite(
    tracker: Tracker, output: Path, *, store: StoreLocation, as_of: str, known_at: str
) -> Path:
    """The read models as one SQLite file, plus ``developments_now`` (the CSV's rows as
    known at K) and ``export_info``."""
    from projections.view import ACCOUNT_COLUMNS, SCHEMA, VIEW_TABLES

    names = Names(tracker.view.actors())
    grades = Grades(tracker.view.grades_by(known_at))
    developments = iter_known_developments(tracker, as_of, known_at)
    info = {
        "as_of": as_of,
        "known_at": known_at,
        "log_position": str(tracker.view.position(tracker.name)),
        "exported_by": "tracker export --format sqlite",
    }
    with replacing(output, store=store) as temporary, tracker.view.snapshot():
        connection = sqlite3.connect(temporary)
        try:
            with connection:
                for statement in SCHEMA:
                    connection.execute(statement)
                # The store reads its tellings' accounts from its log; the file has none.
                for column in ACCOUNT_COLUMNS:
                    connection.execute(f"ALTER TABLE tellings ADD COLUMN {column} TEXT")
                for table in VIEW_TABLES:
                    rows = (
                        tracker.view.tellings_with_accounts()
                        if table == "tellings"
                        else tracker.view.rows(table)
                    )
                    _copy(connection, table, rows)
                connection.execute(f"CREATE TABLE developments_now ({', '.join(NOW_COLUMNS)})")
                columns = [column.split()[0] for column in NOW_COLUMNS]
                marks = ",".join("?" * len(columns))
                connection.executemany(
                    f"INSERT INTO developments_now VALUES ({marks})",  # noqa: S608
                    (_now_row(d, names, grades, columns) for d in developments),
                )
                connection.execute(
                    "CREATE TABLE export_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
                )
                connection.executemany("INSERT INTO export_info VALUES (?, ?)", info.items())
        finally:
            connection.close()
    return output.resolve()


def _now_row(
    development: Development, names: Names, grades: Grades, columns: list[str]
) -> tuple[Any, ...]:
    row = export_row(development, names, grades)
    row["status"] = development.status
    row["headline"] = label(development, names, limit=120)
    row["fields"] = orjson.dumps(development.fields).decode()
    for key in (
        "event_date",
        "event_date_latest",
        "date_text",
        "latest_report_date",
        "latest_report_id",
    ):
        if row[key] == "":
            row[key] = None
    return tuple(row[column] for column in columns)


def _copy(connection: sqlite3.Connection, table: str, records: Iterator[dict[str, Any]]) -> None:
    """A view table's rows, streamed: at a million accounts they do not fit in memory."""
    first = next(records, None)
    if first is None:
        return
    columns = list(first)
    quoted = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join("?" * len(columns))
    connection.executemany(
        f"INSERT INTO {table} ({quoted}) VALUES ({marks})",  # noqa: S608 - view's own names
        (
            tuple(_plain(record[column]) for column in columns)
            for record in itertools.chain([first], records)
        ),
    )


def _plain(value: Any) -> Any:
    """A value as SQLite stores it (PostgreSQL rows may carry other types)."""
    if value is None or isinstance(value, int | float | str | bytes):
        return value
    return str(value)
