from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStage(models.TextChoices):
    """Where a lead stands in the pipeline (Data Hub's project stages, Quanzhou's words)."""

    NEW = "new", _("线索")
    CONTACTED = "contacted", _("已对接")
    NEGOTIATING = "negotiating", _("在谈")
    SIGNED = "signed", _("签约")
    LANDED = "landed", _("落地")
    LOST = "lost", _("流失")


# The way forward; LOST can be reached from any open stage.
LEAD_PROGRESSION: tuple[str, ...] = (
    LeadStage.NEW,
    LeadStage.CONTACTED,
    LeadStage.NEGOTIATING,
    LeadStage.SIGNED,
    LeadStage.LANDED,
)
OPEN_STAGES: tuple[str, ...] = (LeadStage.NEW, LeadStage.CONTACTED, LeadStage.NEGOTIATING)
# Closed leads are the ones ``purge-leads`` may anonymise once old enough.
CLOSED_STAGES: tuple[str, ...] = (LeadStage.LANDED, LeadStage.LOST)


class LeadNeed(models.TextChoices):
    RENT_FACTORY = "rent_factory", _("租厂房")
    BUY_LAND = "buy_land", _("购地")
    OFFICE = "office", _("办公")
    OTHER = "other", _("其他")


class AreaUnit(models.TextChoices):
    SQUARE_METRE = "m2", _("平方米")
    MU = "mu", _("亩")


class LeadSource(models.TextChoices):
    PUBLIC_FORM = "public_form", _("网上登记")
    STAFF = "staff", _("工作人员录入")
    DEMO = "demo", _("演示数据")


class LostReason(models.TextChoices):
    """Why a lead was lost; the free-text note says more."""

    CHOSE_ELSEWHERE = "chose_elsewhere", _("落户外地")
    NO_SUITABLE_SITE = "no_suitable_site", _("无合适载体")
    COST = "cost", _("成本因素")
    PROJECT_CANCELLED = "project_cancelled", _("企业取消计划")
    UNREACHABLE = "unreachable", _("无法联系")
    NOT_GENUINE = "not_genuine", _("非真实需求")
    OTHER = "other", _("其他")


class FollowUpKind(models.TextChoices):
    CALL = "call", _("电话")
    VISIT = "visit", _("走访")
    MEETING = "meeting", _("洽谈会")
    SITE_VISIT = "site_visit", _("实地踏勘")
    MESSAGE = "message", _("函件/消息")


class DuplicateReason(models.TextChoices):
    USCC = "uscc", _("统一社会信用代码相同")
    MOBILE = "mobile", _("手机号相同")
    NAME = "name", _("企业名称相同")


class ResourceKind(models.TextChoices):
    LAND = "land", _("土地")
    FACTORY = "factory", _("标准厂房")
    OFFICE = "office", _("办公空间")


class ResourceStatus(models.TextChoices):
    AVAILABLE = "available", _("可招商")
    RESERVED = "reserved", _("意向锁定")
    TAKEN = "taken", _("已落地")


class MatchOutcome(models.TextChoices):
    PROPOSED = "proposed", _("已推荐")
    VISITED = "visited", _("已踏勘")
    ACCEPTED = "accepted", _("企业接受")
    DECLINED = "declined", _("企业婉拒")


# Which kinds of site serve which need (其他 may be served by any kind).
NEED_KINDS: dict[str, tuple[str, ...]] = {
    LeadNeed.RENT_FACTORY: (ResourceKind.FACTORY,),
    LeadNeed.BUY_LAND: (ResourceKind.LAND,),
    LeadNeed.OFFICE: (ResourceKind.OFFICE,),
    LeadNeed.OTHER: (ResourceKind.LAND, ResourceKind.FACTORY, ResourceKind.OFFICE),
}
