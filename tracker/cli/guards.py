"""What the command line checks of its own process and arguments before any command
runs: stop signals that unwind like exceptions, and text that is not UTF-8."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

# A stop signal ends the process as an exception does, so that every ``finally`` runs:
# scratch files are removed, helper processes stopped, a transaction rolled back.
# Killed outright, an import would leave its copy of standard input behind.
STOP_SIGNALS = ("SIGTERM", "SIGHUP")


@contextmanager
def stopping_cleanly() -> Iterator[None]:
    import signal

    def stop(number: int, frame: object) -> None:
        signal.signal(number, signal.SIG_DFL)  # a second signal stops it at once
        raise SystemExit(128 + number)

    previous = {}
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            try:
                previous[number] = signal.signal(number, stop)
            except ValueError:  # not the main thread: the caller handles its signals
                break
    try:
        yield
    finally:
        for number, handler in previous.items():
            if handler is not None:  # None: set outside Python, and cannot be put back
                signal.signal(number, handler)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8, passed on as surrogates
        return False
    return True


def _holds_text_not_utf8(value: Any) -> bool:
    if isinstance(value, str):
        return not _is_utf8(value)
    if isinstance(value, tuple | list):
        return any(_holds_text_not_utf8(item) for item in value)
    return False


_NOT_UTF8 = "is not UTF-8 text (the terminal or script passed other bytes)"


def refuse_text_not_utf8(group: click.Group, args: list[str]) -> None:
    """Refuse, as a usage error naming the option or argument, text that is not UTF-8.

    It would fail deep down (the store cannot encode it) with a traceback. File names
    are exempt: a name need not be UTF-8 to be opened. The command line is parsed
    again here only when some of it is not UTF-8, to find the parameter it went to."""
    if all(map(_is_utf8, [*args, os.environ.get("TRACKER_STORE", "")])):
        return
    ctx = group.make_context("tracker", list(args), resilient_parsing=True)
    while True:
        for param in ctx.command.params:
            if not isinstance(param.type, click.Path) and _holds_text_not_utf8(
                ctx.params.get(param.name or "")
            ):
                raise click.BadParameter(_NOT_UTF8, ctx=ctx, param=param)
        # The subcommand and its arguments: ``_protected_args`` from click 8.2 on, where
        # ``protected_args`` is deprecated; ``protected_args`` in 8.1.
        protected = getattr(ctx, "_protected_args", None)
        rest = [*(ctx.protected_args if protected is None else protected), *ctx.args]
        if not isinstance(ctx.command, click.Group) or not rest:
            break
        name, command, rest = ctx.command.resolve_command(ctx, rest)
        if command is None or name is None:
            break
        ctx = command.make_context(name, rest, parent=ctx, resilient_parsing=True)
    bad = next((arg for arg in args if not _is_utf8(arg)), None)
    if bad is not None and isinstance(ctx.command, click.Group):
        raise click.UsageError(f"the command name {bad!r} {_NOT_UTF8}", ctx)
