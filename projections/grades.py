"""The grades of a development's accounts as given by a day (``tracker.grading``): the
reliability of where each account's information comes from (its origin if it names
one, else its report's outlet) and the credibility of the account itself.

A grade's day is its knowledge time: as given by K, a source or an account holds the
latest grade given on or before K (of two given on one day, the later in the log).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.view_transactions import ViewTransactions
from tracker.names import alias_key


def graded_source(telling: dict[str, Any]) -> str:
    """The name whose reliability counts for a telling: its origin, else its outlet."""
    origin = telling.get("origin")
    return origin if isinstance(origin, str) else str(telling["outlet"])


class GradeQueries(ViewTransactions):
    """The grades table."""

    def grades_given(
        self, development_id: str, source_keys: Sequence[str], graded_by: str
    ) -> list[dict[str, Any]]:
        """The grades given by ``graded_by`` of these sources (by alias key) and of the
        development's accounts, in the order they hold: by day, then log position."""
        keys = sorted(set(source_keys)) or [""]
        marks = ",".join("?" * len(keys))
        with self._reading() as c:
            c.execute(
                "SELECT * FROM grades WHERE graded_on <= ?"  # noqa: S608
                f" AND (development_id = ? OR source_key IN ({marks}))"
                " ORDER BY graded_on, position",
                (graded_by, development_id, *keys),
            )
            return [dict(row) for row in c.fetchall()]

    def grades_by(self, graded_by: str) -> list[dict[str, Any]]:
        """Every grade given by ``graded_by``, in the order they hold (for the exports)."""
        with self._reading() as c:
            c.execute(
                "SELECT * FROM grades WHERE graded_on <= ? ORDER BY graded_on, position",
                (graded_by,),
            )
            return [dict(row) for row in c.fetchall()]


class Grades:
    """The latest grade of each source and account among grades in the order they hold."""

    def __init__(self, rows: Sequence[dict[str, Any]]) -> None:
        self.reliability: dict[str, dict[str, Any]] = {}
        self.credibility: dict[tuple[str, int], dict[str, Any]] = {}
        for row in rows:
            given = {"grade": row["grade"], "graded_on": row["graded_on"], "note": row["note"]}
            if row["source_key"] is not None:
                self.reliability[row["source_key"]] = {**given, "source": row["name"]}
            else:
                account = (row["development_id"], int(row["version"]))
                self.credibility[account] = {**given, "grade": int(row["grade"])}

    @classmethod
    def of(
        cls,
        view: GradeQueries,
        development_id: str,
        tellings: Sequence[dict[str, Any]],
        graded_by: str,
    ) -> Grades:
        keys = [alias_key(graded_source(row)) for row in tellings]
        return cls(view.grades_given(development_id, keys, graded_by))

    def code(self, development_id: str, version: int, source: str) -> str:
        """An account's grades in the Admiralty's short form, reliability then
        credibility ("B2"), "-" for either not given."""
        reliability = self.reliability.get(alias_key(source))
        credibility = self.credibility.get((development_id, version))
        return (reliability["grade"] if reliability else "-") + (
            str(credibility["grade"]) if credibility else "-"
        )

    def of_telling(self, telling: dict[str, Any]) -> dict[str, Any]:
        """The telling's ``reliability`` and ``credibility`` (None where ungraded)."""
        return {
            "reliability": self.reliability.get(alias_key(graded_source(telling))),
            "credibility": None
            if telling["retraction"]
            else self.credibility.get((telling["development_id"], int(telling["version"]))),
        }
