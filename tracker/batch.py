"""The unit of work: commands that check a record against the store and against what
the batch already holds, and build the events that ``Tracker.run`` appends at once.

Only commands need the domain's aggregates: a query on views that are up to date
never imports this module, nor ``tracker.domain``.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import orjson
from eventsourcing.domain import Aggregate

from tracker.dates import FuzzyDate
from tracker.domain import Actor, Development, Report
from tracker.errors import (
    DuplicateId,
    InvalidRecord,
    QuoteNotInReport,
    UnknownAccount,
    UnknownActor,
    UnknownDevelopment,
    UnknownReport,
)
from tracker.grading import AccountGrade, SourceGrade, grade_id
from tracker.kinds import ACCOUNT_KEYS, parse_fields, takes_field
from tracker.limits import MAX_REPORT_BYTES, MIB
from tracker.names import alias_key, check_name, clean_name
from tracker.ports import LogAndViews, Session
from tracker.values import Account

A = TypeVar("A", bound=Aggregate)

_WHITESPACE = re.compile(r"\s+")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\Z")
MAX_NAME_TO_MATCH = 200
# The keys of an import's grade record (``Batch.grade_record``).
GRADE_RECORD_KEYS = frozenset(
    {"type", "source", "reliability", "development", "account", "credibility", "graded_on", "note"}
)


def shorten(text: str, limit: int = 60) -> str:
    """A value quoted in an error message, cut to a readable length."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_id(kind: str, value: Any) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        shown = shorten(value) if isinstance(value, str) else value
        raise InvalidRecord(
            f"{kind} id {shown!r} must be 1-128 letters, digits or . _ : - (starting with a"
            " letter or digit)"
        )
    return value


def normalise_whitespace(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


@functools.lru_cache(maxsize=8)
def normalised_text(text: str) -> str:
    """A report's text as quotes are compared with it; reports are quoted many times
    in a row, and normalising a long text for each quote was most of an import. A few
    texts only: a report may be megabytes long."""
    return normalise_whitespace(text)


def quote_in_text(quote: str, text: str) -> bool:
    """Whether a quote is in a report's text, whitespace normalised in both: the one
    rule for quotes, when they are recorded and when ``tracker verify`` checks them."""
    if quote in text:
        return True  # word for word, so also once whitespace is normalised in both
    return normalise_whitespace(quote) in normalised_text(text)


class Batch:
    """Commands checked against the store and against what this batch already holds."""

    def __init__(self, app: LogAndViews, session: Session) -> None:
        self.app = app
        self.session = session
        self.events: list[Any] = []
        self._aggregates: dict[UUID, Aggregate] = {}
        # A session's batches share what they learn of aliases: only it can change them.
        self._aliases: dict[str, str] = session.aliases
        self._absent: set[UUID] = set()

    def prefetch(self, development_ids: Iterable[str], report_ids: Iterable[str] = ()) -> None:
        """Load in a few queries the developments and reports these records name and
        learn which are new, so that recording many accounts does not ask the store
        about each one."""
        self._absent = self.session.preload(
            {Development.create_id(development_id) for development_id in development_ids}
            | {Report.create_id(report_id) for report_id in report_ids}
        )

    def _load(self, cls: type[A], uuid: UUID) -> A | None:
        if uuid in self._aggregates:
            aggregate = self._aggregates[uuid]
            return aggregate if isinstance(aggregate, cls) else None
        if uuid in self._absent:
            return None
        found = self.session.get(uuid)
        if not isinstance(found, cls):
            return None
        self._aggregates[uuid] = found
        return found

    def aggregates(self) -> Iterable[Aggregate]:
        return self._aggregates.values()

    def _keep(self, aggregate: Aggregate) -> None:
        self._aggregates[aggregate.id] = aggregate
        self.events.extend(aggregate.collect_events())

    def stamp(self, since: int, timestamp: datetime) -> None:
        """Give the events made since ``len(self.events)`` was ``since`` this system time
        (an imported record's ``recorded_at``) in place of the time they were made."""
        self.events[since:] = [
            dataclasses.replace(event, timestamp=timestamp) for event in self.events[since:]
        ]

    # -- actors ----------------------------------------------------------------------

    def resolve_actor(self, name: str) -> str:
        key = alias_key(name)
        if key in self._aliases:
            return self._aliases[key]
        found = self.session.stored_actor(key)
        if found is not None:
            self._aliases[key] = found
            return found
        close: list[str] = []
        if len(name) <= MAX_NAME_TO_MATCH:
            known = self.session.stored_aliases() + list(self._aliases)
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        raise UnknownActor(f"unknown actor {shorten(name)!r}{hint}")

    def _claim_aliases(self, actor_id: str, aliases: tuple[str, ...]) -> None:
        for alias in aliases:
            key = alias_key(check_name(alias, "alias"))
            owner = self._aliases.get(key) or self.session.stored_actor(key)
            if owner is not None and owner != actor_id:
                raise DuplicateId(f"alias {alias!r} already names actor {owner!r}")
            self._aliases[key] = actor_id

    def add_actor(
        self, actor_id: str, name: str, aliases: tuple[str, ...], role: str | None
    ) -> None:
        check_id("actor", actor_id)
        check_name(name, "an actor's name")
        if self._load(Actor, Actor.create_id(actor_id)) is not None:
            raise DuplicateId(f"actor {actor_id!r} already exists")
        self._claim_aliases(actor_id, (actor_id, name, *aliases))
        self._keep(Actor.register(actor_id, name=name, aliases=tuple(aliases), role=role))

    def add_aliases(self, actor: str, aliases: tuple[str, ...]) -> None:
        actor_id = self.resolve_actor(actor)
        aggregate = self._load(Actor, Actor.create_id(actor_id))
        if aggregate is None:  # pragma: no cover - resolved ids exist
            raise UnknownActor(f"unknown actor {actor!r}")
        self._claim_aliases(actor_id, aliases)
        aggregate.add_aliases(aliases)
        self._keep(aggregate)

    # -- reports ---------------------------------------------------------------------

    def add_report(
        self,
        report_id: str,
        *,
        outlet: str,
        published: FuzzyDate,
        title: str | None = None,
        url: str | None = None,
        text: str | None = None,
        note: str | None = None,
    ) -> None:
        check_id("report", report_id)
        if not isinstance(outlet, str) or not outlet.strip():
            raise InvalidRecord("a report needs a non-empty outlet")
        if self._load(Report, Report.create_id(report_id)) is not None:
            raise DuplicateId(f"report {report_id!r} already exists")
        size = sum(
            len(orjson.dumps(value))
            for value in (outlet, published.text, title, url, text, note)
            if isinstance(value, str)
        )
        if size > MAX_REPORT_BYTES:
            raise InvalidRecord(
                f"report {report_id!r} is too large ({size / MIB:.1f} MB as JSON; at most"
                f" {MAX_REPORT_BYTES / MIB:.1f} MB, so that its export line imports back)"
            )
        self._keep(
            Report.register(
                report_id,
                outlet=outlet,
                published=published,
                title=title,
                url=url,
                text=text,
                note=note,
            )
        )

    def report(self, report_id: str) -> Report:
        if not isinstance(report_id, str):
            raise InvalidRecord(f"report id must be a string, not {report_id!r}")
        report = self._load(Report, Report.create_id(report_id))
        if report is None:
            raise UnknownReport(f"unknown report {report_id!r}")
        return report

    def check_quote(self, report: Report, quote: str | None) -> None:
        if quote is None or report.text is None:
            return
        if not isinstance(quote, str) or not quote.strip():
            raise InvalidRecord("a quote must be a non-empty string")
        if not quote_in_text(quote, report.text):
            raise QuoteNotInReport(
                f"quote {shorten(quote)!r} is not in report {report.report_id!r}"
            )

    # -- developments ----------------------------------------------------------------

    def development(self, development_id: str) -> Development:
        development = self._load(Development, Development.create_id(development_id))
        if development is None:
            raise UnknownDevelopment(f"unknown development {development_id!r}")
        return development

    def record(self, kind: str, development_id: str, report_id: str, raw: Mapping[str, Any]) -> int:
        check_id("development", development_id)
        report = self.report(report_id)
        raw = dict(raw)
        details = {key: raw.pop(key, None) for key in ACCOUNT_KEYS}
        for key in ("attributed_to", "note"):
            if details[key] is not None and not isinstance(details[key], str):
                raise InvalidRecord(f"{key!r} must be a string")
        if details["origin"] is not None:
            # Origins match as names do (``tracker.names``): kept as written, cleaned of
            # stray spacing, so that corroboration can count them by their keys.
            details["origin"] = clean_name(check_name(details["origin"], "origin"))
        # A type whose own field is the quote (a statement's words) takes the account's.
        if details["quote"] is not None and takes_field(kind, "quote"):
            raw["quote"] = details["quote"]
        self.check_quote(report, details["quote"])
        development = self._load(Development, Development.create_id(development_id))
        fields = parse_fields(kind, raw, self.resolve_actor, first_account=development is None)
        about = fields.get("about")
        if isinstance(about, str) and (
            about == development_id or self._load(Development, Development.create_id(about)) is None
        ):
            raise InvalidRecord(f"'about' names no other development: {shorten(about)!r}")
        account = Account.of(report_id, fields, **details)
        if development is None:
            development = Development.report(development_id, kind, account)
        else:
            development.retell(kind, account)
        version = development.version
        self._keep(development)
        return version

    def retract(
        self, development_id: str, report_id: str, reason: str, quote: str | None = None
    ) -> None:
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidRecord("a retraction needs a reason")
        development = self.development(development_id)
        report = self.report(report_id)
        self.check_quote(report, quote)
        development.retract(report_id, reason, quote)
        self._keep(development)

    def void(self, development_id: str, version: int, reason: str) -> None:
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidRecord("a void needs a reason")
        development = self.development(development_id)
        development.void(version, reason)
        self._keep(development)

    def void_position(self, position: int, reason: str) -> tuple[str, int]:
        notifications = self.app.recorder.select_notifications(start=position, limit=1)
        if not notifications or notifications[0].id != position:
            raise InvalidRecord(f"there is no log position {position}")
        event = self.app.mapper.to_domain_event(notifications[0])
        if not isinstance(event, Development.Reported | Development.Retold | Development.Retracted):
            raise InvalidRecord(
                f"log position {position} is a {type(event).__qualname__}, not an account"
                " or retraction"
            )
        development = self._load(Development, event.originator_id)
        assert development is not None  # the event came from it
        self.void(development.development_id, event.originator_version, reason)
        return development.development_id, event.originator_version

    # -- grades ----------------------------------------------------------------------

    def grade_source(
        self, name: str, reliability: object, graded_on: object, note: object = None
    ) -> None:
        """An outlet's or origin's reliability, A-F, given on a day."""
        name = clean_name(check_name(name, "source"))
        uuid = self._next_grade_id(SourceGrade, SourceGrade.subject(name))
        self._keep(SourceGrade.give(uuid, name, reliability, graded_on, note))

    def grade_account(
        self,
        development_id: str,
        version: object,
        credibility: object,
        graded_on: object,
        note: object = None,
    ) -> None:
        """The credibility, 1-6, of a development's account (its version), given on a day."""
        development = self.development(development_id)
        if (
            isinstance(version, bool)
            or not isinstance(version, int)
            or version not in development.account_versions
        ):
            raise UnknownAccount(f"{development_id!r} has no account {version!r}")
        uuid = self._next_grade_id(AccountGrade, AccountGrade.subject(development_id, version))
        self._keep(AccountGrade.give(uuid, development_id, version, credibility, graded_on, note))

    def _next_grade_id(self, cls: type[Aggregate], subject: str) -> UUID:
        """The id of the subject's next grade: the first of its ids not yet taken (one
        look-up per grade it has; analysts' grades of one thing are few)."""
        n = 1
        while self._load(cls, grade_id(subject, n)) is not None:
            n += 1
        return grade_id(subject, n)

    def grade_record(self, data: Mapping[str, Any]) -> None:
        """An import's grade record: a source's reliability or an account's credibility."""
        graded_on, note = data.get("graded_on"), data.get("note")
        if "source" in data and not {"development", "account", "credibility"} & set(data):
            self.grade_source(data["source"], data.get("reliability"), graded_on, note)
        elif "development" in data and not {"source", "reliability"} & set(data):
            development_id = check_id("development", data["development"])
            self.grade_account(
                development_id, data.get("account"), data.get("credibility"), graded_on, note
            )
        else:
            raise InvalidRecord(
                "a grade record names a 'source' with its 'reliability', or a 'development'"
                " with an 'account' and its 'credibility'"
            )
