"""The ``tracker`` command line: a thin shell over the application, one command to a
call of it or of a query.

Reading commands print aligned text, or JSON with ``--json``; errors are one line on
stderr with exit 1 for bad data and 2 for bad usage, and leave the store unchanged.

The group (``group.py``) knows no command; each module of a command group lists its
commands in ``COMMANDS``, and they are added to it here. The command modules import
only the group and the shared options, and what a command needs beyond them inside the
command: a query on views that are up to date then imports neither the domain nor the
projection, which would cost every start-up its time.
"""

from tracker.cli import (
    audit,
    grading,
    lists,
    recording,
    reports_actors,
    store_commands,
    timeline,
)
from tracker.cli.group import SETUP_ERRORS, main

for _module in (store_commands, reports_actors, recording, grading, lists, audit, timeline):
    for _command in _module.COMMANDS:
        main.add_command(_command)
# A registered type's list is named by its plural, which must not replace a command.
for _command in lists.KIND_LISTS:
    if _command.name in main.commands:
        SETUP_ERRORS.append(
            f"a development type's plural {_command.name!r} is the name of a command:"
            " register it with another plural"
        )
    else:
        main.add_command(_command)

__all__ = ["main"]
