from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkRole(models.TextChoices):
    """How a person is tied to a key project."""

    LEADER = "leader", _("挂钩领导")
    GUARANTOR = "guarantor", _("包保责任人")


class MeetingStatus(models.TextChoices):
    """A dispatch meeting: its agenda is drafted and edited, then it is held and minuted."""

    PLANNED = "planned", _("筹备中")
    HELD = "held", _("已召开")


class AgendaKind(models.TextChoices):
    """What an agenda item is about; the codes are those of ``dispatch-agenda`` JSON."""

    RED_PROJECT = "red_project", _("红灯项目")
    OVERDUE_MILESTONE = "overdue_milestone", _("前期工作逾期")
    FACTOR_REQUEST = "factor_request", _("要素保障逾期")
    LAGGING_REGION = "lagging_region", _("落后序时县区")
    OPEN_TASK = "open_task", _("上期未办结交办事项")
    OTHER = "other", _("其他议题")


# The order the agenda goes through its items.
AGENDA_ORDER: tuple[str, ...] = (
    AgendaKind.OPEN_TASK,
    AgendaKind.RED_PROJECT,
    AgendaKind.OVERDUE_MILESTONE,
    AgendaKind.FACTOR_REQUEST,
    AgendaKind.LAGGING_REGION,
    AgendaKind.OTHER,
)


class TaskStatus(models.TextChoices):
    """A 交办事项: open until the owner unit reports it done and the office closes it."""

    OPEN = "open", _("办理中")
    REPORTED = "reported", _("已报办结")
    CLOSED = "closed", _("已销号")


UNFINISHED_TASK_STATUSES: tuple[str, ...] = (TaskStatus.OPEN, TaskStatus.REPORTED)


class Light(models.TextChoices):
    RED = "red", _("红灯")
    YELLOW = "yellow", _("黄灯")
    GREEN = "green", _("绿灯")
