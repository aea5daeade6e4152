"""Parks and the enterprises in them: what 规上工业企业入园率 (the share of above-scale industrial
enterprises located in parks) is computed from.

Time: an enterprise counts as above-scale on a date when it is flagged and gained the flag on or
before that date, and as in a park when it has one and entered it on or before that date. A
missing date means "since before our records", so the row counts at every date. Leaving a park
and losing the flag are not dated yet; the parks issue adds that history.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.scopes import region_scope_q
from gongjian.core.uscc import USCC_LENGTH
from gongjian.parks.choices import ParkKind


def above_scale_q(as_of: dt.date, prefix: str = "") -> Q:
    """Enterprises that are above-scale (规上) on ``as_of``; ``prefix`` reaches them through a
    relation, e.g. ``"enterprises__"`` from a region."""
    return Q(**{f"{prefix}is_above_scale": True}) & (
        Q(**{f"{prefix}above_scale_since__isnull": True})
        | Q(**{f"{prefix}above_scale_since__lte": as_of})
    )


def in_park_q(as_of: dt.date, prefix: str = "") -> Q:
    """Enterprises located in a park on ``as_of``."""
    return Q(**{f"{prefix}park__isnull": False}) & (
        Q(**{f"{prefix}entered_park_on__isnull": True})
        | Q(**{f"{prefix}entered_park_on__lte": as_of})
    )


class ParkQuerySet(models.QuerySet["Park"]):
    def visible_to(self, user) -> ParkQuerySet:
        """The parks in regions the user covers."""
        return self.filter(region_scope_q(user))


class Park(models.Model):
    """An industrial park, development zone or small-business park run by one district."""

    code = models.SlugField(_("园区代码"), max_length=32, unique=True)
    name = models.CharField(_("园区名称"), max_length=100)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="parks",
    )
    kind = models.CharField(_("园区类型"), max_length=32, choices=ParkKind.choices)
    planned_area_mu = models.DecimalField(
        _("规划面积（亩）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    is_standardised = models.BooleanField(
        _("已完成标准化建设"),
        default=False,
        help_text=_("按“工业（产业）园区标准化建设”要求完成建设并通过认定"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ParkQuerySet.as_manager()

    class Meta:
        ordering = ["region__sort_order", "sort_order", "code"]
        verbose_name = _("园区")
        verbose_name_plural = _("园区")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_area_mu__isnull=True) | Q(planned_area_mu__gte=0),
                name="park_planned_area_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EnterpriseQuerySet(models.QuerySet["Enterprise"]):
    def visible_to(self, user) -> EnterpriseQuerySet:
        """The enterprises in regions the user covers."""
        return self.filter(region_scope_q(user))

    def above_scale_on(self, as_of: dt.date) -> EnterpriseQuerySet:
        return self.filter(above_scale_q(as_of))

    def in_park_on(self, as_of: dt.date) -> EnterpriseQuerySet:
        return self.filter(in_park_q(as_of))


class Enterprise(models.Model):
    """A registered enterprise, identified by its unified social credit code, in a park or not."""

    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=USCC_LENGTH,
        unique=True,
        help_text=_("18 位，按 GB 32100-2015 校验"),
    )
    name = models.CharField(_("企业名称"), max_length=200)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    park = models.ForeignKey(
        Park,
        verbose_name=_("所在园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
        help_text=_("不在园区内的企业留空"),
    )
    is_above_scale = models.BooleanField(
        _("规上工业企业"), default=False, help_text=_("年主营业务收入 2000 万元及以上的工业企业")
    )
    above_scale_since = models.DateField(_("纳入规上日期"), null=True, blank=True)
    entered_park_on = models.DateField(_("入园日期"), null=True, blank=True)
    industry_chain = models.ForeignKey(
        "projects.IndustryChain",
        verbose_name=_("产业链"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    industrial_land_mu = models.DecimalField(
        _("工业用地面积（亩）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["region__sort_order", "name"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        constraints = [
            models.CheckConstraint(
                condition=Q(entered_park_on__isnull=True) | Q(park__isnull=False),
                name="enterprise_entry_date_needs_park",
            ),
            models.CheckConstraint(
                condition=Q(above_scale_since__isnull=True) | Q(is_above_scale=True),
                name="enterprise_above_scale_date_needs_flag",
            ),
            models.CheckConstraint(
                condition=Q(industrial_land_mu__isnull=True) | Q(industrial_land_mu__gte=0),
                name="enterprise_industrial_land_nonnegative",
            ),
        ]
        indexes = [
            # 入园率 by region: the above-scale enterprises of a region, in a park or not.
            models.Index(fields=["region", "is_above_scale"], name="enterprise_region_scale_idx"),
        ]

    def __str__(self) -> str:
        return self.name
