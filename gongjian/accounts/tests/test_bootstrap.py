"""`gongjian bootstrap` (issue 15.3): the first security administrator and city administrator."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from gongjian.accounts import totp
from gongjian.accounts.models import Membership, TotpDevice, User
from gongjian.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _bootstrap(*args: str) -> dict[str, str]:
    out = io.StringIO()
    call_command("bootstrap", *args, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:2] == [
        "已创建两个账号。临时密码只显示这一次；首次登录须修改密码并设置动态口令。",
        "Two accounts created. The temporary passwords are shown once; the first sign-in sets a "
        "new password and the one-time code.",
    ]
    return {
        role: password for role, _name, password in (line.split() for line in lines[2:] if line)
    }


def test_creates_two_separate_administrators(client, settings):
    settings.GONGJIAN_REQUIRE_TOTP = True

    passwords = _bootstrap("--username", "zhou", "--email", "it@qz.gov.cn")

    assert sorted(passwords) == ["city_admin", "security_admin"]
    assert sorted(
        Membership.objects.values_list("user__username", "user__email", "region__code", "role")
    ) == [
        ("zhou", "it@qz.gov.cn", "350500", "security_admin"),
        ("zhou-city", "it@qz.gov.cn", "350500", "city_admin"),
    ]
    assert list(
        User.objects.exclude(username="system")
        .order_by("username")
        .values_list("must_change_password", "is_staff", "is_superuser")
    ) == [(True, False, False), (True, False, False)]
    assert sorted(AuditEvent.objects.values_list("actor_username", "action")) == [
        ("system", "create"),
        ("system", "create"),
        ("system", "role_granted"),
        ("system", "role_granted"),
    ]

    # First sign-in: the one-time code is set up first, then the password is changed.
    login = client.post(
        "/accounts/login/", {"username": "zhou", "password": passwords["security_admin"]}
    )
    assert login["Location"] == "/accounts/totp/"
    client.get("/accounts/totp/")
    secret = TotpDevice.objects.get(user__username="zhou").secret
    enrolled = client.post("/accounts/totp/", {"code": totp.totp(secret)})
    assert enrolled["Location"] == "/accounts/totp/codes/"
    assert client.get("/accounts/totp/codes/").status_code == 200
    assert client.get("/accounts/users/")["Location"] == "/accounts/password/"
    client.post(
        "/accounts/password/",
        {
            "old_password": passwords["security_admin"],
            "new_password1": "Qing-Yuan-Shan-5127",
            "new_password2": "Qing-Yuan-Shan-5127",
        },
    )
    assert client.get("/accounts/users/").status_code == 200


def test_refused_when_accounts_exist(lichen_filer):
    with pytest.raises(CommandError, match="已有账号，bootstrap 只用于新安装"):
        call_command("bootstrap", "--username", "zhou", "--email", "it@qz.gov.cn")

    assert list(User.objects.values_list("username", flat=True)) == ["lichen_filer"]


def test_the_two_accounts_must_differ():
    with pytest.raises(CommandError, match="两个管理员须使用不同账号"):
        call_command(
            "bootstrap",
            "--username",
            "zhou",
            "--email",
            "it@qz.gov.cn",
            "--city-admin-username",
            "zhou",
        )
    assert User.objects.exclude(username="system").count() == 0
