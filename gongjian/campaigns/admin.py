"""Campaigns in the admin: read only. The campaign pages (``campaigns/views.py``) set up
campaigns, special actions, indicators and targets through the services, which check permission,
validate (the indicator whitelist, whole-month periods, plan curves) and audit every write."""

from __future__ import annotations

from django.contrib import admin

from gongjian.campaigns.models import (
    Campaign,
    Indicator,
    LeadingGroupMember,
    SpecialAction,
    Target,
)
from gongjian.core.admin_site import ReadOnlyAdmin, ReadOnlyInline


class SpecialActionInline(ReadOnlyInline):
    model = SpecialAction
    fields = ["sort_order", "code", "name", "lead_department"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "starts_on", "ends_on", "is_active"]
    search_fields = ["code", "name"]
    inlines = [SpecialActionInline]


class LeadingGroupMemberInline(ReadOnlyInline):
    model = LeadingGroupMember
    fields = ["sort_order", "role", "name", "title"]


@admin.register(SpecialAction)
class SpecialActionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "campaign", "lead_department", "sort_order"]
    list_filter = ["campaign"]
    search_fields = ["code", "name"]
    inlines = [LeadingGroupMemberInline]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "unit"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
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
