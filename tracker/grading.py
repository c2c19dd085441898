"""Grades analysts give: the Admiralty (NATO) system's reliability of a source, A-F,
and credibility of a piece of information, 1-6.

Each grade is an aggregate of its own, made by one event that says everything about it
(what is graded, the grade, the day it was given, the analyst's note): no rule spans
two grades of one thing, a regrading is another grade rather than a change to the
first, and whatever reads the log (the views, the export, ``tracker log``) reads each
grade from its one event. The day a grade was given is its knowledge time: as known at
K, a thing holds the latest grade given by K.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.dates import InvalidDate, parse_day
from tracker.errors import InvalidGrade
from tracker.names import alias_key

_NAMESPACE = uuid5(NAMESPACE_URL, "https://tracker.invalid/grades")

RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")
CREDIBILITY_GRADES = (1, 2, 3, 4, 5, 6)

# The Admiralty scale in plain words (README, "Grades").
RELIABILITY_WORDS = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY_WORDS = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


def graded_day(text: object) -> str:
    """The day a grade was given, as ISO text: one calendar day."""
    if not isinstance(text, str):
        raise InvalidGrade(f"a grade's day must be a date, not {text!r}")
    try:
        return parse_day(text)
    except InvalidDate as error:
        raise InvalidGrade(f"a grade's day: {error}") from None


def grade_id(subject: str, n: int) -> UUID:
    """The id of the ``n``th grade (from 1) of a subject: the same in every store that
    holds the same grades in the same order, so that an export imports into the same
    log."""
    return uuid5(_NAMESPACE, f"{subject}:{n}")


def check_note(note: object) -> str | None:
    if note is not None and (not isinstance(note, str) or not note.strip()):
        raise InvalidGrade("a grade's note must be a non-empty string")
    return note


class SourceGrade(Aggregate):
    """The reliability an analyst gave an outlet or an origin on a day."""

    class Given(Aggregate.Created):
        name: str
        reliability: str
        graded_on: str
        note: str | None

    @staticmethod
    def subject(name: str) -> str:
        """What the grade is of, for its id: the name as names match."""
        return f"source:{alias_key(name)}"

    @classmethod
    def give(
        cls, id: UUID, name: str, reliability: object, graded_on: object, note: object = None
    ) -> SourceGrade:
        if not isinstance(reliability, str) or reliability.upper() not in RELIABILITY_GRADES:
            raise InvalidGrade(f"reliability must be one of A-F, not {reliability!r}")
        if not isinstance(name, str) or not alias_key(name):
            raise InvalidGrade("a source grade needs the name of an outlet or origin")
        return cls._create(
            cls.Given,
            id=id,
            name=name,
            reliability=reliability.upper(),
            graded_on=graded_day(graded_on),
            note=check_note(note),
        )

    def __init__(self, name: str, reliability: str, graded_on: str, note: str | None) -> None:
        self.name = name
        self.reliability = reliability
        self.graded_on = graded_on
        self.note = note


class AccountGrade(Aggregate):
    """The credibility an analyst gave one account of a development (its version) on a
    day. That the account exists is the application's check (``Batch.grade_account``)."""

    class Given(Aggregate.Created):
        development_id: str
        version: int
        credibility: int
        graded_on: str
        note: str | None

    @staticmethod
    def subject(development_id: str, version: int) -> str:
        return f"account:{development_id}:{version}"

    @classmethod
    def give(
        cls,
        id: UUID,
        development_id: str,
        version: int,
        credibility: object,
        graded_on: object,
        note: object = None,
    ) -> AccountGrade:
        if isinstance(credibility, str) and credibility.isdigit():
            credibility = int(credibility)
        if (
            isinstance(credibility, bool)
            or not isinstance(credibility, int)
            or credibility not in CREDIBILITY_GRADES
        ):
            raise InvalidGrade(f"credibility must be one of 1-6, not {credibility!r}")
        return cls._create(
            cls.Given,
            id=id,
            development_id=development_id,
            version=version,
            credibility=credibility,
            graded_on=graded_day(graded_on),
            note=check_note(note),
        )

    def __init__(
        self,
        development_id: str,
        version: int,
        credibility: int,
        graded_on: str,
        note: str | None,
    ) -> None:
        self.development_id = development_id
        self.version = version
        self.credibility = credibility
        self.graded_on = graded_on
        self.note = note
