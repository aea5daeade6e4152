"""Template filters for indicator values, fractions and points, so every page states a number
the same way (all through ``core.formatting``): campaign money in 亿元, counts whole, rates in %."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from gongjian.campaigns.choices import IndicatorUnit, ProgressStatus
from gongjian.core import formatting

register = template.Library()


@register.filter
def in_unit(value: Decimal | None, unit: str) -> str:
    """``value|in_unit:"万元"`` → "1,547.76亿元" (campaign figures in 亿元); with "个" →
    "170个"; with "%" → "43.32%" (``core.formatting.measure``)."""
    return formatting.measure(value, unit)


@register.filter
def in_unit_detail(value: Decimal | None, unit: str) -> str:
    """``in_unit`` for the sum of a page of drill-down rows, which are shown in 万元:
    "2,800.75万元"."""
    return formatting.measure(value, unit, money_in="万元")


@register.filter
def fraction_percent(value: Decimal | None) -> str:
    """A fraction as a percentage with two decimals: 0.9151 → "91.51%"."""
    return formatting.ratio(value)


@register.filter
def bar_width(value: Decimal | None) -> str:
    """A fraction as a CSS width between 0% and 100%: 1.2 → "100%"."""
    if value is None:
        return "0%"
    share = min(max(value, Decimal(0)), Decimal(1)) * 100
    return f"{share.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@register.filter
def signed_points(value: Decimal | None) -> str:
    """Percentage points with their sign, bare (the header says 百分点): 1.5 → "+1.50"."""
    return formatting.points(value, with_unit=False)


@register.filter
def status_label(status: str) -> str:
    """ "green" → "正常", "yellow" → "预警", "red" → "滞后"."""
    return str(ProgressStatus(status).label) if status in ProgressStatus.values else status


def display_unit(unit: str, reference: Decimal | None = None) -> str:
    """The unit a table of an indicator's values is shown in: campaign money in 亿元, else the
    indicator's own unit (``reference`` is kept for callers; the unit no longer depends on it)."""
    if unit == IndicatorUnit.WAN_YUAN:
        return "亿元"
    return unit


@register.filter
def number_in(value: Decimal | None, unit: str) -> str:
    """A value held in the indicator's unit as a bare number in ``unit`` (see display_unit)."""
    if unit == "亿元":
        return formatting.money(value, "亿元", with_unit=False)
    if unit == IndicatorUnit.WAN_YUAN:
        return formatting.money(value, "万元", with_unit=False)
    return formatting.measure(value, unit, with_unit=False)
