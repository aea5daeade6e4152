from __future__ import annotations

from decimal import InvalidOperation

from django import template

from gongjian.assessment.choices import ScoringMethod
from gongjian.core import formatting

register = template.Library()


@register.filter
def ratio_percent(value) -> str:
    """A stored fraction ("0.9350") as a percentage ("93.50%"); "—" when there is none."""
    try:
        return formatting.ratio(value)
    except InvalidOperation:
        return formatting.EMPTY


@register.filter
def measure(value, unit: str) -> str:
    """A target or an actual in its indicator's unit, money in 亿元: "100.10亿元", "10个"."""
    if value in (None, ""):
        return formatting.EMPTY
    return formatting.measure(value, unit)


@register.filter
def method_label(value: str) -> str:
    try:
        return str(ScoringMethod(value).label)
    except ValueError:
        return value
