"""State exports for the tools the field already uses (TimelineJS, CSV, SQLite).

Each export is the state as known at K for the world as of D, built from the same
developments as the timeline page (``tracker.timeline_model.development_order``). Files are
written whole or not at all: into a temporary file beside the target, synced, then
renamed; and never over the store's own files (``StoreLocation.refuse_output``).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from tracker.application import Tracker
from tracker.dates import OPEN_LOWER, OPEN_UPPER
from tracker.errors import TrackerError
from tracker.formatting import Names, date_label, field_text, label, value_text, weapons_text
from tracker.timeline_model import Development, iter_known_developments, known_reports, window

if TYPE_CHECKING:
    from tracker.store import StoreLocation

FORMATS = ("ndjson", "timelinejs", "csv", "sqlite")

CSV_COLUMNS = (
    "event_id",
    "event_date",
    "event_date_latest",
    "date_text",
    "date_precision",
    "event_type",
    "sub_type",
    "actors",
    "location",
    "source_outlets",
    "source_count",
    "notes",
    "first_report_date",
    "latest_report_date",
    "retracted",
)


def write_export(
    tracker: Tracker,
    export_format: str,
    output: Path | None,
    *,
    store: StoreLocation,
    as_of: str,
    known_at: str,
    since: str | None = None,
    max_developments: int | None = None,
) -> None:
    """Write the whole log (ndjson) or the state in another tool's format to ``output``,
    never one of ``store``'s files, or to stdout. ``since`` windows timelinejs and csv
    (see ``tracker.timeline_model.development_order``); a TimelineJS document of more than
    ``max_developments`` raises TimelineTooLarge."""
    if export_format not in FORMATS:
        raise TrackerError(
            f"export format {export_format!r} is not available (expected one of"
            f" {', '.join(FORMATS)})"
        )
    if output is not None:  # before the work, not only when the file is replaced
        store.refuse_output(output)
    if export_format == "ndjson":
        write_ndjson(tracker, output, store=store)
        return
    if export_format == "sqlite":
        if output is None:
            raise TrackerError("--format sqlite needs -o FILE")
        write_sqlite(tracker, output, store=store, as_of=as_of, known_at=known_at)
        return
    if export_format == "csv":
        write_csv(tracker, output, store=store, as_of=as_of, known_at=known_at, since=since)
        return
    document = timelinejs(
        tracker, as_of=as_of, known_at=known_at, since=since, max_developments=max_developments
    )
    text = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    else:
        write_text(output, text, store=store)


# -- writing files whole -----------------------------------------------------------------


@contextmanager
def replacing(path: Path, *, store: StoreLocation) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it when the block ends well, and
    is removed when it does not: an existing file is never left half-written. Every
    file a command writes goes through here, so none can be one of ``store``'s."""
    store.refuse_output(path)
    if path.is_dir():
        raise TrackerError(f"cannot write {path}: it is a folder")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise TrackerError(f"cannot write {path}: {error.strerror or error}") from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _sync(temporary)  # its contents on disk before its name is, or a crash could
        temporary.chmod(0o644)  # leave an empty file where the old one was
        temporary.replace(path)
        _sync_folder(path.parent)
    except OSError as error:
        raise TrackerError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)


def _sync(path: Path) -> None:
    with path.open("rb") as stream:
        os.fsync(stream.fileno())


def _sync_folder(folder: Path) -> None:
    """The rename on disk too; where a folder cannot be opened to sync, the rename
    still happened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def write_text(path: Path, text: str, *, store: StoreLocation) -> Path:
    """Write ``text`` (UTF-8) to ``path`` whole, or raise a one-line TrackerError."""
    with replacing(path, store=store) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="")
    return path.resolve()


# -- NDJSON ------------------------------------------------------------------------------


def write_ndjson(tracker: Tracker, output: Path | None, *, store: StoreLocation) -> None:
    """The whole log as records ``tracker import`` reads back, streamed: to ``output``
    whole, or to stdout."""
    if output is None:
        sys.stdout.flush()
        try:
            _write_records(sys.stdout.buffer, tracker)
        finally:
            sys.stdout.buffer.flush()
        return
    with replacing(output, store=store) as temporary, temporary.open("wb") as stream:
        _write_records(stream, tracker)


def _write_records(stream: Any, tracker: Tracker) -> None:
    from tracker.record_export import export_records

    for item in export_records(tracker):
        stream.write(orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE))


# -- shared descriptions -----------------------------------------------------------------

_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")
_YEAR = re.compile(r"^[0-9]{4}$")
_INSTANT = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})")


def date_precision(development: Development) -> str:
    """day, month, year, range or approximate (EDTF ~ ? %); undated when no account
    dates it."""
    text = development.date_text
    if text is None:
        return "undated"
    if any(mark in text for mark in "~?%"):
        return "approximate"
    if "/" in text or "X" in text:
        return "range"
    if _DAY.match(text) or _INSTANT.match(text):
        return "day"
    if _MONTH.match(text):
        return "month"
    if _YEAR.match(text):
        return "year"
    return "day" if not development.fuzzy else "range"


def actors(development: Development) -> list[str]:
    fields = development.fields
    found: list[str] = []
    for name in ("participants", "initiator", "by", "speaker", "claimant"):
        value = fields.get(name)
        if isinstance(value, list):
            found.extend(str(item) for item in value)
        elif isinstance(value, str):
            found.append(value)
    positions = fields.get("positions")
    if isinstance(positions, dict):
        found.extend(str(party) for party in positions)
    return list(dict.fromkeys(found))


def sub_type(development: Development) -> str:
    fields = development.fields
    if development.kind == "strike":
        weapons = fields.get("weapons")
        return weapons_text(weapons) if isinstance(weapons, list) else ""
    if development.kind == "claim":
        return str(fields.get("subject") or "")
    if development.kind == "statement":
        return ""
    return str(development.status or "")


def location(development: Development) -> str:
    fields = development.fields
    return str(fields.get("place") or fields.get("target") or "")


STANCES = {"neither": "neither asserts nor denies"}


def notes(development: Development, names: Names) -> str:
    """The development in a sentence or two: what the table's other columns leave out."""
    fields = development.fields
    kind = development.kind
    parts: list[str] = []
    if kind == "statement":
        speaker = names.name(str(fields.get("speaker", "")))
        parts.append(f"{speaker}: “{fields.get('quote', '')}”")
    elif kind == "claim":
        claimant = names.name(str(fields.get("claimant", "")))
        stance = STANCES.get(str(fields.get("stance")), str(fields.get("stance", "asserts")))
        parts.append(
            f"{claimant} {stance} {fields.get('subject', '')}: {value_text(fields.get('value'))}"
        )
        if fields.get("participants"):
            parts.append(f"about {names.names(fields['participants'])}")
    elif kind == "issue":
        if fields.get("title"):
            parts.append(str(fields["title"]))
        if fields.get("positions"):
            parts.append(field_text("positions", fields["positions"], names))
    else:
        if fields.get("participants"):
            parts.append(f"participants: {names.names(fields['participants'])}")
        skip = {"participants", "status", "place", "target", "weapons", "occurred", "by"}
        skip.add("planned")
        for name, value in fields.items():
            if name not in skip:
                parts.append(f"{name.replace('_', ' ')}: {field_text(name, value, names)}")
    if development.dated_by == "planned":
        parts.append(f"planned {development.date_text}")
    if development.retracted:
        reasons = [
            f"retracted by {a.report_id} ({a.outlet}): {a.reason or ''}".rstrip(": ")
            for a in development.accounts
            if a.retraction and not a.voided
        ]
        parts.extend(reasons)
    return "; ".join(part for part in parts if part)


def _row(development: Development, names: Names) -> dict[str, Any]:
    undated = development.dated_by == "reported"
    if undated:
        event_date = ""
        # Undated: it had happened by its first report; a plan without a date, unknown.
        latest = "" if development.upcoming else development.first_known
    else:
        event_date = "" if development.lower == OPEN_LOWER else development.lower
        latest = "" if development.upper == OPEN_UPPER else development.upper
    sources = development.sources
    return {
        "event_id": development.id,
        "event_date": event_date,
        "event_date_latest": latest,
        "date_text": development.date_text or "",
        "date_precision": date_precision(development),
        "event_type": development.kind,
        "sub_type": sub_type(development),
        "actors": ";".join(actors(development)),
        "location": location(development),
        "source_outlets": ";".join(development.outlets),
        "source_count": len({account.report_id for account in sources}),
        "notes": notes(development, names),
        "first_report_date": development.first_known,
        "latest_report_date": development.latest_report or "",
        "retracted": 1 if development.retracted else 0,
    }


def rows(
    tracker: Tracker, *, as_of: str, known_at: str, since: str | None = None
) -> Iterator[dict[str, Any]]:
    """One row per development as known at K, relevant on D (the CSV's rows)."""
    names = Names(tracker.view.actors())
    for development in iter_known_developments(tracker, as_of, known_at, since):
        yield _row(development, names)


# -- CSV ---------------------------------------------------------------------------------


def write_csv(
    tracker: Tracker,
    output: Path | None,
    *,
    store: StoreLocation,
    as_of: str,
    known_at: str,
    since: str | None = None,
) -> None:
    """RFC 4180 CSV: a header, CRLF line ends, fields with commas, quotes or line breaks
    quoted; written row by row, to ``output`` whole or to stdout."""
    if output is None:
        sys.stdout.flush()
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            _write_csv_rows(stream, tracker, as_of=as_of, known_at=known_at, since=since)
        finally:
            stream.flush()
            stream.detach()  # stdout stays open for whoever owns it
        return
    with (
        replacing(output, store=store) as temporary,
        temporary.open("w", encoding="utf-8", newline="") as f,
    ):
        _write_csv_rows(f, tracker, as_of=as_of, known_at=known_at, since=since)


def _write_csv_rows(
    stream: TextIO, tracker: Tracker, *, as_of: str, known_at: str, since: str | None
) -> None:
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(tracker, as_of=as_of, known_at=known_at, since=since))


# -- TimelineJS --------------------------------------------------------------------------


def _date_object(text: str) -> dict[str, str] | None:
    """A TimelineJS date (strings, as its spreadsheet template gives them) keeping the
    precision of an ISO day, month, year or local date-time; None for other EDTF."""
    match = _INSTANT.match(text)
    if match:
        year, month, day, hour, minute = match.groups()
        return {
            "year": year,
            "month": str(int(month)),
            "day": str(int(day)),
            "hour": str(int(hour)),
            "minute": str(int(minute)),
        }
    if _DAY.match(text):
        year, month, day = text.split("-")
        return {"year": year, "month": str(int(month)), "day": str(int(day))}
    if _MONTH.match(text):
        year, month = text.split("-")
        return {"year": year, "month": str(int(month))}
    if _YEAR.match(text):
        return {"year": text}
    return None


def _day_object(day: str) -> dict[str, str]:
    year, month, date_of_month = day.split("-")
    return {"year": year, "month": str(int(month)), "day": str(int(date_of_month))}


def _event_dates(development: Development) -> tuple[dict[str, str], dict[str, str] | None]:
    text = development.date_text
    if text is not None and "/" in text:
        start_text, end_text = text.split("/", 1)
        if development.lower == OPEN_LOWER:  # "../2025-10": up to its end
            return _date_object(end_text) or _day_object(development.upper), None
        start = _date_object(start_text) or _day_object(development.lower)
        if development.upper == OPEN_UPPER:  # "2025-10/..": from its start on
            return start, None
        return start, _date_object(end_text) or _day_object(development.upper)
    if text is not None:
        exact = _date_object(text)
        if exact is not None:
            return exact, None
    if development.fuzzy:
        return _day_object(development.lower), _day_object(development.upper)
    return _day_object(development.lower), None


def _body(development: Development, names: Names) -> str:
    """The slide's HTML: every piece of report text escaped."""
    facts = [development.kind, date_label(development)]
    if development.status:
        facts.append(development.status)
    parts = [f"<p><b>{escape(' · '.join(facts))}</b></p>"]
    if development.retracted:
        parts.append("<p><b>Retracted.</b></p>")
    summary = notes(development, names)
    if summary:
        parts.append(f"<p>{escape(summary)}</p>")
    items = []
    for account in development.accounts:
        if account.voided:
            continue
        source = f"{account.outlet} ({account.report_id}, {account.published})"
        if account.retraction:
            items.append(f"<li>Retracted by {escape(source)}: {escape(account.reason or '')}</li>")
            continue
        quote = f": <q>{escape(account.quote)}</q>" if account.quote else ""
        by = f" ({escape(account.attributed_to)})" if account.attributed_to else ""
        items.append(f"<li>{escape(source)}{quote}{by}</li>")
    if items:
        parts.append(f"<p>Sources:</p><ul>{''.join(items)}</ul>")
    return "".join(parts)


def timelinejs(
    tracker: Tracker,
    *,
    as_of: str,
    known_at: str,
    since: str | None = None,
    max_developments: int | None = None,
) -> dict[str, Any]:
    """Knight Lab TimelineJS3 JSON: a title slide and one event per development,
    grouped by type."""
    names = Names(tracker.view.actors())
    developments = window(tracker, as_of, known_at, since, max_developments, "document")
    reports = known_reports(tracker.view.reports(), known_at, since)
    events = []
    for development in developments:
        start, finish = _event_dates(development)
        headline = label(development, names, limit=90)
        if development.retracted:
            headline = f"Retracted: {headline}"
        event: dict[str, Any] = {
            "start_date": start,
            "text": {"headline": escape(headline), "text": _body(development, names)},
            "group": development.kind,
            "unique_id": development.id,
            "display_date": escape(date_label(development)),
            "autolink": False,
        }
        if finish is not None:
            event["end_date"] = finish
        events.append(event)
    return {
        "title": {
            "text": {
                "headline": "Peace process tracker",
                "text": escape(
                    f"As of {as_of}, as known at {known_at}"
                    f"{f', since {since}' if since else ''}: {len(developments)} developments"
                    f" from {len(reports)} reports."
                ),
            }
        },
        "events": events,
    }


# -- SQLite ------------------------------------------------------------------------------

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
    "notes TEXT",
    "first_report_date TEXT NOT NULL",
    "latest_report_date TEXT",
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
                    (_now_row(d, names, columns) for d in developments),
                )
                connection.execute(
                    "CREATE TABLE export_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
                )
                connection.executemany("INSERT INTO export_info VALUES (?, ?)", info.items())
        finally:
            connection.close()
    return output.resolve()


def _now_row(development: Development, names: Names, columns: list[str]) -> tuple[Any, ...]:
    row = _row(development, names)
    row["status"] = development.status
    row["headline"] = label(development, names, limit=120)
    row["fields"] = orjson.dumps(development.fields).decode()
    for key in ("event_date", "event_date_latest", "date_text", "latest_report_date"):
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
