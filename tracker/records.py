"""NDJSON records: the import and export format of a store.

One JSON object per line with a ``type``: ``actor``, ``aliases``, ``report``, a
development type (``call``, ``meeting``, ...), ``retraction`` or ``void``. An export,
imported into an empty store, gives the same events in the same order.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

import attrs
import orjson
from eventsourcing.persistence import StoredEvent

from tracker.application import Tracker
from tracker.batch import Batch
from tracker.bulk import BulkSession, in_bulk_session
from tracker.child_process import child_process
from tracker.chunks import batches
from tracker.dates import InvalidDate, parse_fuzzy_date
from tracker.domain import Actor, Development, Report
from tracker.errors import InvalidRecord, StoreError, TrackerError
from tracker.event_visitor import EventVisitor
from tracker.kinds import KINDS, plain_value
from tracker.limits import MAX_LINE_BYTES, MAX_REPORT_BYTES, MIB
from tracker.recorders import KEEP_JOURNAL_MODE
from tracker.values import Account

T = TypeVar("T")
Progress = Callable[[int], None]
_DATE_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b")

RECORD_KEYS: dict[str, frozenset[str]] = {
    "actor": frozenset({"type", "id", "name", "aliases", "role"}),
    "aliases": frozenset({"type", "actor", "aliases"}),
    "report": frozenset(
        {"type", "id", "outlet", "published", "title", "url", "text", "path", "note"}
    ),
    "retraction": frozenset({"type", "target", "report", "reason", "quote"}),
    "void": frozenset({"type", "development", "version", "reason"}),
}
ACCOUNT_KEYS = frozenset({"type", "id", "report", "quote", "attributed_to", "note"})


@attrs.frozen
class RecordError(TrackerError):
    """A bad record, with the place it came from."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@attrs.frozen
class Record:
    source: str
    line: int
    folder: Path
    data: dict[str, Any]
    size: int = 0  # the line's bytes


def published_from_header(text: str) -> str | None:
    """The ``date YYYY-MM-DD`` header that the seed reports start with."""
    first_line = text.split("\n", 1)[0]
    match = _DATE_HEADER.match(first_line)
    return match.group(1) if match else None


def decode_text(data: bytes, source: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidRecord(f"{source} is not UTF-8 (bad byte at offset {error.start})") from None
    if "\x00" in text:
        raise InvalidRecord(f"{source} contains a NUL character")
    return text


# Digit runs too long for a 64-bit integer, where orjson would quietly read a float.
_LONG_INTEGER = re.compile(rb"(?<![\w.])-?[0-9]{19,}(?![0-9.eE])")
# The regular expression costs 4 us a line; a run of 19 digits, looked for in C, rules
# most lines out first.
_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_NINETEEN_DIGITS = b"0" * 19


class LineSource(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def bounded_lines(stream: LineSource, source: str) -> Iterator[bytes]:
    """The lines of a stream, each read with a bound: a line longer than the limit is
    refused once the limit is read, never held whole, so memory stays bounded however
    long the line."""
    number = 0
    while line := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(line) > MAX_LINE_BYTES:
            raise RecordError(source, number, f"the line is longer than {MAX_LINE_BYTES // MIB} MB")
        yield line


def read_records(
    stream: LineSource, source: str, folder: Path, progress: Progress | None = None
) -> Iterator[Record]:
    """Records from an NDJSON stream; ``folder`` anchors report paths, and ``progress``
    is told of each line's bytes."""
    for number, raw in enumerate(bounded_lines(stream, source), start=1):
        if progress is not None:
            progress(len(raw))
        try:
            data = parse_line(raw)
        except InvalidRecord as error:
            raise RecordError(source, number, str(error)) from None
        if data is not None:
            yield Record(source, number, folder, data, len(raw))


def parse_line(raw: bytes) -> dict[str, Any] | None:
    """One NDJSON line (read by ``bounded_lines``) as a record, or None for a blank line."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InvalidRecord("the file starts with a byte order mark (BOM): save it as plain UTF-8")
    line = decode_text(raw, "the line")
    if not line.strip():
        return None
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise InvalidRecord(f"malformed JSON ({error})") from None
    if not isinstance(data, dict):
        raise InvalidRecord("a record must be a JSON object")
    if (
        _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_ZEROS)
        and _LONG_INTEGER.search(raw)
        and _has_huge_integer(json.loads(line))
    ):
        raise InvalidRecord("an integer does not fit in 64 bits")
    if b"\\u0000" in raw and _has_nul(data):
        raise InvalidRecord("text may not contain NUL characters")
    return data


def _has_huge_integer(value: Any) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return not -(2**63) <= value < 2**64
    if isinstance(value, dict):
        return any(_has_huge_integer(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_huge_integer(item) for item in value)
    return False


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


# Records per chunk of a streaming import: big enough for bulk inserts to pay, small
# enough that a chunk's events and view rows stay a few megabytes.
IMPORT_CHUNK = 5000


# Files at least this large are turned into events by a producer process while this
# one writes (see tracker.import_producer): below it, starting one costs more than it saves.
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
            return in_bulk_session(
                app, lambda session: import_produced(session, names, base, progress, stdin_copy)
            )
    return import_records(app, records_from_files(names, progress, stdin_copy), base)


def _total_size(paths: Sequence[Path]) -> int:
    try:
        return sum(path.stat().st_size for path in set(paths))
    except OSError:
        return 0  # reading it will say what is wrong


# The producer's own module, named rather than imported: it runs in the producer
# process, and it applies records with this module's functions.
PRODUCER_MODULE = "tracker.import_producer"


def import_produced(
    session: BulkSession,
    names: Sequence[str],
    base: Path,
    progress: Progress | None,
    stdin_copy: Path | None = None,
) -> dict[str, int]:
    """Import the files (``-``: standard input, copied to ``stdin_copy``) through a
    producer process, into the session's transaction."""
    app = session.app
    env = {**app.env, KEEP_JOURNAL_MODE: "yes"}
    # This process owns the scratch folder: it is removed however the producer ends,
    # even when this process stops it.
    with tempfile.TemporaryDirectory(prefix=".tracker-import-", dir=scratch_parent(env)) as folder:
        settings = {
            "env": env,
            "names": list(names),
            "stdin_copy": stdin_copy,
            "base": base,
            "position": session.position,
            "chunk": IMPORT_CHUNK,
            "cached": session.cached_aggregates,
            "scratch": Path(folder) / "scratch.db",
        }
        return _write_produced(session, settings, progress)


def _write_produced(
    session: BulkSession, settings: dict[str, Any], progress: Progress | None
) -> dict[str, int]:
    with child_process(PRODUCER_MODULE, settings, "the import's producer process") as receive:
        while True:
            message = receive()
            if message[0] == "chunk":
                _, rows, read = message
                session.append_produced([StoredEvent(*row) for row in rows])
                if progress is not None:
                    progress(read)
            elif message[0] == "done":
                counts: dict[str, int] = message[1]
                return counts
            else:
                raise message[1]  # the error the producer met, as it was raised there


def scratch_parent(env: Mapping[str, str]) -> str | None:
    """Beside a SQLite store, which is on a disk with room for the log it grows by;
    the temporary folder may be memory (tmpfs), and the scratch file is about as large."""
    store = env.get("SQLITE_DBNAME")
    if store and Path(store).parent.is_dir():
        return str(Path(store).parent)
    return None


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
        check_regular_file(name)
        try:
            opened = open_regular(path)
        except OSError as error:
            raise InvalidRecord(f"{name}: {error.strerror}") from None
        if opened is None:  # swapped for something else since it was checked
            raise InvalidRecord(_NOT_REGULAR.format(name=name))
        with opened:
            yield from read_records(opened, name, path.parent, progress)


_NOT_REGULAR = (
    "{name}: not a regular file (a folder, device or pipe): give a file, or - to read"
    " standard input"
)


def open_regular(path: Path) -> BinaryIO | None:
    """The file open for reading, or None when it is not a regular file. Opened without
    waiting: opening a pipe would wait for a writer, perhaps for ever."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        regular = stat.S_ISREG(os.fstat(descriptor).st_mode)
    except OSError:
        os.close(descriptor)
        raise
    if not regular:
        os.close(descriptor)
        return None
    return os.fdopen(descriptor, "rb")


def check_regular_file(name: str) -> None:
    """Refuse what is not a regular file before opening it: a device such as /dev/zero
    never ends, and opening a pipe waits for a writer."""
    try:
        mode = os.stat(name).st_mode
    except OSError as error:
        raise InvalidRecord(f"{name}: {error.strerror}") from None
    except ValueError:  # a NUL in the name
        raise InvalidRecord(f"{name!r}: not a file name") from None
    if not stat.S_ISREG(mode):
        raise InvalidRecord(_NOT_REGULAR.format(name=name))


def import_records(app: Tracker, records: Iterable[Record], base: Path) -> dict[str, int]:
    """Apply every record in one unit of work: all of them are appended, or none."""
    return in_bulk_session(app, lambda session: apply_records(session, records, base))


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
            _apply(batch, record, base)
        except RecordError:
            raise
        except (TrackerError, InvalidDate) as error:
            raise RecordError(record.source, record.line, str(error)) from None
        kind = str(record.data["type"])
        counts[kind] = counts.get(kind, 0) + 1
    return counts


_ALLOWED_KEYS: dict[str, frozenset[str]] = {
    **RECORD_KEYS,
    **{kind: ACCOUNT_KEYS | {spec.name for spec in specs} for kind, specs in KINDS.items()},
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
        raise InvalidRecord(f"unknown record type {kind!r}")
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
    else:
        raw = {key: value for key, value in data.items() if key not in ("type", "id", "report")}
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
    size = len(orjson.dumps(_account_record(development_id, kind, account))) + 1
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


def export_records(app: Tracker) -> Iterator[dict[str, Any]]:
    """The log in append order, as records that ``import_records`` reads back."""
    records = _ExportRecords()
    for notification in app.notifications():
        yield records.visit(app.mapper.to_domain_event(notification))


class _ExportRecords(EventVisitor[dict[str, Any]]):
    """The record of each event, in log order: a later event of an actor or development
    names it by the id its first event gave."""

    def __init__(self) -> None:
        self.developments: dict[Any, tuple[str, str]] = {}
        self.actors: dict[Any, str] = {}

    def actor_registered(self, event: Actor.Registered) -> dict[str, Any]:
        self.actors[event.originator_id] = event.actor_id
        return _without_none(
            {
                "type": "actor",
                "id": event.actor_id,
                "name": event.name,
                "aliases": list(event.aliases),
                "role": event.role,
            }
        )

    def aliases_added(self, event: Actor.AliasesAdded) -> dict[str, Any]:
        return {
            "type": "aliases",
            "actor": self.actors[event.originator_id],
            "aliases": list(event.aliases),
        }

    def report_registered(self, event: Report.Registered) -> dict[str, Any]:
        return _without_none(
            {
                "type": "report",
                "id": event.report_id,
                "outlet": event.outlet,
                "published": event.published.text,
                "title": event.title,
                "url": event.url,
                "text": event.text,
                "note": event.note,
            }
        )

    def development_reported(self, event: Development.Reported) -> dict[str, Any]:
        self.developments[event.originator_id] = (event.development_id, event.kind)
        return _account_record(event.development_id, event.kind, event.account)

    def development_retold(self, event: Development.Retold) -> dict[str, Any]:
        development_id, kind = self.developments[event.originator_id]
        return _account_record(development_id, kind, event.account)

    def development_retracted(self, event: Development.Retracted) -> dict[str, Any]:
        return _without_none(
            {
                "type": "retraction",
                "target": self.developments[event.originator_id][0],
                "report": event.report_id,
                "reason": event.reason,
                "quote": event.quote,
            }
        )

    def development_voided(self, event: Development.Voided) -> dict[str, Any]:
        return {
            "type": "void",
            "development": self.developments[event.originator_id][0],
            "version": event.voided_version,
            "reason": event.reason,
        }


def _account_record(development_id: str, kind: str, account: Account) -> dict[str, Any]:
    record: dict[str, Any] = {"type": kind, "id": development_id, "report": account.report_id}
    record.update({name: plain_value(value) for name, value in account.fields.items()})
    return _without_none(
        {
            **record,
            "quote": account.quote,
            "attributed_to": account.attributed_to,
            "note": account.note,
        }
    )


def _without_none(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value is not None}
