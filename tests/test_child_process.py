"""The pipe to a helper process: whatever the helper does, the caller gets one line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tracker.child_process import child_process
from tracker.errors import StoreError


def test_a_helper_that_writes_something_else_is_stopped_and_named() -> None:
    # The standard library's "this" prints the Zen of Python: not a pickled message.
    with (
        pytest.raises(StoreError, match=r"^the helper stopped \(exit code -?\d+\)$"),
        child_process("this", None, "the helper") as receive,
    ):
        receive()


def test_a_helper_that_writes_noise_and_carries_on_is_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "noisy_helper.py").write_text(
        "import sys, time\nsys.stdout.write('not a message\\n')\nsys.stdout.flush()\n"
        "time.sleep(60)\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    started = time.monotonic()
    with (
        pytest.raises(StoreError, match=r"^the helper stopped \(exit code -9\)$"),
        child_process("noisy_helper", None, "the helper") as receive,
    ):
        receive()
    assert time.monotonic() - started < 20  # not the helper's 60 s


def test_a_helper_that_cannot_start_says_why() -> None:
    with (
        pytest.raises(StoreError, match=r"^the helper stopped \(exit code 1: .*No module named"),
        child_process("tracker.no_such_module", None, "the helper") as receive,
    ):
        receive()
