from django.db import models
from django.utils.translation import gettext_lazy as _


class LightColor(models.TextChoices):
    """A key project's light (红黄绿灯); a rule that fires turns it yellow or red."""

    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


# Worse colours sort higher: a project's light is the worst colour of the rules it fails.
COLOR_SEVERITY = {LightColor.GREEN: 0, LightColor.YELLOW: 1, LightColor.RED: 2}


class BoardSubject(models.TextChoices):
    """What a 红黑榜 ranks."""

    PROJECT = "project", _("项目")
    REGION = "region", _("县（市、区）")
    UNIT = "unit", _("责任单位")
