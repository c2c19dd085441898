"""Concurrency and faults, done for real with processes: several writers at once, a
SIGKILL in the middle of an import or of a catch-up, a full disk, a read-only file."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest

from tests.conftest import PROJECT, Invoke, exported, ndjson
from tests.raw_appends import append_without_views
from tracker.application import Tracker
from tracker.ndjson_lines import read_records
from tracker.store import StoreLocation

TRACKER = str(Path(sys.executable).parent / "tracker")

WRITER = textwrap.dedent(
    """
    import sys
    from tracker.application import Tracker
    from tracker.store import StoreLocation
    url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    tracker = Tracker.open(StoreLocation.parse(url), existing=True)
    for n in range(count):
        # Every writer also tells of the shared developments: conflicts on purpose.
        development = f"shared-{n % 3}" if n % 2 else f"{name}-{n}"
        tracker.record("call", development, "r1",
                       {"participants": ["trump", "putin"], "duration_min": n})
        print(development, flush=True)
    tracker.close()
    """
)


def environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "TRACKER_STORE"}


def accounts_in_log(store_url: str) -> Counter[str]:
    tracker = Tracker.open(StoreLocation.parse(store_url), existing=True)
    try:
        counts: Counter[str] = Counter()
        # A development's first account names it; later ones only by its aggregate's id.
        names: dict[object, str] = {}
        for notification in tracker.notifications():
            event = tracker.mapper.to_domain_event(notification)
            if type(event).__name__ == "Reported":
                names[event.originator_id] = event.development_id  # type: ignore[attr-defined]
            if type(event).__name__ in ("Reported", "Retold"):
                counts[names.get(event.originator_id, "?")] += 1
        return counts
    finally:
        tracker.close()


def test_several_processes_recording_at_once(small_store: Invoke, store_url: str) -> None:
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, store_url, f"writer{index}", "12"],
            cwd=PROJECT,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(4)
    ]
    succeeded: Counter[str] = Counter({"call-1": 1})  # the small store's own call
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        succeeded.update(out.split())
    assert sum(succeeded.values()) == 1 + 4 * 12
    assert small_store("state").exit_code == 0  # catch the views up
    # Every account a writer reported as recorded is in the log exactly once.
    assert accounts_in_log(store_url) == succeeded
    versions = orjson.loads(small_store("history", "shared-1", "--json").stdout)["entries"]
    assert [entry["version"] for entry in versions] == list(range(1, succeeded["shared-1"] + 1))
    assert small_store("verify").exit_code == 0


def big_import(path: Path, accounts: int) -> None:
    records = [
        {
            "type": "call",
            "id": f"bulk-{n}",
            "report": "r1",
            "participants": ["trump", "putin"],
            "duration_min": n % 300,
        }
        for n in range(accounts)
    ]
    path.write_bytes(ndjson(records))


@pytest.mark.parametrize("delay", [0.4, 1.2, 2.5])
def test_sigkill_in_the_middle_of_an_import_leaves_the_store_as_it_was(
    small_store: Invoke, store_url: str, tmp_path: Path, delay: float
) -> None:
    source = tmp_path / "big.ndjson"
    big_import(source, 20_000)
    before = exported(small_store)
    process = subprocess.Popen(
        [TRACKER, "--store", store_url, "import", str(source), "--base", str(tmp_path)],
        cwd=PROJECT,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    after = exported(small_store)
    # All or nothing: a kill that lands after the commit, before the process ends,
    # finds all of it there, as a finished import does.
    assert after == before or after.count("\n") == before.count("\n") + 20_000
    assert small_store("verify").exit_code == 0


def test_a_catch_up_killed_midway_resumes_without_applying_anything_twice(
    small_store: Invoke, store_url: str, tmp_path: Path
) -> None:
    """The log holds the import; the view is killed while catching up, then resumes."""
    source = tmp_path / "big.ndjson"
    big_import(source, 6_000)
    tracker = Tracker.open(StoreLocation.parse(store_url), existing=True)
    try:
        records = list(read_records(source.open("rb"), str(source), tmp_path))
        # Append without the views: as if the importing process had died right after.
        last = append_without_views(
            tracker,
            "call",
            "r1",
            (
                (
                    record.data["id"],
                    {k: v for k, v in record.data.items() if k not in ("type", "id", "report")},
                )
                for record in records
            ),
        )
    finally:
        tracker.close()
    process = subprocess.Popen(
        [TRACKER, "--store", store_url, "state"],
        cwd=PROJECT,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    tracker = Tracker.open(StoreLocation.parse(store_url), existing=True)
    try:
        deadline = time.monotonic() + 60
        # The views commit a page of 1000 events at a time: kill after the first page.
        while tracker.view.position(tracker.name) <= 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        midway = tracker.view.position(tracker.name)
        assert 4 < midway < last, "the kill did not land during the catch-up"
        assert tracker.catch_up() == last
        kept = tracker.view.dump()
        tracker.rebuild()
        assert tracker.view.dump() == kept
    finally:
        tracker.close()


SQLITE_ONLY = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_a_full_disk_gives_one_line_and_no_partial_write(
    small_store: Invoke, store_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "big.ndjson"
    big_import(source, 5_000)
    before = exported(small_store)
    database = Path(store_url.removeprefix("sqlite:///"))
    limit = database.stat().st_size + 64 * 1024

    def small_disk() -> None:  # files this process writes may not grow past the limit
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [TRACKER, "--store", store_url, "import", str(source), "--base", str(tmp_path)],
        cwd=PROJECT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=small_disk,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "disk" in result.stderr and "Traceback" not in result.stderr
    assert exported(small_store) == before
    assert small_store("verify").exit_code == 0


@SQLITE_ONLY
def test_a_read_only_store_file_gives_one_line_and_no_write(
    small_store: Invoke, store_url: str
) -> None:
    database = Path(store_url.removeprefix("sqlite:///"))
    before = exported(small_store)
    files = [database.parent, *database.parent.glob(database.name + "*")]
    if os.geteuid() == 0:  # root writes through file modes: make the files immutable
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: a read-only file cannot be made")
        made = subprocess.run(["chattr", "+i", *map(str, files)], capture_output=True, check=False)
        if made.returncode != 0:
            pytest.skip(f"chattr +i is not permitted here: {made.stderr.decode().strip()}")
        undo = ["chattr", "-i", *map(str, files)]
    else:
        for path in files:
            path.chmod(0o555 if path.is_dir() else 0o444)
        undo = []
    try:
        result = subprocess.run(
            [TRACKER, "--store", store_url, "actor", "add", "rubio", "--name", "Marco Rubio"],
            cwd=PROJECT,
            env=environment(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        if undo:
            subprocess.run(undo, check=True)
        for path in files:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "read" in result.stderr.lower()  # "readonly database" / "cannot read"
    assert exported(small_store) == before
