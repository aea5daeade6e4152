from django.db import models
from django.utils.translation import gettext_lazy as _


class RubricStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class ScoringMethod(models.TextChoices):
    """How one rubric item turns a district's completion into points."""

    LINEAR = "linear", _("线性计分")
    BANDS = "bands", _("分档计分")
    RANKING = "ranking", _("排名计分")


class ScoringBasis(models.TextChoices):
    """What a district's "completion" is when scored: the share of the target reached, or that
    share measured against 序时进度 (the share of the period elapsed)."""

    COMPLETION = "completion", _("目标完成率")
    PACE = "pace", _("序时完成率")


class LateMode(models.TextChoices):
    NONE = "none", _("不扣分")
    PER_REPORT = "per_report", _("按逾期报告个数扣分")
    PER_DAY = "per_day", _("按逾期天数扣分")
