from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongjian.accounts.choices import Role
from gongjian.accounts.scopes import has_any_role
from gongjian.audit.services import audit_denied
from gongjian.core.periods import today
from gongjian.plans import services
from gongjian.plans.choices import LightColor
from gongjian.plans.forms import LightFilterForm, LightRuleForm, PlanAdjustForm
from gongjian.plans.lights import Light, light_counts, project_lights, rule_kinds
from gongjian.plans.models import LightRule
from gongjian.plans.selectors import PlanFilters, planned_projects, with_plan_progress
from gongjian.projects import selectors as project_selectors
from gongjian.projects.models import Project
from gongjian.regions.models import Region


@require_safe
@login_required
def light_board(request: HttpRequest) -> HttpResponse:
    """红黄绿灯: the year's key projects in the user's scope with their lights and reasons."""
    form = LightFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    as_of = data.get("as_of") or today()
    region_path = ""
    if data.get("region"):
        region_path = Region.objects.get(code=data["region"]).path
    filters = PlanFilters(
        region_path=region_path,
        level=data.get("level") or "",
        sector=data.get("sector") or "",
        project_class=data.get("project_class") or "",
        responsible_unit=data.get("responsible_unit") or "",
    )
    projects = filters.apply(
        planned_projects(as_of.year).filter(
            pk__in=Project.objects.visible_to(request.user).values("pk")
        )
    )
    lights = project_lights(projects=projects, as_of=as_of)
    counts = light_counts(lights)
    rows: list[dict[str, Any]] = []
    for project in (
        with_plan_progress(projects, as_of)
        .select_related("region", "sector")
        .order_by("region__sort_order", "code")
    ):
        light: Light = lights[project.pk]
        if data.get("light") and light.color != data["light"]:
            continue
        rate = None
        plan_amount = getattr(project, "plan_amount", None)
        if plan_amount:
            rate = (getattr(project, "year_amount", Decimal(0)) * 100 / plan_amount).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        rows.append({"project": project, "light": light, "rate": rate})
    order = {LightColor.RED: 0, LightColor.YELLOW: 1, LightColor.GREEN: 2}
    rows.sort(key=lambda row: order[LightColor(row["light"].color)])  # red first
    return render(
        request,
        "plans/light_board.html",
        {"form": form, "as_of": as_of, "counts": counts, "rows": rows},
    )


@login_required
def light_rules(request: HttpRequest) -> HttpResponse:
    """The light rules; the campaign office edits them."""
    can_edit = has_any_role(request.user, [Role.CITY_ADMIN])
    if not has_any_role(request.user, [Role.CITY_ADMIN, Role.CITY_REVIEWER, Role.LEADER]):
        raise audit_denied(actor=request.user, message=_("无权查看亮灯规则。"))
    if request.method == "POST" and not can_edit:
        raise audit_denied(actor=request.user, message=_("只有市项目办可以修改亮灯规则。"))
    kinds = rule_kinds()
    forms_by_rule = []
    for rule in LightRule.objects.all():
        bound = request.method == "POST" and request.POST.get("rule") == rule.code
        form = LightRuleForm(
            request.POST if bound else None,
            prefix=rule.code,
            initial={
                "name": rule.name,
                "color": rule.color,
                "threshold": rule.threshold,
                "months": rule.months,
                "days": rule.days,
                "is_active": rule.is_active,
            },
        )
        if bound:
            if not can_edit:
                raise audit_denied(
                    actor=request.user, obj=rule, message=_("只有市项目办可以修改亮灯规则。")
                )
            if form.is_valid():
                try:
                    services.light_rule_update(actor=request.user, rule=rule, **form.cleaned_data)
                except ValidationError as error:
                    for message in error.messages:
                        form.add_error(None, message)
                else:
                    messages.success(request, _("已保存规则“%(name)s”。") % {"name": rule.name})
                    return redirect("plans:rules")
        kind = kinds.get(rule.kind)
        forms_by_rule.append(
            {
                "rule": rule,
                "form": form,
                "kind_label": kind.label if kind else rule.kind,
                "parameters": kind.parameters if kind else (),
            }
        )
    return render(request, "plans/light_rules.html", {"rules": forms_by_rule, "can_edit": can_edit})


@login_required
@require_POST
def plan_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    """Set or adjust a project's annual plan from a date (调整), with its reason."""
    project = project_selectors.project_get(user=request.user, pk=pk)
    if not request.user.has_perm("projects.change_project", project):
        raise audit_denied(
            actor=request.user,
            obj=project,
            message=_("无权修改项目“%(code)s”的年度计划。") % {"code": project.code},
        )
    form = PlanAdjustForm(request.POST)
    if form.is_valid():
        try:
            services.annual_plan_set(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已记录年度计划调整。"))
    else:
        for field_errors in form.errors.values():
            for text in field_errors:
                messages.error(request, str(text))
    return redirect("projects:detail", pk=project.pk)
