"""The audit trail: security events from sign-in, append-only rows, and the audit page's filters."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.audit.models import AuditEvent
from gongjian.audit.selectors import AuditFilters, audit_event_list
from gongjian.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _events():
    return list(
        AuditEvent.objects.order_by("id").values_list(
            "action", "actor_id", "actor_username", "message", "ip_address"
        )
    )


def test_login_through_the_login_page_is_recorded(client, lichen_filer):
    response = client.post(
        "/accounts/login/", {"username": "lichen_filer", "password": "gongjian-test"}
    )

    assert (response.status_code, response["Location"]) == (302, "/")
    assert _events() == [("login", lichen_filer.pk, "lichen_filer", "", "127.0.0.1")]


def test_failed_login_is_recorded_with_the_username_tried(client, lichen_filer):
    response = client.post(
        "/accounts/login/", {"username": "lichen_filer", "password": "wrong-password"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["用户名或密码不正确。"]
    assert _events() == [
        ("login_failed", None, "lichen_filer", "登录失败：用户名或密码错误。", "127.0.0.1")
    ]


def test_login_with_unknown_username_is_recorded(client, db):
    client.post("/accounts/login/", {"username": "mallory", "password": "guess"})

    assert [(e[0], e[1], e[2]) for e in _events()] == [("login_failed", None, "mallory")]


def test_logout_is_recorded(client, lichen_filer):
    client.force_login(lichen_filer)

    client.post("/accounts/logout/")

    assert [(e[0], e[2]) for e in _events()] == [
        ("login", "lichen_filer"),
        ("logout", "lichen_filer"),
    ]


def test_events_written_during_a_request_carry_the_client_address(client, lichen_filer):
    client.force_login(lichen_filer)

    client.get("/audit/", REMOTE_ADDR="10.20.30.40")

    denied = AuditEvent.objects.get(action="denied")
    assert (denied.actor_username, denied.message, denied.ip_address) == (
        "lichen_filer",
        "无权查看审计日志。",
        "10.20.30.40",
    )


# --- append-only -----------------------------------------------------------------------------


@pytest.fixture
def event(lichen_filer):
    return audit_record(actor=lichen_filer, action="login")


def test_saving_an_existing_event_is_refused(event):
    event.action = "logout"

    with pytest.raises(TypeError, match=r"^audit events are append-only$"):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).action == "login"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(TypeError, match=r"^audit events are append-only$"):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).count() == 1


def test_bulk_update_is_refused(event):
    with pytest.raises(TypeError, match=r"^audit events are append-only$"):
        AuditEvent.objects.filter(pk=event.pk).update(action="logout")

    assert AuditEvent.objects.get(pk=event.pk).action == "login"


def test_bulk_delete_is_refused(event):
    with pytest.raises(TypeError, match=r"^audit events are append-only$"):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == 1


def test_event_outlives_the_account_that_made_it(event, lichen_filer):
    lichen_filer.delete()

    assert list(AuditEvent.objects.values_list("action", "actor_id", "actor_username")) == [
        ("login", None, "lichen_filer")
    ]


# --- the audit page --------------------------------------------------------------------------


@pytest.fixture
def trail(lichen_filer, fengze_filer, leader):
    """Five events by three people, oldest first, on two days."""
    rows = [
        (lichen_filer, "login", "", dt.datetime(2022, 5, 6, 1, 0, tzinfo=dt.UTC)),
        (
            lichen_filer,
            "denied",
            "访问范围之外的对象。",
            dt.datetime(2022, 5, 6, 1, 5, tzinfo=dt.UTC),
        ),
        (
            fengze_filer,
            "denied",
            "无权查看审计日志。",
            dt.datetime(2022, 5, 6, 2, 0, tzinfo=dt.UTC),
        ),
        (fengze_filer, "login", "", dt.datetime(2022, 5, 7, 1, 0, tzinfo=dt.UTC)),
        (leader, "denied", "无权新建项目。", dt.datetime(2022, 5, 7, 3, 0, tzinfo=dt.UTC)),
    ]
    for actor, action, message, at in rows:
        AuditEvent.objects.create(
            actor=actor, actor_username=actor.username, action=action, message=message, at=at
        )


def _page_rows(response):
    return [(e.actor_username, e.action, e.message) for e in response.context["page"]]


def test_audit_page_lists_newest_first(client, trail, city_admin):
    client.force_login(city_admin)

    response = client.get("/audit/", {"actor": "", "action": "", "object_type": ""})

    assert response.status_code == 200
    assert _page_rows(response)[1:] == [
        ("leader", "denied", "无权新建项目。"),
        ("fengze_filer", "login", ""),
        ("fengze_filer", "denied", "无权查看审计日志。"),
        ("lichen_filer", "denied", "访问范围之外的对象。"),
        ("lichen_filer", "login", ""),
    ]
    assert _page_rows(response)[0] == ("city_admin", "login", "")


def test_audit_page_filters_by_action(client, trail, city_admin):
    client.force_login(city_admin)

    response = client.get("/audit/", {"action": "denied"})

    assert _page_rows(response) == [
        ("leader", "denied", "无权新建项目。"),
        ("fengze_filer", "denied", "无权查看审计日志。"),
        ("lichen_filer", "denied", "访问范围之外的对象。"),
    ]


def test_audit_page_filters_by_actor(client, trail, city_admin):
    client.force_login(city_admin)

    response = client.get("/audit/", {"actor": "FENGZE_FILER"})

    assert _page_rows(response) == [
        ("fengze_filer", "login", ""),
        ("fengze_filer", "denied", "无权查看审计日志。"),
    ]


def test_audit_page_filters_by_action_and_actor(client, trail, city_admin):
    client.force_login(city_admin)

    response = client.get("/audit/", {"actor": "lichen_filer", "action": "denied"})

    assert _page_rows(response) == [("lichen_filer", "denied", "访问范围之外的对象。")]
    assert "访问范围之外的对象。" in response.content.decode()


def test_audit_page_filters_by_date_in_shanghai_time(client, trail, city_admin):
    client.force_login(city_admin)

    # 2022-05-07 01:00 UTC is 09:00 on 7 May in Quanzhou; 2022-05-06 02:00 UTC is 10:00 on 6 May.
    response = client.get("/audit/", {"date_from": "2022-05-07", "date_to": "2022-05-07"})

    assert _page_rows(response) == [
        ("leader", "denied", "无权新建项目。"),
        ("fengze_filer", "login", ""),
    ]


def test_audit_selector_searches_messages(trail):
    events = audit_event_list(filters=AuditFilters(q="审计"))

    assert [(e.actor_username, e.message) for e in events] == [
        ("fengze_filer", "无权查看审计日志。")
    ]
