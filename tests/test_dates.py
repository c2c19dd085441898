"""EDTF dates: every form the tracker accepts, with its exact day bounds, and every
rejection with its reason."""

from __future__ import annotations

import calendar
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.dates import (
    OPEN_LOWER,
    OPEN_UPPER,
    FuzzyDate,
    InvalidDate,
    parse_day,
    parse_fuzzy_date,
)

PROJECT = Path(__file__).resolve().parent.parent


def bounds(text: str) -> tuple[str, str]:
    parsed = parse_fuzzy_date(text)
    return parsed.lower, parsed.upper


# --- Plain ISO forms (fast path) --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("2025", "2025-01-01", "2025-12-31"),
        ("0001", "0001-01-01", "0001-12-31"),
        ("9999", "9999-01-01", "9999-12-31"),
        ("2025-02", "2025-02-01", "2025-02-28"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2025-12", "2025-12-01", "2025-12-31"),
        ("2025-04", "2025-04-01", "2025-04-30"),
        ("2025-02-10", "2025-02-10", "2025-02-10"),
        ("2024-02-29", "2024-02-29", "2024-02-29"),
        ("2000-02-29", "2000-02-29", "2000-02-29"),
        ("0001-01-01", "0001-01-01", "0001-01-01"),
        ("9999-12-31", "9999-12-31", "9999-12-31"),
    ],
)
def test_plain_forms(text: str, lower: str, upper: str) -> None:
    assert parse_fuzzy_date(text) == FuzzyDate(text, lower, upper, None)


def test_text_is_kept_stripped() -> None:
    assert parse_fuzzy_date("  2025-02\n") == FuzzyDate("2025-02", "2025-02-01", "2025-02-28")


def test_fuzzy_date_helpers() -> None:
    assert FuzzyDate.parse("2025-02") == FuzzyDate("2025-02", "2025-02-01", "2025-02-28")
    assert FuzzyDate.day(date(2025, 2, 10)) == FuzzyDate("2025-02-10", "2025-02-10", "2025-02-10")
    month = parse_fuzzy_date("2025-02")
    assert not month.is_precise_day
    assert parse_fuzzy_date("2025-02-10").is_precise_day
    assert (month.lower, month.upper) == ("2025-02-01", "2025-02-28")


# --- Seasons (through edtf) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("2025-21", "2025-03-01", "2025-05-31"),  # spring
        ("2025-22", "2025-06-01", "2025-08-31"),  # summer
        ("2025-23", "2025-09-01", "2025-11-30"),  # autumn
        ("2025-33", "2025-01-01", "2025-03-31"),  # first quarter (level 2)
    ],
)
def test_seasons(text: str, lower: str, upper: str) -> None:
    assert parse_fuzzy_date(text) == FuzzyDate(text, lower, upper, None)


def test_winter_covers_december() -> None:
    # edtf places winter at the end of its year; whichever winter is meant, December is in.
    lower, upper = bounds("2025-24")
    assert lower <= "2025-12-01"
    assert upper >= "2025-12-31"


# --- Qualifiers: one unit of the stated precision either side ---------------------------


@pytest.mark.parametrize("qualifier", ["~", "?", "%"])
@pytest.mark.parametrize(
    ("core", "lower", "upper"),
    [
        ("2025-02", "2025-01-01", "2025-03-31"),
        ("2025-01", "2024-12-01", "2025-02-28"),
        ("2025-12", "2025-11-01", "2026-01-31"),
        ("2024-03", "2024-02-01", "2024-04-30"),
        ("2025-02-10", "2025-02-09", "2025-02-11"),
        ("2025-03-01", "2025-02-28", "2025-03-02"),
        ("2024-03-01", "2024-02-29", "2024-03-02"),
        ("2025-12-31", "2025-12-30", "2026-01-01"),
        ("2025", "2024-01-01", "2026-12-31"),
        ("0001", "0001-01-01", "0002-12-31"),
        ("9999", "9998-01-01", "9999-12-31"),
    ],
)
def test_qualified(qualifier: str, core: str, lower: str, upper: str) -> None:
    text = core + qualifier
    assert parse_fuzzy_date(text) == FuzzyDate(text, lower, upper, None)


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        # Qualifiers inside the date go through edtf, widened by the date's precision.
        ("2025?-02", "2025-01-01", "2025-03-31"),
        ("2025-?02", "2025-01-01", "2025-03-31"),
        # Qualified unspecified digits widen the unspecified span.
        ("2025-02-1X~", "2025-02-09", "2025-02-20"),
        ("2025-1X~", "2025-09-01", "2026-01-31"),
    ],
)
def test_qualified_other_forms(text: str, lower: str, upper: str) -> None:
    assert bounds(text) == (lower, upper)


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("0001-01~", "0001-01-01", "0001-02-28"),
        ("0001-01-01~", "0001-01-01", "0001-01-02"),
        ("9999-12~", "9999-11-01", "9999-12-31"),
        ("9999-12-31?", "9999-12-30", "9999-12-31"),
    ],
)
def test_qualified_at_the_ends_of_the_calendar(text: str, lower: str, upper: str) -> None:
    """Widening past year 1 or 9999 must clamp (as the year precision does) or raise
    InvalidDate; it must not escape as OverflowError."""
    try:
        result = bounds(text)
    except InvalidDate:
        return
    assert result == (lower, upper)


# --- Unspecified digits -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("2025-02-1X", "2025-02-10", "2025-02-19"),
        ("2025-02-2X", "2025-02-20", "2025-02-28"),
        ("2024-02-2X", "2024-02-20", "2024-02-29"),
        ("2025-02-0X", "2025-02-01", "2025-02-09"),
        ("2025-12-3X", "2025-12-30", "2025-12-31"),
        ("2025-04-3X", "2025-04-30", "2025-04-30"),
        ("2025-02-XX", "2025-02-01", "2025-02-28"),
        ("202X", "2020-01-01", "2029-12-31"),
        ("20XX", "2000-01-01", "2099-12-31"),
        ("1XXX", "1000-01-01", "1999-12-31"),
        ("2025-1X", "2025-10-01", "2025-12-31"),
        ("2025-0X", "2025-01-01", "2025-09-30"),
        ("2025-XX", "2025-01-01", "2025-12-31"),
        ("2025-XX-XX", "2025-01-01", "2025-12-31"),
        ("156X-12-25", "1560-12-25", "1569-12-25"),
    ],
)
def test_unspecified_digits(text: str, lower: str, upper: str) -> None:
    assert parse_fuzzy_date(text) == FuzzyDate(text, lower, upper, None)


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        # 29 February exists in 2020, 2024 and 2028, though not in 2029.
        ("202X-02-29", "2020-02-29", "2028-02-29"),
        # The 31st exists in January, March, May, July and August, though not September.
        ("2025-0X-31", "2025-01-31", "2025-08-31"),
        # Months 02 and 12: the 30th exists in December, though not in February.
        ("2025-X2-30", "2025-12-30", "2025-12-30"),
    ],
)
def test_unspecified_digits_where_an_end_month_lacks_the_day(
    text: str, lower: str, upper: str
) -> None:
    assert bounds(text) == (lower, upper)


# --- Intervals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("2025-01/2025-03", "2025-01-01", "2025-03-31"),
        ("2025-01-15/2025-02-10", "2025-01-15", "2025-02-10"),
        ("2025/2026", "2025-01-01", "2026-12-31"),
        ("2025-02-10/2025-02-10", "2025-02-10", "2025-02-10"),
        ("2025-21/2025-23", "2025-03-01", "2025-11-30"),
        ("2025-02~/2025-04", "2025-01-01", "2025-04-30"),
        ("2025-02/2025-02-1X", "2025-02-01", "2025-02-19"),
        ("../2025-03", OPEN_LOWER, "2025-03-31"),
        ("2025-03/..", "2025-03-01", OPEN_UPPER),
        ("/2025-03", OPEN_LOWER, "2025-03-31"),
        ("2025-03/", "2025-03-01", OPEN_UPPER),
        ("2025-02-1X/..", "2025-02-10", OPEN_UPPER),
    ],
)
def test_intervals(text: str, lower: str, upper: str) -> None:
    assert parse_fuzzy_date(text) == FuzzyDate(text, lower, upper, None)


def test_open_bounds() -> None:
    assert (OPEN_LOWER, OPEN_UPPER) == ("0000-01-01", "9999-12-31")


# --- Date-times -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day", "instant"),
    [
        ("2025-12-28T13:00:00-05:00", "2025-12-28", "2025-12-28T18:00:00Z"),
        # The day is the local day as written, even when UTC is already the next day.
        ("2025-12-28T23:30:00-05:00", "2025-12-28", "2025-12-29T04:30:00Z"),
        ("2025-12-28T01:00:00+03:00", "2025-12-28", "2025-12-27T22:00:00Z"),
        ("2025-12-28T13:00:00+0530", "2025-12-28", "2025-12-28T07:30:00Z"),
        ("2025-12-28T13:00Z", "2025-12-28", "2025-12-28T13:00:00Z"),
        ("2025-12-28T13:00:00.5-05:00", "2025-12-28", "2025-12-28T18:00:00Z"),
        # Without an offset the instant is local and naive.
        ("2025-12-28T13:00", "2025-12-28", "2025-12-28T13:00:00"),
    ],
)
def test_date_times(text: str, day: str, instant: str) -> None:
    assert parse_fuzzy_date(text) == FuzzyDate(text, day, day, instant)


def test_date_time_with_hour_only_offset_keeps_its_instant() -> None:
    """``+05`` is an ISO 8601 offset; the time of day must not be dropped."""
    assert parse_fuzzy_date("2025-02-10T13:00:00+05") == FuzzyDate(
        "2025-02-10T13:00:00+05", "2025-02-10", "2025-02-10", "2025-02-10T08:00:00Z"
    )


def test_date_time_in_an_interval_gives_its_day() -> None:
    assert parse_fuzzy_date("2025-12-28T13:00:00-05:00/2025-12-30") == FuzzyDate(
        "2025-12-28T13:00:00-05:00/2025-12-30", "2025-12-28", "2025-12-30", None
    )


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"])
def test_date_time_whose_instant_leaves_the_calendar_is_invalid(text: str) -> None:
    with pytest.raises(InvalidDate):
        parse_fuzzy_date(text)


# --- Rejections -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-02-30", "'2025-02-30': day is out of range for month"),
        ("2025-02-29", "'2025-02-29': day is out of range for month"),
        ("1900-02-29", "'1900-02-29': day is out of range for month"),
        ("2025-02-00", "'2025-02-00': day is out of range for month"),
        ("2025-04-31", "'2025-04-31': day is out of range for month"),
        ("2025-13", "'2025-13': month must be 01-12"),
        ("2025-00", "'2025-00': month must be 01-12"),
        ("2025-20", "'2025-20': month must be 01-12"),
        ("2025-42", "'2025-42': month must be 01-12"),
        ("Y99999", "'Y99999': years must be between 0001 and 9999"),
        ("-2025", "'-2025': years must be between 0001 and 9999"),
        ("99999", "'99999' is not a valid EDTF date"),
        ("0000", "'0000': year 0 and earlier are not supported"),
        ("0000-01", "'0000-01': year 0 and earlier are not supported"),
        ("0000-01-01", "'0000-01-01': year 0 and earlier are not supported"),
        ("garbage", "'garbage' is not a valid EDTF date"),
        ("2025-2-10", "'2025-2-10' is not a valid EDTF date"),
        ("20250210", "'20250210' is not a valid EDTF date"),
        ("", "empty date"),
        ("   ", "empty date"),
        ("2025-04/2025-01", "'2025-04/2025-01': the interval ends before it starts"),
        ("2025-02-11/2025-02-10", "'2025-02-11/2025-02-10': the interval ends before it starts"),
        ("../..", "'../..': an interval needs at least one known end"),
        ("/", "'/': an interval needs at least one known end"),
        ("2025/2026/2027", "'2025/2026/2027': an interval has exactly one '/'"),
        ("2025-02-3X", "'2025-02-3X': no calendar date matches"),
        (
            "2025-12-28T13:00:00-05:00~",
            "'2025-12-28T13:00:00-05:00~': a date-time cannot be qualified with ~ ? %",
        ),
        ("2025-12-28T13:00?", "'2025-12-28T13:00?': a date-time cannot be qualified"),
        ("2025-02-10T25:00", "'2025-02-10T25:00': hour must be in 0..23"),
        ("2025-13/2025-14", "'2025-13': month must be 01-12"),
    ],
)
def test_rejections(text: str, reason: str) -> None:
    with pytest.raises(InvalidDate, match=re.escape(reason)):
        parse_fuzzy_date(text)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "a date must be a string, not NoneType"),
        (20250210, "a date must be a string, not int"),
        (date(2025, 2, 10), "a date must be a string, not date"),
        (b"2025-02-10", "a date must be a string, not bytes"),
    ],
)
def test_non_string_is_rejected(value: object, reason: str) -> None:
    with pytest.raises(InvalidDate, match=f"^{re.escape(reason)}$"):
        parse_fuzzy_date(value)  # type: ignore[arg-type]


def test_invalid_date_is_a_value_error() -> None:
    assert issubclass(InvalidDate, ValueError)


# --- parse_day --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2025-02-10", "2025-02-10"),
        (" 2025-02-10 ", "2025-02-10"),
        ("2025-12-28T23:30:00-05:00", "2025-12-28"),
        ("2025-02-10/2025-02-10", "2025-02-10"),
    ],
)
def test_parse_day(text: str, day: str) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["2025-02", "2025", "2025-02-10~", "2025-02-1X", "../2025-03"])
def test_parse_day_rejects_spans(text: str) -> None:
    message = f"{text!r} is not a single day (use YYYY-MM-DD)"
    with pytest.raises(InvalidDate, match=f"^{re.escape(message)}$"):
        parse_day(text)


@pytest.mark.parametrize("text", ["2025-02-30", "garbage", ""])
def test_parse_day_rejects_invalid_dates(text: str) -> None:
    with pytest.raises(InvalidDate):
        parse_day(text)


# --- Properties -------------------------------------------------------------------------


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_any_valid_day_parses_to_itself(day: date) -> None:
    iso = day.isoformat()
    assert parse_fuzzy_date(iso) == FuzzyDate(iso, iso, iso, None)
    assert parse_day(iso) == iso


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=12))
def test_month_form_covers_exactly_its_month(year: int, month: int) -> None:
    lower, upper = bounds(f"{year:04d}-{month:02d}")
    last = calendar.monthrange(year, month)[1]
    assert lower == date(year, month, 1).isoformat()
    assert upper == date(year, month, last).isoformat()


@given(st.dates(), st.dates())
def test_interval_of_two_days_has_those_ends(first: date, second: date) -> None:
    start, end = sorted((first, second))
    lower, upper = bounds(f"{start.isoformat()}/{end.isoformat()}")
    assert lower <= upper
    assert (lower, upper) == (start.isoformat(), end.isoformat())


# Years 2..9998 keep the widened bounds inside the calendar; the ends have their own test.
_inner_days = st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31))


@settings(max_examples=150)
@given(
    _inner_days,
    st.sampled_from(["day", "month", "year"]),
    st.sampled_from(["~", "?", "%"]),
)
def test_qualifiers_always_widen(day: date, precision: str, qualifier: str) -> None:
    core = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": day.isoformat()[:4]}[
        precision
    ]
    lower, upper = bounds(core)
    lower_q, upper_q = bounds(core + qualifier)
    assert lower_q < lower
    assert upper_q > upper
    assert lower_q <= upper_q


# --- edtf is imported only when needed --------------------------------------------------


def _edtf_imported_after(code: str) -> bool:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys\nimport tracker.dates as d\n{code}\nprint('edtf' in sys.modules)",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip() == "True"


def test_importing_dates_does_not_import_edtf() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import tracker.dates, sys; print('edtf' in sys.modules)"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_plain_forms_parse_without_edtf() -> None:
    forms = [
        "2025",
        "2025-02",
        "2025-02-10",
        "2025-02~",
        "2025-02-10?",
        "2025%",
        "2025-02-1X",
        "202X",
        "2025-01/2025-03",
        "../2025-03",
        "2025-03/..",
        "2025-12-28T13:00:00-05:00",
    ]
    assert not _edtf_imported_after(f"for text in {forms!r}: d.parse_fuzzy_date(text)")


def test_seasons_do_import_edtf() -> None:
    # The check above can fail: a form only edtf knows does import it.
    assert _edtf_imported_after("d.parse_fuzzy_date('2025-21')")
