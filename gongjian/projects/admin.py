from django.contrib import admin

from gongjian.accounts.scopes import region_scope_q
from gongjian.core.admin_site import ReadOnlyAdmin, ReadOnlyInline
from gongjian.projects.models import Category, IndustryChain, Project, StageEvent


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "name_en", "sort_order", "is_active"]


@admin.register(IndustryChain)
class IndustryChainAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "name_en", "sort_order", "is_active"]


class StageEventInline(ReadOnlyInline):
    model = StageEvent
    fields = ["stage", "date", "note", "actor", "recorded_at"]


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    """Read-only here: ledger writes go through the services (pages, API, imports)."""

    list_display = ["code", "name", "region", "category", "stage", "total_investment"]
    list_filter = ["category", "stage", "region"]
    search_fields = ["code", "name"]
    inlines = [StageEventInline]

    def get_queryset(self, request):
        # The admin is a window on the ledger like any other: scoped to the user's regions.
        return super().get_queryset(request).filter(region_scope_q(request.user))
