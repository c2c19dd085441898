"""The tracker's aggregates: one per report, per actor and per development.

Every change is an explicit nested event class with a past-participle name. Invariants
that need only the aggregate itself are checked in its command methods, before the
event fires; checks that need other aggregates live in the application.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import attrs
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from tracker.dates import FuzzyDate
from tracker.errors import InvalidRecord, KindMismatch
from tracker.grading import AccountGrade, SourceGrade
from tracker.names import alias_key
from tracker.values import Account

_NAMESPACE = uuid5(NAMESPACE_URL, "https://tracker.invalid/ids")


def _account_without_origin(state: dict[str, Any]) -> None:
    """Version 1 of an account event (before origins): its account names no origin.

    The mapper decodes the account before it upcasts, and the account's transcoding
    reads a missing ``origin`` as None already; this states the version's meaning where
    the library looks for it, and keeps an origin out of an account stored at v1."""
    state["account"] = attrs.evolve(state["account"], origin=None)


# The same ids are hashed several times per record of an import (look-up, creation).
@functools.lru_cache(maxsize=16384)
def _stable_id(kind: str, analyst_id: str) -> UUID:
    return uuid5(_NAMESPACE, f"{kind}:{analyst_id}")


def unique_aliases(aliases: tuple[str, ...]) -> tuple[str, ...]:
    """Aliases without repeats, as names match (``tracker.names``); first spelling wins."""
    seen: set[str] = set()
    kept = []
    for alias in aliases:
        if alias_key(alias) not in seen:
            seen.add(alias_key(alias))
            kept.append(alias)
    return tuple(kept)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Report(Aggregate):
    """A news report: the source of every account and retraction."""

    class Registered(Aggregate.Created):
        report_id: str
        outlet: str
        published: FuzzyDate
        title: str | None
        url: str | None
        text: str | None
        sha256: str | None
        note: str | None

    @staticmethod
    def create_id(report_id: str) -> UUID:
        return _stable_id("report", report_id)

    @classmethod
    def register(
        cls,
        report_id: str,
        *,
        outlet: str,
        published: FuzzyDate,
        title: str | None = None,
        url: str | None = None,
        text: str | None = None,
        note: str | None = None,
    ) -> Report:
        sha256 = text_sha256(text) if text is not None else None
        return cls._create(
            cls.Registered,
            report_id=report_id,
            outlet=outlet,
            published=published,
            title=title,
            url=url,
            text=text,
            sha256=sha256,
            note=note,
        )

    def __init__(
        self,
        report_id: str,
        outlet: str,
        published: FuzzyDate,
        title: str | None,
        url: str | None,
        text: str | None,
        sha256: str | None,
        note: str | None,
    ) -> None:
        self.report_id = report_id
        self.outlet = outlet
        self.published = published
        self.title = title
        self.url = url
        self.text = text
        self.sha256 = sha256
        self.note = note


class Actor(Aggregate):
    """A person, government or party, known by an id and any number of aliases."""

    class Registered(Aggregate.Created):
        actor_id: str
        name: str
        aliases: tuple[str, ...]
        role: str | None

    class AliasesAdded(Aggregate.Event):
        aliases: tuple[str, ...]

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, Actor)
            aggregate.aliases += self.aliases

    @staticmethod
    def create_id(actor_id: str) -> UUID:
        return _stable_id("actor", actor_id)

    @classmethod
    def register(
        cls, actor_id: str, *, name: str, aliases: tuple[str, ...] = (), role: str | None = None
    ) -> Actor:
        return cls._create(
            cls.Registered, actor_id=actor_id, name=name, aliases=unique_aliases(aliases), role=role
        )

    def __init__(
        self, actor_id: str, name: str, aliases: tuple[str, ...], role: str | None
    ) -> None:
        self.actor_id = actor_id
        self.name = name
        self.aliases = tuple(aliases)
        self.role = role

    def add_aliases(self, aliases: tuple[str, ...]) -> None:
        known = {alias_key(alias) for alias in (*self.aliases, self.actor_id, self.name)}
        new = []
        for alias in aliases:
            if alias_key(alias) not in known:
                known.add(alias_key(alias))
                new.append(alias)
        if new:
            self.trigger_event(self.AliasesAdded, aliases=tuple(new))


class Development(Aggregate):
    """One real-world happening (a call, a meeting, a strike...), told by one or more
    reports. Each report's telling is an account; the type never changes.

    It keeps what its commands check (its kind, which versions are accounts,
    retractions or void), not the accounts themselves: they are in its events and the
    views, and an import holds many developments in memory at once."""

    class Reported(Aggregate.Created):
        """The first account of a development."""

        # Version 2: the account may name its origin (``Account.origin``).
        class_version = 2

        development_id: str
        kind: str
        account: Account

        upcast_v1_v2 = staticmethod(_account_without_origin)

    class Retold(Aggregate.Event):
        """A further account of the same development, by another or the same report."""

        class_version = 2  # as Reported's

        account: Account

        upcast_v1_v2 = staticmethod(_account_without_origin)

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, Development)
            aggregate.account_versions.add(self.originator_version)

    class Retracted(Aggregate.Event):
        """A report says the development did not happen."""

        report_id: str
        reason: str
        quote: str | None

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, Development)
            aggregate.retractions[self.originator_version] = self.report_id

    class Voided(Aggregate.Event):
        """The analyst's own data-entry error: one account or retraction no longer counts."""

        voided_version: int
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, Development)
            aggregate.voided[self.voided_version] = self.reason

    @staticmethod
    def create_id(development_id: str) -> UUID:
        return _stable_id("development", development_id)

    @classmethod
    def report(cls, development_id: str, kind: str, account: Account) -> Development:
        return cls._create(cls.Reported, development_id=development_id, kind=kind, account=account)

    def __init__(self, development_id: str, kind: str, account: Account) -> None:
        self.development_id = development_id
        self.kind = kind
        self.account_versions: set[int] = {self.INITIAL_VERSION}
        self.retractions: dict[int, str] = {}
        self.voided: dict[int, str] = {}

    def retell(self, kind: str, account: Account) -> None:
        if kind != self.kind:
            raise KindMismatch(
                f"development {self.development_id!r} is a {self.kind}, not a {kind}"
            )
        self.trigger_event(self.Retold, account=account)

    def retract(self, report_id: str, reason: str, quote: str | None = None) -> None:
        self.trigger_event(self.Retracted, report_id=report_id, reason=reason, quote=quote)

    def void(self, version: int, reason: str) -> None:
        if version not in self.account_versions and version not in self.retractions:
            raise InvalidRecord(
                f"version {version} of {self.development_id!r} is not an account or retraction"
            )
        if version in self.voided:
            raise InvalidRecord(f"version {version} of {self.development_id!r} is already void")
        self.trigger_event(self.Voided, voided_version=version, reason=reason)


# Every event class an aggregate of the tracker may store, with its aggregate: the only
# classes a stored event may name (see ``tracker.transcoding.TrackerMapper``). The
# library gives each aggregate an ``Event`` and a ``Created`` base that no command fires.
EVENT_CLASSES: tuple[tuple[type[Aggregate], type[Aggregate.Event]], ...] = tuple(
    (aggregate, cls)
    for aggregate in (Report, Actor, Development, SourceGrade, AccountGrade)
    for name, cls in vars(aggregate).items()
    if isinstance(cls, type)
    and issubclass(cls, Aggregate.Event)
    and name not in ("Event", "Created")
)

# The topics of a development's events (its nested classes) start with this.
DEVELOPMENT_EVENTS = get_topic(Development) + "."
