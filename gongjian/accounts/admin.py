from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "display_name", "email", "is_active", "is_staff", "last_login"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("联系信息"), {"fields": ["display_name", "phone"]}),
    )
    actions = ["unlock_login"]

    @admin.action(description=_("解除登录锁定"))
    def unlock_login(self, request, queryset):
        count = sum(login_unlock(actor=request.user, username=u.username) for u in queryset)
        self.message_user(request, _("已解除 %(count)s 项登录锁定。") % {"count": count})


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "role", "department"]
    list_filter = ["role", "region"]
    search_fields = ["user__username", "user__display_name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "is_active"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # Tokens are issued by `gongjian create-token`, which shows the raw token once.
        return False


@admin.register(LoginLockout)
class LoginLockoutAdmin(admin.ModelAdmin):
    list_display = ["scope", "username", "ip_address", "locked_at", "locked_until", "unlocked_at"]
    list_filter = ["scope"]
    search_fields = ["username", "ip_address"]
    readonly_fields = [f.name for f in LoginLockout._meta.fields]
    actions = ["unlock"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("解除登录锁定"))
    def unlock(self, request, queryset):
        count = 0
        for lock in queryset:
            count += login_unlock(actor=request.user, username=lock.username, ip=lock.ip_address)
        self.message_user(request, _("已解除 %(count)s 项登录锁定。") % {"count": count})


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "ip_address", "is_cleared"]
    search_fields = ["username", "ip_address"]
    readonly_fields = [f.name for f in LoginFailure._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """Deleting a device here is how the office resets a lost authenticator."""

    list_display = ["user", "is_confirmed", "confirmed_at"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "is_confirmed", "created_at", "confirmed_at"]

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        totp_device_remove(user=obj.user, actor=request.user)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            totp_device_remove(user=device.user, actor=request.user)
