"""Reads: campaigns, targets, and every target's progress at an as-of date (``campaign_progress``).

Who sees which targets: ``Target.objects.visible_to(user)`` — the targets of the regions a user
covers and of the regions above them. A district sees its own targets and the city's (whose
numbers are the city totals it contributes to, as the bulletins publish them), never another
district's. City roles see every target of the city.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from gongjian.accounts.scopes import memberships_of, region_scope_q
from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.campaigns import cache
from gongjian.campaigns.choices import (
    CAP_COMPARATORS,
    RATIO_KINDS,
    IndicatorUnit,
    ProgressStatus,
)
from gongjian.campaigns.definitions import (
    SOURCE_REPORTS,
    SOURCE_STAGE_EVENTS,
    definition_describe,
    definition_parse,
)
from gongjian.campaigns.engine import Evaluation, drilldown, drilldown_value, evaluate_path
from gongjian.campaigns.models import (
    Campaign,
    Indicator,
    IndicatorCell,
    LeadingGroupMember,
    SpecialAction,
    Target,
)
from gongjian.campaigns.progress import (
    HISTORY_YEARS,
    TargetProgress,
    pool_path,
    quantize_value,
    target_progress,
    time_elapsed,
)
from gongjian.core import formatting
from gongjian.core.keyset import KeysetPage, Paging, keyset_page
from gongjian.core.periods import add_months, month_end, month_start, months_between
from gongjian.regions.models import Region


def campaign_get(*, code: str) -> Campaign:
    """A campaign by code; 404 when there is none (campaigns are not region-scoped)."""
    campaign = Campaign.objects.filter(code=code).first()
    if campaign is None:
        raise Http404(_("未找到攻坚行动“%(code)s”。") % {"code": code})
    return campaign


def target_list(*, campaign: Campaign, user) -> QuerySet[Target]:
    """The campaign's targets the user may see, in the campaign's order."""
    return (
        Target.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("indicator", "region", "action", "campaign", "parent")
        .order_by("action__sort_order", "sort_order", "region__sort_order", "region__code", "id")
    )


@dataclass(frozen=True)
class CampaignProgress:
    campaign: Campaign
    as_of: dt.date
    targets: list[TargetProgress]


def _common_path(paths: list[str]) -> str:
    """The deepest region path that contains every path (their lowest common ancestor)."""
    split = [path.strip("/").split("/") for path in paths]
    common: list[str] = []
    for codes in zip(*split, strict=False):
        if len(set(codes)) != 1:
            break
        common.append(codes[0])
    return "/" + "".join(f"{code}/" for code in common)


def evaluate_targets(targets: list[Target], *, as_of: dt.date) -> dict[int, Evaluation]:
    """One evaluation per indicator for ``targets`` (keyed by indicator id): over the smallest
    subtree holding all their regions and the months of all their periods, reaching back
    HISTORY_YEARS for the seasonal forecast of sums and counts."""
    by_indicator: dict[int, list[Target]] = defaultdict(list)
    for target in targets:
        by_indicator[target.indicator_id].append(target)
    # Sums and counts reach up to the regions whose history paces their forecasts.
    roots = {
        indicator_id: _common_path(
            [t.region.path if t.indicator.kind in RATIO_KINDS else pool_path(t) for t in group]
        )
        for indicator_id, group in by_indicator.items()
    }
    # The cached evaluations' versions, for every indicator at once (one query).
    versions = (
        cache.versions_of(roots.items(), using=cache.read_alias()) if cache.is_enabled() else {}
    )
    evaluations = {}
    for indicator_id, group in by_indicator.items():
        indicator = group[0].indicator
        first = min(t.period_start for t in group)
        last = max(t.period_end for t in group)
        if indicator.kind not in RATIO_KINDS:
            first = add_months(month_start(first), -12 * HISTORY_YEARS)
        evaluations[indicator_id] = evaluate_path(
            indicator=indicator,
            root_path=roots[indicator_id],
            months=months_between(first, last),
            as_of=as_of,
            version=versions.get((indicator_id, roots[indicator_id])),
        )
    return evaluations


def campaign_progress(*, campaign: Campaign, as_of: dt.date, user) -> CampaignProgress:
    """Every target of ``campaign`` the user may see, at ``as_of``: one query for the targets
    and one grouped query per indicator."""
    targets = list(target_list(campaign=campaign, user=user))
    evaluations = evaluate_targets(targets, as_of=as_of)
    progress = []
    for target in targets:
        green, yellow = target.thresholds()
        progress.append(
            target_progress(
                target=target,
                evaluation=evaluations[target.indicator_id],
                as_of=as_of,
                green=green,
                yellow=yellow,
            )
        )
    return CampaignProgress(campaign=campaign, as_of=as_of, targets=progress)


def _text(value: Decimal | None, unit: str) -> str | None:
    if value is None:
        return None
    places = Decimal(1) if unit == IndicatorUnit.COUNT else Decimal("0.01")
    return str(value.quantize(places, rounding=ROUND_HALF_UP))


def target_progress_document(item: TargetProgress) -> dict[str, Any]:
    """One target as the CLI and the API print it: values are decimal strings in the indicator's
    unit, completion and time_elapsed fractions, ahead_points percentage points."""
    target, unit = item.target, item.target.indicator.unit
    return {
        "indicator": target.indicator.name,
        "indicator_code": target.indicator.code,
        "action": target.action.name if target.action else None,
        "action_code": target.action.code if target.action else None,
        "region_code": target.region.code,
        "region_name": target.region.name,
        "period_start": target.period_start.isoformat(),
        "period_end": target.period_end.isoformat(),
        "comparator": target.comparator,
        "target_value": _text(target.value, unit),
        "unit": unit,
        "actual_value": _text(item.actual, unit),
        "baseline_value": _text(item.baseline, unit),
        "completion": None if item.completion is None else str(item.completion),
        "time_elapsed": str(item.time_elapsed),
        "ahead_points": None if item.ahead_points is None else str(item.ahead_points),
        "forecast_value": _text(item.forecast, unit),
        "forecast_method": item.forecast_method or None,
        "status": item.status,
        "met": item.met,
    }


def campaign_progress_document(progress: CampaignProgress) -> dict[str, Any]:
    """{"campaign", "as_of", "targets": [...]}: the document of ``gongjian progress`` and of
    GET /api/v1/campaigns/{code}/progress."""
    return {
        "campaign": progress.campaign.code,
        "as_of": progress.as_of.isoformat(),
        "targets": [target_progress_document(item) for item in progress.targets],
    }


def _amount_text(value: Decimal, unit: str) -> str:
    # 万元: an allocation gap may be far below one 亿.
    return formatting.measure(value, unit, money_in="万元")


def allocation_gap(target: Target) -> str:
    """A warning (Chinese) when the allocations of ``target`` to lower regions do not cover it;
    empty when they do or when it has none.

    Sums and counts add up: for ≥, > and = targets the allocations must total at least the
    target; for a cap (≤, <) at most the target. A rate is not checked: the pooled rate of the
    districts depends on their enterprise counts, not on their targets alone, so no sum of
    district rates says whether the city's is covered.
    """
    if target.indicator.kind in RATIO_KINDS:
        return ""
    children = list(target.allocations.all())
    if not children:
        return ""
    unit = target.indicator.unit
    allocated = sum((child.value for child in children), Decimal(0))
    if target.comparator in CAP_COMPARATORS:
        if allocated <= target.value:
            return ""
        return _(
            "分解到%(count)s个区域的目标合计 %(allocated)s，超过%(region)s的上限 %(value)s，"
            "超出 %(gap)s。"
        ) % {
            "count": len(children),
            "allocated": _amount_text(allocated, unit),
            "region": target.region.display_name,
            "value": _amount_text(target.value, unit),
            "gap": _amount_text(allocated - target.value, unit),
        }
    if allocated >= target.value:
        return ""
    return _(
        "分解到%(count)s个区域的目标合计 %(allocated)s，低于%(region)s目标 %(value)s，"
        "尚差 %(gap)s。"
    ) % {
        "count": len(children),
        "allocated": _amount_text(allocated, unit),
        "region": target.region.display_name,
        "value": _amount_text(target.value, unit),
        "gap": _amount_text(target.value - allocated, unit),
    }


# ---------------------------------------------------------------------------------------------
# Pages: a campaign's set-up overview and a target's page (curve, breakdown, drill-down)


def target_get(*, campaign: Campaign, pk: int, user) -> Target:
    """One target of ``campaign`` the user may see; 404 (audited as refused) otherwise."""
    base = Target.objects.filter(campaign=campaign).select_related(
        "indicator", "region", "action", "campaign", "parent", "parent__region"
    )
    target = scoped_get_or_404(queryset=base, scoped=base.visible_to(user), user=user, pk=pk)
    assert isinstance(target, Target)
    return target


@dataclass(frozen=True)
class CurvePoint:
    """One month of a target's curve: the actual cumulative value at the month's end (None after
    the as-of month) and the value 序时进度 asks for by then."""

    month: dt.date
    actual: Decimal | None
    planned: Decimal


@dataclass(frozen=True)
class RegionBreakdown:
    """A region below the target's: its value, and its own (allocated) target's progress."""

    region: Region
    actual: Decimal | None
    allocation: TargetProgress | None


@dataclass(frozen=True)
class TargetDetail:
    progress: TargetProgress
    curve: list[CurvePoint]
    breakdown: list[RegionBreakdown]
    allocation_warning: str


def _month_end_elapsed(target: Target, month: dt.date) -> Decimal:
    return time_elapsed(target, month_end(month))


def target_detail(*, target: Target, as_of: dt.date, user) -> TargetDetail:
    """Everything the target page shows, from two evaluations of the indicator (the target's
    progress with its history for the forecast, and the period's months over the target's
    subtree); the breakdown lists only the regions below the target that the user covers."""
    evaluation = evaluate_targets([target], as_of=as_of)[target.indicator_id]
    green, yellow = target.thresholds()
    progress = target_progress(
        target=target, evaluation=evaluation, as_of=as_of, green=green, yellow=yellow
    )
    months = months_between(target.period_start, target.period_end)
    period = evaluate_path(
        indicator=target.indicator, root_path=target.region.path, months=months, as_of=as_of
    )
    unit = target.indicator.unit
    is_ratio = target.indicator.kind in RATIO_KINDS
    start = progress.baseline if is_ratio else None
    curve = []
    for month, actual in period.series(target.region.code):
        share = _month_end_elapsed(target, month)
        if is_ratio and start is not None:
            planned = start + (target.value - start) * share
        else:
            planned = target.value * share
        curve.append(
            CurvePoint(
                month=month,
                actual=None if actual is None else actual.quantize(Decimal("0.01")),
                planned=planned.quantize(
                    Decimal(1) if unit == IndicatorUnit.COUNT else Decimal("0.01"),
                    rounding=ROUND_HALF_UP,
                ),
            )
        )

    children = list(
        Region.objects.filter(parent=target.region)
        .filter(region_scope_q(user, field=""))
        .order_by("sort_order", "code")
    )
    allocated = {
        child.region_id: child
        for child in Target.objects.filter(parent=target).select_related(
            "indicator", "region", "campaign", "action"
        )
    }
    breakdown = []
    for region in children:
        child_target = allocated.get(region.pk)
        child_progress = None
        if child_target is not None:
            child_green, child_yellow = child_target.thresholds()
            child_progress = target_progress(
                target=child_target,
                evaluation=evaluation,
                as_of=as_of,
                green=child_green,
                yellow=child_yellow,
            )
        breakdown.append(
            RegionBreakdown(
                region=region,
                actual=quantize_value(period.at_as_of(region.code), unit),
                allocation=child_progress,
            )
        )
    return TargetDetail(
        progress=progress,
        curve=curve,
        breakdown=breakdown,
        allocation_warning=allocation_gap(target),
    )


def target_rows(*, target: Target, as_of: dt.date, user, region: Region | None = None) -> QuerySet:
    """The rows behind the target's number (drill-down), for ``region`` (the target's region or
    one below it) within what the user may see."""
    return drilldown(
        indicator=target.indicator,
        region=region or target.region,
        period_start=target.period_start,
        period_end=target.period_end,
        as_of=as_of,
        user=user,
    )


@dataclass(frozen=True)
class TargetRow:
    """A target on the campaign page, with the progress of its allocations the user may see."""

    progress: TargetProgress
    allocations: list[TargetProgress]

    def allocations_by_status(self) -> dict[str, int]:
        counts = {status: 0 for status in ProgressStatus.values}
        for item in self.allocations:
            counts[item.status] += 1
        return counts


@dataclass(frozen=True)
class ActionOverview:
    action: SpecialAction | None
    members: list[LeadingGroupMember]
    targets: list[TargetRow]


def _covers(user, region: Region) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(region.path.startswith(m.region.path) for m in memberships_of(user))


def campaign_overview(*, campaign: Campaign, as_of: dt.date, user) -> list[ActionOverview]:
    """The campaign's actions, each with its leading group and its targets' progress.

    A target allocated from one whose region the user covers is listed under it (a city user sees
    the city's targets, each with its districts' results); an allocation to the user's own
    district, whose parent is the city's, is listed as a target of its own. Targets without an
    action come last."""
    progress = campaign_progress(campaign=campaign, as_of=as_of, user=user)
    by_id = {item.target.pk: item for item in progress.targets}
    children: dict[int, list[TargetProgress]] = defaultdict(list)
    rows: dict[int | None, list[TargetRow]] = defaultdict(list)
    for item in progress.targets:
        parent = by_id.get(item.target.parent_id) if item.target.parent_id else None
        if parent is not None and _covers(user, parent.target.region):
            children[parent.target.pk].append(item)
    for item in progress.targets:
        parent = by_id.get(item.target.parent_id) if item.target.parent_id else None
        if parent is not None and _covers(user, parent.target.region):
            continue
        rows[item.target.action_id].append(
            TargetRow(progress=item, allocations=children.get(item.target.pk, []))
        )
    actions = list(
        campaign.actions.select_related("lead_department").prefetch_related("leading_group")
    )
    out = [
        ActionOverview(
            action=action, members=list(action.leading_group.all()), targets=rows.get(action.pk, [])
        )
        for action in actions
    ]
    if rows.get(None):
        out.append(ActionOverview(action=None, members=[], targets=rows[None]))
    return out


# The order a drill-down is paged in by key: non-null fields, the last one unique.
_ROW_KEYS = {
    SOURCE_REPORTS: ["period__month", "project__code", "id"],
    SOURCE_STAGE_EVENTS: ["date", "project__code", "id"],
}


def target_rows_summary(
    *, target: Target, as_of: dt.date, user, region: Region | None, rows: QuerySet
) -> tuple[int, Decimal | None]:
    """How many drill-down rows there are and the number they add up to.

    Reports and stage events, for a reader who covers the whole region: from the monthly cells
    (each holds its rows' total and their count), one indexed query over the region's cells; a
    stage-event window ending inside a month adds that month's rows up to the day. Otherwise
    (enterprises, plans, a reader who sees only part of the region) from the rows."""
    drill = region or target.region
    definition = definition_parse(target.indicator.kind, target.indicator.definition)
    if definition.source not in _ROW_KEYS or not _covers(user, drill):
        return rows.count(), target_rows_value(target=target, rows=rows)
    end = min(target.period_end, as_of)
    last = month_start(end)
    partial = definition.source == SOURCE_STAGE_EVENTS and end < month_end(last)
    cells = IndicatorCell.objects.filter(
        indicator=target.indicator,
        region__path__startswith=drill.path,
        month__gte=month_start(target.period_start),
        month__lte=add_months(last, -1) if partial else last,
    ).aggregate(total=Sum("value"), count=Sum("base"))
    total, count = cells["total"] or Decimal(0), int(cells["count"] or 0)
    if partial:
        month = rows.filter(date__gte=max(last, target.period_start))
        tail = month.aggregate(
            count=Count("id"),
            total=Sum("project__total_investment")
            if definition.measure == "total_investment"
            else Count("id"),
        )
        count += tail["count"]
        total += Decimal(tail["total"] or 0)
    return count, quantize_value(total, target.indicator.unit)


def target_rows_page(
    *, target: Target, rows: QuerySet, count: int, size: int, paging: Paging, query: str
) -> KeysetPage | None:
    """A page of the drill-down read by key (reports and stage events), or None for the
    sources paged by number."""
    definition = definition_parse(target.indicator.kind, target.indicator.definition)
    keys = _ROW_KEYS.get(definition.source)
    if keys is None:
        return None
    return keyset_page(rows, keys=keys, count=count, size=size, paging=paging, query=query)


def target_rows_value(*, target: Target, rows: QuerySet) -> Decimal | None:
    """The indicator's aggregate over drill-down rows: the number they add up to."""
    return quantize_value(
        drilldown_value(indicator=target.indicator, rows=rows), target.indicator.unit
    )


def indicator_library() -> list[Indicator]:
    """Every indicator for the 指标库, each with ``target_count`` and ``definition_text`` (its
    definition in words, never its JSON): three queries whatever the count."""
    from gongjian.projects.models import Category, Sector

    categories = {c.code: c.display_name for c in Category.objects.all()}
    sectors = {s.code: s.display_name for s in Sector.objects.all()}
    indicators: list[Indicator] = list(Indicator.objects.annotate(target_count=Count("targets")))
    for indicator in indicators:
        indicator.definition_text = definition_describe(  # type: ignore[attr-defined]
            indicator.kind,
            indicator.definition,
            category_names=categories,
            sector_names=sectors,
        )
    return indicators
