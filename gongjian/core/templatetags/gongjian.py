"""Template filters for figures (through ``core.formatting``), audited values and query strings."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

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


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


@register.filter
def model_label(label: str) -> str:
    """ "projects.project" → the model's verbose name ("项目"); unknown labels are shown as is."""
    model = _model(label)
    return str(model._meta.verbose_name) if model else label


@register.filter
def field_label(name: str, model_label: str) -> str:
    """A field's verbose name (``"annual_plan"|field_label:"projects.project"``), else the name."""
    model = _model(model_label)
    if model is None:
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if field.auto_created and not field.concrete:
        # A reverse relation (a rubric's "items"): named after the related model.
        return str(field.related_model._meta.verbose_name_plural)
    return str(field.verbose_name)


@register.simple_tag
def audit_value(model_label: str, name: str, value: object) -> str:
    """An audited value as people read it: a choice label ("started" → "开工"), "—" if empty."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple):
        # A set-valued field (a project's levels): each member as people read it.
        return "、".join(audit_value(model_label, name, member) for member in value)
    if isinstance(value, dict):
        return str(value)
    model = _model(model_label)
    if model is not None:
        try:
            choices = dict(model._meta.get_field(name).flatchoices)  # type: ignore[union-attr]
        except FieldDoesNotExist:
            choices = {}
        if value in choices:
            return str(choices[value])
    return str(value)


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current list URL with its filters kept and the page set to ``number``."""
    query = context.get("query", "")
    return f"?{query}&page={number}" if query else f"?page={number}"
