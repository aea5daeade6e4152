"""Reads from the project ledger and the problems and 督办 orders that hang off it, always through
the models' ``visible_to(user)``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.audit.choices import AuditAction
from gongjian.audit.models import AuditEvent
from gongjian.projects.choices import (
    SUPERVISION_AWAITING_REPLY,
    UNRESOLVED_PROBLEM_STATUSES,
    ProblemAge,
    ProblemStatus,
    Stage,
    StageEventStatus,
    SupervisionStatus,
)
from gongjian.projects.models import (
    LEVEL_FIELDS,
    Problem,
    Project,
    ProjectQuerySet,
    StageEvent,
    Supervision,
)

# Filters over several stages at once, as the home page and the bulletins count them.
STAGE_GROUPS: dict[str, tuple[object, tuple[str, ...]]] = {
    "not_started": (_("未开工（谋划、签约、落地）"), (Stage.PLANNED, Stage.SIGNED, Stage.LANDED)),
    "started_or_later": (
        _("已开工（含竣工、投产）"),
        (Stage.STARTED, Stage.COMPLETED, Stage.OPERATING),
    ),
    "completed_or_later": (_("已竣工（含投产）"), (Stage.COMPLETED, Stage.OPERATING)),
}


@dataclass(frozen=True)
class ProjectFilters:
    """The filters of the project list, the API and exports."""

    region: str = ""  # a region code; its whole subtree matches
    category: str = ""
    stage: str = ""
    industry: str = ""
    q: str = ""
    level: str = ""  # ProjectLevel value
    sector: str = ""  # Sector code
    project_class: str = ""  # ProjectClass value
    responsible_unit: str = ""

    def as_q(self) -> Q:
        """The filters as one condition on projects (the API's FilterSchema reads it too)."""
        condition = Q()
        if self.region:
            condition &= Q(region__code=self.region) | Q(region__path__contains=f"/{self.region}/")
        if self.category:
            condition &= Q(category__code=self.category)
        if self.stage in STAGE_GROUPS:
            condition &= Q(stage__in=STAGE_GROUPS[self.stage][1])
        elif self.stage:
            condition &= Q(stage=self.stage)
        if self.industry:
            condition &= Q(industry_chain__code=self.industry)
        if self.level in LEVEL_FIELDS:
            condition &= Q(**{LEVEL_FIELDS[self.level]: True})  # type: ignore[index]
        if self.sector:
            condition &= Q(sector__code=self.sector)
        if self.project_class:
            condition &= Q(project_class=self.project_class)
        if self.responsible_unit:
            condition &= Q(responsible_unit=self.responsible_unit)
        if self.q.strip():
            term = self.q.strip()
            condition &= Q(name__icontains=term) | Q(code__icontains=term)
        return condition


def project_list(*, user, filters: ProjectFilters | None = None) -> ProjectQuerySet:
    projects = Project.objects.visible_to(user).select_related(
        "region", "category", "industry_chain", "sector"
    )
    f = filters or ProjectFilters()
    return projects.filter(f.as_q()).order_by("region__sort_order", "code")


def project_get(*, user, pk=None, code: str | None = None) -> Project:
    """A project in the user's scope by id (or by ``code``), else 404 (audited when it exists
    outside the scope)."""
    scoped = Project.objects.visible_to(user).select_related(
        "region", "category", "industry_chain", "created_by"
    )
    if code is not None:
        # In one query when it is in scope (the API files by code on the deadline's write path).
        found = scoped.filter(code=code).first()
        if found is not None:
            return found
        pk = Project.objects.filter(code=code).order_by().values_list("pk", flat=True).first()
    project = scoped_get_or_404(
        queryset=Project.objects.all(),
        scoped=scoped,
        user=user,
        pk=pk,
    )
    assert isinstance(project, Project)
    return project


def project_stage_events(*, project: Project):
    """Every stage record of the project with its status (待核实, 已核实, 已退回)."""
    return (
        StageEvent.objects.filter(project=project)
        .select_related("actor", "reviewed_by")
        .order_by("date", "id")
    )


def stage_event_get(*, user, pk) -> StageEvent:
    """A stage record of a project in the user's scope, or 404."""
    event = scoped_get_or_404(
        queryset=StageEvent.objects.all(),
        scoped=StageEvent.objects.filter(
            project__in=Project.objects.visible_to(user)
        ).select_related("project__region"),
        user=user,
        pk=pk,
    )
    assert isinstance(event, StageEvent)
    return event


def stage_claims_pending(*, user):
    """Claims waiting for a reviewer, in the user's scope, oldest first."""
    return (
        StageEvent.objects.filter(
            project__in=Project.objects.visible_to(user), status=StageEventStatus.PENDING
        )
        .select_related("project__region", "actor")
        .order_by("recorded_at", "id")
    )


_CHANGES = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.STAGE, AuditAction.IMPORT)


def project_history(*, project: Project, limit: int = 50) -> QuerySet[AuditEvent]:
    """The project's change log: the audit events that changed it, newest first (the audit is
    the one change log; refused edits and denied reads are in the audit log, not here)."""
    return (
        AuditEvent.objects.filter(
            object_type="projects.project",
            object_id=str(project.pk),
            action__in=_CHANGES,
        )
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


def project_summary(*, user) -> dict:
    """Counts and totals of the user's projects, by stage, in one query."""
    stage_counts = dict(
        Project.objects.visible_to(user).values_list("stage").annotate(n=Count("id")).order_by()
    )
    totals = Project.objects.visible_to(user).aggregate(
        count=Count("id"), total_investment=Sum("total_investment")
    )
    return {"by_stage": stage_counts, **totals}


# ---------------------------------------------------------------------------------------------
# 问题协调 (problems)

# The board's status filter: besides one status, all unresolved ones (the default) or everything.
PROBLEM_STATUS_ACTIVE = "active"
PROBLEM_STATUS_ALL = "all"


@dataclass(frozen=True)
class ProblemFilters:
    """The filters of the problem board."""

    department: str = ""  # a department code
    district: str = ""  # a region code; its whole subtree matches
    age: str = ""  # a ProblemAge value
    status: str = PROBLEM_STATUS_ACTIVE


@dataclass(frozen=True)
class ProblemBoard:
    problems: QuerySet[Problem]
    # Within the department and district filters: how many problems have each status.
    status_counts: dict[str, int]
    # Within those filters and the status filter: how many problems are in each age bucket.
    age_counts: dict[str, int]


def age_bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local midnights that split the age buckets: raised on or after the first is at most
    7 days old, on or after the second at most 30 days (ages in whole days, Asia/Shanghai)."""
    zone = timezone.get_current_timezone()
    week = dt.datetime.combine(today - dt.timedelta(days=7), dt.time.min, tzinfo=zone)
    month = dt.datetime.combine(today - dt.timedelta(days=30), dt.time.min, tzinfo=zone)
    return week, month


def age_q(age: str, today: dt.date) -> Q:
    week, month = age_bounds(today)
    return {
        ProblemAge.UP_TO_7: Q(raised_at__gte=week),
        ProblemAge.DAYS_8_TO_30: Q(raised_at__gte=month, raised_at__lt=week),
        ProblemAge.OVER_30: Q(raised_at__lt=month),
    }[ProblemAge(age)]


def age_in_days(problem: Problem, today: dt.date) -> int:
    return (today - timezone.localdate(problem.raised_at)).days


def _status_q(status: str) -> Q:
    if status == PROBLEM_STATUS_ALL:
        return Q()
    if status in (PROBLEM_STATUS_ACTIVE, ""):
        return Q(status__in=UNRESOLVED_PROBLEM_STATUSES)
    return Q(status=status)


def problem_board(*, user, filters: ProblemFilters | None = None, today: dt.date) -> ProblemBoard:
    """The problems the user may see, filtered, oldest first, with the counts of the status and
    age chips (one aggregate query each)."""
    f = filters or ProblemFilters()
    problems = Problem.objects.visible_to(user)
    if f.department:
        problems = problems.filter(department__code=f.department)
    if f.district:
        problems = problems.filter(
            Q(project__region__code=f.district)
            | Q(project__region__path__contains=f"/{f.district}/")
        )
    status_counts = problems.aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in ProblemStatus.values}
    )
    problems = problems.filter(_status_q(f.status))
    # Aliased: "8to30" cannot be a keyword argument.
    age_counts = problems.aggregate(
        **{f"age_{age}": Count("id", filter=age_q(age, today)) for age in ProblemAge.values}
    )
    if f.age:
        problems = problems.filter(age_q(f.age, today))
    return ProblemBoard(
        problems=problems.select_related(
            "project", "project__region", "department", "raised_by"
        ).order_by("raised_at", "id"),
        status_counts=status_counts,
        age_counts={key.removeprefix("age_"): value for key, value in age_counts.items()},
    )


def problem_get(*, user, pk) -> Problem:
    problem = scoped_get_or_404(
        queryset=Problem.objects.all(),
        scoped=Problem.objects.visible_to(user).select_related(
            "project",
            "project__region",
            "report",
            "report__period",
            "department",
            "raised_by",
            "assigned_by",
        ),
        user=user,
        pk=pk,
    )
    assert isinstance(problem, Problem)
    return problem


def project_problems(*, user, project: Project) -> QuerySet[Problem]:
    return (
        Problem.objects.visible_to(user)
        .filter(project=project)
        .select_related("department", "raised_by")
        .order_by("-raised_at", "-id")
    )


def problem_status_changes(*, problem: Problem):
    return problem.status_changes.select_related("actor").order_by("at", "id")


# ---------------------------------------------------------------------------------------------
# 督办 (supervision orders)


@dataclass(frozen=True)
class SupervisionFilters:
    status: str = ""
    target: str = ""  # "region:<code>" or "department:<code>"
    overdue: bool = False


def supervision_list(
    *, user, filters: SupervisionFilters | None = None, today: dt.date
) -> QuerySet[Supervision]:
    f = filters or SupervisionFilters()
    orders = Supervision.objects.visible_to(user)
    if f.status:
        orders = orders.filter(status=f.status)
    kind, _sep, code = f.target.partition(":")
    if kind == "region" and code:
        orders = orders.filter(target_region__code=code)
    elif kind == "department" and code:
        orders = orders.filter(target_department__code=code)
    if f.overdue:
        orders = orders.overdue(today)
    return orders.select_related(
        "target_region", "target_department", "project", "issued_by"
    ).order_by("due_date", "id")


def supervision_counts(*, user, today: dt.date) -> dict[str, int]:
    """How many of the user's orders have each status, and how many are overdue (one query)."""
    return Supervision.objects.visible_to(user).aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in SupervisionStatus.values},
        overdue=Count("id", filter=Q(status__in=SUPERVISION_AWAITING_REPLY, due_date__lt=today)),
    )


def supervision_get(*, user, pk) -> Supervision:
    supervision = scoped_get_or_404(
        queryset=Supervision.objects.all(),
        scoped=Supervision.objects.visible_to(user).select_related(
            "target_region",
            "target_department",
            "project",
            "issued_by",
            "responded_by",
            "escalated_to_region",
        ),
        user=user,
        pk=pk,
    )
    assert isinstance(supervision, Supervision)
    return supervision


def supervision_status_changes(*, supervision: Supervision):
    return supervision.status_changes.select_related("actor").order_by("at", "id")


def responsible_units(*, user) -> list[str]:
    """The responsible units named on the projects the user sees, for filter choices."""
    return list(
        Project.objects.visible_to(user)
        .exclude(responsible_unit="")
        .order_by("responsible_unit")
        .values_list("responsible_unit", flat=True)
        .distinct()
    )
