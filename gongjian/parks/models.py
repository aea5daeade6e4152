"""Parks and the enterprises in them: what 规上工业企业入园率 (the share of above-scale industrial
enterprises located in parks) is computed from.

Time: every change of an enterprise's region, park, above-scale flag or industrial land is kept
as a dated row, an ``EnterpriseSpell`` (see ``gongjian.parks.history`` for the rules), so any past
date can be evaluated: an enterprise is above scale / in a park on a date when the spell in force
on that date says so. The enterprise row keeps its current state for convenience (lists, forms,
exports); the services keep both in step under a row lock.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.scopes import region_scope_q
from gongjian.core.uscc import USCC_LENGTH
from gongjian.parks.choices import OperatingStatus, ParkKind


def in_force_q(as_of: dt.date, prefix: str = "") -> Q:
    """Spells in force on ``as_of``; ``prefix`` reaches them through a relation, e.g.
    ``"enterprise_spells__"`` from a region."""
    return (
        Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": as_of})
    ) & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": as_of}))


def above_scale_q(as_of: dt.date, prefix: str = "") -> Q:
    """Spells that make their enterprise above-scale (规上) on ``as_of``."""
    return in_force_q(as_of, prefix) & Q(**{f"{prefix}is_above_scale": True})


def in_park_q(as_of: dt.date, prefix: str = "") -> Q:
    """Spells that place their enterprise in a park on ``as_of``."""
    return in_force_q(as_of, prefix) & Q(**{f"{prefix}park__isnull": False})


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
        """Above scale on ``as_of`` by the spell in force then."""
        return self.filter(
            pk__in=EnterpriseSpell.objects.filter(above_scale_q(as_of)).values("enterprise_id")
        )

    def in_park_on(self, as_of: dt.date) -> EnterpriseQuerySet:
        """In a park on ``as_of`` by the spell in force then."""
        return self.filter(
            pk__in=EnterpriseSpell.objects.filter(in_park_q(as_of)).values("enterprise_id")
        )


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
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    production_started_on = models.DateField(_("投产日期"), null=True, blank=True)
    output_value = models.DecimalField(
        _("工业总产值（万元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("最近一个完整年度"),
    )
    tax_paid = models.DecimalField(
        _("税收（万元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("最近一个完整年度"),
    )
    operating_status = models.CharField(
        _("经营状态"),
        max_length=16,
        choices=OperatingStatus.choices,
        default=OperatingStatus.OPERATING,
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
            models.CheckConstraint(
                condition=Q(output_value__isnull=True) | Q(output_value__gte=0),
                name="enterprise_output_value_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(tax_paid__isnull=True) | Q(tax_paid__gte=0),
                name="enterprise_tax_paid_nonnegative",
            ),
        ]
        indexes = [
            # 入园率 by region: the above-scale enterprises of a region, in a park or not.
            models.Index(fields=["region", "is_above_scale"], name="enterprise_region_scale_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class EnterpriseSpell(models.Model):
    """A stretch of an enterprise's history with one region, park (or none), above-scale flag and
    industrial land: ``[valid_from, valid_to)``, open at either end (see ``parks.history``)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="spells"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="enterprise_spells",
    )
    park = models.ForeignKey(
        Park,
        verbose_name=_("所在园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprise_spells",
    )
    is_above_scale = models.BooleanField(_("规上工业企业"))
    previous_above_scale = models.BooleanField(
        _("此前是否规上"), null=True, blank=True, help_text=_("上一时段的规上标记；首个时段为空")
    )
    industrial_land_mu = models.DecimalField(
        _("工业用地面积（亩）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField(_("起始日期"), null=True, blank=True)
    valid_to = models.DateField(_("截止日期（不含）"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["enterprise_id", "valid_from"]
        verbose_name = _("企业状态时段")
        verbose_name_plural = _("企业状态时段")
        constraints = [
            # One current spell per enterprise.
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(valid_to__isnull=True),
                name="enterprise_spell_one_open",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "valid_from"], name="enterprise_spell_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gt=F("valid_from")),
                name="enterprise_spell_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(industrial_land_mu__isnull=True) | Q(industrial_land_mu__gte=0),
                name="enterprise_spell_land_nonnegative",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "valid_from"], name="enterprise_spell_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} [{self.valid_from} – {self.valid_to})"

    # The drill-down lists spells where it used to list enterprises: these read through.
    @property
    def uscc(self) -> str:
        return self.enterprise.uscc

    @property
    def name(self) -> str:
        return self.enterprise.name

    @property
    def above_scale_since(self) -> dt.date | None:
        return self.enterprise.above_scale_since
