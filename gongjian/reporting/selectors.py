"""Reads for monthly reporting: who is due, what they filed, and the derived totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from gongjian.accounts.scopes import region_scope_q
from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.core.periods import month_end
from gongjian.projects.choices import Stage
from gongjian.projects.models import Project, StageEvent
from gongjian.regions.models import Region
from gongjian.reporting.choices import EDITABLE_STATUSES, PeriodState, ReportStatus
from gongjian.reporting.models import (
    ImportJob,
    ProgressReport,
    ReportingPeriod,
    ReportStatusChange,
)

_ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))


_MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)


YTD_APPROVED, YTD_PENDING, YTD_FILED = "approved", "pending", "filed"


def year_to_date(
    month: dt.date | None = None, *, project: str = "pk", part: str = YTD_APPROVED
) -> Coalesce:
    """The one year-to-date total of reported investment (万元), as an expression for a queryset
    whose rows reference a project (``project``, an OuterRef name: ``"pk"`` for projects,
    ``"project"`` for reports): the reports of ``month``'s year up to ``month``, or, with
    ``month`` None, up to the row's own ``period__month`` (for a queryset of reports).

    ``part``: ``YTD_APPROVED`` (the default) counts city-approved reports only — what every page,
    export, bulletin and the engine call 完成. ``YTD_PENDING`` is the rest: amounts saved or filed
    but not yet city-approved (drafts, submitted, district-approved, returned), and
    ``YTD_FILED`` both together (a filer's own running total); a page shows either only labelled
    as such (含待审核 X 万元)."""
    reports = ProgressReport.objects.filter(project=OuterRef(project))
    if month is None:
        reports = reports.filter(
            period__month__year=OuterRef("period__month__year"),
            period__month__lte=OuterRef("period__month"),
        )
    else:
        reports = reports.filter(
            period__month__gte=dt.date(month.year, 1, 1), period__month__lte=month
        )
    approved = Q(status=ReportStatus.CITY_APPROVED)
    if part == YTD_APPROVED:
        reports = reports.filter(approved)
    elif part == YTD_PENDING:
        reports = reports.filter(~approved)
    elif part != YTD_FILED:
        raise ValueError(f"unknown year-to-date part {part!r}")
    total = reports.order_by().values("project").annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(total, output_field=_MONEY), _ZERO, output_field=_MONEY)


def period_current() -> ReportingPeriod | None:
    """The latest open period, else the latest period."""
    return (
        ReportingPeriod.objects.filter(state="open").order_by("-month").first()
        or ReportingPeriod.objects.order_by("-month").first()
    )


def period_first_with_work(*, periods_with_work) -> ReportingPeriod | None:
    """The earliest open period for which ``periods_with_work`` (a queryset of period ids that
    still hold work for the user) answers; else the current period. November still open and due
    12-05 comes before December, which has just opened."""
    period = (
        ReportingPeriod.objects.filter(state=PeriodState.OPEN, pk__in=periods_with_work)
        .order_by("month")
        .first()
    )
    return period or period_current()


def periods_to_file(*, user) -> QuerySet:
    """Ids of the open periods in which the user's projects still have a report to file: not yet
    filed, a draft, or returned. One query per open period (there are one or two)."""
    ids = []
    for period in ReportingPeriod.objects.filter(state=PeriodState.OPEN).order_by("month"):
        if workspace_due(user=user, period=period).filter(_TO_FILE).exists():
            ids.append(period.pk)
    return ReportingPeriod.objects.filter(pk__in=ids).values("pk")


def periods_to_review(*, user, statuses: list[str]) -> QuerySet:
    """Ids of the open periods holding reports in ``statuses`` that the user can see."""
    return (
        ProgressReport.objects.visible_to(user)
        .filter(status__in=statuses, period__state=PeriodState.OPEN)
        .values("period_id")
    )


def period_list() -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.order_by("-month")


def projects_due(*, period: ReportingPeriod) -> QuerySet[Project]:
    """Projects that must report for ``period``: in a monthly-reporting category, started by the
    end of the month, and not completed before it began."""
    last_day = month_end(period.month)
    started = StageEvent.objects.confirmed().filter(
        project=OuterRef("pk"), stage=Stage.STARTED, date__lte=last_day
    )
    completed_before = StageEvent.objects.confirmed().filter(
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


# A row still to be filed: no report yet, a draft, or returned by a reviewer.
_TO_FILE = Q(report_status__isnull=True) | Q(report_status__in=EDITABLE_STATUSES)


class RowFilter:
    """What the workspace's filter tabs select."""

    ALL = ""
    TO_FILE = "todo"
    RETURNED = "returned"
    FILED = "filed"


def workspace_filter(rows: QuerySet, *, show: str = "", q: str = "") -> QuerySet:
    """Narrow the workspace rows by tab and by a code or name search; what still needs the filer
    comes first."""
    if show == RowFilter.TO_FILE:
        rows = rows.filter(_TO_FILE)
    elif show == RowFilter.RETURNED:
        rows = rows.filter(report_status=ReportStatus.RETURNED)
    elif show == RowFilter.FILED:
        rows = rows.exclude(_TO_FILE)
    q = (q or "").strip()
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return rows.order_by("work_order", "region__sort_order", "code")


def workspace_counts(rows: QuerySet) -> dict[str, int]:
    """How many rows in all, still to file, returned and filed (one query)."""
    counts = rows.order_by().aggregate(
        total=Count("id"),
        todo=Count("id", filter=_TO_FILE),
        returned=Count("id", filter=Q(report_status=ReportStatus.RETURNED)),
    )
    counts["filed"] = counts["total"] - counts["todo"]
    return counts


def workspace_due(*, user, period: ReportingPeriod, region: Region | None = None) -> QuerySet:
    """The projects the user covers that are due this period, with only this month's report
    status and ``work_order`` (returned, not started, drafts, the rest): cheap enough to count,
    filter and page before the full rows are read."""
    this_month = ProgressReport.objects.filter(project=OuterRef("pk"), period=period)
    projects = (
        projects_due(period=period)
        .filter(pk__in=Project.objects.visible_to(user).values("pk"))
        .annotate(report_status=Subquery(this_month.values("status")[:1]))
        .annotate(
            work_order=Case(
                When(report_status=ReportStatus.RETURNED, then=Value(0)),
                When(report_status__isnull=True, then=Value(1)),
                When(report_status=ReportStatus.DRAFT, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("region__sort_order", "code")
    )
    if region is not None:
        projects = projects.filter(region__path__startswith=region.path)
    return projects


def workspace_rows(*, user, period: ReportingPeriod, region: Region | None = None) -> QuerySet:
    """Every project the user covers that is due this period, with this month's report (if any),
    the reviewer's reason when it was returned, its year-to-date totals (``year_to_date``:
    ``ytd`` city-approved, ``ytd_pending`` not yet, ``ytd_filed`` both, the filer's running
    total), and its since-start total of everything filed, in one query."""
    this_month = ProgressReport.objects.filter(project=OuterRef("pk"), period=period)
    last_return = ReportStatusChange.objects.filter(
        report__project=OuterRef("pk"), report__period=period, to_status=ReportStatus.RETURNED
    ).order_by("-at", "-id")
    return (
        workspace_due(user=user, period=period, region=region)
        .select_related("region", "category")
        .annotate(
            report_id=Subquery(this_month.values("pk")[:1]),
            report_version=Subquery(this_month.values("version")[:1]),
            report_amount=Subquery(this_month.values("amount")[:1]),
            report_progress=Subquery(this_month.values("progress_text")[:1]),
            report_note=Subquery(this_month.values("adjustment_note")[:1]),
            ytd=year_to_date(period.month),
            ytd_pending=year_to_date(period.month, part=YTD_PENDING),
            ytd_filed=year_to_date(period.month, part=YTD_FILED),
            since_start=_amount_sum(Q(reports__period__month__lte=period.month)),
            return_reason=Subquery(last_return.values("reason")[:1]),
        )
    )


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


def import_job_list(
    *, user, period: ReportingPeriod | None = None, kind: str = ""
) -> QuerySet[ImportJob]:
    """The user's own imports (of one kind when asked), latest first."""
    jobs = ImportJob.objects.filter(created_by=user).select_related("period")
    if period is not None:
        jobs = jobs.filter(period=period)
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs.order_by("-created_at", "-id")
