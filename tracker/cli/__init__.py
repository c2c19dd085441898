"""The ``tracker`` command line."""

from tracker.cli import timeline
from tracker.cli.group import main

__all__ = ["main", "timeline"]
