"""Project lights (红黄绿灯): computed live from rules that are data.

A rule (``LightRule``) names a ``kind``; each kind is an evaluator registered here. An evaluator
answers, for a set of projects at a date, the projects the rule fires for and the reason for
each, in one or two queries whatever the number of projects. A project's light is the worst
colour of the rules that fire for it (green when none does), and it carries every reason.

Other apps contribute kinds the same way the built-in ones below do, from their AppConfig.ready::

    from gongjian.plans.lights import RuleKind, register_rule_kind

    def milestone_overdue(*, rule, projects, as_of):
        # projects: a Project queryset (already scoped and filtered); return {project_id: reason}
        ...

    register_rule_kind(RuleKind(code="milestone_overdue", label=_("前期工作节点逾期"),
                                evaluate=milestone_overdue))

and add their default ``LightRule`` rows (kind=that code, colour, threshold/months/days) in a
data migration; city_admin then edits them like the built-in ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.core import formatting
from gongjian.core.periods import add_months, month_start, time_elapsed
from gongjian.plans.choices import COLOR_SEVERITY, LightColor
from gongjian.plans.models import AnnualPlan, LightRule
from gongjian.plans.selectors import (
    campaign_basis,
    stage_reached,
    with_plan_progress,
)
from gongjian.projects.choices import ProjectClass, Stage
from gongjian.projects.models import Project
from gongjian.reporting.models import ProgressReport

Evaluator = Callable[..., dict[int, str]]


@dataclass(frozen=True)
class RuleKind:
    """A kind of light rule: its code (``LightRule.kind``), label and evaluator.

    ``evaluate(*, rule, projects, as_of)`` returns {project id: reason text} for the projects
    in ``projects`` the rule fires for. ``parameters`` names the LightRule fields it reads.

    A kind whose rules differ only in their parameters (10 points behind → yellow, 30 → red)
    gives ``prepare(*, projects, as_of)``: it reads what every rule of the kind needs once per
    evaluation, and ``evaluate`` then receives it as ``prepared=`` for each rule."""

    code: str
    label: str | Promise
    evaluate: Evaluator
    parameters: tuple[str, ...] = ()
    prepare: Callable[..., Any] | None = None


_KINDS: dict[str, RuleKind] = {}


def register_rule_kind(kind: RuleKind) -> None:
    """Make ``kind`` available to light rules (idempotent for the same code)."""
    _KINDS[kind.code] = kind


def rule_kinds() -> dict[str, RuleKind]:
    return dict(_KINDS)


@dataclass(frozen=True)
class LightReason:
    rule: str  # LightRule.code
    color: str
    text: str


@dataclass
class Light:
    """A project's light at a date and why."""

    color: str = LightColor.GREEN
    reasons: list[LightReason] = field(default_factory=list)

    def add(self, reason: LightReason) -> None:
        self.reasons.append(reason)
        if COLOR_SEVERITY[LightColor(reason.color)] > COLOR_SEVERITY[LightColor(self.color)]:
            self.color = reason.color

    def reason_texts(self) -> list[str]:
        return [reason.text for reason in self.reasons]


def project_lights(*, projects: QuerySet[Project], as_of: dt.date) -> dict[int, Light]:
    """The light of every project in ``projects`` at ``as_of``, by project id.

    Rules of one kind with several colours (10 points behind → yellow, 30 → red) report the
    reason of the worst one that fires only."""
    lights: dict[int, Light] = {pk: Light() for pk in projects.values_list("pk", flat=True)}
    if not lights:
        return lights
    fired: dict[tuple[int, str], tuple[int, LightReason]] = {}
    prepared: dict[str, Any] = {}
    for rule in LightRule.objects.filter(is_active=True):
        kind = _KINDS.get(rule.kind)
        if kind is None:
            continue  # a rule of an app that is not installed
        if kind.prepare is None:
            results = kind.evaluate(rule=rule, projects=projects, as_of=as_of)
        else:
            if kind.code not in prepared:  # once for all the rules of the kind
                prepared[kind.code] = kind.prepare(projects=projects, as_of=as_of)
            results = kind.evaluate(
                rule=rule, projects=projects, as_of=as_of, prepared=prepared[kind.code]
            )
        for pk, text in results.items():
            if pk not in lights:
                continue
            severity = COLOR_SEVERITY[LightColor(rule.color)]
            key = (pk, rule.kind)
            if key not in fired or fired[key][0] < severity:
                fired[key] = (severity, LightReason(rule=rule.code, color=rule.color, text=text))
    for (pk, _kind), (_severity, reason) in sorted(
        fired.items(), key=lambda item: (item[0][0], -item[1][0], item[1][1].rule)
    ):
        lights[pk].add(reason)
    return lights


def light_counts(lights: dict[int, Light]) -> dict[str, int]:
    counts = {LightColor.RED.value: 0, LightColor.YELLOW.value: 0, LightColor.GREEN.value: 0}
    for light in lights.values():
        counts[str(light.color)] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# Built-in kinds


KIND_BEHIND_SCHEDULE = "behind_schedule"
KIND_START_OVERDUE = "start_overdue"
KIND_NO_REPORT = "no_approved_report"


@dataclass(frozen=True)
class ScheduleRow:
    """A project's annual-plan completion against its 序时进度 at a date, in percent."""

    plan: Decimal
    actual: Decimal
    rate: Decimal
    behind: Decimal  # 序时进度 − rate, points


def _schedule_rows(*, projects: QuerySet[Project], as_of: dt.date) -> dict[int, ScheduleRow]:
    """Every planned project's completion and lag behind 序时进度 at ``as_of``: two queries
    whatever the number of projects and of behind-schedule rules."""
    basis = campaign_basis(as_of)
    year_start, year_end = dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31)
    even = time_elapsed(year_start, year_end, as_of, basis=basis) * 100
    curves = dict(
        AnnualPlan.objects.filter(project__in=projects, year=as_of.year)
        .exclude(monthly_curve=[])
        .values_list("project_id", "monthly_curve")
    )
    annotated: QuerySet[Any] = with_plan_progress(projects, as_of)
    rows = annotated.filter(plan_amount__gt=0).values_list("pk", "plan_amount", "year_amount")
    out: dict[int, ScheduleRow] = {}
    for pk, plan, actual in rows:
        schedule = even
        if pk in curves:
            # The project's own monthly plan curve (cumulative %) is its 序时进度.
            curve = [Decimal(str(point)) / 100 for point in curves[pk]]
            schedule = time_elapsed(year_start, year_end, as_of, basis=basis, curve=curve) * 100
        rate = Decimal(actual) * 100 / Decimal(plan)
        out[pk] = ScheduleRow(plan=plan, actual=actual, rate=rate, behind=schedule - rate)
    return out


def _behind_schedule(
    *,
    rule: LightRule,
    projects: QuerySet[Project],
    as_of: dt.date,
    prepared: dict[int, ScheduleRow] | None = None,
):
    """Annual-plan completion behind 序时进度 by more than ``threshold`` points."""
    threshold = rule.threshold if rule.threshold is not None else Decimal(10)
    if prepared is None:
        prepared = _schedule_rows(projects=projects, as_of=as_of)
    out: dict[int, str] = {}
    for pk, row in prepared.items():
        if row.behind > threshold:
            out[pk] = _(
                "完成年度计划投资 %(rate)s（%(actual)s / %(plan)s），落后序时进度 %(behind)s"
            ) % {
                "rate": formatting.percent(row.rate),
                "actual": formatting.money(row.actual),
                "plan": formatting.money(row.plan),
                "behind": formatting.points(row.behind, signed=False),
            }
    return out


def _start_overdue(*, rule: LightRule, projects: QuerySet[Project], as_of: dt.date):
    """The planned start month has passed (ended before ``as_of``'s month) without 开工."""
    rows = (
        projects.filter(planned_start_month__lt=month_start(as_of))
        .exclude(stage_reached(Stage.STARTED, as_of))
        .values_list("pk", "planned_start_month")
    )
    return {
        pk: _("计划 %(month)s 开工，至今未开工") % {"month": month.strftime("%Y-%m")}
        for pk, month in rows
        if month is not None
    }


def _no_approved_report(*, rule: LightRule, projects: QuerySet[Project], as_of: dt.date):
    """A project under construction (started, not completed by ``as_of``) with no approved
    monthly report for the last ``months`` months before ``as_of``'s month (that month's
    report is not due yet)."""
    months = rule.months or 2
    last = add_months(month_start(as_of), -1)
    first = add_months(last, -(months - 1))
    recent = ProgressReport.objects.counted().filter(
        project=OuterRef("pk"), period__month__gte=first, period__month__lte=last
    )
    rows = (
        projects.filter(category__requires_monthly_report=True)
        .filter(stage_reached(Stage.STARTED, as_of))
        .exclude(stage_reached(Stage.COMPLETED, as_of))
        .exclude(project_class=ProjectClass.PREPARATORY)
        .exclude(Exists(recent))
        .values_list("pk", flat=True)
    )
    text = _("%(first)s 至 %(last)s 连续 %(months)s 个月无审核通过的月报") % {
        "first": first.strftime("%Y-%m"),
        "last": last.strftime("%Y-%m"),
        "months": months,
    }
    return dict.fromkeys(rows, text)


register_rule_kind(
    RuleKind(
        code=KIND_BEHIND_SCHEDULE,
        label=gettext_lazy("年度计划完成落后序时进度"),
        evaluate=_behind_schedule,
        parameters=("threshold",),
        prepare=_schedule_rows,
    )
)
register_rule_kind(
    RuleKind(
        code=KIND_START_OVERDUE,
        label=gettext_lazy("计划开工月份已过未开工"),
        evaluate=_start_overdue,
    )
)
register_rule_kind(
    RuleKind(
        code=KIND_NO_REPORT,
        label=gettext_lazy("连续无审核通过月报"),
        evaluate=_no_approved_report,
        parameters=("months",),
    )
)


def lights_json(*, projects: QuerySet[Project], as_of: dt.date) -> dict[str, Any]:
    """The lights as ``gongjian project-lights --format json`` prints them."""
    lights = project_lights(projects=projects, as_of=as_of)
    rows = projects.select_related("region").order_by("region__sort_order", "code")
    return {
        "as_of": as_of.isoformat(),
        "counts": light_counts(lights),
        "projects": [
            {
                "code": project.code,
                "name": project.name,
                "region_code": project.region.code,
                "light": str(lights[project.pk].color),
                "reasons": lights[project.pk].reason_texts(),
            }
            for project in rows
        ],
    }


__all__ = [
    "KIND_BEHIND_SCHEDULE",
    "KIND_NO_REPORT",
    "KIND_START_OVERDUE",
    "Light",
    "LightReason",
    "RuleKind",
    "light_counts",
    "lights_json",
    "project_lights",
    "register_rule_kind",
    "rule_kinds",
]
