"""The Django admin as a window, not a door (STYLE.md 24).

It has no sign-in of its own: ``/admin/login/`` sends everyone to the platform's sign-in, where
the throttle and the one-time code apply. Its model pages only read (``ReadOnlyAdmin``); writes
go through the services (permission, validation, audit), and the few admin actions that exist
call those services.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class GongjianAdminSite(admin.AdminSite):
    site_header = _("攻坚 · 管理后台")
    site_title = _("攻坚")
    index_title = _("基础数据")

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:  # type: ignore[override]
        """Never a sign-in form here: the platform's own, which enforces codes and throttling."""
        if request.user.is_authenticated and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        return redirect_to_login(next_url, resolve_url(settings.LOGIN_URL))


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model page that lists and shows, never adds, changes or deletes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        # Every shown field is read-only, so that non-editable ones (auto_now_add times) can be
        # listed too: a form cannot be built for those.
        return self.fields or [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
