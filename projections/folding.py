"""Folding one development's accounts into its knowledge-time versions.

A development's state changes only when a report that tells of it is published. So
its accounts, ordered by when their reports became certainly known, cut knowledge time
into intervals; each interval gets one version row holding the merged fields as known
throughout it. A query at knowledge date K picks the version whose interval holds K,
without folding anything itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import groupby, repeat
from operator import attrgetter, is_not
from typing import Any

import attrs

from tracker.dates import OPEN_LOWER, OPEN_UPPER


@attrs.frozen
class Telling:
    """An account or a retraction of a development, as the fold sees it."""

    position: int
    version: int
    report_id: str
    known_lower: str  # earliest possible publication of its report
    known_upper: str  # latest possible publication: from then on it is certainly known
    fields: dict[str, Any]  # read-model JSON form; empty for a retraction
    retraction: bool = False


@attrs.frozen
class Version:
    known_from: str
    known_until: str
    retracted: bool
    fields: dict[str, Any]
    account_count: int
    reports: tuple[str, ...]
    first_known: str  # earliest publication bound among the accounts so far
    revisions: int  # accounts that changed what is known of it

    @property
    def occurred_bounds(self) -> tuple[str, str]:
        """When the development happened, at the latest: if no account dates it, a
        report can only tell of what happened by its own publication."""
        occurred = self.fields.get("occurred")
        if occurred:
            return occurred["lower"], occurred["upper"]
        return OPEN_LOWER, self.first_known


def fold(tellings: Sequence[Telling]) -> list[Version]:
    if len(tellings) == 1 and not tellings[0].retraction:
        [told] = tellings
        return [only_version(told.report_id, told.known_upper, dict(told.fields))]
    return _fold_groups(_Folding(), _groups(tellings))


def only_version(report_id: str, known_upper: str, fields: dict[str, Any]) -> Version:
    """The version of a development told by one account alone (most are): the general
    fold's, at half the cost. It keeps ``fields``."""
    told = any(map(is_not, fields.values(), repeat(None)))  # anything at all
    return Version(known_upper, OPEN_UPPER, False, fields, 1, (report_id,), known_upper, int(told))


def fold_onto(latest: Version, tellings: Iterable[Telling]) -> list[Version] | None:
    """The versions that replace ``latest``, a development's last version, once
    ``tellings`` are folded in after the tellings it holds; the same versions as folding
    them all again. None when one of them would sort among the tellings already folded
    (a report dated before ``latest`` began, or an uncertain one on its first day),
    which only a fold of all the tellings can place."""
    after = fold_after(latest, tellings)
    if after is None:
        return None
    ends, versions = after
    if ends is None:
        return versions
    return [attrs.evolve(latest, known_until=ends), *versions]


def fold_after(
    latest: Version, tellings: Iterable[Telling]
) -> tuple[str | None, list[Version]] | None:
    """``fold_onto`` as a change to make: when ``latest`` stays as it is and only ends,
    the day it ends and the versions that follow it; otherwise None and the versions
    that replace it. (Nearly always it only ends: a view updates one column of its row
    instead of writing the row again.)"""
    groups = _groups(tellings)
    if not groups:
        return None, [latest]
    first = groups[0][0]
    if first.known_upper < latest.known_from:
        return None
    if first.known_upper == latest.known_from and first.known_lower != first.known_upper:
        # Told on the day ``latest`` began: it sorts after the accounts of that day only
        # if it cannot have been published earlier (later positions come later).
        return None
    folding = _Folding(
        fields=dict(latest.fields),
        retracted=latest.retracted,
        account_count=latest.account_count,
        revisions=latest.revisions,
        reports=list(latest.reports),
        first_known=latest.first_known,
    )
    if first.known_upper == latest.known_from:  # the day ``latest`` began goes on
        return None, _fold_groups(folding, groups)
    return first.known_upper, _fold_groups(folding, groups)


_FOLD_ORDER = attrgetter("known_upper", "known_lower", "position")
_KNOWN_DAY = attrgetter("known_upper")


def _groups(tellings: Iterable[Telling]) -> list[list[Telling]]:
    """Tellings in the order they became certainly known, grouped by that day."""
    ordered = sorted(tellings, key=_FOLD_ORDER)
    return [list(group) for _, group in groupby(ordered, key=_KNOWN_DAY)]


@attrs.define
class _Folding:
    """What the tellings folded so far make known."""

    fields: dict[str, Any] = attrs.Factory(dict)
    retracted: bool = False
    account_count: int = 0
    revisions: int = 0
    reports: list[str] = attrs.Factory(list)
    first_known: str = OPEN_UPPER

    def add(self, telling: Telling) -> None:
        if telling.retraction:
            self.retracted = True
            return
        if merge_fields(self.fields, telling.fields):
            self.revisions += 1
        self.account_count += 1
        self.first_known = min(self.first_known, telling.known_upper)
        if telling.report_id not in self.reports:
            self.reports.append(telling.report_id)


def _fold_groups(folding: _Folding, groups: list[list[Telling]]) -> list[Version]:
    """One version from each group on, once there is an account to know it by."""
    versions: list[Version] = []
    for index, group in enumerate(groups):
        for telling in group:
            folding.add(telling)
        known_from = group[0].known_upper
        known_until = groups[index + 1][0].known_upper if index + 1 < len(groups) else OPEN_UPPER
        if folding.account_count:
            versions.append(
                Version(
                    known_from,
                    known_until,
                    folding.retracted,
                    dict(folding.fields),
                    folding.account_count,
                    tuple(folding.reports),
                    folding.first_known,
                    folding.revisions,
                )
            )
    return versions


# How a later account's field meets the earlier value; the rest override it.
# Fields that map parties to text: a later account adds or changes one party's entry
# without erasing the others'.
MERGED_BY_KEY = frozenset({"positions"})
# Words someone said are said once: a later report re-quoting them (often paraphrased)
# does not replace the first quotation; history shows the variants as disputed.
KEPT_FIRST = frozenset({"quote"})
# Bumped when these rules, or the rows made from events, change: stored views are rebuilt.
RULES_VERSION = 3


def merge_fields(fields: dict[str, Any], update: dict[str, Any]) -> list[str]:
    """Fold one account into the fields, in place; the names of the fields it changed."""
    changed = []
    for name, value in update.items():
        if name in KEPT_FIRST and name in fields:
            continue
        earlier = fields.get(name)
        if name in MERGED_BY_KEY and isinstance(earlier, dict):
            value = {**earlier, **value}
        fields[name] = value
        if value != earlier:
            changed.append(name)
    return changed
