"""The ``tracker`` group: the store option, the context commands open the store
through, and errors as one line on stderr with exit 1 for bad data and 2 for bad usage.

The command modules add their commands to this group (see ``tracker.cli``); it imports
none of them.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.guards import refuse_text_not_utf8, stopping_cleanly
from tracker.store import DEFAULT_STORE_URL

if TYPE_CHECKING:
    from projections.queries import Queries
    from tracker.application import Tracker
    from tracker.store import StoreLocation


def emit_json(value: Any) -> None:
    from tracker.presenters import json_bytes

    sys.stdout.buffer.write(json_bytes(value))
    sys.stdout.flush()


@contextmanager
def domain_errors() -> Iterator[None]:
    """Tracker and store errors become one clear line and exit 1."""
    from eventsourcing.persistence import MapperDeserialisationError, PersistenceError

    from tracker.errors import TrackerError

    try:
        yield
    except TrackerError as error:
        raise click.ClickException(str(error)) from None
    except MapperDeserialisationError as error:  # a stored event changed behind our back
        raise click.ClickException(
            f"the log holds an event that cannot be decoded ({_store_error_text(error)});"
            " run 'tracker verify'"
        ) from None
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


# What keeps the commands from being set up as the registered types ask, found while
# ``tracker.cli`` adds them: reported on one line instead of running any.
SETUP_ERRORS: list[str] = []


class Context:
    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self._tracker: Tracker | None = None
        self._created: StoreLocation | None = None
        # Set by a reading command's --position (``tracker.cli.options.position_option``):
        # it then reads the store as it stood when its log ended there.
        self.position: int | None = None

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
                if self.position is not None:
                    from tracker.positioned import PositionedTracker

                    self._tracker = PositionedTracker.open_at(location, self.position)
                    return self._tracker
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

    def reading(self, *, every_kind: bool = False) -> Tracker:
        """The store with its views brought up to date; with ``every_kind``, refused
        if they hold a development type no module here registers (for the answers that
        would leave such developments out without a word: see
        ``projections.kind_lists.refuse_unregistered``)."""
        tracker = self.tracker()
        with domain_errors():
            tracker.catch_up()
            if every_kind:
                from projections.kind_lists import refuse_unregistered

                refuse_unregistered(tracker.view)
        return tracker

    def queries(self, *, every_kind: bool = False) -> Queries:
        """The read model's queries, over views brought up to date first."""
        from projections.queries import Queries

        tracker = self.reading(every_kind=every_kind)
        return Queries(tracker.view, tracker.name)


pass_context = click.make_pass_decorator(Context)


MAX_ERROR_CHARS = 2000


def one_line(message: str) -> str:
    """An error as one readable line, however odd the names and values inside it."""
    from tracker.formatting import printable

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
        from tracker.errors import TrackerError
        from tracker.fast.collection import collect_less

        collect_less()
        from tracker.kinds import plugin_errors

        # A module of TRACKER_KINDS that failed, or a type the commands cannot take.
        if errors := [*plugin_errors(), *SETUP_ERRORS]:
            click.echo(f"Error: {one_line(errors[0])}", err=True)
            sys.exit(2)
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
