"""A development's history and sources: every account and retraction of it with its
report, in the order the fold applies them, and what they corroborate or dispute."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.catalogue import CatalogueQueries
from projections.folding import Telling, fold, merge_fields
from projections.grades import GradeQueries, Grades
from projections.view_transactions import with_account
from tracker.chunks import IN_LIST, chunks
from tracker.names import origin_key
from tracker.state import History, HistoryEntry, Source, Sources


class HistoryQueries(CatalogueQueries, GradeQueries):
    """Tellings of developments, with what their accounts say and their grades."""

    def tellings(self, development_id: str) -> list[dict[str, Any]]:
        """Every account and retraction of a development with its report, in the order
        the fold applies them (publication, then report id, then log position)."""
        return self.tellings_of([development_id]).get(development_id, [])

    def tellings_of(self, development_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """``tellings`` of many developments, a few queries for all of them."""
        return self._tellings_where(development_ids, "", ())

    def _tellings_where(
        self, development_ids: Sequence[str], condition: str, params: Sequence[Any]
    ) -> dict[str, list[dict[str, Any]]]:
        """The tellings of these developments that meet ``condition`` (SQL on ``t``, the
        telling, and ``r``, its report), each development's in the order the fold
        applies them."""
        found: dict[str, list[dict[str, Any]]] = {}
        with self._reading() as c:
            for chunk in chunks(sorted(set(development_ids)), IN_LIST):
                marks = ",".join("?" * len(chunk))
                c.execute(
                    "SELECT t.*, r.outlet, r.published, r.published_lower, r.published_upper,"  # noqa: S608
                    " r.sha256 AS report_sha256"
                    " FROM tellings t JOIN reports r ON r.report_id = t.report_id"
                    f" WHERE t.development_id IN ({marks}){condition}"
                    " ORDER BY t.development_id, r.published_upper, r.published_lower,"
                    " t.report_id, t.position",
                    (*chunk, *params),
                )
                rows = c.fetchall()
                contents = self.log_contents(c, [row["position"] for row in rows])
                for row in rows:
                    telling = with_account(dict(row), contents)
                    found.setdefault(telling["development_id"], []).append(telling)
        return found


def history(view: HistoryQueries, development_id: str, graded_by: str) -> History | None:
    """Every account and retraction, with its grades as given by ``graded_by``."""
    kind = view.development_kind(development_id)
    if kind is None:
        return None
    tellings = view.tellings(development_id)
    grades = Grades.of(view, development_id, tellings, graded_by)
    entries = []
    merged: dict[str, Any] = {}
    for row in tellings:
        retraction = bool(row["retraction"])
        voided = row["voided_at"] is not None
        changed: tuple[str, ...] = ()
        if not retraction and not voided:
            # The fold's own rules: a later quotation does not replace the first.
            changed = tuple(merge_fields(kind, merged, row["fields"]))
        entries.append(
            HistoryEntry(
                position=row["position"],
                version=row["version"],
                report_id=row["report_id"],
                outlet=row["outlet"],
                published=row["published"],
                kind="retraction" if retraction else "account",
                fields=row["fields"],
                changed=changed,
                quote=row["quote"],
                attributed_to=row["attributed_to"],
                origin=row["origin"],
                note=row["note"],
                reason=row["reason"],
                voided=voided,
                void_reason=row["void_reason"],
                **grades.of_telling(row),
            )
        )
    return History(
        development_id,
        kind,
        tuple(entries),
        corroboration=corroboration(tellings),
        disputed=disputes(kind, tellings),
        last_reported=last_told(tellings),
    )


def sources(view: HistoryQueries, development_id: str, graded_by: str) -> Sources | None:
    """Every report that tells of it, with its grades as given by ``graded_by``."""
    kind = view.development_kind(development_id)
    if kind is None:
        return None
    tellings = view.tellings(development_id)
    grades = Grades.of(view, development_id, tellings, graded_by)
    return Sources(
        development_id,
        kind,
        corroboration(tellings),
        tuple(
            Source(
                report_id=row["report_id"],
                outlet=row["outlet"],
                published=row["published"],
                kind="retraction" if row["retraction"] else "account",
                quote=row["quote"],
                attributed_to=row["attributed_to"],
                origin=row["origin"],
                voided=row["voided_at"] is not None,
                quote_checked=None if row["quote"] is None else row["report_sha256"] is not None,
                **grades.of_telling(row),
            )
            for row in tellings
        ),
        last_reported=last_told(tellings),
    )


def _standing(tellings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in tellings if not row["retraction"] and row["voided_at"] is None]


def last_told(tellings: list[dict[str, Any]]) -> dict[str, str] | None:
    """The latest report with a standing account, as the lists' ``last_reported``
    reads it from a version: the last of the reports in the order of their first
    accounts in the fold (so, of the latest publication day, as the exports'
    ``latest_report_date``)."""
    standing = _standing(tellings)
    if not standing:
        return None
    reports = list(dict.fromkeys(row["report_id"] for row in standing))
    latest = next(row for row in standing if row["report_id"] == reports[-1])
    return {"date": latest["published_upper"], "report": latest["report_id"]}


def corroboration(tellings: list[dict[str, Any]]) -> int:
    """How many independent origins the standing accounts have: accounts naming one
    origin (as names match, ``tracker.names``) count once, whatever their outlets, and
    an account naming none is its report's own. Outlets are no measure: two outlets
    relaying one interview are one origin, and two reports of one outlet may be two."""
    return len({origin_key(row["origin"], row["report_id"]) for row in _standing(tellings)})


def disputes(kind: str, tellings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The fields that accounts of equal standing give different values, as known now:
    the fold decides (``projections.disputes``), as it does for every other answer."""
    versions = fold(
        kind,
        [
            Telling(
                row["position"],
                row["version"],
                row["report_id"],
                row["published_lower"],
                row["published_upper"],
                row["fields"],
                bool(row["retraction"]),
                row.get("origin"),
                row.get("quote"),
            )
            for row in _standing(tellings)
        ],
    )
    return versions[-1].disputed if versions else {}
