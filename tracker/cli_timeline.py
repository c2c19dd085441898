"""The ``tracker timeline`` command (registered on the CLI group)."""

from __future__ import annotations
