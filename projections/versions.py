"""Versions of developments as known at a date: by key, by development, and every
standing one of some kinds (the queries of every topic read their data here)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from projections.schema import VERSIONS_KEY
from projections.view_transactions import ViewTransactions, decoded_versions
from tracker.chunks import IN_LIST, chunks


class VersionQueries(ViewTransactions):
    """Version rows with their data decoded."""

    def versions_at(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Version rows by (development id, known from), with their data decoded."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        with self._reading() as c:
            for chunk in chunks(keys, IN_LIST):
                pairs = ", ".join("(?, ?)" for _ in chunk)
                c.execute(
                    f"WITH chosen(development_id, known_from) AS (VALUES {pairs})"  # noqa: S608
                    " SELECT v.* FROM chosen JOIN versions v"
                    " ON v.development_id = chosen.development_id"
                    " AND v.known_from = chosen.known_from",
                    [value for pair in chunk for value in pair],
                )
                found.update(
                    ((row["development_id"], row["known_from"]), row)
                    for row in decoded_versions(c.fetchall())
                )
        return found

    def versions_of(
        self,
        development_ids: Sequence[str],
        known_at: str,
        *,
        include_retracted: bool = False,
        columns: Sequence[str] = ("*",),
    ) -> dict[str, dict[str, Any]]:
        """The version of each of these developments that holds at K (``columns`` of
        it, with ``development_id`` and ``data``), its data decoded."""
        found: dict[str, dict[str, Any]] = {}
        retracted = "" if include_retracted else " AND retracted = 0"
        selected = ", ".join(dict.fromkeys([*columns, "development_id", "data"]))
        with self._reading() as c:
            for chunk in chunks(sorted(set(development_ids)), IN_LIST):
                marks = ",".join("?" * len(chunk))
                c.execute(
                    f"SELECT {selected} FROM versions WHERE development_id IN ({marks})"  # noqa: S608
                    f" AND known_from <= ? AND ? < known_until{retracted}",
                    (*chunk, known_at, known_at),
                )
                found.update((row["development_id"], row) for row in decoded_versions(c.fetchall()))
        return found

    def current_versions(
        self, kinds: Sequence[str], known_at: str, *, include_retracted: bool = False
    ) -> list[dict[str, Any]]:
        """The version of each development of the given kinds as known at ``known_at``."""
        marks = ",".join("?" * len(kinds))
        statement = (
            f"SELECT * FROM versions WHERE kind IN ({marks})"  # noqa: S608 - placeholders only
            " AND known_from <= ? AND ? < known_until"
        )
        if not include_retracted:
            statement += " AND retracted = 0"
        statement += " ORDER BY sort_key, development_id"
        with self._reading() as c:
            c.execute(statement, (*kinds, known_at, known_at))
            rows = [dict(row) for row in c.fetchall()]
        for row in rows:
            row["data"] = orjson.loads(row["data"])
        return rows

    def kinds_held(self) -> list[str]:
        """The kinds of development the view holds versions of. A skip scan of the
        index by kind: one look-up per kind, not a read of every version (the CLI asks
        before each state, so that a kind no module registers is refused, not left out)."""
        with self._reading() as c:
            c.execute(
                "WITH RECURSIVE held(kind) AS (SELECT MIN(kind) FROM versions"
                " UNION ALL SELECT (SELECT MIN(kind) FROM versions WHERE kind > held.kind)"
                " FROM held WHERE held.kind IS NOT NULL)"
                " SELECT kind FROM held WHERE kind IS NOT NULL"
            )
            return [row["kind"] for row in c.fetchall()]

    def standing_versions(
        self, kinds: Sequence[str], known_at: str, *, include_retracted: bool = False
    ) -> Iterator[dict[str, Any]]:
        """``current_versions`` in key order, a page at a time, in one transaction: for
        reading every development of a million-account store in flat memory."""
        marks = ",".join("?" * len(kinds))
        condition = f"kind IN ({marks}) AND known_from <= ? AND ? < known_until"
        if not include_retracted:
            condition += " AND retracted = 0"
        # By the table's key: any other index needs the whole table sorted again for
        # every page.
        for row in self.rows(
            "versions",
            where=condition,
            params=(*kinds, known_at, known_at),
            index=VERSIONS_KEY,
        ):
            row["data"] = orjson.loads(row["data"])
            yield row
