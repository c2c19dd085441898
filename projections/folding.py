"""Folding one development's accounts into its knowledge-time versions.

A development's state changes only when a report that tells of it is published. So
its accounts, ordered by when their reports became certainly known, cut knowledge time
into intervals; each interval gets one version row holding the merged fields as known
throughout it. A query at knowledge date K picks the version whose interval holds K,
without folding anything itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby, repeat
from operator import attrgetter, is_not
from typing import Any

import attrs

from tracker.dates import OPEN_LOWER, OPEN_UPPER
from tracker.kinds import KINDS, expected_on_occurred


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
    # The last status the accounts so far gave that does not take effect when it
    # happened (a meeting's "scheduled", not "held"), with its planned date then:
    # {"status": ..., "planned": date or None}, or None. Valid time reads a held
    # meeting as this before it was held (``before_it_happened``).
    earlier: dict[str, Any] | None = None

    @property
    def occurred_bounds(self) -> tuple[str, str]:
        """When the development happened, at the latest: if no account dates it, a
        report can only tell of what happened by its own publication."""
        occurred = self.fields.get("occurred")
        if occurred:
            return occurred["lower"], occurred["upper"]
        return OPEN_LOWER, self.first_known


def fold(kind: str, tellings: Sequence[Telling]) -> list[Version]:
    """The versions of a development of type ``kind``, its fields combined by the rules
    its type declares."""
    if len(tellings) == 1 and not tellings[0].retraction:
        [told] = tellings
        return [only_version(kind, told.report_id, told.known_upper, dict(told.fields))]
    return _fold_groups(_Folding(kind), _groups(tellings))


def only_version(kind: str, report_id: str, known_upper: str, fields: dict[str, Any]) -> Version:
    """The version of a development told by one account alone (most are): the general
    fold's, at half the cost. It keeps ``fields``."""
    told = any(map(is_not, fields.values(), repeat(None)))  # anything at all
    earlier = earlier_status(kind, fields)
    return Version(
        known_upper, OPEN_UPPER, False, fields, 1, (report_id,), known_upper, int(told), earlier
    )


def planned_date(kind: str, fields: Mapping[str, Any]) -> Any:
    """When a development is (or was) expected: its ``planned`` field, or the
    ``occurred`` of a type without one (a planned call is dated by when it is expected)."""
    return fields.get("planned") or (fields.get("occurred") if expected_on_occurred(kind) else None)


def happened_statuses(kind: str) -> Mapping[str, str]:
    """The statuses of a type that take effect when it happened, each with the status
    it had before then by default."""
    registered = KINDS.get(kind)
    return registered.happened if registered is not None else {}


def before_it_happened(
    kind: str, fields: Mapping[str, Any], earlier: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What a development whose status takes effect when it happened (held) was before
    then: the last other status its accounts gave (``earlier``, as ``Version.earlier``
    keeps it), else its type's default; expected at the planned date it had then, else
    its planned date now, else when it happened (the one day known for it)."""
    status = earlier["status"] if earlier else happened_statuses(kind)[fields["status"]]
    planned = (
        (earlier["planned"] if earlier else None)
        or planned_date(kind, fields)
        or fields.get("occurred")
    )
    return {"status": status, "planned": planned}


def earlier_status(kind: str, fields: Mapping[str, Any]) -> dict[str, Any] | None:
    """The status of ``fields`` and its planned date, unless the status is one that
    takes effect when it happened (or there is none)."""
    status = fields.get("status")
    if status is None or status in happened_statuses(kind):
        return None
    return {"status": status, "planned": planned_date(kind, fields)}


def fold_after(
    kind: str, latest: Version, tellings: Iterable[Telling]
) -> tuple[str | None, list[Version]] | None:
    """What folding ``tellings`` in after those ``latest`` (a development's last
    version) holds changes, as a change to make: when ``latest`` stays as it is and only
    ends, the day it ends and the versions that follow it; otherwise None and the
    versions that replace it. (Nearly always it only ends: a view updates one column of
    its row instead of writing the row again.) None instead when one of them would sort
    among the tellings already folded (a report dated before ``latest`` began, or an
    uncertain one on its first day), which only a fold of all the tellings can place."""
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
        kind,
        fields=dict(latest.fields),
        retracted=latest.retracted,
        account_count=latest.account_count,
        revisions=latest.revisions,
        reports=list(latest.reports),
        first_known=latest.first_known,
        earlier=latest.earlier,
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

    kind: str
    fields: dict[str, Any] = attrs.Factory(dict)
    retracted: bool = False
    account_count: int = 0
    revisions: int = 0
    reports: list[str] = attrs.Factory(list)
    first_known: str = OPEN_UPPER
    # The last status that was not a happened one, with its planned date: what a
    # happened status (held) replaces in valid time before it happened.
    earlier: dict[str, Any] | None = None

    def add(self, telling: Telling) -> None:
        if telling.retraction:
            self.retracted = True
            return
        if merge_fields(self.kind, self.fields, telling.fields):
            self.revisions += 1
        self.earlier = earlier_status(self.kind, self.fields) or self.earlier
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
                    folding.earlier,
                )
            )
    return versions


# Bumped when the fold's rules (the types' combine rules among them), or the rows made
# from events, change: stored views are rebuilt.
RULES_VERSION = 4


def combine_rules(kind: str) -> dict[str, str]:
    """How a later account's value of each field of a type meets the earlier one, as
    the type declares (``FieldSpec.combine``); a field not named here is replaced.
    Read once per type: the fold asks for every field of every account."""
    rules = _RULES.get(kind)
    if rules is None:
        registered = KINDS.get(kind)
        fields = registered.fields if registered is not None else ()
        rules = {spec.name: spec.combine for spec in fields if spec.combine != "latest"}
        _RULES[kind] = rules
    return rules


_RULES: dict[str, dict[str, str]] = {}


def merge_fields(kind: str, fields: dict[str, Any], update: dict[str, Any]) -> list[str]:
    """Fold one account into the fields, in place; the names of the fields it changed."""
    changed = []
    rules = combine_rules(kind)
    for name, value in update.items():
        rule = rules.get(name)
        if rule == "first" and name in fields:
            continue
        earlier = fields.get(name)
        if rule == "by_key" and isinstance(earlier, dict):
            value = {**earlier, **value}
        fields[name] = value
        if value != earlier:
            changed.append(name)
    return changed
