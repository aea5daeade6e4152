"""Pages of the monthly dispatch. Thin: fetch through the scope, bind the form, call the service,
redirect with a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongjian.accounts.models import User
from gongjian.accounts.scopes import memberships_of
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.bulletins.choices import DocxTemplateKind
from gongjian.bulletins.selectors import docx_template_data
from gongjian.core.periods import today
from gongjian.dispatch import minutes, selectors, services
from gongjian.dispatch.choices import MeetingStatus, TaskStatus
from gongjian.dispatch.forms import (
    AgendaItemForm,
    FactorRequestForm,
    HoldForm,
    LinkForm,
    MeetingForm,
    MilestoneForm,
    TaskForm,
    TaskReportForm,
    TemplateForm,
)
from gongjian.dispatch.models import AgendaItem, ProjectLink
from gongjian.projects.selectors import project_get
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region

T = TypeVar("T")


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, items in error.error_dict.items():
            target = field if field in form.fields else None
            for item in items:
                form.add_error(target, item.messages[0])
    else:
        for message in error.messages:
            form.add_error(None, message)


def _flash(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _apply(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str],
) -> None:
    """Call the service: flash its refusal, or the success message (which may name the result)."""
    try:
        result = action()
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, success(result) if callable(success) else success)


def _submit(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[dict[str, Any]], T],
    *,
    success: str | Callable[[T], str],
    invalid: str | None = None,
) -> None:
    """The POST-only pairs (bind → service → flash, the caller redirects): a valid form goes to
    the service through ``_apply``; an invalid one flashes ``invalid`` or, without it, each
    field's label and first error."""
    if form.is_valid():
        _apply(request, lambda: action(form.cleaned_data), success=success)
    elif invalid is not None:
        messages.error(request, invalid)
    else:
        messages.error(
            request,
            " ".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()),
        )


# ---------------------------------------------------------------------------------------------
# Meetings


def _meeting_regions(user) -> list[Region]:
    """The scopes the user may call a meeting for: their city and districts below it."""
    regions: list[Region] = []
    for membership in memberships_of(user):
        candidates = Region.objects.filter(
            path__startswith=membership.region.path,
            kind__in=[RegionKind.CITY, RegionKind.COUNTY, RegionKind.ZONE],
        ).order_by("path")
        regions.extend(r for r in candidates if user.has_perm("dispatch.run_meeting", r))
    unique = {r.pk: r for r in regions}
    return sorted(unique.values(), key=lambda r: (len(r.path), r.sort_order, r.code))


@require_safe
@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dispatch/meeting_list.html",
        {
            "meetings": selectors.meeting_list(user=request.user),
            "can_create": bool(_meeting_regions(request.user)),
        },
    )


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    regions = _meeting_regions(request.user)
    if not regions:
        raise audit_denied(actor=request.user, message=_("无权组织调度会。"))
    form = MeetingForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=request.user,
                data=services.MeetingInput(
                    region_code=data["region"],
                    period=data["period"],
                    held_on=data["held_on"],
                    chair=data["chair"],
                    attendees=data["attendees"],
                    location=data["location"],
                    title=data["title"],
                ),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("已创建调度会，议程已按数据生成，可在会前修改。"))
            return redirect("dispatch:meeting_detail", pk=meeting.pk)
    return render(request, "dispatch/meeting_form.html", {"form": form})


@require_safe
@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    can_run = request.user.has_perm("dispatch.run_meeting", meeting.region)
    editable = can_run and meeting.status == MeetingStatus.PLANNED
    return render(
        request,
        "dispatch/meeting_detail.html",
        {
            "meeting": meeting,
            "items": meeting.agenda_items.select_related("project").order_by("position", "id"),
            "tasks": selectors.meeting_tasks(meeting=meeting),
            "can_run": can_run,
            "editable": editable,
            "agenda_form": AgendaItemForm() if editable else None,
            "task_form": TaskForm(meeting=meeting) if can_run else None,
            "hold_form": HoldForm(
                initial={"summary": meeting.summary, "minutes_number": meeting.minutes_number}
            )
            if can_run
            else None,
            "previous": selectors.previous_meeting(meeting),
            "today": today(),
        },
    )


def _meeting_for_write(request: HttpRequest, pk: int):
    return selectors.meeting_get(user=request.user, pk=pk)


@login_required
@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_write(request, pk)
    _submit(
        request,
        AgendaItemForm(request.POST),
        lambda data: services.agenda_item_save(
            actor=request.user,
            meeting=meeting,
            title=data["title"],
            note=data["note"],
            position=data["position"],
        ),
        success=_("已添加议题。"),
        invalid=_("议题不能为空。"),
    )
    return redirect("dispatch:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def agenda_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(AgendaItem, pk=pk)
    meeting = _meeting_for_write(request, item.meeting_id)
    _submit(
        request,
        AgendaItemForm(request.POST),
        lambda data: services.agenda_item_save(
            actor=request.user,
            meeting=meeting,
            item=item,
            title=data["title"],
            note=data["note"],
            position=data["position"],
        ),
        success=_("已保存议题。"),
        invalid=_("议题不能为空。"),
    )
    return redirect("dispatch:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def agenda_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(AgendaItem, pk=pk)
    meeting = _meeting_for_write(request, item.meeting_id)
    item.meeting = meeting
    _apply(
        request,
        lambda: services.agenda_item_remove(actor=request.user, item=item),
        success=_("已删除议题。"),
    )
    return redirect("dispatch:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def agenda_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_write(request, pk)
    as_of = min(selectors.period_as_of(meeting.period), today())
    _apply(
        request,
        lambda: services.meeting_regenerate_agenda(
            actor=request.user, meeting=meeting, as_of=as_of
        ),
        success=_("已按最新数据重新生成议程。"),
    )
    return redirect("dispatch:meeting_detail", pk=meeting.pk)


def _task_input(data: dict[str, Any]) -> services.TaskInput:
    kind, _sep, code = data["owner"].partition(":")
    return services.TaskInput(
        text=data["text"],
        due_date=data["due_date"],
        owner_department_code=code if kind == "d" else "",
        owner_region_code=code if kind == "r" else "",
        owner_person=data["owner_person"],
        project_code=data["project_code"],
    )


@login_required
@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_write(request, pk)
    _submit(
        request,
        TaskForm(request.POST, meeting=meeting),
        lambda data: services.task_assign(
            actor=request.user, meeting=meeting, data=_task_input(data)
        ),
        success=lambda task: _("已交办第 %(n)s 项，并通知责任单位。") % {"n": task.number},
    )
    return redirect("dispatch:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_hold(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_write(request, pk)
    _submit(
        request,
        HoldForm(request.POST),
        lambda data: services.meeting_hold(
            actor=request.user,
            meeting=meeting,
            summary=data["summary"],
            minutes_number=data["minutes_number"],
        ),
        success=_("会议纪要已保存，可下载 Word 或 PDF。"),
        invalid=_("会议纪要正文不能为空。"),
    )
    return redirect("dispatch:meeting_detail", pk=meeting.pk)


def _minutes_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    content = minutes.minutes_content(meeting)
    if kind == "docx":
        body = minutes.render_docx(content, template=docx_template_data(DocxTemplateKind.MINUTES))
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        body = minutes.render_pdf(content)
        content_type = "application/pdf"
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=meeting,
        message=_("下载会议纪要（%(kind)s）") % {"kind": kind},
    )
    response = HttpResponse(body, content_type=content_type)
    filename = f"minutes-{meeting.region.code}-{meeting.period:%Y-%m}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@login_required
def minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _minutes_file(request, pk, "docx")


@require_safe
@login_required
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _minutes_file(request, pk, "pdf")


# ---------------------------------------------------------------------------------------------
# Tasks


@require_safe
@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    return render(
        request,
        "dispatch/task_list.html",
        {
            "tasks": selectors.task_list(user=request.user, status=status),
            "status": status,
            "today": today(),
        },
    )


@require_safe
@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    can_report = (
        request.user.has_perm("dispatch.report_task", task) and task.status != TaskStatus.CLOSED
    )
    can_close = request.user.has_perm("dispatch.run_meeting", task.meeting.region)
    return render(
        request,
        "dispatch/task_detail.html",
        {
            "task": task,
            "changes": task.status_changes.select_related("actor"),
            "report_form": TaskReportForm() if can_report else None,
            "can_close": can_close and task.status != TaskStatus.CLOSED,
            "can_reopen": can_close and task.status == TaskStatus.REPORTED,
            "today": today(),
        },
    )


@login_required
@require_POST
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    _submit(
        request,
        TaskReportForm(request.POST),
        lambda data: services.task_report(
            actor=request.user, task=task, progress=data["progress"], done=data["done"]
        ),
        success=_("办理情况已报送。"),
        invalid=_("办理情况不能为空。"),
    )
    return redirect("dispatch:task_detail", pk=task.pk)


@login_required
@require_POST
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    _apply(
        request,
        lambda: services.task_close(
            actor=request.user, task=task, note=request.POST.get("note", "")
        ),
        success=_("交办事项已销号。"),
    )
    return redirect("dispatch:task_detail", pk=task.pk)


@login_required
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    _apply(
        request,
        lambda: services.task_reopen(
            actor=request.user, task=task, note=request.POST.get("note", "")
        ),
        success=_("已退回继续办理。"),
    )
    return redirect("dispatch:task_detail", pk=task.pk)


# ---------------------------------------------------------------------------------------------
# 要素保障


@require_safe
@login_required
def factor_board(request: HttpRequest) -> HttpResponse:
    factor = request.GET.get("factor", "")
    return render(
        request,
        "dispatch/factor_board.html",
        {
            "cells": selectors.factor_board(user=request.user, as_of=today()),
            "requests": selectors.factor_request_list(user=request.user, factor=factor),
            "factor": factor,
            "today": today(),
        },
    )


@login_required
def factor_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    form = FactorRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            factor_request = services.factor_request_raise(
                actor=request.user,
                project=project,
                data=services.FactorRequestInput(
                    factor_type_code=data["factor_type"],
                    title=data["title"],
                    description=data["description"],
                    quantity=data["quantity"],
                    unit=data["unit"],
                ),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("要素保障需求已提出，待市项目办交办责任部门。"))
            return redirect("projects:problem_detail", pk=factor_request.problem_id)
    return render(request, "dispatch/factor_form.html", {"form": form, "project": project})


# ---------------------------------------------------------------------------------------------
# Milestones and links


@login_required
def project_milestones(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    can_edit = request.user.has_perm("dispatch.edit_milestones", project)
    form = MilestoneForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise audit_denied(
                actor=request.user,
                obj=project,
                message=_("无权维护项目“%(code)s”的前期工作。") % {"code": project.code},
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.milestone_save(
                    actor=request.user,
                    project=project,
                    data=services.MilestoneInput(
                        milestone_type_code=data["milestone_type"],
                        planned_date=data["planned_date"],
                        actual_date=data["actual_date"],
                        document_number=data["document_number"],
                        note=data["note"],
                    ),
                    evidence=data.get("evidence"),
                )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("前期工作已保存。"))
                return redirect("dispatch:milestones", pk=project.pk)
    return render(
        request,
        "dispatch/milestones.html",
        {
            "project": project,
            "milestones": selectors.project_milestones(project=project),
            "form": form if can_edit else None,
            "template_form": TemplateForm() if can_edit else None,
            "today": today(),
        },
    )


@login_required
@require_POST
def milestone_template(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    form = TemplateForm(request.POST)
    if form.is_valid():
        created = services.milestones_from_template(
            actor=request.user,
            project=project,
            template=form.cleaned_data["template"],
            planned_start=form.cleaned_data["planned_start"],
        )
        messages.success(request, _("已按模板添加 %(n)s 项前期工作。") % {"n": len(created)})
    else:
        messages.error(request, _("请选择模板并填写计划开工日期。"))
    return redirect("dispatch:milestones", pk=project.pk)


@require_safe
@login_required
def milestone_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """A milestone's document, served only to those who can see the project."""
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    if not milestone.evidence:
        raise Http404
    return FileResponse(milestone.evidence.open("rb"), content_type=milestone.evidence_type)


@login_required
@require_POST
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    _submit(
        request,
        LinkForm(request.POST),
        lambda data: services.link_add(
            actor=request.user,
            project=project,
            role=data["role"],
            user=User.objects.filter(username=data["user"]).first() if data["user"] else None,
            name=data["name"],
            position=data["position"],
            start_date=data["start_date"],
            end_date=data["end_date"],
        ),
        success=_("已添加挂钩联系。"),
        invalid=_("请填写角色和起始日期。"),
    )
    return redirect("projects:detail", pk=project.pk)


@login_required
@require_POST
def link_end(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ProjectLink.objects.visible_to(request.user), pk=pk)
    _apply(
        request,
        lambda: services.link_end(actor=request.user, link=link, end_date=today()),
        success=_("已结束挂钩联系。"),
    )
    return redirect("projects:detail", pk=link.project_id)


@require_safe
@login_required
def my_projects(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dispatch/project_sheets.html",
        {
            "heading": _("我挂钩的项目"),
            "sheets": selectors.my_linked_projects(user=request.user, as_of=today()),
            "show_roles": True,
        },
    )


@require_safe
@login_required
def unit_page(request: HttpRequest) -> HttpResponse:
    unit = request.GET.get("unit", "").strip()
    units = selectors.responsible_units(user=request.user)
    sheets = selectors.unit_projects(user=request.user, unit=unit, as_of=today()) if unit else []
    return render(
        request,
        "dispatch/project_sheets.html",
        {
            "heading": unit or _("责任单位"),
            "sheets": sheets,
            "units": units,
            "unit": unit,
        },
    )
