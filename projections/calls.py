"""Held calls per set of participants, and the call counts claimed beside them: the
sets, each one's latest calls and count, and its latest claim, read from the partial
indexes ``calls_by_participants`` and ``call_count_claims``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeGuard

from projections.answers import latest_items, text_of, version_fields
from projections.schema import (
    CALL_COUNT_CLAIM,
    CALL_OR_CALL_COUNT,
    HELD_CALL,
    STANDING_AT,
    on_table,
)
from projections.state_counts import CountQueries, shifted_day, sort_key_bound
from tracker.chunks import IN_LIST, chunks
from tracker.state import CallGroup

# An OFFSET past any list: "no limit" for a query that takes the limit-th item.
UNLIMITED = 2**62


class CallQueries(CountQueries):
    """Sets of participants, their held calls and their claimed counts."""

    def participant_sets(
        self, as_of: str, known_at: str, claims_at: str
    ) -> dict[str, tuple[str, str] | None]:
        """Every set of participants with a held call that certainly happened by D, as
        known at K, or else an asserting call-count claim standing at ``claims_at``:
        the sort key and id of its latest such call (None for a set with a claim only).

        One statement over the index ``calls_by_participants``: a recursive CTE finds
        each set with one seek (a loose index scan, not a walk over every call); a
        set's latest call is the first that qualifies walking back from D, and only
        a set without one is looked at for a claim: a few rows per set, however many
        calls the log holds.
        """
        index = self._using("calls_by_participants")
        first = (
            f"SELECT participants FROM versions{index}"  # noqa: S608
            f" WHERE {on_table(CALL_OR_CALL_COUNT)}"
            " AND participants IS NOT NULL ORDER BY participants LIMIT 1"
        )
        after = (
            f"SELECT n.participants FROM versions AS n{index}"  # noqa: S608
            f" WHERE {on_table(CALL_OR_CALL_COUNT, 'n')} AND n.participants > sets.participants"
            " ORDER BY n.participants LIMIT 1"
        )
        happened = STANDING_AT + " AND {t}occurred_upper <= ?"
        with self._reading() as c:
            c.execute(
                f"WITH RECURSIVE sets(participants) AS (SELECT ({first})"  # noqa: S608
                f" UNION ALL SELECT ({after}) FROM sets WHERE sets.participants IS NOT NULL)"
                # "sort key id" of the latest call, else '' if there is a claim.
                " SELECT participants, COALESCE((SELECT w.sort_key || ' ' || w.development_id"
                f" FROM versions AS w{index} WHERE {on_table(CALL_OR_CALL_COUNT, 'w')}"
                f" AND {on_table(HELD_CALL, 'w')} AND w.participants = sets.participants"
                f" AND w.sort_key < ? AND {on_table(happened, 'w')}"
                " ORDER BY w.kind DESC, w.sort_key DESC, w.development_id DESC LIMIT 1),"
                " CASE WHEN EXISTS (SELECT 1"
                f" FROM versions AS k{index} WHERE {on_table(CALL_OR_CALL_COUNT, 'k')}"
                f" AND {on_table(CALL_COUNT_CLAIM, 'k')} AND k.participants = sets.participants"
                f" AND {on_table(STANDING_AT, 'k')}) THEN '' END) AS latest"
                " FROM sets WHERE participants IS NOT NULL",
                (sort_key_bound(as_of), known_at, known_at, as_of, claims_at, claims_at),
            )
            rows = c.fetchall()
        found: dict[str, tuple[str, str] | None] = {}
        for row in rows:
            if row["latest"]:
                sort_key, development_id = row["latest"].split(" ", 1)
                found[row["participants"]] = (sort_key, development_id)
            elif row["latest"] is not None:
                found[row["participants"]] = None
        return found

    def held_calls_by_participants(
        self,
        as_of: str,
        known_at: str,
        participants: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> dict[str, tuple[int, list[dict[str, Any]]]]:
        """Per set of participants (these, or all), the held calls that certainly
        happened by D, as known at K: how many, and the keys (``development_id``,
        ``known_from``, ``sort_key``) of the latest ``limit`` of them (all without a
        limit), oldest first.

        One statement: the count per set walks that set's calls in the index
        ``calls_by_participants``; the ``limit``-th latest call's sort key (a subquery
        walking back from D) bounds a short range of them to return.
        """
        happened = STANDING_AT + " AND {t}occurred_upper <= ?"
        happened_params = (known_at, known_at, as_of)
        bound = sort_key_bound(as_of)
        offset = (limit or UNLIMITED) - 1
        index = self._using("calls_by_participants")
        held = f"{on_table(CALL_OR_CALL_COUNT)} AND {on_table(HELD_CALL)}"
        groups: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        runs = [None] if participants is None else list(chunks(sorted(participants), IN_LIST))
        with self._reading() as c:
            for chunk in runs:
                among = (
                    "" if chunk is None else f" AND participants IN ({','.join('?' * len(chunk))})"
                )
                c.execute(
                    "SELECT g.participants, g.recorded, v.development_id, v.known_from,"  # noqa: S608
                    " v.sort_key"
                    f" FROM (SELECT participants, COUNT(*) AS recorded FROM versions{index}"
                    f" WHERE {held} AND participants IS NOT NULL{among}"
                    f" AND {on_table(happened)} GROUP BY participants) AS g"
                    f" CROSS JOIN versions AS v{index}"
                    f" WHERE {on_table(CALL_OR_CALL_COUNT, 'v')} AND {on_table(HELD_CALL, 'v')}"
                    " AND v.participants = g.participants"
                    " AND v.sort_key < ? AND v.sort_key >= COALESCE((SELECT w.sort_key"
                    f" FROM versions AS w{index} WHERE {on_table(CALL_OR_CALL_COUNT, 'w')}"
                    f" AND {on_table(HELD_CALL, 'w')}"
                    " AND w.participants = g.participants AND w.sort_key < ?"
                    f" AND {on_table(happened, 'w')}"
                    " ORDER BY w.sort_key DESC LIMIT 1 OFFSET ?), '')"
                    f" AND {on_table(happened, 'v')}",
                    (
                        *(chunk or ()),
                        *happened_params,
                        *(bound, bound, *happened_params, offset, *happened_params),
                    ),
                )
                for row in c.fetchall():
                    group = groups.setdefault(row["participants"], (int(row["recorded"]), []))
                    group[1].append(
                        {key: row[key] for key in ("development_id", "known_from", "sort_key")}
                    )
        for _, calls in groups.values():
            # Calls tied with the limit-th latest come back too: keep the latest.
            calls.sort(key=lambda call: (call["sort_key"], call["development_id"]))
            del calls[: max(0, len(calls) - (limit or len(calls)))]
        return groups

    def latest_call_count_claims(
        self, known_at: str, participants: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """For each of these sets of participants, the latest asserting call-count
        claim standing at K (latest by when it was made, then by when it became known,
        then in the order of versions), with its data: for each set, the first claim
        that stands at K walking back in the index ``call_count_claims``."""
        index = self._using("call_count_claims")
        chosen: dict[str, str] = {}
        with self._reading() as c:
            for chunk in chunks(sorted(participants), IN_LIST):
                sets = ", ".join("(?)" for _ in chunk)
                c.execute(
                    f"WITH sets(participants) AS (VALUES {sets})"  # noqa: S608
                    " SELECT participants, (SELECT w.development_id"
                    f" FROM versions AS w{index} WHERE {on_table(CALL_COUNT_CLAIM, 'w')}"
                    f" AND w.participants = sets.participants AND {on_table(STANDING_AT, 'w')}"
                    " ORDER BY w.occurred_upper DESC, w.known_from DESC, w.sort_key DESC,"
                    " w.development_id DESC LIMIT 1) AS claim FROM sets",
                    (*chunk, known_at, known_at),
                )
                chosen.update(
                    (row["participants"], row["claim"])
                    for row in c.fetchall()
                    if row["claim"] is not None
                )
        versions = self.versions_of(list(chosen.values()), known_at, columns=("occurred_upper",))
        return {key: versions[development_id] for key, development_id in chosen.items()}

    def held_calls_after(self, as_of: str, known_at: str, participants: str, after: str) -> int:
        """How many held calls of a set of participants certainly happened after the
        day ``after`` and by D, as known at K: those a count claimed on ``after`` could
        not have counted. A call's sort key is at most a day before its earliest
        possible day (a UTC instant), so the index ``calls_by_participants`` is read
        from the day before ``after`` on: only the calls since the claim."""
        index = self._using("calls_by_participants")
        happened = STANDING_AT + " AND {t}occurred_upper <= ?"
        with self._reading() as c:
            c.execute(
                f"SELECT COUNT(*) AS n FROM versions{index}"  # noqa: S608
                f" WHERE {on_table(CALL_OR_CALL_COUNT)} AND {on_table(HELD_CALL)}"
                f" AND participants = ? AND sort_key >= ? AND sort_key < ?"
                f" AND {on_table(happened)} AND occurred_lower > ?",
                (
                    participants,
                    shifted_day(after, -1),
                    sort_key_bound(as_of),
                    known_at,
                    known_at,
                    as_of,
                    after,
                ),
            )
            return int(c.fetchone()["n"])


def call_groups_window(
    view: CallQueries, as_of: str, known_at: str, limit: int | None
) -> tuple[int, list[CallGroup]]:
    """How many sets of participants have calls (certain or possible) or a claimed
    count, and the ``limit`` most recently active of them (all without a limit), by
    participants, each with the latest ``limit`` of its calls.

    Most recently active: by the latest call that happened or possibly happened by
    D; sets with only a claimed count come after those with calls.
    """
    # Claims known at K from reports published by D: as known at the earlier.
    claims_at = min(as_of, known_at)
    with view.snapshot():
        sets = view.participant_sets(as_of, known_at, claims_at)
        _, possible_rows = view.possibly_happened("call", as_of, known_at, status="held")
        possible: dict[str, list[str]] = defaultdict(list)
        active = {key: latest for key, latest in sets.items() if latest is not None}
        for row in reversed(possible_rows):  # oldest first
            key = row["participants"]
            if key is not None:
                possible[key].append(row["development_id"])
                mark = (row["sort_key"], row["development_id"])
                active[key] = max(active.get(key, mark), mark)
        everyone = sorted(set(sets) | set(possible))
        # Python's sort is stable: sets with only a claim stay in participants order.
        everyone.sort(key=lambda key: (key in active, active.get(key, ("", ""))), reverse=True)
        shown = everyone[:limit]
        held = view.held_calls_by_participants(
            as_of, known_at, None if limit is None else shown, limit
        )
        last = view.versions_of(
            [calls[-1]["development_id"] for _, calls in held.values() if calls],
            known_at,
            columns=(),
        )
        claims = view.latest_call_count_claims(claims_at, shown)
        # A claimed count speaks as of the claim's day (its latest possible date, or
        # its first report's publication): held calls certainly after that day were
        # not in it, and add to it.
        since_claim = {
            key: view.held_calls_after(as_of, known_at, key, claim["occurred_upper"])
            for key, claim in claims.items()
            if _a_number(version_fields(claim).get("value"))
        }
    groups = []
    for key in sorted(shown):
        count, recent = held.get(key, (0, []))
        last_row = last[recent[-1]["development_id"]] if recent else None
        claim = claims.get(key)
        claimed = version_fields(claim).get("value") if claim else None
        added = since_claim.get(key, 0)
        gap = None
        if _a_number(claimed):
            claimed += added
            gap = claimed - count
        possible_ids = possible.get(key, [])
        groups.append(
            CallGroup(
                participants=tuple(key.split(",")),
                count=count,
                calls=tuple(call["development_id"] for call in recent),
                last=last_row["development_id"] if last_row else None,
                last_occurred=text_of(version_fields(last_row).get("occurred"))
                if last_row
                else None,
                claimed_count=claimed,
                claimed_by=claim["development_id"] if claim else None,
                possible=tuple(latest_items(possible_ids, limit)),
                possible_count=len(possible_ids),
                gap=gap,
                claimed_as_of=claim["occurred_upper"] if claim else None,
                calls_since_claim=added,
            )
        )
    return len(everyone), groups


def _a_number(value: Any) -> TypeGuard[int]:
    """Whether a claimed count is a whole number (not a flag, nor "undisclosed")."""
    return isinstance(value, int) and not isinstance(value, bool)
