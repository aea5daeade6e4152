"""Campaign pages: the campaign overview everyone with a role reads, the set-up pages the campaign
office (city_admin) uses for actions, leading groups, indicators, targets and allocations, and a
target's page with its monthly curve against 序时进度 and the rows behind its number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongjian.audit.services import audit_denied
from gongjian.campaigns import selectors, services
from gongjian.campaigns.charts import curve_chart
from gongjian.campaigns.choices import RATIO_KINDS, IndicatorKind
from gongjian.campaigns.definitions import (
    ALLOWED_KEYS,
    KIND_SOURCES,
    SOURCE_ANNUAL_PLANS,
    SOURCE_ENTERPRISES,
    SOURCE_REPORTS,
)
from gongjian.campaigns.forms import (
    SERVICE_TO_FORM_FIELD,
    AllocationForm,
    AsOfForm,
    CampaignForm,
    IndicatorForm,
    LeadingGroupMemberForm,
    SpecialActionForm,
    TargetForm,
)
from gongjian.campaigns.models import Campaign, Indicator, LeadingGroupMember, SpecialAction
from gongjian.campaigns.templatetags.campaigns import display_unit
from gongjian.core import formatting
from gongjian.core.keyset import PARAMETERS as KEYSET_PARAMETERS
from gongjian.core.keyset import Paging
from gongjian.core.periods import today
from gongjian.core.replica import replica_reads
from gongjian.regions.models import Region
from gongjian.regions.selectors import region_list_reporting

ROWS_PER_PAGE = 50


def _apply_service_errors(form, error: ValidationError) -> None:
    """Put each service error beside its field (or above the form when no field matches)."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, field_errors in error.error_dict.items():
        field = SERVICE_TO_FORM_FIELD.get(name, name)
        for item in field_errors:
            form.add_error(field if field in form.fields else None, item.messages[0])


def _can_manage(request: HttpRequest, obj=None) -> bool:
    return request.user.has_perm("campaigns.manage", obj)


def _require_manage(request: HttpRequest, obj=None) -> None:
    if not _can_manage(request, obj):
        raise audit_denied(actor=request.user, obj=obj, message=_("无权设置攻坚行动。"))


def _require_view(request: HttpRequest) -> None:
    if not request.user.has_perm("campaigns.view_campaign"):
        raise audit_denied(actor=request.user, message=_("无权查看攻坚行动。"))


def _campaign(request: HttpRequest, code: str) -> Campaign:
    _require_view(request)
    return selectors.campaign_get(code=code)


def _form_page(request: HttpRequest, template: str, **context) -> HttpResponse:
    return render(request, f"campaigns/{template}", context)


# ---------------------------------------------------------------------------------------------
# Campaigns


@require_safe
@login_required
@replica_reads
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": Campaign.objects.all(),
            "can_manage": _can_manage(request),
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = CampaignForm(
        request.POST or None, initial=CampaignForm.initial_from(Campaign(is_active=True))
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, data=form.to_input())
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已新建攻坚行动“%(name)s”。") % {"name": campaign.name})
            return redirect("campaigns:detail", code=campaign.code)
    return _form_page(
        request, "form.html", form=form, title=_("新建攻坚行动"), cancel_url="campaigns:list"
    )


@login_required
def campaign_edit(request: HttpRequest, code: str) -> HttpResponse:
    campaign = _campaign(request, code)
    _require_manage(request, campaign)
    form = CampaignForm(request.POST or None, initial=CampaignForm.initial_from(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_update(
                actor=request.user, campaign=campaign, data=form.to_input()
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存攻坚行动“%(name)s”。") % {"name": campaign.name})
            return redirect("campaigns:detail", code=campaign.code)
    return _form_page(
        request,
        "form.html",
        form=form,
        campaign=campaign,
        title=_("编辑攻坚行动"),
    )


def _as_of(request: HttpRequest) -> tuple[AsOfForm, dt.date]:
    form = AsOfForm(request.GET or None)
    as_of = today()
    if form.is_valid() and form.cleaned_data.get("as_of"):
        as_of = form.cleaned_data["as_of"]
    return form, as_of


@require_safe
@login_required
@replica_reads
def campaign_detail(request: HttpRequest, code: str) -> HttpResponse:
    campaign = _campaign(request, code)
    as_of_form, as_of = _as_of(request)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "as_of": as_of,
            "as_of_form": as_of_form,
            "overview": selectors.campaign_overview(
                campaign=campaign, as_of=as_of, user=request.user
            ),
            "can_manage": _can_manage(request),
        },
    )


# ---------------------------------------------------------------------------------------------
# Special actions and leading groups


def _action(campaign: Campaign, action_code: str) -> SpecialAction:
    action = campaign.actions.filter(code=action_code).select_related("campaign").first()
    if action is None:
        raise Http404
    return action


@login_required
def action_create(request: HttpRequest, code: str) -> HttpResponse:
    campaign = _campaign(request, code)
    _require_manage(request, campaign)
    form = SpecialActionForm(request.POST or None, initial={"sort_order": campaign.actions.count()})
    if request.method == "POST" and form.is_valid():
        try:
            action = services.special_action_create(
                actor=request.user, campaign=campaign, data=form.to_input()
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已新建专项行动“%(name)s”。") % {"name": action.name})
            return redirect("campaigns:action_edit", code=campaign.code, action_code=action.code)
    return _form_page(request, "form.html", form=form, campaign=campaign, title=_("新建专项行动"))


def _action_page(request, campaign, action, form, member_form) -> HttpResponse:
    return render(
        request,
        "campaigns/action_form.html",
        {
            "campaign": campaign,
            "action": action,
            "form": form,
            "member_form": member_form,
            "members": action.leading_group.all(),
        },
    )


@login_required
def action_edit(request: HttpRequest, code: str, action_code: str) -> HttpResponse:
    campaign = _campaign(request, code)
    action = _action(campaign, action_code)
    _require_manage(request, action)
    form = SpecialActionForm(request.POST or None, initial=SpecialActionForm.initial_from(action))
    if request.method == "POST" and form.is_valid():
        try:
            action = services.special_action_update(
                actor=request.user, action=action, data=form.to_input()
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存专项行动“%(name)s”。") % {"name": action.name})
            return redirect("campaigns:action_edit", code=campaign.code, action_code=action.code)
    member_form = LeadingGroupMemberForm(initial={"sort_order": action.leading_group.count()})
    return _action_page(request, campaign, action, form, member_form)


@login_required
@require_POST
def member_add(request: HttpRequest, code: str, action_code: str) -> HttpResponse:
    campaign = _campaign(request, code)
    action = _action(campaign, action_code)
    _require_manage(request, action)
    member_form = LeadingGroupMemberForm(request.POST)
    if member_form.is_valid():
        try:
            member = services.leading_group_member_add(
                actor=request.user, action=action, **member_form.cleaned_data
            )
        except ValidationError as error:
            _apply_service_errors(member_form, error)
        else:
            messages.success(request, _("已将%(name)s加入领导小组。") % {"name": member.name})
            return redirect("campaigns:action_edit", code=campaign.code, action_code=action.code)
    form = SpecialActionForm(initial=SpecialActionForm.initial_from(action))
    return _action_page(request, campaign, action, form, member_form)


@login_required
@require_POST
def member_remove(request: HttpRequest, code: str, action_code: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, code)
    action = _action(campaign, action_code)
    _require_manage(request, action)
    member = LeadingGroupMember.objects.filter(action=action, pk=pk).first()
    if member is None:
        raise Http404
    services.leading_group_member_remove(actor=request.user, member=member)
    messages.success(request, _("已将%(name)s移出领导小组。") % {"name": member.name})
    return redirect("campaigns:action_edit", code=campaign.code, action_code=action.code)


# ---------------------------------------------------------------------------------------------
# Indicators


def _definition_help() -> list[dict]:
    """The whitelist of definition keys per kind, for the indicator form's side panel."""
    return [
        {
            "kind": kind,
            "label": label,
            "source": KIND_SOURCES[kind],
            "keys": ALLOWED_KEYS[kind],
        }
        for kind, label in IndicatorKind.choices
    ]


@require_safe
@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    return render(
        request,
        "campaigns/indicator_list.html",
        {"indicators": selectors.indicator_library(), "can_manage": _can_manage(request)},
    )


def _indicator_page(request, form, indicator=None) -> HttpResponse:
    return render(
        request,
        "campaigns/indicator_form.html",
        {"form": form, "indicator": indicator, "definition_help": _definition_help()},
    )


@login_required
def indicator_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(actor=request.user, data=form.to_input())
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已新建指标“%(name)s”。") % {"name": indicator.name})
            return redirect("campaigns:indicator_list")
    return _indicator_page(request, form)


@login_required
def indicator_edit(request: HttpRequest, indicator_code: str) -> HttpResponse:
    _require_view(request)
    indicator = Indicator.objects.filter(code=indicator_code).first()
    if indicator is None:
        raise Http404
    _require_manage(request, indicator)
    form = IndicatorForm(request.POST or None, initial=IndicatorForm.initial_from(indicator))
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_update(
                actor=request.user, indicator=indicator, data=form.to_input()
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存指标“%(name)s”。") % {"name": indicator.name})
            return redirect("campaigns:indicator_list")
    return _indicator_page(request, form, indicator)


# ---------------------------------------------------------------------------------------------
# Targets


@login_required
def target_create(request: HttpRequest, code: str) -> HttpResponse:
    campaign = _campaign(request, code)
    _require_manage(request, campaign)
    initial = {
        "period_start": campaign.starts_on.replace(day=1),
        "period_end": campaign.ends_on,
        "weight": 1,
        "sort_order": 0,
        "action_code": request.GET.get("action", ""),
    }
    form = TargetForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.target_create(
                actor=request.user, campaign=campaign, data=form.to_input()
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已新建目标。"))
            return redirect("campaigns:target_detail", code=campaign.code, pk=target.pk)
    return _form_page(request, "target_form.html", form=form, campaign=campaign, target=None)


@login_required
def target_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, code)
    target = selectors.target_get(campaign=campaign, pk=pk, user=request.user)
    _require_manage(request, target)
    form = TargetForm(
        request.POST or None, campaign=campaign, initial=TargetForm.initial_from(target)
    )
    if request.method == "POST" and form.is_valid():
        try:
            target = services.target_update(actor=request.user, target=target, data=form.to_input())
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存目标。"))
            return redirect("campaigns:target_detail", code=campaign.code, pk=target.pk)
    return _form_page(request, "target_form.html", form=form, campaign=campaign, target=target)


@login_required
@require_POST
def target_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, code)
    target = selectors.target_get(campaign=campaign, pk=pk, user=request.user)
    _require_manage(request, target)
    count = target.allocations.count()
    services.target_delete(actor=request.user, target=target)
    if count:
        messages.success(request, _("已删除目标及其 %(count)s 个分解目标。") % {"count": count})
    else:
        messages.success(request, _("已删除目标。"))
    return redirect("campaigns:detail", code=campaign.code)


@login_required
def target_allocate(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, code)
    target = selectors.target_get(campaign=campaign, pk=pk, user=request.user)
    _require_manage(request, target)
    regions = [
        region for region in region_list_reporting(within=target.region) if region != target.region
    ]
    current = {
        child.region.code: child.value for child in target.allocations.select_related("region")
    }
    form = AllocationForm(request.POST or None, target=target, regions=regions, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_allocate(
                actor=request.user, target=target, allocations=form.allocations()
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            warning = selectors.allocation_gap(target)
            if warning:
                messages.warning(request, warning)
            messages.success(request, _("已保存目标分解。"))
            return redirect("campaigns:target_detail", code=campaign.code, pk=target.pk)
    return render(
        request,
        "campaigns/target_allocate.html",
        {
            "campaign": campaign,
            "target": target,
            "form": form,
            "warning": selectors.allocation_gap(target),
            "allocated": sum(current.values(), Decimal(0)),
        },
    )


def _drill_region(request: HttpRequest, target, form: AsOfForm) -> Region | None:
    code = form.cleaned_data.get("region") if form.is_valid() else ""
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None or not target.region.contains(region):
        raise Http404
    return region


@require_safe
@login_required
@replica_reads
def target_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, code)
    target = selectors.target_get(campaign=campaign, pk=pk, user=request.user)
    as_of_form, as_of = _as_of(request)
    detail = selectors.target_detail(target=target, as_of=as_of, user=request.user)
    drill_region = _drill_region(request, target, as_of_form)
    rows = selectors.target_rows(target=target, as_of=as_of, user=request.user, region=drill_region)
    rows_count, rows_total = selectors.target_rows_summary(
        target=target, as_of=as_of, user=request.user, region=drill_region, rows=rows
    )
    query = request.GET.copy()
    for name in KEYSET_PARAMETERS:
        query.pop(name, None)
    page: Any = selectors.target_rows_page(
        target=target,
        rows=rows,
        count=rows_count,
        size=ROWS_PER_PAGE,
        paging=Paging.from_query(request.GET),
        query=query.urlencode(),
    )
    pager_template = "includes/keyset_pager.html"
    if page is None:
        page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        pager_template = "includes/pager.html"
    source = KIND_SOURCES[target.indicator.kind]
    unit = target.indicator.unit
    is_ratio = target.indicator.kind in RATIO_KINDS
    chart = curve_chart(
        months=[point.month for point in detail.curve],
        actual=[point.actual for point in detail.curve],
        planned=[point.planned for point in detail.curve],
        target_value=target.value,
        unit=unit,
        floor=detail.progress.baseline if is_ratio else None,
    )
    return render(
        request,
        "campaigns/target_detail.html",
        {
            "campaign": campaign,
            "target": target,
            "as_of": as_of,
            "as_of_form": as_of_form,
            "detail": detail,
            "progress": detail.progress,
            "chart": chart,
            "table_unit": display_unit(unit, target.value),
            "table_unit_label": formatting.measure_unit(unit),
            "page": page,
            "rows_total": rows_total,
            "pager_template": pager_template,
            "query": query.urlencode(),
            "drill_region": drill_region,
            "source": source,
            "is_reports": source == SOURCE_REPORTS,
            "is_enterprises": source == SOURCE_ENTERPRISES,
            "is_plans": source == SOURCE_ANNUAL_PLANS,
            "can_manage": _can_manage(request, target),
        },
    )
