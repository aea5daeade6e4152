"""What the dispatch reads from the annual plan and the project lights (issue 16).

The seam between the two: the rest of this app reads planned start months, project lights and
the districts behind 序时 only through these three functions, so that they can be pointed at the
plan's own fields and rules when those exist, without touching the agenda or the pages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from gongjian.campaigns.choices import ProgressStatus
from gongjian.campaigns.models import Target
from gongjian.campaigns.progress import target_progress
from gongjian.campaigns.selectors import evaluate_targets
from gongjian.dispatch.choices import Light
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region

# The 前期工作 step whose planned date stands for the planned start while projects have no
# planned start month of their own.
START_MILESTONE = "construction-permit"

LightReasons = dict[int, list[tuple[str, str]]]


def _one_place(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def planned_start(project_ids: Iterable[int]) -> dict[int, dt.date]:
    """Each project's planned start (开工) date, where one is known.

    Read from the project's ``planned_start_month`` when the ledger has that field (issue 16),
    else the planned date of its 施工许可 milestone."""
    from gongjian.dispatch.models import ProjectMilestone
    from gongjian.projects.models import Project

    ids = list(project_ids)
    field = "planned_start_month"
    if field in {f.name for f in Project._meta.get_fields()}:
        return dict(
            Project.objects.filter(pk__in=ids)
            .filter(**{f"{field}__isnull": False})
            .values_list("pk", field)
        )
    return dict(
        ProjectMilestone.objects.filter(
            project_id__in=ids, milestone_type__code=START_MILESTONE
        ).values_list("project_id", "planned_date")
    )


def project_lights(project_ids: Iterable[int], *, as_of: dt.date) -> dict[int, tuple[str, list]]:
    """Each project's light and its reasons at ``as_of``: red if any reason is red, yellow if
    any is yellow, else green. Until the plan's lights exist, the reasons are the dispatch's own
    (milestones and 要素保障 requests); the plan's rules join here."""
    from gongjian.dispatch.selectors import light_reasons

    ids = list(project_ids)
    reasons = light_reasons(ids, as_of=as_of)
    lights: dict[int, tuple[str, list]] = {}
    for pk in ids:
        mine = reasons.get(pk, [])
        colours = {colour for colour, _reason in mine}
        light = Light.RED if Light.RED in colours else Light.YELLOW if colours else Light.GREEN
        lights[pk] = (light, mine)
    return lights


def regions_behind(*, scope: Region, as_of: dt.date) -> list[tuple[Region, list[str]]]:
    """The districts under ``scope`` behind 序时 at ``as_of`` on any target of an active
    campaign (its progress below the share of the period elapsed), each with the targets that
    are behind as reasons, worst first."""
    targets = list(
        Target.objects.filter(
            campaign__is_active=True,
            region__path__startswith=scope.path,
            region__kind__in=[RegionKind.COUNTY, RegionKind.ZONE],
            period_start__lte=as_of,
            period_end__gte=as_of,
        ).select_related("indicator", "region", "campaign")
    )
    if not targets:
        return []
    evaluations = evaluate_targets(targets, as_of=as_of)
    behind: dict[int, list[tuple]] = defaultdict(list)
    regions = {}
    for target in targets:
        green, yellow = target.thresholds()
        progress = target_progress(
            target=target,
            evaluation=evaluations[target.indicator_id],
            as_of=as_of,
            green=green,
            yellow=yellow,
        )
        if progress.ahead_points is None or progress.ahead_points >= 0:
            continue
        if progress.status == ProgressStatus.GREEN:
            continue
        regions[target.region_id] = target.region
        behind[target.region_id].append(
            (
                progress.ahead_points,
                _("%(indicator)s完成%(completion)s%%，落后序时进度%(points)s个百分点")
                % {
                    "indicator": target.indicator.name,
                    "completion": _one_place((progress.completion or Decimal(0)) * 100),
                    "points": _one_place(-progress.ahead_points),
                },
            )
        )
    ordered = sorted(
        behind.items(), key=lambda item: (min(p for p, _t in item[1]), regions[item[0]].code)
    )
    return [
        (regions[pk], [text for _p, text in sorted(items, key=lambda i: i[0])])
        for pk, items in ordered
    ]


def plan_completion(project_ids: Iterable[int], *, as_of: dt.date) -> dict[int, str]:
    """Each project's 完成年度计划投资 at ``as_of`` as text ("63.5%"): the counted reports of
    the year to date over the project's annual plan (projects without a plan are left out)."""
    from django.db.models import Sum

    from gongjian.projects.models import Project
    from gongjian.reporting.models import ProgressReport

    ids = list(project_ids)
    plans = dict(
        Project.objects.filter(pk__in=ids, annual_plan__gt=0).values_list("pk", "annual_plan")
    )
    done = dict(
        ProgressReport.objects.counted()
        .filter(
            project_id__in=list(plans),
            period__month__gte=dt.date(as_of.year, 1, 1),
            period__month__lte=as_of,
        )
        .values_list("project_id")
        .annotate(total=Sum("amount"))
    )
    return {
        pk: f"{_one_place(done.get(pk, Decimal(0)) / plan * 100)}%" for pk, plan in plans.items()
    }
