"""Assessment (考核): versioned scoring rubrics and the published, immutable results.

A rubric is edited as a draft and then published; a published rubric is never changed again —
editing it makes the next version (a copy). A published result keeps the rubric version, the
numbers it was computed from and every district's breakdown, so later edits to rubrics, targets
or reports never rewrite it. UPDATE is refused by the model and by a database trigger.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongjian.assessment.choices import LateMode, RubricStatus, ScoringBasis, ScoringMethod


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise TypeError("published assessment results are immutable")


class Rubric(models.Model):
    """One version of a campaign's scoring rubric (考核办法): items, late-report deductions."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("攻坚行动"),
        on_delete=models.CASCADE,
        related_name="rubrics",
    )
    # All versions of one rubric share the code; (campaign, code, version) is unique.
    code = models.SlugField(_("代码"), max_length=32)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=RubricStatus.choices, default=RubricStatus.DRAFT
    )
    effective_from = models.DateField(_("起用月份"), help_text=_("该月第一天；自该月起的考核采用"))
    basis = models.CharField(
        _("计分依据"),
        max_length=16,
        choices=ScoringBasis.choices,
        default=ScoringBasis.COMPLETION,
    )
    late_mode = models.CharField(
        _("逾期填报扣分方式"), max_length=16, choices=LateMode.choices, default=LateMode.NONE
    )
    late_points = models.DecimalField(
        _("每次（天）扣分"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    late_cap = models.DecimalField(
        _("扣分上限"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "code", "-version"]
        verbose_name = _("考核办法")
        verbose_name_plural = _("考核办法")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code", "version"], name="rubric_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(effective_from__day=1), name="rubric_effective_first_of_month"
            ),
            models.CheckConstraint(condition=Q(late_points__gte=0), name="rubric_late_points_ge0"),
            models.CheckConstraint(condition=Q(late_cap__gte=0), name="rubric_late_cap_ge0"),
            models.CheckConstraint(
                condition=Q(status=RubricStatus.DRAFT) | Q(published_at__isnull=False),
                name="rubric_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == RubricStatus.PUBLISHED


class RubricItem(models.Model):
    """One indicator of a rubric: its weight (full points) and how completion is scored."""

    rubric = models.ForeignKey(
        Rubric, verbose_name=_("考核办法"), on_delete=models.CASCADE, related_name="items"
    )
    indicator = models.ForeignKey(
        "campaigns.Indicator", verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    method = models.CharField(_("计分方法"), max_length=16, choices=ScoringMethod.choices)
    # Validated by ``services.rubric_item_params_validate``; see ``scoring`` for each method.
    params = models.JSONField(_("计分参数"), default=dict, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["rubric", "sort_order", "id"]
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")
        constraints = [
            models.UniqueConstraint(fields=["rubric", "indicator"], name="rubric_item_once"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="rubric_item_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} ({self.weight})"


class AssessmentResult(models.Model):
    """A published assessment of a campaign for one month under one rubric version; never
    changed after it is written."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("攻坚行动"),
        on_delete=models.CASCADE,
        related_name="assessment_results",
    )
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("考核办法"), on_delete=models.PROTECT, related_name="results"
    )
    month = models.DateField(_("考核月份"), help_text=_("该月第一天"))
    as_of = models.DateField(_("数据截至"))
    # Late reports are counted as they stood on this day (deadlines passed by then).
    counted_on = models.DateField(_("逾期统计日"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"))
    note = models.TextField(_("说明"), blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-published_at", "-id"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="result_month_first_day"),
            models.CheckConstraint(
                condition=Q(as_of__gte=F("month")), name="result_as_of_in_month"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "month"], name="result_campaign_month_idx")]

    def __str__(self) -> str:
        return f"{self.campaign} {self.month:%Y-%m} ({self.rubric})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("published assessment results are immutable")
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


class AssessmentScore(models.Model):
    """One district's score in a published result: total, ranks and the lines explaining it."""

    result = models.ForeignKey(
        AssessmentResult,
        verbose_name=_("考核结果"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        "regions.AssessmentGroup",
        verbose_name=_("考核分组"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Group name as published, so that renaming a group later does not rewrite the result.
    group_name = models.CharField(_("分组名称"), max_length=64)
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2)
    item_points = models.DecimalField(_("指标得分"), max_digits=8, decimal_places=2)
    deduction = models.DecimalField(_("扣分"), max_digits=8, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("全市排名"))
    group_rank = models.PositiveSmallIntegerField(_("组内排名"))
    late_reports = models.PositiveIntegerField(_("逾期报告数"), default=0)
    # [{"kind": "item"|"deduction", ...}] — see ``scoring.RegionScore.lines``.
    breakdown = models.JSONField(_("得分明细"), default=list)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["result", "group_rank", "region__sort_order"]
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        constraints = [
            models.UniqueConstraint(fields=["result", "region"], name="score_once_per_region"),
            models.CheckConstraint(condition=Q(deduction__gte=0), name="score_deduction_ge0"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.total}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("published assessment results are immutable")
        super().save(*args, **kwargs)
