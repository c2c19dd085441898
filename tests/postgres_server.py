"""A throw-away PostgreSQL server for the tests: a fresh cluster of the installed
PostgreSQL (``.ci/install-test-services`` installs it) in a temporary folder on a free
local port, removed at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import attrs


class PostgresUnavailable(Exception):
    """Why no server could be started here (one line)."""


def _binaries() -> Path | None:
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def _installed() -> Path:
    binaries = _binaries()
    if binaries is None:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (.ci/install-test-services installs it)"
        )
    return binaries


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@attrs.define
class PostgresServer:
    folder: Path
    port: int
    binaries: Path
    as_user: str | None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def store_url(self, schema: str) -> str:
        return f"{self.url}?schema={schema}"

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.as_user, "--"] if self.as_user else []
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=120, check=False
        )

    @classmethod
    def start(cls) -> PostgresServer:
        binaries = _installed()
        folder = Path(tempfile.mkdtemp(prefix="tracker-postgres-"))
        as_user = None
        if os.geteuid() == 0:  # the server refuses to run as root
            as_user = "postgres"
            shutil.chown(folder, user=as_user)
        server = cls(folder, _free_port(), binaries, as_user)
        data = folder / "data"
        initdb = server._run(
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        if initdb.returncode != 0:
            server.remove()
            raise PostgresUnavailable(f"initdb failed: {initdb.stderr.strip()[-300:]}")
        options = (
            f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        started = server._run(
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )
        if started.returncode != 0:
            log = (folder / "server.log").read_text(errors="replace")[-300:]
            server.remove()
            raise PostgresUnavailable(f"the server did not start: {log.strip()}")
        return server

    def stop(self) -> None:
        self._run(
            str(self.binaries / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-m",
            "immediate",
            "-w",
            "stop",
        )
        self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
