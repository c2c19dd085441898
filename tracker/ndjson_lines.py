"""Reading NDJSON input: lines read with a bound, each parsed into a record, and the
checks that what is read is a regular file."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import attrs
import orjson

from tracker.errors import InvalidRecord, TrackerError
from tracker.limits import MAX_LINE_BYTES, MIB

Progress = Callable[[int], None]


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


NOT_REGULAR = (
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
        raise InvalidRecord(NOT_REGULAR.format(name=name))
