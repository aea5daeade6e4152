"""The campaign office edits campaigns here until the set-up pages exist.

Writes in the admin bypass the services, so the admin itself keeps their two guarantees that
matter most: an indicator definition must pass the whitelist (the form refuses it otherwise),
and every save and delete is audited. Permissions come from ``campaigns/rules.py``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_record
from gongjian.campaigns.choices import KIND_UNITS, IndicatorKind
from gongjian.campaigns.definitions import indicator_definition_validate
from gongjian.campaigns.models import (
    Campaign,
    Indicator,
    LeadingGroupMember,
    SpecialAction,
    Target,
)
from gongjian.campaigns.selectors import allocation_gap
from gongjian.campaigns.services import plan_curve_check
from gongjian.core.periods import month_end, months_between


class _AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            after={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
            message=_("管理后台"),
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action=AuditAction.DELETE, obj=obj, message=_("管理后台"))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(
                actor=request.user, action=AuditAction.DELETE, obj=obj, message=_("管理后台")
            )
        super().delete_queryset(request, queryset)


class SpecialActionInline(admin.TabularInline):
    model = SpecialAction
    extra = 0
    fields = ["sort_order", "code", "name", "lead_department"]


@admin.register(Campaign)
class CampaignAdmin(_AuditedAdmin):
    list_display = ["code", "name", "starts_on", "ends_on", "is_active"]
    search_fields = ["code", "name"]
    inlines = [SpecialActionInline]


class LeadingGroupMemberInline(admin.TabularInline):
    model = LeadingGroupMember
    extra = 0
    fields = ["sort_order", "role", "name", "title"]


@admin.register(SpecialAction)
class SpecialActionAdmin(_AuditedAdmin):
    list_display = ["code", "name", "campaign", "lead_department", "sort_order"]
    list_filter = ["campaign"]
    search_fields = ["code", "name"]
    inlines = [LeadingGroupMemberInline]


class IndicatorAdminForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["code", "name", "name_en", "kind", "unit", "definition", "description"]

    def clean(self):
        cleaned = super().clean() or {}
        kind, definition, unit = (
            cleaned.get("kind"),
            cleaned.get("definition"),
            cleaned.get("unit"),
        )
        if kind in IndicatorKind.values:
            for message in indicator_definition_validate(kind, definition):
                self.add_error("definition", message)
            if unit and unit != KIND_UNITS[kind]:
                self.add_error(
                    "unit",
                    _("%(kind)s指标的单位须为“%(unit)s”。")
                    % {"kind": IndicatorKind(kind).label, "unit": KIND_UNITS[kind]},
                )
        return cleaned


@admin.register(Indicator)
class IndicatorAdmin(_AuditedAdmin):
    form = IndicatorAdminForm
    list_display = ["code", "name", "kind", "unit"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


class TargetAdminForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = [
            "campaign",
            "action",
            "indicator",
            "region",
            "period_start",
            "period_end",
            "comparator",
            "value",
            "baseline_value",
            "baseline_date",
            "weight",
            "source_sentence",
            "parent",
            "plan_curve",
            "green_threshold",
            "yellow_threshold",
            "sort_order",
        ]

    def clean(self):
        # The services' period and plan rules, which the engine relies on (whole months).
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and start.day != 1:
            self.add_error("period_start", _("起始日期须为某月的 1 日（目标按整月计）。"))
        if end and end != month_end(end):
            self.add_error("period_end", _("截止日期须为某月的最后一天（目标按整月计）。"))
        if start and end and start.day == 1 and end >= start:
            errors: dict[str, list[str]] = {}
            curve = plan_curve_check(
                errors, cleaned.get("plan_curve"), len(months_between(start, end))
            )
            for message in errors.get("plan_curve", []):
                self.add_error("plan_curve", message)
            if not errors:
                cleaned["plan_curve"] = curve
        return cleaned


@admin.register(Target)
class TargetAdmin(_AuditedAdmin):
    form = TargetAdminForm
    list_display = [
        "campaign",
        "indicator",
        "region",
        "period_start",
        "period_end",
        "comparator",
        "value",
        "parent",
    ]
    list_filter = ["campaign", "indicator", "region"]
    search_fields = ["indicator__name", "region__name", "source_sentence"]
    raw_id_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        target = obj.parent or obj
        warning = allocation_gap(target)
        if warning:
            self.message_user(request, warning, level="warning")
