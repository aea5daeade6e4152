"""Excel out of monthly reporting: a district's pre-filled template for a period, and an uploaded
workbook annotated with its import errors. Each checks permission and writes an export event."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import override as language_override

from gongjian.accounts.scopes import has_any_role, home_region
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.core.money import CENT
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region
from gongjian.reporting.choices import EDITABLE_STATUSES, ImportKind, ReportStatus
from gongjian.reporting.models import ImportJob, ReportingPeriod
from gongjian.reporting.rules import FILER_ROLES
from gongjian.reporting.selectors import workspace_rows
from gongjian.reporting.workbook import (
    FIRST_DATA_ROW,
    FORMAT_VERSION,
    INDEX,
    MetaRow,
    SheetRow,
    TemplateMeta,
    input_digest,
    letter,
    read_workbook,
    write_workbook,
)


@dataclass(frozen=True)
class ExcelFile:
    """A workbook ready to send: its download name and bytes."""

    filename: str
    content: bytes
    content_type: str = XLSX_CONTENT_TYPE


def _notes() -> str:
    return _(
        "填写说明：只填写白色单元格（本月完成投资、形象进度、调整说明），金额单位为万元；"
        "灰色单元格只读，已报送或已审核的项目整行锁定。请勿修改表头、项目编号和隐藏的模板信息。"
        "填好后在“本月填报”页面上传本文件：全部行通过校验才会保存，有错误时一行也不保存。"
    )


def _title(period: ReportingPeriod, region: Region | None) -> str:
    title = _("%(label)s 项目进展填报表") % {"label": period.label}
    return f"{title} · {region.display_name}" if region else title


def report_template_export(
    *, actor, period: ReportingPeriod, region: Region | None = None
) -> ExcelFile:
    """The period's template for the projects the actor files (optionally one region of them),
    pre-filled with what is already saved; read-only rows for reports past the filer."""
    if not has_any_role(actor, FILER_ROLES):
        raise audit_denied(actor=actor, obj=period, message=_("无权下载月度填报模板。"))
    projects = list(workspace_rows(user=actor, period=period, region=region))
    rows: dict[int, SheetRow] = {}
    meta_rows = []
    amount_col = letter("amount")
    for offset, project in enumerate(projects):
        excel_row = FIRST_DATA_ROW + offset
        status = project.report_status
        editable = (
            period.is_open
            and (status is None or status in EDITABLE_STATUSES)
            and actor.has_perm("reporting.file_report", project)
        )
        amount: Decimal | None = project.report_amount
        progress_text = project.report_progress or ""
        adjustment_note = project.report_note or ""
        values = [
            project.code,
            project.name,
            project.region.display_name,
            project.total_investment,
            project.ytd_filed,
            project.since_start,
            amount,
            progress_text,
            adjustment_note,
            ReportStatus(status).label if status else _("未填报"),
        ]
        formulas = {}
        if editable:
            # The totals follow what the filer types this month: the saved months plus G.
            this_month = amount or Decimal(0)
            for key, total in (("ytd", project.ytd_filed), ("since_start", project.since_start)):
                prior = (total - this_month).quantize(CENT)
                formulas[INDEX[key]] = f"={prior:f}+{amount_col}{excel_row}"
        rows[excel_row] = SheetRow(values=values, editable=editable, formulas=formulas)
        meta_rows.append(
            MetaRow(
                code=project.code,
                version=project.report_version,
                digest=input_digest(amount, progress_text, adjustment_note),
            )
        )
    now = timezone.localtime()
    meta = TemplateMeta(
        format_version=FORMAT_VERSION,
        period=f"{period.month:%Y-%m}",
        region=region.code if region else "",
        language=get_language() or "zh-hans",
        generated_at=now.isoformat(timespec="seconds"),
        rows=tuple(meta_rows),
    )
    locked = sum(1 for row in rows.values() if not row.editable)
    info = _(
        "填报期：%(month)s　截止日期：%(due)s　导出时间：%(now)s　"
        "共 %(count)s 个项目，其中 %(locked)s 个只读（灰色）"
    ) % {
        "month": f"{period.month:%Y-%m}",
        "due": period.due_date.isoformat(),
        "now": f"{now:%Y-%m-%d %H:%M}",
        "count": len(rows),
        "locked": locked,
    }
    content = write_workbook(
        title=_title(period, region),
        info=info,
        notes=_notes(),
        rows=rows,
        meta_cells=meta.cells(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=period,
        after={
            "file": "report_template",
            "period": meta.period,
            "region": meta.region,
            "rows": len(rows),
        },
        message=_("下载月度填报模板（%(count)s 个项目）。") % {"count": len(rows)},
    )
    # A district's template carries the district's name, whether or not it was picked.
    home = home_region(actor)
    if (
        region is None
        and home is not None
        and home.kind not in (RegionKind.CITY, RegionKind.PROVINCE)
    ):
        region = home
    scope = region.display_name if region else _("全部区域")
    filename = _("项目进展填报_%(month)s_%(scope)s.xlsx") % {"month": meta.period, "scope": scope}
    return ExcelFile(filename=filename, content=content)


def import_annotated_export(*, actor, job: ImportJob) -> ExcelFile:
    """The workbook the actor uploaded, rewritten in the template's layout with every row error
    drawn red, explained in a comment and listed on an 错误清单 sheet. Its hidden template
    information is copied unchanged, so once corrected it can be uploaded again."""
    if job.created_by_id != actor.pk and not actor.is_superuser:
        raise audit_denied(actor=actor, obj=job, message=_("无权下载他人的导入文件。"))
    if job.kind != ImportKind.REPORT:
        return _stored_annotated(actor=actor, job=job)
    period = job.period
    assert period is not None  # a report import always has its period (a database constraint)
    row_errors = [error for error in job.errors if error.get("row") is not None]
    if not job.file or not row_errors:
        raise ValidationError(_("该次导入没有逐行的错误，无需标注。"))
    with job.file.open("rb") as stored:
        uploaded = read_workbook(stored.read())
    projects = {project.code: project for project in workspace_rows(user=actor, period=period)}
    rows = {}
    for excel_row, values in uploaded.rows:
        project = projects.get(str(values[0]).strip())
        editable = bool(
            project is not None
            and period.is_open
            and (project.report_status is None or project.report_status in EDITABLE_STATUSES)
        )
        rows[excel_row] = SheetRow(values=values, editable=editable)
    with language_override(uploaded.meta.language or None):
        title = _title(period, job.region)
        notes = _notes()
    info = _(
        "%(name)s 于 %(at)s 导入，有 %(count)s 处错误，未保存任何数据。"
        "标红的单元格上有批注，全部错误列在“错误清单”；改正后可直接上传本文件。"
    ) % {
        "name": job.original_name,
        "at": f"{timezone.localtime(job.created_at):%Y-%m-%d %H:%M}",
        "count": len(job.errors),
    }
    content = write_workbook(
        title=title,
        info=info,
        notes=notes,
        rows=rows,
        meta_cells=uploaded.meta_cells,
        errors=row_errors,
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=job,
        after={"file": "import_errors", "errors": len(row_errors)},
        message=_("下载标注了错误的导入文件。"),
    )
    stem = job.original_name.rsplit(".", 1)[0] or "import"
    return ExcelFile(filename=_("%(name)s_错误标注.xlsx") % {"name": stem}, content=content)


def _stored_annotated(*, actor, job: ImportJob) -> ExcelFile:
    """The annotated workbook a background import of another kind wrote when it failed (the
    roster's error column, the project list's marked cells)."""
    if not job.annotated:
        raise ValidationError(_("该次导入没有逐行的错误，无需标注。"))
    with job.annotated.open("rb") as stored:
        content = stored.read()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=job,
        after={"file": "import_errors", "errors": len(job.errors)},
        message=_("下载标注了错误的导入文件。"),
    )
    stem = job.original_name.rsplit(".", 1)[0] or "import"
    return ExcelFile(filename=_("%(name)s_错误标注.xlsx") % {"name": stem}, content=content)
