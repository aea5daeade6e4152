"""Reads of the dispatch: milestones, 要素保障 requests, links, the agenda and 交办 tasks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, Q, QuerySet
from django.utils.translation import gettext as _

from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.core.periods import add_months, month_end, month_start
from gongjian.dispatch import planning
from gongjian.dispatch.choices import (
    AGENDA_ORDER,
    UNFINISHED_TASK_STATUSES,
    AgendaKind,
    Light,
    LinkRole,
)
from gongjian.dispatch.models import (
    FactorRequest,
    Meeting,
    ProjectLink,
    ProjectMilestone,
    Task,
)
from gongjian.projects.choices import UNRESOLVED_PROBLEM_STATUSES
from gongjian.projects.models import Project
from gongjian.regions.models import Region

# A milestone still open this close to the planned start turns the project yellow.
MILESTONE_WARNING_DAYS = 60


# ---------------------------------------------------------------------------------------------
# Lights: the dispatch's contribution


def milestone_overdue_reasons(project_ids: Iterable[int], *, as_of: dt.date) -> dict:
    """{project id: [reason]} for 前期工作 milestones still open past their planned date."""
    reasons: dict[int, list[str]] = defaultdict(list)
    for milestone in (
        ProjectMilestone.objects.filter(
            project_id__in=list(project_ids), actual_date__isnull=True, planned_date__lt=as_of
        )
        .select_related("milestone_type")
        .order_by("project_id", "planned_date", "milestone_type__sort_order")
    ):
        reasons[milestone.project_id].append(
            _("前期工作“%(name)s”计划 %(date)s 完成，已逾期 %(days)s 天")
            % {
                "name": milestone.milestone_type.name,
                "date": milestone.planned_date,
                "days": (as_of - milestone.planned_date).days,
            }
        )
    return dict(reasons)


def milestone_near_start_reasons(
    project_ids: Iterable[int], *, as_of: dt.date, days: int = MILESTONE_WARNING_DAYS
) -> dict:
    """{project id: [reason]} for milestones still open (not yet overdue) while the planned
    start is ``days`` or fewer days away."""
    ids = list(project_ids)
    starts = planning.planned_start(ids)
    near = [pk for pk, start in starts.items() if (start - as_of).days <= days]
    reasons: dict[int, list[str]] = defaultdict(list)
    for milestone in (
        ProjectMilestone.objects.filter(
            project_id__in=near, actual_date__isnull=True, planned_date__gte=as_of
        )
        .select_related("milestone_type")
        .order_by("project_id", "planned_date", "milestone_type__sort_order")
    ):
        reasons[milestone.project_id].append(
            _("计划 %(start)s 开工，前期工作“%(name)s”尚未完成")
            % {
                "start": starts[milestone.project_id].strftime("%Y-%m"),
                "name": milestone.milestone_type.name,
            }
        )
    return dict(reasons)


def factor_request_reasons(project_ids: Iterable[int], *, as_of: dt.date, overdue: bool) -> dict:
    """{project id: [reason]} for open 要素保障 requests: those past their due date
    (``overdue``) or the others."""
    past_due = Q(problem__due_date__lt=as_of)
    requests = (
        FactorRequest.objects.filter(
            problem__project_id__in=list(project_ids),
            problem__status__in=UNRESOLVED_PROBLEM_STATUSES,
        )
        .filter(past_due if overdue else ~past_due | Q(problem__due_date__isnull=True))
        .select_related("factor_type", "problem__department")
        .order_by("problem__project_id", "problem__due_date", "id")
    )
    reasons: dict[int, list[str]] = defaultdict(list)
    for request in requests:
        problem = request.problem
        department = problem.department.name if problem.department else _("未交办")
        if overdue:
            text = _("%(factor)s要素保障需求（%(department)s）%(due)s 到期未解决") % {
                "factor": request.factor_type.name,
                "department": department,
                "due": problem.due_date,
            }
        else:
            text = _("%(factor)s要素保障需求待解决（%(department)s）") % {
                "factor": request.factor_type.name,
                "department": department,
            }
        reasons[problem.project_id].append(text)
    return dict(reasons)


def light_reasons(project_ids: Iterable[int], *, as_of: dt.date) -> planning.LightReasons:
    """The dispatch's reasons for the projects' lights at ``as_of``: {project id: [(colour,
    reason), ...]}. An overdue 前期工作 milestone is red; one still open within 60 days of the
    planned start yellow; an open 要素保障 request yellow, red once past its due date. The same
    rules the plans app's lights evaluate (``dispatch.lights``), with their default settings."""
    ids = list(project_ids)
    reasons: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for colour, found in (
        (Light.RED, milestone_overdue_reasons(ids, as_of=as_of)),
        (Light.YELLOW, milestone_near_start_reasons(ids, as_of=as_of)),
        (Light.RED, factor_request_reasons(ids, as_of=as_of, overdue=True)),
        (Light.YELLOW, factor_request_reasons(ids, as_of=as_of, overdue=False)),
    ):
        for pk, texts in found.items():
            reasons[pk].extend((colour, text) for text in texts)
    return dict(reasons)


# ---------------------------------------------------------------------------------------------
# Milestones, requests, links


def project_milestones(*, project: Project) -> QuerySet[ProjectMilestone]:
    return (
        ProjectMilestone.objects.filter(project=project)
        .select_related("milestone_type", "updated_by")
        .order_by("planned_date", "milestone_type__sort_order")
    )


def milestone_get(*, user, pk) -> ProjectMilestone:
    milestone = scoped_get_or_404(
        queryset=ProjectMilestone.objects.all(),
        scoped=ProjectMilestone.objects.visible_to(user).select_related(
            "project__region", "milestone_type"
        ),
        user=user,
        pk=pk,
    )
    assert isinstance(milestone, ProjectMilestone)
    return milestone


def project_factor_requests(*, user, project: Project) -> QuerySet[FactorRequest]:
    return (
        FactorRequest.objects.visible_to(user)
        .filter(problem__project=project)
        .select_related("factor_type", "problem__department")
        .order_by("-problem__raised_at")
    )


def project_links(*, project: Project) -> QuerySet[ProjectLink]:
    return ProjectLink.objects.filter(project=project).select_related("user")


@dataclass(frozen=True)
class BoardCell:
    factor_code: str
    factor_name: str
    department: str
    open_count: int
    overdue_count: int
    oldest_raised: dt.datetime | None


def factor_board(*, user, as_of: dt.date) -> list[BoardCell]:
    """Open 要素保障 requests by factor type and department: how many, how many past due, the
    oldest one's date (one grouped query)."""
    rows = (
        FactorRequest.objects.visible_to(user)
        .filter(problem__status__in=UNRESOLVED_PROBLEM_STATUSES)
        .values(
            code=F("factor_type__code"),
            factor=F("factor_type__name"),
            order=F("factor_type__sort_order"),
            department=F("problem__department__name"),
        )
        .annotate(
            open_count=Count("id"),
            overdue_count=Count("id", filter=Q(problem__due_date__lt=as_of)),
            oldest=Min("problem__raised_at"),
        )
        .order_by("order", "code", "department")
    )
    return [
        BoardCell(
            factor_code=row["code"],
            factor_name=row["factor"],
            department=row["department"] or _("未交办"),
            open_count=row["open_count"],
            overdue_count=row["overdue_count"],
            oldest_raised=row["oldest"],
        )
        for row in rows
    ]


def factor_request_list(*, user, factor: str = "", status: str = "open") -> QuerySet:
    requests = FactorRequest.objects.visible_to(user).select_related(
        "factor_type", "problem__project__region", "problem__department"
    )
    if factor:
        requests = requests.filter(factor_type__code=factor)
    if status == "open":
        requests = requests.filter(problem__status__in=UNRESOLVED_PROBLEM_STATUSES)
    return requests.order_by("problem__raised_at", "id")


@dataclass
class ProjectSheet:
    """A row of "我挂钩的项目" or a unit's page: a project with its light and what is open."""

    project: Project
    light: str
    reasons: list[str]
    plan_completion: str
    open_milestones: list[ProjectMilestone] = field(default_factory=list)
    open_requests: list[FactorRequest] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)


def _sheets(projects: list[Project], *, as_of: dt.date, roles=None) -> list[ProjectSheet]:
    ids = [p.pk for p in projects]
    lights = planning.project_lights(ids, as_of=as_of)
    completion = planning.plan_completion(ids, as_of=as_of)
    milestones: dict[int, list] = defaultdict(list)
    for m in (
        ProjectMilestone.objects.filter(project_id__in=ids, actual_date__isnull=True)
        .select_related("milestone_type")
        .order_by("planned_date")
    ):
        milestones[m.project_id].append(m)
    requests: dict[int, list] = defaultdict(list)
    for r in FactorRequest.objects.filter(
        problem__project_id__in=ids, problem__status__in=UNRESOLVED_PROBLEM_STATUSES
    ).select_related("factor_type", "problem__department"):
        requests[r.problem.project_id].append(r)
    sheets = []
    for project in projects:
        light, reasons = lights[project.pk]
        sheets.append(
            ProjectSheet(
                project=project,
                light=light,
                reasons=[text for _colour, text in reasons],
                plan_completion=completion.get(project.pk, "—"),
                open_milestones=milestones[project.pk],
                open_requests=requests[project.pk],
                roles=(roles or {}).get(project.pk, []),
            )
        )
    return sheets


def my_linked_projects(*, user, as_of: dt.date) -> list[ProjectSheet]:
    """我挂钩的项目: the projects the user is 挂钩领导 or 包保责任人 of at ``as_of``."""
    links = ProjectLink.objects.current(as_of).filter(user=user).order_by("project__code")
    roles: dict[int, list[str]] = defaultdict(list)
    for project_id, role in links.values_list("project_id", "role"):
        roles[project_id].append(str(LinkRole(role).label))
    projects = list(
        Project.objects.filter(pk__in=list(roles)).select_related("region").order_by("code")
    )
    return _sheets(projects, as_of=as_of, roles=roles)


def responsible_units(*, user) -> list[tuple[str, int]]:
    """The responsible units of the projects in the user's scope, with how many projects."""
    return list(
        Project.objects.visible_to(user)
        .exclude(responsible_unit="")
        .values_list("responsible_unit")
        .annotate(n=Count("id"))
        .order_by("responsible_unit")
    )


def unit_projects(*, user, unit: str, as_of: dt.date) -> list[ProjectSheet]:
    """A responsible unit's page: its projects in the user's scope."""
    projects = list(
        Project.objects.visible_to(user)
        .filter(responsible_unit=unit)
        .select_related("region")
        .order_by("code")
    )
    return _sheets(projects, as_of=as_of)


# ---------------------------------------------------------------------------------------------
# The agenda


@dataclass(frozen=True)
class AgendaEntry:
    """An item the agenda generator proposes; ``dispatch-agenda`` prints these."""

    kind: str
    ref: str
    title: str
    reasons: list[str]
    project_id: int | None = None

    def as_json(self) -> dict:
        return {"kind": self.kind, "ref": self.ref, "title": self.title, "reasons": self.reasons}


def period_as_of(period: dt.date) -> dt.date:
    """The agenda of a month's meeting reads the data at the month's last day."""
    return month_end(period)


def generate_agenda(*, region: Region, period: dt.date, as_of: dt.date) -> list[AgendaEntry]:
    """The agenda of ``region``'s dispatch meeting for ``period``, from the data at ``as_of``:
    the unfinished 交办 items of earlier meetings, red projects of the year's list, overdue
    前期工作 milestones, 要素保障 requests past due and districts behind 序时, in that order."""
    entries: dict[str, list[AgendaEntry]] = defaultdict(list)
    in_scope = Project.objects.filter(region__path__startswith=region.path)

    tasks = (
        Task.objects.filter(
            meeting__region__path__startswith=region.path,
            meeting__period__lt=month_start(period),
        )
        .filter(Q(status__in=UNFINISHED_TASK_STATUSES) | Q(closed_at__date__gt=as_of))
        .select_related("meeting", "owner_department", "owner_region", "project")
        .order_by("meeting__period", "number")
    )
    for task in tasks:
        reasons = [
            _("%(period)s调度会交办，责任单位%(unit)s，时限 %(due)s")
            % {
                "period": f"{task.meeting.period:%Y-%m}",
                "unit": task.owner_unit,
                "due": task.due_date,
            }
        ]
        if task.due_date < as_of:
            reasons.append(_("已超期 %(days)s 天") % {"days": (as_of - task.due_date).days})
        if task.progress:
            reasons.append(_("办理情况：%(text)s") % {"text": task.progress})
        entries[AgendaKind.OPEN_TASK].append(
            AgendaEntry(
                kind=AgendaKind.OPEN_TASK,
                ref=f"T{task.pk}",
                title=task.text,
                reasons=reasons,
                project_id=task.project_id,
            )
        )

    # Lights are shown for the year's key-project list, on the agenda as on the 红黄绿灯 board
    # and the dashboard, so that the three count the same red projects.
    listed = planning.listed_projects(as_of.year).filter(region__path__startswith=region.path)
    projects = {p.pk: p for p in listed.only("pk", "code", "name")}
    lights = planning.project_lights(list(projects), as_of=as_of)
    for pk in sorted(projects, key=lambda k: projects[k].code):
        light, light_texts = lights[pk]
        if light != Light.RED:
            continue
        project = projects[pk]
        entries[AgendaKind.RED_PROJECT].append(
            AgendaEntry(
                kind=AgendaKind.RED_PROJECT,
                ref=project.code,
                title=project.name,
                reasons=[text for colour, text in light_texts if colour == Light.RED],
                project_id=pk,
            )
        )

    overdue = (
        ProjectMilestone.objects.overdue(as_of)
        .filter(project__in=in_scope)
        .select_related("project", "milestone_type")
        .order_by("planned_date", "project__code", "milestone_type__sort_order")
    )
    for milestone in overdue:
        entries[AgendaKind.OVERDUE_MILESTONE].append(
            AgendaEntry(
                kind=AgendaKind.OVERDUE_MILESTONE,
                ref=f"{milestone.project.code}/{milestone.milestone_type.code}",
                title=_("%(project)s：%(milestone)s")
                % {"project": milestone.project.name, "milestone": milestone.milestone_type.name},
                reasons=[
                    _("计划 %(date)s 完成，已逾期 %(days)s 天")
                    % {
                        "date": milestone.planned_date,
                        "days": (as_of - milestone.planned_date).days,
                    }
                ],
                project_id=milestone.project_id,
            )
        )

    past_due = (
        FactorRequest.objects.filter(
            problem__project__in=in_scope,
            problem__status__in=UNRESOLVED_PROBLEM_STATUSES,
            problem__due_date__lt=as_of,
        )
        .select_related("factor_type", "problem__project", "problem__department")
        .order_by("problem__due_date", "id")
    )
    for request in past_due:
        problem = request.problem
        assert problem.due_date is not None
        reasons = [
            _("%(department)s办理，%(due)s 到期，已超期 %(days)s 天")
            % {
                "department": problem.department.name if problem.department else _("未交办"),
                "due": problem.due_date,
                "days": (as_of - problem.due_date).days,
            }
        ]
        if request.quantity is not None:
            reasons.append(_("需求：%(quantity)s") % {"quantity": request.quantity_text})
        entries[AgendaKind.FACTOR_REQUEST].append(
            AgendaEntry(
                kind=AgendaKind.FACTOR_REQUEST,
                ref=f"FR{request.pk}",
                title=_("%(project)s：%(factor)s（%(title)s）")
                % {
                    "project": problem.project.name,
                    "factor": request.factor_type.name,
                    "title": problem.title,
                },
                reasons=reasons,
                project_id=problem.project_id,
            )
        )

    for lagging, reasons in planning.regions_behind(scope=region, as_of=as_of):
        entries[AgendaKind.LAGGING_REGION].append(
            AgendaEntry(
                kind=AgendaKind.LAGGING_REGION,
                ref=lagging.code,
                title=lagging.name,
                reasons=reasons,
            )
        )
    return [entry for kind in AGENDA_ORDER for entry in entries.get(kind, [])]


def agenda_document(*, region: Region, period: dt.date, as_of: dt.date | None = None) -> dict:
    """The JSON of ``gongjian dispatch-agenda``: {"period", "items": [...]}."""
    when = as_of or period_as_of(period)
    items = generate_agenda(region=region, period=period, as_of=when)
    return {"period": f"{period:%Y-%m}", "items": [item.as_json() for item in items]}


# ---------------------------------------------------------------------------------------------
# Meetings and tasks


def meeting_list(*, user) -> QuerySet[Meeting]:
    return (
        Meeting.objects.visible_to(user)
        .select_related("region")
        .annotate(
            task_count=Count("tasks", distinct=True),
            open_task_count=Count(
                "tasks", filter=Q(tasks__status__in=UNFINISHED_TASK_STATUSES), distinct=True
            ),
        )
    )


def meeting_get(*, user, pk) -> Meeting:
    meeting = scoped_get_or_404(
        queryset=Meeting.objects.all(),
        scoped=Meeting.objects.visible_to(user).select_related("region", "created_by"),
        user=user,
        pk=pk,
    )
    assert isinstance(meeting, Meeting)
    return meeting


def meeting_tasks(*, meeting: Meeting) -> QuerySet[Task]:
    return meeting.tasks.select_related(
        "owner_department", "owner_region", "owner_user", "project", "factor_request__factor_type"
    ).order_by("number")


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(region=meeting.region, period__lt=meeting.period)
        .order_by("-period")
        .first()
    )


def task_list(*, user, status: str = "open") -> QuerySet[Task]:
    tasks = Task.objects.visible_to(user).select_related(
        "meeting", "owner_department", "owner_region", "project"
    )
    if status == "open":
        tasks = tasks.filter(status__in=UNFINISHED_TASK_STATUSES)
    return tasks.order_by("due_date", "meeting__period", "number")


def task_get(*, user, pk) -> Task:
    task = scoped_get_or_404(
        queryset=Task.objects.all(),
        scoped=Task.objects.visible_to(user).select_related(
            "meeting__region", "owner_department", "owner_region", "owner_user", "project"
        ),
        user=user,
        pk=pk,
    )
    assert isinstance(task, Task)
    return task


def next_period(period: dt.date) -> dt.date:
    return add_months(month_start(period), 1)
