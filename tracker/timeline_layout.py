"""Where everything on the timeline chart goes, as plain data: a lane of marks per type,
the axis with its breaks, the as-of and known-at lines, and the strip of when each
development became known. The page's templates draw it; nothing here is markup."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs

from tracker.formatting import Names, date_label, label, tooltip
from tracker.kinds import KINDS
from tracker.state import CallGroup
from tracker.timeline_calls import CallsChart, lay_out_calls
from tracker.timeline_model import Development
from tracker.timeline_scale import Scale, build_scale, tick_days

WIDTH = 1320
GUTTER = 118
RIGHT_PAD = 18
ROW = 17
CHAR = 6.1  # average width of a label character at 11px
AXIS_Y = 46
# A lane that would need more rows than this for its labels keeps its marks only (each
# still has its tooltip and its article).
MAX_LABELLED_ROWS = 24


@attrs.frozen
class Lane:
    """One type's band: ``top`` is the top of its first row of marks."""

    kind: str
    odd: bool
    top: float
    rows: int

    @property
    def plural(self) -> str:
        return KINDS[self.kind].plural

    @property
    def height(self) -> float:
        return self.rows * ROW + 12


@attrs.frozen
class Tick:
    """A day named on the axis; ``year`` on the first tick of each year."""

    x: float
    text: str
    year: int | None


@attrs.frozen
class Break:
    """An empty stretch the axis compresses, from x ``start`` to ``end``."""

    start: float
    end: float
    days: int
    text: str

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2

    @property
    def band_width(self) -> float:
        return max(self.end - self.start - 6, 1)


@attrs.frozen
class NowLine:
    """The as-of or known-at day across the chart; ``label_y`` keeps two labels apart."""

    x: float
    text: str
    label_y: float


@attrs.frozen
class Mark:
    """A development on its lane: a dot, or a span for a fuzzy date, and its label."""

    development: Development
    anchor: str  # the page id of its article
    tooltip: str
    y: float
    x0: float
    x1: float
    text: str
    text_x: float
    text_end: bool  # label to the left of the mark

    @property
    def classes(self) -> str:
        return f"mark kind-{self.development.kind}" + (
            " retracted" if self.development.retracted else ""
        )

    @property
    def span_width(self) -> float:
        return max(self.x1 - self.x0, 6)

    @property
    def dot_style(self) -> str:
        if self.development.upcoming:
            return "planned"
        return "undated" if self.development.dated_by == "reported" else ""

    @property
    def strike(self) -> tuple[float, float] | None:
        """Where a retracted development's line through mark and label runs."""
        if not self.development.retracted:
            return None
        width = len(self.text) * CHAR
        start = min(self.x0 - 7, self.text_x - width if self.text_end else self.x0 - 7)
        end = max(self.x1 + 7, self.x1 + 7 if self.text_end else self.text_x + width)
        return start, end


@attrs.frozen
class Lag:
    """From when a development happened (``x_lower``..``x_upper``) to its first report."""

    development: Development
    x_lower: float
    x_upper: float
    x_known: float
    title: str


@attrs.frozen
class ReportTick:
    """A report on the first-reported line: a bracket over its possible days, if many."""

    report: dict[str, Any]
    x0: float
    x1: float
    label_y: float

    @property
    def title(self) -> str:
        report = self.report
        return f"{report['id']}: {report['outlet']}, published {report['published']}"

    @property
    def spanned(self) -> bool:
        return bool(self.report["published_lower"] != self.report["published_upper"])


@attrs.frozen
class Strip:
    top: float
    bottom: float
    lags: tuple[Lag, ...]
    reports: tuple[ReportTick, ...]


@attrs.frozen
class Chart:
    width: int
    height: float
    gutter: int
    right: float
    axis_y: float
    lanes_bottom: float
    lanes: tuple[Lane, ...]
    ticks: tuple[Tick, ...]
    breaks: tuple[Break, ...]
    now_lines: tuple[NowLine, ...]
    marks: tuple[Mark, ...]
    strip: Strip
    calls: CallsChart


def lay_out(
    developments: Sequence[Development],
    reports: Sequence[dict[str, Any]],
    call_history: Sequence[tuple[str, Sequence[CallGroup]]],
    names: Names,
    anchors: dict[str, str],
    as_of: str,
    known_at: str,
) -> Chart:
    """The whole chart: lanes from the top, then the strip, then the call counts."""
    scale = build_scale(developments, reports, as_of, known_at, GUTTER, WIDTH - RIGHT_PAD)
    lanes, marks = _lanes(developments, scale, names, anchors)
    lanes_bottom = lanes[-1].top + lanes[-1].rows * ROW + 6
    strip_top = lanes_bottom + 44
    strip_bottom = strip_top + 90
    report_rows = _report_rows(reports, scale)
    ticks_bottom = strip_bottom + 16 + (max(report_rows, default=0) + 1) * 13
    calls_top = ticks_bottom + 44
    calls_bottom = calls_top + 130
    calls = lay_out_calls(call_history, scale, names, known_at, calls_top, calls_bottom)
    return Chart(
        width=WIDTH,
        height=calls_bottom + 40,
        gutter=GUTTER,
        right=scale.right,
        axis_y=AXIS_Y,
        lanes_bottom=lanes_bottom,
        lanes=lanes,
        ticks=_ticks(scale, developments, reports),
        breaks=_breaks(scale),
        now_lines=_now_lines(scale, as_of, known_at),
        marks=marks,
        strip=_strip(developments, reports, report_rows, scale, strip_top, strip_bottom),
        calls=calls,
    )


def _lanes(
    developments: Sequence[Development], scale: Scale, names: Names, anchors: dict[str, str]
) -> tuple[tuple[Lane, ...], tuple[Mark, ...]]:
    """Marks in one lane per type, stacked in rows so that no two marks or labels meet."""
    lanes: list[Lane] = []
    marks: list[Mark] = []
    top = AXIS_Y + 12
    for index, kind in enumerate(KINDS):
        members = [d for d in developments if d.kind == kind]
        placed, rows = _lane(members, top, scale, names, anchors, labelled=True)
        if rows > MAX_LABELLED_ROWS:
            placed, rows = _lane(members, top, scale, names, anchors, labelled=False)
        marks.extend(placed)
        lane = Lane(kind, odd=index % 2 == 1, top=top, rows=max(1, rows))
        lanes.append(lane)
        top += lane.rows * ROW + 12
    return tuple(lanes), tuple(marks)


def _lane(
    members: Sequence[Development],
    top: float,
    scale: Scale,
    names: Names,
    anchors: dict[str, str],
    *,
    labelled: bool,
) -> tuple[list[Mark], int]:
    placed: list[tuple[Development, int, float, float, str, float, bool]] = []
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
        placed.append((development, row, x0, x1, text, text_x, text_end))
    marks = [
        Mark(
            development,
            anchors[development.id],
            tooltip(development, names),
            top + row * ROW + 6,
            x0,
            x1,
            text,
            text_x,
            text_end,
        )
        for development, row, x0, x1, text, text_x, text_end in placed
    ]
    return marks, len(ends)


def _ticks(
    scale: Scale, developments: Sequence[Development], reports: Sequence[dict[str, Any]]
) -> tuple[Tick, ...]:
    """The named days, at least 40 apart; each year named over its first."""
    ticks = []
    last_x = -1e9
    last_year = None
    for day_ordinal in tick_days(scale, developments, reports):
        day = date.fromordinal(day_ordinal)
        x = scale.x(day.isoformat())
        if x - last_x < 40:
            continue
        last_x = x
        year = day.year if day.year != last_year else None
        last_year = day.year
        ticks.append(Tick(x, f"{day.day} {day.strftime('%b')}", year))
    return tuple(ticks)


def _breaks(scale: Scale) -> tuple[Break, ...]:
    breaks = []
    for start, end, days in scale.breaks:
        months = round(days / 30.4)
        text = f"{months} months" if months >= 2 else f"{days} days"
        if len(text) * CHAR + 70 < end - start:
            text += " compressed"
        breaks.append(Break(start, end, days, text))
    return tuple(breaks)


def _now_lines(scale: Scale, as_of: str, known_at: str) -> tuple[NowLine, ...]:
    if known_at == as_of:
        days = [("as of and known at", as_of)]
    else:
        days = [("as of", as_of), ("known at", known_at)]
    return tuple(
        NowLine(scale.x(day, 1.0), f"{name} {day}", 10 + 11 * index)
        for index, (name, day) in enumerate(days)
        if scale.shows(day)
    )


def _report_rows(reports: Sequence[dict[str, Any]], scale: Scale) -> list[int]:
    """Reports published close together are labelled one under the other."""
    rows = []
    group_x = -1e9
    row = 0
    for report in reports:
        x = scale.x(report["published_upper"], 1.0)
        if x - group_x < 40:
            row += 1
        else:
            group_x, row = x, 0
        rows.append(row)
    return rows


def _strip(
    developments: Sequence[Development],
    reports: Sequence[dict[str, Any]],
    report_rows: Sequence[int],
    scale: Scale,
    top: float,
    bottom: float,
) -> Strip:
    lags = []
    for development in developments:
        x_lower, x_upper = scale.span(development.lower, development.upper)
        if not development.fuzzy:
            x_lower = x_upper = scale.x(development.lower)
        title = (
            f"{development.id}: happened {date_label(development)},"
            f" first reported {development.first_known}"
        )
        x_known = scale.x(development.first_known, 1.0)
        lags.append(Lag(development, x_lower, x_upper, x_known, title))
    ticks = []
    for report, row in zip(reports, report_rows, strict=True):
        x0, x1 = scale.span(report["published_lower"], report["published_upper"])
        ticks.append(ReportTick(report, x0, x1, bottom + 14 + row * 13))
    return Strip(top, bottom, tuple(lags), tuple(ticks))
