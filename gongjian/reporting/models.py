from __future__ import annotations

import datetime as dt
import os
import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.scopes import region_scope_q
from gongjian.core.models import StatusChange
from gongjian.reporting.choices import (
    FINISHED_IMPORT_STATUSES,
    ImportKind,
    ImportPhase,
    ImportStatus,
    PeriodState,
    ReportStatus,
)


class ReportingPeriod(models.Model):
    """A month for which every district reports its projects' progress, and when it is due."""

    month = models.DateField(_("月份"), unique=True, help_text=_("该月第一天"))
    due_date = models.DateField(_("截止日期"))
    state = models.CharField(
        _("状态"), max_length=16, choices=PeriodState.choices, default=PeriodState.OPEN
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("填报期")
        verbose_name_plural = _("填报期")
        constraints = [
            models.CheckConstraint(
                condition=Q(month__day=1), name="reporting_period_month_is_first_day"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gt=models.F("month")), name="reporting_period_due_after_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    @property
    def is_open(self) -> bool:
        return self.state == PeriodState.OPEN


class ProgressReportQuerySet(models.QuerySet["ProgressReport"]):
    def visible_to(self, user) -> ProgressReportQuerySet:
        """Reports of projects in regions the user covers (the same scope as the ledger)."""
        return self.filter(region_scope_q(user, "project__region"))

    def counted(self) -> ProgressReportQuerySet:
        """Only city-approved reports count in indicators."""
        return self.filter(status=ReportStatus.CITY_APPROVED)


class ProgressReport(models.Model):
    """One project's progress for one month: the investment completed and how the works stand."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("填报期"), on_delete=models.PROTECT, related_name="reports"
    )
    amount = models.DecimalField(
        _("本月完成投资（万元）"), max_digits=16, decimal_places=2, default=0
    )
    progress_text = models.TextField(_("形象进度"), blank=True)
    adjustment_note = models.TextField(
        _("调整说明"), blank=True, help_text=_("累计完成超过总投资时，说明原因（如总投资调整）")
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ReportStatus.choices,
        default=ReportStatus.DRAFT,
        db_index=True,
    )
    # Warnings (severity "warn") the filer saw at submission, kept for the reviewers.
    warnings = models.JSONField(_("提醒"), default=list, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering = ["period__month", "project__code"]
        verbose_name = _("月度进展报告")
        verbose_name_plural = _("月度进展报告")
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="report_once_per_period"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="report_amount_nonnegative"),
        ]
        indexes = [models.Index(fields=["period", "status"], name="report_period_status_idx")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.period}"


class ReportStatusChange(StatusChange):
    """A step in a report's review: who moved it from which status to which, when and why."""

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("报告"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(_("原状态"), max_length=20, choices=ReportStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ReportStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("报告状态变更")
        verbose_name_plural = _("报告状态变更")

    def __str__(self) -> str:
        return f"{self.report} {self.from_status}→{self.to_status}"


def _photo_path(instance: ReportPhoto, filename: str) -> str:
    report = instance.report
    return f"reports/{report.period.month:%Y-%m}/{report.project.code}/{filename}"


class ReportPhoto(models.Model):
    """A site photo attached to a monthly report as evidence of 形象进度."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("照片"), upload_to=_photo_path)
    content_type = models.CharField(_("类型"), max_length=32)
    size = models.PositiveIntegerField(_("大小（字节）"))
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self) -> str:
        return self.caption or self.image.name


# How long a queued import may wait for the background worker before its page offers to run it
# in the request (a running `gongjian db_worker` picks a job up within a second).
IMPORT_WORKER_GRACE = dt.timedelta(seconds=15)
# A running import writes its progress at least every few hundred rows; one silent for this long
# has lost its worker (killed, out of memory) and is marked as failed rather than left running.
IMPORT_STALL_AFTER = dt.timedelta(minutes=10)


def _import_path(instance: ImportJob, filename: str) -> str:
    # The uploader's file name is kept in ``original_name``; only a plain extension is reused.
    suffix = os.path.splitext(filename)[1].lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    if instance.period is not None:
        return f"imports/{instance.period.month:%Y-%m}/{uuid.uuid4().hex}{suffix}"
    return f"imports/{instance.kind}/{uuid.uuid4().hex}{suffix}"


def _annotated_path(instance: ImportJob, filename: str) -> str:
    return f"imports/{instance.kind}/annotated/{uuid.uuid4().hex}.xlsx"


class ImportJob(models.Model):
    """A workbook someone uploaded for import (a month's reports, the enterprise roster, the
    site inventory, a yearly key-project list), kept as uploaded, and what became of it."""

    kind = models.CharField(
        _("导入内容"),
        max_length=16,
        choices=ImportKind.choices,
        default=ImportKind.REPORT,
        db_index=True,
    )
    # Only a report import belongs to a reporting period.
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("填报期"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    # What the uploader chose on the form (roster: update_existing, effective_on; project list:
    # year, region, update, dry_run), as JSON values.
    options = models.JSONField(_("导入选项"), default=dict, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Empty only when the upload was refused before it was stored (over the size limit).
    file = models.FileField(_("上传的文件"), upload_to=_import_path, blank=True)
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    # The uploader's language: messages written later by the background worker use it too.
    language = models.CharField(_("语言"), max_length=16, default="zh-hans")
    submit_after = models.BooleanField(_("导入后报送"), default=False)
    is_background = models.BooleanField(_("后台导入"), default=False)
    task_id = models.CharField(_("后台任务"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ImportStatus.choices,
        default=ImportStatus.QUEUED,
        db_index=True,
    )
    phase = models.CharField(_("阶段"), max_length=16, choices=ImportPhase.choices, blank=True)
    total = models.PositiveIntegerField(_("数据行数"), default=0)
    progress = models.PositiveIntegerField(_("已处理行数"), default=0)
    # Written with each progress step: a running job whose heartbeat stopped lost its worker.
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("新增行数"), default=0)
    updated_count = models.PositiveIntegerField(_("更新行数"), default=0)
    saved_count = models.PositiveIntegerField(_("保存行数"), default=0)
    submitted_count = models.PositiveIntegerField(_("报送行数"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未改动行数"), default=0)
    # [{"row", "column", "field", "code", "detail", "message"}], Excel row numbers and letters.
    errors = models.JSONField(_("错误"), default=list, blank=True)
    warnings = models.JSONField(_("提醒"), default=list, blank=True)
    # What else the import answered (project list: skipped rows, investment totals).
    summary = models.JSONField(_("导入摘要"), default=dict, blank=True)
    # The upload with its errors marked, when the import writes one (roster, project list).
    annotated = models.FileField(_("标注错误的工作簿"), upload_to=_annotated_path, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Excel 导入")
        verbose_name_plural = _("Excel 导入")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=models.F("total")), name="import_job_progress_le_total"
            ),
            models.CheckConstraint(
                condition=Q(kind=ImportKind.REPORT, period__isnull=False)
                | (~Q(kind=ImportKind.REPORT) & Q(period__isnull=True)),
                name="import_job_period_only_for_reports",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.period or self.get_kind_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_IMPORT_STATUSES

    @property
    def is_waiting_for_worker(self) -> bool:
        """Still queued after ``IMPORT_WORKER_GRACE``: no background worker picked it up, so the
        page says so and offers to run it in the request (as bulletins do)."""
        return (
            self.status == ImportStatus.QUEUED
            and self.created_at is not None
            and timezone.now() - self.created_at > IMPORT_WORKER_GRACE
        )

    @property
    def is_stalled(self) -> bool:
        """Running, but no progress for ``IMPORT_STALL_AFTER``: its worker has died."""
        last = self.heartbeat_at or self.started_at
        return (
            self.status == ImportStatus.RUNNING
            and last is not None
            and timezone.now() - last > IMPORT_STALL_AFTER
        )

    @property
    def phase_steps(self) -> list[tuple[str, str]]:
        """(label, "done" | "current" | "todo") of each phase, for the progress bar's steps."""
        values = list(ImportPhase.values)
        at = values.index(self.phase) if self.phase in values else -1
        return [
            (str(label), "done" if index < at else "current" if index == at else "todo")
            for index, label in enumerate(ImportPhase.labels)
        ]

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return round(self.progress * 100 / self.total) if self.total else 0
