"""A helper process on the machine's other core, and the pipe between the two.

The child is ``python -m MODULE``, started afresh rather than forked: a forked child
would share this process's open database connections, and multiprocessing's spawn would
run the caller's main script again. Its settings go over stdin (they may hold a
password, so not on the command line); its messages come back pickled on stdout, one
at a time, so neither side runs far ahead. A child may let a thread write them, a few
at most behind its work, which then goes on while the parent is busy. Whatever stops
the parent (an error, Ctrl-C, SIGKILL), the child stops too: it is killed, or its next
message finds nobody reading.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from tracker.errors import StoreError
from tracker.fast.collection import collect_less

Send = Callable[[Any], None]


@contextmanager
def child_process(module: str, settings: Any, what: str) -> Iterator[Callable[[], Any]]:
    """Start ``module`` with ``settings``; yields a function that returns its next
    message, and raises StoreError, naming ``what``, if the child stops before
    saying it is done."""
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(  # noqa: S603 - this interpreter, one of our modules
            [sys.executable, "-m", module],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert child.stdin is not None and child.stdout is not None
        stdout = child.stdout

        def receive() -> Any:
            try:
                return pickle.load(stdout)  # noqa: S301 - our own child's messages
            except (EOFError, pickle.UnpicklingError) as error:  # it stopped, or wrote noise
                if isinstance(error, pickle.UnpicklingError):
                    child.kill()  # still running, perhaps: waiting for it could be for ever
                child.wait()
                errors.seek(0)
                lines = errors.read().decode(errors="replace").strip().splitlines()
                detail = f": {lines[-1]}" if lines else ""
                raise StoreError(f"{what} stopped (exit code {child.returncode}{detail})") from None

        try:
            with suppress(BrokenPipeError):  # it stopped at once: receive() says how
                pickle.dump(settings, child.stdin)
            with suppress(BrokenPipeError):
                child.stdin.close()
            yield receive
        finally:
            stdout.close()
            if child.poll() is None:
                child.kill()
            child.wait()


# Messages a child that sends ahead may have made and not yet written. The pipe holds
# a few kilobytes: a page of a rebuild is 2 MB, and a reader that waited for each to be
# read before starting the next one waited while the parent wrote the other reader's
# page (a rebuild's readers kept 1.6 of two cores busy instead of 1.85).
SENT_AHEAD = 2


def _write(out: int, data: memoryview) -> None:
    # Straight to the pipe, each short write carried on from where it stopped: a stop
    # signal (Ctrl-Z, a profiler attaching) cuts short a write into a full pipe, and a
    # buffered stream then lost part of a message.
    while data:
        data = data[os.write(out, data) :]


def _pickled(message: Any) -> memoryview:
    return memoryview(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


class _SenderAhead:
    """Sends a child's messages from a thread of its own, in order."""

    def __init__(self, out: int) -> None:
        self.out = out
        self.waiting: queue.Queue[memoryview | None] = queue.Queue(maxsize=SENT_AHEAD)
        self.failed: OSError | None = None
        self.thread = threading.Thread(target=self._write_all, daemon=True)
        self.thread.start()

    def __call__(self, message: Any) -> None:
        if self.failed is not None:
            raise BrokenPipeError(str(self.failed))
        self.waiting.put(_pickled(message))

    def _write_all(self) -> None:
        while (data := self.waiting.get()) is not None:
            if self.failed is not None:
                continue  # dropped: nobody is reading
            try:
                _write(self.out, data)
            except OSError as error:
                self.failed = error

    def close(self) -> None:
        """Once every message made is written (or the pipe has failed)."""
        self.waiting.put(None)
        self.thread.join()


def serve(work: Callable[[Any, Send], None], *, ahead: bool = False) -> None:
    """The child's side: read the settings, and let ``work`` send its messages; with
    ``ahead``, from a thread, while ``work`` goes on (see ``SENT_AHEAD``)."""
    collect_less()
    settings = pickle.load(sys.stdin.buffer)  # noqa: S301 - from our own parent
    sys.stdout.flush()
    out = sys.stdout.fileno()
    if not ahead:
        with suppress(BrokenPipeError):  # the parent stopped: nobody is reading
            work(settings, lambda message: _write(out, _pickled(message)))
        return
    sender = _SenderAhead(out)
    try:
        with suppress(BrokenPipeError):
            work(settings, sender)
    finally:
        sender.close()
