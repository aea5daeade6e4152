"""Reads from the investment pipeline, always through the reader's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.investment.choices import LEAD_PROGRESSION, LeadStage
from gongjian.investment.models import Lead, LeadQuerySet, Resource


@dataclass(frozen=True)
class LeadFilters:
    stage: str = ""
    region: str = ""
    need: str = ""
    q: str = ""
    spam: bool = False
    project: int | None = None

    def as_q(self) -> Q:
        """The filters but ``spam`` as one condition on leads (the API's FilterSchema reads it)."""
        condition = Q()
        if self.stage:
            condition &= Q(stage=self.stage)
        if self.region:
            condition &= Q(region__code=self.region)
        if self.need:
            condition &= Q(need=self.need)
        if self.project is not None:
            condition &= Q(project_id=self.project)
        if self.q:
            condition &= (
                Q(company__icontains=self.q)
                | Q(reference__icontains=self.q)
                | Q(uscc=self.q.upper())
            )
        return condition


def lead_list(*, user, filters: LeadFilters | None = None) -> LeadQuerySet:
    """The leads the user may see, newest first; spam only when asked for."""
    filters = filters or LeadFilters()
    leads = (
        Lead.objects.visible_to(user)
        .filter(is_spam=filters.spam)
        .select_related("region", "department", "industry_chain", "project")
    )
    return leads.filter(filters.as_q())


def lead_get(*, user, pk) -> Lead:
    lead = scoped_get_or_404(
        queryset=Lead.objects.all(),
        scoped=Lead.objects.visible_to(user).select_related(
            "region", "department", "industry_chain", "project", "enterprise"
        ),
        user=user,
        pk=pk,
    )
    assert isinstance(lead, Lead)
    return lead


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: str
    count: int


def pipeline_counts(*, user) -> list[StageCount]:
    """How many of the user's visible leads stand at each stage (one grouped query)."""
    counts = dict(
        Lead.objects.visible_to(user)
        .filter(is_spam=False)
        .order_by()
        .values_list("stage")
        .annotate(n=Count("id"))
        .values_list("stage", "n")
    )
    labels = dict(LeadStage.choices)
    stages = (*LEAD_PROGRESSION, LeadStage.LOST)
    return [StageCount(s, str(labels[s]), counts.get(s, 0)) for s in stages]


def lead_duplicates(*, lead: Lead):
    """Both directions: what this lead duplicates, and the later leads that duplicate it."""
    found = list(lead.duplicates.select_related("other_lead", "enterprise"))
    found_by = list(lead.duplicated_by.select_related("lead"))
    return found, found_by


def resource_list(*, user, kind: str = "", region: str = "", status: str = "") -> QuerySet:
    resources = Resource.objects.visible_to(user).select_related("region", "park")
    if kind:
        resources = resources.filter(kind=kind)
    if region:
        resources = resources.filter(region__code=region)
    if status:
        resources = resources.filter(status=status)
    return resources


def resource_get(*, user, pk) -> Resource:
    resource = scoped_get_or_404(
        queryset=Resource.objects.all(),
        scoped=Resource.objects.visible_to(user)
        .select_related("region", "park")
        .prefetch_related("permitted_industries"),
        user=user,
        pk=pk,
    )
    assert isinstance(resource, Resource)
    return resource
