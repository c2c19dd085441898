"""The view's write path: a page of events applied to the tables, each touched
development's versions folded onto its latest one or refolded from its tellings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from eventsourcing.persistence import Tracking

from projections.folding import Telling, Version, fold_after
from projections.page import (
    Page,
    dumps,
    page_telling,
    stored_earlier,
    telling_row,
    version_row,
    version_rows,
)
from projections.view_tracking import ViewTracking
from projections.view_transactions import Statements
from tracker.chunks import IN_LIST, chunks
from tracker.dates import OPEN_UPPER
from tracker.names import alias_key

INSERT_VERSION = "INSERT INTO versions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

INSERT_TELLING = "INSERT INTO tellings VALUES (?,?,?,?,?,?,?,?)"


class ViewWrites(ViewTracking):
    """Pages of events written to the view, inside ``page``, ``borrow`` or
    ``rebuilding``, or one event in a transaction of its own (``write_page``)."""

    def apply_page(self, page: Page) -> None:
        """Write a page's changes inside ``page()``."""
        if self._cursor is None:
            raise RuntimeError("apply_page() belongs inside page()")
        self._apply_page(self._cursor, page)

    def write_page(self, page: Page, tracking: Tracking) -> None:
        """Write the changes of one event with its tracking, in a transaction of its own
        (or the one open), unless the event is applied already. A follower and the
        commands that apply their own events take turns under the page lock, and whoever
        comes second skips the event instead of failing on its tracking record."""
        with self._own_transaction(commit=True) as c:
            self._lock_for_page(c.cursor)
            if tracking.notification_id <= self._tracked_position(c, tracking.application_name):
                return
            self._apply_page(c, page)
            self._mark_applied(c, tracking)

    def _apply_page(self, c: Statements, page: Page) -> None:
        """A page's changes, in the order the events need: reports and actors before the
        tellings that cite them, tellings before the voids of them, then each touched
        development refolded once."""
        c.executemany("INSERT INTO reports VALUES (?,?,?,?,?,?,?,?,?,?)", page.reports)
        for uuid, actor_id, name, role, aliases, position in page.actors:
            c.execute(
                "INSERT INTO actors VALUES (?,?,?,?,?,?)",
                (actor_id, name, role, dumps(list(aliases)), position, uuid),
            )
            self._put_aliases(c, actor_id, (*aliases, name, actor_id))
        for uuid, aliases in page.alias_additions:
            c.execute("SELECT actor_id, aliases FROM actors WHERE uuid=?", (uuid,))
            row = c.fetchone()
            known = orjson.loads(row["aliases"])
            c.execute(
                "UPDATE actors SET aliases=? WHERE actor_id=?",
                (dumps([*known, *aliases]), row["actor_id"]),
            )
            self._put_aliases(c, row["actor_id"], aliases)
        c.executemany(
            "INSERT INTO developments VALUES (?,?,?,?)",
            [(dev, kind, position, uuid) for uuid, dev, kind, position in page.developments],
        )
        if page.grades:  # rare: no statement for the pages of an import without them
            c.executemany("INSERT INTO grades VALUES (?,?,?,?,?,?,?,?)", page.grades)
        if not page.tellings and not page.voids:  # folded whole already, or no development
            c.executemany(INSERT_TELLING, page.settled_tellings)
            c.executemany(INSERT_VERSION, page.folded)
            return
        names = {uuid: dev for uuid, dev, _, _ in page.developments}
        unknown = sorted({uuid for uuid, *_ in [*page.tellings, *page.voids] if uuid not in names})
        for chunk in chunks(unknown, IN_LIST):
            marks = ",".join("?" * len(chunk))
            c.execute(
                f"SELECT uuid, development_id FROM developments WHERE uuid IN ({marks})",  # noqa: S608
                chunk,
            )
            names.update({row["uuid"]: row["development_id"] for row in c.fetchall()})
        c.executemany(
            INSERT_TELLING,
            [
                telling_row(names[uuid], version, position, row)
                for uuid, version, position, row in page.tellings
            ],
        )
        c.executemany(
            "UPDATE tellings SET voided_at=?, void_reason=? WHERE development_id=? AND version=?",
            [(pos, reason, names[uuid], version) for uuid, version, pos, reason in page.voids],
        )
        # A development first told in this page, and not voided in it, has all its
        # tellings in the page: fold it from memory. Any other is folded onto its latest
        # version, or read back and refolded.
        page.fold_new(self._published_bounds(c, page.reports_to_fold()))
        c.executemany(INSERT_VERSION, page.folded)
        voided = {names[uuid] for uuid, *_ in page.voids}
        told: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
        for uuid, version, position, row in page.tellings:
            if uuid not in page.folded_ids and names[uuid] not in voided:
                told.setdefault(names[uuid], []).append((version, position, row))
        refold = voided | self._fold_onto_latest(c, told)
        for chunk in chunks(sorted(refold), IN_LIST):
            self._refold_many(c, chunk)

    def _fold_onto_latest(
        self, c: Statements, told: Mapping[str, Sequence[tuple[int, int, dict[str, Any]]]]
    ) -> set[str]:
        """Fold each development's new tellings onto its latest version row, read back,
        where they come after everything folded into it (nearly always: reports are
        mostly entered as they are published); the ids of the others, to refold."""
        bounds = self._published_bounds(
            c, {row["report_id"] for tellings in told.values() for _, _, row in tellings}
        )
        refold: set[str] = set()
        replaced: list[tuple[str, str]] = []
        # (known until, development id, known from) of latest versions that only end.
        closed: list[tuple[str, str, str]] = []
        version_rows: list[tuple[Any, ...]] = []
        for chunk in chunks(sorted(told), IN_LIST):
            marks = ",".join("?" * len(chunk))
            c.execute(
                "SELECT development_id, kind, known_from, retracted, first_known,"  # noqa: S608 - placeholders only
                " account_count, data FROM versions"
                f" WHERE known_until = ? AND development_id IN ({marks})",
                (OPEN_UPPER, *chunk),
            )
            latest = {row["development_id"]: row for row in c.fetchall()}
            for development_id in chunk:
                row = latest.get(development_id)
                tellings = told[development_id]
                if row is None or any(r["report_id"] not in bounds for _, _, r in tellings):
                    refold.add(development_id)
                    continue
                data = orjson.loads(row["data"])
                after = fold_after(
                    row["kind"],
                    Version(
                        known_from=row["known_from"],
                        known_until=OPEN_UPPER,
                        retracted=bool(row["retracted"]),
                        fields=data["fields"],
                        account_count=row["account_count"],
                        reports=tuple(data["reports"]),
                        first_known=row["first_known"],
                        revisions=data["revisions"],
                        earlier=stored_earlier(row["kind"], data),
                        disputed=data.get("disputed", {}),
                    ),
                    [
                        page_telling(version, position, r, bounds)
                        for version, position, r in tellings
                    ],
                )
                if after is None:
                    refold.add(development_id)
                    continue
                ends, versions = after
                if ends is None:
                    replaced.append((development_id, row["known_from"]))
                else:
                    closed.append((ends, development_id, row["known_from"]))
                version_rows.extend(
                    version_row(development_id, row["kind"], version) for version in versions
                )
        c.executemany(
            "UPDATE versions SET known_until=? WHERE development_id=? AND known_from=?", closed
        )
        c.executemany("DELETE FROM versions WHERE development_id=? AND known_from=?", replaced)
        c.executemany(INSERT_VERSION, version_rows)
        return refold

    def _published_bounds(self, c: Statements, report_ids: set[str]) -> dict[str, tuple[str, str]]:
        bounds: dict[str, tuple[str, str]] = {}
        for chunk in chunks(sorted(report_ids), IN_LIST):
            marks = ",".join("?" * len(chunk))
            c.execute(
                "SELECT report_id, published_lower, published_upper FROM reports"  # noqa: S608
                f" WHERE report_id IN ({marks})",
                chunk,
            )
            bounds.update(
                {
                    row["report_id"]: (row["published_lower"], row["published_upper"])
                    for row in c.fetchall()
                }
            )
        return bounds

    def _refold_many(self, c: Statements, development_ids: Sequence[str]) -> None:
        marks = ",".join("?" * len(development_ids))
        c.execute(
            "SELECT t.development_id, t.position, t.version, t.report_id,"  # noqa: S608 - placeholders only
            " t.retraction, r.published_lower, r.published_upper, d.kind"
            " FROM tellings t JOIN reports r ON r.report_id = t.report_id"
            " JOIN developments d ON d.development_id = t.development_id"
            f" WHERE t.development_id IN ({marks}) AND t.voided_at IS NULL",
            development_ids,
        )
        grouped: dict[str, list[Any]] = {}
        rows = c.fetchall()
        for row in rows:
            grouped.setdefault(row["development_id"], []).append(row)
        contents = self.log_contents(c, [row["position"] for row in rows])
        c.execute(
            f"DELETE FROM versions WHERE development_id IN ({marks})",  # noqa: S608
            development_ids,
        )
        self._insert_versions(
            c,
            (
                (
                    development_id,
                    rows[0]["kind"],
                    [
                        Telling(
                            position=row["position"],
                            version=row["version"],
                            report_id=row["report_id"],
                            known_lower=row["published_lower"],
                            known_upper=row["published_upper"],
                            fields=contents[row["position"]].get("fields", {}),
                            retraction=bool(row["retraction"]),
                            origin=contents[row["position"]].get("origin"),
                            quote=contents[row["position"]].get("quote"),
                        )
                        for row in rows
                    ],
                )
                for development_id, rows in grouped.items()
            ),
        )

    @staticmethod
    def _insert_versions(
        c: Statements, developments: Iterable[tuple[str, str, Sequence[Telling]]]
    ) -> None:
        """The version rows of each (development id, kind, standing tellings), folded."""
        c.executemany(
            INSERT_VERSION,
            [
                version_row
                for development_id, kind, tellings in developments
                for version_row in version_rows(development_id, kind, tellings)
            ],
        )

    @staticmethod
    def _put_aliases(c: Statements, actor_id: str, aliases: Sequence[str]) -> None:
        c.executemany(
            "INSERT INTO actor_aliases VALUES (?,?,?) ON CONFLICT DO NOTHING",
            [(alias_key(alias), alias, actor_id) for alias in aliases],
        )
