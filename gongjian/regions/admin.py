from django.contrib import admin

from gongjian.core.admin_site import ReadOnlyAdmin
from gongjian.regions.models import AssessmentGroup, Region


@admin.register(AssessmentGroup)
class AssessmentGroupAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "name_en", "sort_order"]


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "parent",
        "is_reporting",
        "assessment_group",
        "sort_order",
    ]
    list_filter = ["kind", "is_reporting", "assessment_group"]
    search_fields = ["code", "name", "name_en"]
