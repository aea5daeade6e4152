from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.choices import BUSINESS_ROLES, Role
from gongjian.accounts.scopes import department_ids_of, region_scope_q
from gongjian.core.models import StatusChange
from gongjian.projects.choices import (
    SUPERVISION_AWAITING_REPLY,
    ProblemStatus,
    ProjectClass,
    ProjectLevel,
    Stage,
    StageEventStatus,
    SupervisionStatus,
)


class NamedReference(models.Model):
    """Reference data kept as rows (a code, a Chinese and an English name, an order)."""

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


class Category(NamedReference):
    """A kind of campaign project, e.g. 在建重点项目 or 招商签约项目 (reference data, not code)."""

    requires_monthly_report = models.BooleanField(
        _("按月填报进度"),
        default=True,
        help_text=_("在建期间每月填报完成投资和形象进度；招商签约项目以阶段节点计，不按月填报"),
    )

    class Meta(NamedReference.Meta):
        verbose_name = _("项目类别")
        verbose_name_plural = _("项目类别")


class IndustryChain(NamedReference):
    """An industry chain a project belongs to, e.g. 纺织鞋服 or 电子信息."""

    class Meta(NamedReference.Meta):
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")


class Sector(NamedReference):
    """A sector a key project is listed under (产业, 交通, 能源, 城建…): data, editable."""

    class Meta(NamedReference.Meta):
        verbose_name = _("行业领域")
        verbose_name_plural = _("行业领域")


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
    owner_uscc = models.CharField(_("业主统一社会信用代码"), max_length=18, blank=True)
    # Linked when the owner's credit code is on the enterprise registry; free text otherwise.
    owner_enterprise_record = models.ForeignKey(
        "parks.Enterprise",
        verbose_name=_("业主企业（名录）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_projects",
    )
    responsible_unit = models.CharField(_("责任单位"), max_length=200, blank=True)
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    responsible_phone = models.CharField(_("责任人电话"), max_length=20, blank=True)
    is_provincial_key = models.BooleanField(_("省重点"), default=False)
    is_city_key = models.BooleanField(_("市重点"), default=False)
    is_county_key = models.BooleanField(_("县重点"), default=False)
    project_class = models.CharField(
        _("项目类别（年度清单）"),
        max_length=16,
        choices=ProjectClass.choices,
        blank=True,
        db_index=True,
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("行业领域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    start_year = models.PositiveSmallIntegerField(_("建设起始年"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("建设结束年"), null=True, blank=True)
    # First day of the month, like every month in the ledger.
    planned_start_month = models.DateField(_("计划开工月份"), null=True, blank=True)
    planned_completion_month = models.DateField(_("计划竣工（投产）月份"), null=True, blank=True)
    national_code = models.CharField(
        _("全国投资项目代码"),
        max_length=24,
        blank=True,
        help_text=_("全国投资项目在线审批监管平台赋码，如 2022-350500-47-01-012345"),
    )
    markers = models.CharField(
        _("清单标记"), max_length=8, blank=True, help_text=_("名录中项目名称前后的★▲※等标记")
    )
    total_investment = models.DecimalField(_("总投资（万元）"), max_digits=16, decimal_places=2)
    annual_plan = models.DecimalField(
        _("年度计划投资（万元）"), max_digits=16, decimal_places=2, default=0
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("建设规模及内容"), blank=True)
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
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(end_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="project_years_in_order",
            ),
            models.UniqueConstraint(
                fields=["national_code"],
                condition=~Q(national_code=""),
                name="project_national_code_unique",
            ),
        ]
        indexes = [models.Index(fields=["region", "category"], name="project_region_category_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def levels(self) -> list[str]:
        """The lists the project is on (ProjectLevel values), highest first."""
        flags = (
            (self.is_provincial_key, ProjectLevel.PROVINCIAL),
            (self.is_city_key, ProjectLevel.CITY),
            (self.is_county_key, ProjectLevel.COUNTY),
        )
        return [str(level) for on, level in flags if on]

    @property
    def level_display(self) -> str:
        return "、".join(str(ProjectLevel(level).label) for level in self.levels)


# The Project field behind each level, for filters.
LEVEL_FIELDS = {
    ProjectLevel.PROVINCIAL: "is_provincial_key",
    ProjectLevel.CITY: "is_city_key",
    ProjectLevel.COUNTY: "is_county_key",
}


class StageEventQuerySet(models.QuerySet["StageEvent"]):
    def confirmed(self) -> StageEventQuerySet:
        """The events that count: in indicators, monthly cells, lights and the current stage."""
        return self.filter(status=StageEventStatus.CONFIRMED)

    def standing(self) -> StageEventQuerySet:
        """Confirmed or still waiting: a rejected claim no longer stands in the way."""
        return self.exclude(status=StageEventStatus.REJECTED)


def _evidence_path(instance: StageEvent, filename: str) -> str:
    return f"stage-evidence/{instance.project.code}/{filename}"


class StageEvent(models.Model):
    """A dated stage a project reached (签约, 开工, 竣工…), who recorded it, on what evidence, and
    whether the district reviewer has confirmed it (only confirmed events count)."""

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
    # Rows written by the ledger's own workflows (a won lead's 签约, imports, the demo) are facts;
    # a filer's claim is written as PENDING by ``stage_event_claim``.
    status = models.CharField(
        _("核实状态"),
        max_length=16,
        choices=StageEventStatus.choices,
        default=StageEventStatus.CONFIRMED,
        db_default=StageEventStatus.CONFIRMED,
        db_index=True,
    )
    evidence = models.FileField(_("佐证材料"), upload_to=_evidence_path, blank=True)
    evidence_type = models.CharField(_("材料类型"), max_length=32, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    rejection_reason = models.TextField(_("退回原因"), blank=True)

    objects = StageEventQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("阶段记录")
        verbose_name_plural = _("阶段记录")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "stage"],
                condition=~Q(stage="suspended") & ~Q(status="rejected"),
                name="stage_event_once_per_project",
            ),
            models.CheckConstraint(condition=~Q(stage="planned"), name="stage_event_not_planned"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="stage_event_rejected_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "date"], name="stage_event_stage_date_idx"),
            # "Has this project started by month end?" — the correlated lookups of who is due.
            models.Index(fields=["project", "stage", "date"], name="stage_event_project_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_stage_display()} {self.date}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == StageEventStatus.CONFIRMED


# Everyone but department staff sees by region; a department sees what is addressed to it.
AREA_ROLES = tuple(role for role in BUSINESS_ROLES if role != Role.DEPARTMENT)


def _sees_everything(user) -> bool:
    # An empty Q() OR-ed with another Q collapses to the other one, so the superuser's
    # "no restriction" has to be decided before combining the scopes.
    return bool(getattr(user, "is_superuser", False) and user.is_active)


class SupervisionQuerySet(models.QuerySet["Supervision"]):
    def visible_to(self, user) -> SupervisionQuerySet:
        """Orders to regions the user covers, to departments seated there, or to the user's own
        department: the city sees all, a district its own, a department those addressed to it."""
        if _sees_everything(user):
            return self.all()
        return self.filter(
            region_scope_q(user, "target_region", roles=AREA_ROLES)
            | region_scope_q(user, "target_department__region", roles=AREA_ROLES)
            | Q(target_department_id__in=department_ids_of(user))
        )

    def overdue(self, today) -> SupervisionQuerySet:
        """Still waiting for a reply after the due date."""
        return self.filter(status__in=SUPERVISION_AWAITING_REPLY, due_date__lt=today)


class Supervision(models.Model):
    """A 督办 order: the city tells a district or a department to act on something by a date."""

    title = models.CharField(_("督办事项"), max_length=200)
    content = models.TextField(_("督办内容"))
    target_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("督办县区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    target_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("督办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("相关项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("督办时间"), default=timezone.now)
    due_date = models.DateField(_("办理期限"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.OPEN,
        db_index=True,
    )
    response = models.TextField(_("办理情况"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    # 0: with the target; 1: raised to the level above it (the city's leadership).
    escalation_level = models.PositiveSmallIntegerField(_("升级层级"), default=0)
    escalated_to_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("升级至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_region__isnull=False, target_department__isnull=True)
                | Q(target_region__isnull=True, target_department__isnull=False),
                name="supervision_one_target",
            ),
            models.CheckConstraint(
                condition=Q(escalation_level=0, escalated_to_region__isnull=True)
                | Q(escalation_level__gt=0, escalated_to_region__isnull=False),
                name="supervision_escalation_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(status="responded") | ~Q(response=""),
                name="supervision_responded_has_response",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="supervision_status_due_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def target(self):
        """The district (Region) or the department (Department) the order is addressed to."""
        return self.target_region or self.target_department

    @property
    def seat(self):
        """The region the order lives in: the district, or the department's region."""
        if self.target_region is not None:
            return self.target_region
        assert self.target_department is not None
        return self.target_department.region


class SupervisionStatusChange(StatusChange):
    """A step in a 督办 order's life: issued→responded→closed, or escalated when overdue."""

    supervision = models.ForeignKey(
        Supervision,
        verbose_name=_("督办"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=SupervisionStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=SupervisionStatus.choices)
    note = models.TextField(_("说明"), blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("督办状态变更")
        verbose_name_plural = _("督办状态变更")

    def __str__(self) -> str:
        return f"{self.supervision} {self.from_status}→{self.to_status}"


class ProblemQuerySet(models.QuerySet["Problem"]):
    def visible_to(self, user) -> ProblemQuerySet:
        """Problems of projects in regions the user covers, and those assigned to the user's
        department: the city sees all, a district its projects', a department its own."""
        if _sees_everything(user):
            return self.all()
        return self.filter(
            region_scope_q(user, "project__region", roles=AREA_ROLES)
            | Q(department_id__in=department_ids_of(user))
        )


class Problem(models.Model):
    """A problem holding a project back (land, permits, funding…) that a department is to solve."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="problems"
    )
    report = models.ForeignKey(
        "reporting.ProgressReport",
        verbose_name=_("所在月报"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems",
    )
    title = models.CharField(_("问题"), max_length=200)
    description = models.TextField(_("问题描述"))
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    due_date = models.DateField(_("办结期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ProblemStatus.choices,
        default=ProblemStatus.OPEN,
        db_index=True,
    )
    resolution = models.TextField(_("解决情况"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now, db_index=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="resolved")
                | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="problem_resolved_has_resolution",
            ),
            models.CheckConstraint(
                condition=Q(department__isnull=True) | Q(due_date__isnull=False),
                name="problem_assigned_has_due_date",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="problem_department_status_idx")
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.title}"


class ProblemStatusChange(StatusChange):
    """A step in a problem's handling: who moved it from which status to which, when and why."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=ProblemStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=ProblemStatus.choices)
    note = models.TextField(_("说明"), blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("问题状态变更")
        verbose_name_plural = _("问题状态变更")

    def __str__(self) -> str:
        return f"{self.problem} {self.from_status}→{self.to_status}"
