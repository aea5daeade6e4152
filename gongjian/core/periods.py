"""Months and periods: every month is the date of its first day; all month arithmetic lives here."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def month_start(day: dt.date) -> dt.date:
    """The first day of the month that contains ``day``."""
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after ``month`` (negative goes back)."""
    index = month.year * 12 + (month.month - 1) + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    """The last day of the month that contains ``month``."""
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first`` to ``last`` inclusive, as first-of-month dates."""
    start, stop = month_start(first), month_start(last)
    months = []
    while start <= stop:
        months.append(start)
        start = add_months(start, 1)
    return months


def parse_month(text: str) -> dt.date:
    """Parse "2022-11" (or "2022-11-01") into 2022-11-01; ValueError on anything else."""
    parts = text.strip().split("-")
    try:
        # A day other than the first is not a month: "2022-11-15" is refused, not truncated.
        if len(parts) not in (2, 3) or (len(parts) == 3 and int(parts[2]) != 1):
            raise ValueError
        return dt.date(int(parts[0]), int(parts[1]), 1)
    except ValueError:
        raise ValueError(f"月份格式应为 YYYY-MM / month must be YYYY-MM: {text!r}") from None


def today() -> dt.date:
    """Today's date in the project's time zone (Asia/Shanghai), not the server's.

    ``settings.BUSINESS_DATE`` (env GONGJIAN_TODAY) pins it, so that the 2022 demo campaign is
    seen from late 2022 (deadlines, 序时进度, reminders) rather than from the real calendar.
    """
    pinned = getattr(settings, "BUSINESS_DATE", None)
    return pinned if pinned is not None else timezone.localdate()


def now() -> dt.datetime:
    """The current moment on the business date: the real time of day on ``today()``, so that a
    problem raised in the pinned demo is dated inside the campaign (aware, Asia/Shanghai)."""
    moment = timezone.localtime()
    if getattr(settings, "BUSINESS_DATE", None) is None:
        return moment
    return moment.replace(year=today().year, month=today().month, day=today().day)
