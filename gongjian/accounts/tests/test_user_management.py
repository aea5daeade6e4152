"""User management (issue 14.2, 18.6): roles and resets only through the security
administrator's audited services; separation of duties; forced password change after a reset."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from gongjian.accounts import services
from gongjian.accounts.models import Department, Membership, User, UserSession
from gongjian.audit.models import AuditEvent
from gongjian.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _memberships(user) -> list[tuple[str, str]]:
    return sorted(Membership.objects.filter(user=user).values_list("region__code", "role"))


def test_security_admin_grants_a_role_audited_and_notified(
    security_admin, lichen_filer, region, django_capture_on_commit_callbacks
):
    lichen_filer.email = "huang@example.gov.cn"
    lichen_filer.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.membership_grant(
            user=lichen_filer,
            region=region("350502"),
            role="district_reviewer",
            actor=security_admin,
        )

    assert _memberships(lichen_filer) == [
        ("350502", "district_filer"),
        ("350502", "district_reviewer"),
    ]
    event = AuditEvent.objects.get(action="role_granted")
    assert (event.actor_username, event.message, event.after) == (
        "security_admin",
        "授予 lichen_filer 角色：鲤城区 县区审核员",
        {"user": "lichen_filer", "region": "350502", "role": "district_reviewer", "department": ""},
    )
    assert list(Notification.objects.values_list("recipient__username", "kind", "title")) == [
        ("lichen_filer", "account_security", "您的账号获得新角色")
    ]
    assert [m.to for m in mail.outbox] == [["huang@example.gov.cn"]]


@pytest.mark.parametrize("persona", ["city_admin", "lichen_filer", "leader", "city_reviewer"])
def test_business_roles_cannot_grant_roles(request, persona, fengze_filer, region):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.membership_grant(
            user=fengze_filer, region=region("350500"), role="city_admin", actor=actor
        )
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            user=actor, region=region("350500"), role="city_admin", actor=actor
        )

    assert _memberships(fengze_filer) == [("350503", "district_filer")]
    assert list(AuditEvent.objects.values_list("actor_username", "action", "message")) == [
        (persona, "denied", "只有安全管理员可以管理账号和角色。"),
        (persona, "denied", "只有安全管理员可以管理账号和角色。"),
    ]


def test_nobody_grants_themselves_a_role(security_admin, region):
    with pytest.raises(PermissionDenied, match="不能给自己授予角色。"):
        services.membership_grant(
            user=security_admin, region=region("350500"), role="city_admin", actor=security_admin
        )
    with pytest.raises(PermissionDenied, match="不能修改自己的角色。"):
        services.membership_revoke(
            membership=security_admin.memberships.get(), actor=security_admin
        )

    assert _memberships(security_admin) == [("350500", "security_admin")]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["denied", "denied"]


def test_security_and_business_roles_do_not_mix(security_admin, city_admin, region):
    other = User.objects.create_user("zhou_sec", password="x-Unused-pass-1")
    services.membership_grant(
        user=other, region=region("350500"), role="security_admin", actor=security_admin
    )

    with pytest.raises(ValidationError) as business:
        services.membership_grant(
            user=other, region=region("350500"), role="leader", actor=security_admin
        )
    with pytest.raises(ValidationError) as security:
        services.membership_grant(
            user=city_admin, region=region("350500"), role="security_admin", actor=security_admin
        )
    with pytest.raises(ValidationError) as department:
        services.membership_grant(
            user=city_admin, region=region("350500"), role="department", actor=security_admin
        )

    assert business.value.message_dict == {
        "role": ["该用户是安全管理员，不能再授予业务角色（职责分离）。"]
    }
    assert security.value.message_dict == {"role": ["安全管理员不能同时担任业务角色（职责分离）。"]}
    assert department.value.message_dict == {"department": ["行业部门角色须选择部门。"]}
    assert _memberships(city_admin) == [("350500", "city_admin")]


def test_revoke_is_audited(security_admin, department):
    membership = department.memberships.get()

    services.membership_revoke(membership=membership, actor=security_admin)

    assert _memberships(department) == []
    assert list(AuditEvent.objects.values_list("action", "message", "before")) == [
        (
            "role_revoked",
            "撤销 zsj_officer 角色：泉州市 行业部门",
            {"user": "zsj_officer", "region": "350500", "role": "department", "department": "zsj"},
        )
    ]
    assert Department.objects.filter(code="zsj").exists()


def test_password_reset_forces_a_change_ends_sessions_and_notifies(
    client, security_admin, lichen_filer
):
    lichen_filer.phone = "13800000001"
    lichen_filer.save()
    victim = client
    victim.force_login(lichen_filer)
    assert UserSession.objects.filter(user=lichen_filer).count() == 1

    password = services.user_password_reset(user=lichen_filer, actor=security_admin)

    lichen_filer.refresh_from_db()
    assert lichen_filer.must_change_password is True
    assert lichen_filer.check_password(password) is True
    assert UserSession.objects.filter(user=lichen_filer).count() == 0
    assert victim.get("/")["Location"].startswith("/accounts/login/")
    assert list(AuditEvent.objects.filter(action="password_reset").values_list("message")) == [
        ("重置 lichen_filer 的密码（下次登录须修改），结束 1 个登录会话。",)
    ]
    assert list(Notification.objects.values_list("recipient__username", "title")) == [
        ("lichen_filer", "您的密码已被重置")
    ]

    # The next sign-in leads to the password change, and every page does until it is done.
    response = client.post("/accounts/login/", {"username": "lichen_filer", "password": password})
    assert response["Location"] == "/accounts/password/"
    assert client.get("/projects/")["Location"] == "/accounts/password/"
    changed = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "Tong-Gang-Lu-7194",
            "new_password2": "Tong-Gang-Lu-7194",
        },
    )
    assert changed["Location"] == "/"
    lichen_filer.refresh_from_db()
    assert lichen_filer.must_change_password is False
    assert client.get("/projects/").status_code == 200


def test_nobody_resets_their_own_password_here(security_admin):
    with pytest.raises(PermissionDenied):
        services.user_password_reset(user=security_admin, actor=security_admin)
    with pytest.raises(PermissionDenied):
        services.user_password_reset(user=security_admin, actor=security_admin)
    security_admin.refresh_from_db()
    assert security_admin.must_change_password is False


def test_city_admin_cannot_reset_a_password(city_admin, lichen_filer):
    before = User.objects.get(pk=lichen_filer.pk).password

    with pytest.raises(PermissionDenied):
        services.user_password_reset(user=lichen_filer, actor=city_admin)

    assert User.objects.get(pk=lichen_filer.pk).password == before


# Pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("security_admin", 200), ("city_admin", 403), ("lichen_filer", 403), ("leader", 403)],
)
def test_user_pages_are_the_security_admins(request, client, persona, status, lichen_filer):
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/accounts/users/").status_code == status
    assert client.get(f"/accounts/users/{lichen_filer.pk}/").status_code == status


def test_grant_and_reset_through_the_pages(client, security_admin, fengze_filer, region):
    client.force_login(security_admin)

    response = client.post(
        f"/accounts/users/{fengze_filer.pk}/",
        {"region": region("350503").pk, "role": "district_reviewer", "department": ""},
    )
    assert response["Location"] == f"/accounts/users/{fengze_filer.pk}/"
    assert _memberships(fengze_filer) == [
        ("350503", "district_filer"),
        ("350503", "district_reviewer"),
    ]
    refused = client.post(
        f"/accounts/users/{fengze_filer.pk}/",
        {"region": region("350503").pk, "role": "district_reviewer", "department": ""},
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"role": ["该用户在此区域已有这个角色。"]}

    reset = client.post(f"/accounts/users/{fengze_filer.pk}/password-reset/", follow=True)
    fengze_filer.refresh_from_db()
    shown = [str(m) for m in reset.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith("fengze_filer 的临时密码：")
    password = shown[0].split("：")[1].split("（")[0]
    assert fengze_filer.check_password(password) is True


def test_create_an_account_through_the_page(client, security_admin):
    client.force_login(security_admin)

    response = client.post(
        "/accounts/users/",
        {"username": "new_filer", "display_name": "新人", "email": "", "phone": ""},
    )

    user = User.objects.get(username="new_filer")
    assert response["Location"] == f"/accounts/users/{user.pk}/"
    assert (user.must_change_password, user.is_staff, user.is_superuser) == (True, False, False)
    assert list(AuditEvent.objects.filter(action="create").values_list("message", flat=True)) == [
        "新建账号 new_filer（临时密码，首次登录须修改）。"
    ]
