"""Raw SQL on a store behind the tracker's back, on either backend (for tamper tests)."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg


def table_names(store_url: str) -> dict[str, str]:
    if store_url.startswith("sqlite:"):
        return {"events": "stored_events", "hashes": "event_hashes", "rowid": "rowid"}
    return {
        "events": "tracker_events",
        "hashes": "tracker_events_hashes",
        "rowid": "notification_id",
    }


def run_sql(store_url: str, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement ({events}, {hashes}, {rowid} name the log's tables); '?' params."""
    statement = statement.format(**table_names(store_url))
    if store_url.startswith("sqlite:"):
        connection = sqlite3.connect(store_url.removeprefix("sqlite:///"))
        try:
            rows = connection.execute(statement, params).fetchall()
            connection.commit()
            return rows
        finally:
            connection.close()
    base, schema = store_url.split("?schema=")
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'SET search_path TO "{schema}"')
        cursor = connection.execute(statement.replace("?", "%s"), params)
        return cursor.fetchall() if cursor.description else []
