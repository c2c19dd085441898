"""State exports for the tools the field already uses (TimelineJS, CSV, SQLite).

Each export is the state as known at K for the world as of D, built from the same
developments as the timeline page (``tracker.timeline_model.development_order``), each
format in its module (``export_csv``, ``export_timelinejs``, ``export_sqlite``; what they
say of a development in ``export_rows``). Files are written whole or not at all, and
never over the store's own files (``tracker.atomic_write``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from tracker.application import Tracker
from tracker.atomic_write import replacing, write_text
from tracker.errors import TrackerError
from tracker.export_csv import write_csv
from tracker.export_sqlite import write_sqlite
from tracker.export_timelinejs import timelinejs

if TYPE_CHECKING:
    from tracker.store import StoreLocation

FORMATS = ("ndjson", "timelinejs", "csv", "sqlite")


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
