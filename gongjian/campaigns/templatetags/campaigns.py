"""Template filters for indicator values, fractions and points, so every page states a number
the same way: money in 亿元 once it reaches one 亿, counts whole, rates with a percent sign."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext as _

from gongjian.campaigns.choices import IndicatorUnit, ProgressStatus
from gongjian.core.money import YI_IN_WAN, format_wan

register = template.Library()


@register.filter
def in_unit(value: Decimal | None, unit: str) -> str:
    """``value|in_unit:"万元"`` → "1,547.76 亿元" or "8,500.00 万元"; with "个" → "170 个";
    with "%" → "43.32%"."""
    if value is None:
        return "—"
    if unit == IndicatorUnit.WAN_YUAN:
        if abs(value) >= YI_IN_WAN:
            return _("%(value)s 亿元") % {"value": format_wan(value / YI_IN_WAN)}
        return _("%(value)s 万元") % {"value": format_wan(value)}
    if unit == IndicatorUnit.PERCENT:
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"
    return _("%(value)s 个") % {"value": f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"}


@register.filter
def fraction_percent(value: Decimal | None) -> str:
    """A fraction as a percentage with two decimals: 0.9151 → "91.51%"."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


@register.filter
def bar_width(value: Decimal | None) -> str:
    """A fraction as a CSS width between 0% and 100%: 1.2 → "100%"."""
    if value is None:
        return "0%"
    share = min(max(value, Decimal(0)), Decimal(1)) * 100
    return f"{share.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@register.filter
def signed_points(value: Decimal | None) -> str:
    """Percentage points with their sign: 1.5 → "+1.50", -3 → "−3.00"."""
    if value is None:
        return "—"
    text = f"{abs(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text


@register.filter
def status_label(status: str) -> str:
    """ "green" → "正常", "yellow" → "预警", "red" → "滞后"."""
    return str(ProgressStatus(status).label) if status in ProgressStatus.values else status


def display_unit(unit: str, reference: Decimal) -> str:
    """The unit a table of values like ``reference`` is shown in: 亿元 for money of one 亿 or
    more, else the indicator's own unit."""
    if unit == IndicatorUnit.WAN_YUAN and abs(reference) >= YI_IN_WAN:
        return "亿元"
    return unit


@register.filter
def number_in(value: Decimal | None, unit: str) -> str:
    """A value held in the indicator's unit as a bare number in ``unit`` (see display_unit)."""
    if value is None:
        return "—"
    if unit == "亿元":
        return format_wan(value / YI_IN_WAN)
    if unit == IndicatorUnit.WAN_YUAN or unit == IndicatorUnit.PERCENT:
        return format_wan(value)
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
