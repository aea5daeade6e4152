"""Audited values as people read them: names, not codes, primary keys or field names.

An audit event keeps its before/after snapshots as JSON (codes, primary keys, nested lists of
dicts, money as decimal strings). The audit log shows each as a reader would say it: a choice by
its label ("started" → 开工), a foreign key by the name of the row it points to (a campaign code
→ 项目攻坚2022, a region code → 鲤城区), a field by its verbose name, a nested row (a rubric's
items) as "label：value" pairs, and never a Python dict or list.

Names are looked up through a ``NameCache`` that the page shares: one query per related model
and distinct value, however many events show them.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EMPTY = "—"

# Keys of JSON snapshots that are not model fields, by the words the pages use for them.
KEY_LABELS: dict[str, Any] = {
    "totals": gettext_lazy("各区域总分"),
    "params": gettext_lazy("参数"),
    "cap": gettext_lazy("满分线"),
    "bands": gettext_lazy("分档"),
    "per_point": gettext_lazy("每超 1 个百分点加分"),
    "max_bonus": gettext_lazy("加分上限"),
    "bonus_max": gettext_lazy("加分上限"),
    "bonus_per_point": gettext_lazy("每超 1 个百分点加分"),
    "penalty": gettext_lazy("低于最低档扣分"),
    "penalty_below": gettext_lazy("扣分线"),
    "from": gettext_lazy("完成率达到"),
    "points": gettext_lazy("得分"),
    "rest": gettext_lazy("其余名次得分"),
    "file": gettext_lazy("文件"),
    "rows": gettext_lazy("行数"),
    "count": gettext_lazy("数量"),
    "event": gettext_lazy("阶段"),
    "date": gettext_lazy("日期"),
    "note": gettext_lazy("说明"),
    "reason": gettext_lazy("原因"),
    "source": gettext_lazy("数据来源"),
    "measure": gettext_lazy("度量"),
    "categories": gettext_lazy("项目类别"),
    "min_total_investment": gettext_lazy("项目总投资下限（万元）"),
    "levels": gettext_lazy("项目级别"),
    "sectors": gettext_lazy("行业领域"),
    "classes": gettext_lazy("项目类型"),
    "roles": gettext_lazy("角色"),
    "role": gettext_lazy("角色"),
    "username": gettext_lazy("账号"),
    "region": gettext_lazy("区域"),
}


def model_of(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def model_label(label: str) -> str:
    """ "projects.project" → the model's verbose name ("项目"); unknown labels are shown as is."""
    model = model_of(label)
    return str(model._meta.verbose_name) if model else label


def _field(model: type[models.Model] | None, name: str):
    if model is None:
        return None
    for candidate in (name, name[:-3] if name.endswith("_id") else None):
        if not candidate:
            continue
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def field_label(name: str, label: str) -> str:
    """A field's verbose name (``annual_plan`` of ``projects.project`` → 年度计划投资); a reverse
    relation by its model's plural name; known snapshot keys by their words; else the name."""
    field = _field(model_of(label), name)
    if field is not None:
        if hasattr(field, "verbose_name"):
            return str(field.verbose_name)
        related = getattr(field, "related_model", None)
        if related is not None:
            return str(related._meta.verbose_name_plural)
    if name in KEY_LABELS:
        return str(KEY_LABELS[name])
    return name


class NameCache:
    """Names of rows that audited values point to, looked up once per model and value."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], str] = {}
        self._regions: dict[str, str] | None = None

    def region_name(self, code: str) -> str | None:
        if self._regions is None:
            region = apps.get_model("regions", "Region")
            self._regions = {r.code: r.display_name for r in region.objects.all() if r.code}
        return self._regions.get(code)

    def row_name(self, model: type[models.Model], value: Any) -> str:
        key = (model._meta.label_lower, str(value))
        if key not in self._names:
            self._names[key] = self._look_up(model, value)
        return self._names[key]

    def _look_up(self, model: type[models.Model], value: Any) -> str:
        lookups: list[dict[str, Any]] = []
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            lookups.append({"pk": int(value)})
        field_names = {f.name for f in model._meta.get_fields()}
        for natural in ("code", "username", "name"):
            if natural in field_names:
                lookups.append({natural: value})
        for lookup in lookups:
            row = model._default_manager.filter(**lookup).first()
            if row is not None:
                name = str(getattr(row, "display_name", None) or row)
                username = getattr(row, "username", "")
                if username and name != username:
                    return f"{name}（{username}）"  # a user: the name and the account
                return name
        return str(value)  # a row deleted since: its code is all there is


def value_text(label: str, name: str, value: Any, names: NameCache | None = None) -> str:
    """An audited value of field ``name`` on model ``label`` as people read it."""
    names = names or NameCache()
    model = model_of(label)
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    field = _field(model, name)
    related = getattr(field, "related_model", None) if field is not None else None
    if isinstance(value, list | tuple):
        if field is not None and field.one_to_many and related is not None:
            # Nested rows (a rubric's items): each as its own model's fields.
            member_label = related._meta.label_lower
            return "；".join(
                _dict_text(member_label, m, names) if isinstance(m, dict) else str(m) for m in value
            )
        return "、".join(
            f"（{_dict_text(label, member, names)}）"
            if isinstance(member, dict)
            else value_text(label, name, member, names)
            for member in value
        )
    if isinstance(value, dict):
        return _dict_text(label, value, names)
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if field is not None and related is not None and (field.many_to_one or field.one_to_one):
        if related._meta.label_lower == "regions.region" and isinstance(value, str):
            region = names.region_name(value)
            if region:
                return region
        return names.row_name(related, value)
    choices = (
        dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    )
    if value in choices:
        return str(choices[value])
    if isinstance(value, str):
        region = names.region_name(value) if value.isdigit() and len(value) == 6 else None
        if region:
            return region
    return str(value)


def _dict_text(label: str, value: dict, names: NameCache) -> str:
    parts = []
    for key, member in value.items():
        region = names.region_name(key) if isinstance(key, str) else None
        key_text = region or field_label(key, label)
        parts.append(f"{key_text}：{value_text(label, key, member, names)}")
    return "，".join(parts)


def visible_changes(before: Any, after: Any) -> list[tuple[str, Any, Any]]:
    """(field, old, new) for the keys that changed, without a foreign key's ``x_id`` twin when
    ``x`` itself is in the snapshot (both name the same row)."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    keys = sorted(set(before) | set(after))
    shown = [k for k in keys if not (k.endswith("_id") and k[:-3] in keys)]
    return [(k, before.get(k), after.get(k)) for k in shown if before.get(k) != after.get(k)]
