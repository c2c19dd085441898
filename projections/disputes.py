"""Which value of a field the fold shows when accounts of equal standing disagree, and
the values it then lists under ``disputed``.

An account's standing is when its report was published. One account replaces another
only if its report was certainly published later (its earliest possible day after the
other's latest), or, within one report, if it comes later in the log: the one place
where log order counts. Accounts that neither replaces are of equal standing (the same
day, or overlapping uncertain dates); when their values differ, one rule picks the value
shown, so that the answer follows from the reports alone, whatever order they were
recorded in:

1. the more precise value: a time of day over a day, a narrower date interval;
2. the value given by the most independent origins (an account's ``origin`` where
   it names one, else its report: each report counts as its own origin);
3. the first value by its JSON serialisation (keys sorted): arbitrary, but stable.

A field a type combines with "first" (words said once: a quotation) keeps the value on
record first: that of the reports certainly published earliest (the earliest latest
possible day), picked by the same rule where several were; a later retelling, often a
paraphrase, does not replace it, even one that may have been published as early. The
wordings of accounts that stand level with those first ones (the same day, or an
uncertain date that overlaps theirs) are listed under ``disputed``; a certainly later
retelling's is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

import orjson


class Candidate(NamedTuple):
    """One account's value of one field, with what decides its standing."""

    value: Any
    report_id: str
    known_lower: str
    known_upper: str
    position: int
    # Where its information comes from (``tracker.names.origin_key``): the origin it
    # names, as names match, else its report as its own.
    origin: tuple[str, str]


def replaces(later: Candidate, earlier: Candidate) -> bool:
    """Whether ``later`` certainly comes after ``earlier``: its report was certainly
    published later, or it comes later in the log among one report's accounts."""
    if later.report_id == earlier.report_id:
        return later.position > earlier.position
    return later.known_lower > earlier.known_upper


def latest_candidates(candidates: list[Candidate], new: Candidate) -> list[Candidate]:
    """The accounts of a field that no other replaces, once ``new`` is among them."""
    if any(replaces(kept, new) for kept in candidates):
        return candidates
    return [kept for kept in candidates if not replaces(new, kept)] + [new]


def earliest(candidates: Sequence[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """The accounts first on record: those of the reports certainly known first (the
    earliest latest-possible publication), each report's first in the log; and with
    them every account that stands level with one of them (not certainly later), whose
    other wording is a dispute. A certainly later retelling is neither."""
    first_day = min(candidate.known_upper for candidate in candidates)
    found = [one for one in candidates if one.known_upper == first_day]
    first = [one for one in found if not any(replaces(one, other) for other in found)]
    level = [one for one in candidates if not all(replaces(one, other) for other in first)]
    return first, level


def _key(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _precision(value: Any) -> tuple[int, int]:
    """How precise a value is: a date with a time of day over one without, then the
    narrower interval; every other value is as precise as any other."""
    if not (isinstance(value, dict) and "lower" in value and "upper" in value):
        return 0, 0
    try:
        width = (date.fromisoformat(value["upper"]) - date.fromisoformat(value["lower"])).days
    except (TypeError, ValueError):  # a year beyond what Python's dates hold
        width = 0
    return int(value.get("instant") is not None), -width


class Ranked(NamedTuple):
    value: Any
    reports: list[str]
    rank: tuple[Any, ...]


def ranked(candidates: Iterable[Candidate], order: dict[str, tuple[str, str]]) -> list[Ranked]:
    """The distinct values of ``candidates``, the one the fold shows first, each with
    the reports giving it in publication order (``order``: a report's bounds)."""
    by_value: dict[bytes, list[Candidate]] = {}
    for candidate in candidates:
        by_value.setdefault(_key(candidate.value), []).append(candidate)
    values = []
    for key, giving in by_value.items():
        value = giving[0].value
        origins = len({candidate.origin for candidate in giving})
        reports = sorted({c.report_id for c in giving}, key=lambda r: (*order[r], r))
        precision, width = _precision(value)
        values.append(Ranked(value, reports, (-precision, -width, -origins, key)))
    return sorted(values, key=lambda item: item.rank)


def chosen(
    candidates: Sequence[Candidate], everyone: Sequence[Candidate] | None = None
) -> tuple[Any, list[dict[str, Any]] | None]:
    """The value shown of a field whose standing accounts are ``candidates``, and its
    dispute: each distinct value among ``everyone`` (the candidates unless given), the
    shown one first, as ``{"value", "reports"}``; None if they all agree."""
    listed = candidates if everyone is None else everyone
    if len(listed) == 1 or all(_same(one.value, listed[0].value) for one in listed[1:]):
        return listed[0].value, None
    order = {c.report_id: (c.known_upper, c.known_lower) for c in listed}
    shown = ranked(candidates, order)[0].value
    values = ranked(listed, order)
    values.sort(key=lambda item: not _same(item.value, shown))  # stable: shown first
    return shown, [{"value": item.value, "reports": item.reports} for item in values]


def _same(one: Any, other: Any) -> bool:
    return bool(one == other) and _key(one) == _key(other)
