"""Reads for assessment: rubrics, the inputs of a score (the engine's progress of each district
target, late reports), and published results with their rankings.

Stable entry points for other apps (bulletins, dashboards):

* ``assessment_result_latest(campaign=, month=)`` — the latest published result of a month.
* ``assessment_ranking_rows(result=)`` — its rows, one per district, grouped and ranked.
* ``assessment_ranking_groups(result=)`` — the same rows split by assessment group.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.assessment.choices import RubricStatus
from gongjian.assessment.models import AssessmentResult, AssessmentScore, Rubric
from gongjian.assessment.scoring import Contestant, LateCount, LatePeriod, Measure
from gongjian.audit.services import audit_denied
from gongjian.campaigns.models import Campaign, Target
from gongjian.campaigns.progress import quantize_value, target_progress
from gongjian.campaigns.selectors import evaluate_targets
from gongjian.core.periods import month_start
from gongjian.regions.models import Region
from gongjian.regions.selectors import region_list_reporting
from gongjian.reporting.models import ProgressReport, ReportingPeriod
from gongjian.reporting.selectors import projects_due

# ---------------------------------------------------------------------------------------------
# Rubrics


def rubric_list(*, campaign: Campaign | None = None) -> QuerySet[Rubric]:
    """Every rubric version, newest version of each code first."""
    rubrics = Rubric.objects.select_related("campaign", "published_by", "created_by")
    if campaign is not None:
        rubrics = rubrics.filter(campaign=campaign)
    return rubrics.order_by("campaign__code", "code", "-version")


def rubric_get(*, pk) -> Rubric:
    rubric = (
        Rubric.objects.select_related("campaign").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if rubric is None:
        raise Http404
    return rubric


def rubric_effective(*, campaign: Campaign, month: dt.date) -> Rubric | None:
    """The published rubric that applies to ``month``: the latest effective one (then the
    highest version) whose 起用月份 is not after it."""
    return (
        Rubric.objects.filter(
            campaign=campaign, status=RubricStatus.PUBLISHED, effective_from__lte=month
        )
        .order_by("-effective_from", "-version", "-id")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# The inputs of a score


def contestants() -> list[Contestant]:
    """The districts that are assessed: reporting units with an assessment group, in official
    order."""
    regions = region_list_reporting().filter(assessment_group__isnull=False)
    return [
        Contestant(
            code=r.code,
            name=r.name,
            group_code=r.assessment_group.code,  # type: ignore[union-attr]
            group_name=r.assessment_group.name,  # type: ignore[union-attr]
            sort_order=r.sort_order,
        )
        for r in regions.order_by("sort_order", "code")
    ]


def district_measures(
    *, campaign: Campaign, indicator_codes: list[str], region_codes: list[str], as_of: dt.date
) -> dict[tuple[str, str], Measure]:
    """Progress of each district target of ``campaign`` for the given indicators at ``as_of``,
    by (indicator code, region code): one query for the targets and one grouped engine query
    per indicator (``campaigns.selectors.evaluate_targets``).

    When a district has several targets of an indicator, the one whose period contains
    ``as_of`` and starts latest is scored."""
    targets = list(
        Target.objects.filter(
            campaign=campaign,
            indicator__code__in=indicator_codes,
            region__code__in=region_codes,
            period_start__lte=as_of,
            period_end__gte=as_of,
        )
        .select_related("indicator", "region", "campaign")
        .order_by("period_start", "id")
    )
    chosen: dict[tuple[str, str], Target] = {}
    for target in targets:
        chosen[(target.indicator.code, target.region.code)] = target
    evaluations = evaluate_targets(list(chosen.values()), as_of=as_of)
    measures = {}
    for key, target in chosen.items():
        progress = target_progress(
            target=target,
            evaluation=evaluations[target.indicator_id],
            as_of=as_of,
            green=campaign.green_threshold,
            yellow=campaign.yellow_threshold,
        )
        measures[key] = Measure(
            target_id=target.pk,
            target_value=quantize_value(target.value, target.indicator.unit),
            actual=progress.actual,
            completion=progress.completion,
            time_elapsed=progress.time_elapsed,
            unit=target.indicator.unit,
            comparator=target.comparator,
        )
    return measures


def late_reports(
    *, campaign: Campaign, month: dt.date, counted_on: dt.date, regions: list[Region]
) -> dict[str, LateCount]:
    """Late monthly reports of each district (by region code) over the campaign's periods from
    its first month to ``month`` whose due date had passed by ``counted_on``.

    A project due in a period (``reporting.selectors.projects_due``) reported late when its
    report was first submitted after the due date (days late: submission day − due date), or
    had not been submitted by ``counted_on`` (days late: counted_on − due date). A report
    submitted on the due date is on time. One query per period."""
    periods = ReportingPeriod.objects.filter(
        month__gte=month_start(campaign.starts_on), month__lte=month, due_date__lt=counted_on
    ).order_by("month")
    by_path = sorted(regions, key=lambda r: len(r.path), reverse=True)
    found: dict[str, list[LatePeriod]] = defaultdict(list)
    zone = timezone.get_current_timezone()
    for period in periods:
        # Reports submitted before the first moment after the due date (Asia/Shanghai).
        deadline = dt.datetime.combine(
            period.due_date + dt.timedelta(days=1), dt.time.min, tzinfo=zone
        )
        on_time = ProgressReport.objects.filter(
            project=OuterRef("pk"),
            period=period,
            submitted_at__isnull=False,
            submitted_at__lt=deadline,
        )
        submitted = ProgressReport.objects.filter(
            project=OuterRef("pk"), period=period, submitted_at__isnull=False
        ).values("submitted_at")[:1]
        rows = (
            projects_due(period=period)
            .filter(~Exists(on_time))
            .annotate(submitted=submitted)
            .order_by("region__sort_order", "code")
            .values_list("region__path", "code", "submitted")
        )
        codes: dict[str, list[str]] = defaultdict(list)
        days: dict[str, int] = defaultdict(int)
        for path, code, submitted_at in rows:
            region = next((r for r in by_path if path.startswith(r.path)), None)
            if region is None:
                continue
            if submitted_at is not None and timezone.localtime(submitted_at).date() <= counted_on:
                late_by = (timezone.localtime(submitted_at).date() - period.due_date).days
            else:
                late_by = (counted_on - period.due_date).days
            codes[region.code].append(code)
            days[region.code] += late_by
        for region_code, region_codes in codes.items():
            found[region_code].append(
                LatePeriod(
                    month=f"{period.month:%Y-%m}",
                    due_date=period.due_date.isoformat(),
                    codes=region_codes,
                    days=days[region_code],
                )
            )
    return {code: LateCount(periods=periods_) for code, periods_ in found.items()}


# ---------------------------------------------------------------------------------------------
# Published results


def assessment_result_list(*, campaign: Campaign | None = None) -> QuerySet[AssessmentResult]:
    results = AssessmentResult.objects.select_related("campaign", "rubric", "published_by")
    if campaign is not None:
        results = results.filter(campaign=campaign)
    return results.order_by("-month", "-published_at", "-id")


def assessment_result_latest(*, campaign: Campaign, month: dt.date) -> AssessmentResult | None:
    """The latest published assessment result of ``campaign`` for ``month`` (any day of the
    month is accepted), or None when none has been published.

    Stable for other apps (bulletins, dashboards): results are immutable, so a caller may keep
    the result and read its rows with ``assessment_ranking_rows``. A later publication for the
    same month (e.g. under a corrected rubric) supersedes it as the latest."""
    return (
        AssessmentResult.objects.filter(campaign=campaign, month=month_start(month))
        .select_related("campaign", "rubric", "published_by")
        .order_by("-published_at", "-id")
        .first()
    )


def assessment_result_get(*, pk) -> AssessmentResult:
    result = (
        AssessmentResult.objects.select_related("campaign", "rubric", "published_by")
        .filter(pk=pk)
        .first()
        if str(pk).isdigit()
        else None
    )
    if result is None:
        raise Http404
    return result


@dataclass(frozen=True)
class RankingRow:
    """One district in a published result, as the rankings show it.

    ``rank`` is across all districts, ``group_rank`` within the assessment group; equal totals
    share a rank (competition ranking: 1, 1, 3) and ``is_tied`` says so. Points are Decimals
    with two places; ``deduction`` is positive (points taken off)."""

    region_code: str
    region_name: str
    group_code: str
    group_name: str
    total: Decimal
    item_points: Decimal
    deduction: Decimal
    late_reports: int
    rank: int
    group_rank: int
    is_tied: bool


def assessment_ranking_rows(*, result: AssessmentResult) -> list[RankingRow]:
    """Every district of a published result, one query: ordered by assessment group (its sort
    order), then group rank, then the regions' official order (so ties read in official
    order). Stable for other apps (bulletins, dashboards)."""
    scores = list(
        AssessmentScore.objects.filter(result=result)
        .select_related("region", "group")
        .order_by("group__sort_order", "group__code", "group_rank", "region__sort_order")
    )
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for score in scores:
        counts[(score.group_id, score.group_rank)] += 1
    return [
        RankingRow(
            region_code=score.region.code,
            region_name=score.region.display_name,
            group_code=score.group.code,
            group_name=score.group_name,
            total=score.total,
            item_points=score.item_points,
            deduction=score.deduction,
            late_reports=score.late_reports,
            rank=score.rank,
            group_rank=score.group_rank,
            is_tied=counts[(score.group_id, score.group_rank)] > 1,
        )
        for score in scores
    ]


def assessment_ranking_groups(*, result: AssessmentResult) -> list[tuple[str, list[RankingRow]]]:
    """(group name, rows) per assessment group, in the groups' order."""
    groups: dict[str, tuple[str, list[RankingRow]]] = {}
    for row in assessment_ranking_rows(result=result):
        groups.setdefault(row.group_code, (row.group_name, []))[1].append(row)
    return list(groups.values())


def assessment_score_get(*, result: AssessmentResult, region_code: str, user) -> AssessmentScore:
    """One district's score with its breakdown: city roles and leaders see every district, a
    district only its own; another district's is 404 and audited as a refused attempt."""
    score = (
        AssessmentScore.objects.filter(result=result, region__code=region_code)
        .select_related("region", "group", "result")
        .first()
    )
    if score is None:
        raise Http404
    if not user.has_perm("assessment.view_breakdown", score.region):
        audit_denied(actor=user, obj=score, message=_("访问范围之外的考核得分明细。"))
        raise Http404
    return score
