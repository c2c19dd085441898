"""State exports for the tools the field already uses (TimelineJS, CSV, SQLite)."""

from __future__ import annotations

from pathlib import Path

from tracker.application import Tracker
from tracker.errors import TrackerError


def write_export(
    tracker: Tracker, export_format: str, output: Path | None, *, as_of: str, known_at: str
) -> None:
    raise TrackerError(f"export format {export_format!r} is not available yet")
