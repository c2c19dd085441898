"""Claims' stances, one per claimant: how the fold keeps each claimant's latest stance
on a claim apart from every other's, as issue positions are kept per party.

An account of a claim names its claimant (or, naming none, speaks for the claim's own
claimant), with a stance and a value. Each claimant's stance and value stand by the
rule of every other field (``projections.disputes``): a certainly later account of the
same claimant replaces them, equal accounts that differ are disputed. Another
claimant's account never touches them. The claim's own claimant (its top-level
``claimant``) is the claimant of the accounts on record first, an asserting one before
others where several are level, then by report and log order; its ``stance`` and
``value`` are that claimant's. The fold keeps every claimant's under ``stances``,
the claim's own claimant first, then by claimant: ``[{"claimant", "stance", "value",
"report", "quote"}]``, where ``report`` and ``quote`` are those of the latest account
giving the stance shown (as ``claims --json`` gives them).
"""

from __future__ import annotations

from typing import Any

import attrs

from projections.disputes import Candidate, chosen, earliest, latest_candidates
from tracker.kinds import KINDS

# The fields of an account that speak for a claimant, rather than for the claim.
SPOKEN = ("claimant", "stance", "value")


def has_stances(kind: str) -> bool:
    """Whether a type keeps stances per claimant: one with a claimant and a stance."""
    found = _HAS.get(kind)
    if found is None:
        registered = KINDS.get(kind)
        names = {spec.name for spec in registered.fields} if registered is not None else set()
        found = _HAS[kind] = set(SPOKEN) <= names
    return found


_HAS: dict[str, bool] = {}


def field_order(kind: str) -> dict[str, int]:
    """Where each field of a type goes, ``stances`` after them."""
    registered = KINDS.get(kind)
    names = [spec.name for spec in registered.fields] if registered is not None else []
    return {name: index for index, name in enumerate([*names, "stances"])}


def only_stance(fields: dict[str, Any], report_id: str, quote: str | None) -> dict[str, Any]:
    """The one stance of a claim told by one account."""
    return {
        "claimant": fields["claimant"],
        "stance": fields.get("stance", "asserts"),
        "value": fields.get("value"),
        "report": report_id,
        "quote": quote,
    }


def _newest(candidate: Candidate) -> tuple[str, str, str, int]:
    return candidate.known_upper, candidate.known_lower, candidate.report_id, candidate.position


@attrs.define
class Stances:
    """The stances the tellings folded so far make known."""

    # The accounts naming a claimant, for the claim's own claimant (first on record).
    named: list[Candidate] = attrs.Factory(list)
    # Each (part, claimant) -> the accounts that stand: part "stance" or "value";
    # claimant "" for accounts naming none (the claim's own claimant).
    standing: dict[tuple[str, str], list[Candidate]] = attrs.Factory(dict)
    quotes: dict[tuple[str, int], str | None] = attrs.Factory(dict)
    # Where each field goes: the type's order, ``stances`` last.
    order: dict[str, int] = attrs.Factory(dict)

    def add(self, candidate: Candidate, fields: dict[str, Any], quote: str | None) -> None:
        """One account, ``candidate`` standing for it (its value unused)."""
        claimant = fields.get("claimant")
        key = claimant if isinstance(claimant, str) else ""
        if key:
            self.named.append(candidate._replace(value=(key, fields.get("stance", "asserts"))))
        self.quotes[candidate.report_id, candidate.position] = quote
        for part in ("stance", "value"):
            if part in fields:
                self._stand((part, key), candidate._replace(value=fields[part]))

    def _stand(self, name: tuple[str, str], new: Candidate) -> None:
        self.standing[name] = latest_candidates(self.standing.get(name, []), new)

    def carry(self, fields: dict[str, Any], known_from: str) -> None:
        """Stand for the stances as a version holds them, each by one account of its
        report, published by ``known_from``."""
        claimant = fields.get("claimant")
        for entry in fields.get("stances") or ():
            key = entry["claimant"]
            carried = Candidate(
                None, entry.get("report") or "", known_from, known_from, 0, ("", "")
            )
            if key == claimant:
                self.named.append(carried._replace(value=(key, entry.get("stance"))))
            self.quotes[carried.report_id, 0] = entry.get("quote")
            for part in ("stance", "value"):
                self.standing[part, key] = [carried._replace(value=entry.get(part))]

    def original(self) -> str | None:
        """The claim's own claimant: that of the accounts on record first."""
        if not self.named:
            return None
        first, _ = earliest(self.named)
        best = min(first, key=lambda c: (c.value[1] != "asserts", c.report_id, c.position))
        claimant: str = best.value[0]
        return claimant

    def settle(self, fields: dict[str, Any], disputed: dict[str, list[dict[str, Any]]]) -> None:
        """Set the claim's ``claimant``, ``stance``, ``value`` and ``stances`` in
        ``fields``, and their disputes in ``disputed``."""
        own = self.original()
        standing = dict(self.standing)
        for part in ("stance", "value"):
            for unnamed in standing.pop((part, ""), []):
                if own is not None:
                    kept = standing.get((part, own), [])
                    standing[part, own] = latest_candidates(kept, unnamed)
        claimants = sorted({key for _, key in standing}, key=lambda k: (k != own, k))
        stances: dict[str, dict[str, Any]] = {}
        for key in claimants:
            entry: dict[str, Any] = {"claimant": key, "stance": "asserts", "value": None}
            giving: list[Candidate] = []
            for part in ("stance", "value"):
                candidates = standing.get((part, key))
                if not candidates:
                    continue
                value, dispute = chosen(candidates)
                entry[part] = value
                if part == "stance" or not giving:
                    giving = [c for c in candidates if c.value == value]
                if dispute:
                    name = part if key == own else "stances"
                    disputed.setdefault(name, []).extend(
                        item if key == own else {**item, "value": {key: {part: item["value"]}}}
                        for item in dispute
                    )
            newest = max(giving, key=_newest)
            entry["report"] = newest.report_id or None
            entry["quote"] = self.quotes.get((newest.report_id, newest.position))
            stances[key] = entry
        if own is not None and own in stances:
            fields["claimant"] = own
            fields["stance"] = stances[own]["stance"]
            fields["value"] = stances[own]["value"]
        for entry in stances.values():
            if entry["value"] is None:
                entry["value"] = fields.get("value")
        if stances:
            fields["stances"] = list(stances.values())
        in_order(fields, self.order)


def in_order(fields: dict[str, Any], order: dict[str, int]) -> None:
    """Put a claim's fields in the order its type declares them (as a single account
    gives them, ``only_version``), ``stances`` last: the order they are shown and
    compared in follows from the accounts alone, whichever way they were folded."""
    items = sorted(fields.items(), key=lambda item: order.get(item[0], len(order)))
    fields.clear()
    fields.update(items)


def stance_rows(fields: dict[str, Any]) -> list[dict[str, Any]]:
    """A claim's stances as ``claims --json`` gives them (as the fold keeps them)."""
    return list(fields.get("stances") or ())
