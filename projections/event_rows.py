"""What each event changes in the views, as rows added to a ``Page``: the reference
reading of the domain's events, which the projection applies and which
``projections.raw_rows`` falls back on for what it does not read straight.

Apart from the projection (which drives the view) so that the view can read an
account back from the log (``raw_rows``) without importing what imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from projections.page import Page
from tracker.dates import FuzzyDate
from tracker.domain import Actor, Development, Report
from tracker.event_visitor import EventVisitor
from tracker.grading import AccountGrade, SourceGrade
from tracker.names import alias_key
from tracker.values import Account, FieldValue, Weapon


def view_json(value: FieldValue) -> Any:
    """A field value in the view's JSON form: dates keep their bounds for queries."""
    convert = _VIEW_JSON.get(type(value))
    return value if convert is None else convert(value)


def _date_json(value: FuzzyDate) -> dict[str, str]:
    encoded = {"text": value.text, "lower": value.lower, "upper": value.upper}
    if value.instant is not None:
        encoded["instant"] = value.instant
    return encoded


# By exact type (field values are built by the tracker, never subclassed): one dict
# look-up per value instead of a chain of isinstance checks, on every account.
_VIEW_JSON: dict[type, Callable[[Any], Any]] = {
    FuzzyDate: _date_json,
    Weapon: lambda value: {"name": value.name, "count": value.count},
    tuple: lambda value: [view_json(item) for item in value],
    list: lambda value: [view_json(item) for item in value],
    dict: lambda value: {key: view_json(item) for key, item in value.items()},
}


def _account_row(account: Account) -> dict[str, Any]:
    return {
        "report_id": account.report_id,
        "fields": {name: view_json(value) for name, value in account.fields.items()},
        "quote": account.quote,
        "attributed_to": account.attributed_to,
        "note": account.note,
        "origin": account.origin,
    }


def _report_row(event: Report.Registered, position: int) -> tuple[Any, ...]:
    published = event.published
    return (
        event.report_id,
        event.outlet,
        published.text,
        published.lower,
        published.upper,
        event.title,
        event.url,
        event.sha256,
        event.note,
        position,
    )


def _retraction_row(event: Development.Retracted) -> dict[str, Any]:
    return {
        "report_id": event.report_id,
        "retraction": True,
        "reason": event.reason,
        "quote": event.quote,
    }


class PageRows(EventVisitor[None]):
    """What each event changes in the view, as rows added to ``page`` at ``position``
    (set before each ``visit``): the position is the walk's, not the event's."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.position = 0

    def actor_registered(self, event: Actor.Registered) -> None:
        self.page.actors.append(
            (
                event.originator_id.hex,
                event.actor_id,
                event.name,
                event.role,
                tuple(event.aliases),
                self.position,
            )
        )

    def aliases_added(self, event: Actor.AliasesAdded) -> None:
        self.page.alias_additions.append((event.originator_id.hex, tuple(event.aliases)))

    def report_registered(self, event: Report.Registered) -> None:
        self.page.reports.append(_report_row(event, self.position))

    def development_reported(self, event: Development.Reported) -> None:
        hex_id, position = event.originator_id.hex, self.position
        self.page.developments.append((hex_id, event.development_id, event.kind, position))
        self.page.tellings.append((hex_id, 1, position, _account_row(event.account)))

    def development_retold(self, event: Development.Retold) -> None:
        self.page.tellings.append(
            (
                event.originator_id.hex,
                event.originator_version,
                self.position,
                _account_row(event.account),
            )
        )

    def development_retracted(self, event: Development.Retracted) -> None:
        self.page.tellings.append(
            (
                event.originator_id.hex,
                event.originator_version,
                self.position,
                _retraction_row(event),
            )
        )

    def development_voided(self, event: Development.Voided) -> None:
        self.page.voids.append(
            (event.originator_id.hex, event.voided_version, self.position, event.reason)
        )

    def source_graded(self, event: SourceGrade.Given) -> None:
        self.page.grades.append(
            (
                self.position,
                alias_key(event.name),
                event.name,
                None,
                None,
                event.reliability,
                event.graded_on,
                event.note,
            )
        )

    def account_graded(self, event: AccountGrade.Given) -> None:
        self.page.grades.append(
            (
                self.position,
                None,
                None,
                event.development_id,
                event.version,
                str(event.credibility),
                event.graded_on,
                event.note,
            )
        )


def add_to_page(domain_event: Any, page: Page, position: int) -> None:
    """What one event changes in the view; ``UnhandledEvent`` for a class the domain
    does not define."""
    rows = PageRows(page)
    rows.position = position
    rows.visit(domain_event)


def learn_publications(page: Page, published: dict[str, tuple[str, str]]) -> None:
    """Add the publication bounds of the page's reports to ``published``."""
    for report_id, _, _, lower, upper, *_ in page.reports:
        published[report_id] = (lower, upper)


def page_of(events: Iterable[tuple[Any, int]]) -> Page:
    """The view rows of events at their log positions."""
    page = Page()
    rows = PageRows(page)
    for event, position in events:
        rows.position = position
        rows.visit(event)
    return page
