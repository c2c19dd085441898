"""Valid-time and knowledge-time dates: EDTF text with precomputed day bounds.

Every date the tracker stores keeps the analyst's text (``2025-10``, ``2025-02~``,
``2025-12-28T13:00:00-05:00``) beside its earliest and latest possible day, so a query
compares ISO strings and never parses EDTF. Plain ISO forms take a fast path; anything
else goes through the ``edtf`` package, imported only then (it costs ~110 ms).
"""

from __future__ import annotations

import calendar
import functools
import re
import time
from datetime import UTC, date, datetime, timedelta

import attrs

# Bounds are ISO day strings: they sort as dates, and SQL compares them as text.
OPEN_LOWER = "0000-01-01"
OPEN_UPPER = "9999-12-31"

# ASCII digits only: \d would also take other scripts' digits.
_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})\Z")
_YEAR = re.compile(r"^([0-9]{4})\Z")
_DATETIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\Z"
)
_UNSPECIFIED = re.compile(r"^([0-9]{2}[0-9X]{2})(?:-([0-9X]{2}))?(?:-([0-9X]{2}))?\Z")
_QUALIFIERS = "~?%"


class InvalidDate(ValueError):
    """A date that is not valid EDTF, is impossible, or is outside years 1-9999."""


@attrs.frozen
class FuzzyDate:
    """An EDTF date or interval with its earliest and latest possible day.

    ``lower``/``upper`` are ISO days; an open end is ``OPEN_LOWER``/``OPEN_UPPER``.
    ``instant`` is the UTC moment when the text names a time of day, for ordering
    events within one day.
    """

    text: str
    lower: str
    upper: str
    instant: str | None = None

    @classmethod
    def parse(cls, text: str) -> FuzzyDate:
        return parse_fuzzy_date(text)

    @classmethod
    def day(cls, day: date) -> FuzzyDate:
        iso = day.isoformat()
        return cls(iso, iso, iso)

    @property
    def is_precise_day(self) -> bool:
        return self.lower == self.upper


def parse_fuzzy_date(text: str) -> FuzzyDate:
    """Parse an EDTF date, interval or ISO date-time; raise InvalidDate with a reason."""
    if not isinstance(text, str):
        raise InvalidDate(f"a date must be a string, not {type(text).__name__}")
    return _parse_date_text(text)


# Dates repeat from account to account (a strike's day, a report's): a million-account
# import parses a few thousand distinct ones. FuzzyDate is immutable, so one can be shared.
@functools.lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> FuzzyDate:
    stripped = text.strip()
    if not stripped:
        raise InvalidDate("empty date")
    if "/" in stripped:
        return _parse_interval(stripped)
    lower, upper, instant = _parse_single(stripped)
    return FuzzyDate(stripped, lower, upper, instant)


def parse_day(text: str) -> str:
    """A precise calendar day (for --as-of and --known-at), as ISO text."""
    fuzzy = parse_fuzzy_date(text)
    if fuzzy.instant is not None:
        return fuzzy.lower
    if not fuzzy.is_precise_day:
        raise InvalidDate(f"{text!r} is not a single day (use YYYY-MM-DD)")
    return fuzzy.lower


def _parse_interval(text: str) -> FuzzyDate:
    if text.count("/") != 1:
        raise InvalidDate(f"{text!r}: an interval has exactly one '/'")
    start, end = text.split("/")
    if start in ("", "..") and end in ("", ".."):
        raise InvalidDate(f"{text!r}: an interval needs at least one known end")
    lower = OPEN_LOWER if start in ("", "..") else _parse_single(start)[0]
    upper = OPEN_UPPER if end in ("", "..") else _parse_single(end)[1]
    if lower > upper:
        raise InvalidDate(f"{text!r}: the interval ends before it starts")
    return FuzzyDate(text, lower, upper)


def _parse_single(text: str) -> tuple[str, str, str | None]:
    qualified = text[-1] in _QUALIFIERS
    core = text[:-1] if qualified else text
    bounds = _fast_bounds(core)
    if bounds is None and _DATETIME.match(core):
        if qualified:
            raise InvalidDate(f"{text!r}: a date-time cannot be qualified with ~ ? %")
        return _datetime_bounds(core)
    if bounds is None:
        bounds = _unspecified_bounds(core)
    if bounds is None:
        return _edtf_bounds(text)
    lower, upper, precision = bounds
    if qualified:
        return (*_widen(lower, upper, precision), None)
    return lower.isoformat(), upper.isoformat(), None


def _check_year(year: int, text: str) -> None:
    if year < 1:
        raise InvalidDate(f"{text!r}: year 0 and earlier are not supported")


def _fast_bounds(core: str) -> tuple[date, date, str] | None:
    match = _DAY.match(core)
    if match:
        year, month, day = (int(g) for g in match.groups())
        _check_year(year, core)
        try:
            value = date(year, month, day)
        except ValueError as error:
            raise InvalidDate(f"{core!r}: {error}") from None
        return value, value, "day"
    match = _MONTH.match(core)
    if match:
        year, month = (int(g) for g in match.groups())
        _check_year(year, core)
        if 1 <= month <= 12:
            return (*_month_bounds(year, month), "month")
        if 21 <= month <= 41:
            return None  # an EDTF season or quarter: edtf knows them
        raise InvalidDate(f"{core!r}: month must be 01-12")
    match = _YEAR.match(core)
    if match:
        year = int(match.group(1))
        _check_year(year, core)
        return date(year, 1, 1), date(year, 12, 31), "year"
    return None


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _unspecified_bounds(core: str) -> tuple[date, date, str] | None:
    """EDTF unspecified digits (``2025-02-1X``, ``202X``), which edtf 5.0.2 rejects."""
    match = _UNSPECIFIED.match(core)
    if not match or "X" not in core:
        return None
    year_text, month_text, day_text = match.groups()
    years = _matching(year_text, 1, 9999)
    months = _matching(month_text, 1, 12) if month_text else list(range(1, 13))
    first = _first_day(years, months, day_text, core)
    last = _first_day(years[::-1], months[::-1], day_text, core, latest=True)
    if first is None or last is None:
        raise InvalidDate(f"{core!r}: no calendar date matches")
    precision = "day" if day_text else ("month" if month_text else "year")
    return first, last, precision


def _matching(pattern: str, minimum: int, maximum: int) -> list[int]:
    """The numbers from minimum to maximum whose digits fit a pattern with X wildcards."""
    low = max(int(pattern.replace("X", "0")), minimum)
    high = min(int(pattern.replace("X", "9")), maximum)
    width = len(pattern)
    return [
        n
        for n in range(low, high + 1)
        if all(p in ("X", c) for p, c in zip(pattern, f"{n:0{width}d}", strict=True))
    ]


def _first_day(
    years: list[int], months: list[int], day_text: str | None, core: str, *, latest: bool = False
) -> date | None:
    """The earliest (or latest) real day among the given years and months whose day of
    the month fits ``day_text``; the whole month when the day is not given."""
    for year in years:
        for month in months:
            length = calendar.monthrange(year, month)[1]
            days = _matching(day_text, 1, length) if day_text else [1, length]
            if days:
                return date(year, month, days[-1] if latest else days[0])
    return None


def _widen(lower: date, upper: date, precision: str) -> tuple[str, str]:
    """Approximate or uncertain (~ ? %): one unit of the stated precision either side.

    edtf's own fuzzy bounds span years for ``2025-02~``; an analyst writing
    "about February" means January to March.
    """
    # At the ends of the calendar there is nothing to widen into.
    before = lower - timedelta(days=1) if lower > date.min else lower
    after = upper + timedelta(days=1) if upper < date.max else upper
    if precision == "day":
        return before.isoformat(), after.isoformat()
    if precision == "month":
        return (
            before.replace(day=1).isoformat(),
            _month_bounds(after.year, after.month)[1].isoformat(),
        )
    return (
        date(max(lower.year - 1, 1), 1, 1).isoformat(),
        date(min(upper.year + 1, 9999), 12, 31).isoformat(),
    )


def _datetime_bounds(core: str) -> tuple[str, str, str | None]:
    try:
        moment = datetime.fromisoformat(core)
    except ValueError as error:
        raise InvalidDate(f"{core!r}: {error}") from None
    _check_year(moment.year, core)
    # The day is the local day as written: "Sunday 1 p.m. in Florida" is that Sunday.
    day = moment.date().isoformat()
    # isoformat, not strftime: its year has four digits however small.
    if moment.tzinfo is not None:
        try:
            utc = moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            raise InvalidDate(f"{core!r}: its moment in UTC falls outside years 1-9999") from None
        instant = utc.isoformat(timespec="seconds") + "Z"
    else:
        instant = moment.isoformat(timespec="seconds")
    return day, day, instant


def _iso_day(moment: time.struct_time) -> str:
    """A day as ISO text, its year in four digits: the queries compare days as text, and
    strftime's ``%Y`` writes year 500 as ``500``, which sorts after ``2025``."""
    return date(moment.tm_year, moment.tm_mon, moment.tm_mday).isoformat()


def four_digit_years(lower: str, upper: str, instant: str | None) -> tuple[str, str, str | None]:
    """Stored bounds and instant with four-digit years, as ``_iso_day`` writes them:
    events stored before it may hold ``500-03-01``."""
    if lower[4:5] == "-" and upper[4:5] == "-" and (instant is None or instant[4:5] == "-"):
        return lower, upper, instant
    return (
        _four_digit_year(lower),
        _four_digit_year(upper),
        None if instant is None else _four_digit_year(instant),
    )


def _four_digit_year(day: str) -> str:
    year, dash, rest = day.partition("-")
    return f"{year.zfill(4)}-{rest}" if dash and len(year) < 4 else day


def _edtf_bounds(text: str) -> tuple[str, str, str | None]:
    from edtf import parse_edtf

    try:
        parsed = parse_edtf(text)
        lower = parsed.lower_strict()
        upper = parsed.upper_strict()
    except Exception as error:  # edtf raises several unrelated types
        raise InvalidDate(f"{text!r} is not a valid EDTF date") from error
    if not (1 <= lower.tm_year <= 9999 and 1 <= upper.tm_year <= 9999):
        raise InvalidDate(f"{text!r}: years must be between 0001 and 9999")
    low = _iso_day(lower)
    high = _iso_day(upper)
    if text[-1] in _QUALIFIERS or any(q in text for q in _QUALIFIERS):
        precision = "day" if len(_strip_qualifiers(text)) >= 10 else "month"
        low, high = _widen(date.fromisoformat(low), date.fromisoformat(high), precision)
    if low > high:
        raise InvalidDate(f"{text!r}: ends before it starts")
    return low, high, None


def _strip_qualifiers(text: str) -> str:
    return "".join(c for c in text if c not in _QUALIFIERS)
