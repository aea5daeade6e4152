"""Template filters for money, stages and query strings."""

from __future__ import annotations

from decimal import Decimal

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


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    query = context.get("query", "")
    return f"?{query}&page={number}" if query else f"?page={number}"
