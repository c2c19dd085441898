"""The benchmark of issue 5 runs, so that it cannot rot: a 10,000-account corpus is
generated, imported through the CLI and queried through the harness's own functions.
No timing is asserted, only that every figure is produced and the import is whole."""

from __future__ import annotations

import math
from pathlib import Path

import orjson
import pytest

from bench import measure as harness
from bench.generate import write_corpus
from bench.measure import BenchError, Settings, measure, run, table

SMOKE_SIZE = 10_000


def test_the_corpus_is_deterministic_and_in_a_valid_order(tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "a.ndjson", 3000, seed=7)
    second = write_corpus(tmp_path / "b.ndjson", 3000, seed=7)
    other = write_corpus(tmp_path / "c.ndjson", 3000, seed=8)
    assert (tmp_path / "a.ndjson").read_bytes() == (tmp_path / "b.ndjson").read_bytes()
    assert first.sha256 == second.sha256 != other.sha256
    assert first.accounts == 3000
    assert first.actors == 300

    texts: dict[str, str] = {}
    published: dict[str, tuple[str, str]] = {}  # report id -> earliest, latest day
    first_known: dict[str, str] = {}  # development id -> latest day of its first report
    order = {"actor": 0, "aliases": 0, "report": 1}
    stage = 0
    for line in (tmp_path / "a.ndjson").read_bytes().splitlines():
        record = orjson.loads(line)
        kind = record["type"]
        assert order.get(kind, 2) >= stage, f"{kind} after stage {stage}"
        stage = order.get(kind, 2)
        if kind == "report":
            texts[record["id"]] = record["text"]
            bounds = record["published"].split("/")
            published[record["id"]] = (bounds[0], bounds[-1])
            continue
        if stage < 2:
            continue
        earliest, latest = published[record["report"]]
        development_id = record["target"] if kind == "retraction" else record["id"]
        if kind == "retraction" or development_id in first_known:
            # Retold or retracted by a report certainly no earlier than the first one.
            assert first_known[development_id] <= earliest, record
        else:
            first_known[development_id] = latest
        if "quote" in record:
            assert record["quote"] in texts[record["report"]]
    assert first.retold > 0.2 * first.accounts
    assert first.retractions > 0
    assert first.fuzzy_dates > 0


def test_a_smoke_run_produces_every_figure(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus.ndjson", SMOKE_SIZE)
    assert corpus.accounts == SMOKE_SIZE
    settings = Settings(size=SMOKE_SIZE, runs=1, queries=4, audit_queries=2, startup_repeats=1)

    figures = measure(corpus, tmp_path, settings)

    assert figures.failures == []
    [imported] = figures.imports
    assert imported.counts == corpus.by_type
    assert imported.records == corpus.lines
    assert imported.position > 0
    expected = {
        "import.accounts_per_s",
        "import.floor_ratio",
        "import.peak_rss_mb",
        "floor.accounts_per_s",
        "library_floor.accounts_per_s",
        "import.library_floor_ratio",
        "rebuild.events_per_s",
        "state.inprocess.p50_ms",
        "state.inprocess.p99_ms",
        "state.cli.p50_ms",
        "state.cli.p99_ms",
        "state.cli.peak_rss_mb",
        "history.inprocess.p50_ms",
        "history.cli.p99_ms",
        "changes.inprocess.p50_ms",
        "changes.cli.p99_ms",
        "startup.help_ms",
        "startup.state_ms",
    }
    produced = {figure.name: figure for figure in figures.all()}
    assert expected <= set(produced)
    for figure in produced.values():
        assert len(figure.values) == 1
        assert all(math.isfinite(value) and value > 0 for value in figure.values), figure
        assert orjson.loads(orjson.dumps(figure.to_json()))["figure"] == figure.name
    assert produced["import.accounts_per_s"].status in ("PASS", "MISS")
    assert "import.accounts_per_s" in table(figures.all())


def test_a_command_that_outlives_its_limit_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "process_timeout", 0.5)
    with pytest.raises(BenchError, match="killed after"):
        run(["/bin/sleep", "30"])
    # Not killed when it ends in time: a limit a busy machine cannot miss.
    monkeypatch.setattr(harness, "process_timeout", 60.0)
    assert run(["/bin/true"]).returncode == 0
