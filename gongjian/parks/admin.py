from django.contrib import admin

from gongjian.accounts.scopes import region_scope_q
from gongjian.core.admin_site import ReadOnlyAdmin
from gongjian.parks.models import Enterprise, Park


class _ReadOnlyScopedAdmin(ReadOnlyAdmin):
    """A window on the registry, scoped to the user's regions. Writes go through the services
    (permission, validation, audit), so the admin neither adds, changes nor deletes."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(region_scope_q(request.user))


@admin.register(Park)
class ParkAdmin(_ReadOnlyScopedAdmin):
    list_display = ["code", "name", "region", "kind", "planned_area_mu", "is_standardised"]
    list_filter = ["region", "kind", "is_standardised"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]


@admin.register(Enterprise)
class EnterpriseAdmin(_ReadOnlyScopedAdmin):
    list_display = [
        "uscc",
        "name",
        "region",
        "park",
        "is_above_scale",
        "above_scale_since",
        "entered_park_on",
    ]
    list_filter = [
        "region",
        "is_above_scale",
        ("park", admin.EmptyFieldListFilter),
        "industry_chain",
    ]
    search_fields = ["uscc", "name"]
    list_select_related = ["region", "park"]
    date_hierarchy = "entered_park_on"
    raw_id_fields = ["park"]
