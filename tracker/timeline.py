"""The timeline page: one self-contained HTML file drawn from the library's queries.

Everything on the page comes from the read models as known at K, for the world as of D:
every development as a mark on a valid-time axis (coloured by type, fuzzy dates as
spans, retracted ones struck through), a knowledge-time strip (one tick per report, a
line per development from when it happened to when it was first reported), the call
count per participant set over knowledge time, the next meetings and open issues as
cards, and every account with its quote and outlet.

The page is rendered from the package's templates (``tracker/templates``) with
autoescaping on, so every piece of report text is escaped where it is put. It makes no
network request: CSS and SVG are inline, and a Content-Security-Policy allows nothing but
its own style sheet (each registered type's colour rules, then ``tracker/static``'s) and
its one short script, by hash. No report
text is ever put inside the script, which only shows an article already on the page.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections import Counter
from collections.abc import Iterable
from importlib import resources
from typing import Any

import attrs
import jinja2
from markupsafe import Markup

from projections.queries import Queries
from tracker.application import Tracker
from tracker.formatting import Names, date_label, field_text, label
from tracker.kinds import KINDS
from tracker.state import CallGroup, IssueSummary, Upcoming
from tracker.timeline_layout import lay_out
from tracker.timeline_model import Development, known_reports, window
from tracker.timeline_scale import number


@attrs.frozen
class InlineAsset:
    """A package file put inline in the page, with the base64 SHA-256 of its bytes: the
    page's Content-Security-Policy allows it by that hash, so it runs only as shipped."""

    text: Markup
    sha256: str

    @classmethod
    def load(cls, name: str) -> InlineAsset:
        data = resources.files("tracker").joinpath("static", name).read_bytes()
        return cls.of(data.decode("utf-8"), f"tracker/static/{name}")

    @classmethod
    def of(cls, text: str, what: str) -> InlineAsset:
        """``text`` to put inline, ``what`` it is (for the error)."""
        # Inline, a closing tag or a comment opener would end or bend the element early.
        if any(marker in text.lower() for marker in ("</style", "</script", "<!--")):
            raise ValueError(f"{what} cannot be put inline in a page")
        # Safe as markup: the package's own text, checked just above.
        safe = Markup(text)  # noqa: S704
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        return cls(safe, base64.b64encode(digest).decode())


@functools.cache
def assets() -> tuple[InlineAsset, InlineAsset]:
    """The package's style sheet and script, read once per process."""
    return InlineAsset.load("timeline.css"), InlineAsset.load("timeline.js")


def page_style() -> InlineAsset:
    """The page's style sheet: the colour rules of the registered types, then the
    package's own. One element, so the policy's one hash covers the generated rules too;
    rendered for each page, as a type may be registered after the first."""
    rules = environment().get_template("timeline_kinds.css.j2").render(kinds=KINDS.values())
    return InlineAsset.of(rules + str(assets()[0].text), "the page's style sheet")


@functools.cache
def environment() -> jinja2.Environment:
    """The templates' environment: every value escaped unless marked safe, and a name
    the template misspells is an error rather than an empty string."""
    templates = jinja2.Environment(
        loader=jinja2.PackageLoader("tracker"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    templates.filters["n"] = number
    return templates


@attrs.frozen
class Known:
    """What the page shows of the world as of D, as known at K, ``since`` a day."""

    position: int
    names: Names
    developments: list[Development]
    reports: list[dict[str, Any]]
    report_by_id: dict[str, dict[str, Any]]
    upcoming: list[Upcoming]
    issues: list[IssueSummary]
    call_history: list[tuple[str, list[CallGroup]]]
    # Still planned, its day passed as of D: shown after the next ones.
    overdue: list[Upcoming] = attrs.Factory(list)

    @classmethod
    def read(
        cls,
        tracker: Tracker,
        as_of: str,
        known_at: str,
        since: str | None,
        max_developments: int | None,
    ) -> Known:
        queries = Queries(tracker.view, tracker.name)
        position = tracker.view.position(tracker.name)
        names = Names(tracker.view.actors())
        developments = window(tracker, as_of, known_at, since, max_developments, "page")
        every_report = list(tracker.view.reports())
        reports = known_reports(every_report, known_at, since)
        (_, upcoming), (_, overdue) = queries.next_and_overdue(as_of, known_at, None)
        issues = [issue for issue in queries.issues(as_of, known_at) if issue.status == "open"]
        # The call groups as known on each day a report was published, up to K.
        days = sorted({r["published_upper"] for r in reports})
        call_history = [(day, queries.call_groups(min(as_of, day), day)) for day in days]
        return cls(
            position,
            names,
            developments,
            reports,
            {r["id"]: r for r in every_report},
            upcoming,
            issues,
            call_history,
            overdue,
        )

    def sources(self, report_ids: Iterable[str]) -> tuple[dict[str, Any], ...]:
        return tuple(self.report_by_id[r] for r in report_ids if r in self.report_by_id)


@attrs.frozen
class Card:
    """A next or overdue meeting or call (with its ``facts``), or an open issue (with
    each party's ``positions``, and in ``facts`` whether it is stale); ``anchor`` is its
    article's id when it is on the page."""

    kind: str
    id: str
    heading: str
    anchor: str | None
    facts: str
    positions: tuple[tuple[str, str], ...]
    sources: tuple[dict[str, Any], ...]


@attrs.frozen
class Article:
    """A development's article: its headline, the line about it, and its fields."""

    development: Development
    anchor: str
    date: str
    headline: str
    meta: str
    fields: tuple[tuple[str, str], ...]

    @property
    def classes(self) -> str:
        retracted = " retracted" if self.development.retracted else ""
        return f"dev k-border-{self.development.kind}{retracted}"


def render_timeline(
    tracker: Tracker,
    as_of: str,
    known_at: str,
    since: str | None = None,
    max_developments: int | None = None,
) -> str:
    """The whole page as HTML text. ``since`` leaves out what ended before that day;
    more than ``max_developments`` raise TimelineTooLarge."""
    known = Known.read(tracker, as_of, known_at, since, max_developments)
    return render_page(known, as_of, known_at, since)


def render_page(known: Known, as_of: str, known_at: str, since: str | None = None) -> str:
    """The page of what ``known`` holds, as HTML text."""
    anchors = {d.id: f"d-{d.id}" for d in known.developments}
    chart = lay_out(
        known.developments,
        known.reports,
        known.call_history,
        known.names,
        anchors,
        as_of,
        known_at,
    )
    counts = Counter(d.kind for d in known.developments)
    told = Counter(report for d in known.developments for report in d.reports)
    title = f"Peace process timeline: as of {as_of}, as known at {known_at}"
    if since:
        title += f", since {since}"
    style, script = page_style(), assets()[1]
    template = environment().get_template("timeline.html.j2")
    return template.render(
        title=title,
        summary=_summary(known),
        # Each type in lane order; the marks that show a fuzzy, undated or planned
        # development are drawn in the first type's colour.
        legend=[(kind.name, kind.plural, counts.get(kind.name, 0)) for kind in KINDS.values()],
        sample=next(iter(KINDS)),
        chart=chart,
        meetings=_meeting_cards(known, anchors),
        issues=_issue_cards(known, anchors),
        articles=[_article(d, anchors[d.id], known.names) for d in known.developments],
        reports=[(r, told.get(r["id"], 0)) for r in known.reports],
        known_at=known_at,
        style=style.text,
        style_hash=style.sha256,
        script=script.text,
        script_hash=script.sha256,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _summary(known: Known) -> str:
    outlets = {r["outlet"] for r in known.reports}
    return (
        f"{_count(len(known.developments), 'development')} from"
        f" {_count(len(known.reports), 'report')} by {_count(len(outlets), 'outlet')};"
        f" log position {known.position}."
    )


def _meeting_cards(known: Known, anchors: dict[str, str]) -> list[Card]:
    cards = []
    for item in [*known.upcoming, *known.overdue]:
        facts = [f"{item.kind}, {item.status}", f"planned {item.planned or 'date not reported'}"]
        if item.overdue:
            facts.insert(0, "overdue: not reported held")
        if item.place:
            facts.append(f"at {item.place}")
        heading = " + ".join(known.names.name(p) for p in item.participants)
        cards.append(
            Card(
                item.kind,
                item.id,
                heading,
                anchors.get(item.id),
                "; ".join(facts),
                (),
                known.sources(item.reports),
            )
        )
    return cards


def _issue_cards(known: Known, anchors: dict[str, str]) -> list[Card]:
    return [
        Card(
            "issue",
            issue.id,
            issue.title or issue.id,
            anchors.get(issue.id),
            _stale_text(issue),
            tuple((known.names.name(party), text) for party, text in issue.positions.items()),
            known.sources(issue.reports),
        )
        for issue in known.issues
    ]


def _stale_text(issue: IssueSummary) -> str:
    """What an issue card says of an open issue no report has told of lately."""
    if not issue.stale or issue.last_reported is None:
        return ""
    last = issue.last_reported
    return f"stale: last reported {last['date']} ({last['report']})"


def _article(development: Development, anchor: str, names: Names) -> Article:
    sources = len(development.sources)
    outlets = len(development.outlets)
    meta = (
        f"{development.id} · {development.status or development.kind} · {sources}"
        f" account{'s' if sources != 1 else ''} from {outlets}"
        f" outlet{'s' if outlets != 1 else ''} · first reported {development.first_known}"
    )
    fields = tuple(
        (
            name.replace("_", " "),
            field_text(name, value, names, development.kind)
            + _disputed_text(development, name, names),
        )
        for name, value in development.fields.items()
    )
    return Article(
        development,
        anchor,
        date_label(development),
        label(development, names, limit=120),
        meta,
        fields,
    )


def _disputed_text(development: Development, name: str, names: Names) -> str:
    """After a field's value, where accounts of equal standing tell it otherwise: what
    they say, with their reports (``projections.disputes`` picked the value shown)."""
    values = development.disputed.get(name)
    if not values:
        return ""
    shown, *others = values
    told = "; ".join(
        f"{field_text(name, item['value'], names, development.kind)} ({', '.join(item['reports'])})"
        for item in others
    )
    return f" ({', '.join(shown['reports'])}) — disputed: {told}"
