from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    REPORT_REMINDER = "report_reminder", _("填报提醒")
    REPORT_OVERDUE = "report_overdue", _("逾期催报")
    SUPERVISION_ISSUED = "supervision_issued", _("督办")
    SUPERVISION_RESPONDED = "supervision_responded", _("督办回复")
    SUPERVISION_CLOSED = "supervision_closed", _("督办办结")
    SUPERVISION_ESCALATED = "supervision_escalated", _("督办升级")
    PROBLEM_RAISED = "problem_raised", _("问题上报")
    PROBLEM_ASSIGNED = "problem_assigned", _("问题交办")
    PROBLEM_UPDATED = "problem_updated", _("问题进展")
    REPORT_RETURNED = "report_returned", _("报告退回")
    LEAD_RECEIVED = "lead_received", _("新线索")
    ACCOUNT_SECURITY = "account_security", _("账号安全")
    STAGE_CLAIMED = "stage_claimed", _("阶段待核实")
    STAGE_REJECTED = "stage_rejected", _("阶段退回")
    FACTOR_REQUEST_ASSIGNED = "factor_assigned", _("要素保障交办")
    TASK_ASSIGNED = "task_assigned", _("调度交办")
    TASK_REMINDER = "task_reminder", _("交办提醒")
    TASK_UPDATED = "task_updated", _("交办进展")


class ReminderKind(models.TextChoices):
    """Whether a reminder went out before the due date or after it."""

    REMINDER = "reminder", _("截止前提醒")
    OVERDUE = "overdue", _("逾期催报")
