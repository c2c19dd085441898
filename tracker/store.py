"""Store URLs: which database holds the log and the read models.

``sqlite:///rel.db`` is relative to the current folder, ``sqlite:////abs/path.db``
absolute (as SQLAlchemy writes them); ``postgresql://user:pass@host:port/db`` selects
PostgreSQL, and ``?schema=NAME`` keeps one tracker's tables in a schema of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import attrs

from tracker.errors import StoreError

DEFAULT_STORE_URL = "sqlite:///tracker.db"
SQLITE_FACTORY = "tracker.recorders:TrackerSQLiteFactory"
POSTGRES_FACTORY = "tracker.postgres_recorder:TrackerPostgresFactory"
# The files SQLite keeps a store in: the database, and beside it its write-ahead log,
# its shared-memory index and its rollback journal.
SQLITE_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal")
# A schema name as the store URL may give it: an identifier PostgreSQL neither folds
# nor needs quoted (at most 63 bytes). The library strips spaces from the name it
# creates tables in, and looks some of its types up by the name unquoted, folded to
# lower case, while a reader looks in the name as given: any name that means
# different things to them is refused.
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


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
            # The library opens the name as an SQLite URI when it starts with "file:",
            # and in memory when it says ":memory:": a store that keeps nothing.
            if ":memory:" in path_text or path_text.startswith("file:"):
                raise StoreError(
                    f"store URL {url!r} names an in-memory or URI database, which would keep"
                    " nothing: name a file"
                )
            return cls(url, "sqlite", sqlite_path=Path(path_text))
        if url.startswith(("postgresql://", "postgres://")):
            parts = urlsplit(url)
            dbname = parts.path.lstrip("/")
            if not dbname:
                raise StoreError(f"store URL {url!r} names no database")
            query = parse_qs(parts.query, keep_blank_values=True)
            unknown = sorted(set(query) - {"schema"})
            if unknown:
                raise StoreError(f"store URL {url!r}: unknown parameter {unknown[0]!r}")
            schemas = query.get("schema", ["public"])
            if len(schemas) > 1 or not SCHEMA_NAME.fullmatch(schemas[0]):
                raise StoreError(
                    f"store URL {url!r}: the schema must be one name of lower-case"
                    " letters, digits and underscores, not starting with a digit, at most 63"
                    " characters"
                )
            try:
                port = parts.port or 5432
            except ValueError:
                raise StoreError(f"store URL {url!r} has a bad port") from None
            settings = {
                "POSTGRES_DBNAME": unquote(dbname),
                "POSTGRES_HOST": parts.hostname or "localhost",
                "POSTGRES_PORT": str(port),
                "POSTGRES_USER": unquote(parts.username or ""),
                "POSTGRES_PASSWORD": unquote(parts.password or ""),
                "POSTGRES_SCHEMA": schemas[0],
                "POSTGRES_CONNECT_TIMEOUT": "5",
                # A command-line process needs few connections: one for the log, one
                # for the views while they catch up.
                "POSTGRES_POOL_SIZE": "2",
                "POSTGRES_MAX_OVERFLOW": "8",
            }
            return cls(url, "postgresql", postgres=settings)
        raise StoreError(
            f"unsupported store URL {url!r}: use sqlite:///FILE or postgresql://USER@HOST/DB"
        )

    def application_env(self) -> dict[str, str]:
        if self.backend == "sqlite":
            assert self.sqlite_path is not None
            return {
                "PERSISTENCE_MODULE": SQLITE_FACTORY,
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        return {"PERSISTENCE_MODULE": POSTGRES_FACTORY, **self.postgres}

    def files(self) -> tuple[Path, ...]:
        """The files the store is kept in (none for PostgreSQL), whether they exist."""
        if self.sqlite_path is None:
            return ()
        return tuple(Path(f"{self.sqlite_path}{suffix}") for suffix in SQLITE_FILE_SUFFIXES)

    def refuse_output(self, path: Path) -> None:
        """Raise a one-line StoreError when writing ``path`` would write over the store or
        one of its files: the same path once resolved (symbolic links, ``..``), or
        another name of the same file (a hard link)."""
        for store_file in self.files():
            if _same_file(path, store_file):
                raise StoreError(
                    f"cannot write {path}: it is the store's own file {store_file};"
                    " choose another output file"
                )

    def exists(self) -> bool:
        if self.sqlite_path is not None:
            return self.sqlite_path.is_file() and _has_log_table(self.sqlite_path)
        return _has_postgres_log_table(self.postgres)

    def prepare(self) -> bool:
        """Make room for a new store: its folder, or its PostgreSQL schema. Whether what
        would hold the store was created now (and so may be discarded on failure)."""
        if self.sqlite_path is not None:
            self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            return not self.sqlite_path.exists()
        schema = self.postgres["POSTGRES_SCHEMA"]
        from psycopg.sql import SQL, Identifier

        with _postgres_connection(self.postgres) as connection:
            found = connection.execute(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)
            ).fetchone()
            connection.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(schema)))
        return found is None

    def discard(self) -> None:
        """Remove a store this process created and could not complete."""
        if self.sqlite_path is not None:
            for store_file in self.files():
                store_file.unlink(missing_ok=True)
            return
        from psycopg.sql import SQL, Identifier

        with _postgres_connection(self.postgres) as connection:
            connection.execute(
                SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    Identifier(self.postgres["POSTGRES_SCHEMA"])
                )
            )

    def describe(self) -> str:
        """Where the store is, without its password."""
        if self.sqlite_path is not None:
            return str(self.sqlite_path)
        settings = self.postgres
        return (
            f"postgresql://{settings['POSTGRES_HOST']}:{settings['POSTGRES_PORT']}"
            f"/{settings['POSTGRES_DBNAME']} (schema {settings['POSTGRES_SCHEMA']})"
        )


def _same_file(path: Path, store_file: Path) -> bool:
    try:
        if path.resolve() == store_file.resolve():
            return True
        return path.exists() and store_file.exists() and path.samefile(store_file)
    except (OSError, RuntimeError):  # a symbolic link loop, say: it cannot be written
        return False


def _has_log_table(path: Path) -> bool:
    import sqlite3

    try:
        try:
            return _reads_log_table(path, "ro")
        except sqlite3.OperationalError as error:
            if "readonly" not in str(error):
                raise
            # A transaction killed half-way in a rollback journal (a first import or a
            # copy into an empty store) leaves the journal hot, and only a connection
            # that may write rolls the store back with it: a read-only one refuses.
            # "rw" still never creates a file.
            return _reads_log_table(path, "rw")
    except sqlite3.OperationalError as error:
        hint = ""
        if "locked" in str(error):  # an import filling an empty store: see rollback_journal
            hint = ": an import into an empty store locks it until it ends"
        raise StoreError(f"{path}: cannot read the store ({error}){hint}") from None
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: not a tracker store ({error})") from None


def _reads_log_table(path: Path, mode: str) -> bool:
    import sqlite3

    # The path quoted as a URI's: a file name with "#" or "?" must not end the path
    # early, or the store would not be found and a stray file made in its place.
    connection = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode={mode}", uri=True)
    try:
        row = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='stored_events'"
        ).fetchone()
    finally:
        connection.close()
    return row is not None


# The library names an application's tables after it: the Tracker's log table.
POSTGRES_LOG_TABLE = "tracker_events"


@contextmanager
def _postgres_connection(settings: dict[str, str]) -> Iterator[Any]:
    import psycopg

    try:
        with psycopg.connect(
            dbname=settings["POSTGRES_DBNAME"],
            host=settings["POSTGRES_HOST"],
            port=settings["POSTGRES_PORT"],
            user=settings["POSTGRES_USER"] or None,
            password=settings["POSTGRES_PASSWORD"] or None,
            connect_timeout=int(settings["POSTGRES_CONNECT_TIMEOUT"]),
            autocommit=True,
        ) as connection:
            yield connection
    except psycopg.Error as error:
        text = str(error).strip()
        message = text.splitlines()[0] if text else type(error).__name__
        raise StoreError(f"cannot use the PostgreSQL store: {message}") from None


def _has_postgres_log_table(settings: dict[str, str]) -> bool:
    from psycopg.sql import Identifier

    qualified = Identifier(settings["POSTGRES_SCHEMA"], POSTGRES_LOG_TABLE).as_string()
    with _postgres_connection(settings) as connection:
        row = connection.execute("SELECT to_regclass(%s)", (qualified,)).fetchone()
    return row is not None and row[0] is not None


def scratch_parent(env: Mapping[str, str]) -> str | None:
    """Where a long import keeps its scratch files (the producer's, a copy of standard
    input): beside a SQLite store, which is on a disk with room for the log it grows
    by; the temporary folder may be memory (tmpfs), and a scratch file is about as
    large. None: the temporary folder."""
    store = env.get("SQLITE_DBNAME")
    if store and Path(store).parent.is_dir():
        return str(Path(store).parent)
    return None
