"""The ``tracker`` command line: a thin shell over the application.

Reading commands print aligned text, or JSON with ``--json``; errors are one line on
stderr with exit 1 for bad data and 2 for bad usage, and leave the store unchanged.
"""

from __future__ import annotations

import math
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tracker.cli.guards import refuse_text_not_utf8, stopping_cleanly
from tracker.kinds import KINDS, FieldSpec
from tracker.store import DEFAULT_STORE_URL

if TYPE_CHECKING:
    from tracker.application import Tracker
    from tracker.store import StoreLocation

F = TypeVar("F", bound=Callable[..., Any])


def emit_json(value: Any) -> None:
    from tracker.presenters import json_bytes

    sys.stdout.buffer.write(json_bytes(value))
    sys.stdout.flush()


@contextmanager
def domain_errors() -> Iterator[None]:
    """Tracker and store errors become one clear line and exit 1."""
    from eventsourcing.persistence import PersistenceError

    from tracker.errors import TrackerError

    try:
        yield
    except TrackerError as error:
        raise click.ClickException(str(error)) from None
    except (PersistenceError, sqlite3.Error, OSError) as error:
        text = _store_error_text(error)
        if "disk" in text or "full" in text:
            text += " (is the disk full, or the file too large to grow?)"
        raise click.ClickException(f"store error: {text}") from None


def _store_error_text(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    cause = error.__cause__
    if cause is not None and str(cause) and str(cause) not in text:
        text = f"{text} ({cause})"
    return text.splitlines()[0]


class Context:
    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self._tracker: Tracker | None = None
        self._created: StoreLocation | None = None

    def tracker(self, *, create: bool = False) -> Tracker:
        """Open the store; reading commands never create one."""
        if self._tracker is None:
            from tracker.application import Tracker
            from tracker.errors import StoreNotFound
            from tracker.store import StoreLocation

            with domain_errors():
                location = StoreLocation.parse(self.store_url)
                exists = location.exists()
                if not create and not exists:
                    raise StoreNotFound(
                        f"no tracker store at {location.describe()} (run 'tracker init' or"
                        " 'tracker import' first, or pass --store)"
                    )
                if not exists and location.prepare():
                    self._created = location
                self._tracker = Tracker.open(location, existing=exists)
        return self._tracker

    def location(self) -> StoreLocation:
        from tracker.store import StoreLocation

        with domain_errors():
            return StoreLocation.parse(self.store_url)

    def close(self) -> None:
        if self._tracker is not None:
            self._tracker.close()
            self._tracker = None

    def discard_if_created(self) -> None:
        """A command that failed leaves no store where there was none."""
        if self._created is None:
            return
        if self._tracker is not None:
            if self._tracker.last_position() != 0:
                return
            self._tracker.close()
            self._tracker = None
        self._created.discard()
        self._created = None

    def reading(self) -> Tracker:
        tracker = self.tracker()
        with domain_errors():
            tracker.catch_up()
        return tracker


pass_context = click.make_pass_decorator(Context)


def day_option(name: str, help_text: str) -> Callable[[F], F]:
    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
        return date.today().isoformat() if value is None else _day(None, value)

    return click.option(name, callback=convert, metavar="DATE", help=help_text)


def since_option(help_text: str) -> Callable[[F], F]:
    """``--since DATE``: None when not given (a window with no start)."""

    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        return None if value is None else _day(None, value)

    return click.option("--since", callback=convert, metavar="DATE", help=help_text)


# A page or document of more developments than this is too large to show: the whole
# timeline of 100,000 accounts was 191 MB of HTML, and a million's would not fit in memory.
MAX_DEVELOPMENTS = 10_000


# The largest whole number an option takes: what the stores' 64-bit integers hold; a
# larger one must be a usage error here, not a database error deep inside a query.
MAX_WHOLE_NUMBER = 2**63 - 1


def whole_number(minimum: int) -> click.IntRange:
    return click.IntRange(min=minimum, max=MAX_WHOLE_NUMBER)


def count_option(flag: str, default: int, help_text: str) -> Callable[[F], F]:
    """An option taking a whole number from 0, its default shown in ``--help``."""
    return click.option(
        flag, type=whole_number(0), default=default, show_default=True, help=help_text
    )


def max_developments_option(help_text: str) -> Callable[[F], F]:
    return count_option("--max-developments", MAX_DEVELOPMENTS, help_text)


def time_options(function: F) -> F:
    function = click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)
    function = day_option("--known-at", "Use only reports published by then (default: today).")(
        function
    )
    function = day_option("--as-of", "The state of the world on this day (default: today).")(
        function
    )
    return function


MAX_ERROR_CHARS = 2000


def one_line(message: str) -> str:
    """An error as one readable line, however odd the names and values inside it."""
    from tracker.presenters import printable

    line = printable(message.replace("\r\n", "\n").replace("\n", " \\n "))
    if len(line) > MAX_ERROR_CHARS:
        line = line[: MAX_ERROR_CHARS - 3] + "..."
    return line


class TrackerGroup(click.Group):
    """Errors as one line on stderr: exit 1 for bad data, 2 for bad usage."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BaseException:  # stopped by Ctrl-C or SIGTERM too: see guards.stopping_cleanly
            if isinstance(ctx.obj, Context):
                ctx.obj.discard_if_created()
            raise

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        from tracker.collection import collect_less
        from tracker.errors import TrackerError

        collect_less()
        try:
            with stopping_cleanly():
                refuse_text_not_utf8(self, sys.argv[1:] if args is None else list(args))
                result = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as error:
            hint = ""
            if error.ctx is not None:
                hint = f" (see '{error.ctx.command_path} --help')"
            click.echo(f"Error: {one_line(error.format_message())}{hint}", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"Error: {one_line(error.format_message())}", err=True)
            sys.exit(error.exit_code)
        except TrackerError as error:  # from a command that reads without domain_errors
            click.echo(f"Error: {one_line(str(error))}", err=True)
            sys.exit(1)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=TrackerGroup)
@click.option(
    "--store",
    envvar="TRACKER_STORE",
    default=DEFAULT_STORE_URL,
    show_default=True,
    help="sqlite:///FILE (relative), sqlite:////ABS/FILE, or postgresql://...",
)
@click.version_option(package_name="tracker", message="tracker %(version)s")
@click.pass_context
def main(ctx: click.Context, store: str) -> None:
    """Track a peace process report by report: calls, meetings, plans, strikes,
    statements and claims, as of any date and as known at any date."""
    ctx.obj = Context(store)
    ctx.call_on_close(ctx.obj.close)


@main.command()
@pass_context
def init(context: Context) -> None:
    """Create an empty store (if there is none)."""
    tracker = context.tracker(create=True)
    where = context.location().describe()
    click.echo(f"store ready at {where} (log position {tracker.last_position()})")


# -- reports and actors ------------------------------------------------------------------


@main.group()
def report() -> None:
    """Reports: the sources of every development."""


@report.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--id", "report_id", help="Report id (default: the file's name without suffix).")
@click.option("--outlet", required=True, help="The outlet or agency.")
@click.option("--published", help="EDTF publication date (default: the file's ' date' header).")
@click.option("--url")
@click.option("--title")
@click.option("--note")
@click.option("--text", "inline_text", help="The report's text, instead of a FILE.")
@pass_context
def report_add(
    context: Context,
    file: Path | None,
    report_id: str | None,
    outlet: str,
    published: str | None,
    url: str | None,
    title: str | None,
    note: str | None,
    inline_text: str | None,
) -> None:
    """Register a report, with its text from FILE or --text."""
    from tracker.dates import parse_fuzzy_date
    from tracker.errors import InvalidRecord
    from tracker.records import published_from_header, read_report_file

    if (file is None) == (inline_text is None):
        raise click.UsageError("give the report's text as FILE or --text, not both or neither")
    if report_id is None:
        if file is None:
            raise click.UsageError("--id is needed with --text")
        report_id = file.stem
    with domain_errors():
        if file is not None:
            text = read_report_file(file, str(file))
        else:
            assert inline_text is not None
            text = inline_text
        published = published or published_from_header(text)
        if published is None:
            raise InvalidRecord(
                f"{file or 'the text'} has no ' date YYYY-MM-DD' header: give --published"
            )
        tracker = context.tracker(create=True)
        tracker.add_report(
            report_id,
            outlet=outlet,
            published=parse_fuzzy_date(published),
            title=title,
            url=url,
            text=text,
            note=note,
        )
    click.echo(f"report {report_id} added (published {published})")


@report.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def report_list(context: Context, as_json: bool) -> None:
    """List the reports in publication order."""
    from tracker.presenters import table

    reports = context.reading().view.reports()
    if as_json:
        emit_json(reports)
        return
    click.echo(
        table(
            [(r["id"], r["published"], r["outlet"], r["title"]) for r in reports],
            ("id", "published", "outlet", "title"),
        )
    )


@main.group()
def actor() -> None:
    """Actors: people, governments and parties, with their aliases."""


@actor.command("add")
@click.argument("actor_id")
@click.option("--name", required=True, help="Display name.")
@click.option("--alias", "aliases", multiple=True, help="Another spelling (repeatable).")
@click.option("--role")
@pass_context
def actor_add(
    context: Context, actor_id: str, name: str, aliases: tuple[str, ...], role: str | None
) -> None:
    """Register an actor."""
    with domain_errors():
        context.tracker(create=True).add_actor(actor_id, name, aliases, role)
    click.echo(f"actor {actor_id} added")


@actor.command("alias")
@click.argument("actor_name")
@click.argument("aliases", nargs=-1, required=True)
@pass_context
def actor_alias(context: Context, actor_name: str, aliases: tuple[str, ...]) -> None:
    """Add spellings to an actor."""
    with domain_errors():
        context.reading().add_aliases(actor_name, aliases)
    click.echo(f"aliases added to {actor_name}")


@actor.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def actor_list(context: Context, as_json: bool) -> None:
    """List the actors with their aliases."""
    from tracker.presenters import table

    actors = context.reading().view.actors()
    if as_json:
        emit_json(actors)
        return
    click.echo(
        table(
            [(a["id"], a["name"], a["role"], a["aliases"]) for a in actors],
            ("id", "name", "role", "aliases"),
        )
    )


# -- recording ---------------------------------------------------------------------------


@main.group()
def record() -> None:
    """Record what one report says about one development."""


def _field_option(spec: FieldSpec) -> Callable[[F], F]:
    help_text = spec.help
    if spec.required:
        help_text = (help_text + " " if help_text else "") + "[required for a new development]"
    if spec.shape == "actors":
        return click.option(spec.option, metavar="ACTOR,...", help=help_text)
    if spec.shape == "int":
        return click.option(spec.option, type=click.IntRange(min=0), help=help_text)
    if spec.shape == "percent":
        return click.option(spec.option, type=click.FloatRange(0, 100), help=help_text)
    if spec.shape == "choice":
        return click.option(spec.option, type=click.Choice(spec.choices), help=help_text)
    if spec.shape in ("texts", "weapons", "positions"):
        metavar = {"texts": "TEXT", "weapons": "NAME[:COUNT]", "positions": "PARTY=TEXT"}[
            spec.shape
        ]
        return click.option(
            spec.option, multiple=True, metavar=metavar, help=help_text + " (repeatable)"
        )
    if spec.shape == "date":
        return click.option(spec.option, metavar="EDTF", help=help_text)
    return click.option(spec.option, help=help_text)


def _raw_value(spec: FieldSpec, value: Any) -> Any:
    """CLI option text in the shape the importer reads."""
    if spec.shape == "actors":
        return [part.strip() for part in value.split(",") if part.strip()]
    if spec.shape == "texts":
        return list(value)
    if spec.shape == "weapons":
        weapons = []
        for item in value:
            name, _, count = item.rpartition(":") if ":" in item else (item, "", "")
            if count and not count.isdigit():
                raise click.BadParameter(
                    f"{item!r}: COUNT must be a whole number", param_hint="--weapons"
                )
            weapons.append({"name": name, "count": int(count) if count else None})
        return weapons
    if spec.shape == "positions":
        positions = {}
        for item in value:
            party, sep, text = item.partition("=")
            if not sep:
                raise click.BadParameter(f"{item!r}: use PARTY=TEXT", param_hint="--positions")
            positions[party.strip()] = text
        return positions
    if spec.shape == "json":
        import orjson

        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _record_command(kind: str, specs: tuple[FieldSpec, ...]) -> click.Command:
    def run(context: Context, development_id: str, report_id: str, **options: Any) -> None:
        tracker = context.reading()
        raw: dict[str, Any] = {}
        for key in ("quote", "attributed_to", "note"):
            if options.get(key) is not None:
                raw[key] = options.pop(key)
        for spec in specs:
            value = options.get(spec.name)
            if value is None or value == ():
                continue
            raw[spec.name] = _raw_value(spec, value)
        if tracker.view.development_kind(development_id) is None:
            for spec in specs:
                if spec.required and spec.name not in raw:
                    if not sys.stdin.isatty():
                        raise click.UsageError(f"a new {kind} needs {spec.option}")
                    raw[spec.name] = _raw_value(spec, click.prompt(spec.name.replace("_", " ")))
        with domain_errors():
            version = tracker.record(kind, development_id, report_id, raw)
        verb = "recorded" if version == 1 else f"account {version} recorded"
        click.echo(f"{kind} {development_id} {verb} (log position {tracker.last_position()})")

    params_function: Callable[..., None] = pass_context(run)
    for spec in reversed(specs):
        if spec.name == "quote":
            continue
        params_function = _field_option(spec)(params_function)
    params_function = click.option("--note", help="The analyst's note.")(params_function)
    params_function = click.option(
        "--attributed-to", help='Who said it, e.g. "Yuri Ushakov via TASS".'
    )(params_function)
    quote_help = "The words, verbatim from the report." + (
        " [required]" if kind == "statement" else ""
    )
    params_function = click.option("--quote", help=quote_help)(params_function)
    params_function = click.option("--report", "report_id", required=True, help="Report id.")(
        params_function
    )
    params_function = click.option("--id", "development_id", required=True, help="Development id.")(
        params_function
    )
    return click.command(kind, help=f"Record an account of a {kind}.")(params_function)


for _kind, _specs in KINDS.items():
    record.add_command(_record_command(_kind, _specs))


@main.command()
@click.argument("development_id")
@click.option("--report", "report_id", required=True, help="The report that retracts it.")
@click.option("--reason", required=True)
@click.option("--quote")
@pass_context
def retract(
    context: Context, development_id: str, report_id: str, reason: str, quote: str | None
) -> None:
    """A report says a development did not happen (from its publication on)."""
    tracker = context.reading()
    with domain_errors():
        tracker.retract(development_id, report_id, reason, quote)
    click.echo(f"{development_id} retracted by {report_id}")


@main.command()
@click.argument("position", type=whole_number(1))
@click.option("--reason", required=True)
@pass_context
def void(context: Context, position: int, reason: str) -> None:
    """Void one account (a data-entry error) by its log position."""
    tracker = context.reading()
    with domain_errors():
        development_id, version = tracker.void(position, reason)
    click.echo(f"voided account {version} of {development_id} (log position {position})")


# -- import and export -------------------------------------------------------------------


@main.command("import")
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


@main.command()
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
    tracker = context.reading()
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


# -- reading -----------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=whole_number(1), help="Only the last N entries.")
@pass_context
def log(context: Context, as_json: bool, limit: int | None) -> None:
    """The log in append order, with positions, types and system times."""
    from tracker.log_entries import log_entries
    from tracker.presenters import table

    tracker = context.reading()
    with domain_errors():
        start = max(0, tracker.last_position() - limit) if limit else 0
        entries = list(log_entries(tracker, start))
    if as_json:
        emit_json(entries)
        return
    click.echo(
        table(
            [
                (e["position"], e["recorded_at"], e["event"], e["subject"], e["summary"])
                for e in entries
            ],
            ("pos", "recorded at (UTC)", "event", "subject", "summary"),
        )
    )


def _queries(tracker: Tracker) -> Any:
    from projections.queries import Queries

    return Queries(tracker.view, tracker.name)


@main.command()
@time_options
@since_option("Start of the strike window (default: 30 days before --as-of).")
@pass_context
def state(context: Context, as_of: str, known_at: str, as_json: bool, since: str | None) -> None:
    """The state of the process as of a day, as known at a day.

    Counts are exact; each list holds the latest 20 items (the soonest next meetings)
    and says how many more there are: 'tracker strikes' shows the latest 100 (--limit),
    'calls', 'plans', 'issues' and 'meetings' list everything."""
    from tracker.presenters import render_state

    tracker = context.reading()
    result = _queries(tracker).state(as_of, known_at, since)
    if as_json:
        emit_json(result)
    else:
        click.echo(render_state(result))


# A list command shows this many by default: at a million accounts there are hundreds
# of thousands of strikes, and listing them all takes seconds and a gigabyte.
LIST_LIMIT = 100


def list_limit_option(help_text: str) -> Callable[[F], F]:
    return count_option("--limit", LIST_LIMIT, help_text)


limit_option = list_limit_option("Show the latest N (0 shows all).")


@main.command()
@time_options
@list_limit_option(
    "Show the N most recently active sets, each with its latest N calls (0 shows all)."
)
@pass_context
def calls(context: Context, as_of: str, known_at: str, as_json: bool, limit: int) -> None:
    """Calls per participant set: recorded and claimed."""
    from tracker.presenters import call_table

    total, groups = _queries(context.reading()).call_groups_window(as_of, known_at, limit or None)
    if as_json:
        emit_list("calls", as_of, known_at, total, groups, limit)
        return
    lines = [call_table(groups)]
    if (left_out := total - len(groups)) > 0:
        sets = "set" if left_out == 1 else "sets"
        lines.append(f"… and {left_out:,} more {sets} (--limit 0 shows all)")
    click.echo("\n".join(lines))


@main.command()
@time_options
@limit_option
@pass_context
def meetings(context: Context, as_of: str, known_at: str, as_json: bool, limit: int) -> None:
    """Meetings known at the date, with their status, by when they happened or are
    planned, and what is next."""
    from tracker.presenters import field_text

    queries = _queries(context.reading())
    with queries.view.snapshot():  # the list and what is next from the same view
        total, found = queries.meetings_window(as_of, known_at, limit or None)
        next_total, upcoming = queries.upcoming_window(as_of, known_at, limit or None)
    if as_json:
        emit_json(
            {
                "as_of": as_of,
                "known_at": known_at,
                "meetings": found,
                "meetings_total": total,
                "next": upcoming,
                "next_total": next_total,
                "list_limit": limit or None,
            }
        )
        return
    echo_table(
        [
            (
                m["id"],
                m.get("participants"),
                m.get("status"),
                field_text("planned", m.get("planned")),
                field_text("occurred", m.get("occurred")),
                m.get("place"),
            )
            for m in found
        ],
        ("id", "participants", "status", "planned", "occurred", "place"),
        total,
        latest_first=False,
    )


@main.command()
@time_options
@pass_context
def plans(context: Context, as_of: str, known_at: str, as_json: bool) -> None:
    """Peace plans with their current label, readiness and status."""
    from tracker.presenters import table

    found = _queries(context.reading()).plans(as_of, known_at)
    if as_json:
        emit_json({"as_of": as_of, "known_at": known_at, "plans": found})
        return
    click.echo(
        table(
            [(p.id, p.label, p.points, p.readiness_pct, p.status, p.revisions) for p in found],
            ("id", "label", "points", "ready %", "status", "revisions"),
        )
    )


@main.command()
@time_options
@pass_context
def issues(context: Context, as_of: str, known_at: str, as_json: bool) -> None:
    """Issues under negotiation, with each party's position."""
    from tracker.presenters import issue_blocks

    found = _queries(context.reading()).issues(as_of, known_at)
    if as_json:
        emit_json({"as_of": as_of, "known_at": known_at, "issues": found})
        return
    click.echo("\n".join(issue_blocks(found)))


def emit_list(
    name: str, as_of: str, known_at: str, total: int, found: list[Any], limit: int
) -> None:
    emit_json(
        {
            "as_of": as_of,
            "known_at": known_at,
            name: found,
            f"{name}_total": total,
            "list_limit": limit or None,
        }
    )


def echo_table(
    rows: list[tuple[Any, ...]], headers: tuple[str, ...], total: int, *, latest_first: bool
) -> None:
    """A list's table; where it was cut, a line that says how many were left out: after
    the table when it runs newest first, before it when oldest first (they came earlier)."""
    from tracker.presenters import more_text, table

    lines = [table(rows, headers)]
    if total > len(rows):
        if latest_first:
            lines.append(f"{more_text(total, len(rows))} (--limit 0 shows all)")
        else:
            lines.insert(0, f"{total - len(rows):,} earlier not shown (--limit 0 shows all)")
    click.echo("\n".join(lines))


@main.command()
@time_options
@since_option("Only strikes from this day on.")
@limit_option
@pass_context
def strikes(
    context: Context, as_of: str, known_at: str, as_json: bool, since: str | None, limit: int
) -> None:
    """Strikes that happened by the date, newest first."""
    from tracker.presenters import weapons_text

    total, found = _queries(context.reading()).strikes(as_of, known_at, since, limit or None)
    if as_json:
        emit_list("strikes", as_of, known_at, total, found, limit)
        return
    echo_table(
        [(s.occurred, s.id, s.target, s.by, weapons_text(s.weapons), s.effects) for s in found],
        ("occurred", "id", "target", "by", "weapons", "effects"),
        total,
        latest_first=True,
    )


@main.command()
@time_options
@limit_option
@pass_context
def claims(context: Context, as_of: str, known_at: str, as_json: bool, limit: int) -> None:
    """Claims known at the date from reports published by the as-of date, oldest first."""
    total, found = _queries(context.reading()).claims(as_of, known_at, limit or None)
    if as_json:
        emit_list("claims", as_of, known_at, total, found, limit)
        return
    echo_table(
        [(c.id, c.subject, c.participants, c.value, c.claimant, c.stance) for c in found],
        ("id", "subject", "participants", "value", "claimant", "stance"),
        total,
        latest_first=False,
    )


@main.command()
@time_options
@limit_option
@pass_context
def statements(context: Context, as_of: str, known_at: str, as_json: bool, limit: int) -> None:
    """Statements made by the date, oldest first."""
    total, found = _queries(context.reading()).statements(as_of, known_at, limit or None)
    if as_json:
        emit_list("statements", as_of, known_at, total, found, limit)
        return
    echo_table(
        [(s.occurred, s.id, s.speaker, s.quote) for s in found],
        ("occurred", "id", "speaker", "quote"),
        total,
        latest_first=False,
    )


@main.command()
@click.argument("development_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def history(context: Context, development_id: str, as_json: bool) -> None:
    """Every account of one development in publication order, field by field."""
    from tracker.presenters import render_history

    found = _queries(context.reading()).history(development_id)
    _show_development(development_id, found, render_history, as_json=as_json)


@main.command()
@click.argument("development_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def sources(context: Context, development_id: str, as_json: bool) -> None:
    """Every report that tells of a development, with outlet, date and quote."""
    from tracker.presenters import render_sources

    found = _queries(context.reading()).sources(development_id)
    _show_development(development_id, found, render_sources, as_json=as_json)


def _show_development(
    development_id: str, found: Any, render: Callable[[Any], str], *, as_json: bool
) -> None:
    """One development's history or sources, as JSON or text; unknown ids are an error."""
    if found is None:
        raise click.ClickException(f"unknown development {development_id!r}")
    if as_json:
        emit_json(found)
    else:
        click.echo(render(found))


@main.command()
@click.option("--from", "known_from", required=True, metavar="DATE", help="Known at this day...")
@click.option("--to", "known_to", required=True, metavar="DATE", help="...against this day.")
@click.option("--as-of", "as_of", metavar="DATE", help="Only what possibly happened by then.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def changes(
    context: Context, known_from: str, known_to: str, as_of: str | None, as_json: bool
) -> None:
    """What the reports published after --from, up to --to, changed in the state."""
    from tracker.presenters import render_changes

    known_from = _day("--from", known_from)
    known_to = _day("--to", known_to)
    as_of = _day("--as-of", as_of) if as_of is not None else None
    if known_from > known_to:
        raise click.BadParameter("--from must not be after --to", param_hint="--from")
    found = _queries(context.reading()).changes(known_from, known_to, as_of)
    if as_json:
        emit_json(found)
    else:
        click.echo(render_changes(found))


def _day(option: str | None, value: str) -> str:
    """An option's day, or a usage error that says why it is not one (naming ``option``,
    or in an option's callback, the option click names)."""
    from tracker.dates import InvalidDate, parse_day

    try:
        return parse_day(value)
    except InvalidDate as error:
        raise click.BadParameter(str(error), param_hint=option) from None


def _anchor(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Any:
    from tracker.errors import InvalidAnchor
    from tracker.verification import Anchor

    try:
        return tuple(Anchor.parse(value) for value in values)
    except InvalidAnchor as error:
        raise click.BadParameter(str(error)) from None


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--expect",
    multiple=True,
    callback=_anchor,
    metavar="HEAD@POSITION",
    help="A chain head noted earlier, as verify prints it: fail unless the chain at that"
    " position still has that hash (repeatable).",
)
@click.option(
    "--at",
    multiple=True,
    type=whole_number(1),
    metavar="POSITION",
    help="Also print the chain's HEAD@POSITION at this log position (repeatable).",
)
@pass_context
def verify(context: Context, as_json: bool, expect: Any, at: tuple[int, ...]) -> None:
    """Check the log's hash chain, report texts, quotes and read models, and heads noted
    earlier; exit 1 naming the first position where anything differs."""
    from tracker.verification import verify as verify_store

    tracker = context.tracker()
    with domain_errors():
        result = verify_store(tracker, expect=expect, at=at)
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "events": result.events,
                "head": result.head,
                "position": result.position,
                "anchor": str(result.anchor),
                "expected": [str(anchor) for anchor in expect],
                "at": [
                    {"position": anchor.position, "anchor": str(anchor)} for anchor in result.at
                ],
                "unchecked_quotes": result.unchecked_quotes,
                "problems": [
                    {"position": problem.position, "problem": problem.what}
                    for problem in result.problems
                ],
            }
        )
    else:
        for problem in result.problems:
            click.echo(str(problem))
        if result.ok:
            click.echo(f"ok: {result.events} events, chain head {result.anchor}")
            for anchor in expect:
                click.echo(f"expected {anchor}: it holds")
            for anchor in result.at:
                click.echo(f"chain at position {anchor.position}: {anchor}")
            if result.unchecked_quotes:
                cite = (
                    "quote cites a report"
                    if result.unchecked_quotes == 1
                    else "quotes cite reports"
                )
                click.echo(f"{result.unchecked_quotes} {cite} without text: unchecked")
    if not result.ok:
        raise click.ClickException(
            f"verification failed at {result.problems[0]}"
            + (f" (and {len(result.problems) - 1} more)" if len(result.problems) > 1 else "")
        )


FOLLOW_WAKE_SECONDS = 0.5


def _finite_seconds(
    ctx: click.Context, param: click.Parameter, value: float | None
) -> float | None:
    # FloatRange lets nan through (it compares false with any bound), and inf never ends.
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number of seconds")
    return value


@main.command()
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


@main.command("copy")
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


@main.command()
@pass_context
def rebuild(context: Context) -> None:
    """Drop the read models and rebuild them from position 0."""
    tracker = context.tracker()
    with domain_errors():
        position = tracker.rebuild()
    click.echo(f"read models rebuilt to log position {position}")
