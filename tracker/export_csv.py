"""The CSV export: RFC 4180, one row per development as known at K."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tracker.application import Tracker
from tracker.atomic_write import replacing
from tracker.export_rows import rows

if TYPE_CHECKING:
    from tracker.store import StoreLocation

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
    "source_origins",
    "corroboration",
    "source_grades",
    "notes",
    "first_report_date",
    "latest_report_date",
    "latest_report_id",
    "retracted",
)


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
