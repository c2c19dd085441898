"""The project's own checks run as part of the suite, so CI enforces them."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

import grimp

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


def test_import_contracts_are_kept() -> None:
    """The layers and the absence of import cycles that ``.importlinter`` states."""
    result = run(str(BIN / "lint-imports"), "--no-cache", "--no-logo")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_module_has_a_place_in_the_layers() -> None:
    """A module that no layer names is free of the layers contract, and a cycle through
    it could cross layers unseen."""
    config = configparser.ConfigParser()
    config.read(PROJECT / ".importlinter", encoding="utf-8")
    layers = config["importlinter:contract:layers"]["layers"]
    named = {name.strip().strip("()") for line in layers.splitlines() for name in line.split(":")}
    named.discard("")
    roots = set(config["importlinter"]["root_packages"].split())
    graph = grimp.build_graph(*sorted(roots), cache_dir=None)
    unplaced = [
        module
        for module in sorted(graph.modules - roots)
        if not any(module == name or module.startswith(f"{name}.") for name in named)
    ]
    assert unplaced == []


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """The README's second command installs and runs the whole suite on a fresh
    machine; CI must run that very text, or the two drift apart unseen."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0].strip() for block in readme.split("```sh\n")[1:]]
    ci_lines = (PROJECT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert blocks[1] == ci_lines[-1]
