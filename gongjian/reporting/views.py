"""Pages for monthly reporting: the district workspace (本月填报), review queues, the city's
completion board and the periods. Thin: scope → form → service → message."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongjian.accounts.scopes import has_any_role, regions_visible_to
from gongjian.audit.services import audit_denied
from gongjian.core.periods import parse_month, today
from gongjian.core.replica import replica_reads
from gongjian.projects.selectors import project_get
from gongjian.regions.selectors import region_list_reporting
from gongjian.reporting import exports, imports, jobs, selectors, services, workbook
from gongjian.reporting.choices import EDITABLE_STATUSES, ImportKind, ReportStatus
from gongjian.reporting.forms import (
    ImportUploadForm,
    PeriodOpenForm,
    PeriodReopenForm,
    ReportRowForm,
    ReturnForm,
)
from gongjian.reporting.models import ProgressReport, ReportingPeriod, ReportPhoto
from gongjian.reporting.rules import CITY_REVIEW_ROLES, DISTRICT_REVIEW_ROLES, FILER_ROLES
from gongjian.reporting.validation import Finding


def _period_from(request: HttpRequest, *, with_work=None) -> ReportingPeriod:
    """The period asked for by ``?period=YYYY-MM``; without one, the earliest open period that
    still has work for this user (``with_work``: a queryset of period ids), else the current."""
    text = request.GET.get("period") or request.POST.get("period") or ""
    if text:
        try:
            month = parse_month(text)
        except ValueError:
            raise Http404 from None
        return get_object_or_404(ReportingPeriod, month=month)
    if with_work is not None:
        period = selectors.period_first_with_work(periods_with_work=with_work)
    else:
        period = selectors.period_current()
    if period is None:
        raise Http404(_("尚未开启任何填报期。"))
    return period


def _error_text(error: ValidationError) -> list[str]:
    return list(error.messages)


# ---------------------------------------------------------------------------------------------
# Workspace


# Rows of one district's workspace on one page.
ROWS_PER_PAGE = 30


def _waiting_statuses(user) -> list[str]:
    waiting: list[str] = []
    if has_any_role(user, DISTRICT_REVIEW_ROLES):
        waiting.append(ReportStatus.SUBMITTED)
    if has_any_role(user, CITY_REVIEW_ROLES):
        waiting.append(ReportStatus.DISTRICT_APPROVED)
    return waiting


@require_safe
@login_required
@replica_reads
def workspace(request: HttpRequest) -> HttpResponse:
    """本月填报: a district's due projects, paged, with search and filter tabs. A user covering
    several districts (the city) first sees the status board per district and drills down."""
    user = request.user
    period = _period_from(request, with_work=selectors.periods_to_file(user=user))
    region_code = request.GET.get("region", "")
    region = regions_visible_to(user).filter(code=region_code).first() if region_code else None
    regions = list(region_list_reporting().filter(pk__in=regions_visible_to(user)))
    region_picker = len(regions) > 1
    show = request.GET.get("show", "")
    q = request.GET.get("q", "").strip()[:100]
    context = {
        "period": period,
        "periods": selectors.period_list(),
        "regions": regions,
        "region_picker": region_picker,
        "region": region,
        "show": show,
        "q": q,
    }
    if region_picker and region is None and not q:
        context["board"] = selectors.district_status(user=user, period=period, today=today())
        return render(request, "reporting/workspace.html", context)
    due = selectors.workspace_due(user=user, period=period, region=region)
    counts = selectors.workspace_counts(due)
    can_file = has_any_role(user, FILER_ROLES) and period.is_open
    # Page over the cheap list, then read the full rows (totals, reasons) of this page only.
    page = Paginator(
        selectors.workspace_filter(due, show=show, q=q).values_list("pk", flat=True),
        ROWS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    full = selectors.workspace_rows(user=user, period=period).in_bulk(ids)
    total = counts["total"]
    context.update(
        {
            "tabs": [
                (selectors.RowFilter.ALL, _("全部"), counts["total"]),
                (selectors.RowFilter.TO_FILE, _("待填报"), counts["todo"]),
                (selectors.RowFilter.RETURNED, _("被退回"), counts["returned"]),
                (selectors.RowFilter.FILED, _("已报送"), counts["filed"]),
            ],
            "rows": [_row_context(full[pk], can_file=can_file) for pk in ids],
            "page": page,
            "counts": counts,
            "todo_count": counts["todo"],
            "done": counts["filed"],
            "total": total,
            "percent": round(counts["filed"] * 100 / total) if total else 100,
            "can_file": can_file,
            "excel": _excel_panel(request, period),
        }
    )
    return render(request, "reporting/workspace.html", context)


def _row_context(
    row,
    *,
    can_file: bool,
    form: ReportRowForm | None = None,
    findings=None,
    errors: list[str] | None = None,
    saved: bool = False,
) -> dict:
    editable = can_file and (row.report_status is None or row.report_status in EDITABLE_STATUSES)
    if form is None:
        form = ReportRowForm(
            initial={
                "amount": row.report_amount,
                "progress_text": row.report_progress or "",
                "adjustment_note": row.report_note or "",
                "version": row.report_version,
            },
            prefix=f"p{row.pk}",
        )
    status = row.report_status
    return {
        "project": row,
        "form": form,
        "editable": editable,
        "selectable": editable and row.report_id is not None,
        "status": status or "none",
        "status_label": ReportStatus(status).label if status else _("未填报"),
        "return_reason": row.return_reason if status == ReportStatus.RETURNED else "",
        "findings": findings or [],
        "errors": errors or [],
        "saved": saved,
    }


@login_required
@require_POST
def workspace_row(request: HttpRequest, period_pk: int, project_pk: int) -> HttpResponse:
    """Save one project's figures (htmx) as a draft, or save and submit; answer the new row."""
    period = get_object_or_404(ReportingPeriod, pk=period_pk)
    project = project_get(user=request.user, pk=project_pk)
    form: ReportRowForm | None = ReportRowForm(request.POST, prefix=f"p{project.pk}")
    findings: list[Finding] = []
    errors: list[str] = []
    saved = False
    if form is not None and form.is_valid():
        submit = request.POST.get("action") == "submit"
        save = services.report_save_and_submit if submit else services.report_save
        try:
            _report, findings = save(
                actor=request.user,
                project=project,
                period=period,
                data=form.to_input(),
                expected_version=form.cleaned_data.get("version"),
            )
        except services.ReportNotSubmittedError as error:
            # Saved as a draft: the row shows the stored values and each rule's finding.
            saved, form = True, None
            findings = services.report_check(error.report)
            errors = [_("已保存为草稿，但未报送：请先修改标为“须修改”的内容。")]
        except ValidationError as error:
            # Nothing was stored: keep what the filer typed in the form so it is not lost.
            errors = _error_text(error)
        else:
            saved = True
            # The row now shows the stored values and the new version.
            form = None
    row = get_object_or_404(
        selectors.workspace_rows(user=request.user, period=period), pk=project.pk
    )
    context = _row_context(
        row, can_file=period.is_open, form=form, findings=findings, errors=errors, saved=saved
    )
    return render(request, "reporting/_row.html", {"row": context, "period": period})


def _run_many(
    request: HttpRequest,
    reports: Iterable[ProgressReport],
    action: Callable[[ProgressReport], object],
    done_message: str,
) -> None:
    """Apply one service call per report, each in its own transaction; report every outcome."""
    succeeded, failures = 0, []
    for report in reports:
        try:
            action(report)
            succeeded += 1
        except (ValidationError, PermissionDenied) as error:
            text = (
                "；".join(error.messages) if isinstance(error, ValidationError) else _("无权操作")
            )
            failures.append(f"{report.project.code} {report.project.name}：{text}")
    if succeeded:
        messages.success(request, done_message % {"count": succeeded})
    for failure in failures:
        messages.error(request, failure)
    if not succeeded and not failures:
        messages.warning(request, _("请先勾选报告。"))


def _as_seen(report: ProgressReport, shown_version: str | None) -> ProgressReport:
    """Act on the version the page showed, so a report changed since then is refused by the
    service instead of being approved or returned unseen."""
    if shown_version and shown_version.isdigit():
        report.version = int(shown_version)
    return report


def _selected_reports(request: HttpRequest) -> list[ProgressReport]:
    ids = [int(v) for v in request.POST.getlist("report") if v.isdigit()]
    reports = (
        ProgressReport.objects.visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("project", "project__region", "period")
        .order_by("project__code")
    )
    return [_as_seen(r, request.POST.get(f"version-{r.pk}")) for r in reports]


@login_required
@require_POST
def submit_many(request: HttpRequest) -> HttpResponse:
    _run_many(
        request,
        _selected_reports(request),
        lambda r: services.report_submit(actor=request.user, report=r),
        _("已报送 %(count)s 份报告。"),
    )
    return redirect(f"{reverse('reporting:workspace')}?period={request.POST.get('period', '')}")


# ---------------------------------------------------------------------------------------------
# Review


@require_safe
@login_required
@replica_reads
def review_queue(request: HttpRequest) -> HttpResponse:
    """Reports waiting for this reviewer: district reviewers see submitted ones of their
    districts, city reviewers those the districts approved."""
    waiting = _waiting_statuses(request.user)
    if not waiting:
        raise audit_denied(actor=request.user, message=_("无权审核月度报告。"))
    period = _period_from(
        request, with_work=selectors.periods_to_review(user=request.user, statuses=waiting)
    )
    reports = list(
        ProgressReport.objects.visible_to(request.user)
        .filter(period=period, status__in=waiting)
        .select_related("project", "project__region", "project__category", "period")
        .order_by("project__region__sort_order", "project__code")
    )
    reports = [r for r in reports if _can_review(request.user, r)]
    return render(
        request,
        "reporting/review.html",
        {
            "period": period,
            "periods": selectors.period_list(),
            "reports": reports,
            "return_form": ReturnForm(),
        },
    )


def _can_review(user, report: ProgressReport) -> bool:
    perm = (
        "reporting.review_district"
        if report.status == ReportStatus.SUBMITTED
        else "reporting.review_city"
    )
    return user.has_perm(perm, report)


@login_required
@require_POST
def review_action(request: HttpRequest, pk: int) -> HttpResponse:
    report = _as_seen(selectors.report_get(user=request.user, pk=pk), request.POST.get("version"))
    try:
        if request.POST.get("action") == "return":
            services.report_return(
                actor=request.user, report=report, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已退回 %(code)s。") % {"code": report.project.code})
        else:
            services.report_approve(actor=request.user, report=report)
            messages.success(request, _("已审核通过 %(code)s。") % {"code": report.project.code})
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, f"{report.project.code}：{text}")
    return redirect(f"{reverse('reporting:review')}?period={report.period.month:%Y-%m}")


@login_required
@require_POST
def approve_many(request: HttpRequest) -> HttpResponse:
    _run_many(
        request,
        _selected_reports(request),
        lambda r: services.report_approve(actor=request.user, report=r),
        _("已审核通过 %(count)s 份报告。"),
    )
    return redirect(f"{reverse('reporting:review')}?period={request.POST.get('period', '')}")


@require_safe
@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    can_add_photos = (
        report.status in EDITABLE_STATUSES
        and report.period.is_open
        and request.user.has_perm("reporting.file_report", report)
    )
    return render(
        request,
        "reporting/report_detail.html",
        {
            "report": report,
            "changes": report.status_changes.select_related("actor"),
            "findings": services.report_check(report),
            "photos": report.photos.select_related("uploaded_by"),
            "can_add_photos": can_add_photos,
            "can_raise_problem": request.user.has_perm("projects.raise_problem", report.project),
            "problems": report.problems.select_related("department").order_by("-raised_at"),
            "can_review": report.status in (ReportStatus.SUBMITTED, ReportStatus.DISTRICT_APPROVED)
            and _can_review(request.user, report),
            "return_form": ReturnForm(),
        },
    )


@login_required
@require_POST
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    uploads = request.FILES.getlist("photo")
    if not uploads:
        messages.error(request, _("请选择要上传的照片。"))
    added = 0
    for upload in uploads:
        try:
            services.report_photo_add(
                actor=request.user,
                report=report,
                upload=upload,
                caption=request.POST.get("caption", ""),
            )
            added += 1
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
    if added:
        messages.success(request, _("已上传 %(count)s 张照片。") % {"count": added})
    return redirect("reporting:detail", pk=report.pk)


@login_required
def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    """A report photo, served only to those who can see the report."""
    photo = get_object_or_404(ReportPhoto, pk=pk)
    selectors.report_get(user=request.user, pk=photo.report_id)
    return FileResponse(photo.image.open("rb"), content_type=photo.content_type)


# ---------------------------------------------------------------------------------------------
# City board and periods


@require_safe
@login_required
@replica_reads
def status_board(request: HttpRequest) -> HttpResponse:
    """Which districts are complete, in progress or late this period."""
    period = _period_from(request)
    return render(
        request,
        "reporting/status.html",
        {
            "period": period,
            "periods": selectors.period_list(),
            "rows": selectors.district_status(user=request.user, period=period, today=today()),
            "today": today(),
        },
    )


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    can_manage = request.user.has_perm("reporting.manage_periods")
    form = PeriodOpenForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise audit_denied(actor=request.user, message=_("无权开启填报期。"))
        if form.is_valid():
            try:
                period = services.period_open(
                    actor=request.user,
                    month=form.cleaned_data["month"],
                    due_date=form.cleaned_data.get("due_date"),
                )
            except ValidationError as error:
                for text in error.messages:
                    form.add_error(None, text)
            else:
                messages.success(request, _("已开启 %(label)s 填报。") % {"label": period.label})
                return redirect("reporting:periods")
    return render(
        request,
        "reporting/periods.html",
        {
            "periods": selectors.period_list(),
            "form": form,
            "can_manage": can_manage,
            "reopen_form": PeriodReopenForm(),
        },
    )


@login_required
@require_POST
def period_state(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(ReportingPeriod, pk=pk)
    try:
        if request.POST.get("action") == "reopen":
            services.period_reopen(
                actor=request.user, period=period, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已重新开启 %(label)s。") % {"label": period.label})
        else:
            services.period_close(actor=request.user, period=period)
            messages.success(request, _("已关闭 %(label)s 填报。") % {"label": period.label})
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("reporting:periods")


# ---------------------------------------------------------------------------------------------
# Excel round trip: the template, the upload, its result and progress, the annotated workbook

# The result page lists this many errors; the annotated workbook has every one.
ERRORS_ON_PAGE = 500


def _excel_panel(request: HttpRequest, period: ReportingPeriod) -> dict:
    """What the workspace's "Excel 导入导出" panel shows."""
    return {
        "form": ImportUploadForm(),
        "recent": list(selectors.import_job_list(user=request.user, period=period)[:3]),
        "max_bytes": workbook.MAX_UPLOAD_BYTES,
        "max_rows": workbook.MAX_DATA_ROWS,
        "background_rows": settings.REPORT_IMPORT_BACKGROUND_ROWS,
    }


def _xlsx_response(file: exports.ExcelFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(True, file.filename) or "attachment"
    )
    return response


@require_safe
@login_required
def excel_template(request: HttpRequest) -> HttpResponse:
    """The period's template for the user's projects (one region of them with ?region=)."""
    period = _period_from(request)
    region_code = request.GET.get("region", "")
    region = (
        regions_visible_to(request.user).filter(code=region_code).first() if region_code else None
    )
    return _xlsx_response(
        exports.report_template_export(actor=request.user, period=period, region=region)
    )


@login_required
@require_POST
def excel_import(request: HttpRequest) -> HttpResponse:
    period = _period_from(request)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, str(text))
        return redirect(f"{reverse('reporting:workspace')}?period={period.month:%Y-%m}")
    job = imports.import_start(
        actor=request.user,
        period=period,
        upload=form.cleaned_data["file"],
        submit_after=form.cleaned_data["submit_after"],
    )
    return redirect("reporting:import_detail", pk=job.pk)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = jobs.import_job_expire_stalled(job=selectors.import_job_get(user=request.user, pk=pk))
    context = {
        "job": job,
        "period": job.period,
        "errors": job.errors[:ERRORS_ON_PAGE],
        "errors_hidden": max(len(job.errors) - ERRORS_ON_PAGE, 0),
    }
    if job.kind == ImportKind.REPORT:
        context["has_annotated"] = bool(job.file) and any(e.get("row") for e in job.errors)
        return render(request, "reporting/import.html", context)
    spec = jobs.KINDS[job.kind]
    context.update(
        has_annotated=bool(job.annotated),
        upload_url=reverse(spec.upload_url),
        result_url=reverse(spec.result_url),
    )
    return render(request, "reporting/import_job.html", context)


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar (htmx polls it); once the import is over the page reloads itself."""
    job = jobs.import_job_expire_stalled(job=selectors.import_job_get(user=request.user, pk=pk))
    response = render(request, "reporting/_import_progress.html", {"job": job})
    if job.is_finished:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_run_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Run in this request an import no background worker picked up."""
    job = selectors.import_job_get(user=request.user, pk=pk)
    try:
        jobs.import_job_run_now(actor=request.user, job=job)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("reporting:import_detail", pk=job.pk)


@login_required
def import_annotated(request: HttpRequest, pk: int) -> HttpResponse:
    """The uploaded workbook with its errors drawn red and commented."""
    job = selectors.import_job_get(user=request.user, pk=pk)
    try:
        file = exports.import_annotated_export(actor=request.user, job=job)
    except ValidationError:
        raise Http404 from None
    return _xlsx_response(file)
