from __future__ import annotations

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongjian.accounts.choices import PROJECT_EDITOR_ROLES
from gongjian.accounts.scopes import has_any_role
from gongjian.audit.services import audit_denied
from gongjian.core.periods import today
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE
from gongjian.notifications.sms import mask_phone
from gongjian.plans.forms import PlanAdjustForm
from gongjian.plans.lights import project_lights
from gongjian.plans.selectors import planned_projects, project_plans
from gongjian.projects import selectors, services
from gongjian.projects.choices import (
    STAGE_PROGRESSION,
    SUPERVISION_AWAITING_REPLY,
    UNRESOLVED_PROBLEM_STATUSES,
    ProblemAge,
    ProblemStatus,
    Stage,
    StageEventStatus,
    SupervisionStatus,
)
from gongjian.projects.exports import ledger_workbook
from gongjian.projects.forms import (
    SERVICE_TO_FORM_FIELD,
    ProblemAssignForm,
    ProblemFilterForm,
    ProblemRaiseForm,
    ProblemStatusForm,
    ProjectFilterForm,
    ProjectForm,
    ProjectListImportForm,
    StageForm,
    SupervisionCloseForm,
    SupervisionFilterForm,
    SupervisionForm,
    SupervisionRespondForm,
)
from gongjian.projects.imports import ProjectListError, annotated_workbook, import_projects
from gongjian.projects.models import Problem, Project, Supervision
from gongjian.projects.services import StaleEditError
from gongjian.regions.models import Region
from gongjian.reporting.choices import ImportKind
from gongjian.reporting.jobs import (
    background_rows,
    count_rows,
    import_job_queue,
    upload_page_context,
)


def _apply_service_errors(
    form, error: ValidationError, renamed: dict[str, str] | None = None
) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            name = (renamed or {}).get(field) or SERVICE_TO_FORM_FIELD.get(field, field)
            target = name if name in form.fields else None
            for item in field_errors:
                form.add_error(target, item.messages[0] if hasattr(item, "messages") else item)
    else:
        for message in error.messages:
            form.add_error(None, message)


@require_safe
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


_ANNOTATED = "projects_import_annotated"
_ANNOTATED_LIMIT = 5 * 1024 * 1024
MAX_LIST_UPLOAD = 20 * 1024 * 1024


@login_required
def project_import(request: HttpRequest) -> HttpResponse:
    """Upload a published key-project list; all-or-nothing, errors by row and column."""
    if not has_any_role(request.user, PROJECT_EDITOR_ROLES):
        raise audit_denied(actor=request.user, message=_("无权导入项目清单。"))
    form = ProjectListImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        region = None
        if form.cleaned_data["region"]:
            region = Region.objects.get(code=form.cleaned_data["region"])
        if upload.size > MAX_LIST_UPLOAD:
            form.add_error("file", _("文件超过 20 MB 的上限；请分批导入。"))
        else:
            data = upload.read()
            rows = count_rows(data, upload.name or "")
            if rows > background_rows():
                job = import_job_queue(
                    actor=request.user,
                    kind=ImportKind.PROJECT_LIST,
                    filename=upload.name or "",
                    data=data,
                    rows=rows,
                    options={
                        "year": form.cleaned_data["year"],
                        "region": form.cleaned_data["region"] or "",
                        "update": form.cleaned_data["update"],
                        "dry_run": form.cleaned_data["dry_run"],
                    },
                )
                return redirect("reporting:import_detail", pk=job.pk)
            try:
                result = import_projects(
                    actor=request.user,
                    data=data,
                    filename=upload.name,
                    year=form.cleaned_data["year"],
                    region=region,
                    update=form.cleaned_data["update"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ProjectListError as error:
                form.add_error("file", str(error))
            else:
                request.session.pop(_ANNOTATED, None)
                if result.errors:
                    annotated = annotated_workbook(data, upload.name, result)
                    if len(annotated) <= _ANNOTATED_LIMIT:
                        request.session[_ANNOTATED] = base64.b64encode(annotated).decode()
                elif not result.dry_run:
                    messages.success(
                        request,
                        _("导入完成：%(rows)s 个项目，新建 %(created)s 个，更新 %(updated)s 个。")
                        % {
                            "rows": result.rows,
                            "created": result.created,
                            "updated": result.updated,
                        },
                    )
    return render(
        request,
        "projects/project_import.html",
        {
            "form": form,
            "result": result,
            "has_annotated": _ANNOTATED in request.session,
            **upload_page_context(user=request.user, kind=ImportKind.PROJECT_LIST),
        },
    )


@login_required
def project_import_annotated(request: HttpRequest) -> HttpResponse:
    """The last failed upload with each error marked on its cell."""
    stored = request.session.get(_ANNOTATED)
    if not stored:
        return redirect("projects:import")
    response = HttpResponse(base64.b64decode(stored), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="project-list-errors.xlsx"'
    return response


@require_safe
@login_required
def project_export(request: HttpRequest) -> HttpResponse:
    """The filtered ledger in the list's columns (imports back unchanged)."""
    form = ProjectFilterForm(request.GET or None, user=request.user)
    filters = selectors.ProjectFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.ProjectFilters(**{k: v or "" for k, v in form.cleaned_data.items()})
    try:
        year = int(request.GET.get("year") or today().year)
    except ValueError:
        year = today().year
    projects = selectors.project_list(user=request.user, filters=filters)
    response = HttpResponse(
        ledger_workbook(projects=projects, year=year), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="projects-{year}.xlsx"'
    return response


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


def _detail_context(
    request: HttpRequest,
    project,
    stage_form: StageForm | None = None,
    problem_form: ProblemRaiseForm | None = None,
) -> dict:
    can_edit = request.user.has_perm("projects.change_project", project)
    events = list(selectors.project_stage_events(project=project))
    # The stepper and the current stage follow confirmed events; the timeline shows every claim.
    confirmed = [e for e in events if e.status == StageEventStatus.CONFIRMED]
    standing = [e for e in events if e.status != StageEventStatus.REJECTED]
    suspensions = [e for e in confirmed if e.stage == Stage.SUSPENDED]
    if can_edit and stage_form is None:
        stage_form = StageForm(initial={"stage": _next_stage(standing)})
    can_raise = request.user.has_perm("projects.raise_problem", project)
    if can_raise and problem_form is None:
        problem_form = ProblemRaiseForm(reports=_problem_reports(project))
    as_of = today()
    listed = planned_projects(as_of.year).filter(pk=project.pk)
    return {
        "plans": project_plans(project=project),
        "project_light": project_lights(projects=listed, as_of=as_of).get(project.pk),
        "plan_form": PlanAdjustForm(initial={"year": as_of.year, "effective_date": as_of})
        if can_edit
        else None,
        "masked_phone": mask_phone(project.responsible_phone) if project.responsible_phone else "",
        "problems": selectors.project_problems(user=request.user, project=project),
        "problem_form": problem_form if can_raise else None,
        "project": project,
        "events": events,
        "steps": _stage_steps(project, confirmed),
        "can_review_stage": bool(events)
        and request.user.has_perm("projects.review_stage", events[0]),
        "suspended_since": suspensions[-1].date
        if suspensions and project.stage == Stage.SUSPENDED
        else None,
        "history": selectors.project_history(project=project),
        "can_edit": can_edit,
        "stage_form": stage_form if can_edit else None,
    }


@require_safe
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
    form = StageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            event = services.project_record_stage(
                actor=request.user,
                project=project,
                stage=form.cleaned_data["stage"],
                date=form.cleaned_data["date"],
                note=form.cleaned_data["note"],
                evidence=form.cleaned_data.get("evidence"),
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            if event.status == StageEventStatus.PENDING:
                messages.success(request, _("阶段已记录，待县区审核员核实后计入统计。"))
            else:
                messages.success(request, _("阶段已记录。"))
            return redirect("projects:detail", pk=project.pk)
    # The page again, with what was typed and each error beside its field.
    context = _detail_context(request, project, stage_form=form)
    return render(request, "projects/project_detail.html", context)


@login_required
@require_POST
def stage_event_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.stage_event_get(user=request.user, pk=pk)
    try:
        services.stage_event_confirm(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已核实，该阶段计入统计。"))
    return redirect("projects:detail", pk=event.project_id)


@login_required
@require_POST
def stage_event_reject(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.stage_event_get(user=request.user, pk=pk)
    try:
        services.stage_event_reject(
            actor=request.user, event=event, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已退回，并通知记录人。"))
    return redirect("projects:detail", pk=event.project_id)


@require_safe
@login_required
def stage_event_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """A stage claim's evidence, served only to those who can see the project."""
    event = selectors.stage_event_get(user=request.user, pk=pk)
    if not event.evidence:
        raise Http404
    return FileResponse(event.evidence.open("rb"), content_type=event.evidence_type)


@require_safe
@login_required
def stage_claims(request: HttpRequest) -> HttpResponse:
    """The stage claims waiting for review in the user's scope."""
    return render(
        request,
        "projects/stage_claims.html",
        {"claims": selectors.stage_claims_pending(user=request.user)},
    )


# ---------------------------------------------------------------------------------------------
# 问题协调 (problems)


def _problem_reports(project: Project):
    """The project's monthly reports a problem can be raised in, latest first."""
    return project.reports.select_related("period").order_by("-period__month")[:24]


def _query_with(request: HttpRequest, **changes: str) -> str:
    """The current query string with ``changes`` applied (empty values dropped), page reset."""
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value:
            query[key] = value
        else:
            query.pop(key, None)
    return query.urlencode()


@require_safe
@login_required
def problem_board(request: HttpRequest) -> HttpResponse:
    """The problems the user may see, filtered by department, district, status and age."""
    form = ProblemFilterForm(request.GET or None, user=request.user)
    filters = selectors.ProblemFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.ProblemFilters(
            department=data["department"] or "",
            district=data["district"] or "",
            age=data["age"] or "",
            status=data["status"] or selectors.PROBLEM_STATUS_ACTIVE,
        )
    on = today()
    board = selectors.problem_board(user=request.user, filters=filters, today=on)
    page = Paginator(board.problems, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for problem in page:
        problem.age_days = selectors.age_in_days(problem, on)  # type: ignore[attr-defined]
    unresolved = sum(board.status_counts[s] for s in UNRESOLVED_PROBLEM_STATUSES)
    status_chips = [
        (selectors.PROBLEM_STATUS_ACTIVE, _("未解决"), unresolved),
        *((s, label, board.status_counts[s]) for s, label in ProblemStatus.choices),
        (
            selectors.PROBLEM_STATUS_ALL,
            _("全部"),
            unresolved + board.status_counts[ProblemStatus.RESOLVED],
        ),
    ]
    return render(
        request,
        "projects/problem_board.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "query": _query_with(request),
            "status_chips": [
                {
                    "value": value,
                    "label": label,
                    "count": count,
                    "active": filters.status == value,
                    # Unresolved is the default: its chip drops the parameter.
                    "query": _query_with(
                        request,
                        status="" if value == selectors.PROBLEM_STATUS_ACTIVE else value,
                        age="",
                    ),
                }
                for value, label, count in status_chips
            ],
            "age_chips": [
                {
                    "value": value,
                    "label": label,
                    "count": board.age_counts[value],
                    "active": filters.age == value,
                    "query": _query_with(request, age="" if filters.age == value else value),
                }
                for value, label in ProblemAge.choices
            ],
            "today": on,
            "nav_section": "problems",
        },
    )


def _problem_context(
    request: HttpRequest,
    problem: Problem,
    assign_form: ProblemAssignForm | None = None,
    status_form: ProblemStatusForm | None = None,
) -> dict:
    user = request.user
    resolved = problem.status == ProblemStatus.RESOLVED
    can_assign = not resolved and user.has_perm("projects.assign_problem", problem)
    can_update = user.has_perm("projects.update_problem_status", problem) and (
        not resolved or user.has_perm("projects.reopen_problem", problem)
    )
    if can_assign and assign_form is None:
        assign_form = ProblemAssignForm(
            initial={
                "department": problem.department.code if problem.department else None,
                "due_date": problem.due_date,
            }
        )
    if can_update and status_form is None:
        following = {
            ProblemStatus.OPEN: ProblemStatus.IN_PROGRESS,
            ProblemStatus.IN_PROGRESS: ProblemStatus.RESOLVED,
            ProblemStatus.RESOLVED: ProblemStatus.IN_PROGRESS,
        }[ProblemStatus(problem.status)]
        status_form = ProblemStatusForm(initial={"status": following})
    if status_form is not None:
        status_form.fields["status"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in ProblemStatus.choices if value != problem.status
        ]
    on = today()
    return {
        "problem": problem,
        "changes": selectors.problem_status_changes(problem=problem),
        "age_days": selectors.age_in_days(problem, on),
        "is_overdue": not resolved and problem.due_date is not None and problem.due_date < on,
        "assign_form": assign_form if can_assign else None,
        "status_form": status_form if can_update else None,
        "nav_section": "problems",
    }


@require_safe
@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = selectors.problem_get(user=request.user, pk=pk)
    return render(request, "projects/problem_detail.html", _problem_context(request, problem))


@login_required
@require_POST
def problem_raise(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    reports = list(_problem_reports(project))
    form = ProblemRaiseForm(request.POST, reports=reports)
    if form.is_valid():
        report_id = form.cleaned_data.get("report")
        try:
            problem = services.problem_raise(
                actor=request.user,
                project=project,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                report=next((r for r in reports if r.pk == report_id), None),
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已上报问题“%(title)s”。") % {"title": problem.title})
            return redirect(f"{reverse('projects:detail', args=[project.pk])}#problems")
    context = _detail_context(request, project, problem_form=form)
    return render(request, "projects/project_detail.html", context)


@login_required
@require_POST
def problem_assign(request: HttpRequest, pk: int) -> HttpResponse:
    problem = selectors.problem_get(user=request.user, pk=pk)
    form = ProblemAssignForm(request.POST)
    if form.is_valid():
        try:
            services.problem_assign(
                actor=request.user,
                problem=problem,
                department=form.cleaned_data["department"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已交办%(department)s。") % {"department": form.cleaned_data["department"]},
            )
            return redirect("projects:problem_detail", pk=problem.pk)
    context = _problem_context(request, problem, assign_form=form)
    return render(request, "projects/problem_detail.html", context)


@login_required
@require_POST
def problem_status(request: HttpRequest, pk: int) -> HttpResponse:
    problem = selectors.problem_get(user=request.user, pk=pk)
    form = ProblemStatusForm(request.POST)
    if form.is_valid():
        try:
            services.problem_update_status(
                actor=request.user,
                problem=problem,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _apply_service_errors(form, error, renamed={"resolution": "note"})
        else:
            messages.success(
                request,
                _("问题状态已改为“%(status)s”。")
                % {"status": ProblemStatus(form.cleaned_data["status"]).label},
            )
            return redirect("projects:problem_detail", pk=problem.pk)
    context = _problem_context(request, problem, status_form=form)
    return render(request, "projects/problem_detail.html", context)


# ---------------------------------------------------------------------------------------------
# 督办 (supervision orders)


@require_safe
@login_required
def supervision_list(request: HttpRequest) -> HttpResponse:
    form = SupervisionFilterForm(request.GET or None, user=request.user)
    filters = selectors.SupervisionFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.SupervisionFilters(
            status=data["status"] or "", target=data["target"] or "", overdue=data["overdue"]
        )
    on = today()
    orders = selectors.supervision_list(user=request.user, filters=filters, today=on)
    page = Paginator(orders, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for order in page:
        order.overdue_days = _overdue_days(order, on)  # type: ignore[attr-defined]
    return render(
        request,
        "projects/supervision_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_with(request),
            "counts": selectors.supervision_counts(user=request.user, today=on),
            "can_issue": request.user.has_perm("projects.issue_supervision", None),
            "nav_section": "supervisions",
        },
    )


def _overdue_days(order: Supervision, on) -> int:
    """Days past the due date while the order still waits for a reply (0 otherwise)."""
    if order.status not in SUPERVISION_AWAITING_REPLY:
        return 0
    return max((on - order.due_date).days, 0)


@login_required
def supervision_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("projects.issue_supervision", None):
        raise audit_denied(actor=request.user, message=_("无权下达督办。"))
    form = SupervisionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.supervision_issue(actor=request.user, data=form.to_input())
        except ValidationError as error:
            _apply_service_errors(form, error, renamed={"project": "project_code"})
        else:
            messages.success(request, _("已下达督办“%(title)s”。") % {"title": order.title})
            return redirect("projects:supervision_detail", pk=order.pk)
    return render(
        request,
        "projects/supervision_form.html",
        {"form": form, "nav_section": "supervisions"},
    )


def _supervision_context(
    request: HttpRequest,
    order: Supervision,
    respond_form: SupervisionRespondForm | None = None,
    close_form: SupervisionCloseForm | None = None,
) -> dict:
    user = request.user
    can_respond = order.status in SUPERVISION_AWAITING_REPLY and user.has_perm(
        "projects.respond_supervision", order
    )
    can_close = order.status != SupervisionStatus.CLOSED and user.has_perm(
        "projects.close_supervision", order
    )
    return {
        "order": order,
        "changes": selectors.supervision_status_changes(supervision=order),
        "overdue_days": _overdue_days(order, today()),
        "respond_form": (respond_form or SupervisionRespondForm()) if can_respond else None,
        "close_form": (close_form or SupervisionCloseForm()) if can_close else None,
        "nav_section": "supervisions",
    }


@require_safe
@login_required
def supervision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.supervision_get(user=request.user, pk=pk)
    return render(request, "projects/supervision_detail.html", _supervision_context(request, order))


@login_required
@require_POST
def supervision_respond(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.supervision_get(user=request.user, pk=pk)
    form = SupervisionRespondForm(request.POST)
    if form.is_valid():
        try:
            services.supervision_respond(
                actor=request.user, supervision=order, response=form.cleaned_data["response"]
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已回复督办。"))
            return redirect("projects:supervision_detail", pk=order.pk)
    context = _supervision_context(request, order, respond_form=form)
    return render(request, "projects/supervision_detail.html", context)


@login_required
@require_POST
def supervision_close(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.supervision_get(user=request.user, pk=pk)
    form = SupervisionCloseForm(request.POST)
    if form.is_valid():
        try:
            services.supervision_close(
                actor=request.user, supervision=order, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("督办已办结。"))
            return redirect("projects:supervision_detail", pk=order.pk)
    context = _supervision_context(request, order, close_form=form)
    return render(request, "projects/supervision_detail.html", context)
