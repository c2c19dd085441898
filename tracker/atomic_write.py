"""Files written whole or not at all: into a temporary file beside the target, synced,
then renamed; and never over the store's own files (``StoreLocation.refuse_output``)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import TrackerError

if TYPE_CHECKING:
    from tracker.store import StoreLocation


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
