"""Reads from the project ledger, always through ``Project.objects.visible_to(user)``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from django.utils.translation import gettext_lazy as _

from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.projects.choices import Stage
from gongjian.projects.models import Project, ProjectQuerySet, StageEvent

# Filters over several stages at once, as the home page and the bulletins count them.
STAGE_GROUPS: dict[str, tuple[object, tuple[str, ...]]] = {
    "not_started": (_("未开工（谋划、签约、落地）"), (Stage.PLANNED, Stage.SIGNED, Stage.LANDED)),
    "started_or_later": (
        _("已开工（含竣工、投产）"),
        (Stage.STARTED, Stage.COMPLETED, Stage.OPERATING),
    ),
    "completed_or_later": (_("已竣工（含投产）"), (Stage.COMPLETED, Stage.OPERATING)),
}


@dataclass(frozen=True)
class ProjectFilters:
    """The filters of the project list, the API and exports."""

    region: str = ""  # a region code; its whole subtree matches
    category: str = ""
    stage: str = ""
    industry: str = ""
    q: str = ""


def project_list(*, user, filters: ProjectFilters | None = None) -> ProjectQuerySet:
    projects = Project.objects.visible_to(user).select_related(
        "region", "category", "industry_chain"
    )
    f = filters or ProjectFilters()
    if f.region:
        projects = projects.filter(
            Q(region__code=f.region) | Q(region__path__contains=f"/{f.region}/")
        )
    if f.category:
        projects = projects.filter(category__code=f.category)
    if f.stage in STAGE_GROUPS:
        projects = projects.filter(stage__in=STAGE_GROUPS[f.stage][1])
    elif f.stage:
        projects = projects.filter(stage=f.stage)
    if f.industry:
        projects = projects.filter(industry_chain__code=f.industry)
    if f.q.strip():
        term = f.q.strip()
        projects = projects.filter(Q(name__icontains=term) | Q(code__icontains=term))
    return projects.order_by("region__sort_order", "code")


def project_get(*, user, pk) -> Project:
    project = scoped_get_or_404(
        queryset=Project.objects.all(),
        scoped=Project.objects.visible_to(user).select_related(
            "region", "category", "industry_chain", "created_by"
        ),
        user=user,
        pk=pk,
    )
    assert isinstance(project, Project)
    return project


def project_stage_events(*, project: Project):
    return StageEvent.objects.filter(project=project).select_related("actor").order_by("date", "id")


def project_history(*, project: Project, limit: int = 50):
    return project.history.select_related("history_user").order_by("-history_date")[:limit]


def project_summary(*, user) -> dict:
    """Counts and totals of the user's projects, by stage, in one query."""
    stage_counts = dict(
        Project.objects.visible_to(user).values_list("stage").annotate(n=Count("id")).order_by()
    )
    totals = Project.objects.visible_to(user).aggregate(
        count=Count("id"), total_investment=Sum("total_investment")
    )
    return {"by_stage": stage_counts, **totals}
