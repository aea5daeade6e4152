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

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongjian.campaigns.choices import CAP_COMPARATORS, IndicatorKind, IndicatorUnit
from gongjian.campaigns.engine import Evaluation, evaluate_path
from gongjian.campaigns.models import Campaign, Target
from gongjian.campaigns.progress import HISTORY_YEARS, TargetProgress, target_progress
from gongjian.core.money import format_wan
from gongjian.core.periods import add_months, month_start, months_between


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
    evaluations = {}
    for indicator_id, group in by_indicator.items():
        indicator = group[0].indicator
        first = min(t.period_start for t in group)
        last = max(t.period_end for t in group)
        if indicator.kind != IndicatorKind.STOCK_RATIO:
            first = add_months(month_start(first), -12 * HISTORY_YEARS)
        evaluations[indicator_id] = evaluate_path(
            indicator=indicator,
            root_path=_common_path([t.region.path for t in group]),
            months=months_between(first, last),
            as_of=as_of,
        )
    return evaluations


def campaign_progress(*, campaign: Campaign, as_of: dt.date, user) -> CampaignProgress:
    """Every target of ``campaign`` the user may see, at ``as_of``: one query for the targets
    and one grouped query per indicator."""
    targets = list(target_list(campaign=campaign, user=user))
    evaluations = evaluate_targets(targets, as_of=as_of)
    progress = []
    for target in targets:
        green = (
            target.green_threshold
            if target.green_threshold is not None
            else campaign.green_threshold
        )
        yellow = (
            target.yellow_threshold
            if target.yellow_threshold is not None
            else campaign.yellow_threshold
        )
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
    if unit == IndicatorUnit.WAN_YUAN:
        return _("%(value)s 万元") % {"value": format_wan(value)}
    return f"{_text(value, unit)} {unit}"


def allocation_gap(target: Target) -> str:
    """A warning (Chinese) when the allocations of ``target`` to lower regions do not cover it;
    empty when they do or when it has none.

    Sums and counts add up: for ≥, > and = targets the allocations must total at least the
    target; for a cap (≤, <) at most the target. A rate is not checked: the pooled rate of the
    districts depends on their enterprise counts, not on their targets alone, so no sum of
    district rates says whether the city's is covered.
    """
    if target.indicator.kind == IndicatorKind.STOCK_RATIO:
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
