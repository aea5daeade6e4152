"""督办: issuing, answering, closing and escalating an order — exact rows, status changes, audit
events and notifications, a role matrix for each service, the read scope, and the pages."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Department
from gongjian.accounts.services import system_actor
from gongjian.audit.models import AuditEvent
from gongjian.notifications import sms
from gongjian.notifications.models import Notification
from gongjian.projects.models import Supervision, SupervisionStatusChange
from gongjian.projects.services import (
    SupervisionInput,
    supervision_close,
    supervision_escalate_overdue,
    supervision_issue,
    supervision_respond,
)
from gongjian.regions.models import Region
from gongjian.tests.factories import (
    MembershipFactory,
    ProjectFactory,
    SupervisionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 1, 3)
EVERYONE = [
    "city_admin",
    "city_reviewer",
    "leader",
    "department",
    "lichen_filer",
    "lichen_reviewer",
    "fengze_filer",
    "anonymous",
]


def _others(*allowed: str) -> list[str]:
    return [p for p in EVERYONE if p not in allowed]


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch, settings):
    monkeypatch.setattr("gongjian.projects.services.today", lambda: TODAY)
    monkeypatch.setattr("gongjian.projects.views.today", lambda: TODAY)
    settings.SITE_URL = "https://gongjian.example.gov.cn"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def persona(request):
    return request.getfixturevalue(request.param)


def _member(username, role, code, department=None, **fields):
    user = UserFactory.create(username=username, **fields)
    MembershipFactory.create(
        user=user,
        role=role,
        region=Region.objects.get(code=code),
        department=Department.objects.get(code=department) if department else None,
    )
    return user


@pytest.fixture
def lichen_staff(db):
    """Who answers an order to 鲤城区 (besides any persona fixtures)."""
    return [
        _member("lc_clerk", Role.DISTRICT_FILER, "350502", email="clerk@lc.example.gov.cn"),
        _member("lc_chief", Role.DISTRICT_REVIEWER, "350502", phone="13800000002"),
    ]


@pytest.fixture
def gxj_officer(db):
    return _member("gxj_officer", Role.DEPARTMENT, "350500", department="gxj")


ORDER = SupervisionInput(
    title="  加快推进项目用地报批 ",
    content="请于期限内完成二期用地报批并报告进展。",
    due_date=dt.date(2023, 1, 10),
    target_region_code="350502",
    project_code="LC-2022-001",
)


@pytest.fixture
def project(db):
    return ProjectFactory.create(code="LC-2022-001", name="鲤城智能装备产业园")


def _events():
    return [
        (e.action, e.actor_username, e.object_type, e.object_id, e.message)
        for e in AuditEvent.objects.exclude(action="login").order_by("id")
    ]


def _notifications():
    return list(
        Notification.objects.order_by("id").values_list("recipient__username", "kind", "title")
    )


# --- issue ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["city_admin", "city_reviewer"], indirect=True)
def test_city_staff_issue_an_order_and_the_district_is_told(
    persona, project, lichen_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = supervision_issue(actor=persona, data=ORDER)

    row = Supervision.objects.get()
    assert (
        row.pk,
        row.title,
        row.content,
        row.target_region.code if row.target_region else None,
        row.target_department,
        row.project,
        row.issued_by,
        row.due_date,
        row.status,
        row.escalation_level,
    ) == (
        order.pk,
        "加快推进项目用地报批",
        "请于期限内完成二期用地报批并报告进展。",
        "350502",
        None,
        project,
        persona,
        dt.date(2023, 1, 10),
        "open",
        0,
    )
    assert SupervisionStatusChange.objects.count() == 0
    assert _events() == [("create", persona.username, "projects.supervision", str(order.pk), "")]
    body = (
        f"{persona.username} 下达督办，请于 2023-01-10 前办理并回复。\n"
        "请于期限内完成二期用地报批并报告进展。"
    )
    assert list(
        Notification.objects.order_by("id").values_list(
            "recipient__username", "kind", "title", "body", "link"
        )
    ) == [
        (
            username,
            "supervision_issued",
            "督办：加快推进项目用地报批",
            body,
            f"/projects/supervisions/{order.pk}/",
        )
        for username in ("lc_chief", "lc_clerk")
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["clerk@lc.example.gov.cn"], "【攻坚】督办：加快推进项目用地报批")
    ]
    assert [(m.phone, m.text) for m in sms.outbox] == [
        ("13800000002", "【攻坚】督办：加快推进项目用地报批")
    ]


@pytest.mark.parametrize("persona", _others("city_admin", "city_reviewer"), indirect=True)
def test_others_cannot_issue(persona, project, lichen_staff):
    with pytest.raises(PermissionDenied) as refusal:
        supervision_issue(actor=persona, data=ORDER)

    message = "无权向“鲤城区”下达督办。"
    assert str(refusal.value) == message
    assert Supervision.objects.count() == 0
    assert Notification.objects.count() == 0
    assert _events() == [("denied", persona.username, "", "", message)]


def test_an_order_to_a_department_tells_its_staff(
    city_admin, department, gxj_officer, django_capture_on_commit_callbacks
):
    data = SupervisionInput(
        title="协调解决招商项目落地",
        content="请牵头协调。",
        due_date=dt.date(2023, 1, 3),
        target_department_code="zsj",
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = supervision_issue(actor=city_admin, data=data)

    assert (order.target_region, order.target_department.code) == (None, "zsj")  # type: ignore[union-attr]
    assert _notifications() == [("zsj_officer", "supervision_issued", "督办：协调解决招商项目落地")]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"title": " ", "content": "", "due_date": None},
            {
                "title": ["督办事项不能为空。"],
                "content": ["督办内容不能为空。"],
                "due_date": ["办理期限不能为空。"],
            },
        ),
        (
            {"due_date": dt.date(2023, 1, 2)},
            {"due_date": ["办理期限 2023-01-02 早于今天，请选择今天或以后的日期。"]},
        ),
        ({"title": "长" * 201}, {"title": ["督办事项最长 200 字。"]}),
        (
            {"target_region_code": "", "target_department_code": ""},
            {"target": ["请选择督办对象（县区或部门）。"]},
        ),
        (
            {"target_department_code": "zsj"},
            {"target": ["督办对象只能是一个县区或一个部门，不能同时选择。"]},
        ),
        (
            {"target_region_code": "350527"},
            {"target": ["督办对象须为参与填报的县（市、区）或功能区，“金门县”不可选。"]},
        ),
        (
            {"target_region_code": "999999"},
            {"target": ["未知的县区代码“999999”。"]},
        ),
        (
            {"target_region_code": "", "target_department_code": "nope"},
            {"target": ["未知的部门代码“nope”。"]},
        ),
        ({"project_code": "XX-1"}, {"project": ["未知的项目编号“XX-1”。"]}),
        (
            {"target_region_code": "350503"},
            {"project": ["项目“LC-2022-001”不属于丰泽区。"]},
        ),
    ],
)
def test_bad_input_names_the_field(city_admin, project, changes, errors):
    from dataclasses import replace

    with pytest.raises(ValidationError) as error:
        supervision_issue(actor=city_admin, data=replace(ORDER, **changes))

    assert error.value.message_dict == errors
    assert Supervision.objects.count() == 0
    assert _events() == []


# --- respond ----------------------------------------------------------------------------------


@pytest.fixture
def order(db):
    return SupervisionFactory.create(due_date=dt.date(2023, 1, 10))


@pytest.mark.parametrize("persona", ["lichen_filer", "lichen_reviewer"], indirect=True)
def test_the_district_responds_and_the_issuer_is_told(
    persona, order, django_capture_on_commit_callbacks
):
    order.issued_by.email = "issuer@example.gov.cn"
    order.issued_by.save()
    with django_capture_on_commit_callbacks(execute=True):
        supervision_respond(actor=persona, supervision=order, response=" 已完成组卷上报。 ")

    row = Supervision.objects.get()
    assert (row.status, row.response, row.responded_by) == (
        "responded",
        "已完成组卷上报。",
        persona,
    )
    assert list(
        SupervisionStatusChange.objects.values_list("from_status", "to_status", "actor", "note")
    ) == [("open", "responded", persona.pk, "已完成组卷上报。")]
    assert _events() == [
        ("update", persona.username, "projects.supervision", str(order.pk), "已完成组卷上报。")
    ]
    assert list(Notification.objects.values_list("recipient__username", "title", "body")) == [
        (
            "issuer",
            "督办已回复：加快推进项目用地报批",
            f"{persona.username}（鲤城区）回复：\n已完成组卷上报。",
        )
    ]
    assert [m.to for m in mail.outbox] == [["issuer@example.gov.cn"]]


@pytest.mark.parametrize("persona", _others("lichen_filer", "lichen_reviewer"), indirect=True)
def test_others_cannot_respond_for_the_district(persona, order):
    with pytest.raises(PermissionDenied) as refusal:
        supervision_respond(actor=persona, supervision=order, response="已办")

    message = "无权回复督办“加快推进项目用地报批”。"
    assert str(refusal.value) == message
    assert Supervision.objects.get().status == "open"
    assert SupervisionStatusChange.objects.count() == 0
    assert Notification.objects.count() == 0
    assert _events() == [
        ("denied", persona.username, "projects.supervision", str(order.pk), message)
    ]


@pytest.fixture
def department_order(db):
    return SupervisionFactory.create(
        target_region=None, target_department=Department.objects.get(code="zsj")
    )


def test_only_the_target_department_responds(
    department, gxj_officer, lichen_filer, department_order
):
    for outsider in (gxj_officer, lichen_filer):
        with pytest.raises(PermissionDenied):
            supervision_respond(actor=outsider, supervision=department_order, response="已办")

    supervision_respond(actor=department, supervision=department_order, response="已协调落地。")

    assert Supervision.objects.get().status == "responded"
    assert [e[0:2] for e in _events()] == [
        ("denied", "gxj_officer"),
        ("denied", "lichen_filer"),
        ("update", "zsj_officer"),
    ]


def test_an_empty_response_or_a_closed_order_is_refused(lichen_filer, order):
    with pytest.raises(ValidationError) as empty:
        supervision_respond(actor=lichen_filer, supervision=order, response="  ")
    order.status = "closed"
    order.save()
    with pytest.raises(ValidationError) as closed:
        supervision_respond(actor=lichen_filer, supervision=order, response="已办")

    assert empty.value.message_dict == {"response": ["办理情况不能为空。"]}
    assert closed.value.messages == ["督办当前状态为“已办结”，不能回复。"]
    assert SupervisionStatusChange.objects.count() == 0


def test_an_escalated_order_can_still_be_answered(lichen_filer, order, region):
    Supervision.objects.filter(pk=order.pk).update(
        status="escalated", escalation_level=1, escalated_to_region=region("350500")
    )
    supervision_respond(actor=lichen_filer, supervision=order, response="已办结。")
    assert list(SupervisionStatusChange.objects.values_list("from_status", "to_status")) == [
        ("escalated", "responded")
    ]


# --- close ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["city_admin", "city_reviewer"], indirect=True)
def test_the_city_closes_and_the_district_is_told(persona, order, lichen_staff):
    supervision_respond(actor=lichen_staff[0], supervision=order, response="已办。")
    supervision_close(actor=persona, supervision=order, note="办理到位。")

    assert Supervision.objects.get().status == "closed"
    assert list(
        SupervisionStatusChange.objects.order_by("id").values_list("from_status", "to_status")
    ) == [("open", "responded"), ("responded", "closed")]
    assert list(
        Notification.objects.filter(kind="supervision_closed")
        .order_by("id")
        .values_list("recipient__username", "title", "body")
    ) == [
        ("lc_chief", "督办已办结：加快推进项目用地报批", "办理到位。"),
        ("lc_clerk", "督办已办结：加快推进项目用地报批", "办理到位。"),
    ]


@pytest.mark.parametrize("persona", _others("city_admin", "city_reviewer"), indirect=True)
def test_others_cannot_close(persona, order):
    with pytest.raises(PermissionDenied) as refusal:
        supervision_close(actor=persona, supervision=order)

    message = "无权办结督办“加快推进项目用地报批”。"
    assert str(refusal.value) == message
    assert Supervision.objects.get().status == "open"
    assert _events() == [
        ("denied", persona.username, "projects.supervision", str(order.pk), message)
    ]


def test_a_closed_order_cannot_be_closed_again(city_admin, order):
    supervision_close(actor=city_admin, supervision=order)
    with pytest.raises(ValidationError) as again:
        supervision_close(actor=city_admin, supervision=order)
    assert again.value.messages == ["督办当前状态为“已办结”，不能办结。"]
    assert SupervisionStatusChange.objects.count() == 1


# --- escalate ---------------------------------------------------------------------------------


@pytest.fixture
def orders(db, region):
    """Open and overdue (鲤城区, and 市招商局), open and due today, answered, closed, escalated."""
    zsj = Department.objects.get(code="zsj")
    return {
        "overdue": SupervisionFactory.create(title="用地报批", due_date=dt.date(2023, 1, 5)),
        "department": SupervisionFactory.create(
            title="招商落地",
            target_region=None,
            target_department=zsj,
            due_date=dt.date(2023, 1, 2),
        ),
        "due_today": SupervisionFactory.create(title="今天到期", due_date=dt.date(2023, 1, 6)),
        "answered": SupervisionFactory.create(
            title="已回复", due_date=dt.date(2023, 1, 1), status="responded", response="已办"
        ),
        "closed": SupervisionFactory.create(
            title="已办结", due_date=dt.date(2023, 1, 1), status="closed"
        ),
        "escalated": SupervisionFactory.create(
            title="已升级",
            due_date=dt.date(2022, 12, 30),
            status="escalated",
            escalation_level=1,
            escalated_to_region=region("350500"),
        ),
    }


def test_overdue_open_orders_escalate_once_to_the_city(
    orders, city_admin, leader, department, lichen_staff, django_capture_on_commit_callbacks
):
    leader.email, leader.phone = "leader@qz.example.gov.cn", "13900000009"
    leader.save()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("escalate-supervisions", "--today", "2023-01-06", stdout=out)

    rows = {
        s.title: (
            s.status,
            s.escalation_level,
            s.escalated_to_region and s.escalated_to_region.code,
        )
        for s in Supervision.objects.select_related("escalated_to_region")
    }
    assert rows == {
        "用地报批": ("escalated", 1, "350500"),
        "招商落地": ("escalated", 1, "350500"),
        "今天到期": ("open", 0, None),
        "已回复": ("responded", 0, None),
        "已办结": ("closed", 0, None),
        "已升级": ("escalated", 1, "350500"),
    }
    assert list(
        SupervisionStatusChange.objects.order_by("id").values_list(
            "supervision__title", "from_status", "to_status", "actor__username", "note"
        )
    ) == [
        ("招商落地", "open", "escalated", "system", "逾期 4 天未回复，升级至泉州市领导督办。"),
        ("用地报批", "open", "escalated", "system", "逾期 1 天未回复，升级至泉州市领导督办。"),
    ]
    assert [(e[0], e[1], e[4]) for e in _events()] == [
        ("update", "system", "逾期 4 天未回复，升级至泉州市领导督办。"),
        ("update", "system", "逾期 1 天未回复，升级至泉州市领导督办。"),
    ]
    overdue = orders["overdue"]
    assert list(
        Notification.objects.filter(title="督办逾期升级：用地报批")
        .order_by("id")
        .values_list("recipient__username", "kind", "body", "link")
    ) == [
        (
            username,
            "supervision_escalated",
            "“鲤城区”的督办“用地报批”办理期限为 2023-01-05，"
            "逾期 1 天未回复，升级至泉州市领导督办。",
            f"/projects/supervisions/{overdue.pk}/",
        )
        for username in ("city_admin", "leader", "issuer", "lc_chief", "lc_clerk")
    ]
    assert list(
        Notification.objects.filter(title="督办逾期升级：招商落地")
        .order_by("id")
        .values_list("recipient__username", flat=True)
    ) == ["city_admin", "leader", "issuer", "zsj_officer"]
    assert [m.to for m in mail.outbox] == [["leader@qz.example.gov.cn"]] * 2 + [
        ["clerk@lc.example.gov.cn"]
    ]
    assert [m.phone for m in sms.outbox] == ["13900000009", "13900000009", "13800000002"]
    assert out.getvalue() == (
        "  招商落地（市招商局，期限 2023-01-02）→ 升级至泉州市\n"
        "  用地报批（鲤城区，期限 2023-01-05）→ 升级至泉州市\n"
        "2023-01-06：升级逾期督办 2 件。\n"
    )

    # Again the same day, and the next: nothing escalates twice.
    assert supervision_escalate_overdue(actor=system_actor(), today=dt.date(2023, 1, 6)) == []
    again = supervision_escalate_overdue(actor=system_actor(), today=dt.date(2023, 1, 7))
    assert [s.title for s in again] == ["今天到期"]
    assert SupervisionStatusChange.objects.filter(to_status="escalated").count() == 3


def test_the_city_admin_may_escalate_by_hand(orders, city_admin):
    escalated = supervision_escalate_overdue(actor=city_admin, today=dt.date(2023, 1, 6))
    assert [s.title for s in escalated] == ["招商落地", "用地报批"]


@pytest.mark.parametrize("persona", _others("city_admin"), indirect=True)
def test_others_cannot_escalate(persona, orders):
    with pytest.raises(PermissionDenied):
        supervision_escalate_overdue(actor=persona, today=dt.date(2023, 1, 6))

    assert Supervision.objects.filter(status="escalated").count() == 1
    assert _events() == [("denied", persona.username, "", "", "无权升级督办。")]


# --- scope ------------------------------------------------------------------------------------


@pytest.fixture
def spread(db, region):
    zsj, gxj = Department.objects.get(code="zsj"), Department.objects.get(code="gxj")
    return {
        "lichen": SupervisionFactory.create(title="鲤城"),
        "fengze": SupervisionFactory.create(title="丰泽", target_region=region("350503")),
        "zsj": SupervisionFactory.create(title="招商局", target_region=None, target_department=zsj),
        "gxj": SupervisionFactory.create(title="工信局", target_region=None, target_department=gxj),
    }


@pytest.mark.parametrize(
    ("persona", "titles"),
    [
        ("city_admin", ["丰泽", "工信局", "招商局", "鲤城"]),
        ("leader", ["丰泽", "工信局", "招商局", "鲤城"]),
        ("lichen_filer", ["鲤城"]),
        ("fengze_filer", ["丰泽"]),
        ("department", ["招商局"]),
        ("anonymous", []),
    ],
    indirect=["persona"],
)
def test_who_sees_which_orders(persona, titles, spread):
    assert sorted(Supervision.objects.visible_to(persona).values_list("title", flat=True)) == titles


def test_a_superuser_sees_every_order(spread):
    assert Supervision.objects.visible_to(system_actor()).count() == 4


# --- pages ------------------------------------------------------------------------------------


def test_list_filters_by_status_target_and_overdue(client, city_admin, orders):
    client.force_login(city_admin)

    def titles(query):
        response = client.get(f"/projects/supervisions/{query}")
        assert response.status_code == 200
        return [s.title for s in response.context["page"]]

    assert titles("") == ["已升级", "已回复", "已办结", "招商落地", "用地报批", "今天到期"]
    assert titles("?status=open") == ["招商落地", "用地报批", "今天到期"]
    assert titles("?target=department:zsj") == ["招商落地"]
    assert titles("?target=region:350502&status=open") == ["用地报批", "今天到期"]
    # On 2023-01-03 用地报批 (due on the 5th) is not overdue yet.
    assert titles("?overdue=on") == ["已升级", "招商落地"]


def test_list_shows_days_overdue_and_counts(client, city_admin, orders):
    client.force_login(city_admin)
    response = client.get("/projects/supervisions/")
    page = response.content.decode()
    assert response.context["counts"] == {
        "open": 3,
        "responded": 1,
        "closed": 1,
        "escalated": 1,
        "overdue": 2,
    }
    # On 2023-01-03: 招商落地 was due on the 2nd.
    assert '<span class="overdue">逾期 1 天</span>' in page
    assert '<span class="overdue">逾期 4 天</span>' in page  # 已升级, due 2022-12-30


def test_a_filer_sees_no_issue_button_and_cannot_open_the_form(client, lichen_filer):
    client.force_login(lichen_filer)
    assert "下达督办" not in client.get("/projects/supervisions/").content.decode()
    assert client.get("/projects/supervisions/new/").status_code == 403
    assert _events() == [("denied", "lichen_filer", "", "", "无权下达督办。")]


def test_issue_through_the_form(client, city_admin, project, lichen_staff):
    client.force_login(city_admin)
    response = client.post(
        "/projects/supervisions/new/",
        {
            "title": "加快推进项目用地报批",
            "target": "region:350502",
            "due_date": "2023-01-10",
            "project_code": "LC-2022-001",
            "content": "请于期限内完成。",
        },
    )
    order = Supervision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/projects/supervisions/{order.pk}/"
    assert (order.target_region.code, order.project) == ("350502", project)  # type: ignore[union-attr]


def test_form_errors_are_shown_beside_their_fields(client, city_admin):
    client.force_login(city_admin)
    response = client.post(
        "/projects/supervisions/new/",
        {
            "title": "督办",
            "target": "region:350503",
            "due_date": "2023-01-01",
            "project_code": "LC-404",
            "content": "内容",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        '<p class="field-error" id="id_due_date_error">'
        "办理期限 2023-01-01 早于今天，请选择今天或以后的日期。</p>"
    ) in page
    assert '<p class="field-error" id="id_project_code_error">未知的项目编号“LC-404”。</p>' in page
    assert Supervision.objects.count() == 0


def test_respond_and_close_through_the_detail_page(client, lichen_filer, city_admin, order):
    client.force_login(lichen_filer)
    page = client.get(f"/projects/supervisions/{order.pk}/").content.decode()
    assert f'action="/projects/supervisions/{order.pk}/respond/"' in page
    assert f'action="/projects/supervisions/{order.pk}/close/"' not in page
    response = client.post(f"/projects/supervisions/{order.pk}/respond/", {"response": "已办。"})
    assert response.status_code == 302

    client.force_login(city_admin)
    page = client.get(f"/projects/supervisions/{order.pk}/").content.decode()
    assert f'action="/projects/supervisions/{order.pk}/respond/"' not in page
    client.post(f"/projects/supervisions/{order.pk}/close/", {"note": ""})

    assert list(
        SupervisionStatusChange.objects.order_by("id").values_list("to_status", "actor__username")
    ) == [("responded", "lichen_filer"), ("closed", "city_admin")]


def test_an_empty_response_is_shown_on_the_page(client, lichen_filer, order):
    client.force_login(lichen_filer)
    response = client.post(f"/projects/supervisions/{order.pk}/respond/", {"response": ""})
    assert response.status_code == 200
    assert '<p class="field-error" id="id_response_error">这个字段是必填项。</p>' in (
        response.content.decode()
    )


def test_another_districts_order_is_a_404(client, fengze_filer, order):
    client.force_login(fengze_filer)
    assert client.get(f"/projects/supervisions/{order.pk}/").status_code == 404
    assert (
        client.post(f"/projects/supervisions/{order.pk}/respond/", {"response": "x"}).status_code
        == 404
    )
    assert Supervision.objects.get().status == "open"
