"""Folding one development's accounts into its knowledge-time versions.

A development's state changes only when a report that tells of it is published. So
its accounts, ordered by when their reports became certainly known, cut knowledge time
into intervals; each interval gets one version row holding the merged fields as known
throughout it. A query at knowledge date K picks the version whose interval holds K,
without folding anything itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
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


def fold(tellings: Iterable[Telling]) -> list[Version]:
    ordered = sorted(tellings, key=lambda t: (t.known_upper, t.known_lower, t.position))
    groups = [list(group) for _, group in groupby(ordered, key=lambda t: t.known_upper)]
    versions: list[Version] = []
    fields: dict[str, Any] = {}
    retracted = False
    account_count = 0
    revisions = 0
    reports: list[str] = []
    first_known = OPEN_UPPER
    for index, group in enumerate(groups):
        for telling in group:
            if telling.retraction:
                retracted = True
                continue
            if merge_fields(fields, telling.fields):
                revisions += 1
            account_count += 1
            first_known = min(first_known, telling.known_upper)
            if telling.report_id not in reports:
                reports.append(telling.report_id)
        known_from = group[0].known_upper
        known_until = groups[index + 1][0].known_upper if index + 1 < len(groups) else OPEN_UPPER
        if account_count:
            versions.append(
                Version(
                    known_from,
                    known_until,
                    retracted,
                    dict(fields),
                    account_count,
                    tuple(reports),
                    first_known,
                    revisions,
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
# Bumped when these rules change, so stored views are rebuilt.
RULES_VERSION = 2


def merge_fields(fields: dict[str, Any], update: dict[str, Any]) -> list[str]:
    """Fold one account into the fields, in place; the names of the fields it changed."""
    before = dict(fields)
    for name, value in update.items():
        if name in KEPT_FIRST and name in fields:
            continue
        if name in MERGED_BY_KEY and isinstance(fields.get(name), dict):
            fields[name] = {**fields[name], **value}
        else:
            fields[name] = value
    return [name for name in update if fields.get(name) != before.get(name)]
