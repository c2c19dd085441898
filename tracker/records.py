"""NDJSON records: the import and export format of a store, and their import.

One JSON object per line with a ``type``: ``actor``, ``aliases``, ``report``, a
development type (``call``, ``meeting``, ...), ``retraction`` or ``void``. An export
(tracker.record_export), imported into an empty store, gives the same events in the
same order. The lines are read by tracker.ndjson_lines; a large import is turned into
events by a producer process (tracker.fast.produced_import).
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from tracker.application import Tracker
from tracker.batch import GRADE_RECORD_KEYS, Batch
from tracker.chunks import batches
from tracker.dates import InvalidDate, parse_fuzzy_date
from tracker.errors import InvalidRecord, StoreError, TrackerError
from tracker.fast.produced_import import import_produced
from tracker.kinds import KINDS
from tracker.limits import MAX_LINE_BYTES, MAX_REPORT_BYTES, MIB
from tracker.ndjson_lines import (
    NOT_REGULAR,
    LineSource,
    Progress,
    Record,
    RecordError,
    bounded_lines,
    check_regular_file,
    decode_text,
    open_regular,
    read_records,
)
from tracker.record_export import RECORDED_AT_BYTES, account_record, parse_recorded
from tracker.store import scratch_parent
from tracker.values import Account

if TYPE_CHECKING:
    from tracker.fast.bulk import BulkSession

_DATE_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b")

# Every record may carry ``recorded_at``, the system time of the event it made (export
# writes it): the event keeps it, as it keeps all else, so the chain's head is the same.
RECORD_KEYS: dict[str, frozenset[str]] = {
    "actor": frozenset({"type", "id", "name", "aliases", "role", "recorded_at"}),
    "aliases": frozenset({"type", "actor", "aliases", "recorded_at"}),
    "report": frozenset(
        {"type", "id", "outlet", "published", "title", "url", "text", "path", "note"}
        | {"recorded_at"}
    ),
    "retraction": frozenset({"type", "target", "report", "reason", "quote", "recorded_at"}),
    "void": frozenset({"type", "development", "version", "reason", "recorded_at"}),
    "grade": GRADE_RECORD_KEYS | {"recorded_at"},
}
ACCOUNT_KEYS = frozenset(
    {"type", "id", "report", "quote", "attributed_to", "note", "origin", "recorded_at"}
)


def published_from_header(text: str) -> str | None:
    """The ``date YYYY-MM-DD`` header that the seed reports start with."""
    first_line = text.split("\n", 1)[0]
    match = _DATE_HEADER.match(first_line)
    return match.group(1) if match else None


# Records per chunk of a streaming import: big enough for bulk inserts to pay, small
# enough that a chunk's events and view rows stay a few megabytes.
IMPORT_CHUNK = 5000


# Files at least this large are turned into events by a producer process while this
# one writes (see tracker.fast.producer): below it, starting one costs more than it saves.
PARALLEL_IMPORT_MIN_BYTES = 2 * 1024 * 1024
# How often the copy of standard input looks at the free space left: a system call a MB.
STDIN_SPACE_CHECK_BYTES = MIB


def import_files(
    app: Tracker, names: Sequence[str], base: Path, progress: Progress | None = None
) -> dict[str, int]:
    """Import NDJSON files (``-`` for stdin) in one unit of work: all their records are
    appended, or none. ``progress`` is told of each run of bytes read from files."""
    for name in names:
        if name != "-":
            check_regular_file(name)
    if "-" not in names:
        return _import_files(app, names, base, progress, None)
    # Standard input is copied to a file first, so that a long one is turned into events
    # by the producer process as a file is (a 100,000-account import: 10.8 s read
    # line by line in one process, 8.6 s from a file). The import could not commit
    # before its end anyway.
    try:
        folder = tempfile.TemporaryDirectory(prefix=".tracker-stdin-", dir=scratch_parent(app.env))
    except OSError:
        try:  # a store's folder we may not write in: the temporary folder, then
            folder = tempfile.TemporaryDirectory(prefix="tracker-stdin-")
        except OSError as error:
            raise StoreError(f"cannot make a folder to hold standard input: {error}") from None
    with folder:
        stdin_copy = Path(folder.name) / "stdin.ndjson"
        copy_stdin(sys.stdin.buffer, stdin_copy)
        return _import_files(app, names, base, progress, stdin_copy)


def copy_stdin(stream: LineSource, path: Path) -> None:
    """Copy standard input to ``path`` a line at a time, each within the line limit, and
    never past the free space left beside it: a stream without end would fill the disk
    within seconds, and the import needs at least as much again for its log, so a
    larger input could not be imported anyway."""
    written = checked = 0
    try:
        with path.open("wb") as copy:
            for line in bounded_lines(stream, "<stdin>"):
                copy.write(line)
                written += len(line)
                if written - checked >= STDIN_SPACE_CHECK_BYTES:
                    checked = written
                    free = shutil.disk_usage(path.parent).free
                    if written > free:
                        raise StoreError(
                            f"standard input is too large for the disk ({written // MIB} MB"
                            f" read, {free // MIB} MB left): free some space, or import a file"
                        )
    except OSError as error:
        raise StoreError(f"cannot copy standard input to {str(path)!r}: {error.strerror}") from None


def _import_files(
    app: Tracker,
    names: Sequence[str],
    base: Path,
    progress: Progress | None,
    stdin_copy: Path | None,
) -> dict[str, int]:
    paths = [stdin_copy if name == "-" and stdin_copy else Path(name) for name in names]
    if _total_size(paths) >= PARALLEL_IMPORT_MIN_BYTES:
        with app.filling_empty_store():
            return app.in_session(
                lambda session: import_produced(
                    session, names, base, progress, IMPORT_CHUNK, stdin_copy
                ),
            )
    return import_records(app, records_from_files(names, progress, stdin_copy), base)


def _total_size(paths: Sequence[Path]) -> int:
    try:
        return sum(path.stat().st_size for path in set(paths))
    except OSError:
        return 0  # reading it will say what is wrong


def records_from_files(
    names: Sequence[str], progress: Progress | None = None, stdin_copy: Path | None = None
) -> Iterator[Record]:
    """The records of the files in turn; ``-`` is standard input, read from
    ``stdin_copy`` where it was copied (once: a second ``-`` finds it at its end)."""
    stdin_read = False
    for name in names:
        if name == "-":
            if stdin_copy is None:
                yield from read_records(sys.stdin.buffer, "<stdin>", Path.cwd())
            elif not stdin_read:
                with stdin_copy.open("rb") as stream:
                    yield from read_records(stream, "<stdin>", Path.cwd())
            stdin_read = True
            continue
        path = Path(name)
        try:
            opened = open_regular(path)
        except OSError as error:
            raise InvalidRecord(f"{name}: {error.strerror}") from None
        except ValueError:  # a NUL in the name
            raise InvalidRecord(f"{name!r}: not a file name") from None
        if opened is None:
            raise InvalidRecord(NOT_REGULAR.format(name=name))
        with opened:
            yield from read_records(opened, name, path.parent, progress)


def import_records(app: Tracker, records: Iterable[Record], base: Path) -> dict[str, int]:
    """Apply every record in one unit of work: all of them are appended, or none."""
    return app.in_session(lambda session: apply_records(session, records, base))


def apply_records(
    session: BulkSession, records: Iterable[Record], base: Path, chunk_size: int | None = None
) -> dict[str, int]:
    """The records' commands, a chunk at a time; how many records of each type."""
    counts: dict[str, int] = {}
    for chunk in batches(records, chunk_size or IMPORT_CHUNK):
        batch = session.batch()
        _apply_chunk(batch, chunk, base, counts)
        session.append(batch)
    return counts


def _apply_chunk(
    batch: Batch, records: Sequence[Record], base: Path, counts: dict[str, int]
) -> dict[str, int]:
    batch.prefetch(
        (
            str(record.data["id"])
            for record in records
            if isinstance(record.data.get("id"), str) and _is_kind(record.data.get("type"))
        ),
        # Reports are mostly registered long before they are cited: one query for the
        # chunk's, not one for each (20,000 in a million-account import).
        (record.data["report"] for record in records if isinstance(record.data.get("report"), str)),
    )
    for record in records:
        try:
            made = len(batch.events)
            _apply(batch, record, base)
            if "recorded_at" in record.data:
                batch.stamp(made, parse_recorded(record.data["recorded_at"]))
        except RecordError:
            raise
        except (TrackerError, InvalidDate) as error:
            raise RecordError(record.source, record.line, str(error)) from None
        kind = str(record.data["type"])
        counts[kind] = counts.get(kind, 0) + 1
    return counts


_ALLOWED_KEYS: dict[str, frozenset[str]] = {
    **RECORD_KEYS,
    **{name: ACCOUNT_KEYS | kind.specs.keys() for name, kind in KINDS.items()},
}


def _is_kind(value: Any) -> bool:
    return isinstance(value, str) and value in KINDS


def _apply(batch: Batch, record: Record, base: Path) -> None:
    data = record.data
    kind = data.get("type")
    if not isinstance(kind, str):
        raise InvalidRecord("a record needs a string 'type'")
    allowed = _ALLOWED_KEYS.get(kind)
    if allowed is None:
        registered = KINDS.get(kind)
        if registered is None:
            raise InvalidRecord(f"unknown record type {kind!r}")
        # A type registered after this module's import (by a program that imports the
        # tracker, then registers its own): its keys from now on.
        allowed = _ALLOWED_KEYS[kind] = ACCOUNT_KEYS | registered.specs.keys()
    if not allowed.issuperset(data):
        unknown = sorted(set(data) - allowed)
        raise InvalidRecord(f"unknown field {unknown[0]!r} for a {kind} record")
    if kind == "actor":
        aliases = data.get("aliases") or []
        if not isinstance(aliases, list):
            raise InvalidRecord("'aliases' must be a list of strings")
        batch.add_actor(
            _required(data, "id"), _required(data, "name"), tuple(aliases), _optional(data, "role")
        )
    elif kind == "aliases":
        aliases = data.get("aliases")
        if not isinstance(aliases, list) or not aliases:
            raise InvalidRecord("'aliases' must be a non-empty list of strings")
        batch.add_aliases(_required(data, "actor"), tuple(aliases))
    elif kind == "report":
        _add_report(batch, record, base)
    elif kind == "retraction":
        batch.retract(
            _required(data, "target"),
            _required(data, "report"),
            _required(data, "reason"),
            _optional(data, "quote"),
        )
    elif kind == "void":
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise InvalidRecord("'version' must be a whole number")
        batch.void(_required(data, "development"), version, _required(data, "reason"))
    elif kind == "grade":
        batch.grade_record(data)
    else:
        raw = {
            key: value
            for key, value in data.items()
            if key not in ("type", "id", "report", "recorded_at")
        }
        development_id = _required(data, "id")
        batch.record(kind, development_id, _required(data, "report"), raw)
        if record.size > MEASURED_LINE_BYTES:
            _check_export_line(development_id, kind, batch.events[-1].account)


# An account's export line can be longer than the line it came from: a name becomes an
# id of up to 128 characters (a one-letter name in a list grows 33 times), and defaults
# are written out. A line of up to this many bytes cannot grow past the line limit;
# a longer one is measured, so that what is imported exports a line that imports back.
MEASURED_LINE_BYTES = MAX_LINE_BYTES // 64


def _check_export_line(development_id: str, kind: str, account: Account) -> None:
    size = len(orjson.dumps(account_record(development_id, kind, account))) + RECORDED_AT_BYTES
    if size > MAX_LINE_BYTES:
        raise InvalidRecord(
            f"its export line would be {size:,} bytes (with actor ids and defaults written"
            f" out), more than the {MAX_LINE_BYTES:,} an import reads"
        )


def _required(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecord(f"{key!r} must be a non-empty string")
    return value


def _optional(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidRecord(f"{key!r} must be a string")
    return value


def _add_report(batch: Batch, record: Record, base: Path) -> None:
    data = record.data
    text = _optional(data, "text")
    path_text = _optional(data, "path")
    if text is not None and path_text is not None:
        raise InvalidRecord("give a report's 'text' or its 'path', not both")
    if path_text is not None:
        if Path(path_text).is_absolute():
            raise InvalidRecord(f"report path {path_text!r} must be relative to the NDJSON file")
        text = read_report_text(record.folder / path_text, base)
    published = data.get("published")
    if published is None and text is not None:
        published = published_from_header(text)
    if published is None:
        raise InvalidRecord("a report needs 'published' (its text has no date header)")
    batch.add_report(
        _required(data, "id"),
        outlet=_required(data, "outlet"),
        published=parse_fuzzy_date(published),
        title=_optional(data, "title"),
        url=_optional(data, "url"),
        text=text,
        note=_optional(data, "note"),
    )


def read_report_text(path: Path, base: Path) -> str:
    """A report's text from a file inside ``base``, the folder an import may read."""
    try:
        resolved = path.resolve()
    except (OSError, ValueError) as error:  # a NUL byte in the path, a loop of links
        raise InvalidRecord(f"report path {str(path)!r} cannot be resolved ({error})") from None
    base_resolved = base.resolve()
    if not resolved.is_relative_to(base_resolved):
        raise InvalidRecord(
            f"report path {str(path)!r} is outside {str(base_resolved)!r} (see --base)"
        )
    return read_report_file(resolved, str(path))


def read_report_file(path: Path, shown: str) -> str:
    """A report's text from a regular file, read no further than a report may be long:
    a device such as /dev/zero never ends. ``shown`` names it in errors."""
    try:
        stream = open_regular(path)
        if stream is None:
            raise InvalidRecord(f"cannot read report file {shown!r}: not a regular file")
        with stream:
            data = stream.read(MAX_REPORT_BYTES + 1)
    except OSError as error:
        raise InvalidRecord(f"cannot read report file {shown!r}: {error.strerror}") from None
    if len(data) > MAX_REPORT_BYTES:
        raise InvalidRecord(
            f"report file {shown!r} is too large (a report is at most"
            f" {MAX_REPORT_BYTES / MIB:.1f} MB, so that its export line imports back)"
        )
    return decode_text(data, shown)
