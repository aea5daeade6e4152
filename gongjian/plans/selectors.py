"""Reads of annual plans and of progress against them: the plan in force at a date, a project's
investment in the year, the share of the year elapsed (序时进度) and the plan indicators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from gongjian.core.periods import ElapsedBasis, month_start, year_elapsed
from gongjian.plans.models import AnnualPlan, PlanChange
from gongjian.projects.choices import Stage
from gongjian.projects.models import LEVEL_FIELDS, Project, StageEvent
from gongjian.reporting.models import ProgressReport
from gongjian.reporting.selectors import year_to_date

_MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)
POINTS = Decimal("0.01")


def campaign_basis(as_of: dt.date) -> str:
    """The 序时进度 basis (by days or by months) of the campaign running at ``as_of``; by days
    (the core default) when none runs."""
    from gongjian.campaigns.models import Campaign

    campaign = (
        Campaign.objects.filter(starts_on__lte=as_of, ends_on__gte=as_of)
        .order_by("-starts_on")
        .first()
    )
    return campaign.elapsed_basis if campaign is not None else ElapsedBasis.DAYS


def plan_in_force(as_of: dt.date, plan_ref: str = "pk") -> Subquery:
    """The amount of the annual plan (``plan_ref`` an OuterRef name) in force at ``as_of``."""
    return Subquery(
        PlanChange.objects.filter(plan=OuterRef(plan_ref), effective_date__lte=as_of)
        .order_by("-effective_date", "-id")
        .values("amount")[:1],
        output_field=_MONEY,
    )


def year_plan_in_force(as_of: dt.date) -> Subquery:
    """For a Project queryset: its plan for ``as_of``'s year in force at ``as_of`` (None
    without a plan). A plan first set after ``as_of`` is not yet in force: None."""
    return Subquery(
        PlanChange.objects.filter(
            plan__project=OuterRef("pk"), plan__year=as_of.year, effective_date__lte=as_of
        )
        .order_by("-effective_date", "-id")
        .values("amount")[:1],
        output_field=_MONEY,
    )


def year_actual(as_of: dt.date) -> Coalesce:
    """For a Project queryset: the investment of its counted (city-approved) reports for the
    months of ``as_of``'s year up to ``as_of``'s month (``reporting.selectors.year_to_date``)."""
    return year_to_date(month_start(as_of))


def stage_reached(stage: str, as_of: dt.date) -> Exists:
    """For a Project queryset: whether it has reached ``stage`` on or before ``as_of``.

    The one test lights and plan indicators use for 开工/竣工/投产: only confirmed events count
    (a claim waiting for the district reviewer does not)."""
    return Exists(
        StageEvent.objects.confirmed().filter(project=OuterRef("pk"), stage=stage, date__lte=as_of)
    )


def planned_projects(year: int) -> QuerySet[Project]:
    """The projects on ``year``'s list: those with an annual plan for that year."""
    return Project.objects.filter(
        Exists(AnnualPlan.objects.filter(project=OuterRef("pk"), year=year))
    )


@dataclass(frozen=True)
class PlanFilters:
    """Filters shared by the plan indicators, the lights page and the ledger."""

    region_path: str = ""
    level: str = ""
    sector: str = ""
    project_class: str = ""
    responsible_unit: str = ""
    category: str = ""

    def apply(self, projects: QuerySet[Project]) -> QuerySet[Project]:
        if self.region_path:
            projects = projects.filter(region__path__startswith=self.region_path)
        if self.level in LEVEL_FIELDS:
            projects = projects.filter(**{LEVEL_FIELDS[self.level]: True})  # type: ignore[index]
        if self.sector:
            projects = projects.filter(sector__code=self.sector)
        if self.project_class:
            projects = projects.filter(project_class=self.project_class)
        if self.responsible_unit:
            projects = projects.filter(responsible_unit=self.responsible_unit)
        if self.category:
            projects = projects.filter(category__code=self.category)
        return projects


def with_plan_progress(projects: QuerySet[Project], as_of: dt.date) -> QuerySet[Project]:
    """Annotate ``plan_amount`` (in force at ``as_of``) and ``year_amount`` (done this year)."""
    return projects.annotate(plan_amount=year_plan_in_force(as_of), year_amount=year_actual(as_of))


def percent(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """numerator / denominator in percent to two places; None over nothing."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        POINTS, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class PlanIndicators:
    """完成年度计划投资率, 开工率 and 竣工率 over a set of projects at a date."""

    as_of: dt.date
    plan_total: Decimal
    actual_total: Decimal
    completion_rate: Decimal | None  # 完成年度计划投资率, %
    schedule: Decimal  # 序时进度, %
    ahead: Decimal | None  # completion − schedule, points (超序时 when positive)
    due_to_start: int
    started: int
    start_rate: Decimal | None  # 开工率, %
    due_to_complete: int
    completed: int
    completion_count_rate: Decimal | None  # 竣工率（投产率）, %


def plan_indicators(
    *, projects: QuerySet[Project], as_of: dt.date, basis: str | None = None
) -> PlanIndicators:
    """The plan indicators over ``projects`` (already scoped and filtered) at ``as_of``, pooled:
    Σ actual ÷ Σ plan in force; started ÷ due to start by ``as_of``'s month; completed (竣工 or
    投产) ÷ due to complete. The same computation as the engine's ``plan_ratio`` kind
    (``plan_ratio_projects`` and ``plan_ratio_parts``), so the lights page, the dashboard card
    and the campaign's targets agree. Three queries."""
    listed = projects.filter(
        Exists(AnnualPlan.objects.filter(project=OuterRef("pk"), year=as_of.year))
    )
    actual_total, plan_total = plan_ratio_parts(
        plan_ratio_projects(listed, measure="investment", end=as_of), measure="investment"
    )
    started, due_to_start = plan_ratio_parts(
        plan_ratio_projects(listed, measure="started", end=as_of), measure="started"
    )
    completed, due_to_complete = plan_ratio_parts(
        plan_ratio_projects(listed, measure="completed", end=as_of), measure="completed"
    )
    schedule = (year_elapsed(as_of, basis=basis or campaign_basis(as_of)) * 100).quantize(
        POINTS, rounding=ROUND_HALF_UP
    )
    rate = percent(actual_total, plan_total)
    return PlanIndicators(
        as_of=as_of,
        plan_total=plan_total,
        actual_total=actual_total,
        completion_rate=rate,
        schedule=schedule,
        ahead=None if rate is None else rate - schedule,
        due_to_start=int(due_to_start),
        started=int(started),
        start_rate=percent(started, due_to_start),
        due_to_complete=int(due_to_complete),
        completed=int(completed),
        completion_count_rate=percent(completed, due_to_complete),
    )


def project_plans(*, project: Project) -> list[AnnualPlan]:
    """A project's annual plans, newest year first, each with its dated changes."""
    return list(
        AnnualPlan.objects.filter(project=project)
        .prefetch_related("changes__actor")
        .order_by("-year")
    )


@dataclass(frozen=True)
class PlanSummary:
    """What a dashboard shows of the year's list: the plan indicators and the light counts."""

    indicators: PlanIndicators
    counts: dict[str, int]


def plan_summary(*, user, region_path: str, as_of: dt.date) -> PlanSummary:
    """The plan indicators and the light counts of the year's key projects under
    ``region_path`` that ``user`` sees."""
    from gongjian.plans.lights import light_counts, project_lights

    projects = planned_projects(as_of.year).filter(
        region__path__startswith=region_path,
        pk__in=Project.objects.visible_to(user).values("pk"),
    )
    return PlanSummary(
        indicators=plan_indicators(projects=projects, as_of=as_of),
        counts=light_counts(project_lights(projects=projects, as_of=as_of)),
    )


def _definition_projects(definition, root_path: str, year: int) -> QuerySet[Project]:
    """The year's listed projects under ``root_path`` that a plan_ratio definition covers."""
    projects = planned_projects(year).filter(region__path__startswith=root_path)
    if definition.levels:
        level_q = Q()
        for level in definition.levels:
            level_q |= Q(**{LEVEL_FIELDS[level]: True})  # type: ignore[index]
        projects = projects.filter(level_q)
    if definition.sectors:
        projects = projects.filter(sector__code__in=definition.sectors)
    if definition.classes:
        projects = projects.filter(project_class__in=definition.classes)
    if definition.categories:
        projects = projects.filter(category__code__in=definition.categories)
    return projects


def plan_ratio_stock(
    definition, *, root_path: str, root_depth: int, first: dt.date, end: dt.date
) -> dict[str, dict[dt.date, tuple[Decimal, Decimal]]]:
    """The engine's stock changes for a plan_ratio indicator: per region code (rolled up below
    the root) and month bucket, the change of (numerator, denominator), so that their running
    sums are the indicator's parts at each month end (or at ``end``). Plans of ``end``'s year.

    investment: reports (counted, month ≤ ``end``'s) add to the numerator in their month, plan
    changes effective by ``end`` add (amount − previous) to the denominator in their month;
    started/completed: a project due in month m adds 1 to the denominator in m, and 1 to the
    numerator in the later of m and the month it reached the stage (by ``end``). Months before
    ``first`` fold into the opening bucket (``date.min``)."""
    year = end.year
    projects = _definition_projects(definition, root_path, year)
    changes: list[tuple[str, dt.date, Decimal, Decimal]] = []
    if definition.measure == "investment":
        reports = (
            ProgressReport.objects.counted()
            .filter(
                project__in=projects,
                period__month__gte=dt.date(year, 1, 1),
                period__month__lte=month_start(end),
            )
            .values_list("project__region__path", "period__month")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        changes += [
            (path, month, total or Decimal(0), Decimal(0)) for path, month, total in reports
        ]
        plan_rows = PlanChange.objects.filter(
            plan__project__in=projects, plan__year=year, effective_date__lte=end
        ).values_list("plan__project__region__path", "effective_date", "amount", "previous")
        changes += [
            (path, month_start(day), Decimal(0), amount - previous)
            for path, day, amount, previous in plan_rows
        ]
    else:
        due_field = (
            "planned_start_month" if definition.measure == "started" else "planned_completion_month"
        )
        stages = (
            (Stage.STARTED,)
            if definition.measure == "started"
            else (Stage.COMPLETED, Stage.OPERATING)
        )
        reached = (
            StageEvent.objects.confirmed()
            .filter(project=OuterRef("pk"), stage__in=stages, date__lte=end)
            .order_by("date")
            .values("date")[:1]
        )
        rows = (
            projects.filter(
                **{f"{due_field}__gte": dt.date(year, 1, 1), f"{due_field}__lte": month_start(end)}
            )
            .annotate(reached_on=Subquery(reached))
            .values_list("region__path", due_field, "reached_on")
        )
        for path, due, reached_on in rows:
            changes.append((path, due, Decimal(0), Decimal(1)))
            if reached_on is not None:
                changes.append((path, max(due, month_start(reached_on)), Decimal(1), Decimal(0)))
    stock: dict[str, dict[dt.date, list[Decimal]]] = {}
    for path, month, numerator, denominator in changes:
        bucket = month if month >= first else dt.date.min
        for code in path.strip("/").split("/")[root_depth - 1 :]:
            cell = stock.setdefault(code, {}).setdefault(bucket, [Decimal(0), Decimal(0)])
            cell[0] += numerator
            cell[1] += denominator
    return {
        code: {bucket: (cell[0], cell[1]) for bucket, cell in buckets.items()}
        for code, buckets in stock.items()
    }


def plan_ratio_projects(
    projects: QuerySet[Project], *, measure: str, end: dt.date
) -> QuerySet[Project]:
    """The projects a plan ratio counts at ``end``: every one for the investment rate, those due
    by ``end``'s month for 开工率/竣工率; each annotated ``plan_amount``, ``year_amount`` and
    ``reached`` (the stage counted, by ``end``)."""
    if measure == "started":
        projects = projects.filter(
            planned_start_month__gte=dt.date(end.year, 1, 1),
            planned_start_month__lte=month_start(end),
        ).annotate(reached=stage_reached(Stage.STARTED, end))
    elif measure == "completed":
        projects = projects.filter(
            planned_completion_month__gte=dt.date(end.year, 1, 1),
            planned_completion_month__lte=month_start(end),
        ).annotate(
            reached=stage_reached(Stage.COMPLETED, end) | stage_reached(Stage.OPERATING, end)
        )
    return with_plan_progress(projects, end)


def plan_ratio_parts(rows: QuerySet[Project], *, measure: str) -> tuple[Decimal, Decimal]:
    """(numerator, denominator) of a plan ratio over ``plan_ratio_projects`` rows, one query:
    Σ year_amount and Σ plan in force, or reached and due."""
    if measure == "investment":
        totals = rows.aggregate(plan=Sum("plan_amount"), actual=Sum("year_amount"))
        return totals["actual"] or Decimal(0), totals["plan"] or Decimal(0)
    # Not ``reached=`` as the alias: it would shadow the annotation it counts (always 0).
    counts = rows.aggregate(due=Count("pk"), done=Count("pk", filter=Q(reached=True)))
    return Decimal(counts["done"]), Decimal(counts["due"])


def plan_ratio_rows(definition, *, root_path: str, end: dt.date) -> QuerySet[Project]:
    """The projects behind a plan_ratio value at ``end`` (drill-down): ``plan_ratio_projects``
    of the definition's projects under ``root_path``."""
    projects = _definition_projects(definition, root_path, end.year)
    return (
        plan_ratio_projects(projects, measure=definition.measure, end=end)
        .select_related("region")
        .order_by("region__sort_order", "code")
    )


def plan_ratio_rows_value(definition, rows: QuerySet[Project]) -> Decimal | None:
    """The pooled rate (percent) over drill-down rows: what the engine evaluates."""
    return percent(*plan_ratio_parts(rows, measure=definition.measure))


def _board_rows(groups: list[tuple[str, str, Decimal, Decimal]], size: int, *, best: bool):
    """Rank (name, detail, plan, actual) by completion rate, best or worst first."""
    from gongjian.bulletins.content import BoardRow

    rated = [
        (name, detail, plan, actual, percent(actual, plan))
        for name, detail, plan, actual in groups
        if plan > 0
    ]
    sign = -1 if best else 1
    rated.sort(key=lambda row: (sign * (row[4] or Decimal(0)), row[0]))
    return [
        BoardRow(rank=index, name=name, detail=detail, plan=plan, actual=actual, rate=rate)
        for index, (name, detail, plan, actual, rate) in enumerate(rated[:size], start=1)
    ]


def plan_bulletin_section(*, user, as_of: dt.date) -> Any:
    """The bulletin's section on the year's list: plan completion, lights, every red project
    with its responsible unit, and the 红黑榜 of the active board rules."""
    from gongjian.bulletins.content import Board, PlanSection, RedProjectRow
    from gongjian.plans.lights import light_counts, project_lights
    from gongjian.plans.models import BoardRule
    from gongjian.projects.models import Project as ProjectModel

    projects = planned_projects(as_of.year).filter(
        pk__in=ProjectModel.objects.visible_to(user).values("pk")
    )
    if not projects.exists():
        return None  # no list for the year: the bulletin has no such section
    indicators = plan_indicators(projects=projects, as_of=as_of)
    lights = project_lights(projects=projects, as_of=as_of)
    counts = light_counts(lights)
    rows: list[Any] = list(
        with_plan_progress(projects, as_of)
        .select_related("region")
        .order_by("region__sort_order", "code")
    )
    red_projects = [
        RedProjectRow(
            code=project.code,
            name=project.name,
            region=project.region.name,
            responsible_unit=project.responsible_unit or "—",
            reasons=lights[project.pk].reason_texts(),
        )
        for project in rows
        if lights[project.pk].color == "red"
    ]
    boards = []
    for rule in BoardRule.objects.filter(is_active=True):
        eligible = [p for p in rows if (getattr(p, "plan_amount", None) or 0) >= rule.minimum_plan]
        groups: list[tuple[str, str, Decimal, Decimal]]
        if rule.subject == "project":
            groups = [
                (p.name, p.region.name, p.plan_amount or Decimal(0), p.year_amount)
                for p in eligible
            ]
        else:
            pooled: dict[str, list[Decimal]] = {}
            for p in eligible:
                if rule.subject == "region":
                    key = p.region.name
                else:
                    key = p.responsible_unit
                    keywords = [w for w in rule.unit_keywords.split("、") if w]
                    if not key or (keywords and not any(w in key for w in keywords)):
                        continue
                cell = pooled.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
                cell[0] += p.plan_amount or 0
                cell[1] += p.year_amount
                cell[2] += 1
            groups = [
                (name, _count_text(int(cell[2])), cell[0], cell[1]) for name, cell in pooled.items()
            ]
        boards.append(
            Board(
                name=rule.name,
                subject=rule.subject,
                red=_board_rows(groups, rule.size, best=True),
                black=_board_rows(groups, rule.size, best=False),
            )
        )
    return PlanSection(
        year=as_of.year,
        project_count=len(rows),
        plan_total=indicators.plan_total,
        actual_total=indicators.actual_total,
        completion_rate=indicators.completion_rate,
        schedule=indicators.schedule,
        ahead=indicators.ahead,
        start_rate=indicators.start_rate,
        started=indicators.started,
        due_to_start=indicators.due_to_start,
        completion_count_rate=indicators.completion_count_rate,
        completed=indicators.completed,
        due_to_complete=indicators.due_to_complete,
        red=counts["red"],
        yellow=counts["yellow"],
        green=counts["green"],
        red_projects=red_projects,
        boards=boards,
    )


def _count_text(count: int) -> str:
    from django.utils.translation import gettext as _

    return _("%(count)s个项目") % {"count": count}
