"""``tracker follow`` keeps the read models up to date from another process, stops
cleanly on Ctrl-C, and resumes from its tracking position."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.conftest import PROJECT, Invoke
from tests.raw_appends import append_without_views
from tracker.application import Tracker
from tracker.store import StoreLocation

TRACKER = os.path.join(os.path.dirname(sys.executable), "tracker")


def append_without_catching_up(store_url: str, development_id: str, minutes: int) -> int:
    """Append one account as a writer that leaves the views to the follower."""
    tracker = Tracker.open(StoreLocation.parse(store_url))
    try:
        fields = {"participants": ["trump", "putin"], "duration_min": minutes}
        return append_without_views(tracker, "call", "r1", [(development_id, fields)])
    finally:
        tracker.close()


def tracked(store_url: str) -> int:
    tracker = Tracker.open(StoreLocation.parse(store_url))
    try:
        return tracker.view.position(tracker.name)
    finally:
        tracker.close()


def wait_for(store_url: str, position: int, seconds: float = 60) -> None:
    """Until the follower's views reach ``position``; the deadline bounds a hang only."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if tracked(store_url) >= position:
            return
        time.sleep(0.1)
    raise AssertionError(f"the follower did not reach position {position}")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_follower(store_url: str, starts_at: int | None = None) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if key != "TRACKER_STORE"}
    process = subprocess.Popen(
        [TRACKER, "--store", store_url, "follow"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell starts a background job with SIGINT ignored, and a child inherits
        # that: the suite run with "&" would send a Ctrl-C the follower never sees.
        preexec_fn=_default_sigint,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first.startswith("following from log position "), first
    if starts_at is not None:
        assert first == f"following from log position {starts_at} (Ctrl-C stops)\n"
    return process


def test_follow_keeps_up_stops_on_ctrl_c_and_resumes(small_store: Invoke, store_url: str) -> None:
    assert tracked(store_url) == 4
    follower = start_follower(store_url)
    try:
        last = append_without_catching_up(store_url, "call-2", 30)
        last = append_without_catching_up(store_url, "call-2", 31)
        wait_for(store_url, last)
    finally:
        follower.send_signal(signal.SIGINT)
        out, err = follower.communicate(timeout=60)
    assert follower.returncode == 0, err
    assert out == f"stopped at log position {last}\n"
    assert "Traceback" not in err

    # Written while nobody follows; a restarted follower picks up from its position.
    last = append_without_catching_up(store_url, "call-3", 45)
    assert tracked(store_url) == last - 1
    follower = start_follower(store_url)
    try:
        wait_for(store_url, last)
    finally:
        follower.send_signal(signal.SIGINT)
        out, err = follower.communicate(timeout=60)
    assert follower.returncode == 0, err
    assert out == f"stopped at log position {last}\n"

    tracker = Tracker.open(StoreLocation.parse(store_url))
    try:
        kept = tracker.view.dump()
        tracker.rebuild()
        assert tracker.view.dump() == kept
    finally:
        tracker.close()


def test_follow_applies_a_backlog_in_bulk_before_it_follows(
    small_store: Invoke, store_url: str
) -> None:
    """The runner applies one event per transaction: a backlog goes first, in pages."""
    append_without_catching_up(store_url, "call-2", 30)
    last = append_without_catching_up(store_url, "call-3", 31)
    assert tracked(store_url) == 4
    follower = start_follower(store_url, starts_at=last)
    follower.send_signal(signal.SIGINT)
    out, err = follower.communicate(timeout=60)
    assert follower.returncode == 0, err
    assert out == f"stopped at log position {last}\n"


def test_follow_on_a_missing_store_fails_cleanly(invoke: Invoke) -> None:
    result = invoke("follow", "--seconds", "0")
    assert result.exit_code == 1
    assert "no tracker store" in result.stderr


def test_follow_for_a_while_then_stop(small_store: Invoke) -> None:
    result = small_store("follow", "--seconds", "0.5")
    assert result.exit_code == 0, result.output
    assert result.stdout == "stopped at log position 4\n"
