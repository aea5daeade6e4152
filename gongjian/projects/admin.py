from django.contrib import admin

from gongjian.accounts.scopes import region_scope_q
from gongjian.projects.models import Category, IndustryChain, Project, StageEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "sort_order", "is_active"]


@admin.register(IndustryChain)
class IndustryChainAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "sort_order", "is_active"]


class StageEventInline(admin.TabularInline):
    model = StageEvent
    extra = 0
    readonly_fields = ["stage", "date", "note", "actor", "recorded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Read-only here: ledger writes go through the services (pages, API, imports)."""

    list_display = ["code", "name", "region", "category", "stage", "total_investment"]
    list_filter = ["category", "stage", "region"]
    search_fields = ["code", "name"]
    inlines = [StageEventInline]

    def get_queryset(self, request):
        # The admin is a window on the ledger like any other: scoped to the user's regions.
        return super().get_queryset(request).filter(region_scope_q(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
