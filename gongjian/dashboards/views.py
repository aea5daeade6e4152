"""Pages: the home page (the campaign dashboard for city staff and leaders, a project summary for
everyone else), a region's campaign page, the 大屏 wall screen and the project map."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from gongjian.accounts.choices import PROJECT_EDITOR_ROLES, Role
from gongjian.accounts.scopes import has_any_role, home_region, memberships_of
from gongjian.accounts.selectors import security_overview
from gongjian.campaigns.models import Campaign
from gongjian.core.periods import today, year_elapsed
from gongjian.core.replica import replica_reads
from gongjian.dashboards import selectors
from gongjian.dashboards.todo import todo_list
from gongjian.plans.selectors import plan_summary
from gongjian.projects.choices import Stage
from gongjian.projects.selectors import STAGE_GROUPS
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region
from gongjian.reporting.selectors import district_status, period_current

# A project this many points behind the year's 序时进度 of its annual plan is lagging.
LAGGING_POINTS = Decimal(15)
# The district page lists every lagging project, this many a page.
LAGGING_PER_PAGE = 20
# The wall screen reloads itself this often (seconds).
SCREEN_REFRESH_SECONDS = 300


def _as_of(campaign: Campaign) -> dt.date:
    """The business date, or the campaign's last day once it is over."""
    return min(today(), campaign.ends_on)


def _start_region(user) -> Region | None:
    region = home_region(user)
    if region is None and user.is_superuser:
        region = Region.objects.filter(kind=RegionKind.CITY).order_by("sort_order").first()
    return region


def _dashboard_context(request: HttpRequest, campaign: Campaign, region: Region) -> dict:
    dashboard = selectors.region_dashboard(
        user=request.user,
        campaign=campaign,
        region=region,
        as_of=_as_of(campaign),
        layer=request.GET.get("layer", selectors.OVERALL),
    )
    region_url = reverse("dashboard_region", kwargs={"code": "CODE"})
    return {
        "plan_summary": plan_summary(
            user=request.user, region_path=region.path, as_of=_as_of(campaign)
        ),
        "dashboard": dashboard,
        "campaign": campaign,
        "region": region,
        "map_data": selectors.map_data(dashboard),
        "region_url": region_url,
    }


def _home_is_dashboard(user) -> bool:
    """A leader's home is the campaign dashboard; everyone else's is their to-do list."""
    roles = {m.role for m in memberships_of(user)}
    if not roles:
        return bool(user.is_superuser and user.is_active)
    return roles == {Role.LEADER} and selectors.sees_city_dashboard(user)


@require_safe
@login_required
@replica_reads
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if {m.role for m in memberships_of(user)} == {Role.SECURITY_ADMIN}:
        # The security administrator sees accounts and security events, no business data.
        return render(
            request,
            "accounts/security_home.html",
            {"overview": security_overview(now=timezone.now())},
        )
    campaign = selectors.active_campaign() if _home_is_dashboard(user) else None
    region = _start_region(user) if campaign is not None else None
    if campaign is not None and region is not None:
        return render(
            request, "dashboards/city.html", _dashboard_context(request, campaign, region)
        )
    by_region = selectors.home_by_region(user=user)
    start = home_region(user)
    return render(
        request,
        "dashboards/home.html",
        {
            "todo": todo_list(user=user),
            "summary": selectors.home_summary(user=user),
            "by_region": by_region if len(by_region) > 1 else [],
            "recent": selectors.home_recent_activity(user=user),
            "can_create": has_any_role(user, PROJECT_EDITOR_ROLES),
            "campaign": selectors.active_campaign(),
            "start_region": start,
        },
    )


def _campaign_or_404() -> Campaign:
    campaign = selectors.active_campaign()
    if campaign is None:
        raise Http404
    return campaign


@require_safe
@login_required
@replica_reads
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One region's campaign page: its targets, and its units, lagging projects, this month's
    reporting and open problems."""
    region = selectors.dashboard_region_get(user=request.user, code=code)
    campaign = _campaign_or_404()
    context = _dashboard_context(request, campaign, region)
    as_of = context["dashboard"].as_of
    page_text = request.GET.get("lagging_page", "1")
    lagging_page = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    lagging_count, lagging = selectors.lagging_projects(
        user=request.user,
        region=region,
        as_of=as_of,
        behind_points=LAGGING_POINTS,
        basis=campaign.elapsed_basis,
        limit=LAGGING_PER_PAGE,
        offset=(lagging_page - 1) * LAGGING_PER_PAGE,
    )
    lagging_pages = max(1, -(-lagging_count // LAGGING_PER_PAGE))
    problem_count, problems = selectors.open_problems(user=request.user, region=region)
    period = period_current()
    reporting = []
    if period is not None:
        reporting = [
            row
            for row in district_status(
                user=request.user, period=period, today=today(), region=region
            )
            if row["region__code"] == region.code
            or region.kind in (RegionKind.CITY, RegionKind.PROVINCE)
        ]
    context.update(
        {
            "lagging": lagging,
            "lagging_count": lagging_count,
            "lagging_page": lagging_page,
            "lagging_pages": lagging_pages,
            "lagging_first": (lagging_page - 1) * LAGGING_PER_PAGE,
            "lagging_points": LAGGING_POINTS,
            "year_elapsed": year_elapsed(as_of, basis=campaign.elapsed_basis),
            "problems": problems,
            "problem_count": problem_count,
            "period": period,
            "reporting": reporting,
            "sees_parent": selectors.sees_city_dashboard(request.user),
        }
    )
    return render(request, "dashboards/region.html", context)


@require_safe
@login_required
@replica_reads
def screen(request: HttpRequest) -> HttpResponse:
    """大屏: the start region's campaign dashboard for a command-centre wall, reloading itself."""
    campaign = _campaign_or_404()
    region = _start_region(request.user)
    if region is None:
        raise Http404
    context = _dashboard_context(request, campaign, region)
    context["refresh_seconds"] = SCREEN_REFRESH_SECONDS
    return render(request, "dashboards/screen.html", context)


@require_safe
@login_required
def project_map(request: HttpRequest) -> HttpResponse:
    """Projects as points on the map, filtered by category and stage."""
    category = request.GET.get("category", "")
    stage = request.GET.get("stage", "")
    region_code = request.GET.get("region", "")
    found = selectors.project_points(
        user=request.user, category=category, stage=stage, region=region_code
    )
    stages = [(key, label) for key, (label, _stages) in STAGE_GROUPS.items()]
    stages += list(Stage.choices)
    return render(
        request,
        "dashboards/project_map.html",
        {
            "found": found,
            "points": found.points,
            "category": category,
            "stage": stage,
            "region_code": region_code,
            "stages": stages,
            "stage_labels": {key: str(label) for key, label in Stage.choices},
            "project_url": reverse("projects:detail", kwargs={"pk": 0}),
        },
    )
