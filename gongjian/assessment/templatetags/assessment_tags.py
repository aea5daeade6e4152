from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from gongjian.assessment.choices import ScoringMethod

register = template.Library()


@register.filter
def ratio_percent(value) -> str:
    """A stored fraction ("0.9350") as a percentage ("93.50%"); "—" when there is none."""
    if value in (None, ""):
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return "—"
    return "{}%".format((number * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@register.filter
def method_label(value: str) -> str:
    try:
        return str(ScoringMethod(value).label)
    except ValueError:
        return value
