"""The measurements of issue 5: each a function over a corpus or a store, so that the
command line (``python -m bench``) and the smoke test run the same code.

Whole-process figures run the installed ``tracker`` as a real subprocess and read that
child's own peak resident memory from ``os.wait4``. In-process figures open the store
with ``Tracker.open`` and call ``Queries`` directly. Nothing here knows how the tracker
imports: it measures whatever the code does.
"""

from __future__ import annotations

import gc
import math
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from bench.generate import CorpusStats

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
SEED_AS_OF = "2025-12-28"


class BenchError(Exception):
    """A measurement that could not be taken, or whose result is wrong."""


# -- figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A target from issue 5: ``op`` is ">=" or "<"."""

    op: str
    value: float

    def met(self, figure: float) -> bool:
        return figure >= self.value if self.op == ">=" else figure < self.value

    def __str__(self) -> str:
        return f"{self.op} {_number(self.value)}"


TARGETS: dict[str, Target] = {
    "import.accounts_per_s": Target(">=", 40_000),
    "import.floor_ratio": Target(">=", 0.15),
    "import.peak_rss_mb": Target("<", 500),
    "rebuild.events_per_s": Target(">=", 60_000),
    "state.inprocess.p50_ms": Target("<", 50),
    "state.inprocess.p99_ms": Target("<", 200),
    "state.cli.p50_ms": Target("<", 250),
    "startup.help_ms": Target("<", 200),
    "startup.state_ms": Target("<", 200),
}


@dataclass
class Figure:
    """One figure over all runs: the median is the figure, with min and max beside it."""

    name: str
    unit: str
    size: int
    backend: str = "sqlite"
    values: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def target(self) -> Target | None:
        return TARGETS.get(self.name) if self.backend == "sqlite" else None

    @property
    def status(self) -> str:
        target = self.target
        if target is None or not self.values:
            return ""
        return "PASS" if target.met(self.median) else "MISS"

    def to_json(self) -> dict[str, Any]:
        target = self.target
        return {
            "figure": self.name,
            "size": self.size,
            "backend": self.backend,
            "unit": self.unit,
            "median": _rounded(self.median),
            "min": _rounded(min(self.values)),
            "max": _rounded(max(self.values)),
            "runs": [_rounded(value) for value in self.values],
            "target": str(target) if target else None,
            "status": self.status or None,
            "note": self.note or None,
        }


class Figures:
    """Figures by (backend, name), filled run by run."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.by_key: dict[tuple[str, str], Figure] = {}
        self.imports: list[ImportRun] = []  # each run's import, as checked
        self.failures: list[str] = []  # runs that could not be measured, and why

    def add(
        self, name: str, value: float, unit: str, backend: str = "sqlite", note: str = ""
    ) -> None:
        key = (backend, name)
        if key not in self.by_key:
            self.by_key[key] = Figure(name, unit, self.size, backend, note=note)
        self.by_key[key].values.append(value)

    def all(self) -> list[Figure]:
        return list(self.by_key.values())

    def get(self, name: str, backend: str = "sqlite") -> Figure | None:
        return self.by_key.get((backend, name))


def _rounded(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    digits = max(0, 3 - math.floor(math.log10(abs(value))))
    return round(value, digits)


def _number(value: float) -> str:
    if abs(value) >= 1000 or value == int(value):
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: p99 of 100 values is the 99th smallest."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


# -- the machine -------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """CPU, cores, Python and library versions, and the code measured."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    info: dict[str, Any] = {
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        # Start-up compiles no bytecode either way (see ``compile_bytecode``).
        "dont_write_bytecode": bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }
    from importlib.metadata import PackageNotFoundError, version

    for package in ("eventsourcing", "orjson"):
        try:
            info[package] = version(package)
        except PackageNotFoundError:
            info[package] = "?"
    return info


def current_commit() -> str:
    """The commit of the code measured, marked ``+dirty`` with uncommitted changes."""
    commit = _git("rev-parse", "--short", "HEAD") or "?"
    return commit + ("+dirty" if _git("status", "--porcelain", "--untracked-files=no") else "")


def _git(*args: str) -> str:
    git = shutil.which("git")
    if git is None:
        return ""
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [git, *args], cwd=REPO, capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


# -- subprocesses ------------------------------------------------------------------------


@dataclass
class Process:
    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def tracker_executable() -> str:
    """The installed ``tracker`` beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "tracker"
    if beside.is_file():
        return str(beside)
    found = shutil.which("tracker")
    if found is None:
        raise BenchError("the 'tracker' command is not installed (pip install -e .)")
    return found


# A child's peak RSS from wait4 counts the RSS of the process that forked it (Linux keeps
# the old image's high-water mark across exec), so a measured command is started by a
# small launcher, not by this process, which may hold a whole store's worth of memory.
# The launcher times the command itself, so its own start-up is not counted, and kills
# it when it outlives its time limit (a hung import must not hang the benchmark).
# wait4 gives the largest peak of the command and its helper processes, not their sum:
# a thread samples the whole tree's resident memory every 20 ms, and the larger of the
# two is the command's peak.
LAUNCHER = """
import os, signal, sys, threading, time
expired = []
def expire(signum, frame):
    expired.append(1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
def tree_rss_kb(root):
    total, stack = 0, [root]
    while stack:
        process = stack.pop()
        try:
            with open(f"/proc/{process}/status") as status_file:
                total += next(
                    (int(line.split()[1]) for line in status_file if line.startswith("VmRSS:")), 0
                )
            with open(f"/proc/{process}/task/{process}/children") as children:
                stack.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            pass
    return total
sampled = [0]
finished = threading.Event()
def sample():
    while not finished.wait(0.02):
        sampled[0] = max(sampled[0], tree_rss_kb(pid))
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[3], sys.argv[3:], os.environ)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
signal.signal(signal.SIGALRM, expire)
signal.setitimer(signal.ITIMER_REAL, float(sys.argv[2]))
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
signal.setitimer(signal.ITIMER_REAL, 0)
finished.set()
sampler.join()
with open(sys.argv[1], "w") as out:
    code = os.waitstatus_to_exitcode(status)
    out.write(f"{seconds} {max(usage.ru_maxrss, sampled[0])} {code} {len(expired)}")
"""

# Seconds any one measured command may take; ``measure`` sets it from its settings.
process_timeout = 1800.0


def run(args: Sequence[str], cwd: Path | None = None, check: bool = True) -> Process:
    """Run a command to its end: its wall time, and the peak RSS of it and its helpers."""
    env = {key: value for key, value in os.environ.items() if key != "TRACKER_STORE"}
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".usage") as usage,
    ):
        subprocess.run(  # noqa: S603 - the launcher above, then the command as given
            [sys.executable, "-I", "-S", "-c", LAUNCHER, usage.name, str(process_timeout), *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=err,
            check=True,
        )
        seconds, max_rss_kb, returncode, expired = usage.read().split()
        out.seek(0)
        err.seek(0)
        result = Process(
            float(seconds),
            int(max_rss_kb) / 1024,  # kilobytes on Linux
            int(returncode),
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )
    command = " ".join(args[1:8])
    if expired != "0":
        raise BenchError(f"{command} ... killed after {process_timeout:.0f} s (--timeout)")
    if check and result.returncode != 0:
        raise BenchError(
            f"{command} ... exited {result.returncode}: {result.stderr.strip()[-500:]}"
        )
    return result


def tracker(store_url: str, *args: str, cwd: Path | None = None) -> Process:
    return run([tracker_executable(), "--store", store_url, *args], cwd=cwd)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def postgres_url(base: str, schema: str) -> str:
    """The server URL with its ``schema`` parameter set to ``schema``."""
    parts = urlsplit(base)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "schema"]
    query.append(("schema", schema))
    return urlunsplit(parts._replace(query=urlencode(query)))


def discard_store(url: str) -> None:
    """Remove a benchmark store: its SQLite files, or its PostgreSQL schema."""
    from tracker.store import StoreLocation

    StoreLocation.parse(url).discard()


# -- 1. import, and the read models up to date -----------------------------------------

_IMPORTED = re.compile(r"imported (\d+) records \((.*)\); log position (\d+)")


@dataclass
class ImportRun:
    seconds: float
    max_rss_mb: float
    records: int
    position: int
    counts: dict[str, int]


def import_corpus(corpus: CorpusStats, store_url: str) -> ImportRun:
    """``tracker import`` into a new store, checked against the corpus, then the views
    checked to be at the log's last position."""
    discard_store(store_url)
    process = tracker(store_url, "import", corpus.path, cwd=Path(corpus.path).parent)
    match = _IMPORTED.search(process.stdout)
    if match is None:
        raise BenchError(f"unexpected import output: {process.stdout.strip()[:300]}")
    counts = {
        kind: int(count)
        for count, kind in (part.split(" ", 1) for part in match.group(2).split(", "))
    }
    expected = {kind: count for kind, count in corpus.by_type.items() if count}
    if counts != expected or int(match.group(1)) != corpus.lines:
        raise BenchError(f"import counts {counts} differ from the corpus {expected}")
    position = int(match.group(3))
    check_caught_up(store_url, position)
    return ImportRun(process.seconds, process.max_rss_mb, corpus.lines, position, counts)


def check_caught_up(store_url: str, position: int) -> None:
    """The views' tracking position is the log's last, before anything else reads (a
    reading command would catch up first); then ``tracker log --limit 1`` agrees."""
    app = open_store(store_url)
    try:
        view_position = app.view.position(app.name)
        last = app.last_position()
    finally:
        app.close()
    if not view_position == last == position:
        raise BenchError(
            f"read models not up to date after import: view at {view_position},"
            f" log at {last}, import said {position}"
        )
    entries = orjson.loads(tracker(store_url, "log", "--limit", "1", "--json").stdout)
    if not entries or entries[-1]["position"] != position:
        raise BenchError(f"'tracker log --limit 1' does not end at position {position}")


def open_store(store_url: str) -> Any:
    from tracker.application import Tracker
    from tracker.store import StoreLocation

    return Tracker.open(StoreLocation.parse(store_url), existing=True)


# -- 2. the floor -------------------------------------------------------------------------


@dataclass
class FloorRun:
    write_seconds: float
    read_seconds: float
    records: int

    @property
    def seconds(self) -> float:
        return self.write_seconds + self.read_seconds


def _remove_database(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def _one_table_store(database: Path, create_table: str) -> sqlite3.Connection:
    """A new SQLite file in WAL mode, as the store, with one table and a transaction
    begun: what both floors write into (``_remove_database`` first, outside the
    timing)."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(create_table)
    connection.execute("BEGIN")
    return connection


def floor(corpus: CorpusStats, database: Path) -> FloorRun:
    """The fastest plain Python does the same work: read and decode every NDJSON line,
    orjson-encode it, ``executemany`` into one table in one transaction (WAL, as the
    store), then read every row back and decode it."""
    _remove_database(database)
    loads, dumps = orjson.loads, orjson.dumps
    started = time.perf_counter()
    connection = _one_table_store(
        database,
        "CREATE TABLE records (id INTEGER PRIMARY KEY, type TEXT NOT NULL, data BLOB NOT NULL)",
    )
    try:
        batch: list[tuple[str, bytes]] = []
        count = 0
        with open(corpus.path, "rb") as stream:
            for line in stream:
                record = loads(line)
                batch.append((record["type"], dumps(record)))
                if len(batch) >= 10_000:
                    connection.executemany("INSERT INTO records (type, data) VALUES (?, ?)", batch)
                    count += len(batch)
                    batch = []
        connection.executemany("INSERT INTO records (type, data) VALUES (?, ?)", batch)
        count += len(batch)
        connection.execute("COMMIT")
        written = time.perf_counter()
        read = 0
        for (data,) in connection.execute("SELECT data FROM records ORDER BY id"):
            loads(data)
            read += 1
        finished = time.perf_counter()
    finally:
        connection.close()
    if read != count or count != corpus.lines:
        raise BenchError(f"the floor wrote {count} and read {read} of {corpus.lines} records")
    return FloorRun(written - started, finished - written, count)


def library_floor(corpus: CorpusStats, database: Path) -> float:
    """Seconds for the event-sourcing library's own path to turn the corpus into stored
    events, in one process: each line decoded; the aggregate command a record maps to
    run bare (an actor's or report's registration, a development's first account with
    the record's fields as given; no checks, look-ups, retellings or views: a retelling
    is recorded as another first account, and alias, retraction and void records are
    skipped); the events collected, mapped to stored events by the store's own mapper,
    and inserted with ``executemany`` into one table in one transaction. The import does
    all of this and more, so this bounds it from above on one core."""
    from eventsourcing.persistence import Mapper

    from tracker.dates import parse_fuzzy_date
    from tracker.domain import Actor, Development, Report
    from tracker.fast.collection import THRESHOLDS
    from tracker.transcoding import construct_transcoder
    from tracker.values import Account

    _remove_database(database)
    mapper: Mapper[Any] = Mapper(transcoder=construct_transcoder())
    skipped = {"aliases", "retraction", "void"}
    account_keys = {"type", "id", "report", "quote", "attributed_to", "note"}
    insert = "INSERT INTO events VALUES (?, ?, ?, ?)"
    thresholds = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)  # as the tracker's own processes run
    started = time.perf_counter()
    connection = _one_table_store(
        database,
        "CREATE TABLE events (originator_id TEXT, originator_version INTEGER,"
        " topic TEXT, state BLOB)",
    )
    try:
        rows: list[tuple[str, int, str, bytes]] = []
        written = 0
        with open(corpus.path, "rb") as stream:
            for line in stream:
                record = orjson.loads(line)
                kind = record["type"]
                if kind in skipped:
                    continue
                if kind == "actor":
                    aggregate: Any = Actor.register(
                        record["id"], name=record["name"], aliases=tuple(record["aliases"])
                    )
                elif kind == "report":
                    aggregate = Report.register(
                        record["id"],
                        outlet=record["outlet"],
                        published=parse_fuzzy_date(record["published"]),
                        text=record.get("text"),
                    )
                else:
                    fields = {k: v for k, v in record.items() if k not in account_keys}
                    account = Account.of(record["report"], fields, quote=record.get("quote"))
                    aggregate = Development.report(record["id"], kind, account)
                for event in aggregate.collect_events():
                    stored = mapper.to_stored_event(event)
                    rows.append(
                        (
                            stored.originator_id.hex,
                            stored.originator_version,
                            stored.topic,
                            stored.state,
                        )
                    )
                if len(rows) >= 10_000:
                    connection.executemany(insert, rows)
                    written += len(rows)
                    rows = []
        connection.executemany(insert, rows)
        written += len(rows)
        connection.execute("COMMIT")
        seconds = time.perf_counter() - started
    finally:
        connection.close()
        gc.set_threshold(*thresholds)
    expected = sum(count for kind, count in corpus.by_type.items() if kind not in skipped)
    if written != expected:
        raise BenchError(f"the library floor wrote {written} of {expected} events")
    return seconds


# -- 3. rebuild ---------------------------------------------------------------------------

_REBUILT = re.compile(r"rebuilt to log position (\d+)")


def rebuild(store_url: str) -> tuple[float, int, float]:
    """``tracker rebuild``: seconds, events replayed, peak RSS in MB."""
    process = tracker(store_url, "rebuild")
    match = _REBUILT.search(process.stdout)
    if match is None:
        raise BenchError(f"unexpected rebuild output: {process.stdout.strip()[:300]}")
    return process.seconds, int(match.group(1)), process.max_rss_mb


# -- 4, 5. queries ------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryPlan:
    """The same random arguments for every run: (as of, known at) pairs, development
    ids for ``history`` and (from, to) pairs for ``changes``."""

    state: list[tuple[str, str]]
    history: list[str]
    changes: list[tuple[str, str]]


def query_plan(corpus: CorpusStats, count: int, seed: int) -> QueryPlan:
    rng = random.Random(seed)  # noqa: S311 - reproducible arguments, not secrets
    first = date.fromisoformat(corpus.first_day)
    span = (date.fromisoformat(corpus.last_day) - first).days

    def day(offset: int) -> str:
        return (first + timedelta(days=min(max(offset, 0), span + 30))).isoformat()

    state = []
    for _ in range(count):
        known = rng.randint(0, span + 30)
        state.append((day(known + rng.randint(-180, 30)), day(known)))
    changes = []
    for _ in range(count):
        start = rng.randint(0, span)
        changes.append((day(start), day(start + rng.randint(1, 30))))
    ids = corpus.sample_ids or ["none"]
    history = [ids[rng.randrange(len(ids))] for _ in range(count)]
    return QueryPlan(state, history, changes)


@dataclass
class Latencies:
    seconds: list[float] = field(default_factory=list)
    max_rss_mb: float = 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.seconds, 0.99) * 1000


def in_process(
    store_url: str, plan: QueryPlan, limit: int, audit_limit: int
) -> dict[str, Latencies]:
    """``Queries(...).state``, ``.history`` and ``.changes`` in this process, after one
    untimed warm-up call of each."""
    from projections.queries import Queries

    app = open_store(store_url)
    try:
        queries = Queries(app.view, app.name)
        calls: dict[str, list[partial[Any]]] = {
            "state": [partial(queries.state, d, k) for d, k in plan.state[:limit]],
            # Grades as given by today, as `tracker history` reads them by default.
            "history": [
                partial(queries.history, i, date.today().isoformat())
                for i in plan.history[:audit_limit]
            ],
            "changes": [partial(queries.changes, a, b) for a, b in plan.changes[:audit_limit]],
        }
        results = {}
        for name, functions in calls.items():
            if not functions:
                continue
            try:
                functions[0]()
            except Exception as error:
                raise BenchError(f"{name}{functions[0].args} failed: {error!r}") from error
            timings = Latencies()
            for function in functions:
                started = time.perf_counter()
                try:
                    function()
                except Exception as error:
                    raise BenchError(f"{name}{function.args} failed: {error!r}") from error
                timings.seconds.append(time.perf_counter() - started)
            results[name] = timings
    finally:
        app.close()
    return results


def cli(store_url: str, plan: QueryPlan, limit: int, audit_limit: int) -> dict[str, Latencies]:
    """The same queries, each as a whole ``tracker`` process."""
    commands = {
        "state": [
            ["state", "--as-of", d, "--known-at", k, "--json"] for d, k in plan.state[:limit]
        ],
        "history": [["history", i, "--json"] for i in plan.history[:audit_limit]],
        "changes": [
            ["changes", "--from", a, "--to", b, "--json"] for a, b in plan.changes[:audit_limit]
        ],
    }
    results = {}
    for name, argument_lists in commands.items():
        timings = Latencies()
        if not argument_lists:
            continue
        for arguments in argument_lists:
            process = tracker(store_url, *arguments)
            timings.seconds.append(process.seconds)
            timings.max_rss_mb = max(timings.max_rss_mb, process.max_rss_mb)
        results[name] = timings
    return results


# -- startup ------------------------------------------------------------------------------


def seed_store(folder: Path) -> str:
    """The seed reports imported into a store of the benchmark's own."""
    url = sqlite_url(folder / "seed.db")
    discard_store(url)
    files = [str(FIXTURES / "actors.ndjson"), *sorted(str(p) for p in FIXTURES.glob("0*.ndjson"))]
    tracker(url, "import", *files, cwd=REPO)
    return url


def compile_bytecode() -> None:
    """Compile the tracker's own modules, as installing a package does. An editable
    install compiles them on first use, unless ``PYTHONDONTWRITEBYTECODE`` is set (as on
    the development machine): then every process compiled them again, about 35 ms of
    the state command's start-up, a cost no installed copy pays."""
    import compileall

    for package in ("tracker", "projections"):
        compileall.compile_dir(REPO / package, quiet=1)


def startup(seed_url: str, repeats: int) -> tuple[float, float]:
    """Median wall time in ms of ``tracker --help`` and of ``tracker state`` on the seed
    store, each a whole process."""
    executable = tracker_executable()
    helps = [run([executable, "--help"]).seconds for _ in range(repeats)]
    states = [
        run(
            [
                *(executable, "--store", seed_url, "state"),
                *("--as-of", SEED_AS_OF, "--known-at", SEED_AS_OF),
            ]
        ).seconds
        for _ in range(repeats)
    ]
    return statistics.median(helps) * 1000, statistics.median(states) * 1000


# -- one size, all runs -------------------------------------------------------------------


@dataclass
class Settings:
    size: int
    runs: int = 3
    queries: int = 100  # state, in process and as whole processes
    audit_queries: int = 30  # history and changes, in process and as whole processes
    startup_repeats: int = 10
    postgres: str | None = None
    seed: int = 20220224
    keep: bool = False
    timeout: float = 1800.0  # seconds any one measured command may take


Log = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


def measure(corpus: CorpusStats, folder: Path, settings: Settings, log: Log = _quiet) -> Figures:
    """Every figure of issue 5 for one corpus, over ``settings.runs`` runs. A run that
    fails is recorded in ``figures.failures`` and the next run goes on."""
    global process_timeout
    process_timeout = settings.timeout
    figures = Figures(corpus.size)
    figures.add("generate.lines_per_s", corpus.lines / corpus.seconds, "lines/s", "-")
    plan = query_plan(corpus, max(settings.queries, settings.audit_queries), settings.seed)
    compile_bytecode()  # before any command is timed as a whole process
    seed_url = seed_store(folder)
    for number in range(1, settings.runs + 1):
        url = sqlite_url(folder / f"bench-{corpus.size}.db")
        try:
            measure_run(corpus, folder, settings, plan, seed_url, url, figures, number, log)
        except BenchError as error:
            figures.failures.append(f"sqlite run {number}: {error}")
            log(f"run {number} failed: {error}")
        if settings.postgres:
            try:
                measure_postgres(corpus, plan, settings, figures, number, log)
            except BenchError as error:
                figures.failures.append(f"pg run {number}: {error}")
                log(f"run {number} on PostgreSQL failed: {error}")
        if not settings.keep:
            discard_store(url)
    return figures


def measure_run(
    corpus: CorpusStats,
    folder: Path,
    settings: Settings,
    plan: QueryPlan,
    seed_url: str,
    url: str,
    figures: Figures,
    number: int,
    log: Log = _quiet,
) -> None:
    """One run on SQLite: import, floor, queries, rebuild, start-up."""
    accounts = corpus.accounts
    log(f"run {number}/{settings.runs}: import of {corpus.lines:,} records")
    imported = import_corpus(corpus, url)
    figures.imports.append(imported)
    figures.add("import.accounts_per_s", accounts / imported.seconds, "accounts/s")
    figures.add("import.records_per_s", imported.records / imported.seconds, "records/s")
    figures.add("import.seconds", imported.seconds, "s")
    figures.add("import.peak_rss_mb", imported.max_rss_mb, "MB")

    log(f"run {number}: floor")
    floored = floor(corpus, folder / f"floor-{corpus.size}.db")
    figures.add("floor.accounts_per_s", accounts / floored.seconds, "accounts/s")
    figures.add("floor.write_records_per_s", floored.records / floored.write_seconds, "rec/s")
    figures.add("floor.read_records_per_s", floored.records / floored.read_seconds, "rec/s")
    figures.add("import.floor_ratio", floored.seconds / imported.seconds, "x")
    library_seconds = library_floor(corpus, folder / f"library-floor-{corpus.size}.db")
    figures.add("library_floor.accounts_per_s", accounts / library_seconds, "accounts/s")
    figures.add("import.library_floor_ratio", library_seconds / imported.seconds, "x")

    log(f"run {number}: queries in process")
    timed = in_process(url, plan, settings.queries, settings.audit_queries)
    for name, timings in timed.items():
        figures.add(f"{name}.inprocess.p50_ms", timings.p50_ms, "ms")
        figures.add(f"{name}.inprocess.p99_ms", timings.p99_ms, "ms")

    log(f"run {number}: queries as whole processes")
    for name, timings in cli(url, plan, settings.queries, settings.audit_queries).items():
        figures.add(f"{name}.cli.p50_ms", timings.p50_ms, "ms")
        figures.add(f"{name}.cli.p99_ms", timings.p99_ms, "ms")
        figures.add(f"{name}.cli.peak_rss_mb", timings.max_rss_mb, "MB")

    log(f"run {number}: rebuild")
    seconds, events, rss = rebuild(url)
    figures.add("rebuild.events_per_s", events / seconds, "events/s")
    figures.add("rebuild.peak_rss_mb", rss, "MB")

    log(f"run {number}: startup")
    help_ms, state_ms = startup(seed_url, settings.startup_repeats)
    figures.add("startup.help_ms", help_ms, "ms")
    figures.add("startup.state_ms", state_ms, "ms")


def measure_postgres(
    corpus: CorpusStats,
    plan: QueryPlan,
    settings: Settings,
    figures: Figures,
    number: int,
    log: Log = _quiet,
) -> None:
    """Import and state on PostgreSQL, in a schema of the benchmark's own."""
    assert settings.postgres is not None
    url = postgres_url(settings.postgres, f"bench_{corpus.size}_r{number}")
    log(f"run {number}: PostgreSQL import")
    try:
        imported = import_corpus(corpus, url)
        figures.add("import.accounts_per_s", corpus.accounts / imported.seconds, "accounts/s", "pg")
        figures.add("import.peak_rss_mb", imported.max_rss_mb, "MB", "pg")
        log(f"run {number}: PostgreSQL queries")
        state = in_process(url, plan, settings.queries, 0)["state"]
        figures.add("state.inprocess.p50_ms", state.p50_ms, "ms", "pg")
        figures.add("state.inprocess.p99_ms", state.p99_ms, "ms", "pg")
        state = cli(url, plan, settings.queries, 0)["state"]
        figures.add("state.cli.p50_ms", state.p50_ms, "ms", "pg")
        figures.add("state.cli.p99_ms", state.p99_ms, "ms", "pg")
        figures.add("state.cli.peak_rss_mb", state.max_rss_mb, "MB", "pg")
    finally:
        if not settings.keep:
            discard_store(url)


# -- output -------------------------------------------------------------------------------


def table(figures: Sequence[Figure]) -> str:
    """A Markdown table: the median, min and max of each figure, its target and status."""
    rows = [("size", "backend", "figure", "median", "min", "max", "unit", "target", "")]
    for figure in figures:
        target = figure.target
        rows.append(
            (
                f"{figure.size:,}",
                figure.backend,
                figure.name,
                _number(figure.median),
                _number(min(figure.values)),
                _number(max(figure.values)),
                figure.unit,
                str(target) if target else "",
                figure.status,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {3, 4, 5}

    def line(row: Sequence[str]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "| " + " | ".join(cells) + " |"

    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if i in right else "-" * (w + 2) for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def machine_lines(info: dict[str, Any]) -> list[str]:
    return [
        f"CPU: {info['cpu']} x {info['nproc']} (nproc); load average {info['load_average']}",
        f"Python {info['python']} ({info['implementation']}), SQLite {info['sqlite']},"
        f" eventsourcing {info.get('eventsourcing', '?')}, orjson {info.get('orjson', '?')}",
        f"tracker at commit {info['commit'] or '?'}"
        + (" with uncommitted changes" if info["dirty"] else ""),
    ]
