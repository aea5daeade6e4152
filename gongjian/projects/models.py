from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongjian.accounts.scopes import region_scope_q
from gongjian.projects.choices import Stage


class _NamedReference(models.Model):
    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=96, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Category(_NamedReference):
    """A kind of campaign project, e.g. 在建重点项目 or 招商签约项目 (reference data, not code)."""

    requires_monthly_report = models.BooleanField(
        _("按月填报进度"),
        default=True,
        help_text=_("在建期间每月填报完成投资和形象进度；招商签约项目以阶段节点计，不按月填报"),
    )

    class Meta(_NamedReference.Meta):
        verbose_name = _("项目类别")
        verbose_name_plural = _("项目类别")


class IndustryChain(_NamedReference):
    """An industry chain a project belongs to, e.g. 纺织鞋服 or 电子信息."""

    class Meta(_NamedReference.Meta):
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user) -> ProjectQuerySet:
        """The projects in regions the user covers: the one read scope for lists, details, API."""
        return self.filter(region_scope_q(user))


class Project(models.Model):
    """A project in the campaign ledger: an investment that is signed, built and put to work."""

    code = models.CharField(_("项目编号"), max_length=32, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("项目类别"), on_delete=models.PROTECT, related_name="projects"
    )
    industry_chain = models.ForeignKey(
        IndustryChain,
        verbose_name=_("产业链"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    owner_enterprise = models.CharField(_("业主单位"), max_length=200, blank=True)
    responsible_unit = models.CharField(_("责任单位"), max_length=200, blank=True)
    total_investment = models.DecimalField(_("总投资（万元）"), max_digits=16, decimal_places=2)
    annual_plan = models.DecimalField(
        _("年度计划投资（万元）"), max_digits=16, decimal_places=2, default=0
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("建设内容"), blank=True)
    # Derived from the stage events by ``project_record_stage``; kept here so lists filter by index.
    stage = models.CharField(
        _("当前阶段"),
        max_length=16,
        choices=Stage.choices,
        default=Stage.PLANNED,
        editable=False,
        db_index=True,
    )
    # Optimistic locking: an edit names the version it started from.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["region__sort_order", "code"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(total_investment__gte=0), name="project_total_investment_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(annual_plan__gte=0) & Q(annual_plan__lte=models.F("total_investment")),
                name="project_annual_plan_within_total",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="project_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="project_latitude_range",
            ),
        ]
        indexes = [models.Index(fields=["region", "category"], name="project_region_category_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StageEvent(models.Model):
    """A dated stage a project reached (签约, 开工, 竣工…), who recorded it, on what evidence."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="stage_events"
    )
    stage = models.CharField(_("阶段"), max_length=16, choices=Stage.choices)
    date = models.DateField(_("日期"))
    note = models.TextField(_("依据说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("阶段记录")
        verbose_name_plural = _("阶段记录")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "stage"],
                condition=~Q(stage="suspended"),
                name="stage_event_once_per_project",
            ),
            models.CheckConstraint(condition=~Q(stage="planned"), name="stage_event_not_planned"),
        ]
        indexes = [models.Index(fields=["stage", "date"], name="stage_event_stage_date_idx")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_stage_display()} {self.date}"
