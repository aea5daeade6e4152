"""Reads for the home page and dashboards: grouped SQL over the user's scope, no Python loops
over rows.

The campaign dashboards read the campaign engine: one query for the targets and one grouped query
per indicator over the shown region's subtree, from which every card, sparkline, district value
of the map and ranking row is read. Nothing is cached, so the next read after a report is
approved or a stage date is recorded shows the new number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext as _

from gongjian.accounts.choices import Role
from gongjian.accounts.scopes import memberships_of, region_scope_q, regions_visible_to
from gongjian.audit.models import AuditEvent
from gongjian.audit.services import audit_denied
from gongjian.campaigns.choices import CAP_COMPARATORS, RATIO_KINDS, ProgressStatus
from gongjian.campaigns.engine import Evaluation
from gongjian.campaigns.models import Campaign, Indicator, SpecialAction, Target
from gongjian.campaigns.progress import TargetProgress, target_progress, time_elapsed
from gongjian.campaigns.selectors import evaluate_targets, target_list
from gongjian.core import formatting
from gongjian.core.periods import ElapsedBasis, month_end, month_start, months_between, year_elapsed
from gongjian.core.ranking import competition_ranks, ranking_value
from gongjian.projects.choices import UNRESOLVED_PROBLEM_STATUSES, Stage
from gongjian.projects.models import Category, Problem, Project
from gongjian.projects.selectors import STAGE_GROUPS, ProjectFilters, project_list
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region
from gongjian.regions.selectors import region_list_reporting
from gongjian.reporting.selectors import year_to_date

_NOT_STARTED = STAGE_GROUPS["not_started"][1]
_STARTED_OR_LATER = STAGE_GROUPS["started_or_later"][1]
_COMPLETED_OR_LATER = STAGE_GROUPS["completed_or_later"][1]

# Who gets the campaign dashboard as their home page: the city's staff and its leaders.
DASHBOARD_ROLES = frozenset({Role.CITY_ADMIN, Role.CITY_REVIEWER, Role.LEADER})

# The map's and ranking's default layer: every indicator at once (weighted points ahead/behind).
OVERALL = "overall"


def _stage_aggregates() -> dict:
    return {
        "count": Count("id"),
        "total_investment": Sum("total_investment"),
        "annual_plan": Sum("annual_plan"),
        "started": Count("id", filter=Q(stage__in=_STARTED_OR_LATER)),
        "completed": Count("id", filter=Q(stage__in=_COMPLETED_OR_LATER)),
        "suspended": Count("id", filter=Q(stage=Stage.SUSPENDED)),
        "not_started": Count("id", filter=Q(stage__in=_NOT_STARTED)),
    }


def home_summary(*, user) -> dict:
    """Totals over every project the user can see (one query)."""
    return Project.objects.visible_to(user).aggregate(**_stage_aggregates())


def home_by_region(*, user) -> list[dict]:
    """The same totals per district or zone (one grouped query)."""
    return list(
        Project.objects.visible_to(user)
        .values("region__code", "region__name", "region__name_en", "region__sort_order")
        .annotate(**_stage_aggregates())
        .order_by("region__sort_order", "region__code")
    )


def home_recent_activity(*, user, limit: int = 8) -> list[AuditEvent]:
    """The user's own latest writes, so they can pick up where they left off. Refused attempts
    are for auditors only (the audit log), never listed back to the person who made them."""
    return list(
        AuditEvent.objects.filter(actor=user)
        .exclude(action__in=["login", "logout", "login_failed", "denied"])
        .order_by("-at", "-id")[:limit]
    )


# ---------------------------------------------------------------------------------------------
# Campaign dashboards


def active_campaign() -> Campaign | None:
    """The running campaign the dashboards show: the latest active one."""
    return Campaign.objects.filter(is_active=True).order_by("-starts_on", "-id").first()


def sees_city_dashboard(user) -> bool:
    """City staff and leaders (a membership with a dashboard role at a region with districts)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(
        m.role in DASHBOARD_ROLES and m.region.kind in (RegionKind.CITY, RegionKind.PROVINCE)
        for m in memberships_of(user)
    )


def dashboard_region_get(*, user, code: str) -> Region:
    """A region the user covers, by code; 404 outside the scope (audited) or when unknown."""
    region = regions_visible_to(user).filter(code=code).first()
    if region is not None:
        return region
    outside = Region.objects.filter(code=code).first()
    if outside is not None:
        audit_denied(actor=user, obj=outside, message=_("访问范围之外的对象。"))
    raise Http404


@dataclass(frozen=True)
class Spark:
    """A target's monthly curve: cumulative values at each month's end through the as-of month,
    and the 序时 line the target asks for at each month's end (target × share of time)."""

    values: list[Decimal | None]
    plan: list[Decimal]


@dataclass(frozen=True)
class TargetCard:
    progress: TargetProgress
    spark: Spark

    @property
    def target(self) -> Target:
        return self.progress.target

    @property
    def has_started(self) -> bool:
        return self.progress.status != ProgressStatus.NOT_STARTED

    @property
    def bar_width(self) -> Decimal:
        """The progress bar's fill in percent, 0–100."""
        completion = self.progress.completion or Decimal(0)
        return min(max(completion * 100, Decimal(0)), Decimal(100)).quantize(Decimal("0.1"))

    @property
    def marker(self) -> Decimal:
        """Where the 序时进度 marker sits on the bar, in percent."""
        return (self.progress.time_elapsed * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ActionGroup:
    action: SpecialAction | None
    cards: list[TargetCard]


@dataclass(frozen=True)
class DistrictValue:
    """One unit below the shown region on the map and in the ranking, for one layer."""

    region: Region
    progress: TargetProgress | None  # its target of the layer's indicator; None without one
    score: Decimal | None  # what colours the map and orders the ranking (percent or points)
    rank: int | None = None


@dataclass(frozen=True)
class Layer:
    """What the map is coloured by and the ranking ordered by: one indicator (completion in
    percent) or every indicator together (OVERALL: points ahead or behind 序时进度, weighted)."""

    key: str
    label: str
    indicator: Indicator | None
    districts: list[DistrictValue]


@dataclass
class RegionDashboard:
    campaign: Campaign
    as_of: dt.date
    region: Region
    groups: list[ActionGroup]
    layer: Layer | None = None
    layers: list[tuple[str, str]] = field(default_factory=list)  # (key, label) to choose from
    status_counts: dict[str, int] = field(default_factory=dict)

    @property
    def cards(self) -> list[TargetCard]:
        return [card for group in self.groups for card in group.cards]


def _spark(progress: TargetProgress, evaluation: Evaluation) -> Spark:
    target = progress.target
    months = months_between(target.period_start, target.period_end)
    last = month_start(progress.as_of)
    code = target.region.code
    values: list[Decimal | None] = []
    plan: list[Decimal] = []
    is_ratio = evaluation.kind in RATIO_KINDS
    start = progress.baseline or Decimal(0) if is_ratio else Decimal(0)
    for month in months:
        share = time_elapsed(target, month_end(month))
        plan.append(start + (target.value - start) * share)
        if month > last or not evaluation.is_plotted(code, month):
            values.append(None)
        elif is_ratio:
            values.append(evaluation.rate(code, month))
        else:
            values.append(evaluation.total(code, target.period_start, month))
    return Spark(values=values, plan=plan)


def _progress_of(
    targets: list[Target], campaign: Campaign, as_of: dt.date
) -> list[tuple[TargetProgress, Evaluation]]:
    evaluations = evaluate_targets(targets, as_of=as_of) if targets else {}
    out = []
    for target in targets:
        green, yellow = target.thresholds()
        evaluation = evaluations[target.indicator_id]
        out.append(
            (
                target_progress(
                    target=target, evaluation=evaluation, as_of=as_of, green=green, yellow=yellow
                ),
                evaluation,
            )
        )
    return out


def _rank(values: list[DistrictValue], *, lower_is_better: bool = False) -> list[DistrictValue]:
    """Best score first (the highest, or for a cap indicator the lowest share used); ties share
    a rank; units without a score last and unranked."""

    def key(value: DistrictValue) -> Decimal | None:
        return ranking_value(value.score, lower_is_better=lower_is_better)

    scored = sorted(
        (v for v in values if v.score is not None),
        key=lambda v: (-(key(v) or 0), v.region.sort_order),
    )
    ranks = competition_ranks({v.region.code: key(v) for v in scored}, order=lambda code: 0)
    ranked = [
        DistrictValue(
            region=v.region, progress=v.progress, score=v.score, rank=ranks[v.region.code]
        )
        for v in scored
    ]
    rest = sorted((v for v in values if v.score is None), key=lambda v: v.region.sort_order)
    return ranked + rest


def _overall_score(items: list[TargetProgress]) -> Decimal | None:
    """Points ahead (+) or behind (−) 序时进度, averaged over a unit's running targets by their
    weights; None when none of its targets has started."""
    weighted = total = Decimal(0)
    for item in items:
        if item.ahead_points is None or item.as_of < item.target.period_start:
            continue
        weighted += item.ahead_points * item.target.weight
        total += item.target.weight
    if total == 0:
        return None
    return (weighted / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def region_dashboard(
    *, user, campaign: Campaign, region: Region, as_of: dt.date, layer: str = OVERALL
) -> RegionDashboard:
    """The campaign at ``region``: its targets as cards grouped by special action, and for a
    region with units below it, the map/ranking layer ``layer`` (an indicator code or OVERALL)
    over those units. One query for the targets, one grouped query per indicator, one for the
    units."""
    targets = list(
        target_list(campaign=campaign, user=user).filter(
            Q(region=region) | Q(region__parent=region)
        )
    )
    computed = _progress_of(targets, campaign, as_of)

    groups: list[ActionGroup] = []
    by_action: dict[int | None, list[TargetCard]] = {}
    below: dict[str, list[TargetProgress]] = {}
    for progress, evaluation in computed:
        target = progress.target
        if target.region_id != region.pk:
            below.setdefault(target.region.code, []).append(progress)
        # A target set for a unit below in its own right (晋江's 入园率 ≥ 60%), not allocated
        # from one of this region's, is a card here too.
        if target.region_id == region.pk or target.parent_id is None:
            cards = by_action.get(target.action_id)
            if cards is None:
                cards = by_action[target.action_id] = []
                groups.append(ActionGroup(action=target.action, cards=cards))
            cards.append(TargetCard(progress=progress, spark=_spark(progress, evaluation)))

    dashboard = RegionDashboard(campaign=campaign, as_of=as_of, region=region, groups=groups)
    counts = {status: 0 for status in ProgressStatus.values}
    for card in dashboard.cards:
        counts[card.progress.status] += 1
    dashboard.status_counts = counts
    if not below:
        return dashboard

    units = list(Region.objects.filter(parent=region).order_by("sort_order", "code"))
    indicators: dict[str, Indicator] = {}
    for progress, _evaluation in computed:
        if progress.target.region_id != region.pk:
            indicators.setdefault(progress.target.indicator.code, progress.target.indicator)
    dashboard.layers = [(OVERALL, _("综合（加权序时超欠）"))] + [
        (code, indicator.display_name) for code, indicator in indicators.items()
    ]
    if layer not in indicators:
        layer = OVERALL
    values = []
    for unit in units:
        items = below.get(unit.code, [])
        if layer == OVERALL:
            values.append(DistrictValue(region=unit, progress=None, score=_overall_score(items)))
            continue
        mine = next((i for i in items if i.target.indicator.code == layer), None)
        score = None
        if (
            mine is not None
            and mine.completion is not None
            and mine.as_of >= (mine.target.period_start)
        ):
            score = (mine.completion * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        values.append(DistrictValue(region=unit, progress=mine, score=score))
    label = dict(dashboard.layers)[layer]
    is_cap = any(
        v.progress is not None and v.progress.target.comparator in CAP_COMPARATORS for v in values
    )
    dashboard.layer = Layer(
        key=layer,
        label=label,
        indicator=indicators.get(layer),
        districts=_rank(values, lower_is_better=is_cap),
    )
    return dashboard


def _score_text(score: Decimal | None, *, overall: bool, short: bool = False) -> str:
    """A district's figure on the map: signed points for the overall layer (bare in the labels,
    whose legend says 百分点; with the unit in the tooltip), else a percentage."""
    if overall:
        return formatting.points(score, with_unit=not short)
    return formatting.percent(score)


def map_data(dashboard: RegionDashboard) -> dict:
    """The choropleth's data for the page's script: one item per unit, by its Chinese name (the
    GeoJSON's feature names), with the label and figures the tooltip shows."""
    layer = dashboard.layer
    if layer is None:
        return {}
    items = []
    for value in layer.districts:
        region = value.region
        progress = value.progress
        items.append(
            {
                "name": region.name,
                "code": region.code,
                "label": region.display_name,
                "value": None if value.score is None else float(value.score),
                # The label and the tooltip print these texts; ``value`` only picks the colour.
                "text": _score_text(value.score, overall=layer.key == OVERALL, short=True),
                "tooltip": _score_text(value.score, overall=layer.key == OVERALL),
                "rank": value.rank,
                "zone": region.kind == RegionKind.ZONE,
                "reporting": region.is_reporting,
                "status": progress.status if progress else "",
                "ahead": None
                if progress is None or progress.ahead_points is None
                else float(progress.ahead_points),
            }
        )
    return {
        "layer": layer.key,
        "label": layer.label,
        "overall": layer.key == OVERALL,
        "items": items,
    }


# ---------------------------------------------------------------------------------------------
# District page: lagging projects, this month's reporting and open problems


_DECIMAL: DecimalField = DecimalField(max_digits=20, decimal_places=6)
_ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))


def lagging_projects(
    *,
    user,
    region: Region,
    as_of: dt.date,
    behind_points: Decimal,
    basis: str = ElapsedBasis.DAYS,
    limit: int = 10,
    offset: int = 0,
) -> tuple[int, list[Project]]:
    """Projects under construction in ``region`` that report monthly and whose city-approved
    investment this year is more than ``behind_points`` below the year's 序时进度 of their annual
    plan, most behind first: one query for a page of ``limit`` rows from ``offset`` and the count
    (a second only for a page past the end). Each row carries
    ``ytd``, ``plan_completion`` (fraction) and ``behind_points``."""
    share = year_elapsed(as_of, basis=basis)
    threshold = share - behind_points / 100
    ytd = year_to_date(month_start(as_of))
    lagging = (
        Project.objects.visible_to(user)
        .filter(
            region__path__startswith=region.path,
            category__requires_monthly_report=True,
            stage=Stage.STARTED,
            annual_plan__gt=0,
        )
        .annotate(ytd=ytd)
        .filter(ytd__lt=F("annual_plan") * Value(threshold, output_field=_DECIMAL))
    )
    # One pass over the projects: the page, each row carrying how many projects lag in all (a
    # window count over the grouped rows), instead of a count and then the page.
    rows = list(
        lagging.select_related("region", "category")
        # Ordering only: SQLite would divide the decimals as text.
        .annotate(
            plan_share=Cast("ytd", FloatField()) / Cast("annual_plan", FloatField()),
            lagging_count=Window(Count("id")),
        )
        .order_by("plan_share", "code")[offset : offset + limit]
    )
    # A page past the end has no row to carry the count: counted apart.
    count = (
        rows[0].lagging_count  # type: ignore[attr-defined]
        if rows
        else (lagging.count() if offset else 0)
    )
    for project in rows:
        completion = Decimal(project.ytd) / project.annual_plan  # type: ignore[attr-defined]
        project.plan_completion = completion.quantize(Decimal("0.0001"), ROUND_HALF_UP)  # type: ignore[attr-defined]
        project.behind_points = ((share - completion) * 100).quantize(  # type: ignore[attr-defined]
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    return count, rows


def open_problems(*, user, region: Region, limit: int = 8) -> tuple[int, list[Problem]]:
    """Unresolved problems of ``region``'s projects the user may see, oldest first."""
    problems = Problem.objects.visible_to(user).filter(
        project__region__path__startswith=region.path, status__in=UNRESOLVED_PROBLEM_STATUSES
    )
    count = problems.count()
    rows = list(
        problems.select_related("project", "department").order_by("raised_at", "id")[:limit]
    )
    return count, rows


# ---------------------------------------------------------------------------------------------
# Project map


@dataclass(frozen=True)
class ProjectPoints:
    # [lng, lat, pk, code, name, stage, total investment in 亿元 (number, for the symbol's size),
    # the same as text with its unit]
    points: list[list]
    total: int  # projects matching the filters, with or without a location
    categories: QuerySet[Category]
    regions: list[Region]  # the districts and zones the user may pick, in official order


def project_points(*, user, category: str = "", stage: str = "", region: str = "") -> ProjectPoints:
    """Every project the user may see that matches the filters and has a location (one query for
    the points, one for the count)."""
    projects = project_list(
        user=user, filters=ProjectFilters(region=region, category=category, stage=stage)
    )
    located = projects.filter(longitude__isnull=False, latitude__isnull=False)
    hundred_million = Decimal(10000)
    points = [
        [
            float(lng or 0),  # never None: filtered above
            float(lat or 0),
            pk,
            code,
            name,
            project_stage,
            float((total / hundred_million).quantize(Decimal("0.01"))),
            formatting.money(total, "亿元"),
        ]
        for pk, code, name, lng, lat, project_stage, total in located.values_list(
            "pk", "code", "name", "longitude", "latitude", "stage", "total_investment"
        )
    ]
    return ProjectPoints(
        points=points,
        total=projects.count(),
        categories=Category.objects.order_by("sort_order"),
        regions=list(region_list_reporting().filter(region_scope_q(user, field=""))),
    )
