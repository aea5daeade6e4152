"""Accounts in the admin: read only. Accounts, roles and password resets are managed on the
user-management pages (``accounts.services``: the security administrator, audited); the admin
cannot set superuser or staff flags, permissions, groups or memberships. Its two actions call the
same services as the pages."""

from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.models import (
    ApiToken,
    Department,
    LoginFailure,
    LoginLockout,
    Membership,
    TotpDevice,
    User,
)
from gongjian.accounts.throttle import login_unlock
from gongjian.accounts.totp import totp_device_remove
from gongjian.core.admin_site import ReadOnlyAdmin, ReadOnlyInline

# Django's groups and permissions are not how roles work here (memberships are); not on show.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["region", "role", "department"]


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "display_name", "email", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "memberships__role"]
    search_fields = ["username", "display_name", "email"]
    fields = [
        "username",
        "display_name",
        "email",
        "phone",
        "is_active",
        "is_staff",
        "is_superuser",
        "must_change_password",
        "last_login",
        "date_joined",
    ]
    actions = ["unlock_login"]

    @admin.action(description=_("解除登录锁定"))
    def unlock_login(self, request, queryset):
        count = sum(login_unlock(actor=request.user, username=u.username) for u in queryset)
        self.message_user(request, _("已解除 %(count)s 项登录锁定。") % {"count": count})


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "region", "role", "department"]
    list_filter = ["role", "region"]
    search_fields = ["user__username", "user__display_name"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    # Tokens are issued by `gongjian create-token`, which shows the raw token once.
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "is_active"]
    exclude = ["digest"]


@admin.register(LoginLockout)
class LoginLockoutAdmin(ReadOnlyAdmin):
    list_display = ["scope", "username", "ip_address", "locked_at", "locked_until", "unlocked_at"]
    list_filter = ["scope"]
    search_fields = ["username", "ip_address"]
    actions = ["unlock"]

    @admin.action(description=_("解除登录锁定"))
    def unlock(self, request, queryset):
        count = 0
        for lock in queryset:
            count += login_unlock(actor=request.user, username=lock.username, ip=lock.ip_address)
        self.message_user(request, _("已解除 %(count)s 项登录锁定。") % {"count": count})


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "ip_address", "is_cleared"]
    search_fields = ["username", "ip_address"]


@admin.register(TotpDevice)
class TotpDeviceAdmin(ReadOnlyAdmin):
    """Removing a lost authenticator goes through ``totp_device_remove`` (security admin)."""

    list_display = ["user", "is_confirmed", "confirmed_at"]
    search_fields = ["user__username"]
    exclude = ["secret"]
    actions = ["remove_device"]

    @admin.action(description=_("停用动态口令（遗失身份验证器时）"))
    def remove_device(self, request, queryset):
        for device in queryset.select_related("user"):
            totp_device_remove(user=device.user, actor=request.user)
        self.message_user(request, _("已停用所选动态口令。"))
