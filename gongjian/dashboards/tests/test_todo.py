"""Each role's to-do list on 2022-12-02: November still open (due 12-05) while December has
opened; the home page and ``GET /api/v1/me/todo`` show the same items."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.accounts.models import Department
from gongjian.accounts.services import api_token_create
from gongjian.dashboards.tests.conftest import TODO_TODAY
from gongjian.dashboards.todo import PROVIDERS, todo_list
from gongjian.investment.services import lead_submit
from gongjian.investment.tests.conftest import lead_input
from gongjian.projects.models import Project
from gongjian.tests.factories import (
    ProblemFactory,
    ProjectFactory,
    StageEventFactory,
    SupervisionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = TODO_TODAY


@pytest.fixture(autouse=True)
def _business_date(settings):
    settings.BUSINESS_DATE = TODAY
    settings.LEAD_RATE_LIMIT_PER_HOUR = 5


def _items(user, today=TODAY):
    return [item.as_dict() for item in todo_list(user=user, today=today)]


def test_the_registry_holds_these_providers_in_this_order():
    assert list(PROVIDERS) == [
        "report_due",
        "report_returned",
        "review_queue",
        "late_district",
        "stage_claim",
        "lead",
        "problem",
        "supervision",
    ]


def test_a_filer_sees_every_open_period_due_and_the_returned_report_with_its_reason(
    month, lichen_filer
):
    assert _items(lichen_filer) == [
        {
            "kind": "report_due",
            "period": "2022-11",
            "count": 1,
            "title": "2022年11月：1 个项目待报送（12-05 截止）",
            "url": "/reporting/?period=2022-11&show=todo",
        },
        {
            "kind": "report_due",
            "period": "2022-12",
            "count": 3,
            "title": "2022年12月：3 个项目待报送（01-05 截止）",
            "url": "/reporting/?period=2022-12&show=todo",
        },
        {
            "kind": "report_returned",
            "period": "2022-11",
            "count": 1,
            "title": "LC-002 江南片区城市更新 被退回：请补充现场照片",
            "url": "/reporting/?period=2022-11&q=LC-002",
        },
    ]


def test_after_the_due_date_the_filer_is_told_it_is_late(month, lichen_filer):
    items = todo_list(user=lichen_filer, today=dt.date(2022, 12, 6))
    assert [(i.title, i.urgent) for i in items if i.kind == "report_due"] == [
        ("2022年11月：1 个项目未报送，已过 12-05 截止日期", True),
        ("2022年12月：3 个项目待报送（01-05 截止）", False),
    ]


def test_a_district_reviewer_sees_its_queue_per_period(month, lichen_reviewer):
    assert _items(lichen_reviewer) == [
        {
            "kind": "review_queue",
            "period": "2022-11",
            "count": 1,
            "title": "2022年11月：1 份报告待县区审核",
            "url": "/reporting/review/?period=2022-11",
        }
    ]


def test_the_city_reviewer_sees_the_city_queue(month, city_reviewer):
    assert _items(city_reviewer) == [
        {
            "kind": "review_queue",
            "period": "2022-11",
            "count": 1,
            "title": "2022年11月：1 份报告待市级审核",
            "url": "/reporting/review/?period=2022-11",
        }
    ]


def test_the_city_admin_sees_late_districts_once_the_due_date_has_passed(month, city_admin):
    assert [i["kind"] for i in _items(city_admin)] == ["review_queue"]
    assert _items(city_admin, dt.date(2022, 12, 6))[1:] == [
        {
            "kind": "late_district",
            "period": "2022-11",
            "count": 1,
            "title": "2022年11月：1 个县区逾期未报齐（鲤城区）",
            "url": "/reporting/status/?period=2022-11",
        }
    ]


def test_a_department_sees_its_new_leads_problems_and_supervisions(month, department, region):
    zsj = Department.objects.get(code="zsj")
    lead_submit(data=lead_input(), ip="10.0.0.1")
    ProblemFactory.create(
        project=ProjectFactory.create(code="LC-009"),
        department=zsj,
        status="open",
        due_date=dt.date(2022, 11, 30),
    )
    SupervisionFactory.create(target_region=None, target_department=zsj)

    assert _items(department) == [
        {
            "kind": "lead",
            "period": None,
            "count": 1,
            "title": "1 条新线索待对接",
            "url": "/investment/?stage=new",
        },
        {
            "kind": "problem",
            "period": None,
            "count": 1,
            "title": "1 个问题待解决（1 个已超期）",
            "url": "/projects/problems/",
        },
        {
            "kind": "supervision",
            "period": None,
            "count": 1,
            "title": "1 件督办待回复",
            "url": "/projects/supervisions/",
        },
    ]


@pytest.fixture
def claims(month, lichen_filer, lichen_reviewer, fengze_filer):
    """鲤城: LC-001 竣工 and LC-002 投产 (filed again after a rejection) pending from the filer,
    LC-002 竣工 pending from another filer, LC-003 投产 pending from the reviewer, LC-003 竣工
    rejected; 丰泽: FZ-001 竣工 pending."""
    colleague = UserFactory.create(username="lichen_filer_2")
    lc1, lc2, lc3, fz1 = (
        Project.objects.get(code=c) for c in ("LC-001", "LC-002", "LC-003", "FZ-001")
    )
    on = dt.date(2022, 11, 20)
    for project, stage, actor, status, reason in (
        (lc1, "completed", lichen_filer, "pending", ""),
        (lc2, "operating", lichen_filer, "rejected", "无投产证明"),
        (lc2, "operating", lichen_filer, "pending", ""),
        (lc2, "completed", colleague, "pending", ""),
        (lc3, "operating", lichen_reviewer, "pending", ""),
        (lc3, "completed", lichen_filer, "rejected", "缺少竣工验收报告"),
        (fz1, "completed", fengze_filer, "pending", ""),
    ):
        StageEventFactory.create(
            project=project,
            stage=stage,
            date=on,
            actor=actor,
            status=status,
            rejection_reason=reason,
        )


def test_a_district_reviewer_sees_the_stage_claims_others_filed_in_its_district(
    claims, lichen_reviewer
):
    assert _items(lichen_reviewer)[1:] == [
        {
            "kind": "stage_claim",
            "period": None,
            "count": 3,
            "title": "3 条阶段记录待核实",
            "url": "/projects/stage-claims/",
        }
    ]


def test_a_filer_sees_its_pending_claims_and_the_rejected_one_not_filed_again(
    claims, lichen_filer, fengze_filer
):
    lc3 = Project.objects.get(code="LC-003")
    assert [i for i in _items(lichen_filer) if i["kind"] == "stage_claim"] == [
        {
            "kind": "stage_claim",
            "period": None,
            "count": 2,
            "title": "2 条本人提交的阶段记录等待核实",
            "url": "/projects/stage-claims/",
        },
        {
            "kind": "stage_claim",
            "period": None,
            "count": 1,
            "title": "LC-003 鲤城物流园 的竣工记录被退回：缺少竣工验收报告",
            "url": f"/projects/{lc3.pk}/",
        },
    ]
    assert [i["title"] for i in _items(fengze_filer) if i["kind"] == "stage_claim"] == [
        "1 条本人提交的阶段记录等待核实"
    ]


def test_a_leader_has_nothing_to_do(month, leader):
    assert _items(leader) == []


def test_the_api_answers_the_signed_in_users_list(client, month, lichen_reviewer):
    raw = api_token_create(user=lichen_reviewer)[1]

    response = client.get("/api/v1/me/todo", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "kind": "review_queue",
                "period": "2022-11",
                "count": 1,
                "title": "2022年11月：1 份报告待县区审核",
                "url": "/reporting/review/?period=2022-11",
            }
        ]
    }


def test_the_api_without_a_token_is_401(client, month):
    assert client.get("/api/v1/me/todo").status_code == 401


def test_the_home_page_is_the_filers_to_do_list(client, month, lichen_filer):
    client.force_login(lichen_filer)

    response = client.get("/")

    html = response.content.decode()
    assert [i.title for i in response.context["todo"]] == [
        "2022年11月：1 个项目待报送（12-05 截止）",
        "2022年12月：3 个项目待报送（01-05 截止）",
        "LC-002 江南片区城市更新 被退回：请补充现场照片",
    ]
    assert 'href="/reporting/?period=2022-11&amp;q=LC-002"' in html
