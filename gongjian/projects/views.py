from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.accounts.choices import PROJECT_EDITOR_ROLES
from gongjian.accounts.scopes import has_any_role
from gongjian.audit.services import audit_denied
from gongjian.projects import selectors, services
from gongjian.projects.choices import STAGE_PROGRESSION, Stage
from gongjian.projects.forms import (
    SERVICE_TO_FORM_FIELD,
    ProjectFilterForm,
    ProjectForm,
    StageForm,
)
from gongjian.projects.services import StaleEditError


def _apply_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            name = SERVICE_TO_FORM_FIELD.get(field, field)
            target = name if name in form.fields else None
            for item in field_errors:
                form.add_error(target, item.messages[0] if hasattr(item, "messages") else item)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    form = ProjectFilterForm(request.GET or None, user=request.user)
    filters = selectors.ProjectFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.ProjectFilters(**{k: v or "" for k, v in form.cleaned_data.items()})
    projects = selectors.project_list(user=request.user, filters=filters)
    page = Paginator(projects, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/project_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": has_any_role(request.user, PROJECT_EDITOR_ROLES),
        },
    )


def _stage_steps(project, events) -> list[dict]:
    """The progression 签约 → 投产 for the stepper: each step's date, whether the project is at
    or past it (a project may start without a recorded 落地), and which one it is at now."""
    reached = {e.stage: e.date for e in events if e.stage in STAGE_PROGRESSION}
    furthest = max((STAGE_PROGRESSION.index(s) for s in reached), default=-1)
    return [
        {
            "stage": stage,
            "label": Stage(stage).label,
            "date": reached.get(stage),
            "passed": index <= furthest,
            "current": stage == project.stage,
        }
        for index, stage in enumerate(STAGE_PROGRESSION)
    ]


def _next_stage(events) -> str | None:
    """The first step not yet recorded after the furthest one, to preselect in the stage form."""
    recorded = [STAGE_PROGRESSION.index(e.stage) for e in events if e.stage in STAGE_PROGRESSION]
    following = max(recorded, default=-1) + 1
    return STAGE_PROGRESSION[following] if following < len(STAGE_PROGRESSION) else None


def _detail_context(request: HttpRequest, project, stage_form: StageForm | None = None) -> dict:
    can_edit = request.user.has_perm("projects.change_project", project)
    events = list(selectors.project_stage_events(project=project))
    suspensions = [e for e in events if e.stage == Stage.SUSPENDED]
    if can_edit and stage_form is None:
        stage_form = StageForm(initial={"stage": _next_stage(events)})
    return {
        "project": project,
        "events": events,
        "steps": _stage_steps(project, events),
        "suspended_since": suspensions[-1].date
        if suspensions and project.stage == Stage.SUSPENDED
        else None,
        "history": selectors.project_history(project=project),
        "can_edit": can_edit,
        "stage_form": stage_form if can_edit else None,
    }


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    return render(request, "projects/project_detail.html", _detail_context(request, project))


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    if not has_any_role(request.user, PROJECT_EDITOR_ROLES):
        raise audit_denied(actor=request.user, message=_("无权新建项目。"))
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, data=form.to_input())
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已新建项目 %(code)s。") % {"code": project.code})
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    if not request.user.has_perm("projects.change_project", project):
        raise audit_denied(
            actor=request.user,
            obj=project,
            message=_("无权修改项目“%(code)s”。") % {"code": project.code},
        )
    initial = {**services.project_input_from(project).__dict__, "version": project.version}
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                actor=request.user,
                project=project,
                data=form.to_input(),
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEditError as error:
            messages.error(request, error.messages[0])
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存项目 %(code)s。") % {"code": project.code})
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
@require_POST
def project_record_stage(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.project_record_stage(
                actor=request.user,
                project=project,
                stage=form.cleaned_data["stage"],
                date=form.cleaned_data["date"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("阶段已记录。"))
            return redirect("projects:detail", pk=project.pk)
    # The page again, with what was typed and each error beside its field.
    context = _detail_context(request, project, stage_form=form)
    return render(request, "projects/project_detail.html", context)
