from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.bulletins.choices import (
    FINISHED_BULLETIN_STATUSES,
    BulletinFormat,
    BulletinStatus,
    DocxTemplateKind,
)


def _bulletin_path(instance: Bulletin, filename: str) -> str:
    return f"bulletins/{instance.campaign.code}/{instance.month:%Y-%m}/{filename}"


# How long a queued bulletin may wait for the background worker before the page offers to make
# it in the request instead (a running `gongjian db_worker` picks a job up within a second).
WORKER_GRACE = dt.timedelta(seconds=15)


class Bulletin(models.Model):
    """One generated file of a campaign's monthly bulletin (通报): its month, issue number and
    format, how far its background generation has come, who made it and who published it."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("攻坚行动"),
        on_delete=models.PROTECT,
        related_name="bulletins",
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    issue_number = models.PositiveSmallIntegerField(_("期数"))
    format = models.CharField(_("格式"), max_length=8, choices=BulletinFormat.choices)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=BulletinStatus.choices,
        default=BulletinStatus.QUEUED,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    file = models.FileField(_("文件"), upload_to=_bulletin_path, blank=True)
    error = models.TextField(_("错误"), blank=True)
    # The requester's language: the background worker writes the file in it.
    language = models.CharField(_("语言"), max_length=16, default="zh-hans")
    task_id = models.CharField(_("后台任务"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("工作通报")
        verbose_name_plural = _("工作通报")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="bulletin_month_is_first_day"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="bulletin_progress_le_100"),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status=BulletinStatus.DONE),
                name="bulletin_published_only_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.code} {self.month:%Y-%m} {self.format}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_BULLETIN_STATUSES

    @property
    def is_waiting_for_worker(self) -> bool:
        """Still queued after ``WORKER_GRACE``: no background worker has picked it up, so the
        page says so and offers to generate it in the request."""
        return (
            self.status == BulletinStatus.QUEUED
            and self.created_at is not None
            and timezone.now() - self.created_at > WORKER_GRACE
        )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    @property
    def filename(self) -> str:
        """The name a download is saved under: 项目攻坚2022工作通报_第11期_2022-11.pdf."""
        return "{}工作通报_第{}期_{}.{}".format(
            self.campaign.name,
            self.issue_number,
            f"{self.month:%Y-%m}",
            self.format,
        )


def _docx_template_path(instance: DocxTemplate, filename: str) -> str:
    return f"docx_templates/{instance.kind}/{uuid.uuid4().hex[:12]}.docx"


class DocxTemplate(models.Model):
    """A Word (.docx) 公文 template the campaign office uploaded for one kind of document (the
    bulletin or the dispatch meeting minutes). The newest active one fills that kind's Word
    files; with none, the shipped layout (``core/docx/gongwen.docx``) does."""

    kind = models.CharField(_("文种"), max_length=16, choices=DocxTemplateKind.choices)
    file = models.FileField(_("模板文件"), upload_to=_docx_template_path)
    filename = models.CharField(_("文件名"), max_length=200)
    is_active = models.BooleanField(_("使用中"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("Word 公文模板")
        verbose_name_plural = _("Word 公文模板")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"
