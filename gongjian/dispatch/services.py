"""Writes of the dispatch. Each service checks permission, validates, writes and audits, and
tells the people a thing is assigned to through the notification centre."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Department
from gongjian.accounts.selectors import users_with_role
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.core.evidence import evidence_check
from gongjian.core.periods import add_months, month_start, now, today
from gongjian.dispatch import selectors
from gongjian.dispatch.choices import AgendaKind, LinkRole, MeetingStatus, TaskStatus
from gongjian.dispatch.models import (
    AgendaItem,
    FactorRequest,
    FactorType,
    Meeting,
    MilestoneTemplate,
    MilestoneType,
    ProjectLink,
    ProjectMilestone,
    Task,
    TaskStatusChange,
)
from gongjian.notifications.choices import NotificationKind
from gongjian.notifications.services import notify
from gongjian.projects.models import Project
from gongjian.projects.rules import DISTRICT_STAFF_ROLES
from gongjian.projects.services import problem_assign, problem_raise
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region

# Remind the owner of a task this many days before it falls due (and on every later run while
# it is overdue, once a day).
TASK_REMINDER_DAYS = 3


def _required(errors: dict, field: str, value: str, message: str, limit: int = 0) -> str:
    text = (value or "").strip()
    if not text:
        errors.setdefault(field, []).append(message)
    elif limit and len(text) > limit:
        errors.setdefault(field, []).append(_("最长 %(n)s 字。") % {"n": limit})
    return text


# ---------------------------------------------------------------------------------------------
# 前期工作 milestones


def milestone_snapshot(milestone: ProjectMilestone) -> dict[str, Any]:
    return {
        "project": milestone.project.code,
        "milestone": milestone.milestone_type.code,
        "planned_date": milestone.planned_date.isoformat(),
        "actual_date": milestone.actual_date.isoformat() if milestone.actual_date else None,
        "document_number": milestone.document_number,
        "evidence": milestone.evidence.name or "",
        "note": milestone.note,
    }


def _deny_milestones(actor, project: Project):
    return audit_denied(
        actor=actor,
        obj=project,
        message=_("无权维护项目“%(code)s”的前期工作。") % {"code": project.code},
    )


def milestones_from_template(
    *, actor, project: Project, template: MilestoneTemplate, planned_start: dt.date
) -> list[ProjectMilestone]:
    """Plan the template's steps for the project, each due its months before the planned
    start; steps the project already has are left as they are."""
    if not actor.has_perm("dispatch.edit_milestones", project):
        raise _deny_milestones(actor, project)
    existing = set(project.milestones.values_list("milestone_type_id", flat=True))
    created = []
    with transaction.atomic():
        for step in template.steps.select_related("milestone_type"):
            if step.milestone_type_id in existing:
                continue
            milestone = ProjectMilestone.objects.create(
                project=project,
                milestone_type=step.milestone_type,
                planned_date=add_months(month_start(planned_start), -step.months_before_start),
                updated_by=actor,
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=milestone,
                after=milestone_snapshot(milestone),
            )
            created.append(milestone)
    return created


@dataclass(frozen=True)
class MilestoneInput:
    milestone_type_code: str
    planned_date: dt.date | None
    actual_date: dt.date | None = None
    document_number: str = ""
    note: str = ""


def milestone_save(
    *, actor, project: Project, data: MilestoneInput, evidence=None
) -> ProjectMilestone:
    """Add or update one 前期工作 step of a project. A step marked done needs its document
    number or the document itself; the document (PDF or image) is stored with the step."""
    if not actor.has_perm("dispatch.edit_milestones", project):
        raise _deny_milestones(actor, project)
    errors: dict[str, list[str]] = {}
    kind = MilestoneType.objects.filter(code=data.milestone_type_code, is_active=True).first()
    if kind is None:
        errors["milestone_type"] = [
            _("未知的前期工作事项“%(code)s”。") % {"code": data.milestone_type_code}
        ]
    if data.planned_date is None:
        errors["planned_date"] = [_("计划完成日期不能为空。")]
    if data.actual_date is not None and data.actual_date > today():
        errors["actual_date"] = [_("实际完成日期 %(date)s 晚于今天。") % {"date": data.actual_date}]
    number = (data.document_number or "").strip()
    if len(number) > 100:
        errors["document_number"] = [_("最长 %(n)s 字。") % {"n": 100}]
    content_type, stored_name = ("", "")
    if evidence is not None:
        content_type, stored_name = evidence_check(evidence)
    if errors:
        raise ValidationError(errors)
    assert kind is not None and data.planned_date is not None
    with transaction.atomic():
        milestone = (
            ProjectMilestone.objects.select_for_update()
            .filter(project=project, milestone_type=kind)
            .first()
        )
        before = milestone_snapshot(milestone) if milestone else None
        if milestone is None:
            milestone = ProjectMilestone(project=project, milestone_type=kind)
        has_evidence = evidence is not None or bool(milestone.evidence)
        if data.actual_date is not None and not number and not has_evidence:
            raise ValidationError(
                {"document_number": [_("标记为已完成须填写批复文号或上传批复文件。")]}
            )
        milestone.planned_date = data.planned_date
        milestone.actual_date = data.actual_date
        milestone.document_number = number
        milestone.note = (data.note or "").strip()
        milestone.updated_by = actor
        if evidence is not None:
            milestone.evidence.save(stored_name, evidence, save=False)
            milestone.evidence_type = content_type
        milestone.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            obj=milestone,
            before=before,
            after=milestone_snapshot(milestone),
        )
    return milestone


# ---------------------------------------------------------------------------------------------
# 要素保障 requests


@dataclass(frozen=True)
class FactorRequestInput:
    factor_type_code: str
    title: str
    description: str
    quantity: Decimal | None = None
    unit: str = ""


def factor_request_raise(*, actor, project: Project, data: FactorRequestInput) -> FactorRequest:
    """Raise a 要素保障 request: a problem of the project (the campaign office is told, and
    routes it to a department with ``factor_request_route``) with its factor and quantity."""
    if not actor.has_perm("projects.raise_problem", project):
        raise audit_denied(
            actor=actor,
            obj=project,
            message=_("无权为项目“%(code)s”提出要素保障需求。") % {"code": project.code},
        )
    errors: dict[str, list[str]] = {}
    factor = FactorType.objects.filter(code=data.factor_type_code, is_active=True).first()
    if factor is None:
        errors["factor_type"] = [_("未知的要素类型“%(code)s”。") % {"code": data.factor_type_code}]
    if data.quantity is not None and (not data.quantity.is_finite() or data.quantity <= 0):
        errors["quantity"] = [_("需求数量须为正数。")]
    unit = (data.unit or "").strip()[:16]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        problem = problem_raise(
            actor=actor, project=project, title=data.title, description=data.description
        )
        assert factor is not None
        request = FactorRequest.objects.create(
            problem=problem,
            factor_type=factor,
            quantity=data.quantity,
            unit=unit or factor.unit,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=request,
            after={
                "problem": problem.pk,
                "factor_type": factor.code,
                "quantity": None if data.quantity is None else str(data.quantity),
                "unit": request.unit,
            },
        )
    return request


def factor_request_route(
    *, actor, request: FactorRequest, department: Department | None, due_date: dt.date | None
) -> FactorRequest:
    """Route a request to the responsible department with a due date; its staff are told (as
    for any problem assigned to them)."""
    problem_assign(actor=actor, problem=request.problem, department=department, due_date=due_date)
    request.problem.refresh_from_db()
    return request


# ---------------------------------------------------------------------------------------------
# 挂钩领导 / 包保责任人


def link_snapshot(link: ProjectLink) -> dict[str, Any]:
    return {
        "project": link.project.code,
        "role": link.role,
        "user": link.user.username if link.user else "",
        "name": link.name,
        "position": link.position,
        "start_date": link.start_date.isoformat(),
        "end_date": link.end_date.isoformat() if link.end_date else None,
    }


def link_add(
    *,
    actor,
    project: Project,
    role: str,
    start_date: dt.date | None,
    user=None,
    name: str = "",
    position: str = "",
    end_date: dt.date | None = None,
) -> ProjectLink:
    """Link a 挂钩领导 or 包保责任人 to a project: a platform user (a leader sees the project on
    "我挂钩的项目") or an official named in full."""
    if not actor.has_perm("dispatch.manage_links", project):
        raise audit_denied(
            actor=actor,
            obj=project,
            message=_("无权维护项目“%(code)s”的挂钩领导。") % {"code": project.code},
        )
    errors: dict[str, list[str]] = {}
    if role not in LinkRole.values:
        errors["role"] = [_("未知的角色“%(role)s”。") % {"role": role}]
    leaders = users_with_role(roles=[Role.LEADER])
    if user is not None and role == LinkRole.LEADER and not leaders.filter(pk=user.pk).exists():
        errors["user"] = [_("“%(user)s”不是市领导账号。") % {"user": user}]
    name = (name or "").strip() or (str(user) if user is not None else "")
    if not name:
        errors["name"] = [_("请选择用户或填写姓名。")]
    elif len(name) > 64:
        errors["name"] = [_("最长 %(n)s 字。") % {"n": 64}]
    if start_date is None:
        errors["start_date"] = [_("起始日期不能为空。")]
    elif end_date is not None and end_date < start_date:
        errors["end_date"] = [
            _("结束日期 %(end)s 早于起始日期 %(start)s。") % {"end": end_date, "start": start_date}
        ]
    if errors:
        raise ValidationError(errors)
    assert start_date is not None
    with transaction.atomic():
        link = ProjectLink.objects.create(
            project=project,
            role=role,
            user=user,
            name=name,
            position=(position or "").strip()[:100],
            start_date=start_date,
            end_date=end_date,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, obj=link, after=link_snapshot(link))
    return link


def link_end(*, actor, link: ProjectLink, end_date: dt.date) -> ProjectLink:
    """End a link on a date (a leader's 挂钩 moves on); the row stays as history."""
    if not actor.has_perm("dispatch.manage_links", link.project):
        raise audit_denied(actor=actor, obj=link, message=_("无权维护挂钩领导。"))
    if end_date < link.start_date:
        raise ValidationError(
            {
                "end_date": [
                    _("结束日期 %(end)s 早于起始日期 %(start)s。")
                    % {"end": end_date, "start": link.start_date}
                ]
            }
        )
    before = link_snapshot(link)
    link.end_date = end_date
    link.save(update_fields=["end_date"])
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=link, before=before, after=link_snapshot(link)
    )
    return link


# ---------------------------------------------------------------------------------------------
# The dispatch meeting


def _deny_meeting(actor, region: Region):
    return audit_denied(
        actor=actor,
        message=_("无权组织%(region)s的调度会。") % {"region": region.display_name},
    )


def meeting_snapshot(meeting: Meeting) -> dict[str, Any]:
    return {
        "title": meeting.title,
        "period": f"{meeting.period:%Y-%m}",
        "region": meeting.region.code,
        "held_on": meeting.held_on.isoformat(),
        "chair": meeting.chair,
        "attendees": meeting.attendees,
        "status": meeting.status,
        "agenda_as_of": meeting.agenda_as_of.isoformat() if meeting.agenda_as_of else None,
    }


@dataclass(frozen=True)
class MeetingInput:
    region_code: str
    period: dt.date | None
    held_on: dt.date | None
    chair: str
    attendees: str = ""
    location: str = ""
    title: str = ""


def meeting_create(*, actor, data: MeetingInput) -> Meeting:
    """Call a dispatch meeting for a month, city-wide or for a district, with its agenda
    generated from the data at the month's end (or at the meeting day, if earlier)."""
    region = Region.objects.filter(code=(data.region_code or "").strip()).first()
    if region is None:
        raise ValidationError(
            {"region": [_("未知的区域代码“%(code)s”。") % {"code": data.region_code}]}
        )
    if not actor.has_perm("dispatch.run_meeting", region):
        raise _deny_meeting(actor, region)
    errors: dict[str, list[str]] = {}
    if region.kind not in (RegionKind.CITY, RegionKind.COUNTY, RegionKind.ZONE):
        errors["region"] = [_("调度会范围须为全市或一个县（市、区）。")]
    if data.period is None:
        errors["period"] = [_("调度月份不能为空。")]
    if data.held_on is None:
        errors["held_on"] = [_("会议日期不能为空。")]
    chair = _required(errors, "chair", data.chair, _("主持人不能为空。"), 100)
    if (
        data.period is not None
        and Meeting.objects.filter(region=region, period=month_start(data.period)).exists()
    ):
        errors["period"] = [
            _("%(region)s %(period)s 的调度会已存在。")
            % {"region": region.display_name, "period": f"{data.period:%Y-%m}"}
        ]
    if errors:
        raise ValidationError(errors)
    assert data.period is not None and data.held_on is not None
    period = month_start(data.period)
    title = (data.title or "").strip()[:200] or _(
        "%(region)s%(year)s年%(month)s月项目攻坚调度会"
    ) % {
        "region": region.name,
        "year": period.year,
        "month": period.month,
    }
    with transaction.atomic():
        meeting = Meeting.objects.create(
            title=title,
            period=period,
            region=region,
            held_on=data.held_on,
            chair=chair,
            attendees=(data.attendees or "").strip(),
            location=(data.location or "").strip()[:200],
            created_by=actor,
        )
        _fill_agenda(meeting, as_of=min(selectors.period_as_of(period), data.held_on))
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=meeting, after=meeting_snapshot(meeting)
        )
    return meeting


def _fill_agenda(meeting: Meeting, *, as_of: dt.date) -> None:
    entries = selectors.generate_agenda(region=meeting.region, period=meeting.period, as_of=as_of)
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=meeting,
                position=position,
                kind=entry.kind,
                ref=entry.ref,
                title=entry.title[:300],
                reasons=entry.reasons,
                project_id=entry.project_id,
            )
            for position, entry in enumerate(entries, start=1)
        ]
    )
    meeting.agenda_as_of = as_of
    meeting.save(update_fields=["agenda_as_of"])


def _editable(actor, meeting: Meeting) -> None:
    if not actor.has_perm("dispatch.run_meeting", meeting.region):
        raise _deny_meeting(actor, meeting.region)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("调度会已召开，议程不能再修改。"))


def meeting_regenerate_agenda(*, actor, meeting: Meeting, as_of: dt.date) -> Meeting:
    """Generate the agenda again from the data at ``as_of``, replacing the items (and edits)."""
    _editable(actor, meeting)
    with transaction.atomic():
        meeting.agenda_items.all().delete()
        _fill_agenda(meeting, as_of=as_of)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=meeting,
            after=meeting_snapshot(meeting),
            message=_("重新生成议程（数据截至 %(date)s）") % {"date": as_of},
        )
    return meeting


def agenda_item_save(
    *,
    actor,
    meeting: Meeting,
    title: str,
    note: str = "",
    item: AgendaItem | None = None,
    position: int | None = None,
) -> AgendaItem:
    """Edit an item's title, note and place, or add an item of one's own (议题)."""
    _editable(actor, meeting)
    errors: dict[str, list[str]] = {}
    title = _required(errors, "title", title, _("议题不能为空。"), 300)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = None
        if item is None:
            last = meeting.agenda_items.aggregate(n=Max("position"))["n"] or 0
            item = AgendaItem(meeting=meeting, kind=AgendaKind.OTHER, position=last + 1)
        else:
            before = {"title": item.title, "note": item.note, "position": item.position}
        item.title = title
        item.note = (note or "").strip()
        if position is not None and position > 0:
            item.position = position
        item.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            obj=item,
            before=before,
            after={"title": item.title, "note": item.note, "position": item.position},
        )
    return item


def agenda_item_remove(*, actor, item: AgendaItem) -> None:
    _editable(actor, item.meeting)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=item,
            before={"title": item.title, "kind": item.kind, "ref": item.ref},
        )
        item.delete()


def meeting_hold(*, actor, meeting: Meeting, summary: str, minutes_number: str = "") -> Meeting:
    """Record that the meeting was held, with the minutes' text; the agenda is then fixed."""
    if not actor.has_perm("dispatch.run_meeting", meeting.region):
        raise _deny_meeting(actor, meeting.region)
    errors: dict[str, list[str]] = {}
    text = _required(errors, "summary", summary, _("会议纪要正文不能为空。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = meeting_snapshot(meeting)
        meeting.summary = text
        meeting.minutes_number = (minutes_number or "").strip()[:64]
        meeting.status = MeetingStatus.HELD
        meeting.version += 1
        meeting.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=meeting,
            before=before,
            after=meeting_snapshot(meeting),
        )
    return meeting


# ---------------------------------------------------------------------------------------------
# 交办事项


def task_snapshot(task: Task) -> dict[str, Any]:
    return {
        "meeting": task.meeting_id,
        "number": task.number,
        "text": task.text,
        "owner_department": task.owner_department.code if task.owner_department else "",
        "owner_region": task.owner_region.code if task.owner_region else "",
        "owner_person": task.owner_person,
        "due_date": task.due_date.isoformat(),
        "project": task.project.code if task.project else "",
        "factor_request": task.factor_request_id,
        "status": task.status,
        "progress": task.progress,
    }


def task_owners(task: Task):
    """The people a task reaches: the person named, the department's staff or the district's."""
    people = list(
        users_with_role(roles=[Role.DEPARTMENT], department_id=task.owner_department_id)
        if task.owner_department_id
        else users_with_role(roles=DISTRICT_STAFF_ROLES, region=task.owner_region)
    )
    if task.owner_user is not None:
        people.insert(0, task.owner_user)
    return people


def _task_link(task: Task) -> str:
    return reverse("dispatch:task_detail", args=[task.pk])


@dataclass(frozen=True)
class TaskInput:
    text: str
    due_date: dt.date | None
    owner_department_code: str = ""
    owner_region_code: str = ""
    owner_person: str = ""
    owner_username: str = ""
    project_code: str = ""
    factor_request_id: int | None = None


def task_assign(*, actor, meeting: Meeting, data: TaskInput) -> Task:
    """Record a decision of the meeting as a 交办事项 to a department or a district; the unit
    (and the person named) is told, by e-mail too."""
    if not actor.has_perm("dispatch.run_meeting", meeting.region):
        raise _deny_meeting(actor, meeting.region)
    from gongjian.accounts.models import User

    errors: dict[str, list[str]] = {}
    text = _required(errors, "text", data.text, _("交办内容不能为空。"))
    department = region = None
    dept_code = (data.owner_department_code or "").strip()
    region_code = (data.owner_region_code or "").strip()
    if bool(dept_code) == bool(region_code):
        errors["owner"] = [_("责任单位须为一个部门或一个县区。")]
    elif dept_code:
        department = Department.objects.filter(code=dept_code).first()
        if department is None:
            errors["owner"] = [_("未知的部门代码“%(code)s”。") % {"code": dept_code}]
    else:
        region = Region.objects.filter(code=region_code).first()
        if region is None or not meeting.region.contains(region):
            errors["owner"] = [
                _("责任县区“%(code)s”不在本次调度会范围内。") % {"code": region_code}
            ]
    if data.due_date is None:
        errors["due_date"] = [_("完成时限不能为空。")]
    elif data.due_date < meeting.held_on:
        errors["due_date"] = [
            _("完成时限 %(date)s 早于会议日期 %(held)s。")
            % {"date": data.due_date, "held": meeting.held_on}
        ]
    owner_user = None
    if (data.owner_username or "").strip():
        owner_user = User.objects.filter(username=data.owner_username.strip()).first()
        if owner_user is None:
            errors["owner_person"] = [
                _("未知的用户“%(name)s”。") % {"name": data.owner_username.strip()}
            ]
    project = None
    if (data.project_code or "").strip():
        project = Project.objects.filter(
            code=data.project_code.strip(), region__path__startswith=meeting.region.path
        ).first()
        if project is None:
            errors["project"] = [
                _("项目“%(code)s”不在本次调度会范围内。") % {"code": data.project_code.strip()}
            ]
    request = None
    if data.factor_request_id is not None:
        request = FactorRequest.objects.filter(
            pk=data.factor_request_id,
            problem__project__region__path__startswith=meeting.region.path,
        ).first()
        if request is None:
            errors["factor_request"] = [_("所选要素保障需求不在本次调度会范围内。")]
    if errors:
        raise ValidationError(errors)
    assert data.due_date is not None
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        number = (locked.tasks.aggregate(n=Max("number"))["n"] or 0) + 1
        task = Task.objects.create(
            meeting=locked,
            number=number,
            text=text,
            owner_department=department,
            owner_region=region,
            owner_user=owner_user,
            owner_person=(data.owner_person or "").strip()[:64]
            or (str(owner_user) if owner_user else ""),
            due_date=data.due_date,
            project=project,
            factor_request=request,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, obj=task, after=task_snapshot(task))
        notify(
            recipients=task_owners(task),
            kind=NotificationKind.TASK_ASSIGNED,
            title=_("调度会交办：%(text)s") % {"text": text[:60]},
            body=_("%(meeting)s交办%(unit)s：%(text)s\n请于 %(due)s 前办结并报送办理情况。")
            % {
                "meeting": meeting.title,
                "unit": task.owner_unit,
                "text": text,
                "due": f"{data.due_date:%Y-%m-%d}",
            },
            link=_task_link(task),
            email=True,
        )
    return task


def _task_transition(*, actor, task: Task, to_status: str, note: str, changes=None) -> Task:
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        before = task_snapshot(locked)
        from_status = locked.status
        locked.status = to_status
        if changes is not None:
            changes(locked)
        locked.save()
        TaskStatusChange.objects.create(
            task=locked, from_status=from_status, to_status=to_status, actor=actor, note=note
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            before=before,
            after=task_snapshot(locked),
            message=note,
        )
    return locked


def task_report(*, actor, task: Task, progress: str, done: bool = False) -> Task:
    """The owner unit reports how the task stands, or that it is done (已报办结); the office
    that ran the meeting is told."""
    if not actor.has_perm("dispatch.report_task", task):
        raise audit_denied(actor=actor, obj=task, message=_("无权报送该交办事项的办理情况。"))
    errors: dict[str, list[str]] = {}
    text = _required(errors, "progress", progress, _("办理情况不能为空。"))
    if errors:
        raise ValidationError(errors)
    if task.status == TaskStatus.CLOSED:
        raise ValidationError(_("交办事项已销号，不能再报送。"))

    def record(locked: Task) -> None:
        locked.progress = text

    locked = _task_transition(
        actor=actor,
        task=task,
        to_status=TaskStatus.REPORTED if done else task.status,
        note=text,
        changes=record,
    )
    office = users_with_role(
        roles=[Role.CITY_ADMIN, Role.DISTRICT_REVIEWER], region=task.meeting.region
    )
    notify(
        recipients=[p for p in office if p.pk != actor.pk],
        kind=NotificationKind.TASK_UPDATED,
        title=(_("交办事项已报办结：%(text)s") if done else _("交办事项进展：%(text)s"))
        % {"text": task.text[:60]},
        body=_("%(who)s（%(unit)s）：%(text)s")
        % {"who": actor, "unit": task.owner_unit, "text": text},
        link=_task_link(task),
    )
    return locked


def task_close(*, actor, task: Task, note: str = "") -> Task:
    """The office closes (销号) a task; the owners are told."""
    if not actor.has_perm("dispatch.run_meeting", task.meeting.region):
        raise _deny_meeting(actor, task.meeting.region)
    if task.status == TaskStatus.CLOSED:
        raise ValidationError(_("交办事项已销号。"))
    text = (note or "").strip()

    def record(locked: Task) -> None:
        locked.closed_at = now()

    locked = _task_transition(
        actor=actor, task=task, to_status=TaskStatus.CLOSED, note=text, changes=record
    )
    notify(
        recipients=task_owners(locked),
        kind=NotificationKind.TASK_UPDATED,
        title=_("交办事项已销号：%(text)s") % {"text": task.text[:60]},
        body=text or _("%(who)s 已将该交办事项销号。") % {"who": actor},
        link=_task_link(locked),
    )
    return locked


def task_reopen(*, actor, task: Task, note: str) -> Task:
    """The office sends a task reported done back to work (未办结), with a reason."""
    if not actor.has_perm("dispatch.run_meeting", task.meeting.region):
        raise _deny_meeting(actor, task.meeting.region)
    errors: dict[str, list[str]] = {}
    text = _required(errors, "note", note, _("退回须说明原因。"))
    if errors:
        raise ValidationError(errors)

    def record(locked: Task) -> None:
        locked.closed_at = None

    locked = _task_transition(
        actor=actor, task=task, to_status=TaskStatus.OPEN, note=text, changes=record
    )
    notify(
        recipients=task_owners(locked),
        kind=NotificationKind.TASK_UPDATED,
        title=_("交办事项退回继续办理：%(text)s") % {"text": task.text[:60]},
        body=text,
        link=_task_link(locked),
        email=True,
    )
    return locked


def task_send_reminders(*, on: dt.date) -> int:
    """Remind the owners of every unfinished task due within TASK_REMINDER_DAYS or overdue, once
    a day (SMS too once overdue); returns how many tasks were reminded. Run by the scheduler
    (``gongjian dispatch-remind``), like the report reminders."""
    due = Task.objects.filter(
        status=TaskStatus.OPEN, due_date__lte=on + dt.timedelta(days=TASK_REMINDER_DAYS)
    ).exclude(reminded_on=on)
    count = 0
    for task in due.select_related("meeting", "owner_department", "owner_region", "owner_user"):
        overdue = task.due_date < on
        with transaction.atomic():
            if not Task.objects.filter(pk=task.pk).exclude(reminded_on=on).update(reminded_on=on):
                continue
            notify(
                recipients=task_owners(task),
                kind=NotificationKind.TASK_REMINDER,
                title=(
                    _("交办事项已逾期：%(text)s") if overdue else _("交办事项即将到期：%(text)s")
                )
                % {"text": task.text[:60]},
                body=_("%(meeting)s交办的事项时限为 %(due)s，请抓紧办理并报送办理情况。")
                % {"meeting": task.meeting.title, "due": f"{task.due_date:%Y-%m-%d}"},
                link=_task_link(task),
                email=True,
                sms=overdue,
            )
        count += 1
    return count
