"""The security administrator's home: accounts and security events, no business data, and no
links to the business pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongjian.accounts import services
from gongjian.accounts.models import LoginLockout, TotpDevice
from gongjian.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_security_home_counts_accounts_locks_and_lists_security_events(
    client, security_admin, city_admin, city_reviewer, lichen_filer, region
):
    ProjectFactory.create(name="鲤城智能装备园", region=region("350502"))
    TotpDevice.objects.create(user=city_admin, secret="JBSWY3DPEHPK3PXP", is_confirmed=True)
    lichen_filer.must_change_password = True
    lichen_filer.save()
    now = timezone.now()
    LoginLockout.objects.create(
        scope=LoginLockout.Scope.PAIR,
        username="lichen_filer",
        ip_address="10.0.0.8",
        locked_at=now,
        locked_until=now + dt.timedelta(minutes=15),
    )
    LoginLockout.objects.create(  # expired: not shown
        scope=LoginLockout.Scope.IP,
        ip_address="10.0.0.9",
        locked_at=now - dt.timedelta(hours=2),
        locked_until=now - dt.timedelta(hours=1),
    )
    services.membership_grant(
        user=lichen_filer, region=region("350502"), role="district_reviewer", actor=security_admin
    )
    client.force_login(security_admin)

    page = client.get("/").content.decode()

    assert "安全管理员：管理账号、角色和登录锁定" in page
    overview = client.get("/").context["overview"]
    # Four accounts are active; city_reviewer and security_admin must use a second factor and
    # have none (city_admin has one).
    assert (overview.active_users, overview.disabled_users, overview.must_change_password) == (
        4,
        0,
        1,
    )
    assert [u.username for u in overview.without_second_factor] == [
        "city_reviewer",
        "security_admin",
    ]
    assert [(lock.username, lock.ip_address) for lock in overview.lockouts] == [
        ("lichen_filer", "10.0.0.8")
    ]
    assert [(e.action, e.message) for e in overview.events] == [
        ("role_granted", "授予 lichen_filer 角色：鲤城区 县区审核员")
    ]
    # No business data and no link to the business pages.
    assert "鲤城智能装备园" not in page
    for path in ("/projects/", "/campaigns/", "/reporting/", "/plans/lights/"):
        assert f'href="{path}"' not in page
    assert 'href="/accounts/users/"' in page
    assert 'href="/audit/"' in page


def test_business_users_keep_their_home_and_links(client, city_admin):
    client.force_login(city_admin)

    page = client.get("/").content.decode()

    assert "overview" not in client.get("/").context
    assert 'href="/projects/"' in page
    assert 'href="/accounts/users/"' not in page
