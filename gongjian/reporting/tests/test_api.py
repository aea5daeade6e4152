"""The reporting API: periods, scoped report lists and details with their derived totals, filing
and editing with optimistic locking, the review transitions, and how refusals are answered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongjian.accounts.services import api_token_create
from gongjian.audit.models import AuditEvent
from gongjian.projects.models import Project
from gongjian.reporting.models import ProgressReport, ReportingPeriod, ReportStatusChange
from gongjian.tests.factories import (
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
)

pytestmark = pytest.mark.django_db

UPDATED_AT = dt.datetime(2022, 11, 20, 2, 0, tzinfo=dt.UTC)
SUBMITTED_AT = dt.datetime(2022, 12, 2, 1, 15, tzinfo=dt.UTC)
NOW = dt.datetime(2022, 12, 3, 8, 30, tzinfo=dt.UTC)

WARNING = {
    "rule": "month_exceeds_remaining",
    "severity": "warn",
    "field": "amount",
    "message": "本月完成投资 5,000.00 万元大于项目剩余未完成投资 4,000.00 万元"
    "（总投资 4,000.00 万元，此前累计完成 0.00 万元）。",
}


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def token():
    """``token(user)``: the Authorization header of a fresh API token for ``user``."""
    return lambda user: _bearer(api_token_create(user=user)[1])


@pytest.fixture
def now(monkeypatch):
    """Pin the clock, so that updated_at and submitted_at of what the API writes are exact."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def periods(db):
    return {
        "2021-12": ReportingPeriodFactory.create(month=dt.date(2021, 12, 1), state="closed"),
        "2022-10": ReportingPeriodFactory.create(month=dt.date(2022, 10, 1), state="closed"),
        "2022-11": ReportingPeriodFactory.create(
            month=dt.date(2022, 11, 1), due_date=dt.date(2022, 12, 5)
        ),
    }


def _started(code: str, name: str, region, started: dt.date, **values) -> Project:
    project = ProjectFactory.create(code=code, name=name, region=region, **values)
    StageEventFactory.create(project=project, stage="started", date=started)
    return project


@pytest.fixture
def projects(region):
    return {
        "LC-001": _started(
            "LC-001", "鲤城古城片区提升工程", region("350502"), dt.date(2021, 6, 10)
        ),
        "LC-002": _started("LC-002", "鲤城智能装备产业园", region("350502"), dt.date(2022, 3, 15)),
        "JJ-001": _started(
            "JJ-001",
            "晋江陆地港",
            region("350582"),
            dt.date(2022, 1, 10),
            total_investment=Decimal("4000.00"),
            annual_plan=Decimal("2000.00"),
        ),
    }


@pytest.fixture
def reports(periods, projects):
    """Licheng's LC-001 has filed since December 2021; everyone has a November report."""

    def report(code, month, amount, status, **values):
        return ProgressReportFactory.create(
            project=projects[code],
            period=periods[month],
            amount=Decimal(amount),
            status=status,
            **values,
        )

    made = {
        "LC-001 2021-12": report("LC-001", "2021-12", "800.00", "city_approved"),
        "LC-001 2022-10": report("LC-001", "2022-10", "1000.00", "city_approved"),
        "LC-001 2022-11": report(
            "LC-001",
            "2022-11",
            "1200.50",
            "submitted",
            progress_text="主体结构施工至第 12 层",
            submitted_at=SUBMITTED_AT,
            version=2,
        ),
        "LC-002 2022-11": report("LC-002", "2022-11", "300.00", "draft", progress_text="场地平整"),
        "JJ-001 2022-11": report(
            "JJ-001",
            "2022-11",
            "5000.00",
            "district_approved",
            progress_text="堆场完工",
            adjustment_note="总投资已调增，待批复",
            warnings=[WARNING],
            submitted_at=SUBMITTED_AT,
            version=3,
        ),
    }
    ProgressReport.objects.update(updated_at=UPDATED_AT)
    return made


def _report_json(report: ProgressReport, **values) -> dict:
    project = report.project
    return {
        "id": report.pk,
        "project_id": project.pk,
        "project_code": project.code,
        "project_name": project.name,
        "region_code": project.region.code,
        "region_name": project.region.name,
        "period": f"{report.period.month:%Y-%m}",
        "amount": str(report.amount),
        "progress_text": report.progress_text,
        "adjustment_note": report.adjustment_note,
        "status": report.status,
        "version": report.version,
        "warnings": [],
        "submitted_at": None,
        "updated_at": "2022-11-20T02:00:00Z",
        **values,
    }


def lc001_nov(reports):
    return _report_json(
        reports["LC-001 2022-11"],
        amount="1200.50",
        status="submitted",
        version=2,
        ytd="2200.50",
        ytd_pending="1200.50",
        since_start="3000.50",
        submitted_at="2022-12-02T01:15:00Z",
    )


def lc001_oct(reports):
    return _report_json(
        reports["LC-001 2022-10"],
        progress_text="主体结构施工",
        ytd="1000.00",
        ytd_pending="0.00",
        since_start="1800.00",
    )


def lc001_dec(reports):
    return _report_json(
        reports["LC-001 2021-12"],
        progress_text="主体结构施工",
        ytd="800.00",
        ytd_pending="0.00",
        since_start="800.00",
    )


def lc002_nov(reports):
    return _report_json(
        reports["LC-002 2022-11"], ytd="300.00", ytd_pending="300.00", since_start="300.00"
    )


def jj001_nov(reports):
    return _report_json(
        reports["JJ-001 2022-11"],
        warnings=[WARNING],
        ytd="5000.00",
        ytd_pending="5000.00",
        since_start="5000.00",
        submitted_at="2022-12-02T01:15:00Z",
    )


def _events():
    """Audit events other than the issue of the test's tokens."""
    return AuditEvent.objects.exclude(action="token_created")


def _row(report: ProgressReport) -> tuple:
    row = ProgressReport.objects.get(pk=report.pk)
    return (row.status, row.version, row.amount, row.progress_text, row.adjustment_note)


# --- periods ----------------------------------------------------------------------------------


def test_periods_newest_first(client, periods, lichen_filer, token):
    response = client.get("/api/v1/periods", **token(lichen_filer))

    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "items": [
            {"month": "2022-11", "due_date": "2022-12-05", "state": "open"},
            {"month": "2022-10", "due_date": "2022-11-05", "state": "closed"},
            {"month": "2021-12", "due_date": "2022-01-05", "state": "closed"},
        ],
    }


def test_one_period(client, periods, lichen_filer, token):
    response = client.get("/api/v1/periods/2022-10", **token(lichen_filer))

    assert response.status_code == 200
    assert response.json() == {"month": "2022-10", "due_date": "2022-11-05", "state": "closed"}


@pytest.mark.parametrize("month", ["2022-09", "2022-13", "november", "2022-11-15"])
def test_unknown_or_malformed_period_is_404(client, periods, lichen_filer, token, month):
    response = client.get(f"/api/v1/periods/{month}", **token(lichen_filer))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


# --- reading reports --------------------------------------------------------------------------


def test_list_returns_reports_in_scope_with_exact_content(client, reports, lichen_filer, token):
    response = client.get("/api/v1/reports", **token(lichen_filer))

    assert response.status_code == 200
    assert response.json() == {
        "count": 4,
        "items": [
            lc001_nov(reports),
            lc002_nov(reports),
            lc001_oct(reports),
            lc001_dec(reports),
        ],
    }


def test_city_reviewer_lists_the_whole_city(client, reports, city_reviewer, token):
    response = client.get("/api/v1/reports", {"period": "2022-11"}, **token(city_reviewer))

    assert response.json() == {
        "count": 3,
        "items": [lc001_nov(reports), lc002_nov(reports), jj001_nov(reports)],
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"period": "2022-11"}, ["LC-001 2022-11", "LC-002 2022-11", "JJ-001 2022-11"]),
        ({"period": "2022-10"}, ["LC-001 2022-10"]),
        ({"period": "2022-09"}, []),
        ({"region": "350502", "period": "2022-11"}, ["LC-001 2022-11", "LC-002 2022-11"]),
        ({"region": "350582"}, ["JJ-001 2022-11"]),
        ({"region": "350500", "status": "draft"}, ["LC-002 2022-11"]),
        ({"region": "350503"}, []),
        ({"status": "submitted"}, ["LC-001 2022-11"]),
        ({"status": "city_approved"}, ["LC-001 2022-10", "LC-001 2021-12"]),
        ({"project": "LC-001"}, ["LC-001 2022-11", "LC-001 2022-10", "LC-001 2021-12"]),
        ({"project": "LC-001", "period": "2022-10"}, ["LC-001 2022-10"]),
        ({"project": "JJ-001", "status": "draft"}, []),
    ],
)
def test_list_filters(client, reports, city_admin, token, params, expected):
    response = client.get("/api/v1/reports", params, **token(city_admin))

    body = response.json()
    assert [item["id"] for item in body["items"]] == [reports[key].pk for key in expected]
    assert body["count"] == len(expected)


def test_totals_do_not_depend_on_the_filters(client, reports, lichen_filer, token):
    # The earlier months are filtered out of the page but still count in the totals.
    response = client.get(
        "/api/v1/reports", {"period": "2022-11", "project": "LC-001"}, **token(lichen_filer)
    )

    assert response.json() == {"count": 1, "items": [lc001_nov(reports)]}


def test_region_filter_cannot_widen_a_district_scope(client, reports, lichen_filer, token):
    response = client.get("/api/v1/reports", {"region": "350582"}, **token(lichen_filer))

    assert response.json() == {"count": 0, "items": []}


def test_list_pages_with_limit_and_offset(client, reports, lichen_filer, token):
    response = client.get("/api/v1/reports", {"limit": 2, "offset": 1}, **token(lichen_filer))

    assert response.json() == {"count": 4, "items": [lc002_nov(reports), lc001_oct(reports)]}


def test_list_with_a_malformed_period_is_422(client, reports, lichen_filer, token):
    response = client.get("/api/v1/reports", {"period": "2022/11"}, **token(lichen_filer))

    assert response.status_code == 422
    message = "月份格式应为 YYYY-MM / month must be YYYY-MM: '2022/11'"
    assert response.json() == {"detail": message, "errors": {"period": [message]}}


def test_list_with_an_unknown_status_is_422(client, reports, lichen_filer, token):
    response = client.get("/api/v1/reports", {"status": "approved"}, **token(lichen_filer))

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "status"]]


def test_list_runs_a_fixed_number_of_queries(
    client, reports, city_admin, token, django_assert_num_queries
):
    headers = token(city_admin)
    # Token lookup, token use, memberships, the page with its totals, the count.
    with django_assert_num_queries(5):
        response = client.get("/api/v1/reports", **headers)
    assert response.json()["count"] == 5

    for month in range(1, 10):
        ProgressReportFactory.create(
            project=ProjectFactory.create(),
            period=ReportingPeriodFactory.create(month=dt.date(2022, month, 1)),
        )
    # The token was used a moment ago, so its use is not written again (once a minute).
    with django_assert_num_queries(4):
        response = client.get("/api/v1/reports", **headers)
    assert response.json()["count"] == 14


def test_detail_in_scope(client, reports, lichen_filer, token):
    response = client.get(f"/api/v1/reports/{reports['LC-001 2022-11'].pk}", **token(lichen_filer))

    assert response.status_code == 200
    assert response.json() == lc001_nov(reports)


def test_detail_outside_scope_is_404_and_audited(client, reports, lichen_filer, token):
    jinjiang = reports["JJ-001 2022-11"]

    response = client.get(f"/api/v1/reports/{jinjiang.pk}", **token(lichen_filer))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    denied = _events().get(action="denied")
    assert (denied.actor_username, denied.object_type, denied.object_id, denied.message) == (
        "lichen_filer",
        "reporting.progressreport",
        str(jinjiang.pk),
        "访问范围之外的对象。",
    )


def test_detail_of_a_missing_report_is_404_without_denial(client, reports, lichen_filer, token):
    response = client.get("/api/v1/reports/999999", **token(lichen_filer))

    assert response.status_code == 404
    assert _events().filter(action="denied").count() == 0


# --- filing and editing -----------------------------------------------------------------------


def test_create_answers_201_with_the_draft_and_its_findings(
    client, periods, projects, lichen_filer, token, now
):
    payload = {
        "project": "LC-002",
        "period": "2022-11",
        "amount": "1200.5",
        "progress_text": " 厂房主体施工 ",
    }

    response = client.post(
        "/api/v1/reports", payload, content_type="application/json", **token(lichen_filer)
    )

    assert response.status_code == 201
    report = ProgressReport.objects.get()
    assert response.json() == {
        "id": report.pk,
        "project_id": projects["LC-002"].pk,
        "project_code": "LC-002",
        "project_name": "鲤城智能装备产业园",
        "region_code": "350502",
        "region_name": "鲤城区",
        "period": "2022-11",
        "amount": "1200.50",
        "progress_text": "厂房主体施工",
        "adjustment_note": "",
        "status": "draft",
        "version": 1,
        "warnings": [],
        "ytd": "1200.50",
        "ytd_pending": "1200.50",
        "since_start": "1200.50",
        "submitted_at": None,
        "updated_at": "2022-12-03T08:30:00Z",
        "findings": [],
    }
    assert (report.project, report.period, report.created_by) == (
        projects["LC-002"],
        periods["2022-11"],
        lichen_filer,
    )
    created = _events().get(action="create")
    assert (created.actor_username, created.object_id, created.after) == (
        "lichen_filer",
        str(report.pk),
        {
            "project": "LC-002",
            "period": "2022-11",
            "amount": "1200.50",
            "progress_text": "厂房主体施工",
            "adjustment_note": "",
            "status": "draft",
            "version": 1,
        },
    )


def test_create_by_project_id_reports_the_findings_that_will_block_submission(
    client, periods, projects, lichen_filer, token
):
    payload = {"project": projects["LC-001"].pk, "period": "2022-11", "amount": "800"}

    response = client.post(
        "/api/v1/reports", payload, content_type="application/json", **token(lichen_filer)
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["project_code"], body["amount"], body["status"]) == ("LC-001", "800.00", "draft")
    assert body["findings"] == [
        {
            "rule": "amount_without_progress",
            "severity": "block",
            "field": "progress_text",
            "message": "填报了本月完成投资，请同时填写形象进度。",
        }
    ]


def test_duplicate_create_is_409_with_nothing_written(client, reports, lichen_filer, token):
    payload = {
        "project": "LC-002",
        "period": "2022-11",
        "amount": "999",
        "progress_text": "重复填报",
    }

    response = client.post(
        "/api/v1/reports", payload, content_type="application/json", **token(lichen_filer)
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "LC-002 的 2022-11 报告已由他人创建，您的填报未保存；请刷新后在该报告上修改。"
    }
    assert _row(reports["LC-002 2022-11"]) == ("draft", 1, Decimal("300.00"), "场地平整", "")
    assert ProgressReport.objects.count() == 5
    assert _events().filter(action="create").count() == 0


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"amount": "-5"},
            {"amount": ["本月完成投资不能为负数（填写了 -5.00 万元）。"]},
        ),
        (
            {"amount": "12.345"},
            {"amount": ["本月完成投资最多保留两位小数（单位：万元）。"]},
        ),
        (
            {"amount": "一千"},
            {"amount": ["本月完成投资不是有效的数字。"]},
        ),
        (
            {"amount": "NaN"},
            {"amount": ["本月完成投资不是有效的数字。"]},
        ),
        (
            {"project": "LC-999", "period": "2022-09", "amount": "abc"},
            {
                "project": ["未找到项目“LC-999”。"],
                "period": ["2022-09 填报期尚未开启。"],
                "amount": ["本月完成投资不是有效的数字。"],
            },
        ),
        (
            {"period": "2022年11月"},
            {"period": ["月份格式应为 YYYY-MM / month must be YYYY-MM: '2022年11月'"]},
        ),
    ],
)
def test_create_refuses_invalid_figures_with_the_exact_messages(
    client, periods, projects, lichen_filer, token, payload, errors
):
    body = {"project": "LC-002", "period": "2022-11", "amount": "100", "progress_text": "施工"}

    response = client.post(
        "/api/v1/reports",
        {**body, **payload},
        content_type="application/json",
        **token(lichen_filer),
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": " ".join(m for messages in errors.values() for m in messages),
        "errors": errors,
    }
    assert ProgressReport.objects.count() == 0
    assert _events().count() == 0


def test_create_for_a_project_outside_the_scope_reads_as_missing_and_is_audited(
    client, periods, projects, lichen_filer, token
):
    payload = {"project": "JJ-001", "period": "2022-11", "amount": "10", "progress_text": "施工"}

    response = client.post(
        "/api/v1/reports", payload, content_type="application/json", **token(lichen_filer)
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "未找到项目“JJ-001”。",
        "errors": {"project": ["未找到项目“JJ-001”。"]},
    }
    assert ProgressReport.objects.count() == 0
    denied = _events().get()
    assert (denied.action, denied.object_type, denied.object_id) == (
        "denied",
        "projects.project",
        str(projects["JJ-001"].pk),
    )


def test_create_in_a_closed_period_is_422(client, periods, projects, lichen_filer, token):
    payload = {"project": "LC-002", "period": "2022-10", "amount": "10", "progress_text": "施工"}

    response = client.post(
        "/api/v1/reports", payload, content_type="application/json", **token(lichen_filer)
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "2022-10 填报期已关闭，报告只读。",
        "errors": {"__all__": ["2022-10 填报期已关闭，报告只读。"]},
    }
    assert ProgressReport.objects.count() == 0


@pytest.mark.parametrize("persona", ["leader", "lichen_reviewer", "department"])
def test_create_by_a_role_that_does_not_file_is_403(
    client, periods, projects, token, request, persona
):
    user = request.getfixturevalue(persona)
    payload = {"project": "LC-002", "period": "2022-11", "amount": "10", "progress_text": "施工"}

    response = client.post(
        "/api/v1/reports", payload, content_type="application/json", **token(user)
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "无权填报项目“LC-002”的月度进展。"}
    assert ProgressReport.objects.count() == 0
    assert list(_events().values_list("action", "actor_username")) == [("denied", user.username)]


def test_put_replaces_the_figures_and_bumps_the_version(client, reports, lichen_filer, token, now):
    draft = reports["LC-002 2022-11"]
    payload = {"version": 1, "amount": "450", "progress_text": "钢结构吊装"}

    response = client.put(
        f"/api/v1/reports/{draft.pk}",
        payload,
        content_type="application/json",
        **token(lichen_filer),
    )

    assert response.status_code == 200
    assert response.json() == {
        **_report_json(draft),
        "amount": "450.00",
        "progress_text": "钢结构吊装",
        "version": 2,
        "ytd": "450.00",
        "ytd_pending": "450.00",
        "since_start": "450.00",
        "updated_at": "2022-12-03T08:30:00Z",
        "findings": [],
    }
    assert _row(draft) == ("draft", 2, Decimal("450.00"), "钢结构吊装", "")


def test_patch_changes_only_the_given_fields(client, reports, lichen_filer, token):
    draft = reports["LC-002 2022-11"]

    response = client.patch(
        f"/api/v1/reports/{draft.pk}",
        {"version": 1, "adjustment_note": "总投资调增至 6 亿元"},
        content_type="application/json",
        **token(lichen_filer),
    )

    assert response.status_code == 200
    assert _row(draft) == ("draft", 2, Decimal("300.00"), "场地平整", "总投资调增至 6 亿元")


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_with_a_stale_version_is_409_with_nothing_written(
    client, reports, lichen_filer, token, method
):
    draft = reports["LC-002 2022-11"]
    ProgressReport.objects.filter(pk=draft.pk).update(version=2)

    response = getattr(client, method)(
        f"/api/v1/reports/{draft.pk}",
        {"version": 1, "amount": "450", "progress_text": "钢结构吊装"},
        content_type="application/json",
        **token(lichen_filer),
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "保存失败：该报告已被他人修改（当前版本 2，您编辑的是版本 1）。"
        "您的修改未保存，请刷新后重新填写。"
    }
    assert _row(draft) == ("draft", 2, Decimal("300.00"), "场地平整", "")
    assert _events().count() == 0


def test_update_without_a_version_is_422(client, reports, lichen_filer, token):
    draft = reports["LC-002 2022-11"]

    response = client.put(
        f"/api/v1/reports/{draft.pk}",
        {"amount": "450"},
        content_type="application/json",
        **token(lichen_filer),
    )

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "payload", "version"]]
    assert _row(draft) == ("draft", 1, Decimal("300.00"), "场地平整", "")


def test_update_of_a_submitted_report_is_422(client, reports, lichen_filer, token):
    submitted = reports["LC-001 2022-11"]

    response = client.patch(
        f"/api/v1/reports/{submitted.pk}",
        {"version": 2, "amount": "1"},
        content_type="application/json",
        **token(lichen_filer),
    )

    message = "报告当前状态为“已报送”，不能修改；如需修改请由审核人退回。"
    assert response.status_code == 422
    assert response.json() == {"detail": message, "errors": {"__all__": [message]}}
    assert _row(submitted) == ("submitted", 2, Decimal("1200.50"), "主体结构施工至第 12 层", "")


def test_update_outside_the_scope_is_404(client, reports, fengze_filer, token):
    draft = reports["LC-002 2022-11"]

    response = client.put(
        f"/api/v1/reports/{draft.pk}",
        {"version": 1, "amount": "1"},
        content_type="application/json",
        **token(fengze_filer),
    )

    assert response.status_code == 404
    assert _row(draft) == ("draft", 1, Decimal("300.00"), "场地平整", "")


# --- transitions ------------------------------------------------------------------------------


def test_submit_with_a_blocking_finding_is_422_with_the_exact_errors(
    client, periods, projects, lichen_filer, token
):
    draft = ProgressReportFactory.create(
        project=projects["LC-002"],
        period=periods["2022-11"],
        amount=Decimal("60000.00"),
        progress_text="",
    )

    response = client.post(
        f"/api/v1/reports/{draft.pk}/submit", content_type="application/json", **token(lichen_filer)
    )

    cumulative = (
        "开工以来累计完成投资 60,000.00 万元将超过总投资 50,000.00 万元，"
        "请填写调整说明（如总投资已调增）。"
    )
    without_progress = "填报了本月完成投资，请同时填写形象进度。"
    assert response.status_code == 422
    assert response.json() == {
        "detail": f"{cumulative} {without_progress}",
        "errors": {"adjustment_note": [cumulative], "progress_text": [without_progress]},
    }
    assert _row(draft) == ("draft", 1, Decimal("60000.00"), "", "")
    assert ReportStatusChange.objects.count() == 0


def test_submit_keeps_the_warnings_for_the_reviewers(
    client, periods, projects, lichen_filer, token
):
    draft = ProgressReportFactory.create(
        project=projects["LC-002"],
        period=periods["2022-11"],
        amount=Decimal("60000.00"),
        progress_text="设备进场",
        adjustment_note="总投资已调增至 8 亿元",
    )

    response = client.post(
        f"/api/v1/reports/{draft.pk}/submit",
        {"version": 1},
        content_type="application/json",
        **token(lichen_filer),
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["version"]) == ("submitted", 2)
    assert body["warnings"] == [
        {
            "rule": "month_exceeds_remaining",
            "severity": "warn",
            "field": "amount",
            "message": "本月完成投资 60,000.00 万元大于项目剩余未完成投资 50,000.00 万元"
            "（总投资 50,000.00 万元，此前累计完成 0.00 万元）。",
        }
    ]


def test_submit_with_a_stale_version_is_409(client, reports, lichen_filer, token):
    draft = reports["LC-002 2022-11"]
    ProgressReport.objects.filter(pk=draft.pk).update(version=4)

    response = client.post(
        f"/api/v1/reports/{draft.pk}/submit",
        {"version": 3},
        content_type="application/json",
        **token(lichen_filer),
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "操作失败：该报告已被他人修改（当前版本 4，您看到的是版本 3）。"
        "操作未执行，请刷新后查看最新内容。"
    }
    assert _row(draft) == ("draft", 4, Decimal("300.00"), "场地平整", "")


@pytest.mark.parametrize(
    ("persona", "status", "detail"),
    [
        ("lichen_filer", 403, "无权审核该报告。"),
        ("leader", 403, "无权审核该报告。"),
        ("department", 403, "无权审核该报告。"),
        # The city reviews only what the district has approved.
        ("city_reviewer", 403, "无权审核该报告。"),
        ("fengze_filer", 404, "Not Found"),
    ],
)
def test_approve_by_the_wrong_role_is_refused_and_changes_nothing(
    client, reports, token, request, persona, status, detail
):
    submitted = reports["LC-001 2022-11"]
    user = request.getfixturevalue(persona)

    response = client.post(
        f"/api/v1/reports/{submitted.pk}/approve",
        {"note": "同意"},
        content_type="application/json",
        **token(user),
    )

    assert response.status_code == status
    assert response.json() == {"detail": detail}
    assert _row(submitted) == ("submitted", 2, Decimal("1200.50"), "主体结构施工至第 12 层", "")
    assert ReportStatusChange.objects.count() == 0
    assert list(_events().values_list("action", "actor_username", "object_id")) == [
        ("denied", user.username, str(submitted.pk))
    ]


def test_return_needs_a_reason(client, reports, lichen_reviewer, token):
    submitted = reports["LC-001 2022-11"]

    response = client.post(
        f"/api/v1/reports/{submitted.pk}/return",
        {"reason": "  "},
        content_type="application/json",
        **token(lichen_reviewer),
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "退回须填写原因。",
        "errors": {"reason": ["退回须填写原因。"]},
    }
    assert _row(submitted)[:2] == ("submitted", 2)


def test_return_sends_the_report_back_with_the_reason(client, reports, lichen_reviewer, token):
    submitted = reports["LC-001 2022-11"]

    response = client.post(
        f"/api/v1/reports/{submitted.pk}/return",
        {"reason": "形象进度与照片不符"},
        content_type="application/json",
        **token(lichen_reviewer),
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("returned", 3)
    change = ReportStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        "submitted",
        "returned",
        lichen_reviewer,
        "形象进度与照片不符",
    )


def test_approving_a_draft_is_422(client, reports, lichen_reviewer, token):
    draft = reports["LC-002 2022-11"]

    response = client.post(
        f"/api/v1/reports/{draft.pk}/approve",
        content_type="application/json",
        **token(lichen_reviewer),
    )

    message = "报告当前状态为“草稿”，不能审核通过。"
    assert response.status_code == 422
    assert response.json() == {"detail": message, "errors": {"__all__": [message]}}


def test_full_flow_filer_district_city(
    client, periods, projects, lichen_filer, lichen_reviewer, city_reviewer, token, now
):
    filer, district, city = token(lichen_filer), token(lichen_reviewer), token(city_reviewer)

    created = client.post(
        "/api/v1/reports",
        {"project": "LC-001", "period": "2022-11", "amount": "2500", "progress_text": "封顶"},
        content_type="application/json",
        **filer,
    )
    assert created.status_code == 201
    report_id = created.json()["id"]

    submitted = client.post(
        f"/api/v1/reports/{report_id}/submit",
        {"version": 1},
        content_type="application/json",
        **filer,
    )
    assert submitted.status_code == 200
    assert (submitted.json()["status"], submitted.json()["version"]) == ("submitted", 2)
    assert submitted.json()["submitted_at"] == "2022-12-03T08:30:00Z"

    queue = client.get("/api/v1/reports", {"status": "submitted"}, **district)
    assert [item["id"] for item in queue.json()["items"]] == [report_id]

    district_approved = client.post(
        f"/api/v1/reports/{report_id}/approve",
        {"note": "数据核实无误", "version": 2},
        content_type="application/json",
        **district,
    )
    assert district_approved.status_code == 200
    assert district_approved.json()["status"] == "district_approved"

    city_approved = client.post(
        f"/api/v1/reports/{report_id}/approve", content_type="application/json", **city
    )
    assert city_approved.status_code == 200

    report = ProgressReport.objects.get()
    assert city_approved.json() == {
        "id": report.pk,
        "project_id": projects["LC-001"].pk,
        "project_code": "LC-001",
        "project_name": "鲤城古城片区提升工程",
        "region_code": "350502",
        "region_name": "鲤城区",
        "period": "2022-11",
        "amount": "2500.00",
        "progress_text": "封顶",
        "adjustment_note": "",
        "status": "city_approved",
        "version": 4,
        "warnings": [],
        "ytd": "2500.00",
        "ytd_pending": "0.00",
        "since_start": "2500.00",
        "submitted_at": "2022-12-03T08:30:00Z",
        "updated_at": "2022-12-03T08:30:00Z",
    }
    assert list(
        ReportStatusChange.objects.values_list(
            "from_status", "to_status", "actor__username", "reason"
        )
    ) == [
        ("draft", "submitted", "lichen_filer", ""),
        ("submitted", "district_approved", "lichen_reviewer", "数据核实无误"),
        ("district_approved", "city_approved", "city_reviewer", ""),
    ]
    assert list(
        _events()
        .filter(object_type="reporting.progressreport")
        .order_by("id")
        .values_list("action", "actor_username")
    ) == [
        ("create", "lichen_filer"),
        ("update", "lichen_filer"),
        ("update", "lichen_reviewer"),
        ("update", "city_reviewer"),
    ]


def test_a_closed_period_refuses_transitions(client, reports, city_reviewer, token):
    ReportingPeriod.objects.filter(month=dt.date(2022, 11, 1)).update(state="closed")
    approved = reports["JJ-001 2022-11"]

    response = client.post(
        f"/api/v1/reports/{approved.pk}/approve",
        content_type="application/json",
        **token(city_reviewer),
    )

    message = "2022-11 填报期已关闭，报告只读。"
    assert response.status_code == 422
    assert response.json() == {"detail": message, "errors": {"__all__": [message]}}
    assert _row(approved)[:2] == ("district_approved", 3)


# --- authentication and the document ---------------------------------------------------------


NEW_OPERATIONS = [
    ("get", "/api/v1/periods"),
    ("get", "/api/v1/periods/2022-11"),
    ("get", "/api/v1/reports"),
    ("post", "/api/v1/reports"),
    ("get", "/api/v1/reports/1"),
    ("put", "/api/v1/reports/1"),
    ("patch", "/api/v1/reports/1"),
    ("post", "/api/v1/reports/1/submit"),
    ("post", "/api/v1/reports/1/approve"),
    ("post", "/api/v1/reports/1/return"),
]


@pytest.mark.parametrize(("method", "path"), NEW_OPERATIONS)
def test_no_token_is_401(client, reports, method, path):
    response = getattr(client, method)(path, {}, content_type="application/json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_a_session_login_is_not_enough(client, reports, lichen_filer):
    client.force_login(lichen_filer)

    response = client.get("/api/v1/reports")

    assert response.status_code == 401


def test_openapi_document_lists_every_reporting_path(client):
    document = client.get("/api/v1/openapi.json").json()

    operations = {
        path: sorted(methods)
        for path, methods in document["paths"].items()
        if path.startswith(("/api/v1/periods", "/api/v1/reports"))
    }
    assert operations == {
        "/api/v1/periods": ["get"],
        "/api/v1/periods/{month}": ["get"],
        "/api/v1/reports": ["get", "post"],
        "/api/v1/reports/{report_id}": ["get", "patch", "put"],
        "/api/v1/reports/{report_id}/submit": ["post"],
        "/api/v1/reports/{report_id}/approve": ["post"],
        "/api/v1/reports/{report_id}/return": ["post"],
    }
    create = document["paths"]["/api/v1/reports"]["post"]
    assert sorted(create["responses"]) == ["201", "400", "401", "403", "404", "409", "413", "422"]
    assert document["components"]["schemas"]["ValidationErrorOut"]["required"] == [
        "detail",
        "errors",
    ]
