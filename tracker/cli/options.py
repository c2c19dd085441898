"""Options several commands share: days, whole numbers, list limits and the time axes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from tracker.state import STALE_AFTER_DAYS

F = TypeVar("F", bound=Callable[..., Any])


def day_option(name: str, help_text: str) -> Callable[[F], F]:
    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
        return date.today().isoformat() if value is None else day_value(None, value)

    return click.option(name, callback=convert, metavar="DATE", help=help_text)


def since_option(help_text: str) -> Callable[[F], F]:
    """``--since DATE``: None when not given (a window with no start)."""

    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        return None if value is None else day_value(None, value)

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


def _read_at_position(ctx: click.Context, param: click.Parameter, value: int | None) -> None:
    from tracker.cli.group import Context

    context = ctx.find_object(Context)
    if value is not None and context is not None:
        context.position = value


# Every reading command takes it, and hands it to the context its store is opened
# through (``Context.tracker``), so that each command's one query runs unchanged over
# the store as it stood then (``tracker.positioned``).
position_option = click.option(
    "--position",
    type=whole_number(0),
    callback=_read_at_position,
    expose_value=False,
    metavar="N",
    help="Answer as the store stood when its log ended at position N (as 'state' and"
    " 'verify' print it), byte for byte what the command printed then.",
)


def time_options(function: F) -> F:
    """--as-of, --known-at, --json and --position: what every list command takes."""
    function = position_option(function)
    function = click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)
    function = day_option("--known-at", "Use only reports published by then (default: today).")(
        function
    )
    function = day_option("--as-of", "The state of the world on this day (default: today).")(
        function
    )
    return function


# A list command shows this many by default: at a million accounts there are hundreds
# of thousands of strikes, and listing them all takes seconds and a gigabyte.
LIST_LIMIT = 100


def list_limit_option(help_text: str) -> Callable[[F], F]:
    return count_option("--limit", LIST_LIMIT, help_text)


limit_option = list_limit_option("Show the latest N (0 shows all).")


stale_after_option = click.option(
    "--stale-after",
    type=whole_number(0),
    default=STALE_AFTER_DAYS,
    show_default=True,
    metavar="DAYS",
    help="Mark an open issue stale when no report has told of it for more than DAYS days.",
)


def day_value(option: str | None, value: str) -> str:
    """An option's day, or a usage error that says why it is not one (naming ``option``,
    or in an option's callback, the option click names)."""
    from tracker.dates import InvalidDate, parse_day

    try:
        return parse_day(value)
    except InvalidDate as error:
        raise click.BadParameter(str(error), param_hint=option) from None
