"""Pages for assessment (考核): rubrics (city_admin edits), a campaign's published results, a
result's two group rankings, a district's breakdown, and the admin's preview and publish.
Thin: scope → form → service → message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongjian.assessment import exports, selectors, services
from gongjian.assessment.forms import AssessmentRunForm, RubricForm, RubricItemForm
from gongjian.assessment.models import RubricItem
from gongjian.campaigns.models import Campaign
from gongjian.campaigns.selectors import campaign_get
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE


def _require_view(request: HttpRequest) -> None:
    if not request.user.has_perm("assessment.view"):
        raise PermissionDenied(_("无权查看考核。"))


def _require_manage(request: HttpRequest) -> None:
    if not request.user.has_perm("assessment.manage"):
        raise PermissionDenied(_("只有市项目办管理员可以修改考核办法和发布考核结果。"))


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


def _form_errors(form, error: ValidationError) -> None:
    """Put a service's field errors on the form's fields (or the form when it has none)."""
    if hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            target = name if name in form.fields else None
            if name == "params":
                target = None
            for message in field_messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    campaign = Campaign.objects.filter(is_active=True).order_by("-starts_on", "code").first()
    if campaign is None:
        campaign = Campaign.objects.order_by("-starts_on", "code").first()
    if campaign is None:
        raise Http404(_("尚未建立攻坚行动。"))
    return redirect("assessment:campaign", code=campaign.code)


@require_safe
@login_required
def campaign_results(request: HttpRequest, code: str) -> HttpResponse:
    """A campaign's published results, newest month first; the admin's preview form."""
    _require_view(request)
    campaign = campaign_get(code=code)
    can_manage = request.user.has_perm("assessment.manage")
    return render(
        request,
        "assessment/campaign.html",
        {
            "campaign": campaign,
            "results": selectors.assessment_result_list(campaign=campaign),
            "rubrics": selectors.rubric_list(campaign=campaign),
            "can_manage": can_manage,
            "form": AssessmentRunForm(campaign=campaign) if can_manage else None,
        },
    )


@require_safe
@login_required
def preview(request: HttpRequest, code: str) -> HttpResponse:
    """The admin's preview of a month (computed now, not stored), with the publish button."""
    _require_manage(request)
    campaign = campaign_get(code=code)
    form = AssessmentRunForm(request.GET or None, campaign=campaign)
    assessment = None
    if form.is_valid():
        try:
            assessment = services.assessment_compute(
                actor=request.user,
                campaign=campaign,
                month=form.cleaned_data["month"],
                rubric=form.cleaned_data["rubric"],
            )
        except ValidationError as error:
            _form_errors(form, error)
    return render(
        request,
        "assessment/preview.html",
        {"campaign": campaign, "form": form, "assessment": assessment},
    )


@login_required
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    campaign = campaign_get(code=code)
    form = AssessmentRunForm(request.POST, campaign=campaign)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, str(message))
        return redirect("assessment:campaign", code=campaign.code)
    try:
        result = services.assessment_publish(
            actor=request.user,
            campaign=campaign,
            month=form.cleaned_data["month"],
            rubric=form.cleaned_data["rubric"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
        return redirect("assessment:campaign", code=campaign.code)
    messages.success(request, _("已发布%(month)s考核结果。") % {"month": result.label})
    return redirect("assessment:result", pk=result.pk)


@login_required
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A published result: the 城区 and 县域 rankings side by side."""
    _require_view(request)
    result = selectors.assessment_result_get(pk=pk)
    return render(
        request,
        "assessment/result.html",
        {
            "result": result,
            "groups": selectors.assessment_ranking_groups(result=result),
            "see_all": request.user.has_perm("assessment.view_all_breakdowns"),
            "own_codes": _own_region_codes(request.user),
        },
    )


@require_safe
@login_required
def result_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The published ranking as an Excel workbook."""
    _require_view(request)
    result = selectors.assessment_result_get(pk=pk)
    file = exports.assessment_ranking_export(actor=request.user, result=result)
    response = HttpResponse(file.content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(True, file.filename) or "attachment"
    )
    return response


def _own_region_codes(user) -> set[str]:
    from gongjian.accounts.scopes import memberships_of

    return {m.region.code for m in memberships_of(user)}


@login_required
def breakdown(request: HttpRequest, pk: int, region: str) -> HttpResponse:
    """One district's score, every point explained."""
    _require_view(request)
    result = selectors.assessment_result_get(pk=pk)
    score = selectors.assessment_score_get(result=result, region_code=region, user=request.user)
    items = [line for line in score.breakdown if line["kind"] == "item"]
    deductions = [line for line in score.breakdown if line["kind"] == "deduction"]
    return render(
        request,
        "assessment/breakdown.html",
        {"result": result, "score": score, "items": items, "deductions": deductions},
    )


# ---------------------------------------------------------------------------------------------
# Rubrics


@require_safe
@login_required
def rubric_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    return render(
        request,
        "assessment/rubric_list.html",
        {
            "rubrics": selectors.rubric_list(),
            "can_manage": request.user.has_perm("assessment.manage"),
        },
    )


@login_required
def rubric_new(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = RubricForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rubric = services.rubric_create(
                actor=request.user, campaign=form.cleaned_data["campaign"], data=form.to_input()
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已新建考核办法“%(name)s”。") % {"name": rubric})
            return redirect("assessment:rubric", pk=rubric.pk)
    return render(request, "assessment/rubric_new.html", {"form": form})


@login_required
def rubric_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A rubric version: its settings and items; the admin edits (a published one is copied
    to its next version by the services)."""
    _require_view(request)
    rubric = selectors.rubric_get(pk=pk)
    can_manage = request.user.has_perm("assessment.manage")
    form = RubricForm.for_rubric(rubric, request.POST or None) if can_manage else None
    if request.method == "POST":
        _require_manage(request)
        assert form is not None
        if form.is_valid():
            try:
                draft = services.rubric_update(
                    actor=request.user, rubric=rubric, data=form.to_input()
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _saved_message(rubric, draft))
                return redirect("assessment:rubric", pk=draft.pk)
    return render(
        request,
        "assessment/rubric_detail.html",
        {
            "rubric": rubric,
            "items": rubric.items.select_related("indicator").order_by("sort_order", "id"),
            "versions": selectors.rubric_list(campaign=rubric.campaign).filter(code=rubric.code),
            "can_manage": can_manage,
            "form": form,
            "item_form": RubricItemForm(initial={"method": "linear", "cap_percent": 100})
            if can_manage
            else None,
        },
    )


def _saved_message(rubric, draft) -> str:
    if draft.pk != rubric.pk:
        return _("v%(old)s 已发布，不能修改；修改已保存到新版本 v%(new)s（草稿）。") % {
            "old": rubric.version,
            "new": draft.version,
        }
    return _("已保存。")


@login_required
@require_POST
def rubric_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    rubric = selectors.rubric_get(pk=pk)
    form = RubricItemForm(request.POST)
    if form.is_valid():
        try:
            item = services.rubric_item_add(actor=request.user, rubric=rubric, data=form.to_input())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _saved_message(rubric, item.rubric))
            return redirect("assessment:rubric", pk=item.rubric_id)
    _require_manage(request)
    return render(
        request,
        "assessment/rubric_detail.html",
        {
            "rubric": rubric,
            "items": rubric.items.select_related("indicator").order_by("sort_order", "id"),
            "versions": selectors.rubric_list(campaign=rubric.campaign).filter(code=rubric.code),
            "can_manage": True,
            "form": RubricForm.for_rubric(rubric),
            "item_form": form,
        },
        status=400,
    )


@login_required
def rubric_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    item = get_object_or_404(RubricItem.objects.select_related("rubric", "indicator"), pk=pk)
    form = RubricItemForm.for_item(item, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.rubric_item_update(
                actor=request.user, item=item, data=form.to_input()
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _saved_message(item.rubric, changed.rubric))
            return redirect("assessment:rubric", pk=changed.rubric_id)
    return render(request, "assessment/item_edit.html", {"item": item, "form": form})


@login_required
@require_POST
def rubric_item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(RubricItem.objects.select_related("rubric"), pk=pk)
    try:
        draft = services.rubric_item_remove(actor=request.user, item=item)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
        return redirect("assessment:rubric", pk=item.rubric_id)
    messages.success(request, _saved_message(item.rubric, draft))
    return redirect("assessment:rubric", pk=draft.pk)


@login_required
@require_POST
def rubric_publish(request: HttpRequest, pk: int) -> HttpResponse:
    rubric = selectors.rubric_get(pk=pk)
    try:
        services.rubric_publish(actor=request.user, rubric=rubric)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("已发布“%(name)s”。") % {"name": rubric})
    return redirect("assessment:rubric", pk=rubric.pk)
