from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.notifications.choices import NotificationKind, ReminderKind


class Notification(models.Model):
    """A message in one person's in-app notification centre (a reminder, a 督办, a problem)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=32, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        # The header asks "how many unread?" on every page: one index answers it.
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ReminderRun(models.Model):
    """One run of ``send-reminders`` for a period on a day, with what it found and sent."""

    period = models.ForeignKey(
        "reporting.ReportingPeriod",
        verbose_name=_("填报期"),
        on_delete=models.PROTECT,
        related_name="reminder_runs",
    )
    run_on = models.DateField(_("提醒日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=ReminderKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("运行时间"), auto_now_add=True)
    region_count = models.PositiveIntegerField(_("未完成区域数"), default=0)
    project_count = models.PositiveIntegerField(_("未报送项目数"), default=0)
    recipient_count = models.PositiveIntegerField(_("通知人数"), default=0)
    email_count = models.PositiveIntegerField(_("邮件数"), default=0)
    sms_count = models.PositiveIntegerField(_("短信数"), default=0)
    skipped_count = models.PositiveIntegerField(_("当日已提醒跳过人数"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")

    def __str__(self) -> str:
        return f"{self.period} @ {self.run_on:%Y-%m-%d}"


class ReminderLog(models.Model):
    """That one person was reminded about one period on one day: the guard against repeats."""

    run = models.ForeignKey(
        ReminderRun, verbose_name=_("催报记录"), on_delete=models.CASCADE, related_name="logs"
    )
    period = models.ForeignKey(
        "reporting.ReportingPeriod",
        verbose_name=_("填报期"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    sent_on = models.DateField(_("提醒日期"))
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("通知"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    project_codes = models.JSONField(_("未报送项目"), default=list)
    emailed = models.BooleanField(_("已发邮件"), default=False)
    texted = models.BooleanField(_("已发短信"), default=False)

    class Meta:
        ordering = ["sent_on", "id"]
        verbose_name = _("催报明细")
        verbose_name_plural = _("催报明细")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "recipient", "sent_on"], name="reminder_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.recipient} {self.sent_on:%Y-%m-%d}"
