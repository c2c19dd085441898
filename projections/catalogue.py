"""Actors, their aliases, reports and developments by id: what a record names, looked up."""

from __future__ import annotations

from typing import Any

import orjson

from projections.view_transactions import ViewTransactions
from tracker.names import alias_key


class CatalogueQueries(ViewTransactions):
    """Actors, reports and developments by name or id."""

    def resolve_actor(self, name: str) -> str | None:
        with self._reading() as c:
            c.execute("SELECT actor_id FROM actor_aliases WHERE alias_key=?", (alias_key(name),))
            row = c.fetchone()
        return None if row is None else str(row["actor_id"])

    def all_aliases(self) -> list[tuple[str, str]]:
        with self._reading() as c:
            c.execute("SELECT alias, actor_id FROM actor_aliases ORDER BY alias_key")
            return [(row["alias"], row["actor_id"]) for row in c.fetchall()]

    def actors(self) -> list[dict[str, Any]]:
        with self._reading() as c:
            c.execute("SELECT actor_id AS id, name, role, aliases FROM actors ORDER BY actor_id")
            actors = [dict(row) for row in c.fetchall()]
        for actor in actors:
            actor["aliases"] = orjson.loads(actor["aliases"])
        return actors

    def reports(self) -> list[dict[str, Any]]:
        with self._reading() as c:
            c.execute(
                "SELECT report_id AS id, outlet, published, published_lower, published_upper,"
                " title, url, sha256, note, position FROM reports"
                " ORDER BY published_upper, published_lower, report_id"
            )
            return [dict(row) for row in c.fetchall()]

    def development_kind(self, development_id: str) -> str | None:
        with self._reading() as c:
            c.execute("SELECT kind FROM developments WHERE development_id=?", (development_id,))
            row = c.fetchone()
        return None if row is None else str(row["kind"])
