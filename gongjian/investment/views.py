"""Pages: the public lead form (no login) and the staff pipeline, site inventory and matching.

Thin: fetch through the reader's scope, bind a form, call a service, redirect with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongjian.accounts.scopes import memberships_of
from gongjian.audit.services import audit_denied
from gongjian.core.periods import today
from gongjian.investment import selectors, services
from gongjian.investment.choices import (
    LEAD_PROGRESSION,
    LeadNeed,
    LeadStage,
    ResourceKind,
    ResourceStatus,
)
from gongjian.investment.forms import (
    HONEYPOT_FIELD,
    AssignForm,
    FollowUpForm,
    LeadPublicForm,
    OutcomeForm,
    ProposeForm,
    ResourceImportForm,
    StageForm,
)
from gongjian.investment.imports import COLUMNS, resource_import
from gongjian.investment.matching import leads_for_resource, resources_for_lead
from gongjian.investment.models import MatchProposal
from gongjian.investment.pipeline import next_stages, stage_requirements
from gongjian.regions.selectors import region_list_reporting
from gongjian.reporting.choices import ImportKind
from gongjian.reporting.jobs import (
    background_rows,
    count_rows,
    import_job_queue,
    upload_page_context,
)

# The public form is a few kilobytes; anything much larger is not a person typing.
MAX_PUBLIC_BODY = 32 * 1024
ROWS_PER_PAGE = 50
SESSION_REFERENCE = "investment_lead_reference"


def _apply_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, items in error.error_dict.items():
        for item in items:
            form.add_error(name if name in form.fields else None, item.messages[0])


# --- public ---------------------------------------------------------------------------------------


def public_form(request: HttpRequest) -> HttpResponse:
    """/invest/: a company registers its need; stored first, answered with a reference."""
    status = 200
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_PUBLIC_BODY:
            return render(
                request,
                "investment/public_form.html",
                # What was typed stays in the form; the field over its limit says so.
                {"form": LeadPublicForm(request.POST), "too_large": True},
                status=413,
            )
        form = LeadPublicForm(request.POST)
        if form.is_valid():
            try:
                lead = services.lead_submit(
                    data=form.to_input(),
                    ip=request.META.get("REMOTE_ADDR") or None,
                    honeypot=form.cleaned_data[HONEYPOT_FIELD],
                )
            except services.RateLimited as refusal:
                form.add_error(None, refusal.messages[0])
                status = 429
            except ValidationError as error:
                _apply_errors(form, error)
                status = 400
            else:
                request.session[SESSION_REFERENCE] = lead.reference
                return redirect("investment_public:done")
        else:
            status = 400
    else:
        form = LeadPublicForm()
    return render(request, "investment/public_form.html", {"form": form}, status=status)


def public_done(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(SESSION_REFERENCE)
    if not reference:
        return redirect("investment_public:form")
    return render(request, "investment/public_done.html", {"reference": reference})


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "investment/privacy.html", {"version": services.PRIVACY_VERSION})


# --- staff: leads --------------------------------------------------------------------------------


def _require_reader(request: HttpRequest) -> None:
    if not memberships_of(request.user) and not request.user.is_superuser:
        raise audit_denied(actor=request.user, message=_("无权查看招商引资页面。"))


@require_safe
@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    filters = selectors.LeadFilters(
        stage=request.GET.get("stage", ""),
        region=request.GET.get("region", ""),
        need=request.GET.get("need", ""),
        q=request.GET.get("q", "").strip()[:100],
        spam=request.GET.get("spam") == "1",
    )
    leads = selectors.lead_list(user=request.user, filters=filters)
    page = Paginator(leads, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "investment/lead_list.html",
        {
            "page": page,
            "filters": filters,
            "counts": selectors.pipeline_counts(user=request.user),
            "stages": LeadStage.choices,
            "needs": LeadNeed.choices,
            "regions": region_list_reporting(),
            "nav_tab": "leads",
        },
    )


def _lead_context(request: HttpRequest, lead, **extra) -> dict:
    user = request.user
    can_work = user.has_perm("investment.work_lead", lead)
    follow_ups = list(lead.follow_ups.select_related("actor"))
    moves = []
    for stage in next_stages(lead.stage):
        perm = (
            "investment.sign_lead"
            if stage in (LeadStage.SIGNED, LeadStage.LANDED)
            else "investment.work_lead"
        )
        moves.append(
            {
                "stage": stage,
                "label": LeadStage(stage).label,
                "missing": stage_requirements(lead, stage, follow_up_count=len(follow_ups)),
                "allowed": user.has_perm(perm, lead),
                "form": extra.pop(f"stage_form_{stage}", None)
                or StageForm(initial={"to_stage": stage, "date": today()}),
            }
        )
    duplicates, duplicated_by = selectors.lead_duplicates(lead=lead)
    context = {
        "lead": lead,
        "stepper": [(stage, LeadStage(stage).label) for stage in LEAD_PROGRESSION],
        "can_work": can_work,
        "can_reveal": user.has_perm("investment.reveal_mobile", lead),
        "follow_ups": follow_ups,
        "stage_log": lead.stage_changes.select_related("actor"),
        "moves": moves,
        "duplicates": duplicates,
        "duplicated_by": duplicated_by,
        "proposals": lead.proposals.select_related("resource", "resource__region"),
        "matches": resources_for_lead(lead=lead, user=user, as_of=today())
        if lead.stage in (LeadStage.NEW, LeadStage.CONTACTED, LeadStage.NEGOTIATING)
        else [],
        "follow_up_form": FollowUpForm(initial={"occurred_on": today(), "kind": "call"}),
        "assign_form": AssignForm(),
        "outcome_form": OutcomeForm(),
        "nav_tab": "leads",
    }
    context.update(extra)
    return context


@require_safe
@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(user=request.user, pk=pk)
    return render(request, "investment/lead_detail.html", _lead_context(request, lead))


def _lead_action(request: HttpRequest, pk: int, form_class, action, *, form_key: str):
    lead = selectors.lead_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = action(lead, form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("investment:lead_detail", pk=lead.pk)
    lead.refresh_from_db()
    return render(
        request,
        "investment/lead_detail.html",
        _lead_context(request, lead, **{form_key: form}),
        status=400,
    )


@login_required
@require_POST
def lead_stage(request: HttpRequest, pk: int) -> HttpResponse:
    def act(lead, data):
        services.lead_move_stage(
            actor=request.user,
            lead=lead,
            to_stage=data["to_stage"],
            note=data["note"],
            lost_reason=data["lost_reason"],
            date=data["date"],
            project_code=data["project_code"],
            project_name=data["project_name"],
        )
        return _("线索已转为“%(stage)s”。") % {"stage": lead.get_stage_display()}

    stage = request.POST.get("to_stage", "")
    return _lead_action(request, pk, StageForm, act, form_key=f"stage_form_{stage}")


@login_required
@require_POST
def lead_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    def act(lead, data):
        services.lead_add_follow_up(actor=request.user, lead=lead, **data)
        return _("已记录对接。")

    return _lead_action(request, pk, FollowUpForm, act, form_key="follow_up_form")


@login_required
@require_POST
def lead_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def act(lead, data):
        kind, _sep, code = data["team"].partition(":")
        services.lead_assign(
            actor=request.user,
            lead=lead,
            region_code=code if kind == "region" else "",
            department_code=code if kind == "dept" else "",
            note=data["note"],
        )
        return _("线索已移交。")

    return _lead_action(request, pk, AssignForm, act, form_key="assign_form")


@login_required
@require_POST
def lead_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(user=request.user, pk=pk)
    number = services.lead_reveal_mobile(actor=request.user, lead=lead)
    return render(
        request, "investment/lead_detail.html", _lead_context(request, lead, revealed=number)
    )


@login_required
@require_POST
def lead_propose(request: HttpRequest, pk: int) -> HttpResponse:
    def act(lead, data):
        resource = selectors.resource_get(user=request.user, pk=data["resource"])
        services.match_propose(actor=request.user, lead=lead, resource=resource, note=data["note"])
        return _("已向企业推荐载体“%(code)s”。") % {"code": resource.code}

    return _lead_action(request, pk, ProposeForm, act, form_key="propose_form")


@login_required
@require_POST
def proposal_outcome(request: HttpRequest, pk: int, proposal_pk: int) -> HttpResponse:
    def act(lead, data):
        proposal = MatchProposal.objects.filter(lead=lead, pk=proposal_pk).first()
        if proposal is None:
            raise Http404
        services.match_record_outcome(actor=request.user, proposal=proposal, **data)
        return _("已记录推荐结果。")

    return _lead_action(request, pk, OutcomeForm, act, form_key="outcome_form")


# --- staff: sites ---------------------------------------------------------------------------------


@require_safe
@login_required
def resource_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    kind = request.GET.get("kind", "")
    region = request.GET.get("region", "")
    status = request.GET.get("status", "")
    resources = selectors.resource_list(user=request.user, kind=kind, region=region, status=status)
    page = Paginator(resources, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "investment/resource_list.html",
        {
            "page": page,
            "kind": kind,
            "region": region,
            "status": status,
            "kinds": ResourceKind.choices,
            "statuses": ResourceStatus.choices,
            "regions": region_list_reporting(),
            "can_import": request.user.has_perm("investment.change_resource", None),
            "nav_tab": "resources",
        },
    )


@require_safe
@login_required
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(user=request.user, pk=pk)
    return render(
        request,
        "investment/resource_detail.html",
        {
            "resource": resource,
            "matches": leads_for_resource(resource=resource, user=request.user, as_of=today()),
            "proposals": resource.proposals.filter(
                lead__in=selectors.lead_list(user=request.user)
            ).select_related("lead"),
            "nav_tab": "resources",
        },
    )


@login_required
def resource_import_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("investment.change_resource", None):
        raise audit_denied(actor=request.user, message=_("无权导入载体。"))
    result = None
    status = 200
    if request.method == "POST":
        form = ResourceImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            rows = count_rows(data, upload.name or "")
            if rows > background_rows():
                job = import_job_queue(
                    actor=request.user,
                    kind=ImportKind.SITES,
                    filename=upload.name or "",
                    data=data,
                    rows=rows,
                    options={},
                )
                return redirect("reporting:import_detail", pk=job.pk)
            try:
                result = resource_import(actor=request.user, data=data)
            except ValidationError as error:
                _apply_errors(form, error)
                status = 400
            except PermissionDenied:
                raise
            else:
                if not result.errors:
                    messages.success(
                        request,
                        _("已导入载体：新增 %(created)s 个，更新 %(updated)s 个。")
                        % {"created": result.created, "updated": result.updated},
                    )
                    return redirect("investment:resource_list")
                status = 400
    else:
        form = ResourceImportForm()
    return render(
        request,
        "investment/resource_import.html",
        {
            "form": form,
            "result": result,
            "columns": COLUMNS,
            "nav_tab": "resources",
            **upload_page_context(user=request.user, kind=ImportKind.SITES),
        },
        status=status,
    )
