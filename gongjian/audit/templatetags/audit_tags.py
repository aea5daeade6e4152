"""The audit log's names for models, fields and values (``gongjian.audit.display``)."""

from __future__ import annotations

from typing import Any

from django import template

from gongjian.audit import display

register = template.Library()


@register.filter
def model_label(label: str) -> str:
    """ "projects.project" → "项目"."""
    return display.model_label(label)


@register.filter
def field_label(name: str, label: str) -> str:
    """``"annual_plan"|field_label:"projects.project"`` → "年度计划投资"."""
    return display.field_label(name, label)


@register.filter
def visible_changes(event) -> list[tuple[str, Any, Any]]:
    """The event's changed fields, without the ``x_id`` twin of a foreign key ``x``."""
    return display.visible_changes(event.before, event.after)


@register.simple_tag(takes_context=True)
def audit_value(context, label: str, name: str, value: object) -> str:
    """An audited value as people read it; names are looked up once per page."""
    names = context.render_context.setdefault("audit_names", display.NameCache())
    return display.value_text(label, name, value, names)
