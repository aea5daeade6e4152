"""Writes to campaigns: campaigns, special actions and their leading groups, indicators, targets
and their allocation to lower regions. Each service checks permission (city_admin), validates,
writes and audits; a refusal is audited and changes nothing."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from gongjian.accounts.models import Department
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.campaigns.choices import (
    KIND_UNITS,
    Comparator,
    IndicatorKind,
    IndicatorUnit,
    LeadingGroupRole,
)
from gongjian.campaigns.definitions import indicator_definition_validate
from gongjian.campaigns.models import (
    DEFAULT_GREEN_THRESHOLD,
    DEFAULT_YELLOW_THRESHOLD,
    Campaign,
    Indicator,
    LeadingGroupMember,
    SpecialAction,
    Target,
)
from gongjian.core.periods import ElapsedBasis, month_end, months_between
from gongjian.regions.models import Region

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Words the campaign pages use in their addresses (/campaigns/new/, /campaigns/indicators/).
RESERVED_CAMPAIGN_CODES = frozenset({"new", "indicators"})
MAX_TARGET_VALUE = Decimal("1e15")

Errors = dict[str, list[str]]


def _add(errors: Errors, field_name: str, message: str) -> None:
    errors.setdefault(field_name, []).append(message)


M = TypeVar("M", bound=models.Model)


def _require_manager(actor, obj=None, *, message: str) -> None:
    if not actor.has_perm("campaigns.manage", obj):
        raise audit_denied(actor=actor, obj=obj, message=message)


def _update_locked(*, actor, obj: M, values: dict[str, Any], snapshot: Callable[[M], dict]) -> M:
    """Apply validated ``values`` to ``obj`` under a row lock and audit the before and after."""
    with transaction.atomic():
        current = type(obj).objects.select_for_update().get(pk=obj.pk)  # type: ignore[attr-defined]
        before = snapshot(current)
        for name, value in values.items():
            setattr(current, name, value)
        current.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=current,
            before=before,
            after=snapshot(current),
        )
    return current


def _check_code(errors: Errors, code: str, max_length: int) -> str:
    code = (code or "").strip()
    if not code:
        _add(errors, "code", _("代码不能为空。"))
    elif len(code) > max_length or not _CODE.match(code):
        _add(
            errors,
            "code",
            _("代码只能包含小写字母、数字、“-”和“_”，最长 %(max)s 位。") % {"max": max_length},
        )
    return code


def _check_name(errors: Errors, name: str, max_length: int, label: str = "") -> str:
    name = (name or "").strip()
    if not name:
        _add(errors, "name", _("%(label)s不能为空。") % {"label": label or _("名称")})
    elif len(name) > max_length:
        _add(errors, "name", _("名称最长 %(max)s 字。") % {"max": max_length})
    return name


def _decimal(
    errors: Errors, field_name: str, label: str, value: Any, *, places: int = 2
) -> Decimal | None:
    """A finite Decimal with at most ``places`` decimals, or None (with an error) otherwise."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        _add(errors, field_name, _("%(label)s不是有效的数字。") % {"label": label})
        return None
    if not number.is_finite():
        _add(errors, field_name, _("%(label)s不是有效的数字。") % {"label": label})
        return None
    if number.as_tuple().exponent < -places:  # type: ignore[operator]
        _add(
            errors,
            field_name,
            _("%(label)s最多保留 %(places)s 位小数。") % {"label": label, "places": places},
        )
        return None
    return number


def _check_thresholds(
    errors: Errors, green: Decimal | None, yellow: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    green = None if green is None else _decimal(errors, "green_threshold", _("正常阈值"), green)
    yellow = None if yellow is None else _decimal(errors, "yellow_threshold", _("预警阈值"), yellow)
    for name, value in (("green_threshold", green), ("yellow_threshold", yellow)):
        if value is not None and not Decimal(-100) <= value <= Decimal(100):
            _add(errors, name, _("阈值须在 -100 至 100 个百分点之间。"))
    return green, yellow


# ---------------------------------------------------------------------------------------------
# Campaigns


@dataclass
class CampaignInput:
    code: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    name_en: str = ""
    document: str = ""
    is_active: bool = True
    green_threshold: Decimal = DEFAULT_GREEN_THRESHOLD
    yellow_threshold: Decimal = DEFAULT_YELLOW_THRESHOLD
    elapsed_basis: str = ElapsedBasis.DAYS


def campaign_snapshot(campaign: Campaign) -> dict[str, Any]:
    return {
        "code": campaign.code,
        "name": campaign.name,
        "name_en": campaign.name_en,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "is_active": campaign.is_active,
        "green_threshold": str(campaign.green_threshold),
        "yellow_threshold": str(campaign.yellow_threshold),
        "elapsed_basis": campaign.elapsed_basis,
        "document_length": len(campaign.document),
    }


def _campaign_values(data: CampaignInput, *, exclude_pk: int | None) -> dict[str, Any]:
    errors: Errors = {}
    values: dict[str, Any] = {
        "code": _check_code(errors, data.code, 32),
        "name": _check_name(errors, data.name, 100),
        "name_en": (data.name_en or "").strip()[:150],
        "document": data.document or "",
        "is_active": bool(data.is_active),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
    }
    if data.ends_on < data.starts_on:
        _add(errors, "ends_on", _("结束日期不能早于开始日期。"))
    green, yellow = _check_thresholds(errors, data.green_threshold, data.yellow_threshold)
    if green is not None and yellow is not None and yellow > green:
        _add(errors, "yellow_threshold", _("预警阈值不能高于正常阈值。"))
    values["green_threshold"], values["yellow_threshold"] = green, yellow
    if data.elapsed_basis not in ElapsedBasis.values:
        _add(errors, "elapsed_basis", _("序时进度口径只能是“按天计算”或“按月计算”。"))
    values["elapsed_basis"] = data.elapsed_basis
    if "code" not in errors and values["code"] in RESERVED_CAMPAIGN_CODES:
        _add(errors, "code", _("“%(code)s”是系统保留字，不能用作代码。") % {"code": values["code"]})
    if "code" not in errors:
        duplicate = Campaign.objects.filter(code=values["code"])
        if exclude_pk is not None:
            duplicate = duplicate.exclude(pk=exclude_pk)
        if duplicate.exists():
            _add(errors, "code", _("代码“%(code)s”已被使用。") % {"code": values["code"]})
    if errors:
        raise ValidationError(errors)
    return values


def campaign_create(*, actor, data: CampaignInput) -> Campaign:
    """Add a campaign (its actions, indicators and targets are added next)."""
    _require_manager(actor, message=_("无权新建攻坚行动。"))
    values = _campaign_values(data, exclude_pk=None)
    with transaction.atomic():
        campaign = Campaign.objects.create(**values)
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=campaign, after=campaign_snapshot(campaign)
        )
    return campaign


def campaign_update(*, actor, campaign: Campaign, data: CampaignInput) -> Campaign:
    _require_manager(
        actor, campaign, message=_("无权修改攻坚行动“%(name)s”。") % {"name": campaign.display_name}
    )
    values = _campaign_values(data, exclude_pk=campaign.pk)
    return _update_locked(actor=actor, obj=campaign, values=values, snapshot=campaign_snapshot)


# ---------------------------------------------------------------------------------------------
# Special actions and leading groups


@dataclass
class SpecialActionInput:
    code: str
    name: str
    name_en: str = ""
    lead_department_code: str = ""
    description: str = ""
    sort_order: int = 0


def special_action_snapshot(action: SpecialAction) -> dict[str, Any]:
    return {
        "campaign": action.campaign.code,
        "code": action.code,
        "name": action.name,
        "name_en": action.name_en,
        "lead_department": action.lead_department.code if action.lead_department else "",
        "description": action.description,
        "sort_order": action.sort_order,
    }


def _special_action_values(
    campaign: Campaign, data: SpecialActionInput, *, exclude_pk: int | None
) -> dict[str, Any]:
    errors: Errors = {}
    values: dict[str, Any] = {
        "code": _check_code(errors, data.code, 32),
        "name": _check_name(errors, data.name, 100),
        "name_en": (data.name_en or "").strip()[:150],
        "description": (data.description or "").strip(),
        "sort_order": data.sort_order,
        "lead_department": None,
    }
    if not 0 <= data.sort_order <= 32767:
        _add(errors, "sort_order", _("排序须在 0 至 32767 之间。"))
    if (data.lead_department_code or "").strip():
        department = Department.objects.filter(code=data.lead_department_code.strip()).first()
        if department is None:
            _add(
                errors,
                "lead_department",
                _("未知的部门代码“%(code)s”。") % {"code": data.lead_department_code},
            )
        values["lead_department"] = department
    if "code" not in errors:
        duplicate = SpecialAction.objects.filter(campaign=campaign, code=values["code"])
        if exclude_pk is not None:
            duplicate = duplicate.exclude(pk=exclude_pk)
        if duplicate.exists():
            _add(
                errors,
                "code",
                _("本攻坚行动已有代码为“%(code)s”的专项行动。") % {"code": values["code"]},
            )
    if errors:
        raise ValidationError(errors)
    return values


def special_action_create(*, actor, campaign: Campaign, data: SpecialActionInput) -> SpecialAction:
    _require_manager(actor, campaign, message=_("无权新建专项行动。"))
    values = _special_action_values(campaign, data, exclude_pk=None)
    with transaction.atomic():
        action = SpecialAction.objects.create(campaign=campaign, **values)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=action,
            after=special_action_snapshot(action),
        )
    return action


def special_action_update(
    *, actor, action: SpecialAction, data: SpecialActionInput
) -> SpecialAction:
    _require_manager(
        actor, action, message=_("无权修改专项行动“%(name)s”。") % {"name": action.display_name}
    )
    values = _special_action_values(action.campaign, data, exclude_pk=action.pk)
    return _update_locked(actor=actor, obj=action, values=values, snapshot=special_action_snapshot)


def _member_snapshot(member: LeadingGroupMember) -> dict[str, Any]:
    return {
        "action": member.action.code,
        "name": member.name,
        "title": member.title,
        "role": member.role,
        "sort_order": member.sort_order,
    }


def leading_group_member_add(
    *, actor, action: SpecialAction, name: str, title: str, role: str, sort_order: int = 0
) -> LeadingGroupMember:
    """Put a person on the special action's leading group as 组长, 副组长 or 成员."""
    _require_manager(actor, action, message=_("无权修改领导小组。"))
    errors: Errors = {}
    name = _check_name(errors, name, 64, _("姓名"))
    title = (title or "").strip()
    if not title:
        _add(errors, "title", _("职务不能为空。"))
    elif len(title) > 150:
        _add(errors, "title", _("职务最长 150 字。"))
    if role not in LeadingGroupRole.values:
        _add(errors, "role", _("小组职务须为组长、副组长或成员。"))
    if not 0 <= sort_order <= 32767:
        _add(errors, "sort_order", _("排序须在 0 至 32767 之间。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = LeadingGroupMember.objects.create(
            action=action, name=name, title=title, role=role, sort_order=sort_order
        )
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=member, after=_member_snapshot(member)
        )
    return member


def leading_group_member_remove(*, actor, member: LeadingGroupMember) -> None:
    _require_manager(actor, member, message=_("无权修改领导小组。"))
    with transaction.atomic():
        before = _member_snapshot(member)
        audit_record(actor=actor, action=AuditAction.DELETE, obj=member, before=before)
        member.delete()


# ---------------------------------------------------------------------------------------------
# Indicators


@dataclass
class IndicatorInput:
    code: str
    name: str
    kind: str
    unit: str
    definition: Any
    name_en: str = ""
    description: str = ""


def indicator_snapshot(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "kind": indicator.kind,
        "unit": indicator.unit,
        "definition": indicator.definition,
        "description": indicator.description,
    }


def _indicator_values(data: IndicatorInput, *, current: Indicator | None) -> dict[str, Any]:
    errors: Errors = {}
    values: dict[str, Any] = {
        "code": _check_code(errors, data.code, 48),
        "name": _check_name(errors, data.name, 100),
        "name_en": (data.name_en or "").strip()[:150],
        "description": (data.description or "").strip(),
        "kind": data.kind,
        "unit": data.unit,
        "definition": data.definition,
    }
    if data.kind not in IndicatorKind.values:
        _add(errors, "kind", _("未知的指标类型“%(kind)s”。") % {"kind": data.kind})
    else:
        for message in indicator_definition_validate(data.kind, data.definition):
            _add(errors, "definition", message)
        if data.unit != KIND_UNITS[data.kind]:
            _add(
                errors,
                "unit",
                _("%(kind)s指标的单位须为“%(unit)s”。")
                % {"kind": IndicatorKind(data.kind).label, "unit": KIND_UNITS[data.kind]},
            )
    if current is not None and data.kind != current.kind and current.targets.exists():
        _add(errors, "kind", _("已有目标使用该指标，不能修改指标类型。"))
    if "code" not in errors:
        duplicate = Indicator.objects.filter(code=values["code"])
        if current is not None:
            duplicate = duplicate.exclude(pk=current.pk)
        if duplicate.exists():
            _add(errors, "code", _("代码“%(code)s”已被使用。") % {"code": values["code"]})
    if errors:
        raise ValidationError(errors)
    return values


def indicator_create(*, actor, data: IndicatorInput) -> Indicator:
    """Define an indicator; its definition must pass the whitelist (``definitions``)."""
    _require_manager(actor, message=_("无权新建指标。"))
    values = _indicator_values(data, current=None)
    with transaction.atomic():
        indicator = Indicator.objects.create(**values)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=indicator,
            after=indicator_snapshot(indicator),
        )
    return indicator


def indicator_update(*, actor, indicator: Indicator, data: IndicatorInput) -> Indicator:
    _require_manager(
        actor, indicator, message=_("无权修改指标“%(name)s”。") % {"name": indicator.display_name}
    )
    values = _indicator_values(data, current=indicator)
    return _update_locked(actor=actor, obj=indicator, values=values, snapshot=indicator_snapshot)


# ---------------------------------------------------------------------------------------------
# Targets


@dataclass
class TargetInput:
    """What a form or the set-up pages supply for a target. References are codes."""

    indicator_code: str
    region_code: str
    period_start: dt.date
    period_end: dt.date
    value: Decimal | str
    comparator: str = Comparator.GTE
    action_code: str = ""
    baseline_value: Decimal | str | None = None
    baseline_date: dt.date | None = None
    weight: Decimal | str = Decimal(1)
    source_sentence: str = ""
    plan_curve: list[str] | None = None
    green_threshold: Decimal | None = None
    yellow_threshold: Decimal | None = None
    sort_order: int = 0


def target_snapshot(target: Target) -> dict[str, Any]:
    return {
        "campaign": target.campaign.code,
        "action": target.action.code if target.action else "",
        "indicator": target.indicator.code,
        "region": target.region.code,
        "period_start": target.period_start.isoformat(),
        "period_end": target.period_end.isoformat(),
        "comparator": target.comparator,
        "value": str(target.value),
        "baseline_value": None if target.baseline_value is None else str(target.baseline_value),
        "baseline_date": target.baseline_date.isoformat() if target.baseline_date else None,
        "weight": str(target.weight),
        "source_sentence": target.source_sentence,
        "parent": target.parent_id,
        "plan_curve": target.plan_curve,
        "green_threshold": None if target.green_threshold is None else str(target.green_threshold),
        "yellow_threshold": None
        if target.yellow_threshold is None
        else str(target.yellow_threshold),
        "sort_order": target.sort_order,
    }


def _check_value(
    errors: Errors, field_name: str, label: str, raw: Any, unit: str | None
) -> Decimal | None:
    value = _decimal(errors, field_name, label, raw)
    if value is None:
        return None
    if value < 0:
        _add(errors, field_name, _("%(label)s不能为负数。") % {"label": label})
    elif value > MAX_TARGET_VALUE:
        _add(errors, field_name, _("%(label)s超出合理范围。") % {"label": label})
    elif unit == IndicatorUnit.PERCENT and value > 100:
        _add(errors, field_name, _("%(label)s是百分比，须在 0 至 100 之间。") % {"label": label})
    elif unit == IndicatorUnit.COUNT and value != value.to_integral_value():
        _add(errors, field_name, _("%(label)s是个数，须为整数。") % {"label": label})
    return value


def plan_curve_check(errors: Errors, curve: Any, months: int) -> list[str] | None:
    """Cumulative fractions, one per month of the period, non-decreasing, ending at 1."""
    if curve in (None, [], ""):
        return None
    message = _(
        "月度计划进度须为 %(months)s 个累计比例（0 至 1，逐月不减，最后一个为 1），"
        '如 ["0.1", "0.25", …, "1"]。'
    ) % {"months": months}
    if not isinstance(curve, list) or len(curve) != months:
        _add(errors, "plan_curve", message)
        return None
    points = []
    for raw in curve:
        if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
            _add(errors, "plan_curve", message)
            return None
        try:
            point = Decimal(str(raw).strip())
        except InvalidOperation:
            _add(errors, "plan_curve", message)
            return None
        if not point.is_finite() or not 0 <= point <= 1:
            _add(errors, "plan_curve", message)
            return None
        points.append(point)
    if any(b < a for a, b in itertools.pairwise(points)) or points[-1] != 1:
        _add(errors, "plan_curve", message)
        return None
    return [str(point) for point in points]


def plan_curve_from_values(values: list[Decimal], target_value: Decimal) -> list[str]:
    """A plan given as cumulative monthly values (e.g. 万元 by month end) as the fractions a
    target stores; the last value is the plan's total."""
    total = target_value or values[-1]
    return [str((Decimal(v) / total).quantize(Decimal("0.0001"))) for v in values[:-1]] + ["1"]


def _target_values(
    campaign: Campaign, data: TargetInput, *, current: Target | None
) -> dict[str, Any]:
    errors: Errors = {}
    indicator = Indicator.objects.filter(code=(data.indicator_code or "").strip()).first()
    if indicator is None:
        _add(errors, "indicator", _("未知的指标代码“%(code)s”。") % {"code": data.indicator_code})
    unit = indicator.unit if indicator else None
    region = Region.objects.filter(code=(data.region_code or "").strip()).first()
    if region is None:
        _add(errors, "region", _("未知的区域代码“%(code)s”。") % {"code": data.region_code})
    action = None
    if (data.action_code or "").strip():
        action = SpecialAction.objects.filter(
            campaign=campaign, code=data.action_code.strip()
        ).first()
        if action is None:
            _add(
                errors,
                "action",
                _("本攻坚行动没有代码为“%(code)s”的专项行动。") % {"code": data.action_code},
            )

    start, end = data.period_start, data.period_end
    if start.day != 1:
        _add(errors, "period_start", _("起始日期须为某月的 1 日（目标按整月计）。"))
    if end != month_end(end):
        _add(errors, "period_end", _("截止日期须为某月的最后一天（目标按整月计）。"))
    if end < start:
        _add(errors, "period_end", _("截止日期不能早于起始日期。"))
    if data.comparator not in Comparator.values:
        _add(errors, "comparator", _("比较须为 ≥、>、=、≤ 或 <。"))

    value = _check_value(errors, "value", _("目标值"), data.value, unit)
    baseline = None
    if data.baseline_value not in (None, ""):
        baseline = _check_value(errors, "baseline_value", _("基数"), data.baseline_value, unit)
    if data.baseline_date is not None and baseline is None and "baseline_value" not in errors:
        _add(errors, "baseline_value", _("填写了基数日期，须同时填写基数。"))
    weight = _decimal(errors, "weight", _("权重"), data.weight)
    if weight is not None and not Decimal(0) <= weight <= Decimal(1000):
        _add(errors, "weight", _("权重须在 0 至 1000 之间。"))
    green, yellow = _check_thresholds(errors, data.green_threshold, data.yellow_threshold)
    effective_green = green if green is not None else campaign.green_threshold
    effective_yellow = yellow if yellow is not None else campaign.yellow_threshold
    if (
        "green_threshold" not in errors
        and "yellow_threshold" not in errors
        and effective_yellow > effective_green
    ):
        _add(errors, "yellow_threshold", _("预警阈值不能高于正常阈值。"))
    plan_curve = None
    if end >= start and start.day == 1:
        plan_curve = plan_curve_check(errors, data.plan_curve, len(months_between(start, end)))
    if not 0 <= data.sort_order <= 32767:
        _add(errors, "sort_order", _("排序须在 0 至 32767 之间。"))

    parent = current.parent if current is not None else None
    if (
        parent is not None
        and region is not None
        and (region.pk == parent.region_id or not parent.region.contains(region))
    ):
        _add(
            errors,
            "region",
            _("分解目标的区域须在上级目标区域“%(region)s”之内。")
            % {"region": parent.region.display_name},
        )
    if not errors:
        duplicate = Target.objects.filter(
            campaign=campaign,
            indicator=indicator,
            region=region,
            period_start=start,
            period_end=end,
        )
        if current is not None:
            duplicate = duplicate.exclude(pk=current.pk)
        if duplicate.exists():
            assert indicator is not None and region is not None
            _add(
                errors,
                "region",
                _("%(region)s在该期间已有“%(indicator)s”目标。")
                % {"region": region.display_name, "indicator": indicator.display_name},
            )
    if errors:
        raise ValidationError(errors)
    return {
        "indicator": indicator,
        "region": region,
        "action": action,
        "period_start": start,
        "period_end": end,
        "comparator": data.comparator,
        "value": value,
        "baseline_value": baseline,
        "baseline_date": data.baseline_date,
        "weight": weight,
        "source_sentence": (data.source_sentence or "").strip(),
        "plan_curve": plan_curve,
        "green_threshold": green,
        "yellow_threshold": yellow,
        "sort_order": data.sort_order,
    }


def target_create(*, actor, campaign: Campaign, data: TargetInput) -> Target:
    """Add a target to the campaign for a region the actor manages."""
    region = Region.objects.filter(code=(data.region_code or "").strip()).first()
    _require_manager(actor, region, message=_("无权为该区域设定目标。"))
    values = _target_values(campaign, data, current=None)
    with transaction.atomic():
        target = Target.objects.create(campaign=campaign, **values)
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=target, after=target_snapshot(target)
        )
    return target


def target_update(*, actor, target: Target, data: TargetInput) -> Target:
    _require_manager(actor, target, message=_("无权修改该目标。"))
    region = Region.objects.filter(code=(data.region_code or "").strip()).first()
    if region is not None:
        _require_manager(actor, region, message=_("无权为该区域设定目标。"))
    values = _target_values(target.campaign, data, current=target)
    return _update_locked(actor=actor, obj=target, values=values, snapshot=target_snapshot)


def target_delete(*, actor, target: Target) -> None:
    """Remove a target and its allocations."""
    _require_manager(actor, target, message=_("无权删除该目标。"))
    with transaction.atomic():
        for child in target.allocations.select_related("campaign", "indicator", "region"):
            audit_record(
                actor=actor, action=AuditAction.DELETE, obj=child, before=target_snapshot(child)
            )
        audit_record(
            actor=actor, action=AuditAction.DELETE, obj=target, before=target_snapshot(target)
        )
        target.delete()


def target_allocate(
    *, actor, target: Target, allocations: Mapping[str, Decimal | str]
) -> list[Target]:
    """Allocate ``target`` to regions below it: one child target per region code (created, or
    updated when it exists), with the parent's indicator, period, comparator and plan. Whether
    the allocations cover the target is ``selectors.allocation_gap``'s warning, not a refusal."""
    _require_manager(actor, target, message=_("无权分解该目标。"))
    errors: Errors = {}
    if not allocations:
        _add(errors, "allocations", _("请至少填写一个区域的分解目标。"))
    regions = {r.code: r for r in Region.objects.filter(code__in=list(allocations))}
    values: dict[str, Decimal] = {}
    for code, raw in allocations.items():
        region = regions.get(code)
        if region is None:
            _add(errors, code, _("未知的区域代码“%(code)s”。") % {"code": code})
            continue
        if region.pk == target.region_id or not target.region.contains(region):
            _add(
                errors,
                code,
                _("“%(region)s”不在“%(parent)s”之内，不能分解到该区域。")
                % {"region": region.display_name, "parent": target.region.display_name},
            )
            continue
        if not region.is_reporting:
            _add(
                errors,
                code,
                _("“%(region)s”不参与填报，不能分解目标。") % {"region": region.display_name},
            )
            continue
        label = _("%(region)s的目标值") % {"region": region.display_name}
        value = _check_value(errors, code, label, raw, target.indicator.unit)
        if value is not None and code not in errors:
            values[code] = value
    if errors:
        raise ValidationError(errors)

    children = []
    with transaction.atomic():
        for code, value in values.items():
            child = Target.objects.filter(
                campaign=target.campaign,
                indicator=target.indicator,
                region=regions[code],
                period_start=target.period_start,
                period_end=target.period_end,
            ).first()
            before = target_snapshot(child) if child is not None else None
            if child is None:
                child = Target(
                    campaign=target.campaign,
                    indicator=target.indicator,
                    region=regions[code],
                    period_start=target.period_start,
                    period_end=target.period_end,
                )
            child.parent = target
            child.action = target.action
            child.comparator = target.comparator
            child.value = value
            child.weight = target.weight
            child.plan_curve = target.plan_curve
            child.green_threshold = target.green_threshold
            child.yellow_threshold = target.yellow_threshold
            child.sort_order = target.sort_order
            if not child.source_sentence:
                child.source_sentence = target.source_sentence
            child.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
                obj=child,
                before=before,
                after=target_snapshot(child),
            )
            children.append(child)
    return children
