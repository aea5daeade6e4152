"""Annual plans of key projects, their dated changes, the rules of the project lights and of the
红黑榜. The lights themselves are computed live (``gongjian.plans.lights``), never stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjian.plans.choices import BoardSubject, LightColor


class AnnualPlan(models.Model):
    """A key project's planned investment for one year (年度计划投资) and its monthly curve."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="annual_plans",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    # The amount of the latest change, for lists; what counts at a date is the change in force.
    amount = models.DecimalField(_("年度计划投资（万元）"), max_digits=16, decimal_places=2)
    # Optional: 12 cumulative percentages of the year's plan by month end, e.g. [5, 12, …, 100].
    monthly_curve = models.JSONField(_("月度计划曲线（累计%）"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-year", "project__code"]
        verbose_name = _("年度计划")
        verbose_name_plural = _("年度计划")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="annual_plan_once_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="annual_plan_nonnegative"),
        ]
        indexes = [models.Index(fields=["year", "project"], name="annual_plan_year_idx")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.year}"


class PlanChange(models.Model):
    """A dated amount of an annual plan: the plan as first set (下达) or an adjustment (调整).

    The plan in force at a date is the latest change effective on or before it; ``previous``
    is the amount it replaced (0 for the first), so sums of plans in force are sums of deltas.
    """

    plan = models.ForeignKey(
        AnnualPlan, verbose_name=_("年度计划"), on_delete=models.CASCADE, related_name="changes"
    )
    effective_date = models.DateField(_("生效日期"))
    amount = models.DecimalField(_("计划投资（万元）"), max_digits=16, decimal_places=2)
    previous = models.DecimalField(_("调整前（万元）"), max_digits=16, decimal_places=2, default=0)
    reason = models.TextField(_("调整原因"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调整人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["effective_date", "id"]
        verbose_name = _("计划调整")
        verbose_name_plural = _("计划调整")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="plan_change_nonnegative"),
            models.UniqueConstraint(
                fields=["plan", "effective_date"], name="plan_change_once_per_day"
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "effective_date"], name="plan_change_plan_date_idx")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.effective_date} {self.amount}"


class LightRule(models.Model):
    """One rule of the project lights: when it fires for a project, the light turns ``color``.

    ``kind`` names a registered evaluator (``gongjian.plans.lights.register_rule_kind``): the
    built-in ones, and those other apps add (e.g. 前期工作 milestones). ``threshold`` and
    ``months`` are the kind's parameters.
    """

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("规则类型"), max_length=32)
    color = models.CharField(
        _("亮灯"),
        max_length=8,
        choices=[
            (LightColor.YELLOW, LightColor.YELLOW.label),
            (LightColor.RED, LightColor.RED.label),
        ],
    )
    threshold = models.DecimalField(
        _("阈值"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    months = models.PositiveSmallIntegerField(_("月数"), null=True, blank=True)
    days = models.PositiveSmallIntegerField(_("天数"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("亮灯规则")
        verbose_name_plural = _("亮灯规则")

    def __str__(self) -> str:
        return self.name


class BoardRule(models.Model):
    """A 红黑榜 list: which subjects it ranks, on which measure, and how many it names."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    subject = models.CharField(_("对象"), max_length=16, choices=BoardSubject.choices)
    # Responsible units only: the kind of unit ranked ("department" or "soe"), matched by name.
    unit_keywords = models.CharField(
        _("单位名称关键词"),
        max_length=200,
        blank=True,
        help_text=_("以顿号分隔，如“集团、公司”为国有企业；留空为全部"),
    )
    size = models.PositiveSmallIntegerField(_("上榜数"), default=5)
    minimum_plan = models.DecimalField(
        _("最低年度计划（万元）"),
        max_digits=16,
        decimal_places=2,
        default=0,
        help_text=_("年度计划低于此值的不参与排名"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("红黑榜规则")
        verbose_name_plural = _("红黑榜规则")

    def __str__(self) -> str:
        return self.name
