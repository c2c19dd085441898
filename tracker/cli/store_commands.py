"""Commands on a whole store: ``init``, ``import``, ``export``, ``copy``, ``rebuild`` and
``follow``."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from tracker.cli.group import Context, domain_errors, pass_context
from tracker.cli.options import (
    day_option,
    max_developments_option,
    position_option,
    since_option,
)

# Commands import what they need inside them: see tracker/cli/__init__.py on start-up.


@click.command()
@pass_context
def init(context: Context) -> None:
    """Create an empty store (if there is none)."""
    tracker = context.tracker(create=True)
    where = context.location().describe()
    click.echo(f"store ready at {where} (log position {tracker.last_position()})")


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--base",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder report paths may read from (default: the current folder).",
)
@pass_context
def import_(context: Context, files: tuple[str, ...], base: Path | None) -> None:
    """Import NDJSON records from FILES (or - for stdin), all or nothing."""
    from tracker.records import import_files

    tracker = context.tracker(create=True)
    with domain_errors(), _progress_bar(files) as progress:
        counts = import_files(tracker, files, base or Path.cwd(), progress)
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
    click.echo(
        f"imported {sum(counts.values())} records ({summary});"
        f" log position {tracker.last_position()}"
    )


PROGRESS_MIN_BYTES = 1_000_000


@contextmanager
def _progress_bar(files: tuple[str, ...]) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr while long files are read, when stderr is a terminal:
    it is told of each run of bytes read."""
    paths = [Path(name) for name in files if name != "-"]
    size = sum(path.stat().st_size for path in paths if path.is_file())
    if not sys.stderr.isatty() or size < PROGRESS_MIN_BYTES:
        yield None
        return
    label = f"reading {paths[0].name}" if len(files) == 1 else f"reading {len(files)} files"
    with click.progressbar(length=size, label=label, file=sys.stderr) as bar:
        yield bar.update


EXPORT_FORMATS = ("ndjson", "timelinejs", "csv", "sqlite")


@click.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.option(
    "--format",
    "export_format",
    type=click.Choice(EXPORT_FORMATS),
    default="ndjson",
    show_default=True,
    help="ndjson: the whole log, for 'tracker import'; timelinejs, csv: the state as known"
    " at --known-at; sqlite: the read models as a SQLite file (needs -o).",
)
@day_option("--known-at", "For timelinejs and csv: use reports published by then.")
@day_option("--as-of", "For timelinejs and csv: the world on this day.")
@since_option("For timelinejs and csv: leave out what ended before this day (default: everything).")
@max_developments_option(
    "For timelinejs: refuse a document of more developments than this (0: no limit)."
)
@position_option
@pass_context
def export(
    context: Context,
    output: Path | None,
    export_format: str,
    known_at: str,
    as_of: str,
    since: str | None,
    max_developments: int,
) -> None:
    """Export the whole log as NDJSON that 'tracker import' reads back, or the state in
    formats other tools read. A large store's TimelineJS document needs --since."""
    # The log itself needs no definition of its types; the other formats would leave
    # out those no module here registers.
    tracker = context.reading(every_kind=export_format != "ndjson")
    if export_format == "sqlite" and output is None:
        raise click.UsageError("--format sqlite needs -o FILE")
    if since is not None and export_format not in ("timelinejs", "csv"):
        raise click.UsageError("--since is for --format timelinejs and csv")
    from tracker.exports import write_export

    with domain_errors():
        write_export(
            tracker,
            export_format,
            output,
            store=context.location(),
            as_of=as_of,
            known_at=known_at,
            since=since,
            max_developments=max_developments or None,
        )


FOLLOW_WAKE_SECONDS = 0.5


def _finite_seconds(
    ctx: click.Context, param: click.Parameter, value: float | None
) -> float | None:
    # FloatRange lets nan through (it compares false with any bound), and inf never ends.
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number of seconds")
    return value


@click.command()
@click.option(
    "--seconds",
    type=click.FloatRange(min=0),
    callback=_finite_seconds,
    help="Stop after this long (default: until Ctrl-C).",
)
@pass_context
def follow(context: Context, seconds: float | None) -> None:
    """Keep the read models up to date as events are appended, until Ctrl-C.

    Uses the library's ProjectionRunner: LISTEN/NOTIFY on PostgreSQL, polling on SQLite.
    A restart resumes from the tracking position.
    """
    from eventsourcing.projection import ProjectionRunner

    from projections.projection import TrackerProjection
    from tracker.application import Tracker, view_class

    # The store must exist. A backlog is applied first in bulk (pages, or a rebuild for
    # empty views): the runner applies one event per transaction, which at a million
    # events would take hours. The runner then opens its own connections.
    # Its view reads accounts from the log only to refold a development told out of
    # order: with the application's mapper, as the CLI's own view does.
    mapper = context.reading().mapper
    context.close()
    env = context.location().application_env()
    with domain_errors():
        runner = ProjectionRunner(
            application_class=Tracker,
            projection_class=TrackerProjection,
            view_class=view_class(env, mapper),
            env=env,
        )
    # From here on the runner's threads are running: a Ctrl-C anywhere must stop them,
    # or the process would wait for them for ever on its way out.
    try:
        start = runner.view.max_tracking_id(Tracker.name) or 0
        click.echo(f"following from log position {start} (Ctrl-C stops)", err=True)
        deadline = None if seconds is None else time.monotonic() + seconds
        with domain_errors():
            # Short waits, not one long one: a Ctrl-C that the kernel hands to one of the
            # runner's threads only interrupts the main thread when it next wakes (a
            # follower once ignored it for good while blocked in one endless wait).
            while not runner.is_interrupted.is_set():
                remaining = FOLLOW_WAKE_SECONDS if deadline is None else deadline - time.monotonic()
                if remaining <= 0:
                    break
                runner.run_forever(timeout=min(FOLLOW_WAKE_SECONDS, remaining))
    except KeyboardInterrupt:
        pass
    finally:
        runner.stop()
        position = runner.view.max_tracking_id(Tracker.name) or 0
        runner.app.close()
    click.echo(f"stopped at log position {position}")


@click.command("copy")
@click.option("--from", "source_url", required=True, metavar="URL", help="The store to copy.")
@click.option("--to", "destination_url", required=True, metavar="URL", help="A new, empty store.")
def copy_command(source_url: str, destination_url: str) -> None:
    """Copy a whole store to another (SQLite to PostgreSQL and back): the same events in
    the same order, so the same history, state and hash chain."""
    from tracker.copying import copy_store

    source_context, destination_context = Context(source_url), Context(destination_url)
    try:
        source = source_context.reading()
        destination = destination_context.tracker(create=True)
        with domain_errors():
            count = copy_store(source, destination)
    except Exception:
        destination_context.discard_if_created()
        raise
    finally:
        source_context.close()
        destination_context.close()
    where = destination_context.location().describe()
    click.echo(f"copied {count} events to {where}")


@click.command()
@pass_context
def rebuild(context: Context) -> None:
    """Drop the read models and rebuild them from position 0."""
    tracker = context.tracker()
    with domain_errors():
        position = tracker.rebuild()
    click.echo(f"read models rebuilt to log position {position}")


COMMANDS = (init, import_, export, copy_command, rebuild, follow)
