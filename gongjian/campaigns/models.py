from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.scopes import memberships_of, region_scope_q
from gongjian.campaigns.choices import Comparator, IndicatorKind, IndicatorUnit, LeadingGroupRole
from gongjian.core.periods import ElapsedBasis

# 序时进度 thresholds in percentage points of ahead/behind: at or above GREEN is on pace, at or
# above YELLOW is a warning, below it is behind. A campaign sets its own; a target may override.
DEFAULT_GREEN_THRESHOLD = Decimal("-5")
DEFAULT_YELLOW_THRESHOLD = Decimal("-15")


class _Named(models.Model):
    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name_en = getattr(self, "name_en", "")
        if (get_language() or "").startswith("en") and name_en:
            return name_en
        return self.name  # type: ignore[attr-defined]


class Campaign(_Named):
    """A mobilisation campaign such as 项目攻坚2022: its document, dates and pace thresholds."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    document = models.TextField(_("文件原文"), blank=True)
    is_active = models.BooleanField(_("进行中"), default=True)
    green_threshold = models.DecimalField(
        _("正常阈值（百分点）"),
        max_digits=6,
        decimal_places=2,
        default=DEFAULT_GREEN_THRESHOLD,
        help_text=_("超序时进度不低于此值为正常（绿）"),
    )
    yellow_threshold = models.DecimalField(
        _("预警阈值（百分点）"),
        max_digits=6,
        decimal_places=2,
        default=DEFAULT_YELLOW_THRESHOLD,
        help_text=_("低于正常阈值、不低于此值为预警（黄），再低为滞后（红）"),
    )
    elapsed_basis = models.CharField(
        _("序时进度口径"),
        max_length=8,
        choices=ElapsedBasis.choices,
        default=ElapsedBasis.DAYS,
        help_text=_("按天：已过天数占全期天数；按月：第n个月计为n/12（月度通报的通常口径）"),
    )

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("攻坚行动")
        verbose_name_plural = _("攻坚行动")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(yellow_threshold__lte=F("green_threshold")),
                name="campaign_yellow_below_green",
            ),
        ]


class SpecialAction(_Named):
    """A 专项行动 of a campaign, led by a department and steered by a leading group."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("攻坚行动"), on_delete=models.CASCADE, related_name="actions"
    )
    code = models.SlugField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    lead_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("工作内容"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["campaign", "sort_order", "code"]
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="special_action_code_unique")
        ]


class LeadingGroupMember(models.Model):
    """A person on a special action's leading group (领导小组): 组长, 副组长 or 成员."""

    action = models.ForeignKey(
        SpecialAction,
        verbose_name=_("专项行动"),
        on_delete=models.CASCADE,
        related_name="leading_group",
    )
    name = models.CharField(_("姓名"), max_length=64)
    title = models.CharField(_("职务"), max_length=150)
    role = models.CharField(_("小组职务"), max_length=16, choices=LeadingGroupRole.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["action", "sort_order", "id"]
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}（{self.title}）"


class Indicator(_Named):
    """A measurable quantity defined as data (source rows, filters, measure) and computed by the
    engine, e.g. 在建重点项目完成投资 or 规上工业企业入园率."""

    code = models.SlugField(_("代码"), max_length=48, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=IndicatorKind.choices)
    unit = models.CharField(_("单位"), max_length=8, choices=IndicatorUnit.choices)
    # Validated by ``indicator_definition_validate``; the engine compiles it, never evaluates it.
    definition = models.JSONField(_("定义"), default=dict)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")


class TargetQuerySet(models.QuerySet["Target"]):
    def visible_to(self, user) -> TargetQuerySet:
        """Targets of regions the user covers, and of the regions above them: a district sees
        its own targets and the city's (which it contributes to), not another district's."""
        if getattr(user, "is_superuser", False) and user.is_active:
            return self.all()
        ancestor_paths: set[str] = set()
        for membership in memberships_of(user):
            codes = membership.region.path.strip("/").split("/")
            ancestor_paths |= {"/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes))}
        return self.filter(region_scope_q(user) | Q(region__path__in=sorted(ancestor_paths)))


class Target(models.Model):
    """What a campaign asks of one region: an indicator over a period, compared with a value
    (在建重点项目完成投资 ≥ 1700 亿元 for 泉州市 in 2022), and the sentence it was taken from."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("攻坚行动"), on_delete=models.CASCADE, related_name="targets"
    )
    action = models.ForeignKey(
        SpecialAction,
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="targets"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+"
    )
    # Whole months: the first day of the first month to the last day of the last.
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    comparator = models.CharField(
        _("比较"), max_length=2, choices=Comparator.choices, default=Comparator.GTE
    )
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=2)
    baseline_value = models.DecimalField(
        _("基数"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    baseline_date = models.DateField(_("基数日期"), null=True, blank=True)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=Decimal(1))
    source_sentence = models.TextField(_("原文"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级目标"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="allocations",
        help_text=_("由上级目标分解而来时填写"),
    )
    # Cumulative share of the target planned by the end of each month of the period, e.g.
    # ["0.05", "0.12", …, "1"]; empty: 序时进度 is the share of the period's days elapsed.
    plan_curve = models.JSONField(_("月度计划进度"), null=True, blank=True)
    green_threshold = models.DecimalField(
        _("正常阈值（百分点）"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("留空则采用攻坚行动的设置"),
    )
    yellow_threshold = models.DecimalField(
        _("预警阈值（百分点）"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("留空则采用攻坚行动的设置"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "sort_order", "id"]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "indicator", "region", "period_start", "period_end"],
                name="target_once_per_indicator_region_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="target_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(period_start__day=1), name="target_period_starts_on_first"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_value_nonnegative"),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_value__gte=0),
                name="target_baseline_nonnegative",
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="target_weight_nonnegative"),
            models.CheckConstraint(
                condition=Q(green_threshold__isnull=True)
                | Q(yellow_threshold__isnull=True)
                | Q(yellow_threshold__lte=F("green_threshold")),
                name="target_yellow_below_green",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "indicator"], name="target_campaign_ind_idx")]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.region} {self.comparator} {self.value}"

    def thresholds(self) -> tuple[Decimal, Decimal]:
        """The green and yellow thresholds in force: the target's own, else its campaign's."""
        campaign = self.campaign
        return (
            campaign.green_threshold if self.green_threshold is None else self.green_threshold,
            campaign.yellow_threshold if self.yellow_threshold is None else self.yellow_threshold,
        )


class IndicatorCell(models.Model):
    """One indicator's total for one region and month, kept current as rows change (see
    ``campaigns.rollup``): the engine reads these instead of re-aggregating every report and
    stage event, so a whole campaign evaluates in a few thousand rows at any scale."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="cells"
    )
    # The region the rows belong to (a reporting unit); ancestors are summed when read.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("月份"))
    # A sum or count: the month's total (value) and the number of its rows (base). A rate: the
    # month's change of its numerator (value) and denominator (base) — enterprises (or 亩)
    # entering minus leaving — so that the stock at a month's end is the running sum; the first
    # month of records stands for "since always".
    value = models.DecimalField(_("合计"), max_digits=20, decimal_places=2, default=Decimal(0))
    base = models.DecimalField(_("分母变动"), max_digits=20, decimal_places=2, default=Decimal(0))

    class Meta:
        verbose_name = _("指标月度合计")
        verbose_name_plural = _("指标月度合计")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "month"], name="indicator_cell_once"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="indicator_cell_month_first"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.region_id} {self.month:%Y-%m} {self.value}"


class IndicatorVersion(models.Model):
    """How many times the cells under one region have changed for one indicator: the key that
    keeps a cached evaluation over that region's subtree valid (``campaigns.cache``).

    Bumped in the same transaction as the cell write, for the cell's region and every region
    above it, so that a reader who sees the new cells also sees the new version. Never reset."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+"
    )
    version = models.BigIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("指标版本")
        verbose_name_plural = _("指标版本")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "region"], name="indicator_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.region_id} v{self.version}"
