"""Months and periods: every month is the date of its first day; all month arithmetic lives here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


class ElapsedBasis(models.TextChoices):
    """How 序时进度 counts time: by days elapsed (2022-11-30 → 334/365), or by whole months, as
    most bulletins do (November, month 11 of 12 → 11/12, from its first day to its last)."""

    DAYS = "days", _("按天计算")
    MONTHS = "months", _("按月计算")


def time_elapsed(
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    *,
    basis: str = ElapsedBasis.DAYS,
    curve: list | None = None,
) -> Decimal:
    """序时进度: the share (0–1, unrounded) of the period ``start``–``end`` elapsed at ``as_of``.

    The one definition used by the campaign engine, the dashboards, the assessment and the
    bulletin. By days it counts the days up to and including ``as_of``; by months the month that
    contains ``as_of`` counts whole (month n of 12 is n/12). A monthly plan curve (the cumulative
    share planned by the end of each month of the period) replaces the even spread: by months the
    as-of month's point, by days interpolated by days within the month. Before the period 0,
    from its last day on 1.
    """
    if as_of < start:
        return Decimal(0)
    if as_of >= end:
        return Decimal(1)
    months = months_between(start, end)
    index = months.index(month_start(as_of))
    by_months = basis == ElapsedBasis.MONTHS
    if curve and len(curve) == len(months):
        point = Decimal(str(curve[index]))
        if by_months:
            return point
        before = Decimal(str(curve[index - 1])) if index > 0 else Decimal(0)
        share_of_month = Decimal(as_of.day) / Decimal(month_end(as_of).day)
        return before + (point - before) * share_of_month
    if by_months:
        return Decimal(index + 1) / Decimal(len(months))
    return Decimal((as_of - start).days + 1) / Decimal((end - start).days + 1)


def year_elapsed(as_of: dt.date, *, basis: str = ElapsedBasis.DAYS) -> Decimal:
    """序时进度 of the calendar year that contains ``as_of`` (annual plans are per year)."""
    return time_elapsed(dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31), as_of, basis=basis)


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
