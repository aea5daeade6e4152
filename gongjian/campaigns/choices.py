from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadingGroupRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")


class IndicatorKind(models.TextChoices):
    """How an indicator turns rows into a number (see "Indicators: data, not code")."""

    FLOW_SUM = "flow_sum", _("流量合计")
    EVENT_COUNT = "event_count", _("事件计数")
    EVENT_SUM = "event_sum", _("事件合计")
    STOCK_RATIO = "stock_ratio", _("存量比率")
    PLAN_RATIO = "plan_ratio", _("计划完成比率")


class IndicatorUnit(models.TextChoices):
    WAN_YUAN = "万元", _("万元")
    COUNT = "个", _("个")
    PERCENT = "%", _("%")


# The one unit each kind is stated in: money sums in 万元, counts in 个, ratios in percent.
KIND_UNITS: dict[str, str] = {
    IndicatorKind.FLOW_SUM: IndicatorUnit.WAN_YUAN,
    IndicatorKind.EVENT_COUNT: IndicatorUnit.COUNT,
    IndicatorKind.EVENT_SUM: IndicatorUnit.WAN_YUAN,
    IndicatorKind.STOCK_RATIO: IndicatorUnit.PERCENT,
    IndicatorKind.PLAN_RATIO: IndicatorUnit.PERCENT,
}
# Kinds whose value is a pooled rate at a date (numerator and denominator summed separately).
RATIO_KINDS = frozenset({IndicatorKind.STOCK_RATIO, IndicatorKind.PLAN_RATIO})


class Comparator(models.TextChoices):
    """Stored and shown as the symbol the campaign document uses."""

    GTE = "≥", "≥"
    GT = ">", ">"
    EQ = "=", "="
    LTE = "≤", "≤"
    LT = "<", "<"


# Targets that cap a number (不超过): using less of the cap than of the period is being ahead.
CAP_COMPARATORS = frozenset({Comparator.LTE, Comparator.LT})


class ProgressStatus(models.TextChoices):
    GREEN = "green", _("正常")
    YELLOW = "yellow", _("预警")
    RED = "red", _("滞后")
    NOT_STARTED = "not_started", _("未开始")
