"""The project's own checks run as part of the suite, so CI enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)


def test_mypy_strict_passes_on_the_packages() -> None:
    result = run(str(BIN / "mypy"), "tracker", "projections")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lint_and_format_pass() -> None:
    lint = run(str(BIN / "ruff"), "check", "tracker", "projections", "tests")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    layout = run(str(BIN / "ruff"), "format", "--check", "tracker", "projections", "tests")
    assert layout.returncode == 0, layout.stdout + layout.stderr
