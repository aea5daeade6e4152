"""What the dispatch reads from the annual plan and the project lights (issue 16).

The seam between the two: the rest of this app reads planned start months, the year's list,
project lights and the districts behind 序时 only through these functions, so that they can be
pointed at the plan's own fields and rules when those exist, without touching the agenda or the
pages.
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
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region

LightReasons = dict[int, list[tuple[str, str]]]


def _one_place(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def planned_start(project_ids: Iterable[int]) -> dict[int, dt.date]:
    """Each project's planned start (开工) month, where the yearly list gives one."""
    from gongjian.projects.models import Project

    rows = Project.objects.filter(
        pk__in=list(project_ids), planned_start_month__isnull=False
    ).values_list("pk", "planned_start_month")
    return {pk: month for pk, month in rows if month is not None}


def listed_projects(year: int):
    """The projects on ``year``'s key-project list, whose lights the board, the dashboard and
    the agenda show."""
    from gongjian.plans.selectors import planned_projects

    return planned_projects(year)


def project_lights(project_ids: Iterable[int], *, as_of: dt.date) -> dict[int, tuple[str, list]]:
    """Each project's light and its reasons at ``as_of`` as the plans app computes them (its
    rules, with the dispatch's milestone and 要素保障 kinds among them): {project id: (colour,
    [(colour, reason), ...])}."""
    from gongjian.plans.lights import project_lights as plan_lights
    from gongjian.projects.models import Project

    ids = list(project_ids)
    lights = plan_lights(projects=Project.objects.filter(pk__in=ids), as_of=as_of)
    return {
        pk: (str(light.color), [(str(r.color), r.text) for r in light.reasons])
        for pk, light in lights.items()
    }


def regions_behind(*, scope: Region, as_of: dt.date) -> list[tuple[Region, list[str]]]:
    """The districts under ``scope`` behind 序时 at ``as_of`` on any target of an active
    campaign (its progress below the share of the period elapsed), each with the targets that
    are behind as reasons, worst first.

    The plan's 完成年度计划投资 needs no rule of its own here: it is a ``plan_ratio`` indicator,
    evaluated by the campaign engine like any other, so a district target on it puts the
    district on the agenda when it falls behind; the targets stay the one measure of 序时."""
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
    """Each project's 完成年度计划投资 at ``as_of`` as text ("63.5%"): the year's counted reports
    over the annual plan in force (projects without a plan are left out)."""
    from gongjian.plans.selectors import percent, with_plan_progress
    from gongjian.projects.models import Project

    progress = with_plan_progress(Project.objects.filter(pk__in=list(project_ids)), as_of)
    # plan_amount and year_amount are annotations of with_plan_progress.
    rows = progress.filter(**{"plan_amount__gt": 0}).values_list("pk", "plan_amount", "year_amount")  # type: ignore[misc]
    return {pk: f"{_one_place(percent(done, plan) or Decimal(0))}%" for pk, plan, done in rows}
