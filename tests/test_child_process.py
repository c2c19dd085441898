"""The pipe to a helper process: whatever the helper does, the caller gets one line."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tracker.errors import StoreError
from tracker.fast.child_process import SENT_AHEAD, child_process

HelperModule = Callable[[str, str], None]


@pytest.fixture
def helper_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HelperModule:
    """Write a module that a helper process can be started as, by its name."""
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{Path.cwd()}")

    def write(name: str, source: str) -> None:
        (tmp_path / f"{name}.py").write_text(source)

    return write


def test_a_helper_that_writes_something_else_is_stopped_and_named(
    helper_module: HelperModule,
) -> None:
    # Text whose first byte is no pickle opcode, refused at once. Not just any text:
    # "The Zen of Python" reads as a string of 1.5 GB to come, which the unpickler
    # allocates first, a MemoryError where the machine has less to give.
    helper_module("wordy_helper", "print('not a message')\n")
    with (
        pytest.raises(StoreError, match=r"^the helper stopped \(exit code -?\d+\)$"),
        child_process("wordy_helper", None, "the helper") as receive,
    ):
        receive()


def test_a_helper_that_writes_noise_and_carries_on_is_killed(
    helper_module: HelperModule,
) -> None:
    # Left alone, the helper would sleep its minute out and exit 0: exit code -9 says the
    # caller killed it instead of waiting for it.
    helper_module(
        "noisy_helper",
        "import sys, time\nsys.stdout.write('not a message\\n')\nsys.stdout.flush()\n"
        "time.sleep(60)\n",
    )
    with (
        pytest.raises(StoreError, match=r"^the helper stopped \(exit code -9\)$"),
        child_process("noisy_helper", None, "the helper") as receive,
    ):
        receive()


def test_a_helper_that_cannot_start_says_why() -> None:
    with (
        pytest.raises(StoreError, match=r"^the helper stopped \(exit code 1: .*No module named"),
        child_process("tracker.no_such_module", None, "the helper") as receive,
    ):
        receive()


def test_messages_arrive_whole_when_the_helper_is_stopped_and_resumed(
    helper_module: HelperModule,
) -> None:
    # Ctrl-Z and fg, or a profiler attaching: a write into a full pipe that a stop
    # signal interrupts returns short, and a buffered stream lost the rest of it.
    helper_module(
        "chatty_helper",
        "import os\nfrom tracker.fast.child_process import serve\n"
        "def work(settings, send):\n"
        "    send(os.getpid())\n"
        "    for number in range(settings):\n"
        "        send((number, bytes([number % 256]) * 1_000_000))\n"
        "serve(work)\n",
    )
    messages = 150
    done = threading.Event()
    with child_process("chatty_helper", messages, "the helper") as receive:
        pid = receive()

        def stop_and_resume() -> None:
            while not done.is_set():
                os.kill(pid, signal.SIGSTOP)
                time.sleep(0.005)
                os.kill(pid, signal.SIGCONT)
                time.sleep(0.005)

        pesterer = threading.Thread(target=stop_and_resume)
        pesterer.start()
        try:
            for number in range(messages):
                assert receive() == (number, bytes([number % 256]) * 1_000_000)
        finally:
            done.set()
            pesterer.join()


def test_a_helper_works_a_few_messages_ahead_of_a_busy_caller(
    helper_module: HelperModule, tmp_path: Path
) -> None:
    """While the caller is busy with one message, the helper makes the next ones (a
    pipe holds less than one of these), up to ``SENT_AHEAD`` of them waiting."""
    progress = tmp_path / "progress"
    helper_module(
        "eager_helper",
        "from tracker.fast.child_process import serve\n"
        "def work(settings, send):\n"
        "    path, count = settings\n"
        "    for number in range(count):\n"
        "        send((number, bytes(1_000_000)))\n"
        "        with open(path, 'a') as made:\n"
        "            made.write('.')\n"
        "serve(work, ahead=True)\n",
    )

    def made() -> int:
        # The helper notes a message after sending it: the first may be received first.
        return len(progress.read_text()) if progress.exists() else 0

    with child_process("eager_helper", (str(progress), 20), "the helper") as receive:
        assert receive()[0] == 0
        # A bound for a hang only, generous on a busy machine: reaching the count ends it.
        deadline = time.monotonic() + 60
        # One being written, SENT_AHEAD waiting, and the one sent before.
        expected = SENT_AHEAD + 2
        while made() < expected and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # and no further
        assert made() == expected
        assert [receive()[0] for _ in range(19)] == list(range(1, 20))
        while made() < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert made() == 20
