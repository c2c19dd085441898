"""The timeline's horizontal scale: days to x, with room for busy days and empty
stretches compressed, and the days named on its axis."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs

from tracker.dates import OPEN_LOWER, OPEN_UPPER
from tracker.timeline_model import Development

# An empty stretch longer than this is drawn as a break in the axis.
BREAK_DAYS = 45


def ordinal(day: str) -> int:
    return date.fromisoformat(day).toordinal()


def number(value: float) -> str:
    """A coordinate as the page writes it: to a tenth, without trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _gap_width(days: int) -> float:
    """Empty stretches are compressed: a week shows, eight months are a short break."""
    return 2.5 * min(days, 12) + 14 * math.log2(1 + max(0, days - 12))


@attrs.frozen
class Scale:
    """Days to x: busy days get room, empty stretches between them are compressed.

    ``slots`` are (first day, last day, x start, x end) pieces, linear inside each;
    ``breaks`` are the (x start, x end, days) of the stretches drawn as breaks.
    """

    left: float
    right: float
    slots: tuple[tuple[int, int, float, float], ...]
    breaks: tuple[tuple[float, float, int], ...]
    starts: tuple[int, ...] = attrs.field(init=False)

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
        return cls(left, right, tuple(slots), tuple(breaks))

    @starts.default
    def _slot_starts(self) -> tuple[int, ...]:
        return tuple(first for first, _, _, _ in self.slots)

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
        day_ordinal = ordinal(day)
        if day_ordinal < self.first:
            return self.left
        if day_ordinal > self.last:
            return self.right
        index = bisect_right(self.starts, day_ordinal) - 1
        first, last, start, end = self.slots[index]
        return start + (end - start) * (day_ordinal - first + fraction) / (last - first + 1)

    def span(self, lower: str, upper: str) -> tuple[float, float]:
        return self.x(lower, 0.0), self.x(upper, 1.0)

    def shows(self, day: str) -> bool:
        """Whether a day is within the axis, not off either end."""
        return self.first <= ordinal(day) <= self.last


def build_scale(
    developments: Sequence[Development],
    reports: Sequence[dict[str, Any]],
    as_of: str,
    known_at: str,
    left: float,
    right: float,
) -> Scale:
    """The scale for these developments and reports: a day with marks gets more room the
    more marks it has, a day with reports or a fuzzy date's ends some."""
    weights: dict[int, float] = defaultdict(float)
    per_day: Counter[int] = Counter()

    def bump(day: str, weight: float) -> None:
        if OPEN_LOWER < day < OPEN_UPPER:
            day_ordinal = ordinal(day)
            weights[day_ordinal] = max(weights[day_ordinal], weight)

    for development in developments:
        if development.fuzzy:
            bump(development.lower, 4)
            bump(development.upper, 4)
        else:
            per_day[ordinal(development.lower)] += 1
        bump(development.first_known, 14)
    for report in reports:
        bump(report["published_lower"], 14)
        bump(report["published_upper"], 14)
    for day_ordinal, count in per_day.items():
        weights[day_ordinal] = max(weights[day_ordinal], 40 + 9 * min(count, 12))
    if developments or reports:
        # The as-of and known-at lines fit within a few weeks of the data; further off
        # they are named in the header instead of stretching the axis.
        first = min(weights) - 30 if weights else None
        last = max(weights) + 30 if weights else None
        for day in (as_of, known_at):
            if first is None or last is None or first <= ordinal(day) <= last:
                bump(day, 8)
    else:
        bump(as_of, 8)
        bump(known_at, 8)
    return Scale.build(dict(weights), left, right)


def tick_days(
    scale: Scale, developments: Sequence[Development], reports: Sequence[dict[str, Any]]
) -> list[int]:
    """The days named on the axis: those with marks or reports, and every day the scale
    gives room of its own."""
    days = set()
    for development in developments:
        for day in (development.lower, development.upper):
            if OPEN_LOWER < day < OPEN_UPPER:
                days.add(ordinal(day))
    for report in reports:
        days.add(ordinal(report["published_upper"]))
    for first, last, _, _ in scale.slots:
        if first == last:
            days.add(first)
    return sorted(day for day in days if scale.first <= day <= scale.last)
