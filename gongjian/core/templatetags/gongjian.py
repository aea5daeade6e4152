"""Template filters for money, shares and query strings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from gongjian.core.money import format_wan, format_yi

register = template.Library()


@register.filter
def wan(value: Decimal | None) -> str:
    """12345.6 → "12,345.60" (万元)."""
    return format_wan(value)


@register.filter
def yi(value: Decimal | None) -> str:
    """An amount in 万元 shown in 亿元: 17000000 → "1,700.00"."""
    return format_yi(value)


@register.filter
def subtract(value: int | None, other: int | None) -> int:
    """``a|subtract:b`` → a − b, for counts that include one another (started ⊇ completed)."""
    return (value or 0) - (other or 0)


@register.filter
def percent_of(part: int | Decimal | None, whole: int | Decimal | None) -> str:
    """``3|percent_of:8`` → "37.5%"; an empty whole gives "—" rather than a division by zero."""
    if not whole:
        return "—"
    share = (Decimal(part or 0) * 100 / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return f"{share.normalize():f}%" if share == share.to_integral() else f"{share}%"


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current list URL with its filters kept and the page set to ``number``."""
    query = context.get("query", "")
    return f"?{query}&page={number}" if query else f"?page={number}"
