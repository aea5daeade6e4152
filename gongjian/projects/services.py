"""Writes to the project ledger. Each service checks permission, validates, writes and audits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.core.money import CENT, MAX_PROJECT_INVESTMENT_WAN, format_wan
from gongjian.core.periods import today
from gongjian.projects.choices import RECORDABLE_STAGES, STAGE_PROGRESSION, Stage
from gongjian.projects.models import Category, IndustryChain, Project, StageEvent
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region

# Quanzhou's land area, with a margin; a point outside is a swapped or mistyped coordinate.
QUANZHOU_BOUNDS = {
    "lng": (Decimal("117.5"), Decimal("119.2")),
    "lat": (Decimal("24.3"), Decimal("25.95")),
}
EARLIEST_STAGE_DATE = dt.date(2000, 1, 1)
COORDINATE_PLACES = Decimal("0.000001")


class StaleEditError(ValidationError):
    """Someone else saved the project after this edit began; nothing was written."""


@dataclass
class ProjectInput:
    """What a form, the API or an import supplies for a project. References are codes."""

    code: str
    name: str
    region_code: str
    category_code: str
    total_investment: Decimal
    annual_plan: Decimal = Decimal(0)
    industry_chain_code: str = ""
    owner_enterprise: str = ""
    responsible_unit: str = ""
    longitude: Decimal | None = None
    latitude: Decimal | None = None
    description: str = ""


_AUDITED_FIELDS = (
    "code",
    "name",
    "region",
    "category",
    "industry_chain",
    "owner_enterprise",
    "responsible_unit",
    "total_investment",
    "annual_plan",
    "longitude",
    "latitude",
    "description",
)


def project_snapshot(project: Project) -> dict[str, Any]:
    """The audited fields of a project as JSON-ready values (references by code)."""
    return {
        "code": project.code,
        "name": project.name,
        "region": project.region.code,
        "category": project.category.code,
        "industry_chain": project.industry_chain.code if project.industry_chain else "",
        "owner_enterprise": project.owner_enterprise,
        "responsible_unit": project.responsible_unit,
        "total_investment": str(project.total_investment),
        "annual_plan": str(project.annual_plan),
        "longitude": None if project.longitude is None else str(project.longitude),
        "latitude": None if project.latitude is None else str(project.latitude),
        "description": project.description,
        "stage": project.stage,
        "version": project.version,
    }


def _check_money(errors: dict[str, list[str]], field: str, label: str, value: Decimal) -> None:
    if not value.is_finite():
        errors.setdefault(field, []).append(_("%(label)s不是有效的数字。") % {"label": label})
        return
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.setdefault(field, []).append(
            _("%(label)s最多保留两位小数（单位：万元）。") % {"label": label}
        )
    if value < 0:
        errors.setdefault(field, []).append(_("%(label)s不能为负数。") % {"label": label})
    elif value > MAX_PROJECT_INVESTMENT_WAN:
        errors.setdefault(field, []).append(
            _("%(label)s %(value)s 万元超过 1 万亿元，超出合理范围；请确认单位是万元而不是元。")
            % {"label": label, "value": format_wan(value)}
        )


def _resolve(data: ProjectInput) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Turn codes into rows and check every value; returns (model field values, errors)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    code = (data.code or "").strip()
    if not code:
        errors["code"] = [_("项目编号不能为空。")]
    elif len(code) > 32 or not all(ch.isalnum() or ch in "-_" for ch in code):
        errors["code"] = [_("项目编号只能包含字母、数字、“-”和“_”，最长 32 位。")]
    values["code"] = code

    name = (data.name or "").strip()
    if not name:
        errors["name"] = [_("项目名称不能为空。")]
    elif len(name) > 200:
        errors["name"] = [_("项目名称最长 200 字。")]
    values["name"] = name

    region = Region.objects.filter(code=(data.region_code or "").strip()).first()
    if region is None:
        errors["region"] = [_("未知的所属区域代码“%(code)s”。") % {"code": data.region_code}]
    elif region.kind not in (RegionKind.COUNTY, RegionKind.ZONE) or not region.is_reporting:
        errors["region"] = [
            _("项目须归属于参与填报的县（市、区）或功能区，“%(name)s”不可选。")
            % {"name": region.name}
        ]
    values["region"] = region

    category = Category.objects.filter(code=(data.category_code or "").strip()).first()
    if category is None or not category.is_active:
        errors["category"] = [_("未知的项目类别“%(code)s”。") % {"code": data.category_code}]
    values["category"] = category

    chain = None
    if (data.industry_chain_code or "").strip():
        chain = IndustryChain.objects.filter(code=data.industry_chain_code.strip()).first()
        if chain is None or not chain.is_active:
            errors["industry_chain"] = [
                _("未知的产业链“%(code)s”。") % {"code": data.industry_chain_code}
            ]
    values["industry_chain"] = chain

    _check_money(errors, "total_investment", _("总投资"), data.total_investment)
    _check_money(errors, "annual_plan", _("年度计划投资"), data.annual_plan)
    if (
        "total_investment" not in errors
        and "annual_plan" not in errors
        and data.annual_plan > data.total_investment
    ):
        errors["annual_plan"] = [
            _("年度计划投资 %(plan)s 万元不能大于总投资 %(total)s 万元。")
            % {"plan": format_wan(data.annual_plan), "total": format_wan(data.total_investment)}
        ]
    values["total_investment"] = data.total_investment
    values["annual_plan"] = data.annual_plan

    if (data.longitude is None) != (data.latitude is None):
        errors["longitude"] = [_("经度和纬度须同时填写或同时留空。")]
    elif data.longitude is not None and data.latitude is not None:
        lng_min, lng_max = QUANZHOU_BOUNDS["lng"]
        lat_min, lat_max = QUANZHOU_BOUNDS["lat"]
        if not (lng_min <= data.longitude <= lng_max and lat_min <= data.latitude <= lat_max):
            errors["longitude"] = [
                _("坐标（%(lng)s, %(lat)s）不在泉州市范围内，请检查经纬度是否填反。")
                % {"lng": data.longitude, "lat": data.latitude}
            ]
    values["longitude"] = data.longitude
    values["latitude"] = data.latitude

    for field in ("owner_enterprise", "responsible_unit"):
        value = (getattr(data, field) or "").strip()
        if len(value) > 200:
            errors[field] = [_("最长 200 字。")]
        values[field] = value
    values["description"] = (data.description or "").strip()
    if not errors:
        # At the column's precision, so that the object, its audit snapshot and the row agree
        # (otherwise an unchanged 50000 would be audited as a change from "50000.00").
        for field in ("total_investment", "annual_plan"):
            values[field] = values[field].quantize(CENT)
        for field in ("longitude", "latitude"):
            if values[field] is not None:
                values[field] = values[field].quantize(COORDINATE_PLACES)
    return values, errors


def project_create(*, actor, data: ProjectInput) -> Project:
    """Add a project to the ledger in a region the actor may edit."""
    values, errors = _resolve(data)
    region = values["region"]
    if region is not None and not actor.has_perm("projects.add_project", region):
        raise audit_denied(
            actor=actor,
            message=_("无权在“%(region)s”新建项目。") % {"region": region.name},
        )
    duplicate = {"code": [_("项目编号“%(code)s”已存在。") % {"code": values["code"]}]}
    if not errors and Project.objects.filter(code=values["code"]).exists():
        errors.update(duplicate)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            project = Project(**values, created_by=actor)
            project._history_user = actor  # type: ignore[attr-defined]
            project.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=project,
                after=project_snapshot(project),
            )
    except IntegrityError:
        # Someone created the same code between the check above and this insert.
        if Project.objects.filter(code=values["code"]).exists():
            raise ValidationError(duplicate) from None
        raise
    return project


def project_update(
    *, actor, project: Project, data: ProjectInput, expected_version: int
) -> Project:
    """Save an edit begun from ``expected_version``; a stale edit is refused, writing nothing."""
    if not actor.has_perm("projects.change_project", project):
        raise audit_denied(
            actor=actor, obj=project, message=_("无权修改项目“%(code)s”。") % {"code": project.code}
        )
    values, errors = _resolve(data)
    target_region = values["region"]
    if target_region is not None and not actor.has_perm("projects.change_project", target_region):
        raise audit_denied(
            actor=actor,
            obj=project,
            message=_("无权把项目移到“%(region)s”。") % {"region": target_region.name},
        )
    if not errors and Project.objects.filter(code=values["code"]).exclude(pk=project.pk).exists():
        errors["code"] = [_("项目编号“%(code)s”已存在。") % {"code": values["code"]}]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        current = (
            # of=("self",): PostgreSQL refuses FOR UPDATE over the nullable industry_chain join.
            Project.objects.select_for_update(of=("self",))
            .select_related("region", "category", "industry_chain")
            .get(pk=project.pk)
        )
        if current.version != expected_version:
            stale = StaleEditError(
                _(
                    "保存失败：该项目已被 %(who)s 于 %(when)s 修改（当前版本 %(current)s，"
                    "您编辑的是版本 %(mine)s）。您的修改未保存，请刷新后重新编辑。"
                )
                % {
                    "who": _last_editor(current),
                    "when": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M"),
                    "current": current.version,
                    "mine": expected_version,
                }
            )
        else:
            stale = None
            before = project_snapshot(current)
            for name, value in values.items():
                setattr(current, name, value)
            current.version += 1
            current._history_user = actor  # type: ignore[attr-defined]
            current.save()
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=current,
                before=before,
                after=project_snapshot(current),
            )
    if stale is not None:
        audit_record(
            actor=actor, action=AuditAction.STALE_EDIT, obj=current, message=stale.messages[0]
        )
        raise stale
    return current


def _last_editor(project: Project) -> str:
    record = project.history.order_by("-history_date").select_related("history_user").first()
    if record is None or record.history_user is None:
        return _("其他用户")
    return str(record.history_user)


def derive_stage(events: list[StageEvent]) -> str:
    """The current stage from a project's stage events.

    The furthest stage along the progression counts, unless a 停缓建 is dated after it (or on the
    same day), in which case the project is suspended until a later event moves it on.
    """
    if not events:
        return Stage.PLANNED
    progression = [e for e in events if e.stage in STAGE_PROGRESSION]
    furthest = max(progression, key=lambda e: STAGE_PROGRESSION.index(e.stage), default=None)
    latest_progress_date = max((e.date for e in progression), default=None)
    suspensions = [e.date for e in events if e.stage == Stage.SUSPENDED]
    if suspensions and (latest_progress_date is None or max(suspensions) >= latest_progress_date):
        return Stage.SUSPENDED
    assert furthest is not None
    return furthest.stage


def _stage_order_errors(events: list[StageEvent], stage: str, date: dt.date) -> list[str]:
    labels = dict(Stage.choices)
    errors = []
    if stage in STAGE_PROGRESSION:
        position = STAGE_PROGRESSION.index(stage)
        for event in events:
            if event.stage not in STAGE_PROGRESSION:
                continue
            other = STAGE_PROGRESSION.index(event.stage)
            if other < position and event.date > date:
                errors.append(
                    _("%(stage)s日期 %(date)s 早于%(other)s日期 %(other_date)s，阶段日期不能倒序。")
                    % {
                        "stage": labels[stage],
                        "date": date,
                        "other": labels[event.stage],
                        "other_date": event.date,
                    }
                )
            if other > position and event.date < date:
                errors.append(
                    _("%(stage)s日期 %(date)s 晚于%(other)s日期 %(other_date)s，阶段日期不能倒序。")
                    % {
                        "stage": labels[stage],
                        "date": date,
                        "other": labels[event.stage],
                        "other_date": event.date,
                    }
                )
    else:
        first = min((e.date for e in events if e.stage in STAGE_PROGRESSION), default=None)
        if first is None:
            errors.append(_("项目尚未签约或开工，不能记录停缓建。"))
        elif date < first:
            errors.append(
                _("停缓建日期 %(date)s 早于项目的第一个阶段日期 %(first)s。")
                % {"date": date, "first": first}
            )
    return errors


def project_record_stage(
    *, actor, project: Project, stage: str, date: dt.date, note: str = ""
) -> StageEvent:
    """Record that the project reached ``stage`` on ``date``; the current stage is re-derived."""
    if not actor.has_perm("projects.record_stage", project):
        raise audit_denied(
            actor=actor,
            obj=project,
            message=_("无权为项目“%(code)s”记录阶段。") % {"code": project.code},
        )
    labels = dict(Stage.choices)
    if stage not in RECORDABLE_STAGES:
        raise ValidationError({"stage": [_("未知的阶段“%(stage)s”。") % {"stage": stage}]})
    if date > today():
        raise ValidationError(
            {
                "date": [
                    _("%(stage)s日期 %(date)s 晚于今天，只能记录已发生的阶段。")
                    % {"stage": labels[stage], "date": date}
                ]
            }
        )
    if date < EARLIEST_STAGE_DATE:
        raise ValidationError({"date": [_("日期 %(date)s 过早，请检查。") % {"date": date}]})

    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        events = list(locked.stage_events.all())
        existing = next((e for e in events if e.stage == stage and stage != Stage.SUSPENDED), None)
        if existing is not None:
            raise ValidationError(
                {
                    "stage": [
                        _("该项目已于 %(date)s 记录%(stage)s。")
                        % {"date": existing.date, "stage": labels[stage]}
                    ]
                }
            )
        order_errors = _stage_order_errors(events, stage, date)
        if order_errors:
            raise ValidationError({"date": order_errors})
        event = StageEvent.objects.create(
            project=locked, stage=stage, date=date, note=(note or "").strip(), actor=actor
        )
        before_stage = locked.stage
        locked.stage = derive_stage([*events, event])
        locked._history_user = actor  # type: ignore[attr-defined]
        locked.save(update_fields=["stage", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.STAGE,
            obj=locked,
            before={"stage": before_stage},
            after={
                "stage": locked.stage,
                "event": stage,
                "date": date.isoformat(),
                "note": event.note,
            },
        )
    project.stage = locked.stage
    return event


def project_input_from(project: Project) -> ProjectInput:
    """The current values of a project as an input, for forms that start from it."""
    snapshot = project_snapshot(project)
    return ProjectInput(
        code=project.code,
        name=project.name,
        region_code=snapshot["region"],
        category_code=snapshot["category"],
        industry_chain_code=snapshot["industry_chain"],
        total_investment=project.total_investment,
        annual_plan=project.annual_plan,
        owner_enterprise=project.owner_enterprise,
        responsible_unit=project.responsible_unit,
        longitude=project.longitude,
        latitude=project.latitude,
        description=project.description,
    )


PROJECT_INPUT_FIELDS = tuple(f.name for f in fields(ProjectInput))
