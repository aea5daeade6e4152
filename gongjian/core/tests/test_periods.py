"""Month arithmetic: months are first-of-month dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.core.periods import (
    ElapsedBasis,
    add_months,
    month_end,
    month_start,
    months_between,
    parse_month,
    time_elapsed,
    year_elapsed,
)


@pytest.mark.parametrize(
    ("month", "count", "expected"),
    [
        (dt.date(2022, 11, 1), 2, dt.date(2023, 1, 1)),
        (dt.date(2022, 12, 1), 1, dt.date(2023, 1, 1)),
        (dt.date(2023, 1, 1), -1, dt.date(2022, 12, 1)),
        (dt.date(2022, 1, 1), -13, dt.date(2020, 12, 1)),
        (dt.date(2022, 5, 1), 0, dt.date(2022, 5, 1)),
        (dt.date(2022, 1, 31), 1, dt.date(2022, 2, 1)),
        (dt.date(2022, 6, 1), 36, dt.date(2025, 6, 1)),
    ],
)
def test_add_months(month, count, expected):
    assert add_months(month, count) == expected


def test_month_start():
    assert month_start(dt.date(2022, 11, 30)) == dt.date(2022, 11, 1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (dt.date(2023, 2, 15), dt.date(2023, 2, 28)),
        (dt.date(2022, 12, 10), dt.date(2022, 12, 31)),
        (dt.date(2022, 4, 30), dt.date(2022, 4, 30)),
    ],
)
def test_month_end(day, expected):
    assert month_end(day) == expected


def test_months_between_spans_a_year_end():
    assert months_between(dt.date(2022, 11, 15), dt.date(2023, 2, 1)) == [
        dt.date(2022, 11, 1),
        dt.date(2022, 12, 1),
        dt.date(2023, 1, 1),
        dt.date(2023, 2, 1),
    ]


def test_months_between_one_month_and_none():
    assert months_between(dt.date(2022, 3, 5), dt.date(2022, 3, 31)) == [dt.date(2022, 3, 1)]
    assert months_between(dt.date(2022, 4, 1), dt.date(2022, 3, 1)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-11", dt.date(2022, 11, 1)),
        ("2022-11-01", dt.date(2022, 11, 1)),
        (" 2023-1 ", dt.date(2023, 1, 1)),
    ],
)
def test_parse_month(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize(
    "text", ["", "2022", "2022/11", "2022-13", "2022-00", "abcd-ef", "2022-11-15", "2022-11-01-01"]
)
def test_parse_month_refuses(text):
    with pytest.raises(ValueError) as refusal:
        parse_month(text)

    assert str(refusal.value) == f"月份格式应为 YYYY-MM / month must be YYYY-MM: {text!r}"


def test_today_follows_the_pinned_business_date(settings):
    import datetime as dt

    from gongjian.core.periods import today

    settings.BUSINESS_DATE = dt.date(2022, 12, 2)

    assert today() == dt.date(2022, 12, 2)


def test_now_is_the_time_of_day_on_the_business_date(settings):
    import datetime as dt

    from django.utils import timezone

    from gongjian.core.periods import now

    settings.BUSINESS_DATE = None
    real = now()
    assert (real.tzinfo is not None, timezone.localdate() == real.date()) == (True, True)

    settings.BUSINESS_DATE = dt.date(2022, 12, 2)
    pinned = now()
    assert (pinned.date(), pinned.utcoffset()) == (dt.date(2022, 12, 2), dt.timedelta(hours=8))


Y_START, Y_END = dt.date(2022, 1, 1), dt.date(2022, 12, 31)
CURVE = ["0.05", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.85", "0.9", "1"]


@pytest.mark.parametrize(
    ("as_of", "basis", "expected"),
    [
        # By days: the days up to and including as_of over the period's days.
        (dt.date(2022, 11, 30), ElapsedBasis.DAYS, Decimal(334) / Decimal(365)),
        (dt.date(2022, 1, 1), ElapsedBasis.DAYS, Decimal(1) / Decimal(365)),
        (dt.date(2022, 6, 30), ElapsedBasis.DAYS, Decimal(181) / Decimal(365)),
        # By months: the as-of month counts whole, month n of 12 is n/12.
        (dt.date(2022, 11, 30), ElapsedBasis.MONTHS, Decimal(11) / Decimal(12)),
        (dt.date(2022, 11, 1), ElapsedBasis.MONTHS, Decimal(11) / Decimal(12)),
        (dt.date(2022, 1, 15), ElapsedBasis.MONTHS, Decimal(1) / Decimal(12)),
        (dt.date(2022, 6, 30), ElapsedBasis.MONTHS, Decimal("0.5")),
        # Outside the period: nothing before, everything from the last day on.
        (dt.date(2021, 12, 31), ElapsedBasis.DAYS, Decimal(0)),
        (dt.date(2021, 12, 31), ElapsedBasis.MONTHS, Decimal(0)),
        (dt.date(2022, 12, 31), ElapsedBasis.DAYS, Decimal(1)),
        (dt.date(2023, 3, 1), ElapsedBasis.MONTHS, Decimal(1)),
    ],
)
def test_time_elapsed_by_days_and_by_months(as_of, basis, expected):
    assert time_elapsed(Y_START, Y_END, as_of, basis=basis) == expected


def test_time_elapsed_of_a_quarter_by_months():
    # A three-month period: February is month 2 of 3.
    assert time_elapsed(
        dt.date(2022, 1, 1), dt.date(2022, 3, 31), dt.date(2022, 2, 10), basis=ElapsedBasis.MONTHS
    ) == Decimal(2) / Decimal(3)


def test_time_elapsed_honours_the_plan_curve():
    # By months: the planned share at the end of the as-of month.
    assert time_elapsed(
        Y_START, Y_END, dt.date(2022, 11, 15), basis=ElapsedBasis.MONTHS, curve=CURVE
    ) == Decimal("0.9")
    # By days: interpolated within the month, 0.85 + (0.9 − 0.85) × 15/30.
    assert time_elapsed(
        Y_START, Y_END, dt.date(2022, 11, 15), basis=ElapsedBasis.DAYS, curve=CURVE
    ) == Decimal("0.875")
    # January interpolates from zero: 0.05 × 31/31.
    assert time_elapsed(
        Y_START, Y_END, dt.date(2022, 1, 31), basis=ElapsedBasis.DAYS, curve=CURVE
    ) == Decimal("0.05")


def test_a_curve_of_the_wrong_length_is_ignored():
    assert time_elapsed(
        Y_START, Y_END, dt.date(2022, 3, 31), basis=ElapsedBasis.MONTHS, curve=["0.5", "1"]
    ) == Decimal("0.25")


def test_year_elapsed():
    assert year_elapsed(dt.date(2022, 11, 30)) == Decimal(334) / Decimal(365)
    assert year_elapsed(dt.date(2024, 12, 1), basis=ElapsedBasis.MONTHS) == Decimal(1)
    assert year_elapsed(dt.date(2024, 2, 29)) == Decimal(60) / Decimal(366)
