"""Reads for monthly reporting: who is due, what they filed, and the derived totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from gongjian.accounts.scopes import region_scope_q
from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.core.periods import month_end
from gongjian.projects.choices import Stage
from gongjian.projects.models import Project, StageEvent
from gongjian.regions.models import Region
from gongjian.reporting.choices import ReportStatus
from gongjian.reporting.models import ImportJob, ProgressReport, ReportingPeriod

_ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))


def period_current() -> ReportingPeriod | None:
    """The latest open period, else the latest period."""
    return (
        ReportingPeriod.objects.filter(state="open").order_by("-month").first()
        or ReportingPeriod.objects.order_by("-month").first()
    )


def period_list() -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.order_by("-month")


def projects_due(*, period: ReportingPeriod) -> QuerySet[Project]:
    """Projects that must report for ``period``: in a monthly-reporting category, started by the
    end of the month, and not completed before it began."""
    last_day = month_end(period.month)
    started = StageEvent.objects.filter(
        project=OuterRef("pk"), stage=Stage.STARTED, date__lte=last_day
    )
    completed_before = StageEvent.objects.filter(
        project=OuterRef("pk"), stage=Stage.COMPLETED, date__lt=period.month
    )
    return Project.objects.filter(
        Exists(started), ~Exists(completed_before), category__requires_monthly_report=True
    )


def report_get(*, user, pk) -> ProgressReport:
    report = scoped_get_or_404(
        queryset=ProgressReport.objects.all(),
        scoped=ProgressReport.objects.visible_to(user).select_related(
            "project", "project__region", "period"
        ),
        user=user,
        pk=pk,
    )
    assert isinstance(report, ProgressReport)
    return report


def _amount_sum(filter_q: Q) -> Coalesce:
    return Coalesce(Sum("reports__amount", filter=filter_q), _ZERO)


def workspace_rows(*, user, period: ReportingPeriod, region: Region | None = None) -> QuerySet:
    """Every project the user covers that is due this period, with this month's report (if any),
    its year-to-date and since-start totals, in one query."""
    this_month = ProgressReport.objects.filter(project=OuterRef("pk"), period=period)
    projects = (
        projects_due(period=period)
        .filter(pk__in=Project.objects.visible_to(user).values("pk"))
        .select_related("region", "category")
        .annotate(
            report_id=Subquery(this_month.values("pk")[:1]),
            report_status=Subquery(this_month.values("status")[:1]),
            report_version=Subquery(this_month.values("version")[:1]),
            report_amount=Subquery(this_month.values("amount")[:1]),
            report_progress=Subquery(this_month.values("progress_text")[:1]),
            report_note=Subquery(this_month.values("adjustment_note")[:1]),
            ytd=_amount_sum(
                Q(
                    reports__period__month__year=period.month.year,
                    reports__period__month__lte=period.month,
                )
            ),
            since_start=_amount_sum(Q(reports__period__month__lte=period.month)),
        )
        .order_by("region__sort_order", "code")
    )
    if region is not None:
        projects = projects.filter(region__path__startswith=region.path)
    return projects


def district_status(
    *, user, period: ReportingPeriod, today: dt.date, region: Region | None = None
) -> list[dict]:
    """Per district: projects due, reports filed, approved, returned, drafts — one grouped query
    (the due projects joined once to their report of the period), within what the user covers
    and, when ``region`` is given, within that region's subtree."""
    filed_statuses = [
        ReportStatus.SUBMITTED,
        ReportStatus.DISTRICT_APPROVED,
        ReportStatus.CITY_APPROVED,
    ]
    due = projects_due(period=period).filter(region_scope_q(user))
    if region is not None:
        due = due.filter(region__path__startswith=region.path)
    # At most one report per project and period (a unique constraint): the join keeps one row
    # per project, with the report's status or NULL.
    rows = (
        due.annotate(this_month=FilteredRelation("reports", condition=Q(reports__period=period)))
        .values("region__code", "region__name", "region__name_en", "region__sort_order")
        .annotate(
            due=Count("id"),
            filed=Count("id", filter=Q(this_month__status__in=filed_statuses)),
            approved=Count("id", filter=Q(this_month__status=ReportStatus.CITY_APPROVED)),
            returned=Count("id", filter=Q(this_month__status=ReportStatus.RETURNED)),
            drafts=Count("id", filter=Q(this_month__status=ReportStatus.DRAFT)),
        )
        .order_by("region__sort_order", "region__code")
    )
    late = today > period.due_date
    result = []
    for row in rows:
        missing = row["due"] - row["filed"]
        if missing == 0:
            state = "complete"
        elif late:
            state = "late"
        else:
            state = "in_progress"
        result.append({**row, "missing": missing, "state": state})
    return result


def import_job_get(*, user, pk) -> ImportJob:
    """One Excel import, for the user who uploaded it (superusers see every one)."""
    scoped = ImportJob.objects.select_related("period", "region", "created_by")
    if not (user.is_superuser and user.is_active):
        scoped = scoped.filter(created_by=user)
    job = scoped_get_or_404(queryset=ImportJob.objects.all(), scoped=scoped, user=user, pk=pk)
    assert isinstance(job, ImportJob)
    return job


def import_job_list(*, user, period: ReportingPeriod | None = None) -> QuerySet[ImportJob]:
    """The user's own Excel imports, latest first."""
    jobs = ImportJob.objects.filter(created_by=user).select_related("period")
    if period is not None:
        jobs = jobs.filter(period=period)
    return jobs.order_by("-created_at", "-id")
