"""The timeline's chart of calls per participant set over knowledge time, as plain data:
for each set, the count in the record and the latest count a participant claimed, as
known on each report's day, as step lines with labelled ends."""

from __future__ import annotations

import math
from bisect import bisect_right, insort
from collections import defaultdict
from collections.abc import Callable, Sequence

import attrs

from tracker.formatting import Names
from tracker.state import CallGroup
from tracker.timeline_scale import Scale, number, ordinal

# Okabe-Ito colours, readable by most colour-blind readers and in print.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
LABEL_HEIGHT = 12


@attrs.frozen
class GridLine:
    y: float
    value: int


@attrs.frozen
class Dot:
    x: float
    y: float
    title: str


@attrs.frozen
class Series:
    """One participant set's recorded or claimed counts: ``path`` is its step line."""

    kind: str
    who: str
    colour: str
    path: str
    dots: tuple[Dot, ...]
    text: str
    text_x: float
    text_y: float


@attrs.frozen
class CallsChart:
    top: float
    bottom: float
    grid: tuple[GridLine, ...]
    series: tuple[Series, ...]

    @property
    def legend_y(self) -> float:
        return self.bottom + 30


def lay_out_calls(
    history: Sequence[tuple[str, Sequence[CallGroup]]],
    scale: Scale,
    names: Names,
    known_at: str,
    top: float,
    bottom: float,
) -> CallsChart:
    """The chart for ``history``: the call groups as known on each report's day."""
    points: dict[tuple[str, ...], list[tuple[str, int, int | None]]] = defaultdict(list)
    for day, groups in history:
        for group in groups:
            claimed = group.claimed_count
            number = claimed if isinstance(claimed, int) and not isinstance(claimed, bool) else None
            points[group.participants].append((day, group.count, number))
    top_value = max(
        [1]
        + [count for values in points.values() for _, count, _ in values]
        + [c for values in points.values() for _, _, c in values if c is not None]
    )
    step = max(1, math.ceil(top_value / 4))
    top_value = step * math.ceil(top_value / step)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / top_value

    grid = tuple(GridLine(y_of(value), value) for value in range(0, top_value + 1, step))
    end_x = scale.x(known_at, 1.0) if ordinal(known_at) <= scale.last else None
    label_y: list[float] = []  # sorted
    # Where the last label that wanted each height went: the heights between were
    # taken then, and still are.
    placed_from: dict[float, float] = {}
    series = []
    for index, (participants, values) in enumerate(sorted(points.items())):
        colour = PALETTE[index % len(PALETTE)]
        who = " + ".join(names.brief(p) for p in participants)
        recorded = [(day, count) for day, count, _ in values]
        claimed = [(day, value) for day, _, value in values if value is not None]
        for kind, steps in (("recorded", recorded), ("claimed", claimed)):
            if not steps:
                continue
            dots = tuple(
                Dot(scale.x(day, 1.0), y_of(value), f"{who}: {kind} {value} as known at {day}")
                for day, value in steps
            )
            last_day, final = steps[-1]
            wanted = y_of(final) - 6
            text_y = placed_from.get(wanted, wanted)
            while _near(label_y, text_y, LABEL_HEIGHT):
                text_y += LABEL_HEIGHT
            placed_from[wanted] = text_y
            insort(label_y, text_y)
            text = f"{who}: {kind} {final}"
            if kind == "claimed" and recorded and recorded[-1][0] == last_day:
                gap = final - recorded[-1][1]
                if gap > 0:
                    text += f" ({gap} not in the record)"
            path = _steps(steps, scale, y_of, end_x)
            text_x = scale.x(last_day, 1.0) - 8
            series.append(Series(kind, who, colour, path, dots, text, text_x, text_y))
    return CallsChart(top, bottom, grid, tuple(series))


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
    commands = [f"M{number(scale.x(first_day, 1.0))} {number(y_of(first_value))}"]
    for day, value in values[1:]:
        commands.append(f"H{number(scale.x(day, 1.0))}V{number(y_of(value))}")
    if end_x is not None:
        commands.append(f"H{number(end_x)}")
    return "".join(commands)
