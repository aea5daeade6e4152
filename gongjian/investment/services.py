"""Writes to the investment pipeline. Each service checks permission, validates, writes and
audits; a refusal is audited before anything else happens and writes nothing.

The public form has no actor: ``lead_submit`` stores the submission first, in its own
transaction, and only then looks for duplicates, so nothing a company sent is lost to a later
failure.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Department
from gongjian.accounts.selectors import users_with_role
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.core import periods
from gongjian.core.locks import advisory_lock
from gongjian.core.money import CENT, MAX_PROJECT_INVESTMENT_WAN
from gongjian.core.periods import today
from gongjian.core.uscc import uscc_is_valid, uscc_normalise
from gongjian.investment import crypto
from gongjian.investment.choices import (
    CLOSED_STAGES,
    AreaUnit,
    FollowUpKind,
    LeadNeed,
    LeadSource,
    LeadStage,
    LostReason,
    MatchOutcome,
)
from gongjian.investment.dedup import company_key, lead_link_duplicates
from gongjian.investment.models import (
    Lead,
    LeadFollowUp,
    LeadStageChange,
    MatchProposal,
    Resource,
    area_in_m2,
)
from gongjian.investment.pipeline import next_stages, stage_requirements
from gongjian.notifications.choices import NotificationKind
from gongjian.notifications.services import notify
from gongjian.projects.choices import Stage
from gongjian.projects.models import IndustryChain, Project
from gongjian.projects.services import ProjectInput, project_create, project_record_stage
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region

logger = logging.getLogger(__name__)

PRIVACY_VERSION = "2022-1"
SIGNED_CATEGORY = "investment-signed"
MAX_AREA_M2 = Decimal(100_000_000)  # 10 km²: larger is a unit slip
MAX_TAX_WAN = Decimal(10_000_000)  # 1000 亿元 a year
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class RateLimited(ValidationError):
    """Too many submissions from one address; nothing was stored."""


@dataclass
class LeadInput:
    """What the public form (or staff, or the demo) supplies for a lead. References are codes."""

    company: str
    contact_name: str
    mobile: str
    need: str
    uscc: str = ""
    use: str = ""
    industry_chain_code: str = ""
    area: Decimal | None = None
    area_unit: str = AreaUnit.SQUARE_METRE
    expected_annual_tax: Decimal | None = None
    planned_investment: Decimal | None = None
    preferred_region_codes: list[str] = field(default_factory=list)
    message: str = ""
    consent: bool = False


def lead_snapshot(lead: Lead) -> dict[str, Any]:
    """The audited fields of a lead; the mobile number only masked, never in the clear."""

    def dec(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "reference": lead.reference,
        "company": lead.company,
        "uscc": lead.uscc,
        "mobile": lead.mobile_masked,
        "need": lead.need,
        "area": dec(lead.area),
        "area_unit": lead.area_unit,
        "planned_investment": dec(lead.planned_investment),
        "expected_annual_tax": dec(lead.expected_annual_tax),
        "region": lead.region.code,
        "department": lead.department.code if lead.department else "",
        "stage": lead.stage,
        "is_spam": lead.is_spam,
    }


# --- validation ---------------------------------------------------------------------------------


def _text(errors, name: str, value: str, label: str, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[name] = [_("请填写%(label)s。") % {"label": label}]
    elif len(text) > limit:
        errors[name] = [_("%(label)s最长 %(limit)s 字。") % {"label": label, "limit": limit}]
    return text


def _amount(errors, name: str, value: Decimal | None, label: str, limit: Decimal, unit: str):
    if value is None:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
        errors[name] = [_("%(label)s须为数字，最多两位小数。") % {"label": label}]
    elif value < 0:
        errors[name] = [_("%(label)s不能为负数。") % {"label": label}]
    elif value > limit:
        errors[name] = [
            _("%(label)s %(value)s %(unit)s超出合理范围，请检查单位。")
            % {"label": label, "value": value, "unit": unit}
        ]
    else:
        return value.quantize(CENT)
    return None


def lead_validate(data: LeadInput, *, require_consent: bool = True):
    """Check every value of a lead; returns (model field values, preferred regions, errors)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    values["company"] = _text(errors, "company", data.company, _("企业名称"), 200, True)
    values["contact_name"] = _text(errors, "contact_name", data.contact_name, _("联系人"), 64, True)
    uscc = uscc_normalise(data.uscc)
    if uscc and not uscc_is_valid(uscc):
        errors["uscc"] = [
            _("统一社会信用代码“%(code)s”校验不通过（应为 18 位，末位为校验码），可不填。")
            % {"code": uscc[:24]}
        ]
    values["uscc"] = uscc
    mobile = crypto.mobile_normalise(data.mobile)
    if not mobile:
        errors["mobile"] = [_("请填写手机号。")]
    elif not crypto.mobile_is_valid(mobile):
        errors["mobile"] = [
            _("手机号“%(mobile)s”不是有效的 11 位手机号码。") % {"mobile": mobile[:20]}
        ]
    values["mobile"] = mobile
    if data.need not in LeadNeed.values:
        errors["need"] = [_("请选择需求类型。")]
    values["need"] = data.need
    values["use"] = _text(errors, "use", data.use, _("用途"), 200, False)
    chain = None
    if (data.industry_chain_code or "").strip():
        chain = IndustryChain.objects.filter(
            code=data.industry_chain_code.strip(), is_active=True
        ).first()
        if chain is None:
            errors["industry_chain"] = [
                _("未知的行业“%(code)s”。") % {"code": data.industry_chain_code[:32]}
            ]
    values["industry_chain"] = chain
    if data.area_unit not in AreaUnit.values:
        errors["area_unit"] = [_("面积单位须为平方米或亩。")]
    values["area_unit"] = data.area_unit
    area = _amount(errors, "area", data.area, _("需求面积"), MAX_AREA_M2, "")
    if area is not None and area == 0:
        errors["area"] = [_("需求面积须大于 0。")]
        area = None
    values["area"] = area
    values["area_m2"] = area_in_m2(area, data.area_unit) if "area_unit" not in errors else None
    values["expected_annual_tax"] = _amount(
        errors,
        "expected_annual_tax",
        data.expected_annual_tax,
        _("预计年税收"),
        MAX_TAX_WAN,
        _("万元"),
    )
    values["planned_investment"] = _amount(
        errors,
        "planned_investment",
        data.planned_investment,
        _("计划投资"),
        MAX_PROJECT_INVESTMENT_WAN,
        _("万元"),
    )
    codes = list(dict.fromkeys(c.strip() for c in data.preferred_region_codes if c.strip()))
    regions = list(Region.objects.filter(code__in=codes, is_reporting=True))
    unknown = sorted(set(codes) - {r.code for r in regions})
    if unknown:
        errors["preferred_regions"] = [
            _("未知的意向县区“%(codes)s”。") % {"codes": "、".join(c[:16] for c in unknown)}
        ]
    values["message"] = _text(errors, "message", data.message, _("补充说明"), 2000, False)
    if require_consent and not data.consent:
        errors["consent"] = [_("请阅读并同意《个人信息处理说明》后再提交。")]
    return values, regions, errors


# --- intake -------------------------------------------------------------------------------------


def _new_reference(at: dt.datetime) -> str:
    suffix = "".join(secrets.choice(_REFERENCE_ALPHABET) for _position in range(6))
    return f"ZS{timezone.localtime(at):%y%m%d}-{suffix}"


def intake_department() -> Department | None:
    return Department.objects.filter(code=settings.LEAD_INTAKE_DEPARTMENT).first()


def _store(
    *,
    values: dict[str, Any],
    regions: list[Region],
    source: str,
    ip: str | None,
    is_spam: bool,
    created_at: dt.datetime,
    reference: str = "",
    consent: bool,
) -> Lead:
    """Write a validated lead with its owner (the intake department at its seat, or the city).

    The audit event carries no personal data beyond the masked number."""
    mobile = values.pop("mobile")
    department = intake_department()
    city = Region.objects.get(kind=RegionKind.CITY) if department is None else department.region
    for attempt in range(5):
        try:
            with transaction.atomic():
                lead = Lead.objects.create(
                    **values,
                    reference=reference or _new_reference(created_at),
                    company_key=company_key(values["company"]),
                    mobile_encrypted=crypto.encrypt(mobile) if mobile else "",
                    mobile_digest=crypto.mobile_digest(mobile) if mobile else "",
                    mobile_masked=crypto.mobile_mask(mobile) if mobile else "",
                    consent_at=created_at if consent else None,
                    privacy_version=PRIVACY_VERSION if consent else "",
                    source=source,
                    submitted_ip=ip,
                    is_spam=is_spam,
                    region=city,
                    department=department,
                    stage_changed_at=created_at,
                    created_at=created_at,
                )
                lead.preferred_regions.set(regions)
                audit_record(
                    actor=None,
                    username="public" if source == LeadSource.PUBLIC_FORM else source,
                    action=AuditAction.CREATE,
                    obj=lead,
                    after=lead_snapshot(lead),
                    message=_("疑似垃圾提交（隐藏字段被填写），已保存但不进入线索池。")
                    if is_spam
                    else "",
                )
            return lead
        except IntegrityError:
            if reference or attempt == 4:
                raise
    raise AssertionError("unreachable")


def submissions_in_last_hour(ip: str | None, now: dt.datetime) -> int:
    if not ip:
        return 0
    return Lead.objects.filter(submitted_ip=ip, created_at__gte=now - dt.timedelta(hours=1)).count()


def lead_submit(
    *, data: LeadInput, ip: str | None, honeypot: str = "", now: dt.datetime | None = None
) -> Lead:
    """Take a submission from the public form: check it, store it, then look for duplicates.

    A filled honeypot field marks the lead as spam; it is stored all the same (and answered like
    any other), so that nothing a person sent is lost without trace. More than the hourly limit
    from one address is refused with ``RateLimited`` and nothing is stored.
    """
    now = now or periods.now()
    limit = settings.LEAD_RATE_LIMIT_PER_HOUR
    with transaction.atomic():
        # Count and store under one lock per address: concurrent submissions queue here, so the
        # limit holds however many arrive at once (issue 14.6).
        advisory_lock(f"lead-submit:{ip or ''}")
        if submissions_in_last_hour(ip, now) >= limit:
            raise RateLimited(
                _("提交过于频繁：同一网络每小时最多提交 %(limit)s 次，请稍后再试。")
                % {"limit": limit}
            )
        values, regions, errors = lead_validate(data)
        if errors:
            raise ValidationError(errors)
        lead = _store(
            values=values,
            regions=regions,
            source=LeadSource.PUBLIC_FORM,
            ip=ip,
            is_spam=bool((honeypot or "").strip()),
            created_at=now,
            consent=True,
        )
    if not lead.is_spam:
        try:
            lead_link_duplicates(lead)
        except Exception:  # the lead is stored; the check can be run again (dedup_checked_at)
            logger.exception("duplicate check failed for lead %s", lead.reference)
        _notify_intake(lead)
    return lead


def _notify_intake(lead: Lead) -> None:
    """Tell the intake department's staff that a company has registered a need."""
    if lead.department_id is None:
        return
    notify(
        recipients=users_with_role(roles=[Role.DEPARTMENT], department_id=lead.department_id),
        kind=NotificationKind.LEAD_RECEIVED,
        title=_("新项目需求登记：%(company)s") % {"company": lead.company},
        body=_("登记编号 %(reference)s，需求：%(need)s。请在 3 个工作日内与企业联系。")
        % {"reference": lead.reference, "need": lead.get_need_display()},
        link=reverse("investment:lead_detail", args=[lead.pk]),
        email=True,
    )


# --- the pipeline -------------------------------------------------------------------------------


def _require(actor, perm: str, lead: Lead, message: str) -> None:
    if not actor.has_perm(perm, lead):
        raise audit_denied(actor=actor, obj=lead, message=message)


def _locked(lead: Lead) -> Lead:
    return (
        Lead.objects.select_for_update(of=("self",))
        .select_related("region", "department")
        .get(pk=lead.pk)
    )


def lead_add_follow_up(
    *, actor, lead: Lead, kind: str, occurred_on: dt.date, note: str, next_step: str = ""
) -> LeadFollowUp:
    """Record a contact with the company."""
    _require(
        actor,
        "investment.work_lead",
        lead,
        _("无权为线索“%(ref)s”记录对接。") % {"ref": lead.reference},
    )
    errors: dict[str, list[str]] = {}
    if kind not in FollowUpKind.values:
        errors["kind"] = [_("请选择对接方式。")]
    if occurred_on > today():
        errors["occurred_on"] = [
            _("对接日期 %(date)s 晚于今天，只能记录已发生的对接。") % {"date": occurred_on}
        ]
    text = _text(errors, "note", note, _("对接情况"), 2000, True)
    step = _text(errors, "next_step", next_step, _("下一步"), 200, False)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        follow_up = LeadFollowUp.objects.create(
            lead=lead, kind=kind, occurred_on=occurred_on, note=text, next_step=step, actor=actor
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=lead,
            after={"follow_up": kind, "date": occurred_on.isoformat(), "note": text},
            message=_("记录对接"),
        )
    return follow_up


def lead_assign(
    *, actor, lead: Lead, region_code: str = "", department_code: str = "", note: str = ""
) -> Lead:
    """Hand the lead to a district's team or to a department (the owning team or the city
    admin may)."""
    _require(
        actor,
        "investment.work_lead",
        lead,
        _("无权移交线索“%(ref)s”。") % {"ref": lead.reference},
    )
    region = department = None
    if bool(region_code) == bool(department_code):
        raise ValidationError({"team": [_("请选择一个承办县区或一个承办部门。")]})
    if region_code:
        region = Region.objects.filter(code=region_code, is_reporting=True).first()
        if region is None or region.kind == RegionKind.CITY:
            raise ValidationError(
                {"team": [_("未知的承办县区“%(code)s”。") % {"code": region_code[:16]}]}
            )
    else:
        department = (
            Department.objects.select_related("region").filter(code=department_code).first()
        )
        if department is None:
            raise ValidationError(
                {"team": [_("未知的承办部门“%(code)s”。") % {"code": department_code[:32]}]}
            )
        region = department.region
    if lead.stage in CLOSED_STAGES:
        raise ValidationError({"team": [_("线索已关闭，不能再移交。")]})
    with transaction.atomic():
        locked = _locked(lead)
        before = lead_snapshot(locked)
        locked.region = region
        locked.department = department
        locked.save(update_fields=["region", "department", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            before=before,
            after=lead_snapshot(locked),
            message=(note or "").strip()[:500] or _("移交承办"),
        )
    lead.region, lead.department = locked.region, locked.department
    return lead


def _project_code(lead: Lead, date: dt.date) -> str:
    return f"ZS{date.year}-{lead.region.code}-L{lead.pk:05d}"


def lead_convert_to_project(
    *, actor, lead: Lead, date: dt.date, project_code: str = "", project_name: str = ""
) -> Project:
    """Put the signed lead into the ledger: link the existing 招商签约 project ``project_code``
    (recording its 签约 if it has none), or create one with the lead's planned investment and
    record its 签约 on ``date``, so that 招商签约项目 and 招引资金 count it at once.

    Called inside ``lead_move_stage``'s transaction; permission is checked there.
    """
    if project_code:
        project = (
            Project.objects.visible_to(actor)
            .select_related("region", "category")
            .filter(code=project_code.strip())
            .first()
        )
        if project is None:
            raise ValidationError(
                {"project": [_("未找到项目“%(code)s”。") % {"code": project_code[:32]}]}
            )
        problems = []
        if project.category.code != SIGNED_CATEGORY:
            problems.append(_("只能关联招商签约项目。"))
        if project.region_id != lead.region_id:
            problems.append(_("项目所属区域与线索承办县区不一致。"))
        if Lead.objects.filter(project=project).exclude(pk=lead.pk).exists():
            problems.append(_("该项目已关联其他线索。"))
        if problems:
            raise ValidationError({"project": problems})
        if not project.stage_events.filter(stage=Stage.SIGNED).exists():
            project_record_stage(
                actor=actor,
                project=project,
                stage=Stage.SIGNED,
                date=date,
                note=lead.reference,
                verified=True,  # the lead's own pipeline is the evidence of the signing
            )
        return project
    assert lead.planned_investment is not None
    team = lead.department.name if lead.department else lead.region.name
    project = project_create(
        actor=actor,
        data=ProjectInput(
            code=_project_code(lead, date),
            name=(project_name or "").strip() or lead.project_name or f"{lead.company}项目",
            region_code=lead.region.code,
            category_code=SIGNED_CATEGORY,
            total_investment=lead.planned_investment,
            industry_chain_code=lead.industry_chain.code if lead.industry_chain else "",
            owner_enterprise=lead.company,
            responsible_unit=team,
            description=lead.use,
        ),
    )
    project_record_stage(
        actor=actor,
        project=project,
        stage=Stage.SIGNED,
        date=date,
        note=_("招商线索 %(ref)s 签约") % {"ref": lead.reference},
        verified=True,  # the lead's own pipeline is the evidence of the signing
    )
    return project


def lead_move_stage(
    *,
    actor,
    lead: Lead,
    to_stage: str,
    note: str = "",
    lost_reason: str = "",
    date: dt.date | None = None,
    project_code: str = "",
    project_name: str = "",
) -> Lead:
    """Move a lead to its next stage (or to 流失 with a reason) and log the move.

    签约 creates or links the signed project and records its 签约 on ``date``; 落地 records the
    project's 落地. Refused: audited, nothing written.
    """
    labels = dict(LeadStage.choices)
    if to_stage in (LeadStage.SIGNED, LeadStage.LANDED):
        _require(
            actor,
            "investment.sign_lead",
            lead,
            _("无权为线索“%(ref)s”办理%(stage)s：须由落地县区填报员或市项目办办理。")
            % {"ref": lead.reference, "stage": labels.get(to_stage, to_stage)},
        )
    else:
        _require(
            actor,
            "investment.work_lead",
            lead,
            _("无权变更线索“%(ref)s”的阶段。") % {"ref": lead.reference},
        )
    if to_stage not in LeadStage.values:
        raise ValidationError({"stage": [_("未知的阶段“%(stage)s”。") % {"stage": to_stage[:16]}]})
    date = date or today()
    if date > today():
        raise ValidationError(
            {"date": [_("日期 %(date)s 晚于今天，只能记录已发生的阶段。") % {"date": date}]}
        )
    with transaction.atomic():
        locked = _locked(lead)
        if to_stage not in next_stages(locked.stage):
            raise ValidationError(
                {
                    "stage": [
                        _("线索当前为“%(current)s”，不能转为“%(target)s”。")
                        % {"current": labels[locked.stage], "target": labels[to_stage]}
                    ]
                }
            )
        if to_stage == LeadStage.LOST and lost_reason not in LostReason.values:
            raise ValidationError({"lost_reason": [_("请选择流失原因。")]})
        missing = stage_requirements(locked, to_stage)
        if missing:
            raise ValidationError(
                {
                    "stage": [
                        _("转为“%(stage)s”前还需：%(missing)s。")
                        % {"stage": labels[to_stage], "missing": "；".join(missing)}
                    ]
                }
            )
        before = lead_snapshot(locked)
        from_stage = locked.stage
        if to_stage == LeadStage.SIGNED:
            locked.project = lead_convert_to_project(
                actor=actor,
                lead=locked,
                date=date,
                project_code=project_code,
                project_name=project_name,
            )
        elif to_stage == LeadStage.LANDED:
            assert locked.project is not None
            project_record_stage(
                actor=actor,
                project=locked.project,
                stage=Stage.LANDED,
                date=date,
                note=_("招商线索 %(ref)s 落地") % {"ref": locked.reference},
            )
        locked.stage = to_stage
        locked.stage_changed_at = periods.now()
        locked.lost_reason = lost_reason if to_stage == LeadStage.LOST else ""
        locked.save(
            update_fields=["stage", "stage_changed_at", "lost_reason", "project", "updated_at"]
        )
        text = (note or "").strip()[:2000]
        LeadStageChange.objects.create(
            lead=locked, from_stage=from_stage, to_stage=to_stage, note=text, actor=actor
        )
        after = lead_snapshot(locked)
        after.update(
            {
                "date": date.isoformat(),
                "lost_reason": locked.lost_reason,
                "project": locked.project.code if locked.project else "",
            }
        )
        audit_record(
            actor=actor,
            action=AuditAction.STAGE,
            obj=locked,
            before=before,
            after=after,
            message=text,
        )
    lead.stage, lead.project, lead.lost_reason = locked.stage, locked.project, locked.lost_reason
    lead.stage_changed_at = locked.stage_changed_at
    return lead


def lead_reveal_mobile(*, actor, lead: Lead) -> str:
    """The lead's full mobile number, for its owning team only; every reveal is audited."""
    _require(
        actor,
        "investment.reveal_mobile",
        lead,
        _("无权查看线索“%(ref)s”的完整手机号：仅承办团队可查看。") % {"ref": lead.reference},
    )
    number = crypto.decrypt(lead.mobile_encrypted)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=lead,
        message=_("查看完整手机号 %(masked)s") % {"masked": lead.mobile_masked},
    )
    return number


# --- matching proposals --------------------------------------------------------------------------


def match_propose(*, actor, lead: Lead, resource: Resource, note: str = "") -> MatchProposal:
    """Propose ``resource`` to the lead's company, keeping the fit score of the moment."""
    from gongjian.investment.matching import score_match

    _require(
        actor,
        "investment.work_lead",
        lead,
        _("无权为线索“%(ref)s”推荐载体。") % {"ref": lead.reference},
    )
    if MatchProposal.objects.filter(lead=lead, resource=resource).exists():
        raise ValidationError(
            {"resource": [_("已向该企业推荐过载体“%(code)s”。") % {"code": resource.code}]}
        )
    score = score_match(lead, resource, as_of=today()).total
    with transaction.atomic():
        proposal = MatchProposal.objects.create(
            lead=lead, resource=resource, score=score, note=(note or "").strip(), proposed_by=actor
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=lead,
            after={"proposal": resource.code, "score": score},
            message=_("推荐载体 %(code)s") % {"code": resource.code},
        )
    return proposal


def match_record_outcome(
    *, actor, proposal: MatchProposal, outcome: str, note: str = ""
) -> MatchProposal:
    _require(
        actor,
        "investment.work_lead",
        proposal.lead,
        _("无权记录线索“%(ref)s”的推荐结果。") % {"ref": proposal.lead.reference},
    )
    if outcome not in MatchOutcome.values or outcome == MatchOutcome.PROPOSED:
        raise ValidationError({"outcome": [_("请选择推荐结果。")]})
    with transaction.atomic():
        before = proposal.outcome
        proposal.outcome = outcome
        proposal.note = (note or "").strip() or proposal.note
        proposal.outcome_at = timezone.now()
        proposal.save(update_fields=["outcome", "note", "outcome_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=proposal.lead,
            before={"proposal": proposal.resource.code, "outcome": before},
            after={"proposal": proposal.resource.code, "outcome": outcome},
        )
    return proposal


# --- retention ----------------------------------------------------------------------------------


def leads_due_for_purge(*, now: dt.datetime, retention_days: int):
    """Closed leads (落地, 流失, and spam) closed more than ``retention_days`` ago and not yet
    anonymised."""
    cutoff = now - dt.timedelta(days=retention_days)
    closed = Lead.objects.filter(stage__in=CLOSED_STAGES) | Lead.objects.filter(is_spam=True)
    return closed.filter(purged_at__isnull=True, stage_changed_at__lt=cutoff)


def leads_purge(*, now: dt.datetime | None = None, retention_days: int | None = None) -> int:
    """Anonymise closed leads past retention: contact name, mobile (cipher, hash and mask), IP
    and free text are cleared; the company, figures and pipeline history stay. One audit event
    for the run."""
    now = now or periods.now()
    days = settings.LEAD_RETENTION_DAYS if retention_days is None else retention_days
    with transaction.atomic():
        due = leads_due_for_purge(now=now, retention_days=days)
        references = list(due.values_list("reference", flat=True))
        count = due.update(
            contact_name="",
            mobile_encrypted="",
            mobile_digest="",
            mobile_masked="",
            submitted_ip=None,
            message="",
            purged_at=now,
        )
        audit_record(
            actor=None,
            username="purge-leads",
            action=AuditAction.DELETE,
            after={"anonymised": count, "retention_days": days, "references": references[:1000]},
            message=_("匿名化已关闭线索 %(count)s 条（保留期 %(days)s 天）。")
            % {"count": count, "days": days},
        )
    return count


# --- key rotation -------------------------------------------------------------------------------


def pii_key_rotate(*, new_key: str, actor) -> int:
    """Re-encrypt every stored mobile number (and its lookup digest) under ``new_key``, in one
    transaction: either every lead moves to the new key or none does. A number that the current
    key cannot decrypt stops the rotation with nothing changed. Returns the leads re-encrypted.

    The server must then run with ``new_key`` (GONGJIAN_PII_KEY) before it stores another lead.
    """
    from cryptography.fernet import InvalidToken

    if not getattr(actor, "is_superuser", False):
        raise audit_denied(actor=actor, message=_("无权轮换个人信息密钥。"))
    problem = crypto.pii_key_problem(new_key)
    if problem is not None:
        raise ValidationError({"new_key": [problem]})
    if new_key == settings.PII_KEY:
        raise ValidationError({"new_key": [_("新密钥与当前密钥相同。")]})
    with transaction.atomic():
        leads = list(
            Lead.objects.select_for_update()
            .exclude(mobile_encrypted="")
            .only("pk", "reference", "mobile_encrypted", "mobile_digest")
            .order_by("pk")
        )
        for lead in leads:
            try:
                number = crypto.decrypt_strict(lead.mobile_encrypted)
            except InvalidToken:
                raise ValidationError(
                    _("线索 %(ref)s 的手机号无法用当前密钥解密，未做任何更改。")
                    % {"ref": lead.reference}
                ) from None
            lead.mobile_encrypted = crypto.encrypt(number, key=new_key)
            lead.mobile_digest = crypto.mobile_digest(number, key=new_key)
        Lead.objects.bulk_update(leads, ["mobile_encrypted", "mobile_digest"], batch_size=1000)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            message=_("轮换个人信息密钥：重新加密 %(count)s 条线索的手机号。")
            % {"count": len(leads)},
        )
    return len(leads)
