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

from projections.disputes import Candidate, chosen, earliest, latest_candidates
from projections.stances import SPOKEN, Stances, field_order, has_stances, only_stance
from tracker.dates import OPEN_LOWER, OPEN_UPPER
from tracker.kinds import KINDS, expected_on_occurred
from tracker.names import origin_key


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
    # Where the account's information comes from, where it names it: accounts of
    # one origin count once when equal accounts disagree (``projections.disputes``).
    origin: str | None = None
    # The report's words the account quotes: a claimant's stance shows them.
    quote: str | None = None


@attrs.frozen
class Version:
    known_from: str
    known_until: str
    retracted: bool
    fields: dict[str, Any]
    account_count: int
    reports: tuple[str, ...]
    first_known: str  # earliest publication bound among the accounts so far
    revisions: int  # versions that changed its content (``FieldSpec.content``)
    # The last status the accounts so far gave that does not take effect when it
    # happened (a meeting's "scheduled", not "held"), with its planned date then:
    # {"status": ..., "planned": date or None}, or None. Valid time reads a held
    # meeting as this before it was held (``before_it_happened``).
    earlier: dict[str, Any] | None = None
    # The fields to which accounts of equal standing give different values, each with
    # those values, the one shown first: {field: [{"value", "reports"}, ...]}.
    disputed: dict[str, list[dict[str, Any]]] = attrs.Factory(dict)

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
        only = only_version(kind, told.report_id, told.known_upper, dict(told.fields), told.quote)
        return [only]
    return _fold_groups(_Folding(kind), _groups(tellings))


def only_version(
    kind: str, report_id: str, known_upper: str, fields: dict[str, Any], quote: str | None = None
) -> Version:
    """The version of a development told by one account alone (most are): the general
    fold's, at half the cost. It keeps ``fields``."""
    if has_stances(kind) and "claimant" in fields:
        fields = {**fields, "stances": [only_stance(fields, report_id, quote)]}
    aside = not_content(kind)
    told = any(map(is_not, (v for n, v in fields.items() if n not in aside), repeat(None)))
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
    ends, the day it ends and the versions that follow it. (Nearly always it only ends:
    a view updates one column of its row instead of writing the row again.) None
    instead when one of them may stand level with a telling already folded (a report
    possibly published by the day ``latest`` began) or when ``latest`` holds a dispute:
    only a fold of all the tellings can weigh those (``projections.disputes``)."""
    groups = _groups(tellings)
    if not groups:
        return None, [latest]
    if latest.disputed or any(
        telling.known_lower <= latest.known_from for group in groups for telling in group
    ):
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
    # Every telling folded so far was certainly published by the day ``latest`` began,
    # and every new one certainly after it: the new replace the old wherever they give
    # a field (and a field kept from the first accounts keeps the old value, undisputed),
    # so the old need no more than their values to stand for them.
    folding.carry(latest.known_from)
    return groups[0][0].known_upper, _fold_groups(folding, groups)


# Tellings in the order they became certainly known, then by what they are: log order
# counts only among the accounts of one report.
_FOLD_ORDER = attrgetter("known_upper", "known_lower", "report_id", "position")
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
    # Each field's accounts that no other replaces (a "by_key" field's: each key's,
    # named (field, key)); a field kept from the first accounts: all of them.
    standing: dict[Any, list[Candidate]] = attrs.Factory(dict)
    disputed: dict[str, list[dict[str, Any]]] = attrs.Factory(dict)
    # A claim's stances, one per claimant (``projections.stances``); None for a type
    # without them.
    stances: Stances | None = None

    def __attrs_post_init__(self) -> None:
        if self.stances is None and has_stances(self.kind):
            self.stances = Stances(order=field_order(self.kind))

    def carry(self, known_from: str) -> None:
        """Stand for the fields as ``latest`` holds them (without a dispute) by one
        account each, published by ``known_from``."""
        rules = combine_rules(self.kind)
        if self.stances is not None:
            self.stances.carry(self.fields, known_from)
        for name, value in self.fields.items():
            if self.stances is not None and (name in SPOKEN or name == "stances"):
                continue
            if rules.get(name) == "by_key" and isinstance(value, dict):
                self.standing[name] = []  # where the field goes, keys or none
                for key, item in value.items():
                    self.standing[name, key] = [_carried(item, known_from)]
            else:
                self.standing[name] = [_carried(value, known_from)]

    def add(self, telling: Telling) -> None:
        if telling.retraction:
            self.retracted = True
            return
        rules = combine_rules(self.kind)
        # Independent origins, counted as corroboration counts them.
        origin = origin_key(telling.origin, telling.report_id)
        if self.stances is not None:
            self.stances.add(_candidate(telling, None, origin), telling.fields, telling.quote)
        for name, value in telling.fields.items():
            if self.stances is not None and name in SPOKEN:
                continue
            rule = rules.get(name)
            if rule == "by_key" and isinstance(value, dict):
                self.standing.setdefault(name, [])  # where the field goes, keys or none
                for key, item in value.items():
                    self._stand((name, key), _candidate(telling, item, origin), rule)
            else:
                self._stand(name, _candidate(telling, value, origin), rule)
        self.account_count += 1
        self.first_known = min(self.first_known, telling.known_upper)
        if telling.report_id not in self.reports:
            self.reports.append(telling.report_id)

    def _stand(self, name: Any, new: Candidate, rule: str | None) -> None:
        kept = self.standing.get(name, [])
        self.standing[name] = [*kept, new] if rule == "first" else latest_candidates(kept, new)

    def settle(self) -> None:
        """The fields shown and their disputes, from the accounts that stand, once a
        day's tellings are in."""
        rules = combine_rules(self.kind)
        before = self.fields
        fields: dict[str, Any] = {}
        disputed: dict[str, list[dict[str, Any]]] = {}
        for name, candidates in self.standing.items():
            if not candidates:  # a field merged by key, its keys (if any) follow
                fields.setdefault(name, {})
                continue
            if isinstance(name, tuple):
                field, key = name
                value, dispute = chosen(candidates)
                fields.setdefault(field, {})[key] = value
                if dispute:
                    disputed.setdefault(field, []).extend(
                        {"value": {key: item["value"]}, "reports": item["reports"]}
                        for item in dispute
                    )
                continue
            if rules.get(name) == "first":
                first, level = earliest(candidates)
                # Tellings come in publication order: one certainly later than the
                # first ones never weighs again.
                self.standing[name] = level
                value, dispute = chosen(first, level)
            else:
                value, dispute = chosen(candidates)
            fields[name] = value
            if dispute:
                disputed[name] = dispute
        if self.stances is not None:
            self.stances.settle(fields, disputed)
        aside = not_content(self.kind)
        if any(before.get(n) != v for n, v in fields.items() if n not in aside and v is not None):
            self.revisions += 1
        self.fields = fields
        self.disputed = disputed
        self.earlier = earlier_status(self.kind, fields) or self.earlier


def _candidate(telling: Telling, value: Any, origin: tuple[str, str]) -> Candidate:
    return Candidate(
        value, telling.report_id, telling.known_lower, telling.known_upper, telling.position, origin
    )


def _carried(value: Any, known_from: str) -> Candidate:
    return Candidate(value, "", known_from, known_from, 0, ("carried", ""))


def _fold_groups(folding: _Folding, groups: list[list[Telling]]) -> list[Version]:
    """One version from each group on, once there is an account to know it by."""
    versions: list[Version] = []
    for index, group in enumerate(groups):
        for telling in group:
            folding.add(telling)
        folding.settle()
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
                    folding.disputed,
                )
            )
    return versions


# Bumped when the fold's rules (the types' combine rules among them), or the rows made
# from events, change: stored views are rebuilt.
RULES_VERSION = 6


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


def not_content(kind: str) -> frozenset[str]:
    """The fields of a type that are not its content (``FieldSpec.content``): a plan's
    status or readiness changing is no new version of the plan."""
    aside = _ASIDE.get(kind)
    if aside is None:
        registered = KINDS.get(kind)
        fields = registered.fields if registered is not None else ()
        aside = _ASIDE[kind] = frozenset(spec.name for spec in fields if not spec.content)
    return aside


_ASIDE: dict[str, frozenset[str]] = {}


def merge_fields(kind: str, fields: dict[str, Any], update: dict[str, Any]) -> list[str]:
    """Fold one account into the fields, in place; the names of the fields it changed."""
    changed = []
    claimant = update.get("claimant") if has_stances(kind) else None
    if claimant is not None and fields.get("claimant") not in (None, claimant):
        # Another claimant's stance: the claim's own claimant, stance and value stay.
        update = {name: value for name, value in update.items() if name not in SPOKEN}
        changed.append("stances")
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
