"""Store URLs: which database holds the log and the read models.

``sqlite:///rel.db`` is relative to the current folder, ``sqlite:////abs/path.db``
absolute (as SQLAlchemy writes them); ``postgresql://user:pass@host:port/db`` selects
PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import attrs

from tracker.errors import StoreError

DEFAULT_STORE_URL = "sqlite:///tracker.db"


@attrs.frozen
class StoreLocation:
    url: str
    backend: str
    sqlite_path: Path | None = None
    postgres: dict[str, str] = attrs.field(factory=dict)

    @classmethod
    def parse(cls, url: str) -> StoreLocation:
        if url.startswith("sqlite:///"):
            path_text = url[len("sqlite:///") :]
            if not path_text:
                raise StoreError(f"store URL {url!r} names no file")
            return cls(url, "sqlite", sqlite_path=Path(path_text))
        if url.startswith(("postgresql://", "postgres://")):
            parts = urlsplit(url)
            dbname = parts.path.lstrip("/")
            if not dbname:
                raise StoreError(f"store URL {url!r} names no database")
            settings = {
                "POSTGRES_DBNAME": unquote(dbname),
                "POSTGRES_HOST": parts.hostname or "localhost",
                "POSTGRES_PORT": str(parts.port or 5432),
                "POSTGRES_USER": unquote(parts.username or ""),
                "POSTGRES_PASSWORD": unquote(parts.password or ""),
            }
            return cls(url, "postgresql", postgres=settings)
        raise StoreError(
            f"unsupported store URL {url!r}: use sqlite:///FILE or postgresql://USER@HOST/DB"
        )

    def application_env(self) -> dict[str, str]:
        if self.backend == "sqlite":
            assert self.sqlite_path is not None
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        return {"PERSISTENCE_MODULE": "eventsourcing.postgres", **self.postgres}

    def exists(self) -> bool:
        if self.backend == "sqlite":
            assert self.sqlite_path is not None
            return self.sqlite_path.is_file() and _has_log_table(self.sqlite_path)
        return True  # asked of the server when the application opens it

    def describe(self) -> str:
        if self.sqlite_path is not None:
            return str(self.sqlite_path)
        return self.url.split("@")[-1]


def _has_log_table(path: Path) -> bool:
    import sqlite3

    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='stored_events'"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        raise StoreError(f"{path}: cannot read the store ({error})") from None
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: not a tracker store ({error})") from None
    return row is not None


def store_url_from_env() -> str:
    return os.environ.get("TRACKER_STORE", DEFAULT_STORE_URL)
