"""Writes to the project ledger. Each service checks permission, validates, writes and audits."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Department
from gongjian.accounts.selectors import users_with_role
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import AuditEntry, audit_denied, audit_record, audit_record_many
from gongjian.core.evidence import evidence_check
from gongjian.core.money import CENT, MAX_PROJECT_INVESTMENT_WAN, format_wan
from gongjian.core.periods import now, today
from gongjian.core.signals import bulk_saved
from gongjian.core.uscc import uscc_is_valid, uscc_normalise
from gongjian.notifications.choices import NotificationKind
from gongjian.notifications.services import notify
from gongjian.parks.models import Enterprise
from gongjian.projects.choices import (
    EVIDENCE_STAGES,
    NAME_MARKERS,
    RECORDABLE_STAGES,
    STAGE_PROGRESSION,
    SUPERVISION_AWAITING_REPLY,
    VERIFIED_STAGES,
    ProblemStatus,
    ProjectClass,
    ProjectLevel,
    Stage,
    StageEventStatus,
    SupervisionStatus,
)
from gongjian.projects.models import (
    LEVEL_FIELDS,
    Category,
    IndustryChain,
    Problem,
    ProblemStatusChange,
    Project,
    Sector,
    StageEvent,
    Supervision,
    SupervisionStatusChange,
)
from gongjian.projects.rules import DISTRICT_STAFF_ROLES, LEADERSHIP_ROLES
from gongjian.projects.selectors import project_history
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region
from gongjian.reporting.models import ProgressReport

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
    # The yearly key-project list (年度重点项目清单).
    levels: tuple[str, ...] = ()
    project_class: str = ""
    sector_code: str = ""
    start_year: int | None = None
    end_year: int | None = None
    planned_start_month: dt.date | None = None
    planned_completion_month: dt.date | None = None
    owner_uscc: str = ""
    responsible_person: str = ""
    responsible_phone: str = ""
    national_code: str = ""
    markers: str = ""


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
    "is_provincial_key",
    "is_city_key",
    "is_county_key",
    "project_class",
    "sector",
    "start_year",
    "end_year",
    "planned_start_month",
    "planned_completion_month",
    "owner_uscc",
    "owner_enterprise_record",
    "responsible_person",
    "responsible_phone",
    "national_code",
    "markers",
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
        "levels": project.levels,
        "project_class": project.project_class,
        "sector": project.sector.code if project.sector else "",
        "start_year": project.start_year,
        "end_year": project.end_year,
        "planned_start_month": _month_text(project.planned_start_month),
        "planned_completion_month": _month_text(project.planned_completion_month),
        "owner_uscc": project.owner_uscc,
        "responsible_person": project.responsible_person,
        "responsible_phone": project.responsible_phone,
        "national_code": project.national_code,
        "markers": project.markers,
        "stage": project.stage,
        "version": project.version,
    }


def _month_text(month: dt.date | None) -> str | None:
    return None if month is None else month.strftime("%Y-%m")


# 全国投资项目在线审批监管平台 code: year-division-industry-kind-serial, 24 characters.
NATIONAL_CODE = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$")
PHONE = re.compile(r"^[0-9+\-]{7,20}$")


def national_code_normalise(text: str) -> str:
    """ "2022350500470101234 5" or full-width forms → "2022-350500-47-01-012345" when it has
    the 20 digits of the code; other text unchanged (the check then names it)."""
    text = unicodedata.normalize("NFKC", text or "").strip().replace("—", "-").replace("－", "-")
    digits = re.sub(r"[\s-]", "", text)
    if len(digits) == 20 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:10]}-{digits[10:12]}-{digits[12:14]}-{digits[14:]}"
    return text


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


class References:
    """The regions, categories, industry chains, sectors and owner enterprises that project
    inputs name: looked up one at a time (a form), or read at once for many inputs
    (``for_projects``, an import), so that the same checks run either way."""

    def __init__(self, preloaded: dict[str, dict[str, Any]] | None = None) -> None:
        self._preloaded = preloaded

    @classmethod
    def for_projects(cls, inputs: list[ProjectInput]) -> References:
        """Everything ``inputs`` name, in five queries."""

        def wanted(name: str) -> set[str]:
            return {(getattr(item, name) or "").strip() for item in inputs} - {""}

        usccs = {uscc_normalise(item.owner_uscc or "") for item in inputs} - {""}
        return cls(
            {
                "region": {
                    r.code: r for r in Region.objects.filter(code__in=wanted("region_code"))
                },
                "category": {
                    c.code: c for c in Category.objects.filter(code__in=wanted("category_code"))
                },
                "chain": {
                    c.code: c
                    for c in IndustryChain.objects.filter(code__in=wanted("industry_chain_code"))
                },
                "sector": {
                    s.code: s for s in Sector.objects.filter(code__in=wanted("sector_code"))
                },
                "enterprise": {e.uscc: e for e in Enterprise.objects.filter(uscc__in=usccs)},
            }
        )

    def _get(self, kind: str, model, lookup: str, key: str):
        if self._preloaded is None:
            return model.objects.filter(**{lookup: key}).first()
        return self._preloaded[kind].get(key)

    def region(self, code: str) -> Region | None:
        return self._get("region", Region, "code", code)

    def category(self, code: str) -> Category | None:
        return self._get("category", Category, "code", code)

    def chain(self, code: str) -> IndustryChain | None:
        return self._get("chain", IndustryChain, "code", code)

    def sector(self, code: str) -> Sector | None:
        return self._get("sector", Sector, "code", code)

    def enterprise(self, uscc: str) -> Enterprise | None:
        return self._get("enterprise", Enterprise, "uscc", uscc)


_ONE_AT_A_TIME = References()


def _resolve(
    data: ProjectInput, references: References = _ONE_AT_A_TIME
) -> tuple[dict[str, Any], dict[str, list[str]]]:
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

    region = references.region((data.region_code or "").strip())
    if region is None:
        errors["region"] = [_("未知的所属区域代码“%(code)s”。") % {"code": data.region_code}]
    elif region.kind not in (RegionKind.COUNTY, RegionKind.ZONE) or not region.is_reporting:
        errors["region"] = [
            _("项目须归属于参与填报的县（市、区）或功能区，“%(name)s”不可选。")
            % {"name": region.display_name}
        ]
    values["region"] = region

    category = references.category((data.category_code or "").strip())
    if category is None or not category.is_active:
        errors["category"] = [_("未知的项目类别“%(code)s”。") % {"code": data.category_code}]
    values["category"] = category

    chain = None
    if (data.industry_chain_code or "").strip():
        chain = references.chain(data.industry_chain_code.strip())
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
    _resolve_list_fields(data, values, errors, references)
    if not errors:
        # At the column's precision, so that the object, its audit snapshot and the row agree
        # (otherwise an unchanged 50000 would be audited as a change from "50000.00").
        for field in ("total_investment", "annual_plan"):
            values[field] = values[field].quantize(CENT)
        for field in ("longitude", "latitude"):
            if values[field] is not None:
                values[field] = values[field].quantize(COORDINATE_PLACES)
    return values, errors


def _resolve_list_fields(
    data: ProjectInput,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    references: References = _ONE_AT_A_TIME,
) -> None:
    """The fields of the yearly key-project list: level, class, sector, years, months, owner,
    responsible person and the national project code."""
    unknown = [level for level in data.levels if level not in ProjectLevel.values]
    if unknown:
        errors["levels"] = [_("未知的项目级别“%(level)s”。") % {"level": "、".join(unknown)}]
    for level, field in LEVEL_FIELDS.items():
        values[field] = level in data.levels

    if data.project_class and data.project_class not in ProjectClass.values:
        errors["project_class"] = [
            _("未知的项目类别“%(value)s”（可选：续建、新开工、竣工投产、预备）。")
            % {"value": data.project_class}
        ]
    values["project_class"] = data.project_class or ""

    sector = None
    if (data.sector_code or "").strip():
        sector = references.sector(data.sector_code.strip())
        if sector is None or not sector.is_active:
            errors["sector"] = [_("未知的行业领域“%(code)s”。") % {"code": data.sector_code}]
    values["sector"] = sector

    for field, label in (("start_year", _("建设起始年")), ("end_year", _("建设结束年"))):
        year = getattr(data, field)
        if year is not None and not 1990 <= year <= 2100:
            errors[field] = [
                _("%(label)s“%(year)s”不是有效年份。") % {"label": label, "year": year}
            ]
        values[field] = year
    if (
        data.start_year is not None
        and data.end_year is not None
        and "start_year" not in errors
        and "end_year" not in errors
        and data.end_year < data.start_year
    ):
        errors["end_year"] = [
            _("建设结束年 %(end)s 早于起始年 %(start)s。")
            % {"end": data.end_year, "start": data.start_year}
        ]
    for field in ("planned_start_month", "planned_completion_month"):
        month = getattr(data, field)
        values[field] = None if month is None else month.replace(day=1)
    if (
        values["planned_start_month"] is not None
        and values["planned_completion_month"] is not None
        and values["planned_completion_month"] < values["planned_start_month"]
    ):
        errors["planned_completion_month"] = [_("计划竣工（投产）月份早于计划开工月份。")]

    uscc = uscc_normalise(data.owner_uscc or "")
    record = None
    if uscc:
        if not uscc_is_valid(uscc):
            errors["owner_uscc"] = [
                _("业主统一社会信用代码“%(code)s”不符合 GB 32100 的格式或校验位。")
                % {"code": data.owner_uscc}
            ]
        else:
            record = references.enterprise(uscc)
    values["owner_uscc"] = uscc
    values["owner_enterprise_record"] = record
    if record is not None and not values.get("owner_enterprise"):
        values["owner_enterprise"] = record.name

    person = (data.responsible_person or "").strip()
    if len(person) > 50:
        errors["responsible_person"] = [_("最长 50 字。")]
    values["responsible_person"] = person
    phone = unicodedata.normalize("NFKC", data.responsible_phone or "").replace(" ", "").strip()
    if phone and not PHONE.match(phone):
        errors["responsible_phone"] = [
            _("责任人电话“%(phone)s”不是有效的电话号码。") % {"phone": data.responsible_phone}
        ]
    values["responsible_phone"] = phone

    code = national_code_normalise(data.national_code or "")
    if code and not NATIONAL_CODE.match(code):
        errors["national_code"] = [
            _(
                "全国投资项目代码“%(code)s”格式不对：应为 24 位，"
                "如 2022-350500-47-01-012345（年份-区划-行业-类型-流水号）。"
            )
            % {"code": data.national_code}
        ]
    values["national_code"] = code
    markers = "".join(ch for ch in (data.markers or "") if ch in NAME_MARKERS)
    values["markers"] = "".join(dict.fromkeys(markers))


def _create_refusal(actor, region: Region | None) -> PermissionDenied | None:
    """The refusal (audited) of a new project in ``region``; None when the actor may."""
    if region is not None and not actor.has_perm("projects.add_project", region):
        return audit_denied(
            actor=actor,
            message=_("无权在“%(region)s”新建项目。") % {"region": region.display_name},
        )
    return None


def _edit_refusal(actor, project: Project) -> PermissionDenied | None:
    """The refusal (audited) of an edit of ``project``; None when the actor may."""
    if not actor.has_perm("projects.change_project", project):
        return audit_denied(
            actor=actor, obj=project, message=_("无权修改项目“%(code)s”。") % {"code": project.code}
        )
    return None


def _move_refusal(actor, project: Project, region: Region | None) -> PermissionDenied | None:
    """The refusal (audited) of moving ``project`` to ``region``; None when the actor may."""
    if region is not None and not actor.has_perm("projects.change_project", region):
        return audit_denied(
            actor=actor,
            obj=project,
            message=_("无权把项目移到“%(region)s”。") % {"region": region.display_name},
        )
    return None


def project_create(*, actor, data: ProjectInput) -> Project:
    """Add a project to the ledger in a region the actor may edit."""
    values, errors = _resolve(data)
    if refusal := _create_refusal(actor, values["region"]):
        raise refusal
    duplicate = _code_taken_errors(values["code"])
    if not errors and Project.objects.filter(code=values["code"]).exists():
        errors.update(duplicate)
    _check_national_code_free(values, errors, exclude_pk=None)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            project = Project(**values, created_by=actor)
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
    if refusal := _edit_refusal(actor, project):
        raise refusal
    values, errors = _resolve(data)
    if refusal := _move_refusal(actor, project, values["region"]):
        raise refusal
    if not errors and Project.objects.filter(code=values["code"]).exclude(pk=project.pk).exists():
        errors.update(_code_taken_errors(values["code"]))
    _check_national_code_free(values, errors, exclude_pk=project.pk)
    if (
        _starts_without_start(project, values)
        and not project.stage_events.confirmed().filter(stage=Stage.STARTED).exists()
    ):
        errors.update(_starts_without_start_errors())
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


def _code_taken_errors(code: str) -> dict[str, list[str]]:
    return {"code": [_("项目编号“%(code)s”已存在。") % {"code": code}]}


def _starts_without_start(project: Project, values: dict[str, Any]) -> bool:
    """An edit that would turn a preparatory project into a new start (allowed only once its
    start has been verified: the caller asks the stage events)."""
    return (
        project.project_class == ProjectClass.PREPARATORY
        and values.get("project_class") == ProjectClass.NEW
    )


def _starts_without_start_errors() -> dict[str, list[str]]:
    return {"project_class": [_("预备项目须经开工核实后才转为新开工，不能直接修改。")]}


def _check_national_code_free(
    values: dict[str, Any],
    errors: dict[str, list[str]],
    *,
    exclude_pk: int | None,
    holder: Any = None,
) -> None:
    """``holder(code)`` is the code of the project holding a national code (other than
    ``exclude_pk``), read from the database unless given."""
    code = values.get("national_code")
    if errors or not code:
        return
    if holder is None:
        others = Project.objects.filter(national_code=code)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        other = others.first()
        other_code = None if other is None else other.code
    else:
        other_code = holder(code)
    if other_code is not None:
        errors["national_code"] = [
            _("全国投资项目代码“%(code)s”已用于项目“%(other)s”。")
            % {"code": code, "other": other_code}
        ]


def _last_editor(project: Project) -> str:
    """Who saved the version the stale edit collided with: the last audited write's actor."""
    event = next(iter(project_history(project=project, limit=1)), None)
    if event is None or event.actor is None:
        return _("其他用户")
    return str(event.actor)


class ProjectBatch:
    """``project_create`` and ``project_update`` for many projects (an import), set-based.

    Each ``create``/``update`` runs the single service's checks, in its order, and raises what
    it would raise (ValidationError, or PermissionDenied after auditing the refusal), over
    references and facts read once for the batch (``for_inputs``) and kept current as items are
    added, so that an item sees the ones before it as if they had been saved. Nothing is written
    until ``save``: the new projects in one INSERT, the edits in one UPDATE (their rows should
    be locked by the caller, ``select_for_update``, when it read them), their audit events in
    one INSERT and the indicator cells of moved projects through ``core.signals.bulk_saved``.
    """

    def __init__(
        self,
        *,
        actor,
        references: References,
        codes: dict[str, int],
        national_codes: dict[str, tuple[int, str]],
        started: set[int],
    ) -> None:
        self.actor = actor
        self.references = references
        # Code → key and national code → (key, code) of the projects holding them, where a key
        # is a stored project's pk, or the id() of one created in this batch.
        self._codes = codes
        self._national_codes = national_codes
        self._started = started
        self.created: list[Project] = []
        self.updated: list[Project] = []
        self._fields: set[str] = set()  # what the edits write: the fields ``_resolve`` gives
        self._entries: list[AuditEntry] = []

    @classmethod
    def for_inputs(
        cls, *, actor, inputs: list[ProjectInput], projects: list[Project]
    ) -> ProjectBatch:
        """A batch for ``inputs``, of which some may edit ``projects`` (read with their region,
        category, industry chain and sector): eight queries."""
        codes = {(item.code or "").strip() for item in inputs} | {p.code for p in projects}
        nationals = {national_code_normalise(item.national_code or "") for item in inputs}
        nationals |= {p.national_code for p in projects}
        preparatory = [p.pk for p in projects if p.project_class == ProjectClass.PREPARATORY]
        return cls(
            actor=actor,
            references=References.for_projects(inputs),
            codes=dict(Project.objects.filter(code__in=codes).values_list("code", "pk")),
            national_codes={
                national: (pk, code)
                for national, pk, code in Project.objects.filter(
                    national_code__in=nationals - {""}
                ).values_list("national_code", "pk", "code")
            },
            started=set(
                StageEvent.objects.confirmed()
                .filter(project_id__in=preparatory, stage=Stage.STARTED)
                .values_list("project_id", flat=True)
            ),
        )

    @staticmethod
    def _key(project: Project) -> int:
        return project.pk if project.pk is not None else id(project)

    def _holder(self, exclude: int | None):
        def holder(code: str) -> str | None:
            held = self._national_codes.get(code)
            return None if held is None or held[0] == exclude else held[1]

        return holder

    def _take(self, project: Project, previous_national: str = "") -> None:
        key = self._key(project)
        self._codes[project.code] = key
        if previous_national and self._national_codes.get(previous_national, (None,))[0] == key:
            del self._national_codes[previous_national]
        if project.national_code:
            self._national_codes[project.national_code] = (key, project.code)

    def create(self, data: ProjectInput) -> Project:
        """What ``project_create`` checks; the project is written by ``save``."""
        actor = self.actor
        values, errors = _resolve(data, self.references)
        if refusal := _create_refusal(actor, values["region"]):
            raise refusal
        if not errors and values["code"] in self._codes:
            errors.update(_code_taken_errors(values["code"]))
        _check_national_code_free(values, errors, exclude_pk=None, holder=self._holder(None))
        if errors:
            raise ValidationError(errors)
        project = Project(**values, created_by=actor)
        self._take(project)
        self.created.append(project)
        self._entries.append(
            AuditEntry(AuditAction.CREATE, project, after=project_snapshot(project))
        )
        return project

    def update(self, project: Project, data: ProjectInput) -> Project:
        """What ``project_update`` checks, for ``project`` as read (and locked) by the caller;
        ``project`` itself takes the new values, written by ``save``."""
        if refusal := _edit_refusal(self.actor, project):
            raise refusal
        values, errors = _resolve(data, self.references)
        if refusal := _move_refusal(self.actor, project, values["region"]):
            raise refusal
        if not errors and self._codes.get(values["code"], project.pk) != project.pk:
            errors.update(_code_taken_errors(values["code"]))
        _check_national_code_free(
            values, errors, exclude_pk=project.pk, holder=self._holder(project.pk)
        )
        if _starts_without_start(project, values) and project.pk not in self._started:
            errors.update(_starts_without_start_errors())
        if errors:
            raise ValidationError(errors)
        before = project_snapshot(project)
        previous_national = project.national_code
        for name, value in values.items():
            setattr(project, name, value)
        self._fields.update(values)
        project.version += 1
        self._take(project, previous_national)
        self.updated.append(project)
        self._entries.append(
            AuditEntry(AuditAction.UPDATE, project, before=before, after=project_snapshot(project))
        )
        return project

    def save(self) -> None:
        """Write every project created or updated, with its audit event, in one transaction."""
        stamp = timezone.now()
        with transaction.atomic():
            Project.objects.bulk_create(self.created, batch_size=1000)
            for project in self.updated:
                project.updated_at = stamp
            if self.updated:
                Project.objects.bulk_update(
                    self.updated, [*sorted(self._fields), "version", "updated_at"], batch_size=1000
                )
            bulk_saved.send(sender=Project, instances=self.updated)
            audit_record_many(actor=self.actor, entries=self._entries)


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


def stage_event_snapshot(event: StageEvent) -> dict[str, Any]:
    return {
        "project": event.project.code,
        "stage": event.stage,
        "date": event.date.isoformat(),
        "note": event.note,
        "status": event.status,
        "evidence": event.evidence.name or "",
        "rejection_reason": event.rejection_reason,
    }


def _stage_event_link(event: StageEvent) -> str:
    return reverse("projects:detail", args=[event.project_id])


def _rederive_stage(*, actor, project: Project, events: list[StageEvent], event: StageEvent):
    """Set the project's current stage from its confirmed events and audit the step."""
    before_stage = project.stage
    project.stage = derive_stage([e for e in events if e.status == StageEventStatus.CONFIRMED])
    fields = ["stage", "updated_at"]
    # A 预备 project joins the year's 新开工 only through a confirmed 开工.
    if event.stage == Stage.STARTED and project.project_class == ProjectClass.PREPARATORY:
        project.project_class = ProjectClass.NEW
        fields.append("project_class")
    project.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=AuditAction.STAGE,
        obj=project,
        before={"stage": before_stage},
        after={
            "stage": project.stage,
            "event": event.stage,
            "date": event.date.isoformat(),
            "note": event.note,
        },
    )


def stage_reviewers(project: Project):
    """The people who confirm a stage claim of ``project``: its district's reviewers."""
    return users_with_role(roles=[Role.DISTRICT_REVIEWER], region=project.region)


def project_record_stage(
    *,
    actor,
    project: Project,
    stage: str,
    date: dt.date,
    note: str = "",
    evidence=None,
    verified: bool = False,
) -> StageEvent:
    """Record that the project reached ``stage`` on ``date``.

    签约, 开工, 竣工 and 投产 count toward city targets, so a filer's record of them is a claim
    (待核实) until the district reviewer confirms it; 开工 and 竣工 need a photo or document as
    evidence. 落地 and 停缓建 take effect at once. ``verified`` is for workflows that verified the
    event themselves (a won lead's 签约); it is audited like any other record. The current stage
    is re-derived from the confirmed events only."""
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
    pending = stage in VERIFIED_STAGES and not verified
    evidence_type, evidence_name = ("", "")
    if evidence is not None:
        evidence_type, evidence_name = evidence_check(evidence)

    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        events = list(locked.stage_events.standing())
        existing = next((e for e in events if e.stage == stage and stage != Stage.SUSPENDED), None)
        if existing is not None:
            if existing.status == StageEventStatus.PENDING:
                message = _("该项目 %(date)s 的%(stage)s记录正在等待核实。")
            else:
                message = _("该项目已于 %(date)s 记录%(stage)s。")
            raise ValidationError(
                {"stage": [message % {"date": existing.date, "stage": labels[stage]}]}
            )
        order_errors = _stage_order_errors(events, stage, date)
        if order_errors:
            raise ValidationError({"date": order_errors})
        if pending and stage in EVIDENCE_STAGES and evidence is None:
            raise ValidationError(
                {
                    "evidence": [
                        _("记录%(stage)s须上传现场照片或文件作为佐证材料。")
                        % {"stage": labels[stage]}
                    ]
                }
            )
        event = StageEvent(
            project=locked,
            stage=stage,
            date=date,
            note=(note or "").strip(),
            actor=actor,
            status=StageEventStatus.PENDING if pending else StageEventStatus.CONFIRMED,
            evidence_type=evidence_type,
        )
        if evidence is not None:
            event.evidence.save(evidence_name, evidence, save=False)
        event.save()
        if pending:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=event,
                after=stage_event_snapshot(event),
            )
            notify(
                recipients=stage_reviewers(locked),
                kind=NotificationKind.STAGE_CLAIMED,
                title=_("%(stage)s待核实：%(code)s %(name)s")
                % {"stage": labels[stage], "code": locked.code, "name": locked.name},
                body=_(
                    "%(who)s 记录项目“%(name)s”于 %(date)s %(stage)s，请核实佐证材料后确认或退回。"
                )
                % {"who": actor, "name": locked.name, "date": date, "stage": labels[stage]},
                link=_stage_event_link(event),
            )
        else:
            _rederive_stage(actor=actor, project=locked, events=[*events, event], event=event)
    project.stage = locked.stage
    return event


def _locked_pending(event: StageEvent) -> tuple[StageEvent, Project]:
    project = Project.objects.select_for_update().get(pk=event.project_id)
    locked = StageEvent.objects.select_for_update().get(pk=event.pk)
    if locked.status != StageEventStatus.PENDING:
        raise ValidationError(
            _("该阶段记录当前为“%(status)s”，不能再核实。")
            % {"status": locked.get_status_display()}
        )
    return locked, project


def stage_event_confirm(*, actor, event: StageEvent, note: str = "") -> StageEvent:
    """The district reviewer confirms a claim after checking its evidence: from now on it counts
    in indicators, monthly cells and lights, and the project's stage moves on."""
    if not actor.has_perm("projects.review_stage", event):
        raise audit_denied(
            actor=actor,
            obj=event,
            message=_("无权核实项目“%(code)s”的阶段记录。") % {"code": event.project.code},
        )
    with transaction.atomic():
        locked, project = _locked_pending(event)
        if locked.actor_id == actor.pk:
            raise ValidationError(_("不能核实自己提交的阶段记录，请由其他审核员核实。"))
        before = stage_event_snapshot(locked)
        locked.status = StageEventStatus.CONFIRMED
        locked.reviewed_by = actor
        locked.reviewed_at = now()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            before=before,
            after=stage_event_snapshot(locked),
            message=(note or "").strip(),
        )
        events = list(project.stage_events.confirmed())
        _rederive_stage(actor=actor, project=project, events=events, event=locked)
    event.status = locked.status
    return locked


def stage_event_reject(*, actor, event: StageEvent, reason: str) -> StageEvent:
    """The reviewer sends a claim back with a reason; the filer is told and may record it again."""
    if not actor.has_perm("projects.review_stage", event):
        raise audit_denied(
            actor=actor,
            obj=event,
            message=_("无权核实项目“%(code)s”的阶段记录。") % {"code": event.project.code},
        )
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": [_("退回须说明原因。")]})
    labels = dict(Stage.choices)
    with transaction.atomic():
        locked, project = _locked_pending(event)
        before = stage_event_snapshot(locked)
        locked.status = StageEventStatus.REJECTED
        locked.rejection_reason = text
        locked.reviewed_by = actor
        locked.reviewed_at = now()
        locked.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            before=before,
            after=stage_event_snapshot(locked),
            message=text,
        )
        notify(
            recipients=[locked.actor],
            kind=NotificationKind.STAGE_REJECTED,
            title=_("%(stage)s记录被退回：%(code)s %(name)s")
            % {"stage": labels[locked.stage], "code": project.code, "name": project.name},
            body=_("%(who)s 退回了 %(date)s 的%(stage)s记录，原因：%(reason)s")
            % {"who": actor, "date": locked.date, "stage": labels[locked.stage], "reason": text},
            link=_stage_event_link(locked),
            email=True,
        )
    event.status = locked.status
    return locked


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
        levels=tuple(project.levels),
        project_class=project.project_class,
        sector_code=snapshot["sector"],
        start_year=project.start_year,
        end_year=project.end_year,
        planned_start_month=project.planned_start_month,
        planned_completion_month=project.planned_completion_month,
        owner_uscc=project.owner_uscc,
        responsible_person=project.responsible_person,
        responsible_phone=project.responsible_phone,
        national_code=project.national_code,
        markers=project.markers,
    )


PROJECT_INPUT_FIELDS = tuple(f.name for f in fields(ProjectInput))


# ---------------------------------------------------------------------------------------------
# 督办 (supervision orders)


@dataclass(frozen=True)
class SupervisionInput:
    """What the issue form supplies. The target is a district code or a department code."""

    title: str
    content: str
    due_date: dt.date | None
    target_region_code: str = ""
    target_department_code: str = ""
    project_code: str = ""


def supervision_snapshot(supervision: Supervision) -> dict[str, Any]:
    return {
        "title": supervision.title,
        "target_region": supervision.target_region.code if supervision.target_region else "",
        "target_department": (
            supervision.target_department.code if supervision.target_department else ""
        ),
        "project": supervision.project.code if supervision.project else "",
        "due_date": supervision.due_date.isoformat(),
        "status": supervision.status,
        "escalation_level": supervision.escalation_level,
    }


def _supervision_target(data: SupervisionInput) -> tuple[Region | Department | None, list[str]]:
    region_code = (data.target_region_code or "").strip()
    department_code = (data.target_department_code or "").strip()
    if bool(region_code) == bool(department_code):
        if region_code:
            return None, [_("督办对象只能是一个县区或一个部门，不能同时选择。")]
        return None, [_("请选择督办对象（县区或部门）。")]
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            return None, [_("未知的县区代码“%(code)s”。") % {"code": region_code}]
        if region.kind not in (RegionKind.COUNTY, RegionKind.ZONE) or not region.is_reporting:
            return None, [
                _("督办对象须为参与填报的县（市、区）或功能区，“%(name)s”不可选。")
                % {"name": region.display_name}
            ]
        return region, []
    department = Department.objects.select_related("region").filter(code=department_code).first()
    if department is None:
        return None, [_("未知的部门代码“%(code)s”。") % {"code": department_code}]
    return department, []


def _supervision_recipients(supervision: Supervision):
    """The people who answer the order: the district's filers and reviewers, or the
    department's staff."""
    if supervision.target_department_id is not None:
        return users_with_role(
            roles=[Role.DEPARTMENT], department_id=supervision.target_department_id
        )
    return users_with_role(roles=DISTRICT_STAFF_ROLES, region=supervision.target_region)


def _supervision_link(supervision: Supervision) -> str:
    return reverse("projects:supervision_detail", args=[supervision.pk])


def supervision_issue(*, actor, data: SupervisionInput) -> Supervision:
    """Issue a 督办 order to a district or a department, due by a date; its staff are told."""
    target, target_errors = _supervision_target(data)
    if target is not None and not actor.has_perm("projects.issue_supervision", target):
        raise audit_denied(
            actor=actor, message=_("无权向“%(target)s”下达督办。") % {"target": target}
        )
    if target is None and not actor.has_perm("projects.issue_supervision", None):
        raise audit_denied(actor=actor, message=_("无权下达督办。"))
    errors: dict[str, list[str]] = {}
    if target_errors:
        errors["target"] = target_errors
    title = (data.title or "").strip()
    if not title:
        errors["title"] = [_("督办事项不能为空。")]
    elif len(title) > 200:
        errors["title"] = [_("督办事项最长 200 字。")]
    content = (data.content or "").strip()
    if not content:
        errors["content"] = [_("督办内容不能为空。")]
    if data.due_date is None:
        errors["due_date"] = [_("办理期限不能为空。")]
    elif data.due_date < today():
        errors["due_date"] = [
            _("办理期限 %(date)s 早于今天，请选择今天或以后的日期。") % {"date": data.due_date}
        ]
    project = None
    project_code = (data.project_code or "").strip()
    if project_code:
        project = Project.objects.select_related("region").filter(code=project_code).first()
        if project is None:
            errors["project"] = [_("未知的项目编号“%(code)s”。") % {"code": project_code}]
        elif isinstance(target, Region) and not target.contains(project.region):
            errors["project"] = [
                _("项目“%(code)s”不属于%(region)s。")
                % {"code": project.code, "region": target.name}
            ]
    if errors:
        raise ValidationError(errors)
    assert data.due_date is not None
    with transaction.atomic():
        supervision = Supervision.objects.create(
            title=title,
            content=content,
            target_region=target if isinstance(target, Region) else None,
            target_department=target if isinstance(target, Department) else None,
            project=project,
            issued_by=actor,
            issued_at=now(),
            due_date=data.due_date,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=supervision,
            after=supervision_snapshot(supervision),
        )
        notify(
            recipients=_supervision_recipients(supervision),
            kind=NotificationKind.SUPERVISION_ISSUED,
            title=_("督办：%(title)s") % {"title": title},
            body=_("%(issuer)s 下达督办，请于 %(due)s 前办理并回复。\n%(content)s")
            % {"issuer": actor, "due": f"{data.due_date:%Y-%m-%d}", "content": content},
            link=_supervision_link(supervision),
            email=True,
            sms=True,
        )
    return supervision


def _supervision_transition(
    *,
    actor,
    supervision: Supervision,
    allowed_from: tuple[str, ...],
    to_status: str,
    note: str,
    refusal: str,
    changes=None,
) -> Supervision:
    """Move an order between statuses under a row lock: a status-change row and an audit event."""
    with transaction.atomic():
        locked = (
            Supervision.objects.select_for_update(of=("self",))
            .select_related("target_region", "target_department", "project")
            .get(pk=supervision.pk)
        )
        if locked.status not in allowed_from:
            raise ValidationError(refusal % {"status": locked.get_status_display()})
        before = supervision_snapshot(locked)
        from_status = locked.status
        locked.status = to_status
        if changes is not None:
            changes(locked)
        locked.save()
        SupervisionStatusChange.objects.create(
            supervision=locked, from_status=from_status, to_status=to_status, actor=actor, note=note
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            before=before,
            after=supervision_snapshot(locked),
            message=note,
        )
    return locked


def supervision_respond(*, actor, supervision: Supervision, response: str) -> Supervision:
    """The district or department reports what it did; the issuer is told."""
    if not actor.has_perm("projects.respond_supervision", supervision):
        raise audit_denied(
            actor=actor,
            obj=supervision,
            message=_("无权回复督办“%(title)s”。") % {"title": supervision.title},
        )
    text = (response or "").strip()
    if not text:
        raise ValidationError({"response": [_("办理情况不能为空。")]})

    def record(locked: Supervision) -> None:
        locked.response = text
        locked.responded_by = actor
        locked.responded_at = now()

    with transaction.atomic():
        locked = _supervision_transition(
            actor=actor,
            supervision=supervision,
            allowed_from=SUPERVISION_AWAITING_REPLY,
            to_status=SupervisionStatus.RESPONDED,
            note=text,
            refusal=_("督办当前状态为“%(status)s”，不能回复。"),
            changes=record,
        )
        notify(
            recipients=[locked.issued_by],
            kind=NotificationKind.SUPERVISION_RESPONDED,
            title=_("督办已回复：%(title)s") % {"title": locked.title},
            body=_("%(who)s（%(target)s）回复：\n%(response)s")
            % {"who": actor, "target": locked.target, "response": text},
            link=_supervision_link(locked),
            email=True,
        )
    return locked


def supervision_close(*, actor, supervision: Supervision, note: str = "") -> Supervision:
    """The city side closes the order (办结), usually after reading the reply."""
    if not actor.has_perm("projects.close_supervision", supervision):
        raise audit_denied(
            actor=actor,
            obj=supervision,
            message=_("无权办结督办“%(title)s”。") % {"title": supervision.title},
        )
    text = (note or "").strip()
    with transaction.atomic():
        locked = _supervision_transition(
            actor=actor,
            supervision=supervision,
            allowed_from=(*SUPERVISION_AWAITING_REPLY, SupervisionStatus.RESPONDED),
            to_status=SupervisionStatus.CLOSED,
            note=text,
            refusal=_("督办当前状态为“%(status)s”，不能办结。"),
        )
        notify(
            recipients=_supervision_recipients(locked),
            kind=NotificationKind.SUPERVISION_CLOSED,
            title=_("督办已办结：%(title)s") % {"title": locked.title},
            body=text or _("%(who)s 已办结该督办。") % {"who": actor},
            link=_supervision_link(locked),
        )
    return locked


def escalation_region(supervision: Supervision) -> Region:
    """The level above the target: a district's parent (the city), a department's region."""
    if supervision.target_department_id is not None:
        assert supervision.target_department is not None
        return supervision.target_department.region
    assert supervision.target_region is not None and supervision.target_region.parent is not None
    return supervision.target_region.parent


def supervision_escalate_overdue(*, actor, today: dt.date) -> list[Supervision]:
    """Raise every open order past its due date to the next level, once: the status becomes
    escalated, the level goes up by one, the city's leaders and campaign office are told, and so
    are the issuer and the target. Orders already escalated, answered or closed are left alone."""
    if not actor.has_perm("projects.escalate_supervisions"):
        raise audit_denied(actor=actor, message=_("无权升级督办。"))
    due = list(
        Supervision.objects.filter(status=SupervisionStatus.OPEN, due_date__lt=today)
        .order_by("due_date", "id")
        .values_list("pk", flat=True)
    )
    escalated = []
    for pk in due:
        with transaction.atomic():
            locked = (
                Supervision.objects.select_for_update(of=("self",))
                .select_related(
                    "target_region__parent", "target_department__region", "issued_by", "project"
                )
                .get(pk=pk)
            )
            # Answered or escalated by someone else since the list was read.
            if locked.status != SupervisionStatus.OPEN or locked.due_date >= today:
                continue
            level_region = escalation_region(locked)
            days = (today - locked.due_date).days
            note = _("逾期 %(days)s 天未回复，升级至%(region)s领导督办。") % {
                "days": days,
                "region": level_region.display_name,
            }
            before = supervision_snapshot(locked)
            locked.status = SupervisionStatus.ESCALATED
            locked.escalation_level += 1
            locked.escalated_to_region = level_region
            locked.escalated_at = now()
            locked.save()
            SupervisionStatusChange.objects.create(
                supervision=locked,
                from_status=SupervisionStatus.OPEN,
                to_status=SupervisionStatus.ESCALATED,
                actor=actor,
                note=note,
            )
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=locked,
                before=before,
                after={**supervision_snapshot(locked), "escalated_to_region": level_region.code},
                message=note,
            )
            leaders = list(users_with_role(roles=LEADERSHIP_ROLES, covering=level_region))
            body = _("“%(target)s”的督办“%(title)s”办理期限为 %(due)s，%(note)s") % {
                "target": locked.target,
                "title": locked.title,
                "due": f"{locked.due_date:%Y-%m-%d}",
                "note": note,
            }
            notify(
                recipients=[*leaders, locked.issued_by, *_supervision_recipients(locked)],
                kind=NotificationKind.SUPERVISION_ESCALATED,
                title=_("督办逾期升级：%(title)s") % {"title": locked.title},
                body=body,
                link=_supervision_link(locked),
                email=True,
                sms=True,
            )
        escalated.append(locked)
    return escalated


# ---------------------------------------------------------------------------------------------
# 问题协调 (problems)


def problem_snapshot(problem: Problem) -> dict[str, Any]:
    return {
        "project": problem.project.code,
        "report": problem.report_id,
        "title": problem.title,
        "department": problem.department.code if problem.department else "",
        "due_date": problem.due_date.isoformat() if problem.due_date else None,
        "status": problem.status,
        "resolution": problem.resolution,
    }


def _problem_link(problem: Problem) -> str:
    return reverse("projects:problem_detail", args=[problem.pk])


def problem_raise(
    *,
    actor,
    project: Project,
    title: str,
    description: str,
    report: ProgressReport | None = None,
) -> Problem:
    """Raise a problem on a project (or in one of its monthly reports); the campaign office is
    told so that it can assign it to a department."""
    if not actor.has_perm("projects.raise_problem", project):
        raise audit_denied(
            actor=actor,
            obj=project,
            message=_("无权为项目“%(code)s”上报问题。") % {"code": project.code},
        )
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("问题不能为空。")]
    elif len(title) > 200:
        errors["title"] = [_("问题最长 200 字。")]
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("问题描述不能为空。")]
    if report is not None and report.project_id != project.pk:
        errors["report"] = [_("所选月报不是项目“%(code)s”的月报。") % {"code": project.code}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        problem = Problem.objects.create(
            project=project,
            report=report,
            title=title,
            description=description,
            raised_by=actor,
            raised_at=now(),
        )
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=problem, after=problem_snapshot(problem)
        )
        office = users_with_role(roles=[Role.CITY_ADMIN], covering=project.region).exclude(
            pk=actor.pk
        )
        notify(
            recipients=office,
            kind=NotificationKind.PROBLEM_RAISED,
            title=_("新问题待交办：%(code)s %(title)s") % {"code": project.code, "title": title},
            body=_("%(who)s 上报了项目“%(project)s”的问题：\n%(description)s")
            % {"who": actor, "project": project.name, "description": description},
            link=_problem_link(problem),
        )
    return problem


def problem_assign(
    *, actor, problem: Problem, department: Department | None, due_date: dt.date | None
) -> Problem:
    """Assign (or reassign) a problem to a department with a due date; its staff are told."""
    if not actor.has_perm("projects.assign_problem", problem):
        raise audit_denied(
            actor=actor,
            obj=problem,
            message=_("无权交办问题“%(title)s”。") % {"title": problem.title},
        )
    errors: dict[str, list[str]] = {}
    if department is None:
        errors["department"] = [_("请选择承办部门。")]
    if due_date is None:
        errors["due_date"] = [_("办结期限不能为空。")]
    elif due_date < today():
        errors["due_date"] = [
            _("办结期限 %(date)s 早于今天，请选择今天或以后的日期。") % {"date": due_date}
        ]
    if errors:
        raise ValidationError(errors)
    assert department is not None
    with transaction.atomic():
        locked = (
            Problem.objects.select_for_update(of=("self",))
            .select_related("project", "department")
            .get(pk=problem.pk)
        )
        if locked.status == ProblemStatus.RESOLVED:
            raise ValidationError(_("问题已解决，不能再交办；如需继续处理请先重新打开。"))
        before = problem_snapshot(locked)
        locked.department = department
        locked.due_date = due_date
        locked.assigned_by = actor
        locked.assigned_at = now()
        locked.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            before=before,
            after=problem_snapshot(locked),
        )
        notify(
            recipients=users_with_role(roles=[Role.DEPARTMENT], department_id=department.pk),
            kind=NotificationKind.PROBLEM_ASSIGNED,
            title=_("问题交办：%(code)s %(title)s")
            % {"code": locked.project.code, "title": locked.title},
            body=_("%(who)s 将项目“%(project)s”的问题交由%(department)s办理，请于 %(due)s 前办结。")
            % {
                "who": actor,
                "project": locked.project.name,
                "department": department.name,
                "due": f"{due_date:%Y-%m-%d}",
            },
            link=_problem_link(locked),
            email=True,
        )
    problem.department, problem.due_date = locked.department, locked.due_date
    return locked


def problem_update_status(*, actor, problem: Problem, status: str, note: str = "") -> Problem:
    """Move a problem to in progress or resolved (a resolution note is required), or reopen it;
    the person who raised it is told."""
    if not actor.has_perm("projects.update_problem_status", problem):
        raise audit_denied(
            actor=actor,
            obj=problem,
            message=_("无权更新问题“%(title)s”的状态。") % {"title": problem.title},
        )
    labels = dict(ProblemStatus.choices)
    if status not in labels:
        raise ValidationError({"status": [_("未知的状态“%(status)s”。") % {"status": status}]})
    text = (note or "").strip()
    if status == ProblemStatus.RESOLVED and not text:
        raise ValidationError({"resolution": [_("标为已解决须填写解决情况。")]})
    if problem.status == ProblemStatus.RESOLVED and not actor.has_perm(
        "projects.reopen_problem", problem
    ):
        raise audit_denied(
            actor=actor,
            obj=problem,
            message=_("问题“%(title)s”已解决，只有市级可以重新打开。") % {"title": problem.title},
        )
    with transaction.atomic():
        locked = (
            Problem.objects.select_for_update(of=("self",))
            .select_related("project", "department")
            .get(pk=problem.pk)
        )
        if locked.status == status:
            raise ValidationError(
                {"status": [_("问题已是“%(status)s”状态。") % {"status": labels[status]}]}
            )
        before = problem_snapshot(locked)
        from_status = locked.status
        locked.status = status
        if status == ProblemStatus.RESOLVED:
            locked.resolution = text
            locked.resolved_at = now()
        else:
            locked.resolved_at = None
        locked.save()
        ProblemStatusChange.objects.create(
            problem=locked, from_status=from_status, to_status=status, actor=actor, note=text
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            before=before,
            after=problem_snapshot(locked),
            message=text,
        )
        if locked.raised_by_id != actor.pk:
            notify(
                recipients=[locked.raised_by],
                kind=NotificationKind.PROBLEM_UPDATED,
                title=_("问题%(status)s：%(code)s %(title)s")
                % {"status": labels[status], "code": locked.project.code, "title": locked.title},
                body=text
                or _("%(who)s 将问题状态改为“%(status)s”。")
                % {"who": actor, "status": labels[status]},
                link=_problem_link(locked),
            )
    problem.status, problem.resolution = locked.status, locked.resolution
    return locked
