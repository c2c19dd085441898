"""``python -m bench``: generate the corpus, measure every figure of issue 5, print a
table and one JSON line per figure.

    python -m bench --size 10000 --size 100000 --runs 3 --out bench/out
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench.generate import DEFAULT_SEED, DEFAULT_SIZE, write_corpus
from bench.measure import (
    Figure,
    Settings,
    current_commit,
    machine,
    machine_lines,
    measure,
    table,
)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="The tracker's benchmark (issue 5)."
    )
    parser.add_argument(
        "--size",
        type=int,
        action="append",
        help=f"development accounts in the corpus; repeatable (default {DEFAULT_SIZE:,})",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL server")
    parser.add_argument(
        "--out", type=Path, help="keep the corpus, stores and results in DIR (default: a temp dir)"
    )
    parser.add_argument("--json-only", action="store_true", help="print only the JSON lines")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the corpus's seed")
    parser.add_argument(
        "--queries",
        type=int,
        default=100,
        help="state queries per run, in process and as whole processes (100)",
    )
    parser.add_argument(
        "--audit-queries",
        type=int,
        default=30,
        help="history and changes queries per run, in process and as whole processes (30)",
    )
    parser.add_argument(
        "--startup-repeats", type=int, default=10, help="processes per startup figure (10)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds any one measured command may take before it is killed (1800)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the stores (with --out)")
    options = parser.parse_args(argv)
    if options.runs < 1 or options.queries < 1 or options.audit_queries < 1:
        parser.error("--runs, --queries and --audit-queries must be at least 1")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    sizes: list[int] = options.size or [DEFAULT_SIZE]
    folder = options.out or Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    folder = folder.resolve()

    def log(message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def emit(line: dict[str, object]) -> None:
        text = orjson.dumps(line).decode()
        print(text, flush=True)
        if options.out:
            with (folder / "results.jsonl").open("a") as stream:
                stream.write(text + "\n")

    info = machine()
    if not options.json_only:
        print("\n".join(machine_lines(info)), flush=True)
    emit({"machine": info})
    figures: list[Figure] = []
    failures: list[str] = []
    try:
        for size in sizes:
            corpus_path = folder / f"corpus-{size}-{options.seed}.ndjson"
            log(f"generating {size:,} accounts into {corpus_path}")
            corpus = write_corpus(corpus_path, size, options.seed)
            log(
                f"{corpus.lines:,} lines in {corpus.seconds:.1f} s"
                f" ({corpus.lines / corpus.seconds:,.0f} lines/s), sha256 {corpus.sha256[:16]}"
            )
            # Others may commit while a long run goes on: each size names the code it ran.
            commit = current_commit()
            log(f"measuring tracker at commit {commit}")
            described = {k: v for k, v in corpus.to_json().items() if k != "sample_ids"}
            emit({"corpus": described, "commit": commit})
            settings = Settings(
                size=size,
                runs=options.runs,
                queries=options.queries,
                audit_queries=options.audit_queries,
                startup_repeats=options.startup_repeats,
                postgres=options.postgres,
                seed=options.seed,
                keep=options.keep,
                timeout=options.timeout,
            )
            result = measure(corpus, folder, settings, log)
            for figure in result.all():
                emit(figure.to_json())
            for failure in result.failures:
                emit({"failure": failure, "size": size})
            figures.extend(result.all())
            failures.extend(f"{size:,}: {failure}" for failure in result.failures)
            if not options.keep:
                corpus_path.unlink(missing_ok=True)
    finally:
        if options.out is None:
            shutil.rmtree(folder, ignore_errors=True)
    if not options.json_only:
        rendered = table(figures)
        print()
        print(rendered)
        missed = [f"{f.name} ({f.size:,})" for f in figures if f.status == "MISS"]
        print(f"\ntargets missed: {', '.join(missed) if missed else 'none'}")
        for failure in failures:
            print(f"FAILED {failure}")
        if options.out:
            (folder / "results.md").write_text(
                "\n".join([*machine_lines(info), "", rendered, *failures]) + "\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
