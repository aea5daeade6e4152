"""The monthly dispatch (月调度): 前期工作 milestones, 要素保障 requests, 挂钩领导 links, and the
dispatch meeting with its agenda and 交办 tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.scopes import department_ids_of, region_scope_q
from gongjian.core.models import StatusChange
from gongjian.dispatch.choices import AgendaKind, LinkRole, MeetingStatus, TaskStatus
from gongjian.projects.models import AREA_ROLES, NamedReference, Project


class MilestoneType(NamedReference):
    """A step of a project's 前期工作, e.g. 可研批复 or 施工许可 (catalogue data, not code)."""

    class Meta(NamedReference.Meta):
        verbose_name = _("前期工作事项")
        verbose_name_plural = _("前期工作事项")


class MilestoneTemplate(models.Model):
    """The 前期工作 steps a kind of project goes through, with when each is due before its start."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    category = models.ForeignKey(
        "projects.Category",
        verbose_name=_("项目类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("适用的项目类别；留空为通用模板"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("前期工作模板")
        verbose_name_plural = _("前期工作模板")

    def __str__(self) -> str:
        return self.name


class MilestoneTemplateStep(models.Model):
    """One step of a template: the milestone and how many months before the planned start."""

    template = models.ForeignKey(
        MilestoneTemplate, verbose_name=_("模板"), on_delete=models.CASCADE, related_name="steps"
    )
    milestone_type = models.ForeignKey(
        MilestoneType, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    months_before_start = models.PositiveSmallIntegerField(_("计划开工前（月）"), default=0)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["template", "sort_order", "id"]
        verbose_name = _("模板事项")
        verbose_name_plural = _("模板事项")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "milestone_type"], name="template_step_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} {self.milestone_type}"


class MilestoneQuerySet(models.QuerySet["ProjectMilestone"]):
    def visible_to(self, user) -> MilestoneQuerySet:
        return self.filter(project__in=Project.objects.visible_to(user))

    def open(self) -> MilestoneQuerySet:
        return self.filter(actual_date__isnull=True)

    def overdue(self, as_of) -> MilestoneQuerySet:
        """Not done and planned before ``as_of``."""
        return self.filter(actual_date__isnull=True, planned_date__lt=as_of)


def _evidence_path(instance: ProjectMilestone, filename: str) -> str:
    return f"milestones/{instance.project.code}/{filename}"


class ProjectMilestone(models.Model):
    """A project's 前期工作 step: planned date, the date it was done, the approval's document
    number and the document itself."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    milestone_type = models.ForeignKey(
        MilestoneType, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="milestones"
    )
    planned_date = models.DateField(_("计划完成日期"))
    actual_date = models.DateField(_("实际完成日期"), null=True, blank=True)
    document_number = models.CharField(_("批复文号"), max_length=100, blank=True)
    evidence = models.FileField(_("批复文件"), upload_to=_evidence_path, blank=True)
    evidence_type = models.CharField(_("文件类型"), max_length=32, blank=True)
    note = models.TextField(_("说明"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["project", "planned_date", "milestone_type__sort_order"]
        verbose_name = _("前期工作节点")
        verbose_name_plural = _("前期工作节点")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "milestone_type"], name="milestone_once_per_project"
            )
        ]
        indexes = [models.Index(fields=["actual_date", "planned_date"], name="milestone_open_idx")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.milestone_type.name}"

    @property
    def is_done(self) -> bool:
        return self.actual_date is not None


class FactorType(NamedReference):
    """A 要素 a project may need secured: 用地, 用林, 用海, 资金, 能耗… (data, not code)."""

    unit = models.CharField(_("默认单位"), max_length=16, blank=True)

    class Meta(NamedReference.Meta):
        verbose_name = _("要素类型")
        verbose_name_plural = _("要素类型")


class FactorRequestQuerySet(models.QuerySet["FactorRequest"]):
    def visible_to(self, user) -> FactorRequestQuerySet:
        """As its problem: the project's region, or the department it is routed to."""
        if getattr(user, "is_superuser", False) and user.is_active:
            return self.all()
        return self.filter(
            region_scope_q(user, "problem__project__region", roles=AREA_ROLES)
            | Q(problem__department_id__in=department_ids_of(user))
        )


class FactorRequest(models.Model):
    """A 要素保障 request: a problem of a kind (用地, 资金…) asking a quantity of a department."""

    problem = models.OneToOneField(
        "projects.Problem",
        verbose_name=_("问题"),
        on_delete=models.CASCADE,
        related_name="factor_request",
    )
    factor_type = models.ForeignKey(
        FactorType, verbose_name=_("要素类型"), on_delete=models.PROTECT, related_name="requests"
    )
    quantity = models.DecimalField(
        _("需求数量"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("单位"), max_length=16, blank=True)

    objects = FactorRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-problem__raised_at", "-id"]
        verbose_name = _("要素保障需求")
        verbose_name_plural = _("要素保障需求")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=0),
                name="factor_request_quantity_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.factor_type.name} {self.problem}"

    @property
    def quantity_text(self) -> str:
        """The quantity asked without trailing zeros ("120 亩", "35.5 万元"), or ""."""
        if self.quantity is None:
            return ""
        return f"{format(self.quantity.normalize(), 'f')} {self.unit}".strip()


class ProjectLinkQuerySet(models.QuerySet["ProjectLink"]):
    def visible_to(self, user) -> ProjectLinkQuerySet:
        return self.filter(project__in=Project.objects.visible_to(user))

    def current(self, on) -> ProjectLinkQuerySet:
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


class ProjectLink(models.Model):
    """A 挂钩领导 or 包保责任人 of a project for a span of dates: a user, or a named official."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="links"
    )
    role = models.CharField(_("角色"), max_length=16, choices=LinkRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_links",
    )
    name = models.CharField(_("姓名"), max_length=64)
    position = models.CharField(_("职务"), max_length=100, blank=True)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    objects = ProjectLinkQuerySet.as_manager()

    class Meta:
        ordering = ["project", "role", "start_date", "id"]
        verbose_name = _("挂钩联系")
        verbose_name_plural = _("挂钩联系")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="project_link_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_role_display()} {self.name}"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user) -> MeetingQuerySet:
        """City meetings to everyone at the city; a district's meetings to that district and the
        city; departments see the meetings that handed them tasks."""
        if getattr(user, "is_superuser", False) and user.is_active:
            return self.all()
        return self.filter(
            region_scope_q(user, "region", roles=AREA_ROLES)
            | Q(tasks__owner_department_id__in=department_ids_of(user))
        ).distinct()


class Meeting(models.Model):
    """A dispatch meeting (调度会) for a month, city-wide or for one district."""

    title = models.CharField(_("会议名称"), max_length=200)
    period = models.DateField(_("调度月份"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("会议日期"))
    chair = models.CharField(_("主持人"), max_length=100)
    attendees = models.TextField(_("参会人员"), blank=True)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    agenda_as_of = models.DateField(_("议程数据截至"), null=True, blank=True)
    summary = models.TextField(_("会议纪要正文"), blank=True)
    minutes_number = models.CharField(_("纪要编号"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-held_on", "-id"]
        verbose_name = _("调度会")
        verbose_name_plural = _("调度会")
        constraints = [
            models.UniqueConstraint(fields=["region", "period"], name="meeting_once_per_month")
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """An item on a meeting's agenda: generated from the data at a date, then edited."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("调度会"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("类型"), max_length=24, choices=AgendaKind.choices)
    ref = models.CharField(_("对象"), max_length=64, blank=True)
    title = models.CharField(_("议题"), max_length=300)
    reasons = models.JSONField(_("原因"), default=list, blank=True)
    note = models.TextField(_("备注"), blank=True)
    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name = _("议程事项")
        verbose_name_plural = _("议程事项")

    def __str__(self) -> str:
        return self.title


class TaskQuerySet(models.QuerySet["Task"]):
    def visible_to(self, user) -> TaskQuerySet:
        """Tasks of meetings in the user's regions, and those handed to the user's department
        or to the user in person."""
        if getattr(user, "is_superuser", False) and user.is_active:
            return self.all()
        return self.filter(
            region_scope_q(user, "meeting__region", roles=AREA_ROLES)
            | region_scope_q(user, "owner_region", roles=AREA_ROLES)
            | Q(owner_department_id__in=department_ids_of(user))
            | Q(owner_user_id=getattr(user, "pk", None))
        )


class Task(models.Model):
    """A 交办事项 decided at a meeting: what, by which unit and person, by when; tracked to
    closure and carried onto the next agenda while unfinished."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("调度会"), on_delete=models.PROTECT, related_name="tasks"
    )
    number = models.PositiveSmallIntegerField(_("编号"))
    text = models.TextField(_("交办内容"))
    owner_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("责任县区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_person = models.CharField(_("责任人姓名"), max_length=64, blank=True)
    due_date = models.DateField(_("完成时限"))
    project = models.ForeignKey(
        Project,
        verbose_name=_("相关项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatch_tasks",
    )
    factor_request = models.ForeignKey(
        FactorRequest,
        verbose_name=_("相关要素保障需求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=TaskStatus.choices,
        default=TaskStatus.OPEN,
        db_index=True,
    )
    progress = models.TextField(_("办理情况"), blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("交办时间"), auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "number"]
        verbose_name = _("交办事项")
        verbose_name_plural = _("交办事项")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="task_number_per_meeting"),
            models.CheckConstraint(
                condition=Q(owner_department__isnull=False) | Q(owner_region__isnull=False),
                name="task_has_owner_unit",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="task_closed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="task_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.meeting.period:%Y-%m} #{self.number} {self.text[:40]}"

    @property
    def owner_unit(self):
        """The department or the district the task is handed to."""
        return self.owner_department or self.owner_region


class TaskStatusChange(StatusChange):
    """A step in a 交办事项's life: progress reported, done reported, closed or reopened."""

    task = models.ForeignKey(
        Task, verbose_name=_("交办事项"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=TaskStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=TaskStatus.choices)
    note = models.TextField(_("说明"), blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("交办事项状态变更")
        verbose_name_plural = _("交办事项状态变更")

    def __str__(self) -> str:
        return f"{self.task} {self.from_status}→{self.to_status}"
