"""The admin is a window, not a door (issue 14.1, 18.6): no sign-in of its own, no writes; and
every way to authenticate goes through the platform's sign-in, which enforces the one-time code
and the throttle in production settings."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from gongjian.accounts import views_login
from gongjian.accounts.models import LoginFailure, LoginLockout, Membership, User
from gongjian.audit.models import AuditEvent
from gongjian.core.admin_site import GongjianAdminSite

pytestmark = pytest.mark.django_db


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_admin_login_sends_everyone_to_the_platform_sign_in(client):
    assert client.get("/admin/login/")["Location"] == "/accounts/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/accounts/user/")["Location"] == (
        "/accounts/login/?next=/admin/accounts/user/"
    )
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"


def test_admin_login_accepts_no_password(client, settings, city_admin):
    """The production probe: 40 wrong passwords and then the right one at /admin/login/ sign
    nobody in, and the right password alone never passes the one-time code."""
    settings.GONGJIAN_REQUIRE_TOTP = True
    city_admin.is_staff = True
    city_admin.save()

    for _ in range(40):
        client.post("/admin/login/", {"username": "city_admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "city_admin", "password": "gongjian-test"})

    assert response["Location"] == "/accounts/login/?next=/admin/"
    assert _signed_in(client) is False


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_the_platform_sign_in_is_the_only_password_form():
    """No URL routes to Django's LoginView or the admin's stock login: a new entry point would
    have to be added here on purpose, with its own code-and-throttle test."""
    stock_admin_login = admin.AdminSite.login
    found = []
    for route, callback in _walk(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        if view_class is not None and issubclass(view_class, auth_views.LoginView):
            found.append(route)
        if getattr(callback, "__func__", None) is stock_admin_login:
            found.append(route)
        if callback is views_login.login_view:
            found.append(("platform", route))
    assert found == [("platform", "accounts/login/")]
    assert isinstance(admin.site, GongjianAdminSite)


def test_platform_sign_in_in_production_settings_needs_the_code_and_throttles(
    client, settings, city_admin
):
    settings.GONGJIAN_REQUIRE_TOTP = True
    for _ in range(5):
        client.post(
            "/accounts/login/",
            {"username": "city_admin", "password": "wrong"},
            REMOTE_ADDR="10.9.9.9",
        )
    locked = client.post(
        "/accounts/login/",
        {"username": "city_admin", "password": "gongjian-test"},
        REMOTE_ADDR="10.9.9.9",
    )
    right = client.post(
        "/accounts/login/",
        {"username": "city_admin", "password": "gongjian-test"},
        REMOTE_ADDR="10.9.9.10",
    )

    assert LoginFailure.objects.count() == 5
    assert LoginLockout.objects.count() == 1
    assert locked.status_code == 200 and locked.context["lock_message"]
    assert right["Location"] == "/accounts/totp/"
    assert _signed_in(client) is False


def _superuser():
    return User.objects.create_superuser("root", "root@example.gov.cn", "Root-Pass-9182")


def test_every_admin_page_reads_only(rf: RequestFactory):
    request = rf.get("/admin/")
    request.user = _superuser()
    writable = []
    for model, model_admin in admin.site._registry.items():
        for name, allowed in (
            ("add", model_admin.has_add_permission(request)),
            ("change", model_admin.has_change_permission(request)),
            ("delete", model_admin.has_delete_permission(request)),
        ):
            if allowed:
                writable.append((model._meta.label, name))
        for inline in model_admin.get_inline_instances(request):
            if inline.has_add_permission(request, None) or inline.has_change_permission(request):
                writable.append((model._meta.label, "inline " + inline.model._meta.label))
    assert writable == []
    assert "auth.Group" not in {m._meta.label for m in admin.site._registry}


def test_admin_cannot_grant_roles_or_flags(client, city_admin, lichen_filer, region):
    """What the probe did through the admin: self-grant a department membership, make a filer
    superuser, reset another user's password. All refused, nothing changed."""
    city_admin.is_staff = True
    city_admin.save()
    client.force_login(city_admin)
    before = User.objects.get(pk=lichen_filer.pk).password

    responses = [
        client.post(
            "/admin/accounts/membership/add/",
            {"user": city_admin.pk, "region": region("350500").pk, "role": "department"},
        ),
        client.post(
            f"/admin/accounts/user/{lichen_filer.pk}/change/",
            {"username": "lichen_filer", "is_superuser": "on", "is_staff": "on"},
        ),
        client.post(
            f"/admin/accounts/user/{lichen_filer.pk}/password/",
            {"password1": "Taken-Over-8841", "password2": "Taken-Over-8841"},
        ),
    ]

    # Django's own set-password form is gone with the stock UserAdmin: the old URL only falls
    # through to the (read-only) change page.
    assert [r.status_code for r in responses] == [403, 403, 302]
    assert responses[2]["Location"] == f"/admin/accounts/user/{lichen_filer.pk}/password/change/"
    lichen_filer.refresh_from_db()
    assert (lichen_filer.is_superuser, lichen_filer.is_staff, lichen_filer.password) == (
        False,
        False,
        before,
    )
    assert Membership.objects.filter(user=city_admin).count() == 1
    assert AuditEvent.objects.exclude(action="login").count() == 0


def test_admin_unlock_action_goes_through_the_service(client, security_admin, lichen_filer):
    for _ in range(5):
        client.post(
            "/accounts/login/",
            {"username": "lichen_filer", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
        )
    lock = LoginLockout.objects.get()
    security_admin.is_staff = True
    security_admin.save()
    client.force_login(security_admin)

    client.post(
        "/admin/accounts/loginlockout/", {"action": "unlock", "_selected_action": [lock.pk]}
    )

    lock.refresh_from_db()
    assert lock.unlocked_by == security_admin
    assert list(
        AuditEvent.objects.filter(actor=security_admin)
        .exclude(action="login")
        .values_list("action", "message")
    ) == [("update", "解除登录锁定：lichen_filer 10.0.0.1（1 项）")]
