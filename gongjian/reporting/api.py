"""The reporting API: periods, monthly reports and their review workflow.

Thin, like the pages: fetch through the caller's scope, call the same services (which check
permission, validate and audit), answer JSON. Amounts are decimal strings in 万元. A refusal by a
service is answered 403 (no permission), 409 (someone else changed or created the report) or 422
(``{"detail": ..., "errors": {field: [messages]}}``, with the services' own Chinese messages).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import FilterSchema, Query, Router, Schema, Status

from gongjian.core.api import ErrorOut, Listing, ValidationErrorOut, paginate
from gongjian.core.money import CENT
from gongjian.core.periods import parse_month
from gongjian.projects.models import Project
from gongjian.projects.selectors import project_get
from gongjian.reporting import selectors, services
from gongjian.reporting.choices import ReportStatus
from gongjian.reporting.models import ProgressReport, ReportingPeriod
from gongjian.reporting.selectors import YTD_FILED, YTD_PENDING, year_to_date
from gongjian.reporting.services import ReportInput
from gongjian.reporting.validation import Finding

periods_router = Router(tags=["periods"])
reports_router = Router(tags=["reports"])


# ---------------------------------------------------------------------------------------------
# Schemas


class PeriodOut(Schema):
    month: str  # "2022-11"
    due_date: dt.date
    state: str

    @staticmethod
    def from_period(period: ReportingPeriod) -> PeriodOut:
        return PeriodOut(
            month=f"{period.month:%Y-%m}", due_date=period.due_date, state=period.state
        )


class PeriodPage(Schema):
    count: int
    items: list[PeriodOut]


class FindingOut(Schema):
    rule: str
    severity: str  # "block" or "warn"
    field: str
    message: str


class ReportOut(Schema):
    id: int
    project_id: int
    project_code: str
    project_name: str
    region_code: str
    region_name: str
    period: str  # "2022-11"
    amount: str  # decimal string, 万元
    progress_text: str
    adjustment_note: str
    status: str
    version: int
    warnings: list[FindingOut]  # what the filer was warned of at submission
    ytd: str  # this year's reports up to this month, 万元, every one filed (含待审核)
    ytd_pending: str  # the part of ytd not yet city-approved (完成 counts approved ones only)
    since_start: str  # every report up to this month, 万元
    submitted_at: dt.datetime | None
    updated_at: dt.datetime

    @staticmethod
    def from_report(report: ProgressReport) -> ReportOut:
        """``report`` comes from ``_with_totals`` (it carries ``ytd``, ``ytd_pending`` and
        ``since_start``)."""
        project = report.project
        return ReportOut(
            id=report.pk,
            project_id=project.pk,
            project_code=project.code,
            project_name=project.name,
            region_code=project.region.code,
            region_name=project.region.name,
            period=f"{report.period.month:%Y-%m}",
            amount=_wan(report.amount),
            progress_text=report.progress_text,
            adjustment_note=report.adjustment_note,
            status=report.status,
            version=report.version,
            warnings=[FindingOut(**warning) for warning in report.warnings],
            ytd=_wan(report.ytd),  # type: ignore[attr-defined]
            ytd_pending=_wan(report.ytd_pending),  # type: ignore[attr-defined]
            since_start=_wan(report.since_start),  # type: ignore[attr-defined]
            submitted_at=report.submitted_at,
            updated_at=report.updated_at,
        )


class ReportSavedOut(ReportOut):
    # Every rule's finding on the saved figures: "block" ones will refuse the submission.
    findings: list[FindingOut]


class ReportFilter(FilterSchema):
    period: str = ""  # "2022-11"
    region: str = ""  # a region code; its whole subtree matches
    status: ReportStatus | None = None
    project: str = ""  # a project code

    def filter_period(self, value: str) -> Q:
        if not value:
            return Q()
        try:
            return Q(period__month=parse_month(value))
        except ValueError as error:
            raise ValidationError({"period": [str(error)]}) from None

    def filter_region(self, value: str) -> Q:
        if not value:
            return Q()
        return Q(project__region__code=value) | Q(project__region__path__contains=f"/{value}/")

    def filter_status(self, value: ReportStatus | None) -> Q:
        return Q(status=value) if value else Q()

    def filter_project(self, value: str) -> Q:
        return Q(project__code=value.strip()) if value else Q()


class ReportCreateIn(Schema):
    project: int | str  # the project's id (a number) or its code (a string)
    period: str  # "2022-11"
    amount: str  # decimal string, 万元
    progress_text: str = ""
    adjustment_note: str = ""


class ReportUpdateIn(Schema):
    version: int  # the version the edit began from
    amount: str
    progress_text: str = ""
    adjustment_note: str = ""


class ReportPatchIn(Schema):
    version: int
    amount: str | None = None
    progress_text: str | None = None
    adjustment_note: str | None = None


class SubmitIn(Schema):
    version: int | None = None  # when given, refused (409) if the report changed since


class ApproveIn(Schema):
    note: str = ""
    version: int | None = None


class ReturnIn(Schema):
    reason: str = ""  # required: the service refuses an empty reason with its own message
    version: int | None = None


_REFUSALS: dict[int, Any] = {
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


# ---------------------------------------------------------------------------------------------
# Helpers


def _wan(value: Decimal) -> str:
    return str(value.quantize(CENT))


_TOTAL: DecimalField = DecimalField(max_digits=18, decimal_places=2)


def _since_start() -> Coalesce:
    """The sum of the amounts of the same project's reports up to this report's month (a
    correlated subquery: the page's other filters must not narrow the total)."""
    reports = (
        ProgressReport.objects.filter(
            project=OuterRef("project"), period__month__lte=OuterRef("period__month")
        )
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(reports, output_field=_TOTAL), Value(Decimal(0), output_field=_TOTAL))


def _with_totals(reports: QuerySet[ProgressReport]) -> QuerySet[ProgressReport]:
    """Reports with the project's year-to-date totals (every report filed, and the part not yet
    city-approved) and since-start total, computed in SQL."""
    return reports.select_related("project", "project__region", "period").annotate(
        ytd=year_to_date(project="project", part=YTD_FILED),
        ytd_pending=year_to_date(project="project", part=YTD_PENDING),
        since_start=_since_start(),
    )


def _report_out(user, report: ProgressReport) -> ReportOut:
    return ReportOut.from_report(
        _with_totals(ProgressReport.objects.visible_to(user)).get(pk=report.pk)
    )


def _written_out(report: ProgressReport) -> ReportOut:
    """The answer to a write: ``report`` is the row the service just wrote (so within the
    caller's scope, with its project, region and period loaded, and with the project's totals up
    to its month, which the service read with the row): no query."""
    return ReportOut.from_report(report)


def _saved_out(report: ProgressReport, findings: list[Finding]) -> ReportSavedOut:
    out = _written_out(report)
    return ReportSavedOut(
        **out.model_dump(), findings=[FindingOut(**f.as_dict()) for f in findings]
    )


def _month(text: str, errors: dict[str, list[str]]) -> dt.date | None:
    try:
        return parse_month(text)
    except ValueError as error:
        errors.setdefault("period", []).append(str(error))
        return None


def _amount(text: str, errors: dict[str, list[str]]) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        errors.setdefault("amount", []).append(_("本月完成投资不是有效的数字。"))
        return Decimal(0)


def _project(user, reference: int | str, errors: dict[str, list[str]]) -> Project | None:
    """The project by id or code, through the caller's scope. A project outside it is reported
    exactly as a missing one (and the attempt is audited by ``project_get``)."""
    try:
        if isinstance(reference, int):
            return project_get(user=user, pk=reference)
        return project_get(user=user, code=reference.strip())
    except Http404:
        errors.setdefault("project", []).append(
            _("未找到项目“%(project)s”。") % {"project": reference}
        )
        return None


def _stated_version(report: ProgressReport, version: int | None) -> ProgressReport:
    """Let the service refuse the transition (409) when the report moved on since the caller
    last read it."""
    if version is not None:
        report.version = version
    return report


# ---------------------------------------------------------------------------------------------
# Periods


@periods_router.get("", response=PeriodPage, summary="List reporting periods, newest first")
def list_periods(request: HttpRequest):
    periods = [PeriodOut.from_period(p) for p in selectors.period_list()]
    return {"count": len(periods), "items": periods}


@periods_router.get(
    "/{month}", response={200: PeriodOut, 404: ErrorOut}, summary="One reporting period"
)
def get_period(request: HttpRequest, month: str):
    try:
        first_day = parse_month(month)
    except ValueError:
        raise Http404 from None
    return PeriodOut.from_period(get_object_or_404(ReportingPeriod, month=first_day))


# ---------------------------------------------------------------------------------------------
# Reports: reads


@reports_router.get(
    "",
    response={200: list[ReportOut], 422: ValidationErrorOut},
    summary="List monthly reports in the caller's scope",
)
@paginate
def list_reports(request: HttpRequest, filters: Query[ReportFilter]):
    visible = filters.filter(ProgressReport.objects.visible_to(request.user))
    reports = _with_totals(visible).order_by(
        "-period__month", "project__region__sort_order", "project__code"
    )
    return Listing(reports, ReportOut.from_report)


@reports_router.get(
    "/{report_id}",
    response={200: ReportOut, 404: ErrorOut},
    summary="One monthly report in the caller's scope",
)
def get_report(request: HttpRequest, report_id: int):
    report = selectors.report_get(user=request.user, pk=report_id)
    return _report_out(request.user, report)


# ---------------------------------------------------------------------------------------------
# Reports: writes


@reports_router.post(
    "",
    response={201: ReportSavedOut, **_REFUSALS},
    summary="File a project's report for a month (saved as a draft)",
)
def create_report(request: HttpRequest, payload: ReportCreateIn):
    errors: dict[str, list[str]] = {}
    project = _project(request.user, payload.project, errors)
    month = _month(payload.period, errors)
    period = ReportingPeriod.objects.filter(month=month).first() if month else None
    if month and period is None:
        errors.setdefault("period", []).append(
            _("%(month)s 填报期尚未开启。") % {"month": f"{month:%Y-%m}"}
        )
    amount = _amount(payload.amount, errors)
    if errors:
        raise ValidationError(errors)
    assert project is not None and period is not None
    report, findings = services.report_save(
        actor=request.user,
        project=project,
        period=period,
        data=ReportInput(
            amount=amount,
            progress_text=payload.progress_text,
            adjustment_note=payload.adjustment_note,
        ),
        expected_version=None,
    )
    return Status(201, _saved_out(report, findings))


def _save(
    request: HttpRequest,
    report_id: int,
    *,
    version: int,
    amount: str | None,
    progress_text: str | None,
    adjustment_note: str | None,
) -> ReportSavedOut:
    """Edit a draft (or returned) report; a field given as None keeps its stored value."""
    report = selectors.report_get(user=request.user, pk=report_id)
    errors: dict[str, list[str]] = {}
    data = ReportInput(
        amount=report.amount if amount is None else _amount(amount, errors),
        progress_text=report.progress_text if progress_text is None else progress_text,
        adjustment_note=report.adjustment_note if adjustment_note is None else adjustment_note,
    )
    if errors:
        raise ValidationError(errors)
    # The stored values merged in above belong to the version read here: if that is not the
    # caller's version, the service refuses the save (409) before anything is written.
    saved, findings = services.report_save(
        actor=request.user,
        project=report.project,
        period=report.period,
        data=data,
        expected_version=version,
    )
    return _saved_out(saved, findings)


@reports_router.put(
    "/{report_id}",
    response={200: ReportSavedOut, **_REFUSALS},
    summary="Replace a draft report's figures (optimistic locking on version)",
)
def update_report(request: HttpRequest, report_id: int, payload: ReportUpdateIn):
    return _save(
        request,
        report_id,
        version=payload.version,
        amount=payload.amount,
        progress_text=payload.progress_text,
        adjustment_note=payload.adjustment_note,
    )


@reports_router.patch(
    "/{report_id}",
    response={200: ReportSavedOut, **_REFUSALS},
    summary="Change some of a draft report's figures (optimistic locking on version)",
)
def patch_report(request: HttpRequest, report_id: int, payload: ReportPatchIn):
    return _save(
        request,
        report_id,
        version=payload.version,
        amount=payload.amount,
        progress_text=payload.progress_text,
        adjustment_note=payload.adjustment_note,
    )


@reports_router.post(
    "/{report_id}/submit",
    response={200: ReportOut, **_REFUSALS},
    summary="Submit a draft or returned report to the district reviewer",
)
def submit_report(request: HttpRequest, report_id: int, payload: SubmitIn | None = None):
    report = selectors.report_get(user=request.user, pk=report_id)
    version = payload.version if payload else None
    submitted = services.report_submit(actor=request.user, report=_stated_version(report, version))
    return _written_out(submitted)


@reports_router.post(
    "/{report_id}/approve",
    response={200: ReportOut, **_REFUSALS},
    summary="Approve at the district review (submitted) or the city review (district approved)",
)
def approve_report(request: HttpRequest, report_id: int, payload: ApproveIn | None = None):
    report = selectors.report_get(user=request.user, pk=report_id)
    payload = payload or ApproveIn()
    approved = services.report_approve(
        actor=request.user, report=_stated_version(report, payload.version), note=payload.note
    )
    return _written_out(approved)


@reports_router.post(
    "/{report_id}/return",
    response={200: ReportOut, **_REFUSALS},
    summary="Return a report under review to the filer, with the reason",
)
def return_report(request: HttpRequest, report_id: int, payload: ReturnIn):
    report = selectors.report_get(user=request.user, pk=report_id)
    returned = services.report_return(
        actor=request.user, report=_stated_version(report, payload.version), reason=payload.reason
    )
    return _written_out(returned)
