"""Writes of annual plans and light/board rules: permission-checked and audited here."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.accounts.choices import Role
from gongjian.accounts.scopes import has_any_role
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import AuditEntry, audit_denied, audit_record, audit_record_many
from gongjian.core.money import CENT, format_wan
from gongjian.plans.lights import rule_kinds
from gongjian.plans.models import AnnualPlan, LightRule, PlanChange
from gongjian.projects.models import Project


def _check_curve(curve: list[Any] | None) -> list[str]:
    if not curve:
        return []
    if len(curve) != 12:
        return [_("月度计划曲线须为 12 个月的累计百分比。")]
    try:
        points = [Decimal(str(point)) for point in curve]
    except ArithmeticError:
        return [_("月度计划曲线须为数字。")]
    if any(b < a for a, b in itertools.pairwise(points)) or points[-1] != 100:
        return [_("月度计划曲线须逐月不减，12 月为 100。")]
    return []


def plan_snapshot(plan: AnnualPlan) -> dict[str, Any]:
    return {
        "project": plan.project.code,
        "year": plan.year,
        "amount": str(plan.amount),
        "monthly_curve": plan.monthly_curve,
    }


def _check_plan_permission(actor, project: Project) -> None:
    if not actor.has_perm("projects.change_project", project):
        raise audit_denied(
            actor=actor,
            obj=project,
            message=_("无权修改项目“%(code)s”的年度计划。") % {"code": project.code},
        )


def annual_plan_errors(
    *,
    project: Project,
    year: int,
    amount: Decimal,
    effective_date: dt.date,
    reason: str,
    monthly_curve: list[Any] | None = None,
) -> dict[str, list[str]]:
    """Why a plan cannot be set as given, by field (empty when it can)."""
    errors: dict[str, list[str]] = {}
    if not amount.is_finite() or amount < 0:
        errors["amount"] = [_("年度计划投资不能为负数。")]
    elif amount.as_tuple().exponent < -2:  # type: ignore[operator]
        errors["amount"] = [_("年度计划投资最多保留两位小数（单位：万元）。")]
    elif amount > project.total_investment:
        errors["amount"] = [
            _("年度计划投资 %(plan)s 万元不能大于总投资 %(total)s 万元。")
            % {"plan": format_wan(amount), "total": format_wan(project.total_investment)}
        ]
    if effective_date.year != year:
        errors["effective_date"] = [
            _("生效日期 %(date)s 不在 %(year)s 年内。")
            % {"date": effective_date.isoformat(), "year": year}
        ]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请填写计划下达或调整的依据。")]
    curve_errors = _check_curve(monthly_curve)
    if curve_errors:
        errors["monthly_curve"] = curve_errors
    return errors


def annual_plan_set(
    *,
    actor,
    project: Project,
    year: int,
    amount: Decimal,
    effective_date: dt.date,
    reason: str,
    monthly_curve: list[Any] | None = None,
) -> AnnualPlan:
    """Set a project's plan for ``year`` from ``effective_date``: the first one (下达) or an
    adjustment (调整) with its reason. The plan in force before that date is unchanged, so
    progress at an earlier date reads the earlier plan. Same-day changes replace each other."""
    _check_plan_permission(actor, project)
    errors = annual_plan_errors(
        project=project,
        year=year,
        amount=amount,
        effective_date=effective_date,
        reason=reason,
        monthly_curve=monthly_curve,
    )
    if errors:
        raise ValidationError(errors)
    amount = amount.quantize(CENT)
    reason = (reason or "").strip()

    with transaction.atomic():
        plan = AnnualPlan.objects.select_for_update().filter(project=project, year=year).first()
        before = None if plan is None else plan_snapshot(plan)
        if plan is None:
            plan = AnnualPlan.objects.create(
                project=project,
                year=year,
                amount=amount,
                monthly_curve=monthly_curve or [],
                created_by=actor,
            )
        previous = (
            plan.changes.filter(effective_date__lt=effective_date)
            .order_by("-effective_date", "-id")
            .values_list("amount", flat=True)
            .first()
        )
        change = plan.changes.filter(effective_date=effective_date).first()
        if change is None:
            change = PlanChange(plan=plan, effective_date=effective_date)
        change.amount = amount
        change.previous = previous if previous is not None else Decimal(0)
        change.reason = reason
        change.actor = actor
        change.save()
        # A later change's "previous" is the amount it replaced: keep the chain of deltas whole.
        following = plan.changes.filter(effective_date__gt=effective_date).order_by(
            "effective_date", "id"
        )
        running = amount
        for later in following:
            if later.previous != running:
                later.previous = running
                later.save(update_fields=["previous"])
            running = later.amount
        plan.amount = running
        if monthly_curve is not None:
            plan.monthly_curve = monthly_curve
        plan.save(update_fields=["amount", "monthly_curve"])
        latest_year = project.annual_plans.order_by("-year").values_list("year", flat=True)[0]
        if year == latest_year:
            # The ledger's own column shows the latest year's plan, for lists and exports.
            Project.objects.filter(pk=project.pk).update(annual_plan=plan.amount)
            project.annual_plan = plan.amount
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            obj=plan,
            before=before,
            after=plan_snapshot(plan),
            message=_("%(date)s 起年度计划 %(amount)s 万元：%(reason)s")
            % {"date": effective_date.isoformat(), "amount": format_wan(amount), "reason": reason},
        )
    return plan


class PlanBatch:
    """``annual_plan_set`` for many projects' plans of one year (an import), set-based.

    ``set`` runs the single service's checks and raises what it would raise, and works out the
    same plan, dated change, chain of ``previous`` amounts and ledger column from the plans and
    changes read once for the batch (``for_projects``); ``save`` writes them all with their
    audit events in a few statements. A project created in the same batch of projects (not
    saved yet) has no plans; ``save`` must come after it is saved.
    """

    def __init__(
        self,
        *,
        actor,
        year: int,
        plans: dict[int, AnnualPlan],
        changes: dict[int, list[PlanChange]],
        latest_years: dict[int, int],
    ) -> None:
        self.actor = actor
        self.year = year
        self._plans = plans  # by project pk, this year's
        self._changes = changes  # by plan pk, in date order
        self._latest_years = latest_years  # by project pk
        self._new_plans: list[AnnualPlan] = []
        self._touched_plans: dict[int, AnnualPlan] = {}
        self._new_changes: list[PlanChange] = []
        self._touched_changes: dict[int, PlanChange] = {}
        self._projects: dict[int, Project] = {}
        self._entries: list[AuditEntry] = []

    @classmethod
    def for_projects(cls, *, actor, year: int, projects: list[Project]) -> PlanBatch:
        """A batch for plans of ``year`` of ``projects`` (and of new ones): three queries, the
        plans of ``year`` locked."""
        by_pk = {project.pk: project for project in projects if project.pk is not None}
        plans = {}
        for plan in (
            AnnualPlan.objects.select_for_update()
            .filter(project_id__in=list(by_pk), year=year)
            .order_by("pk")
        ):
            plan.project = by_pk[plan.project_id]
            plans[plan.project_id] = plan
        changes: dict[int, list[PlanChange]] = {plan.pk: [] for plan in plans.values()}
        for change in PlanChange.objects.filter(plan_id__in=list(changes)).order_by(
            "effective_date", "id"
        ):
            changes[change.plan_id].append(change)
        latest_years: dict[int, int] = {}
        for project_id, plan_year in AnnualPlan.objects.filter(
            project_id__in=list(by_pk)
        ).values_list("project_id", "year"):
            latest_years[project_id] = max(plan_year, latest_years.get(project_id, plan_year))
        return cls(actor=actor, year=year, plans=plans, changes=changes, latest_years=latest_years)

    def amount_of(self, project: Project) -> Decimal | None:
        """The amount of ``project``'s plan of the batch's year (None: it has none)."""
        plan = self._plans.get(project.pk) if project.pk is not None else None
        return None if plan is None else plan.amount

    def set(
        self, *, project: Project, amount: Decimal, effective_date: dt.date, reason: str
    ) -> AnnualPlan:
        """What ``annual_plan_set`` does for ``project``'s plan of the batch's year."""
        actor, year = self.actor, self.year
        _check_plan_permission(actor, project)
        errors = annual_plan_errors(
            project=project, year=year, amount=amount, effective_date=effective_date, reason=reason
        )
        if errors:
            raise ValidationError(errors)
        amount = amount.quantize(CENT)
        reason = (reason or "").strip()
        plan = self._plans.get(project.pk) if project.pk is not None else None
        before = None if plan is None else plan_snapshot(plan)
        if plan is None:
            plan = AnnualPlan(project=project, year=year, amount=amount, created_by=actor)
            self._new_plans.append(plan)
            changes: list[PlanChange] = []
            if project.pk is not None:
                self._plans[project.pk] = plan
        else:
            self._touched_plans[plan.pk] = plan
            changes = self._changes[plan.pk]
        earlier = [c for c in changes if c.effective_date < effective_date]
        change = next((c for c in changes if c.effective_date == effective_date), None)
        if change is None:
            change = PlanChange(plan=plan, effective_date=effective_date)
            changes.append(change)
            changes.sort(key=lambda c: c.effective_date)
            self._new_changes.append(change)
        elif change.pk is not None:
            self._touched_changes[change.pk] = change
        change.amount = amount
        change.previous = earlier[-1].amount if earlier else Decimal(0)
        change.reason = reason
        change.actor = actor
        # A later change's "previous" is the amount it replaced: keep the chain of deltas whole.
        running = amount
        for later in changes:
            if later.effective_date <= effective_date:
                continue
            if later.previous != running:
                later.previous = running
                if later.pk is not None:
                    self._touched_changes[later.pk] = later
            running = later.amount
        plan.amount = running
        latest = max(year, self._latest_years.get(project.pk, year)) if project.pk else year
        if year == latest:
            # The ledger's own column shows the latest year's plan, for lists and exports (a
            # project not saved yet takes it in its INSERT).
            project.annual_plan = plan.amount
            if project.pk is not None:
                self._projects[project.pk] = project
        self._entries.append(
            AuditEntry(
                AuditAction.CREATE if before is None else AuditAction.UPDATE,
                plan,
                before=before,
                after=plan_snapshot(plan),
                message=_("%(date)s 起年度计划 %(amount)s 万元：%(reason)s")
                % {
                    "date": effective_date.isoformat(),
                    "amount": format_wan(amount),
                    "reason": reason,
                },
            )
        )
        return plan

    def save(self) -> None:
        """Write every plan set, its changes, the ledger column and the audit events."""
        with transaction.atomic():
            AnnualPlan.objects.bulk_create(self._new_plans, batch_size=1000)
            AnnualPlan.objects.bulk_update(
                list(self._touched_plans.values()), ["amount"], batch_size=1000
            )
            PlanChange.objects.bulk_update(
                list(self._touched_changes.values()),
                ["amount", "previous", "reason", "actor"],
                batch_size=1000,
            )
            PlanChange.objects.bulk_create(self._new_changes, batch_size=1000)
            Project.objects.bulk_update(
                list(self._projects.values()), ["annual_plan"], batch_size=1000
            )
            audit_record_many(actor=self.actor, entries=self._entries)


def light_rule_snapshot(rule: LightRule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "kind": rule.kind,
        "color": rule.color,
        "threshold": None if rule.threshold is None else str(rule.threshold),
        "months": rule.months,
        "days": rule.days,
        "is_active": rule.is_active,
    }


def light_rule_update(
    *,
    actor,
    rule: LightRule,
    name: str,
    color: str,
    threshold: Decimal | None,
    months: int | None,
    days: int | None,
    is_active: bool,
) -> LightRule:
    """Edit a light rule (the campaign office only)."""
    if not has_any_role(actor, [Role.CITY_ADMIN]):
        raise audit_denied(actor=actor, obj=rule, message=_("只有市项目办可以修改亮灯规则。"))
    errors: dict[str, list[str]] = {}
    if rule.kind not in rule_kinds():
        errors["kind"] = [_("未知的规则类型“%(kind)s”。") % {"kind": rule.kind}]
    if color not in ("yellow", "red"):
        errors["color"] = [_("亮灯颜色须为黄灯或红灯。")]
    if threshold is not None and threshold < 0:
        errors["threshold"] = [_("阈值不能为负数。")]
    if not (name or "").strip():
        errors["name"] = [_("名称不能为空。")]
    if errors:
        raise ValidationError(errors)
    before = light_rule_snapshot(rule)
    rule.name = name.strip()
    rule.color = color
    rule.threshold = threshold
    rule.months = months
    rule.days = days
    rule.is_active = is_active
    with transaction.atomic():
        rule.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=rule,
            before=before,
            after=light_rule_snapshot(rule),
        )
    return rule
