"""Investment promotion: leads from companies looking for land, factories or offices, the
pipeline they move along, the sites (载体) the city can offer, and proposals matching the two.

Personal data: a lead's mobile number is stored encrypted (Fernet, key from the environment),
with a keyed hash for duplicate lookups and the masked form the pages show; ``purge-leads``
anonymises closed leads after the retention period.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.choices import BUSINESS_ROLES, Role
from gongjian.accounts.scopes import department_ids_of, region_scope_q
from gongjian.core.models import StatusChange
from gongjian.core.uscc import USCC_LENGTH
from gongjian.investment.choices import (
    AreaUnit,
    DuplicateReason,
    FollowUpKind,
    LeadNeed,
    LeadSource,
    LeadStage,
    LostReason,
    MatchOutcome,
    ResourceKind,
    ResourceStatus,
)

# 1 亩 = 10000/15 m² exactly.
SQUARE_METRES_PER_MU = Decimal(10000) / Decimal(15)
# Everyone but department staff sees leads by region; a department sees the leads assigned to it.
AREA_ROLES = tuple(role for role in BUSINESS_ROLES if role != Role.DEPARTMENT)


def area_in_m2(area: Decimal | None, unit: str) -> Decimal | None:
    if area is None:
        return None
    value = area * SQUARE_METRES_PER_MU if unit == AreaUnit.MU else area
    return value.quantize(Decimal("0.01"))


class LeadQuerySet(models.QuerySet["Lead"]):
    def visible_to(self, user) -> LeadQuerySet:
        """Leads in regions the user covers (city staff see all, a district its own) and the
        leads assigned to the user's department."""
        if getattr(user, "is_superuser", False) and user.is_active:
            return self.all()
        return self.filter(
            region_scope_q(user, roles=AREA_ROLES) | Q(department_id__in=department_ids_of(user))
        )


class Lead(models.Model):
    """A company's request for land, a factory or an office: one row of the pipeline."""

    reference = models.CharField(_("登记编号"), max_length=20, unique=True)
    company = models.CharField(_("企业名称"), max_length=200)
    # Normalised company name (see ``dedup.company_key``) for duplicate lookups.
    company_key = models.CharField(max_length=200, db_index=True, editable=False)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=USCC_LENGTH, blank=True, db_index=True
    )
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    # Fernet token of the normalised number; never the number itself.
    mobile_encrypted = models.TextField(blank=True, editable=False)
    # HMAC-SHA256 of the normalised number with a key derived from the PII key.
    mobile_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    mobile_masked = models.CharField(_("手机号"), max_length=16, blank=True, editable=False)
    need = models.CharField(_("需求"), max_length=16, choices=LeadNeed.choices)
    use = models.CharField(_("用途"), max_length=200, blank=True)
    industry_chain = models.ForeignKey(
        "projects.IndustryChain",
        verbose_name=_("所属行业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.DecimalField(
        _("需求面积"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    area_unit = models.CharField(
        _("面积单位"), max_length=4, choices=AreaUnit.choices, default=AreaUnit.SQUARE_METRE
    )
    area_m2 = models.DecimalField(
        _("需求面积（平方米）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    expected_annual_tax = models.DecimalField(
        _("预计年税收（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    planned_investment = models.DecimalField(
        _("计划投资（万元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    preferred_regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("意向县区"), blank=True, related_name="+"
    )
    message = models.TextField(_("补充说明"), blank=True)
    consent_at = models.DateTimeField(_("同意隐私说明时间"), null=True, blank=True)
    privacy_version = models.CharField(_("隐私说明版本"), max_length=16, blank=True)
    source = models.CharField(
        _("来源"), max_length=16, choices=LeadSource.choices, default=LeadSource.PUBLIC_FORM
    )
    submitted_ip = models.GenericIPAddressField(_("提交 IP"), null=True, blank=True)
    # Honeypot hits are kept (nothing submitted is dropped silently) but out of the pipeline.
    is_spam = models.BooleanField(_("疑似垃圾提交"), default=False, db_index=True)
    # The team that owns the lead: a district (region) or a department seated in a region.
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("承办区域"),
        on_delete=models.PROTECT,
        related_name="investment_leads",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment_leads",
    )
    stage = models.CharField(
        _("阶段"),
        max_length=16,
        choices=LeadStage.choices,
        default=LeadStage.NEW,
        db_index=True,
        editable=False,
    )
    stage_changed_at = models.DateTimeField(_("进入本阶段时间"), null=True, blank=True)
    lost_reason = models.CharField(
        _("流失原因"), max_length=32, choices=LostReason.choices, blank=True
    )
    project_name = models.CharField(_("拟签约项目名称"), max_length=200, blank=True)
    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("签约项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_lead",
    )
    enterprise = models.ForeignKey(
        "parks.Enterprise",
        verbose_name=_("关联企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_leads",
    )
    dedup_checked_at = models.DateTimeField(_("查重时间"), null=True, blank=True)
    purged_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("招商线索")
        verbose_name_plural = _("招商线索")
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="lost") | ~Q(lost_reason=""), name="lead_lost_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(area__isnull=True) | Q(area__gt=0), name="lead_area_positive"
            ),
            models.CheckConstraint(
                condition=Q(planned_investment__isnull=True) | Q(planned_investment__gte=0),
                name="lead_investment_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(expected_annual_tax__isnull=True) | Q(expected_annual_tax__gte=0),
                name="lead_tax_nonnegative",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "stage"], name="lead_region_stage_idx"),
            models.Index(fields=["submitted_ip", "created_at"], name="lead_ip_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.company}"


class LeadStageChange(StatusChange):
    """A lead's move from one stage to another: who, when, why (the Data Hub stage log)."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("原阶段"), max_length=16, choices=LeadStage.choices)
    to_stage = models.CharField(_("新阶段"), max_length=16, choices=LeadStage.choices)
    note = models.TextField(_("说明"), blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("线索阶段变更")
        verbose_name_plural = _("线索阶段变更")

    def __str__(self) -> str:
        return f"{self.lead.reference} {self.from_stage}→{self.to_stage}"


class LeadFollowUp(models.Model):
    """One contact with the company: a call, a visit, a meeting, with what comes next."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    kind = models.CharField(_("方式"), max_length=16, choices=FollowUpKind.choices)
    occurred_on = models.DateField(_("日期"))
    note = models.TextField(_("对接情况"))
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("对接记录")
        verbose_name_plural = _("对接记录")

    def __str__(self) -> str:
        return f"{self.lead.reference} {self.occurred_on} {self.get_kind_display()}"


class LeadDuplicate(models.Model):
    """A possible duplicate found when a lead came in: an earlier lead or a registered
    enterprise, and the rules that matched. Linked and shown, never merged."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="duplicates"
    )
    other_lead = models.ForeignKey(
        Lead,
        verbose_name=_("重复线索"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="duplicated_by",
    )
    enterprise = models.ForeignKey(
        "parks.Enterprise",
        verbose_name=_("已登记企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    reasons = models.JSONField(_("命中规则"), default=list)
    found_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        constraints = [
            models.CheckConstraint(
                condition=Q(other_lead__isnull=False, enterprise__isnull=True)
                | Q(other_lead__isnull=True, enterprise__isnull=False),
                name="lead_duplicate_one_target",
            ),
            models.UniqueConstraint(fields=["lead", "other_lead"], name="lead_duplicate_lead"),
            models.UniqueConstraint(
                fields=["lead", "enterprise"], name="lead_duplicate_enterprise"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} ~ {self.other_lead_id or self.enterprise_id}"

    def reason_labels(self) -> list[str]:
        labels = dict(DuplicateReason.choices)
        return [str(labels.get(r, r)) for r in self.reasons]


class ResourceQuerySet(models.QuerySet["Resource"]):
    def visible_to(self, user) -> ResourceQuerySet:
        """The sites in regions the user covers."""
        return self.filter(region_scope_q(user))


class Resource(models.Model):
    """A site the city can offer an investor (载体): a land parcel, a standard factory building
    or office space."""

    code = models.SlugField(_("载体编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=ResourceKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="investment_resources",
    )
    park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("所在园区"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_resources",
    )
    area_m2 = models.DecimalField(_("面积（平方米）"), max_digits=14, decimal_places=2)
    # Land is sold (万元/亩); factories and offices are let (元/平方米·月).
    land_price_wan_per_mu = models.DecimalField(
        _("出让价格（万元/亩）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rent_yuan_per_m2_month = models.DecimalField(
        _("租金（元/平方米·月）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    permitted_industries = models.ManyToManyField(
        "projects.IndustryChain",
        verbose_name=_("准入产业"),
        blank=True,
        related_name="+",
        help_text=_("留空表示不限产业"),
    )
    floor_load_kn_m2 = models.DecimalField(
        _("楼面荷载（kN/㎡）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    power_capacity_kva = models.PositiveIntegerField(_("供电容量（kVA）"), null=True, blank=True)
    available_from = models.DateField(_("可交付日期"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ResourceStatus.choices,
        default=ResourceStatus.AVAILABLE,
        db_index=True,
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["region__sort_order", "code"]
        verbose_name = _("载体")
        verbose_name_plural = _("载体")
        constraints = [
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="resource_area_positive"),
            models.CheckConstraint(
                condition=Q(land_price_wan_per_mu__isnull=True) | Q(land_price_wan_per_mu__gte=0),
                name="resource_price_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(rent_yuan_per_m2_month__isnull=True) | Q(rent_yuan_per_m2_month__gte=0),
                name="resource_rent_nonnegative",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"], name="resource_kind_status_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def area_mu(self) -> Decimal:
        return (self.area_m2 / SQUARE_METRES_PER_MU).quantize(Decimal("0.01"))


class MatchProposal(models.Model):
    """A site proposed to a lead's company, with the fit score at the time and what came of it."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="proposals"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("载体"), on_delete=models.CASCADE, related_name="proposals"
    )
    score = models.PositiveSmallIntegerField(_("匹配得分"))
    outcome = models.CharField(
        _("结果"), max_length=16, choices=MatchOutcome.choices, default=MatchOutcome.PROPOSED
    )
    note = models.TextField(_("说明"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("推荐人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("推荐时间"), auto_now_add=True)
    outcome_at = models.DateTimeField(_("结果时间"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("载体推荐")
        verbose_name_plural = _("载体推荐")
        constraints = [
            models.UniqueConstraint(fields=["lead", "resource"], name="match_once_per_pair"),
            models.CheckConstraint(condition=Q(score__lte=100), name="match_score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.lead.reference} → {self.resource.code}"
