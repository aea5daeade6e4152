"""Excel into monthly reporting: an uploaded template becomes draft reports (and, when asked,
submissions) through the same services as the web page, all or nothing.

``import_start`` keeps the upload with an ImportJob, checks the file, then runs the import inline
when it is small or hands it to the background task ``tasks.run_import`` when it is large; both
end in ``import_run``. Every error is collected — by Excel row and column, in the uploader's
language — before anything is decided, and one error anywhere means nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import override as language_override

from gongjian.accounts.scopes import has_any_role, home_region
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import AuditEntry, audit_denied, audit_record, audit_record_many
from gongjian.core.spreadsheets import SpreadsheetError, cell_decimal, cell_text
from gongjian.projects.choices import Stage
from gongjian.projects.models import Project, StageEvent
from gongjian.regions.models import Region
from gongjian.reporting.choices import EDITABLE_STATUSES, ImportStatus, PeriodState, ReportStatus
from gongjian.reporting.jobs import ProgressWriter, enqueue_import_job
from gongjian.reporting.models import (
    ImportJob,
    ProgressReport,
    ReportingPeriod,
    ReportStatusChange,
)
from gongjian.reporting.rules import FILER_ROLES
from gongjian.reporting.selectors import workspace_rows
from gongjian.reporting.services import (
    CENT,
    ReportInput,
    _snapshot,
    storable_errors,
)
from gongjian.reporting.validation import Finding, ReportFacts, validate_report
from gongjian.reporting.workbook import (
    COLUMNS,
    INDEX,
    MAX_UPLOAD_BYTES,
    TEXT_MAX_LENGTH,
    UploadedWorkbook,
    input_digest,
    letter,
    read_workbook,
)

logger = logging.getLogger(__name__)

_INPUT_KEYS = ("amount", "progress_text", "adjustment_note")


def _error(*, row: int | None, detail: str, field: str = "", code: str = "") -> dict[str, Any]:
    """One error as stored on the job: where (Excel row and column letter), and what."""
    if row is None:
        message = detail
    elif field:
        message = _("第 %(row)s 行 %(column)s 列（%(label)s）：%(detail)s") % {
            "row": row,
            "column": letter(field),
            "label": COLUMNS[INDEX[field]].short,
            "detail": detail,
        }
    else:
        message = _("第 %(row)s 行：%(detail)s") % {"row": row, "detail": detail}
    return {
        "row": row,
        "column": letter(field) if row is not None and field else None,
        "field": field,
        "code": code,
        "detail": detail,
        "message": message,
    }


def _error_order(error: dict[str, Any]) -> tuple[int, int]:
    return (error["row"] or 0, INDEX[error["field"]] if error["field"] else -1)


# ---------------------------------------------------------------------------------------------
# Starting an import


def import_start(
    *, actor, period: ReportingPeriod, upload: UploadedFile, submit_after: bool = False
) -> ImportJob:
    """Keep the upload and its ImportJob, check the file, and run the import — inline, or as a
    background task when it has more rows than settings.REPORT_IMPORT_BACKGROUND_ROWS.

    A file refused here (wrong type, too large, another period's template...) still leaves a
    failed ImportJob saying why, so that no upload disappears without a word.
    """
    if not has_any_role(actor, FILER_ROLES):
        raise audit_denied(actor=actor, obj=period, message=_("无权导入月度填报。"))
    name = (upload.name or "upload").replace("\\", "/").rsplit("/", 1)[-1][:255]
    job = ImportJob(
        period=period,
        created_by=actor,
        region=home_region(actor),
        original_name=name,
        size=upload.size or 0,
        language=get_language() or settings.LANGUAGE_CODE,
        submit_after=submit_after,
    )
    problem: str | None = None
    if job.size > MAX_UPLOAD_BYTES:
        # Not stored: the limit is there so that such files are not kept either.
        problem = _("文件大小为 %(size)s，超过 %(limit)s 的上限；请分批导入。") % {
            "size": filesizeformat(job.size),
            "limit": filesizeformat(MAX_UPLOAD_BYTES),
        }
    else:
        job.file.save(name, upload, save=False)
        if not name.lower().endswith(".xlsx"):
            problem = _(
                "只能导入 Excel 工作簿（.xlsx）；请下载填报模板，填写后保存为 .xlsx 再上传。"
            )
    uploaded = None
    if problem is None:
        try:
            uploaded = _read(job)
        except SpreadsheetError as error:
            problem = str(error)
    if uploaded is not None:
        problem = _template_problem(uploaded, period)
        region = Region.objects.filter(code=uploaded.meta.region).first()
        job.region = region or job.region
        job.total = len(uploaded.rows)
    if problem is None and not period.is_open:
        problem = _("%(label)s 填报期已关闭，不能导入。") % {"label": period.label}
    job.save()
    if problem is not None or uploaded is None:
        return _finish(job, actor, errors=[_error(row=None, detail=problem or "")])
    if job.total > settings.REPORT_IMPORT_BACKGROUND_ROWS:
        job.is_background = True
        job.save(update_fields=["is_background"])
        # After the job row is committed, or the worker might look for it before it exists.
        transaction.on_commit(partial(enqueue_import_job, job.pk))
        return job
    return import_run(job=job, uploaded=uploaded)


def _read(job: ImportJob) -> UploadedWorkbook:
    with job.file.open("rb") as stored:
        return read_workbook(stored.read())


def _template_problem(uploaded: UploadedWorkbook, period: ReportingPeriod) -> str | None:
    month = f"{period.month:%Y-%m}"
    if uploaded.meta.period != month:
        return _(
            "这是 %(template)s 填报期的模板，不能导入 %(period)s；请下载 %(period)s 的模板后填写。"
        ) % {"template": uploaded.meta.period, "period": month}
    return None


# ---------------------------------------------------------------------------------------------
# Running an import (inline or in the worker)


def import_run(*, job: ImportJob, uploaded: UploadedWorkbook | None = None) -> ImportJob:
    """Check every row, then save them all through ``report_save`` (and ``report_submit`` when
    the job asks for it) in one transaction; any error anywhere rolls everything back."""
    with language_override(job.language or None):
        job.status = ImportStatus.RUNNING
        job.started_at = timezone.now()
        job.progress = 0
        job.save(update_fields=["status", "started_at", "progress"])
        actor = job.created_by
        try:
            if actor is None or not has_any_role(actor, FILER_ROLES):
                return _finish(
                    job,
                    actor,
                    errors=[_error(row=None, detail=_("上传人已无填报权限，导入未执行。"))],
                )
            period = ReportingPeriod.objects.get(pk=job.period_id or 0)
            if not period.is_open:
                detail = _("%(label)s 填报期已关闭，不能导入。") % {"label": period.label}
                return _finish(job, actor, errors=[_error(row=None, detail=detail)])
            if uploaded is None:
                try:
                    uploaded = _read(job)
                except SpreadsheetError as error:
                    return _finish(job, actor, errors=[_error(row=None, detail=str(error))])
            return _import_rows(job=job, actor=actor, period=period, uploaded=uploaded)
        except Exception:
            logger.exception("Excel import %s failed", job.pk)
            job.status = ImportStatus.ERROR
            job.errors = [
                _error(
                    row=None,
                    detail=_(
                        "导入时发生系统错误，未保存任何数据；请稍后重试，或把文件交给管理员。"
                    ),
                )
            ]
            job.finished_at = timezone.now()
            job.save()
            return job


@dataclass(frozen=True)
class _Plan:
    """What to do with one row that passed the checks."""

    row: int
    project: Project
    data: ReportInput
    expected_version: int | None
    save: bool  # False: the row is unchanged and is only to be submitted


@dataclass
class _Outcome:
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    saved: int = 0
    submitted: int = 0
    unchanged: int = 0


def _import_rows(
    *, job: ImportJob, actor, period: ReportingPeriod, uploaded: UploadedWorkbook
) -> ImportJob:
    outcome = _Outcome(errors=[], warnings=[])
    plans = _check_rows(
        actor=actor, period=period, uploaded=uploaded, submit=job.submit_after, outcome=outcome
    )
    skipped = job.total - len(plans)
    ImportJob.objects.filter(pk=job.pk).update(progress=skipped)
    reporter = ProgressWriter(job.pk, live=job.is_background)
    try:
        with transaction.atomic():
            _apply_all(
                actor=actor, period=period, plans=plans, submit=job.submit_after, outcome=outcome
            )
            reporter("save", job.total, job.total)
            if outcome.errors:
                transaction.set_rollback(True)
    finally:
        reporter.close()
    return _finish(job, actor, outcome=outcome)


def _check_rows(
    *, actor, period: ReportingPeriod, uploaded: UploadedWorkbook, submit: bool, outcome: _Outcome
) -> list[_Plan]:
    """Everything that can be known without writing: codes, duplicates, scope, numbers, lengths,
    which rows changed since the download, and whether their reports may still be edited."""
    # Annotated with this month's report (report_id, report_status...), see workspace_rows.
    due: dict[str, Any] = {p.code: p for p in workspace_rows(user=actor, period=period)}
    template = uploaded.meta.by_code
    codes = {cell_text(values[INDEX["code"]]) for _, values in uploaded.rows}
    missing = {code for code in codes if code and code not in due}
    visible = set(
        Project.objects.visible_to(actor).filter(code__in=missing).values_list("code", flat=True)
    )
    for outside in Project.objects.filter(code__in=missing - visible).select_related("region"):
        audit_denied(
            actor=actor,
            obj=outside,
            message=_("导入的工作簿含有范围之外的项目“%(code)s”，已拒绝。")
            % {"code": outside.code},
        )

    errors = outcome.errors
    first_row: dict[str, int] = {}
    plans = []
    for row, values in uploaded.rows:
        code = cell_text(values[INDEX["code"]])
        if not code:
            errors.append(_error(row=row, field="code", detail=_("缺少项目编号。")))
            continue
        if code in first_row:
            detail = _("项目“%(code)s”重复：第 %(first)s 行已填写该项目，同一项目只能有一行。")
            errors.append(
                _error(
                    row=row,
                    field="code",
                    code=code,
                    detail=detail % {"code": code, "first": first_row[code]},
                )
            )
            continue
        first_row[code] = row
        project = due.get(code)
        if project is None:
            if code in visible:
                detail = _("项目“%(code)s”不在 %(label)s 应填报的项目中（尚未开工或已竣工）。") % {
                    "code": code,
                    "label": period.label,
                }
            else:
                detail = _("项目编号“%(code)s”不存在，或不在您的填报范围内。") % {"code": code}
            errors.append(_error(row=row, field="code", code=code, detail=detail))
            continue
        original = template.get(code)
        if original is None:
            detail = _("项目“%(code)s”不在这份模板中；请重新下载模板后填写。") % {"code": code}
            errors.append(_error(row=row, field="code", code=code, detail=detail))
            continue

        found = len(errors)
        amount: Decimal | None = None
        try:
            amount = cell_decimal(values[INDEX["amount"]])
        except ValueError as problem:
            detail = _("%(problem)s请填写以万元为单位的数字，如 1200.50。") % {"problem": problem}
            errors.append(_error(row=row, field="amount", code=code, detail=detail))
        texts = {key: cell_text(values[INDEX[key]]) for key in ("progress_text", "adjustment_note")}
        for key, text in texts.items():
            if len(text) > TEXT_MAX_LENGTH:
                detail = _("%(label)s不能超过 %(limit)s 字（现有 %(length)s 字）。") % {
                    "label": COLUMNS[INDEX[key]].short,
                    "limit": TEXT_MAX_LENGTH,
                    "length": len(text),
                }
                errors.append(_error(row=row, field=key, code=code, detail=detail))
        if len(errors) > found:
            continue

        changed = (
            input_digest(amount, texts["progress_text"], texts["adjustment_note"])
            != original.digest
        )
        status = project.report_status
        editable = status is None or status in EDITABLE_STATUSES
        if not changed and not (submit and editable and project.report_id is not None):
            outcome.unchanged += 1
            continue
        if not actor.has_perm("reporting.file_report", project):
            detail = _("无权填报项目“%(code)s”的月度进展。") % {"code": code}
            audit_denied(actor=actor, obj=project, message=detail)
            errors.append(_error(row=row, code=code, detail=detail))
            continue
        if not editable:
            detail = _(
                "项目“%(code)s”本月报告状态为“%(status)s”，不能通过导入修改；"
                "如需修改请由审核人退回。"
            ) % {"code": code, "status": ReportStatus(status).label}
            errors.append(_error(row=row, code=code, detail=detail))
            continue
        plans.append(
            _Plan(
                row=row,
                project=project,
                data=ReportInput(
                    amount=amount if amount is not None else Decimal(0),
                    progress_text=texts["progress_text"],
                    adjustment_note=texts["adjustment_note"],
                ),
                expected_version=original.version,
                save=changed,
            )
        )
    return plans


def _facts_of(
    plans: list[_Plan], period: ReportingPeriod
) -> tuple[dict[int, Decimal], dict[int, dict[str, dt.date]]]:
    """What the validation rules need for every planned project, in two queries: the reported
    total of the months before this one, and the start and completion dates."""
    ids = [plan.project.pk for plan in plans]
    prior = {
        row["project_id"]: row["total"] or Decimal(0)
        for row in ProgressReport.objects.filter(project_id__in=ids, period__month__lt=period.month)
        .values("project_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    dates: dict[int, dict[str, dt.date]] = {pk: {} for pk in ids}
    for project_id, stage, date in StageEvent.objects.filter(
        project_id__in=ids, stage__in=[Stage.STARTED, Stage.COMPLETED]
    ).values_list("project_id", "stage", "date"):
        dates[project_id][stage] = date
    return prior, dates


def _findings(
    report: ProgressReport, prior: dict[int, Decimal], dates: dict[int, dict[str, dt.date]]
) -> list[Finding]:
    """``report_check`` of a report from facts gathered for all rows at once."""
    project_dates = dates.get(report.project_id, {})
    return validate_report(
        ReportFacts(
            month=report.period.month,
            amount=report.amount,
            progress_text=report.progress_text or "",
            adjustment_note=report.adjustment_note or "",
            total_investment=report.project.total_investment,
            prior_total=prior.get(report.project_id, Decimal(0)),
            started_on=project_dates.get(Stage.STARTED),
            completed_on=project_dates.get(Stage.COMPLETED),
        )
    )


def _apply_all(
    *, actor, period: ReportingPeriod, plans: list[_Plan], submit: bool, outcome: _Outcome
) -> None:
    """Save (and submit) every planned row at once, with what ``report_save`` and
    ``report_submit`` decide for each, their messages and their audit events: the period read
    once, the existing reports locked in one query, the rules' facts in two, then one INSERT of
    the new reports, one UPDATE of the changed ones, one INSERT of status changes and one of
    audit events. Nothing is written when any row has an error (the caller rolls back)."""
    if not plans:
        return
    period = ReportingPeriod.objects.get(pk=period.pk)
    if period.state != PeriodState.OPEN:
        detail = _("%(month)s 填报期已关闭，报告只读。") % {"month": f"{period.month:%Y-%m}"}
        for plan in plans:
            outcome.errors.append(_error(row=plan.row, code=plan.project.code, detail=detail))
        return
    existing = {
        report.project_id: report
        for report in ProgressReport.objects.select_for_update(of=("self",))
        .select_related("project", "period")
        .filter(period=period, project_id__in=[plan.project.pk for plan in plans])
        .order_by("pk")
    }
    prior, dates = _facts_of(plans, period)
    now = timezone.now()
    created: list[tuple[_Plan, ProgressReport]] = []
    changed: list[tuple[_Plan, ProgressReport, dict[str, Any]]] = []
    to_submit: list[tuple[_Plan, ProgressReport, list[Finding]]] = []

    def refuse(plan: _Plan, detail: str, field: str = "") -> None:
        outcome.errors.append(
            _error(row=plan.row, field=field, code=plan.project.code, detail=detail)
        )

    for plan in plans:
        code = plan.project.code
        report = existing.get(plan.project.pk)
        findings: list[Finding] | None = None
        if plan.save:
            problems = storable_errors(plan.data)
            if problems:
                for field, messages in problems.items():
                    for message in messages:
                        refuse(plan, message, field)
                continue
            amount = (plan.data.amount or Decimal(0)).quantize(CENT)
            progress_text = (plan.data.progress_text or "").strip()
            adjustment_note = (plan.data.adjustment_note or "").strip()
            if plan.expected_version is None:
                if report is not None:
                    refuse(
                        plan,
                        _(
                            "%(code)s 的 %(month)s 报告已由他人创建，您的填报未保存；"
                            "请刷新后在该报告上修改。"
                        )
                        % {"code": code, "month": f"{period.month:%Y-%m}"},
                    )
                    continue
                report = ProgressReport(
                    project=plan.project,
                    period=period,
                    amount=amount,
                    progress_text=progress_text,
                    adjustment_note=adjustment_note,
                    created_by=actor,
                )
                created.append((plan, report))
            else:
                if report is None or report.version != plan.expected_version:
                    refuse(
                        plan,
                        _(
                            "保存失败：该报告已被他人修改"
                            "（当前版本 %(current)s，您编辑的是版本 %(mine)s）。"
                            "您的修改未保存，请刷新后重新填写。"
                        )
                        % {
                            "current": report.version if report else "-",
                            "mine": plan.expected_version,
                        },
                    )
                    continue
                if report.status not in EDITABLE_STATUSES:
                    refuse(
                        plan,
                        _("报告当前状态为“%(status)s”，不能修改；如需修改请由审核人退回。")
                        % {"status": report.get_status_display()},
                    )
                    continue
                before = _snapshot(report)
                report.amount = amount
                report.progress_text = progress_text
                report.adjustment_note = adjustment_note
                report.version += 1
                report.updated_at = now
                changed.append((plan, report, before))
            findings = _findings(report, prior, dates)
            blocking = False
            for finding in findings:
                field = finding.field if finding.field in INDEX else ""
                entry = _error(row=plan.row, field=field, code=code, detail=finding.message)
                (outcome.errors if finding.blocks else outcome.warnings).append(entry)
                blocking = blocking or finding.blocks
            if blocking:
                continue
            outcome.saved += 1
        if not submit:
            continue
        if report is None:
            refuse(plan, _("报告不存在。"))
            continue
        if report.status not in EDITABLE_STATUSES:
            refuse(
                plan,
                _("报告当前状态为“%(status)s”，不能执行此操作。")
                % {"status": report.get_status_display()},
            )
            continue
        if findings is None:
            findings = _findings(report, prior, dates)
            blocking_messages = [(f.field, f.message) for f in findings if f.blocks]
            if blocking_messages:
                for field, message in blocking_messages:
                    refuse(plan, message, field if field in _INPUT_KEYS else "")
                continue
        to_submit.append((plan, report, findings))
        outcome.submitted += 1

    if outcome.errors:
        return
    _write_all(actor=actor, created=created, changed=changed, to_submit=to_submit, now=now)


def _write_all(
    *,
    actor,
    created: list[tuple[_Plan, ProgressReport]],
    changed: list[tuple[_Plan, ProgressReport, dict[str, Any]]],
    to_submit: list[tuple[_Plan, ProgressReport, list[Finding]]],
    now,
) -> None:
    """The writes of ``_apply_all``: the reports as saved, then as submitted, with a status
    change and the audit events each step would have written, row by row in file order."""
    creations = {id(report): _snapshot(report) for _plan, report in created}
    updates = {id(report): (before, _snapshot(report)) for _plan, report, before in changed}
    submissions: dict[int, str] = {}
    for _plan, report, findings in to_submit:
        submissions[id(report)] = report.status
        report.status = ReportStatus.SUBMITTED
        report.version += 1
        # The first filing time is what lateness is judged by; a resubmission keeps it.
        report.submitted_at = report.submitted_at or now
        report.warnings = [f.as_dict() for f in findings]
        report.updated_at = now
    ProgressReport.objects.bulk_create([report for _plan, report in created], batch_size=1000)
    submitted_existing = [report for _plan, report, _f in to_submit if id(report) not in creations]
    updated = {id(report): report for _plan, report, _b in changed}
    for report in submitted_existing:
        updated[id(report)] = report
    ProgressReport.objects.bulk_update(
        list(updated.values()),
        [
            "amount",
            "progress_text",
            "adjustment_note",
            "status",
            "version",
            "submitted_at",
            "warnings",
            "updated_at",
        ],
        batch_size=1000,
    )
    ReportStatusChange.objects.bulk_create(
        [
            ReportStatusChange(
                report=report,
                from_status=submissions[id(report)],
                to_status=ReportStatus.SUBMITTED,
                actor=actor,
                reason="",
            )
            for _plan, report, _f in to_submit
        ],
        batch_size=1000,
    )
    entries: list[AuditEntry] = []
    by_report: dict[int, tuple[int, ProgressReport]] = {}
    for plan, report in created:
        by_report[id(report)] = (plan.row, report)
    for plan, report, _before in changed:
        by_report[id(report)] = (plan.row, report)
    for plan, report, _findings in to_submit:
        by_report[id(report)] = (plan.row, report)
    ordered = sorted(by_report.values(), key=lambda item: item[0])
    for _row, report in ordered:
        key = id(report)
        if key in creations:
            entries.append(AuditEntry(AuditAction.CREATE, report, after=creations[key]))
        elif key in updates:
            before, after = updates[key]
            entries.append(AuditEntry(AuditAction.UPDATE, report, before=before, after=after))
        if key in submissions:
            entries.append(
                AuditEntry(
                    AuditAction.UPDATE,
                    report,
                    before={"status": submissions[key]},
                    after={"status": ReportStatus.SUBMITTED},
                )
            )
    audit_record_many(actor=actor, entries=entries)


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            (field if field in _INPUT_KEYS else "", message)
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [("", message) for message in error.messages]


def _finish(
    job: ImportJob,
    actor,
    *,
    outcome: _Outcome | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> ImportJob:
    """Record the result on the job and in the audit log."""
    outcome = outcome or _Outcome(errors=errors or [], warnings=[])
    outcome.errors.sort(key=_error_order)
    failed = bool(outcome.errors)
    job.status = ImportStatus.FAILED if failed else ImportStatus.SUCCEEDED
    job.errors = outcome.errors
    job.warnings = [] if failed else sorted(outcome.warnings, key=_error_order)
    job.saved_count = 0 if failed else outcome.saved
    job.submitted_count = 0 if failed else outcome.submitted
    job.unchanged_count = outcome.unchanged
    job.progress = job.total
    job.finished_at = timezone.now()
    job.save()
    if failed:
        message = _("Excel 导入未执行：%(count)s 处错误，未保存任何数据。") % {
            "count": len(job.errors)
        }
    else:
        message = _("Excel 导入：保存 %(saved)s 行，报送 %(submitted)s 行。") % {
            "saved": job.saved_count,
            "submitted": job.submitted_count,
        }
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=job,
        after={
            "status": job.status,
            "file": job.original_name,
            "period": f"{job.period.month:%Y-%m}" if job.period else "",
            "rows": job.total,
            "saved": job.saved_count,
            "submitted": job.submitted_count,
            "unchanged": job.unchanged_count,
            "errors": len(job.errors),
        },
        message=message,
    )
    return job
