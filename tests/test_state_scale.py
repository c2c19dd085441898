"""The state counted and windowed in SQL says what the plain rules say.

``Queries.state`` counts in SQL over partial indexes and returns lists cut to a limit.
Here a reference reads every version known at K and applies the rules of
``projections.queries`` in Python, as the tracker once did, and both are compared on a
generated corpus plus hand-made edge cases (spans across a month's end, a call late in
the evening whose UTC instant falls on the next day, undated developments, versions
superseded within a month and across months, retractions, a meeting told of before it
was held, reports of uncertain date), on each backend, at many pairs of dates.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import attrs
import orjson
import pytest
from click.testing import CliRunner

from bench.generate import write_corpus
from projections.answers import days_before
from projections.queries import STRIKE_WINDOW_DAYS, Queries
from projections.upcoming import UNDATED_UPCOMING_DAYS
from tests.postgres_server import PostgresServer
from tracker.application import Tracker
from tracker.cli import main
from tracker.kinds import KINDS, UPCOMING_STATUSES
from tracker.presenters import render_state
from tracker.state import STALE_AFTER_DAYS
from tracker.store import StoreLocation

CORPUS_SIZE = 2500
SEED = 11

EDGE_RECORDS: list[dict[str, Any]] = [
    {"type": "actor", "id": "edge-a", "name": "Edge A"},
    {"type": "actor", "id": "edge-b", "name": "Edge B"},
    {"type": "report", "id": "edge-r1", "outlet": "Edge", "published": "2024-01-20",
     "text": "One."},
    {"type": "report", "id": "edge-r2", "outlet": "Edge", "published": "2024-03-05",
     "text": "Two."},
    {"type": "report", "id": "edge-r3", "outlet": "Edge", "published": "2024-03-12",
     "text": "Three."},
    {"type": "report", "id": "edge-r4", "outlet": "Edge", "published": "2024-03-20/2024-04-10",
     "text": "Four."},
    {"type": "report", "id": "edge-r5", "outlet": "Edge", "published": "2024-05-10",
     "text": "Five."},
    {"type": "report", "id": "edge-r6", "outlet": "Edge", "published": "2024-04-01",
     "text": "Six."},
    {"type": "report", "id": "edge-r7", "outlet": "Edge", "published": "2024-04-20",
     "text": "Seven."},
    # Superseded within a month that its first version began on the first day of.
    {"type": "strike", "id": "edge-s7", "report": "edge-r6", "target": "dam",
     "occurred": "2024-03-31"},
    {"type": "strike", "id": "edge-s7", "report": "edge-r7", "effects": "flooding"},
    # Superseded across months: dated anew six weeks later.
    {"type": "strike", "id": "edge-s1", "report": "edge-r1", "target": "depot",
     "occurred": "2024-01-19"},
    {"type": "strike", "id": "edge-s1", "report": "edge-r2", "occurred": "2024-01-18"},
    # Superseded within a month, then retracted.
    {"type": "strike", "id": "edge-s2", "report": "edge-r2", "target": "bridge",
     "occurred": "2024-03-01"},
    {"type": "strike", "id": "edge-s2", "report": "edge-r3", "effects": "none"},
    {"type": "retraction", "target": "edge-s2", "report": "edge-r5", "reason": "denied"},
    # Spans across a month's end, a whole year, and no date at all.
    {"type": "strike", "id": "edge-s3", "report": "edge-r3", "target": "port",
     "occurred": "2024-02-27/2024-03-04"},
    {"type": "strike", "id": "edge-s4", "report": "edge-r3", "target": "plant",
     "occurred": "2023"},
    {"type": "strike", "id": "edge-s5", "report": "edge-r3", "target": "rail"},
    # Dated to its month, told mid-month: certain only from the month's end.
    {"type": "strike", "id": "edge-s6", "report": "edge-r5", "target": "school",
     "occurred": "2024-05"},
    # Late in the evening in Washington: the next day in UTC.
    {"type": "call", "id": "edge-c1", "report": "edge-r2", "participants": ["edge-a", "edge-b"],
     "occurred": "2024-03-04T23:30:00-05:00"},
    {"type": "call", "id": "edge-c2", "report": "edge-r3", "participants": ["edge-a", "edge-b"]},
    {"type": "call", "id": "edge-c3", "report": "edge-r4", "participants": ["edge-a", "edge-b"],
     "occurred": "2024-03"},
    # After the claim's day (its report's, edge-r3): a call the count could not hold,
    # late on the 13th in Asia, on the 12th in UTC.
    {"type": "call", "id": "edge-c4", "report": "edge-r5", "participants": ["edge-a", "edge-b"],
     "occurred": "2024-03-13T01:00:00+05:00"},
    {"type": "claim", "id": "edge-k1", "report": "edge-r3", "subject": "call-count",
     "participants": ["edge-a", "edge-b"], "value": 5, "claimant": "edge-a"},
    # Held after the day it was first told of: still ahead before then.
    {"type": "meeting", "id": "edge-m1", "report": "edge-r3", "participants": ["edge-a", "edge-b"],
     "status": "held", "occurred": "2024-03-18"},
    # Scheduled for the 8th, then told on the 12th that it is held on the 14th: on the
    # 10th it was overdue, though held later.
    {"type": "meeting", "id": "edge-m3", "report": "edge-r2", "participants": ["edge-a", "edge-b"],
     "status": "scheduled", "planned": "2024-03-08"},
    {"type": "meeting", "id": "edge-m3", "report": "edge-r3", "status": "held",
     "occurred": "2024-03-14"},
    {"type": "meeting", "id": "edge-m2", "report": "edge-r3", "participants": ["edge-a", "edge-b"],
     "status": "proposed"},
]  # fmt: skip

EDGE_DATES = [
    ("2024-01-19", "2024-02-15"),
    ("2024-01-18", "2024-03-10"),
    ("2024-03-02", "2024-03-12"),
    ("2024-03-04", "2024-03-12"),
    ("2024-03-05", "2024-03-12"),
    ("2024-03-10", "2024-03-12"),
    ("2024-03-15", "2024-03-12"),
    ("2024-04-01", "2024-04-05"),
    ("2024-06-01", "2024-04-15"),
    ("2024-05-20", "2024-05-25"),
    ("2024-06-01", "2024-06-01"),
    ("2023-06-01", "2024-03-12"),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def corpus_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tracker]:
    """The corpus and the edge cases in one store per backend, for the whole module:
    every test here only reads it."""
    folder = tmp_path_factory.mktemp("corpus")
    if request.param == "sqlite":
        store_url = f"sqlite:///{folder / 'tracker.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        store_url = server.store_url(f"t_{uuid.uuid4().hex[:16]}")
    corpus = folder / "corpus.ndjson"
    write_corpus(corpus, CORPUS_SIZE, seed=SEED)
    edges = folder / "edges.ndjson"
    edges.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in EDGE_RECORDS))
    result = CliRunner().invoke(
        main, ["--store", store_url, "import", str(corpus), str(edges), "--base", str(folder)]
    )
    assert result.exit_code == 0, result.output
    tracker = Tracker.open(StoreLocation.parse(store_url))
    tracker.catch_up()
    yield tracker
    tracker.close()


def date_pairs() -> list[tuple[str, str]]:
    """The edge cases' dates, and (as of, known at) pairs like the benchmark's."""
    rng = random.Random(SEED)
    first = date(2022, 2, 24)

    def day(offset: int) -> str:
        return (first + timedelta(days=max(offset, 0))).isoformat()

    pairs = list(EDGE_DATES)
    for _ in range(25):
        known = rng.randint(0, 4 * 365 + 30)
        pairs.append((day(known + rng.randint(-180, 30)), day(known)))
    return pairs


def test_the_state_is_what_the_rules_say(corpus_store: Tracker) -> None:
    queries = Queries(corpus_store.view, corpus_store.name)
    reference = Reference(corpus_store)
    for as_of, known_at in date_pairs():
        expected, activity = reference.state(as_of, known_at)
        everything = plain(queries.state(as_of, known_at, limit=None))
        assert (as_of, known_at, everything) == (as_of, known_at, expected)

        for limit in (1, 3):
            cut = plain(queries.state(as_of, known_at, limit=limit))
            assert (as_of, known_at, limit, cut) == (
                as_of,
                known_at,
                limit,
                windowed(expected, activity, limit),
            )


def test_changes_read_only_what_changed(corpus_store: Tracker) -> None:
    queries = Queries(corpus_store.view, corpus_store.name)
    reference = Reference(corpus_store)
    for as_of, known_at in date_pairs():
        after = (date.fromisoformat(known_at) + timedelta(days=20)).isoformat()
        for scope in (None, as_of):
            assert plain(queries.changes(known_at, after, scope)) == reference.changes(
                known_at, after, scope
            )


def test_the_text_says_how_much_was_left_out(corpus_store: Tracker) -> None:
    queries = Queries(corpus_store.view, corpus_store.name)
    state = queries.state("2025-06-01", "2025-06-01", limit=2)
    assert state.strikes_total > 2
    text = render_state(state)
    assert f"… and {state.strikes_total - 2:,} more" in text
    assert f"Strikes: {state.strike_count:,} by 2025-06-01; {state.strikes_total:,} since" in text
    assert f"… and {state.calls_total - 2:,} more" in text


# -- the reference: every version known at K, filtered in Python -------------------------


def plain(value: Any) -> Any:
    if attrs.has(type(value)):
        return {key: plain(item) for key, item in attrs.asdict(value, recurse=False).items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def windowed(
    state: dict[str, Any], activity: dict[tuple[str, ...], tuple[str, str]], limit: int
) -> dict[str, Any]:
    """The full state cut as ``Queries.state`` cuts it: the sets of participants most
    recently active (by their latest call, certain or possible; those with only a
    claimed count after them), by participants; the latest items (the soonest next
    meetings, the newest strikes first, the first reports by id); the totals."""
    cut = dict(state, list_limit=limit)

    def recency(group: dict[str, Any]) -> tuple[bool, tuple[str, str]]:
        key = tuple(group["participants"])
        return (key in activity, activity.get(key, ("", "")))

    shown = sorted(state["calls"], key=recency, reverse=True)[:limit]
    cut["calls"] = [
        dict(group, calls=group["calls"][-limit:], possible=group["possible"][-limit:])
        for group in sorted(shown, key=lambda group: group["participants"])
    ]
    cut["next_meetings"] = state["next_meetings"][:limit]
    cut["overdue"] = state["overdue"][-limit:]
    cut["strikes"] = state["strikes"][:limit]
    cut["plans"] = state["plans"][-limit:]
    cut["open_issues"] = state["open_issues"][-limit:]
    cut["possible"] = {
        "calls": state["possible"]["calls"][-limit:],
        "strikes": state["possible"]["strikes"][-limit:],
        "reports": state["possible"]["reports"][:limit],
    }
    return cut


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = row["data"]["fields"]
    return fields


def _text(value: Any) -> str | None:
    return None if value is None else str(value["text"])


def _happened(row: dict[str, Any], as_of: str) -> bool:
    return bool(row["occurred_upper"] <= as_of)


def _number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _possibly(row: dict[str, Any], as_of: str) -> bool:
    return bool(row["occurred_lower"] <= as_of < row["occurred_upper"])


class Reference:
    """The rules of ``projections.queries``, applied in Python to every version."""

    def __init__(self, tracker: Tracker) -> None:
        self.view = tracker.view
        self.name = tracker.name
        # A development's tellings are the same at every pair of dates; the rules
        # filter them by date in Python. Read once, a PostgreSQL store is not asked
        # again for each development at each pair.
        self._tellings: dict[str, list[dict[str, Any]]] = {}

    def tellings(self, development_id: str) -> list[dict[str, Any]]:
        if development_id not in self._tellings:
            self._tellings[development_id] = self.view.tellings(development_id)
        return self._tellings[development_id]

    def versions(self, kinds: tuple[str, ...], known_at: str) -> list[dict[str, Any]]:
        return self.view.current_versions(kinds, known_at)

    def state(
        self, as_of: str, known_at: str
    ) -> tuple[dict[str, Any], dict[tuple[str, ...], tuple[str, str]]]:
        """The whole state, and when each set of participants with calls was last
        active (its latest call, certain or possible)."""
        since = days_before(as_of, STRIKE_WINDOW_DAYS)
        strikes = [row for row in self.versions(("strike",), known_at) if _happened(row, as_of)]
        window = [row for row in strikes if row["occurred_upper"] >= since]
        possible_strikes = [
            row for row in self.versions(("strike",), known_at) if _possibly(row, as_of)
        ]
        possible_calls = [
            row
            for row in self.versions(("call",), known_at)
            if row["status"] == "held" and _possibly(row, as_of)
        ]
        groups, activity = self.call_groups(as_of, known_at)
        upcoming = self.upcoming(as_of, known_at)
        overdue = self.overdue(as_of, known_at)
        plans = [
            self.plan(row, known_at)
            for row in self.versions(("plan",), known_at)
            if _happened(row, as_of)
        ]
        quiet_since = days_before(min(as_of, known_at), STALE_AFTER_DAYS)
        issues = [
            self.issue(row, known_at, quiet_since)
            for row in self.versions(("issue",), known_at)
            if _happened(row, as_of) and row["status"] == "open"
        ]
        reports = [
            report["id"]
            for report in sorted(self.view.reports(), key=lambda report: report["id"])
            if report["published_lower"] <= known_at < report["published_upper"]
        ]
        state = {
            "as_of": as_of,
            "known_at": known_at,
            "position": self.view.position(self.name),
            "list_limit": None,
            "calls": groups,
            "calls_total": len(groups),
            "next_meetings": upcoming,
            "next_meetings_total": len(upcoming),
            "overdue": overdue,
            "overdue_total": len(overdue),
            "plans": plans,
            "plans_total": len(plans),
            "open_issues": issues,
            "open_issues_total": len(issues),
            "strike_count": len(strikes),
            "strikes_since": since,
            "strikes": [self.strike(row, known_at) for row in reversed(window)],
            "strikes_total": len(window),
            "possible": {
                "calls": [row["development_id"] for row in possible_calls],
                "strikes": [row["development_id"] for row in possible_strikes],
                "reports": reports,
            },
            "possible_total": {
                "calls": len(possible_calls),
                "strikes": len(possible_strikes),
                "reports": len(reports),
            },
            # The corpus holds the built-in types only: no generic section.
            "listed": [],
        }
        return state, activity

    def call_groups(
        self, as_of: str, known_at: str
    ) -> tuple[list[dict[str, Any]], dict[tuple[str, ...], tuple[str, str]]]:
        certain: dict[str, list[dict[str, Any]]] = defaultdict(list)
        possible: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self.versions(("call",), known_at):
            if row["status"] != "held":
                continue
            if _happened(row, as_of):
                certain[row["participants"]].append(row)
            elif _possibly(row, as_of):
                possible[row["participants"]].append(row)
        claims: dict[str, dict[str, Any]] = {}
        for row in self.versions(("claim",), min(as_of, known_at)):
            if row["subject"] != "call-count" or row["stance"] != "asserts":
                continue
            key = row["participants"]
            if key and (
                key not in claims
                or (row["occurred_upper"], row["known_from"])
                >= (claims[key]["occurred_upper"], claims[key]["known_from"])
            ):
                claims[key] = row
        groups = []
        activity = {}
        for key in sorted(set(certain) | set(possible) | set(claims)):
            rows = sorted(certain[key], key=lambda r: (r["sort_key"], r["development_id"]))
            claim = claims.get(key)
            last = rows[-1] if rows else None
            claimed = _fields(claim).get("value") if claim else None
            # A claimed count speaks as of the claim's day: the held calls certainly
            # after it add to it.
            since = (
                sum(row["occurred_lower"] > claim["occurred_upper"] for row in rows)
                if claim and _number(claimed)
                else 0
            )
            if _number(claimed):
                claimed += since
            calls = [*rows[-1:], *possible[key]]
            if calls:
                activity[tuple(key.split(","))] = max(
                    (row["sort_key"], row["development_id"]) for row in calls
                )
            groups.append(
                {
                    "participants": key.split(","),
                    "count": len(rows),
                    "calls": [row["development_id"] for row in rows],
                    "last": last["development_id"] if last else None,
                    "last_occurred": _text(_fields(last).get("occurred")) if last else None,
                    "claimed_count": claimed,
                    "claimed_by": claim["development_id"] if claim else None,
                    "possible": [row["development_id"] for row in possible[key]],
                    "possible_count": len(possible[key]),
                    "gap": claimed - len(rows) if _number(claimed) else None,
                    "claimed_as_of": claim["occurred_upper"] if claim else None,
                    "calls_since_claim": since,
                }
            )
        return groups, activity

    def stood_on(
        self, row: dict[str, Any], as_of: str, known_at: str
    ) -> tuple[str | None, dict[str, Any]]:
        """A development's status and fields as it stood on D. A meeting or call held
        after D had the last other status that an account known at K gave (else
        scheduled, or planned), and was expected at its planned date then (else its
        planned date now, else the day it was held); it had not happened yet."""
        fields = _fields(row)
        occurred = fields.get("occurred")
        call = row["kind"] == "call"
        if row["kind"] not in ("meeting", "call") or fields.get("status") != "held":
            return fields.get("status"), fields
        if not occurred or occurred["lower"] <= as_of:
            return "held", fields
        status, planned = ("planned" if call else "scheduled"), None
        merged: dict[str, Any] = {}
        for telling in self.tellings(row["development_id"]):  # in the fold's order
            if telling["retraction"] or telling["voided_at"] is not None:
                continue
            if telling["published_upper"] > known_at:
                continue
            merged.update(telling["fields"])
            if merged.get("status") not in (None, "held"):
                status = merged["status"]
                planned = merged.get("planned") or (merged.get("occurred") if call else None)
        planned = planned or (occurred if call else fields.get("planned")) or occurred
        shown = {name: value for name, value in fields.items() if name != "occurred"}
        shown["status"] = status
        shown["occurred" if call else "planned"] = planned
        return status, shown

    def upcoming(self, as_of: str, known_at: str) -> list[dict[str, Any]]:
        found = []
        for row in self.versions(("meeting", "call"), known_at):
            if row["first_known"] > as_of:
                continue
            status, fields = self.stood_on(row, as_of, known_at)
            if status not in UPCOMING_STATUSES:
                continue
            planned = fields.get("planned") or (
                fields.get("occurred") if row["kind"] == "call" else None
            )
            if planned is None:
                if row["first_known"] < days_before(as_of, UNDATED_UPCOMING_DAYS):
                    continue
            elif planned["upper"] < as_of:
                continue
            key = (
                (0, planned["lower"], planned.get("instant") or "T24", row["development_id"])
                if planned
                else (1, row["first_known"], "", row["development_id"])
            )
            item = self.upcoming_item(row, status, fields, planned, known_at, overdue=False)
            found.append((key, item))
        return [item for _, item in sorted(found, key=lambda pair: pair[0])]

    def upcoming_item(
        self,
        row: dict[str, Any],
        status: str,
        fields: dict[str, Any],
        planned: dict[str, Any] | None,
        known_at: str,
        *,
        overdue: bool,
    ) -> dict[str, Any]:
        """A meeting or call ahead on D, or overdue on D, as the state lists it."""
        return {
            "id": row["development_id"],
            "kind": row["kind"],
            "participants": list(fields.get("participants", ())),
            "status": status,
            "planned": _text(planned),
            "place": fields.get("place"),
            "reports": row["data"]["reports"],
            "last_reported": self.last_reported(row, known_at),
            "overdue": overdue,
            "disputed": row["data"].get("disputed", {}),
        }

    def overdue(self, as_of: str, known_at: str) -> list[dict[str, Any]]:
        """Meetings and calls still planned on D, known of by D, and no longer ahead: in
        the order they fell due (their planned date's last day; undated, the 30th day
        after their first report)."""
        found = []
        undated_since = days_before(as_of, UNDATED_UPCOMING_DAYS)
        for row in self.versions(("meeting", "call"), known_at):
            if row["first_known"] > as_of:
                continue
            status, fields = self.stood_on(row, as_of, known_at)
            if status not in UPCOMING_STATUSES:
                continue
            planned = fields.get("planned") or (
                fields.get("occurred") if row["kind"] == "call" else None
            )
            if planned is None:
                if row["first_known"] >= undated_since:
                    continue
                due = (
                    date.fromisoformat(row["first_known"]) + timedelta(UNDATED_UPCOMING_DAYS)
                ).isoformat()
            elif planned["upper"] >= as_of:
                continue
            else:
                due = planned["upper"]
            item = self.upcoming_item(row, status, fields, planned, known_at, overdue=True)
            found.append(((due, row["development_id"]), item))
        return [item for _, item in sorted(found, key=lambda pair: pair[0])]

    def last_reported(self, row: dict[str, Any], known_at: str) -> dict[str, str]:
        """The last report, in the order of their first accounts, with a standing
        account known at K, and its latest possible publication day."""
        told = [
            telling
            for telling in self.tellings(row["development_id"])
            if not telling["retraction"]
            and telling["voided_at"] is None
            and telling["published_upper"] <= known_at
        ]
        last = list(dict.fromkeys(telling["report_id"] for telling in told))[-1]
        day = next(t["published_upper"] for t in told if t["report_id"] == last)
        return {"date": day, "report": last}

    def plan(self, row: dict[str, Any], known_at: str) -> dict[str, Any]:
        fields = _fields(row)
        return {
            "id": row["development_id"],
            "label": fields.get("label"),
            "points": fields.get("points"),
            "readiness_pct": fields.get("readiness_pct"),
            "status": fields.get("status"),
            "revisions": row["data"]["revisions"],
            "provisions": list(fields.get("provisions", ())),
            "reports": row["data"]["reports"],
            "last_reported": self.last_reported(row, known_at),
            "disputed": row["data"].get("disputed", {}),  # issue 23, point 1
        }

    def issue(self, row: dict[str, Any], known_at: str, quiet_since: str) -> dict[str, Any]:
        last = self.last_reported(row, known_at)
        return {
            "id": row["development_id"],
            "title": _fields(row).get("title"),
            "status": row["status"],
            "positions": dict(_fields(row).get("positions", {})),
            "reports": row["data"]["reports"],
            "last_reported": last,
            "stale": last["date"] < quiet_since,
            "disputed": row["data"].get("disputed", {}),  # issue 23, point 1
        }

    def strike(self, row: dict[str, Any], known_at: str) -> dict[str, Any]:
        fields = _fields(row)
        return {
            "id": row["development_id"],
            "occurred": _text(fields.get("occurred")),
            "target": fields.get("target"),
            "by": fields.get("by"),
            "weapons": list(fields.get("weapons", ())),
            "effects": fields.get("effects"),
            "reports": row["data"]["reports"],
            "last_reported": self.last_reported(row, known_at),
            "disputed": row["data"].get("disputed", {}),  # issue 23, point 1
        }

    def changes(self, known_from: str, known_to: str, as_of: str | None) -> dict[str, Any]:
        """Every development's version at both days compared (the tracker's old way)."""
        everything = ("call", "meeting", "plan", "strike", "issue", "statement", "claim")
        before = {
            row["development_id"]: row
            for row in self.view.current_versions(everything, known_from, include_retracted=True)
        }
        after = {
            row["development_id"]: row
            for row in self.view.current_versions(everything, known_to, include_retracted=True)
        }
        sections: dict[str, list[dict[str, Any]]] = {
            "added": [],
            "changed": [],
            "retracted": [],
            "claims_added": [],
        }
        for development_id in sorted(set(before) | set(after)):
            old, new = before.get(development_id), after.get(development_id)
            latest = new or old
            assert latest is not None
            old_fields = self.fields_on(old, as_of, known_from)
            new_fields = self.fields_on(new, as_of, known_to)
            if as_of is not None:
                status, fields = self.stood_on(latest, as_of, known_to if new else known_from)
                if status in UPCOMING_STATUSES:
                    planned = fields.get("planned") or (
                        fields.get("occurred") if latest["kind"] == "call" else None
                    )
                    relevant = latest["first_known"] <= as_of and (
                        planned is None or planned["upper"] >= as_of
                    )
                else:
                    occurred = fields.get("occurred")
                    relevant = occurred is None or occurred["lower"] <= as_of
                if not relevant:
                    continue
            alive_before = old is not None and not old["retracted"]
            alive_after = new is not None and not new["retracted"]
            if not alive_before and not alive_after:
                continue
            tellings = [
                row
                for row in self.tellings(development_id)
                if known_from < row["published_upper"] <= known_to and row["voided_at"] is None
            ]
            reports = list(dict.fromkeys(row["report_id"] for row in tellings))
            if alive_after and not alive_before:
                assert new is not None
                names = list(new_fields)
                section = "claims_added" if new["kind"] == "claim" else "added"
                sections[section].append(
                    change(development_id, new, "added", names, {}, new_fields, tellings, reports)
                )
            elif alive_before and not alive_after:
                retractions = [row["report_id"] for row in tellings if row["retraction"]]
                sections["retracted"].append(
                    {
                        "id": development_id,
                        "kind": latest["kind"],
                        "change": "retracted",
                        "fields": [],
                        "reports": retractions,
                    }
                )
            else:
                assert old is not None and new is not None
                names = [
                    name
                    for name in dict.fromkeys([*old_fields, *new_fields])
                    if old_fields.get(name) != new_fields.get(name)
                ]
                if names:
                    sections["changed"].append(
                        change(
                            development_id,
                            new,
                            "changed",
                            names,
                            old_fields,
                            new_fields,
                            tellings,
                            reports,
                        )
                    )
        return {"known_from": known_from, "known_to": known_to, "as_of": as_of, **sections}

    def fields_on(
        self, row: dict[str, Any] | None, as_of: str | None, known_at: str
    ) -> dict[str, Any]:
        """A version's fields, as they stood on D when there is one."""
        if row is None:
            return {}
        return _fields(row) if as_of is None else self.stood_on(row, as_of, known_at)[1]


def change(
    development_id: str,
    row: dict[str, Any],
    kind_of_change: str,
    names: list[str],
    old: dict[str, Any],
    new: dict[str, Any],
    tellings: list[dict[str, Any]],
    reports: list[str],
) -> dict[str, Any]:
    """A change of the fields ``old`` to ``new`` (as they stood on D, with one)."""
    fields = []
    for name in names:
        value = new.get(name)
        giving = [t for t in tellings if not t["retraction"] and name in t["fields"]]
        source = next((t for t in giving if t["fields"][name] == value), None)
        if source is None and giving:
            source = giving[-1]
        fields.append(
            {
                "field": name,
                "old": old.get(name),
                "new": value,
                "report_id": source["report_id"] if source else None,
                "outlet": source["outlet"] if source else None,
            }
        )
    return {
        "id": development_id,
        "kind": row["kind"],
        "change": kind_of_change,
        "fields": fields,
        "reports": reports,
    }


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_counted_and_windowed_as_the_rules_say(
    corpus_store: Tracker, kind: str
) -> None:
    """The partial indexes hold the kinds the state asks about; any other kind is read
    another way, with the same answers."""
    view = corpus_store.view
    reference = Reference(corpus_store)
    for as_of, known_at in date_pairs():
        versions = reference.versions((kind,), known_at)
        happened = [row for row in versions if _happened(row, as_of)]
        since = days_before(as_of, STRIKE_WINDOW_DAYS)
        window = sorted(
            (row for row in happened if row["occurred_upper"] >= since),
            key=lambda row: (row["sort_key"], row["development_id"]),
            reverse=True,
        )
        possibly = {row["development_id"] for row in versions if _possibly(row, as_of)}
        total, latest = view.latest_happened(kind, as_of, known_at, since=since, limit=3)
        possible_total, possible = view.possibly_happened(kind, as_of, known_at)
        assert (as_of, known_at, view.count_happened(kind, as_of, known_at)) == (
            as_of,
            known_at,
            len(happened),
        )
        assert (total, [row["development_id"] for row in latest]) == (
            len(window),
            [row["development_id"] for row in window[:3]],
        )
        assert (possible_total, {row["development_id"] for row in possible}) == (
            len(possibly),
            possibly,
        )
