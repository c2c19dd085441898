"""The timeline page: one self-contained HTML file drawn from the library's queries.

Everything on the page comes from the read models as known at K, for the world as of D:
every development as a mark on a valid-time axis (coloured by type, fuzzy dates as
spans, retracted ones struck through), a knowledge-time strip (one tick per report, a
line per development from when it happened to when it was first reported), the call
count per participant set over knowledge time, the next meetings and open issues as
cards, and every account with its quote and outlet.

The page makes no network request: CSS and SVG are inline, and a Content-Security-Policy
allows nothing but its own style sheet and its one short script, by hash. All text
from reports is escaped; none of it is ever put inside the script, which only shows an
article that is already on the page.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
from bisect import bisect_right, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from html import escape
from importlib import resources
from typing import Any

import attrs

from projections.queries import Queries
from tracker.application import Tracker
from tracker.dates import OPEN_LOWER, OPEN_UPPER
from tracker.state import CallGroup, IssueSummary, Upcoming
from tracker.timeline_model import KIND_ORDER, Development, known_reports, window
from tracker.timeline_text import Names, date_label, field_text, label

PLURALS = {
    "call": "calls",
    "meeting": "meetings",
    "plan": "plans",
    "strike": "strikes",
    "statement": "statements",
    "claim": "claims",
    "issue": "issues",
}
# -- the horizontal scale ----------------------------------------------------------------


def _ordinal(day: str) -> int:
    return date.fromisoformat(day).toordinal()


def _day(ordinal: int) -> date:
    return date.fromordinal(ordinal)


def _gap_width(days: int) -> float:
    """Empty stretches are compressed: a week shows, eight months are a short break."""
    return 2.5 * min(days, 12) + 14 * math.log2(1 + max(0, days - 12))


BREAK_DAYS = 45


@attrs.define
class Scale:
    """Days to x: busy days get room, empty stretches between them are compressed.

    ``slots`` are (first day, last day, x start, x end) pieces, linear inside each.
    """

    left: float
    right: float
    slots: list[tuple[int, int, float, float]]
    breaks: list[tuple[float, float, int]]
    starts: list[int] = attrs.field(init=False)

    @classmethod
    def build(cls, weights: dict[int, float], left: float, right: float) -> Scale:
        days = sorted(weights)
        if not days:
            today = date.today().toordinal()
            days, weights = [today], {today: 1.0}
        pieces: list[tuple[int, int, float]] = []
        for index, day in enumerate(days):
            pieces.append((day, day, weights[day]))
            if index + 1 < len(days) and days[index + 1] - day > 1:
                gap = days[index + 1] - day - 1
                pieces.append((day + 1, days[index + 1] - 1, _gap_width(gap)))
        total = sum(width for _, _, width in pieces) or 1.0
        factor = (right - left) / total
        slots = []
        breaks = []
        x = left
        for first, last, width in pieces:
            end = x + width * factor
            slots.append((first, last, x, end))
            if last - first + 1 > BREAK_DAYS:
                breaks.append((x, end, last - first + 1))
            x = end
        return cls(left, right, slots, breaks)

    @starts.default
    def _slot_starts(self) -> list[int]:
        return [first for first, _, _, _ in self.slots]

    @property
    def first(self) -> int:
        return self.slots[0][0]

    @property
    def last(self) -> int:
        return self.slots[-1][1]

    def x(self, day: str, fraction: float = 0.5) -> float:
        """The x of a moment in a day (0: its start, 0.5: noon, 1: its end)."""
        if day <= OPEN_LOWER:
            return self.left
        if day >= OPEN_UPPER:
            return self.right
        ordinal = _ordinal(day)
        if ordinal < self.first:
            return self.left
        if ordinal > self.last:
            return self.right
        index = bisect_right(self.starts, ordinal) - 1
        first, last, start, end = self.slots[index]
        return start + (end - start) * (ordinal - first + fraction) / (last - first + 1)

    def span(self, lower: str, upper: str) -> tuple[float, float]:
        return self.x(lower, 0.0), self.x(upper, 1.0)


def _scale(
    developments: Sequence[Development],
    reports: Sequence[dict[str, Any]],
    as_of: str,
    known_at: str,
    left: float,
    right: float,
) -> Scale:
    weights: dict[int, float] = defaultdict(float)
    per_day: Counter[int] = Counter()

    def bump(day: str, weight: float) -> None:
        if OPEN_LOWER < day < OPEN_UPPER:
            ordinal = _ordinal(day)
            weights[ordinal] = max(weights[ordinal], weight)

    for development in developments:
        if development.fuzzy:
            bump(development.lower, 4)
            bump(development.upper, 4)
        else:
            per_day[_ordinal(development.lower)] += 1
        bump(development.first_known, 14)
    for report in reports:
        bump(report["published_lower"], 14)
        bump(report["published_upper"], 14)
    for ordinal, count in per_day.items():
        weights[ordinal] = max(weights[ordinal], 40 + 9 * min(count, 12))
    if developments or reports:
        # The as-of and known-at lines fit within a few weeks of the data; further off
        # they are named in the header instead of stretching the axis.
        first = min(weights) - 30 if weights else None
        last = max(weights) + 30 if weights else None
        for day in (as_of, known_at):
            if first is None or last is None or first <= _ordinal(day) <= last:
                bump(day, 8)
    else:
        bump(as_of, 8)
        bump(known_at, 8)
    return Scale.build(dict(weights), left, right)


# -- the page ----------------------------------------------------------------------------

WIDTH = 1320
GUTTER = 118
RIGHT_PAD = 18
ROW = 17
CHAR = 6.1  # average width of a label character at 11px


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _month(ordinal: int) -> str:
    return _day(ordinal).strftime("%b")


@attrs.define
class Placed:
    development: Development
    anchor: str  # the page id of its article
    lane: int
    row: int
    x0: float
    x1: float
    text: str
    text_x: float
    text_end: bool  # label to the left of the mark


MAX_LABELLED_ROWS = 24


def _place(
    developments: Sequence[Development], scale: Scale, names: Names, anchors: dict[str, str]
) -> tuple[list[Placed], list[int]]:
    """Marks in one lane per type, stacked in rows so that no two marks or labels meet.
    A lane too crowded for labels keeps its marks only (each still has its tooltip and
    its article)."""
    placed: list[Placed] = []
    rows_per_lane = []
    for lane, kind in enumerate(KIND_ORDER):
        members = [d for d in developments if d.kind == kind]
        marks, rows = _lane(members, lane, scale, names, anchors, labelled=True)
        if rows > MAX_LABELLED_ROWS:
            marks, rows = _lane(members, lane, scale, names, anchors, labelled=False)
        placed.extend(marks)
        rows_per_lane.append(max(1, rows))
    return placed, rows_per_lane


def _lane(
    members: Sequence[Development],
    lane: int,
    scale: Scale,
    names: Names,
    anchors: dict[str, str],
    *,
    labelled: bool,
) -> tuple[list[Placed], int]:
    placed = []
    ends: list[float] = []
    for development in members:
        x0, x1 = scale.span(development.lower, development.upper)
        if not development.fuzzy:
            x0 = x1 = scale.x(development.lower)
        text = label(development, names) if labelled else ""
        width = len(text) * CHAR
        text_end = max(x1, x0) + 9 + width > scale.right + RIGHT_PAD - 2
        tail = 14 if development.dated_by == "reported" and not development.fuzzy else 0
        if text_end:
            text_x = x0 - 9 - tail
            extent = (text_x - width, x1 + 6)
        else:
            text_x = x1 + 9
            extent = (x0 - 8 - tail, text_x + width if text else x1 + 6)
        row = next((i for i, end in enumerate(ends) if end + 4 < extent[0]), len(ends))
        if row == len(ends):
            ends.append(extent[1])
        else:
            ends[row] = extent[1]
        placed.append(
            Placed(development, anchors[development.id], lane, row, x0, x1, text, text_x, text_end)
        )
    return placed, len(ends)


def _tooltip(development: Development, names: Names) -> str:
    lines = [
        f"{development.kind} · {date_label(development)}"
        + (f" · {development.status}" if development.status else "")
        + (" · RETRACTED" if development.retracted else ""),
        label(development, names, limit=200),
    ]
    for account in development.accounts:
        head = f"{account.report_id}, {account.outlet}, {account.published}"
        if account.retraction:
            lines.append(f"✗ retracted by {head}: {account.reason or ''}")
            continue
        quote = f": “{_cut(account.quote, 220)}”" if account.quote else ""
        void = " (voided)" if account.voided else ""
        lines.append(f"• {head}{void}{quote}")
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ticks(
    scale: Scale, developments: Sequence[Development], reports: Sequence[dict[str, Any]]
) -> list[int]:
    """The days named on the axis: those with marks or reports, then month starts in the
    long stretches."""
    days = set()
    for development in developments:
        for day in (development.lower, development.upper):
            if OPEN_LOWER < day < OPEN_UPPER:
                days.add(_ordinal(day))
    for report in reports:
        days.add(_ordinal(report["published_upper"]))
    for first, last, _, _ in scale.slots:
        if first == last:
            days.add(first)
    return sorted(day for day in days if scale.first <= day <= scale.last)


class Page:
    def __init__(
        self,
        tracker: Tracker,
        as_of: str,
        known_at: str,
        since: str | None = None,
        max_developments: int | None = None,
    ) -> None:
        queries = Queries(tracker.view, tracker.name)
        self.as_of = as_of
        self.known_at = known_at
        self.since = since
        self.position = tracker.view.position(tracker.name)
        self.names = Names(tracker.view.actors())
        self.developments = window(tracker, as_of, known_at, since, max_developments, "page")
        every_report = list(tracker.view.reports())
        self.reports = known_reports(every_report, known_at, since)
        self.report_by_id = {r["id"]: r for r in every_report}
        self.anchors = {d.id: f"d-{d.id}" for d in self.developments}
        self.upcoming: list[Upcoming] = queries.upcoming(as_of, known_at)
        self.issues: list[IssueSummary] = [
            issue for issue in queries.issues(as_of, known_at) if issue.status == "open"
        ]
        self.call_history = self._call_history(queries)
        self.scale = _scale(
            self.developments, self.reports, as_of, known_at, GUTTER, WIDTH - RIGHT_PAD
        )

    def _call_history(self, queries: Queries) -> list[tuple[str, list[CallGroup]]]:
        """The call groups as known on each day a report was published, up to K."""
        days = sorted({r["published_upper"] for r in self.reports})
        return [(day, queries.call_groups(min(self.as_of, day), day)) for day in days]

    # -- pieces -------------------------------------------------------------------------

    def render(self) -> str:
        counts = Counter(d.kind for d in self.developments)
        outlets = {r["outlet"] for r in self.reports}
        title = f"Peace process timeline: as of {self.as_of}, as known at {self.known_at}"
        if self.since:
            title += f", since {self.since}"
        summary = (
            f"{_count(len(self.developments), 'development')} from"
            f" {_count(len(self.reports), 'report')} by {_count(len(outlets), 'outlet')};"
            f" log position {self.position}."
        )
        body = [
            "<header>",
            f"<h1>{_e(title)}</h1>",
            f"<p class='lede'>{_e(summary)} Valid time runs left to right: busy days get"
            " room, quiet stretches are compressed (//). Hover over a mark for its accounts;"
            " click it, or read every account below.</p>",
            self._legend(counts),
            "</header>",
            "<main>",
            "<section class='chart' aria-label='Timeline'>",
            self._svg(),
            "</section>",
            self._cards(),
            self._articles(),
            self._report_list(),
            "</main>",
            "<div id='panel' class='panel' hidden><button type='button' id='panel-close'"
            " aria-label='Close'>&times;</button><div id='panel-body'></div></div>",
            f"<script>{assets()[1].text}</script>",
        ]
        return _document(title, "\n".join(body))

    def _legend(self, counts: Counter[str]) -> str:
        items = []
        for kind in KIND_ORDER:
            items.append(
                f"<li><svg width='14' height='14' aria-hidden='true'><circle cx='7' cy='7' r='5'"
                f" class='k-{kind}'/></svg>{_e(PLURALS[kind])} <b>{counts.get(kind, 0)}</b></li>"
            )
        items.extend(
            [
                "<li><svg width='30' height='14' aria-hidden='true'><rect x='2' y='3' width='26'"
                " height='8' rx='4' class='span k-call'/></svg>fuzzy date: its whole range</li>",
                "<li><svg width='14' height='14' aria-hidden='true'><circle cx='7' cy='7' r='5'"
                " class='dot undated k-call'/></svg>undated: by its first report</li>",
                "<li><svg width='14' height='14' aria-hidden='true'><circle cx='7' cy='7' r='5'"
                " class='dot planned k-call'/></svg>planned or proposed</li>",
                "<li><s>retracted</s> struck through</li>",
            ]
        )
        return f"<ul class='legend'>{''.join(items)}</ul>"

    def _svg(self) -> str:
        scale = self.scale
        placed, rows = _place(self.developments, scale, self.names, self.anchors)
        axis_y = 46
        lane_tops = []
        y = axis_y + 12
        for count in rows:
            lane_tops.append(y)
            y += count * ROW + 12
        lanes_bottom = y - 6
        strip_top = lanes_bottom + 44
        strip_bottom = strip_top + 90
        report_rows = self._report_rows()
        ticks_bottom = strip_bottom + 16 + (max(report_rows.values(), default=0) + 1) * 13
        chart_top = ticks_bottom + 44
        chart_bottom = chart_top + 130
        height = chart_bottom + 40
        parts = [
            f"<svg id='timeline' viewBox='0 0 {WIDTH} {_f(height)}' role='img'"
            " aria-labelledby='svg-title'><title id='svg-title'>Developments by type over"
            " valid time, when each was first reported, and the call count over knowledge"
            " time</title>"
        ]
        for lane, kind in enumerate(KIND_ORDER):
            top = lane_tops[lane]
            lane_height = rows[lane] * ROW + 6
            parts.append(
                f"<rect class='lane{' odd' if lane % 2 else ''}' x='0' y='{_f(top - 6)}'"
                f" width='{WIDTH}' height='{_f(lane_height + 6)}'/>"
                f"<circle cx='12' cy='{_f(top + 6)}' r='5' class='k-{kind}'/>"
                f"<text class='lane-label' x='22' y='{_f(top + 10)}'>{_e(PLURALS[kind])}</text>"
            )
        parts.append(self._axis(axis_y, lanes_bottom))
        parts.append(self._today_lines(axis_y, chart_bottom))
        for item in placed:
            parts.append(self._mark(item, lane_tops[item.lane] + item.row * ROW + 6))
        parts.append(self._strip(strip_top, strip_bottom, report_rows))
        parts.append(self._calls_chart(chart_top, chart_bottom))
        parts.append("</svg>")
        return "".join(parts)

    def _axis(self, axis_y: float, lanes_bottom: float) -> str:
        scale = self.scale
        parts = [
            f"<line class='axis' x1='{GUTTER}' y1='{axis_y}' x2='{_f(scale.right)}' y2='{axis_y}'/>"
        ]
        last_x = -1e9
        last_year = None
        for ordinal in _ticks(scale, self.developments, self.reports):
            day = _day(ordinal)
            x = scale.x(day.isoformat())
            if x - last_x < 40:
                continue
            last_x = x
            text = f"{day.day} {_month(ordinal)}"
            if day.year != last_year:
                parts.append(f"<text class='year' x='{_f(x)}' y='{axis_y - 21}'>{day.year}</text>")
                last_year = day.year
            parts.append(
                f"<line class='tick' x1='{_f(x)}' y1='{axis_y - 4}' x2='{_f(x)}' y2='{axis_y}'/>"
                f"<text class='tick-label' x='{_f(x)}' y='{axis_y - 7}'>{text}</text>"
                f"<line class='grid' x1='{_f(x)}' y1='{axis_y}' x2='{_f(x)}'"
                f" y2='{_f(lanes_bottom)}'/>"
            )
        for start, end, days in scale.breaks:
            middle = (start + end) / 2
            months = round(days / 30.4)
            gap = f"{months} months" if months >= 2 else f"{days} days"
            if len(gap) * CHAR + 70 < end - start:
                gap += " compressed"
            parts.append(
                f"<g class='break'><title>{days} days without a dated development or report,"
                f" compressed</title><rect class='break-band' x='{_f(start + 3)}'"
                f" y='{axis_y + 1}' width='{_f(max(end - start - 6, 1))}'"
                f" height='{_f(lanes_bottom - axis_y - 1)}'/>"
                f"<rect class='break-gap' x='{_f(middle - 6)}' y='{axis_y - 3}' width='12'"
                " height='6'/>"
                f"<path class='break-mark' d='M{_f(middle - 7)} {axis_y + 5}l5 -10"
                f"M{_f(middle + 1)} {axis_y + 5}l5 -10'/>"
                f"<text class='break-label' x='{_f(middle)}' y='{_f(lanes_bottom + 13)}'>"
                f"{gap}</text></g>"
            )
        return "".join(parts)

    def _today_lines(self, top: float, bottom: float) -> str:
        parts = []
        scale = self.scale
        lines = [("as of", self.as_of)]
        if self.known_at != self.as_of:
            lines.append(("known at", self.known_at))
        else:
            lines = [("as of and known at", self.as_of)]
        for index, (name, day) in enumerate(lines):
            ordinal = _ordinal(day)
            if not scale.first <= ordinal <= scale.last:
                continue
            x = scale.x(day, 1.0)
            parts.append(
                f"<line class='now' x1='{_f(x)}' y1='{_f(top - 2)}' x2='{_f(x)}'"
                f" y2='{_f(bottom)}'/><text class='now-label' x='{_f(x - 3)}'"
                f" y='{_f(10 + 11 * index)}'>{name} {day}</text>"
            )
        return "".join(parts)

    def _mark(self, item: Placed, y: float) -> str:
        development = item.development
        kind = development.kind
        classes = ["mark", f"kind-{kind}"]
        if development.retracted:
            classes.append("retracted")
        shapes = []
        if development.fuzzy:
            width = max(item.x1 - item.x0, 6)
            shapes.append(
                f"<rect class='span k-{kind}{' planned' if development.upcoming else ''}'"
                f" x='{_f(item.x0)}' y='{_f(y - 4)}' width='{_f(width)}' height='8' rx='4'/>"
            )
        else:
            style = "undated" if development.dated_by == "reported" else ""
            if development.upcoming:
                style = "planned"
            if development.dated_by == "reported":
                shapes.append(
                    f"<line class='tail k-{kind}' x1='{_f(item.x0 - 14)}' y1='{_f(y)}'"
                    f" x2='{_f(item.x0 - 5)}' y2='{_f(y)}'/>"
                )
            shapes.append(
                f"<circle class='dot k-{kind} {style}' cx='{_f(item.x0)}' cy='{_f(y)}' r='5'/>"
            )
        if item.text:
            anchor = " text-anchor='end'" if item.text_end else ""
            shapes.append(
                f"<text class='label' x='{_f(item.text_x)}' y='{_f(y + 4)}'{anchor}>"
                f"{_e(item.text)}</text>"
            )
        if development.retracted:
            width = len(item.text) * CHAR
            x_start = min(item.x0 - 7, item.text_x - width if item.text_end else item.x0 - 7)
            x_end = max(item.x1 + 7, item.x1 + 7 if item.text_end else item.text_x + width)
            shapes.append(
                f"<line class='strike-through' x1='{_f(x_start)}' y1='{_f(y)}'"
                f" x2='{_f(x_end)}' y2='{_f(y)}'/>"
            )
        return (
            f"<a href='#{_e(item.anchor)}' class='{' '.join(classes)}'"
            f" data-dev='{_e(development.id)}' data-kind='{kind}'>"
            f"<title>{_e(_tooltip(development, self.names))}</title>{''.join(shapes)}</a>"
        )

    def _report_rows(self) -> dict[str, int]:
        """Reports published close together are labelled one under the other."""
        rows: dict[str, int] = {}
        group_x = -1e9
        row = 0
        for report in self.reports:
            x = self.scale.x(report["published_upper"], 1.0)
            if x - group_x < 40:
                row += 1
            else:
                group_x, row = x, 0
            rows[report["id"]] = row
        return rows

    def _strip(self, top: float, bottom: float, report_rows: dict[str, int]) -> str:
        scale = self.scale
        parts = [
            f"<text class='section-label' x='8' y='{_f(top - 14)}'>When each became known</text>",
            f"<text class='strip-label' x='8' y='{_f(top + 4)}'>happened</text>",
            f"<text class='strip-label' x='8' y='{_f(bottom + 4)}'>first reported</text>",
            f"<line class='axis' x1='{GUTTER}' y1='{_f(top)}' x2='{_f(scale.right)}'"
            f" y2='{_f(top)}'/>",
            f"<line class='axis' x1='{GUTTER}' y1='{_f(bottom)}' x2='{_f(scale.right)}'"
            f" y2='{_f(bottom)}'/>",
        ]
        for development in self.developments:
            kind = development.kind
            x_lower, x_upper = scale.span(development.lower, development.upper)
            if not development.fuzzy:
                x_lower = x_upper = scale.x(development.lower)
            x_known = scale.x(development.first_known, 1.0)
            lag = (
                f"{development.id}: happened {date_label(development)},"
                f" first reported {development.first_known}"
            )
            dashed = " ahead" if development.upcoming else ""
            if development.fuzzy:
                shape = (
                    f"<polygon class='lag-area k-{kind}' points='{_f(x_lower)},{_f(top)}"
                    f" {_f(x_upper)},{_f(top)} {_f(x_known)},{_f(bottom)}'/>"
                )
            else:
                shape = (
                    f"<line class='lag-line k-{kind}{dashed}' x1='{_f(x_lower)}' y1='{_f(top)}'"
                    f" x2='{_f(x_known)}' y2='{_f(bottom)}'/>"
                )
            parts.append(
                f"<g class='lag' data-dev='{_e(development.id)}'><title>{_e(lag)}</title>"
                f"{shape}</g>"
            )
        for report in self.reports:
            x0, x1 = scale.span(report["published_lower"], report["published_upper"])
            row = report_rows.get(report["id"], 0)
            y = bottom + 14 + row * 13
            tip = f"{report['id']}: {report['outlet']}, published {report['published']}"
            bracket = ""
            if report["published_lower"] != report["published_upper"]:
                bracket = (
                    f"<line class='report-span' x1='{_f(x0)}' y1='{_f(bottom + 3)}'"
                    f" x2='{_f(x1)}' y2='{_f(bottom + 3)}'/>"
                )
            parts.append(
                f"<g class='report-tick' data-report='{_e(report['id'])}'><title>{_e(tip)}"
                f"</title>{bracket}<line class='report' x1='{_f(x1)}' y1='{_f(bottom - 8)}'"
                f" x2='{_f(x1)}' y2='{_f(bottom + 6)}'/><text class='report-label'"
                f" x='{_f(x1)}' y='{_f(y)}'>{_e(report['id'])}</text></g>"
            )
        return "".join(parts)

    def _calls_chart(self, top: float, bottom: float) -> str:
        scale = self.scale
        history = self.call_history
        series: dict[tuple[str, ...], list[tuple[str, int, int | None]]] = defaultdict(list)
        for day, groups in history:
            for group in groups:
                claimed = group.claimed_count
                number = (
                    claimed if isinstance(claimed, int) and not isinstance(claimed, bool) else None
                )
                series[group.participants].append((day, group.count, number))
        top_value = max(
            [1]
            + [count for points in series.values() for _, count, _ in points]
            + [c for points in series.values() for _, _, c in points if c is not None]
        )
        step = max(1, math.ceil(top_value / 4))
        top_value = step * math.ceil(top_value / step)

        def y_of(value: float) -> float:
            return bottom - (bottom - top) * value / top_value

        parts = [
            f"<text class='section-label' x='8' y='{_f(top - 16)}'>Calls per participant set,"
            " as known on each report's day</text>"
        ]
        for value in range(0, top_value + 1, step):
            y = y_of(value)
            parts.append(
                f"<line class='grid-h' x1='{GUTTER}' y1='{_f(y)}' x2='{_f(scale.right)}'"
                f" y2='{_f(y)}'/><text class='value-label' x='{GUTTER - 6}' y='{_f(y + 4)}'>"
                f"{value}</text>"
            )
        if not series:
            parts.append(
                f"<text class='empty' x='{GUTTER + 10}' y='{_f((top + bottom) / 2)}'>No calls"
                " or call-count claims known.</text>"
            )
        palette = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
        end_x = scale.x(self.known_at, 1.0) if _ordinal(self.known_at) <= scale.last else None
        label_y: list[float] = []  # sorted
        # Where the last label that wanted each height went: the heights between were
        # taken then, and still are.
        placed_from: dict[float, float] = {}
        for index, (participants, points) in enumerate(sorted(series.items())):
            colour = palette[index % len(palette)]
            who = " + ".join(self.names.brief(p) for p in participants)
            recorded = [(day, count) for day, count, _ in points]
            claimed = [(day, value) for day, _, value in points if value is not None]
            for kind, values in (("recorded", recorded), ("claimed", claimed)):
                if not values:
                    continue
                path = _steps(values, scale, y_of, end_x)
                dots = "".join(
                    f"<circle class='{kind}-dot' cx='{_f(scale.x(day, 1.0))}'"
                    f" cy='{_f(y_of(value))}' r='3.2' fill='{colour}' stroke='{colour}'>"
                    f"<title>{_e(f'{who}: {kind} {value} as known at {day}')}</title></circle>"
                    for day, value in values
                )
                last_day, final = values[-1]
                text_x = scale.x(last_day, 1.0) - 8
                wanted = y_of(final) - 6
                text_y = placed_from.get(wanted, wanted)
                while _near(label_y, text_y, 12):
                    text_y += 12
                placed_from[wanted] = text_y
                insort(label_y, text_y)
                text = f"{who}: {kind} {final}"
                if kind == "claimed" and recorded and recorded[-1][0] == last_day:
                    gap = final - recorded[-1][1]
                    if gap > 0:
                        text += f" ({gap} not in the record)"
                parts.append(
                    f"<g class='series {kind}' data-series='{_e(who)}'>"
                    f"<path class='{kind}-line' d='{path}' stroke='{colour}'/>{dots}"
                    f"<text class='series-label' x='{_f(text_x)}' y='{_f(text_y)}'"
                    f" text-anchor='end' fill='{colour}'>{_e(text)}</text></g>"
                )
        legend_y = bottom + 30
        parts.append(
            f"<line class='recorded-line' x1='{GUTTER}' y1='{_f(legend_y - 4)}' x2='{GUTTER + 26}'"
            f" y2='{_f(legend_y - 4)}' stroke='#333'/><text class='value-label start'"
            f" x='{GUTTER + 32}' y='{_f(legend_y)}'>recorded: calls in the record that had"
            " happened</text>"
            f"<line class='claimed-line' x1='{GUTTER + 340}' y1='{_f(legend_y - 4)}'"
            f" x2='{GUTTER + 366}' y2='{_f(legend_y - 4)}' stroke='#333'/><text"
            f" class='value-label start' x='{GUTTER + 372}' y='{_f(legend_y)}'>claimed: the"
            " latest count a participant asserted</text>"
        )
        return "".join(parts)

    # -- below the chart ------------------------------------------------------------------

    def _sources(self, report_ids: Iterable[str]) -> str:
        items = []
        for report_id in report_ids:
            report = self.report_by_id.get(report_id)
            if report is None:
                continue
            items.append(
                f"<li><b>{_e(report_id)}</b> {_e(report['outlet'])},"
                f" <time>{_e(report['published'])}</time></li>"
            )
        return f"<ul class='sources'>{''.join(items)}</ul>"

    def _link(self, development_id: str, text: str) -> str:
        anchor = self.anchors.get(development_id)
        if anchor is None:
            return _e(text)
        return f"<a href='#{_e(anchor)}'>{_e(text)}</a>"

    def _cards(self) -> str:
        meetings = []
        for item in self.upcoming:
            what = "call" if item.kind == "call" else "meeting"
            heading = f"{' + '.join(self.names.name(p) for p in item.participants)}"
            facts = [f"{what}, {item.status}", f"planned {item.planned or 'date not reported'}"]
            if item.place:
                facts.append(f"at {item.place}")
            meetings.append(
                f"<article class='card k-border-{item.kind}'><h3>{self._link(item.id, heading)}"
                f"</h3><p>{_e('; '.join(facts))}</p><p class='id'>{_e(item.id)}</p>"
                f"{self._sources(item.reports)}</article>"
            )
        issues = []
        for issue in self.issues:
            positions = "".join(
                f"<li><b>{_e(self.names.name(party))}:</b> {_e(text)}</li>"
                for party, text in issue.positions.items()
            )
            issues.append(
                f"<article class='card k-border-issue'><h3>"
                f"{self._link(issue.id, issue.title or issue.id)}</h3>"
                f"<ul class='positions'>{positions}</ul><p class='id'>{_e(issue.id)}</p>"
                f"{self._sources(issue.reports)}</article>"
            )
        empty = "<p class='empty'>None known.</p>"
        return (
            "<section class='cards'><h2>Next meetings and calls</h2>"
            f"<div class='cardgrid'>{''.join(meetings) or empty}</div>"
            "<h2>Open issues</h2>"
            f"<div class='cardgrid'>{''.join(issues) or empty}</div></section>"
        )

    def _articles(self) -> str:
        articles = []
        for development in self.developments:
            articles.append(self._article(development))
        empty = "<p class='empty'>No development is known.</p>"
        return (
            "<section class='developments'><h2>Every development, with its accounts</h2>"
            f"<div class='articles'>{''.join(articles) or empty}</div></section>"
        )

    def _article(self, development: Development) -> str:
        kind = development.kind
        classes = f"dev k-border-{kind}" + (" retracted" if development.retracted else "")
        fields = "".join(
            f"<dt>{_e(name.replace('_', ' '))}</dt><dd>{_e(field_text(name, value, self.names))}"
            "</dd>"
            for name, value in development.fields.items()
        )
        accounts = []
        for account in development.accounts:
            source = (
                f"<span class='src'><b>{_e(account.report_id)}</b> {_e(account.outlet)},"
                f" <time>{_e(account.published)}</time></span>"
            )
            if account.retraction:
                accounts.append(
                    f"<li class='retraction'>{source} <b>retracts it</b>:"
                    f" {_e(account.reason or '')}"
                    + (f"<blockquote>{_e(account.quote)}</blockquote>" if account.quote else "")
                    + "</li>"
                )
                continue
            body = [source]
            if account.voided:
                body.append(f" <span class='void'>voided: {_e(account.void_reason or '')}</span>")
            if account.quote:
                body.append(f"<blockquote>{_e(account.quote)}</blockquote>")
            if account.attributed_to:
                body.append(f"<p class='by'>— {_e(account.attributed_to)}</p>")
            if account.note:
                body.append(f"<p class='note'>Note: {_e(account.note)}</p>")
            voided = " class='voided'" if account.voided else ""
            accounts.append(f"<li{voided}>{''.join(body)}</li>")
        badge = " <span class='badge'>retracted</span>" if development.retracted else ""
        outlets = len(development.outlets)
        meta = (
            f"{development.id} · {development.status or kind} · {len(development.sources)}"
            f" account{'s' if len(development.sources) != 1 else ''} from {outlets}"
            f" outlet{'s' if outlets != 1 else ''} · first reported {development.first_known}"
        )
        return (
            f"<article class='{classes}' id='{_e(self.anchors[development.id])}'"
            f" data-dev='{_e(development.id)}'><h3><span class='chip k-bg-{kind}'>{kind}</span>"
            f" <time>{_e(date_label(development))}</time> "
            f"<span class='headline'>{_e(label(development, self.names, limit=120))}</span>"
            f"{badge}</h3><p class='meta'>{_e(meta)}</p><dl>{fields}</dl>"
            f"<ol class='accounts'>{''.join(accounts)}</ol></article>"
        )

    def _report_list(self) -> str:
        told: Counter[str] = Counter(report for d in self.developments for report in d.reports)
        rows = "".join(
            f"<tr><td>{_e(r['id'])}</td><td><time>{_e(r['published'])}</time></td>"
            f"<td>{_e(r['outlet'])}</td><td>{_e(r['title'] or '')}</td>"
            f"<td>{_e(r['url'] or '')}</td><td class='n'>{told.get(r['id'], 0)}</td></tr>"
            for r in self.reports
        )
        return (
            "<section class='reports'><h2>Reports known at "
            f"{_e(self.known_at)}</h2><table><thead><tr><th>report</th><th>published</th>"
            "<th>outlet</th><th>title</th><th>address (not followed)</th><th>tells of</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></section>"
        )


def _near(ordered: Sequence[float], value: float, distance: float) -> bool:
    """Whether any of ``ordered`` (sorted) is less than ``distance`` from ``value``."""
    index = bisect_right(ordered, value - distance)
    return index < len(ordered) and ordered[index] < value + distance


def _steps(
    values: Sequence[tuple[str, int]],
    scale: Scale,
    y_of: Callable[[float], float],
    end_x: float | None,
) -> str:
    """A step line: each value holds from its report's day to the next one's."""
    first_day, first_value = values[0]
    commands = [f"M{_f(scale.x(first_day, 1.0))} {_f(y_of(first_value))}"]
    for day, value in values[1:]:
        commands.append(f"H{_f(scale.x(day, 1.0))}V{_f(y_of(value))}")
    if end_x is not None:
        commands.append(f"H{_f(end_x)}")
    return "".join(commands)


@attrs.frozen
class InlineAsset:
    """A package file put inline in the page, with the base64 SHA-256 of its bytes: the
    page's Content-Security-Policy allows it by that hash, so it runs only as shipped."""

    text: str
    sha256: str

    @classmethod
    def load(cls, name: str) -> InlineAsset:
        data = resources.files("tracker").joinpath("static", name).read_bytes()
        text = data.decode("utf-8")
        # Inline, a closing tag or a comment opener would end or bend the element early.
        if any(marker in text.lower() for marker in ("</style", "</script", "<!--")):
            raise ValueError(f"tracker/static/{name} cannot be put inline in a page")
        return cls(text, base64.b64encode(hashlib.sha256(data).digest()).decode())


@functools.cache
def assets() -> tuple[InlineAsset, InlineAsset]:
    """The page's style sheet and script, read once per process."""
    return InlineAsset.load("timeline.css"), InlineAsset.load("timeline.js")


def _document(title: str, body: str) -> str:
    style, script = assets()
    policy = (
        "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none';"
        f" style-src 'sha256-{style.sha256}'; script-src 'sha256-{script.sha256}'"
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<meta http-equiv='Content-Security-Policy' content=\"{policy}\">\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        "<meta name='generator' content='tracker timeline'>\n"
        f"<title>{_e(title)}</title>\n<style>{style.text}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


def render_timeline(
    tracker: Tracker,
    as_of: str,
    known_at: str,
    since: str | None = None,
    max_developments: int | None = None,
) -> str:
    """The whole page as HTML text. ``since`` leaves out what ended before that day;
    more than ``max_developments`` raise TimelineTooLarge."""
    return Page(tracker, as_of, known_at, since, max_developments).render()
