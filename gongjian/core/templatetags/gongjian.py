"""Template filters for figures (through ``core.formatting``) and query strings."""

from __future__ import annotations

from decimal import Decimal

from django import template

from gongjian.core import formatting

register = template.Library()


@register.filter
def number(value: Decimal | int | None, places: int = 2) -> str:
    """``{{ 1234.5|number }}`` → "1,234.50", where a header already carries the unit."""
    return formatting.number(value, int(places))


@register.filter
def money(value: Decimal | None, unit: formatting.MoneyUnit = "万元") -> str:
    """``{{ amount|money }}`` → "12,345.60万元"; ``{{ amount|money:"亿元" }}`` → "1,700.00亿元"."""
    return formatting.money(value, unit)


@register.filter
def money_unit(unit: formatting.MoneyUnit) -> str:
    """``{{ "亿元"|money_unit }}``: the unit word alone, for a header or an axis."""
    return formatting.money_unit(unit)


@register.filter
def wan(value: Decimal | None) -> str:
    """12345.6 → "12,345.60": a bare number of 万元, where a header already carries the unit."""
    return formatting.money(value, "万元", with_unit=False)


@register.filter
def yi(value: Decimal | None) -> str:
    """An amount in 万元 as a bare number of 亿元: 17000000 → "1,700.00" (unit in the header)."""
    return formatting.money(value, "亿元", with_unit=False)


@register.filter
def percent(value: Decimal | None, places: int = 2) -> str:
    """``{{ 85.3|percent }}`` → "85.30%"; ``{{ rate|percent:1 }}`` → "85.3%"."""
    return formatting.percent(value, int(places))


@register.filter
def points(value: Decimal | None, option: int | str = 2) -> str:
    """``{{ 3.2|points }}`` → "+3.20个百分点"; ``{{ -3.2|points:"magnitude" }}`` → "3.20个百分点"
    after a word that already says behind (落后); a number sets the places."""
    if option == "magnitude":
        return formatting.points(None if value is None else abs(value), signed=False)
    return formatting.points(value, int(option))


@register.filter
def count(value: int | Decimal | None, unit: str = "个") -> str:
    """``{{ 1234|count }}`` → "1,234个"; ``{{ n|count:"家" }}`` → "1,234家"."""
    return formatting.count(value, unit)


@register.filter
def subtract(value: int | None, other: int | None) -> int:
    """``a|subtract:b`` → a − b, for counts that include one another (started ⊇ completed)."""
    return (value or 0) - (other or 0)


@register.filter
def percent_of(part: int | Decimal | None, whole: int | Decimal | None) -> str:
    """``3|percent_of:8`` → "37.50%"; an empty whole gives "—" rather than a division by zero."""
    return formatting.share(part, whole)


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current list URL with its filters kept and the page set to ``number``."""
    query = context.get("query", "")
    return f"?{query}&page={number}" if query else f"?page={number}"
