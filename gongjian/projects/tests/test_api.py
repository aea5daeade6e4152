"""The REST API: bearer tokens, scoped lists and details, filters, the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongjian.accounts.models import ApiToken
from gongjian.accounts.services import api_token_create
from gongjian.audit.models import AuditEvent
from gongjian.projects.models import Category, IndustryChain, Project
from gongjian.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

UPDATED_AT = dt.datetime(2022, 5, 6, 1, 30, tzinfo=dt.UTC)


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def lichen_token(lichen_filer):
    _token, raw = api_token_create(user=lichen_filer, name="市大数据平台")
    return raw


@pytest.fixture
def city_token(city_admin):
    _token, raw = api_token_create(user=city_admin)
    return raw


@pytest.fixture
def ledger(region):
    """Three projects in two districts, with pinned update times for exact JSON."""
    projects = [
        ProjectFactory.create(
            code="LC-001",
            name="鲤城古城片区提升工程",
            region=region("350502"),
            category=Category.objects.get(code="urban-quality"),
            industry_chain=None,
            total_investment=Decimal("50000.00"),
            annual_plan=Decimal("12000.00"),
            longitude=None,
            latitude=None,
        ),
        ProjectFactory.create(
            code="LC-002",
            name="鲤城智能装备产业园",
            region=region("350502"),
            category=Category.objects.get(code="investment-signed"),
            industry_chain=IndustryChain.objects.get(code="machinery"),
            total_investment=Decimal("80000.50"),
            annual_plan=Decimal("0.00"),
            stage="signed",
        ),
        ProjectFactory.create(
            code="JJ-001",
            name="晋江陆地港",
            region=region("350582"),
            category=Category.objects.get(code="key-construction"),
            industry_chain=IndustryChain.objects.get(code="infrastructure"),
            owner_enterprise="晋江陆地港投资有限公司",
            responsible_unit="晋江市发改局",
            total_investment=Decimal("150000.00"),
            annual_plan=Decimal("30000.00"),
            longitude=Decimal("118.552000"),
            latitude=Decimal("24.781000"),
        ),
    ]
    Project.objects.update(updated_at=UPDATED_AT)
    return {p.code: p for p in projects}


# The fields of the yearly key-project list, as a project without them shows them.
LIST_FIELDS_UNSET: dict[str, Any] = {
    "levels": [],
    "project_class": "",
    "sector": None,
    "start_year": None,
    "end_year": None,
    "planned_start_month": None,
    "planned_completion_month": None,
    "national_code": "",
    "owner_uscc": "",
    "responsible_person": "",
    "responsible_phone": "",
    "markers": "",
    "light": None,
    "light_reasons": [],
}


def _item(project: Project, **values) -> dict:
    return {
        "id": project.pk,
        "version": 1,
        "updated_at": "2022-05-06T01:30:00Z",
        **LIST_FIELDS_UNSET,
        **values,
    }


def lc001(ledger):
    return _item(
        ledger["LC-001"],
        code="LC-001",
        name="鲤城古城片区提升工程",
        region_code="350502",
        region_name="鲤城区",
        category="urban-quality",
        category_name="城建提品质项目",
        industry_chain=None,
        stage="planned",
        total_investment="50000.00",
        annual_plan="12000.00",
        owner_enterprise="泉州测试实业有限公司",
        responsible_unit="鲤城区发改局",
        longitude=None,
        latitude=None,
    )


def lc002(ledger):
    return _item(
        ledger["LC-002"],
        code="LC-002",
        name="鲤城智能装备产业园",
        region_code="350502",
        region_name="鲤城区",
        category="investment-signed",
        category_name="招商签约项目",
        industry_chain="machinery",
        stage="signed",
        total_investment="80000.50",
        annual_plan="0.00",
        owner_enterprise="泉州测试实业有限公司",
        responsible_unit="鲤城区发改局",
        longitude="118.587000",
        latitude="24.908000",
    )


def jj001(ledger):
    return _item(
        ledger["JJ-001"],
        code="JJ-001",
        name="晋江陆地港",
        region_code="350582",
        region_name="晋江市",
        category="key-construction",
        category_name="在建重点项目",
        industry_chain="infrastructure",
        stage="planned",
        total_investment="150000.00",
        annual_plan="30000.00",
        owner_enterprise="晋江陆地港投资有限公司",
        responsible_unit="晋江市发改局",
        longitude="118.552000",
        latitude="24.781000",
    )


def test_list_returns_projects_in_scope_with_exact_content(client, ledger, lichen_token):
    response = client.get("/api/v1/projects", **_bearer(lichen_token))

    assert response.status_code == 200
    assert response.json() == {"count": 2, "items": [lc001(ledger), lc002(ledger)]}


def test_city_token_lists_the_whole_city(client, ledger, city_token):
    response = client.get("/api/v1/projects", **_bearer(city_token))

    assert response.json() == {
        "count": 3,
        "items": [lc001(ledger), lc002(ledger), jj001(ledger)],
    }


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"region": "350502"}, ["LC-001", "LC-002"]),
        ({"region": "350582"}, ["JJ-001"]),
        ({"region": "350500"}, ["LC-001", "LC-002", "JJ-001"]),
        ({"region": "350000"}, ["LC-001", "LC-002", "JJ-001"]),
        ({"region": "350503"}, []),
        ({"category": "investment-signed"}, ["LC-002"]),
        ({"category": "key-construction"}, ["JJ-001"]),
        ({"stage": "signed"}, ["LC-002"]),
        ({"industry": "infrastructure"}, ["JJ-001"]),
        ({"q": "鲤城"}, ["LC-001", "LC-002"]),
        ({"q": "jj-0"}, ["JJ-001"]),
        ({"q": "陆地港", "region": "350502"}, []),
        ({"region": "350502", "category": "urban-quality"}, ["LC-001"]),
    ],
)
def test_list_filters(client, ledger, city_token, params, codes):
    response = client.get("/api/v1/projects", params, **_bearer(city_token))

    body = response.json()
    assert [item["code"] for item in body["items"]] == codes
    assert body["count"] == len(codes)


def test_region_filter_cannot_widen_a_district_scope(client, ledger, lichen_token):
    response = client.get("/api/v1/projects", {"region": "350582"}, **_bearer(lichen_token))

    assert response.json() == {"count": 0, "items": []}


def test_list_pages_with_limit_and_offset(client, ledger, city_token):
    response = client.get("/api/v1/projects", {"limit": 1, "offset": 1}, **_bearer(city_token))

    assert response.json() == {"count": 3, "items": [lc002(ledger)]}


def test_detail_in_scope(client, ledger, lichen_token):
    response = client.get(f"/api/v1/projects/{ledger['LC-002'].pk}", **_bearer(lichen_token))

    assert response.status_code == 200
    assert response.json() == {**lc002(ledger), "stage_events": []}


def test_detail_outside_scope_is_404_and_audited(client, ledger, lichen_token):
    jinjiang = ledger["JJ-001"]

    response = client.get(f"/api/v1/projects/{jinjiang.pk}", **_bearer(lichen_token))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    denied = AuditEvent.objects.get(action="denied")
    assert (denied.actor_username, denied.object_type, denied.object_id, denied.message) == (
        "lichen_filer",
        "projects.project",
        str(jinjiang.pk),
        "访问范围之外的对象。",
    )


def test_detail_of_missing_project_is_404_without_denial(client, ledger, lichen_token):
    response = client.get("/api/v1/projects/999999", **_bearer(lichen_token))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied").count() == 0


@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/projects/1"])
def test_no_token_is_401(client, ledger, path):
    response = client.get(path)

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_bad_token_is_401_and_audited(client, ledger, lichen_token):
    response = client.get("/api/v1/projects", **_bearer(lichen_token + "x"))

    assert response.status_code == 401
    failed = AuditEvent.objects.get(action="login_failed")
    assert (failed.actor, failed.actor_username, failed.message) == (
        None,
        "api-token",
        "接口令牌无效。",
    )


def test_revoked_token_is_401(client, ledger, lichen_token):
    ApiToken.objects.update(is_active=False)

    response = client.get("/api/v1/projects", **_bearer(lichen_token))

    assert response.status_code == 401


def test_token_of_deactivated_user_is_401(client, ledger, lichen_filer, lichen_token):
    lichen_filer.is_active = False
    lichen_filer.save()

    response = client.get("/api/v1/projects", **_bearer(lichen_token))

    assert response.status_code == 401


def test_session_login_is_not_enough_for_the_api(client, ledger, lichen_filer):
    client.force_login(lichen_filer)

    response = client.get("/api/v1/projects")

    assert response.status_code == 401


def test_token_use_is_recorded(client, ledger, lichen_filer, lichen_token, monkeypatch):
    used_at = dt.datetime(2022, 11, 3, 2, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("gongjian.api.timezone", SimpleNamespace(now=lambda: used_at))
    assert ApiToken.objects.get(user=lichen_filer).last_used_at is None

    client.get("/api/v1/projects", **_bearer(lichen_token))

    assert ApiToken.objects.get(user=lichen_filer).last_used_at == used_at


def test_token_use_is_written_back_at_most_once_a_minute(
    client, ledger, lichen_filer, lichen_token, monkeypatch
):
    now = [dt.datetime(2022, 11, 3, 2, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr("gongjian.api.timezone", SimpleNamespace(now=lambda: now[0]))
    client.get("/api/v1/projects", **_bearer(lichen_token))

    # 59 seconds later the stored time stays; at 60 seconds it moves on
    now[0] += dt.timedelta(seconds=59)
    client.get("/api/v1/projects", **_bearer(lichen_token))
    assert ApiToken.objects.get(user=lichen_filer).last_used_at == dt.datetime(
        2022, 11, 3, 2, 0, tzinfo=dt.UTC
    )
    now[0] += dt.timedelta(seconds=1)
    client.get("/api/v1/projects", **_bearer(lichen_token))
    assert ApiToken.objects.get(user=lichen_filer).last_used_at == dt.datetime(
        2022, 11, 3, 2, 1, tzinfo=dt.UTC
    )


def test_token_is_stored_as_digest_only_and_its_creation_audited(lichen_filer):
    token, raw = api_token_create(user=lichen_filer, name="市大数据平台")

    assert raw.startswith("gj_")
    assert (token.prefix, token.digest, token.name) == (
        raw[:8],
        ApiToken.digest_of(raw),
        "市大数据平台",
    )
    assert not ApiToken.objects.filter(digest=raw).exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_username, event.object_type, event.message) == (
        "token_created",
        "lichen_filer",
        "accounts.apitoken",
        f"为 lichen_filer 创建接口令牌 {raw[:8]}…",
    )


def test_openapi_document_lists_the_project_paths(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Gongjian API"
    assert sorted(p for p in document["paths"] if p.startswith("/api/v1/projects")) == [
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/projects/{project_id}/stage-events",
    ]
    assert list(document["paths"]["/api/v1/projects"]) == ["get"]
    claim = document["paths"]["/api/v1/projects/{project_id}/stage-events"]["post"]
    assert sorted(claim["requestBody"]["content"]) == ["application/json", "multipart/form-data"]
    assert sorted(p for p in document["paths"] if p.startswith("/api/v1/stage-events")) == [
        "/api/v1/stage-events/{event_id}/confirm",
        "/api/v1/stage-events/{event_id}/reject",
    ]


def test_create_token_command_prints_a_working_token(client, ledger, lichen_filer):
    out = StringIO()

    call_command("create-token", "lichen_filer", "--name", "测试", stdout=out)

    raw = out.getvalue().strip()
    assert ApiToken.objects.get().digest == ApiToken.digest_of(raw)
    response = client.get("/api/v1/projects", **_bearer(raw))
    assert response.status_code == 200
    assert [item["code"] for item in response.json()["items"]] == ["LC-001", "LC-002"]


def test_create_token_command_refuses_unknown_user(db):
    with pytest.raises(CommandError) as refusal:
        call_command("create-token", "nobody", stdout=StringIO())

    assert str(refusal.value) == "用户 nobody 不存在或已停用 / no active user nobody"
    assert ApiToken.objects.count() == 0
