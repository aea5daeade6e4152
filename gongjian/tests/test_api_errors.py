"""Shapes that were answered 500 (issue 14.7): each is now a 4xx with a clear message."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjian.accounts.services import api_token_create
from gongjian.core.middleware import SURROGATE_MESSAGE
from gongjian.tests.factories import (
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def django_settings(settings):
    return settings


@pytest.fixture
def report(region, settings):
    settings.BUSINESS_DATE = dt.date(2022, 12, 2)
    period = ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))
    project = ProjectFactory.create(region=region("350502"))
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
    return ProgressReportFactory.create(project=project, period=period)


@pytest.fixture
def filer_api(client, lichen_filer):
    token = api_token_create(user=lichen_filer, name="t")[1]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1e308", "本月完成投资超过 1 万亿元，超出合理范围；请确认单位是万元而不是元。"),
        ("1E+400", "本月完成投资超过 1 万亿元，超出合理范围；请确认单位是万元而不是元。"),
        ("9" * 40, "本月完成投资超过 1 万亿元，超出合理范围；请确认单位是万元而不是元。"),
        ("-1E+400", "本月完成投资超过 1 万亿元，超出合理范围；请确认单位是万元而不是元。"),
        ("NaN", "本月完成投资不是有效的数字。"),
        ("Infinity", "本月完成投资不是有效的数字。"),
        ("1e-400", "本月完成投资最多保留两位小数（单位：万元）。"),
    ],
)
def test_huge_or_odd_amounts_are_422(filer_api, report, amount, message):
    response = filer_api.put(
        f"/api/v1/reports/{report.pk}",
        data={"version": report.version, "amount": amount, "progress_text": "x"},
        content_type="application/json",
    )

    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"amount": [message]}


def test_a_lone_surrogate_is_400(filer_api, report):
    assert SURROGATE_MESSAGE == (
        "请求中含有无效的 Unicode 字符（孤立代理项）。 / The request contains a lone surrogate."
    )
    response = filer_api.put(
        f"/api/v1/reports/{report.pk}",
        data='{"version": 1, "amount": "1", "progress_text": "\\ud800"}',
        content_type="application/json",
    )

    assert (response.status_code, response.json()) == (
        400,
        {"detail": SURROGATE_MESSAGE},
    )


def test_a_body_over_the_limit_is_413(filer_api, report, django_settings):
    django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = filer_api.put(
        f"/api/v1/reports/{report.pk}",
        data={"version": 1, "amount": "1", "progress_text": "x" * 2000},
        content_type="application/json",
    )

    assert (response.status_code, response.json()) == (
        413,
        {"detail": "请求体过大（上限 1000 字节）。 / The request body is too large."},
    )


def test_a_body_too_large_to_scan_is_413_from_the_api(
    filer_api, report, django_settings, monkeypatch
):
    """Bodies over the door's scan limit are read by the API itself: the same 413."""
    from gongjian.core import middleware

    monkeypatch.setattr(middleware, "SCAN_LIMIT", 10)
    django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = filer_api.put(
        f"/api/v1/reports/{report.pk}",
        data={"version": 1, "amount": "1", "progress_text": "x" * 2000},
        content_type="application/json",
    )

    assert (response.status_code, response.json()) == (
        413,
        {"detail": "请求体过大（上限 1000 字节）。 / The request body is too large."},
    )


NUMBERISH = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-500, max_value=500).map(lambda e: f"1e{e}"),
    st.integers(min_value=-500, max_value=500).map(lambda e: f"-9.99E+{abs(e)}"),
    st.text(alphabet="0123456789.eE+-", max_size=30),
)


@given(amount=NUMBERISH)
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_fuzzed_amounts_never_fail(filer_api, report, amount):
    response = filer_api.patch(
        f"/api/v1/reports/{report.pk}",
        data={"version": 999, "amount": amount},
        content_type="application/json",
    )
    assert response.status_code in (200, 409, 422), (amount, response.content)


@given(as_of=st.dates())
@settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_fuzzed_as_of_dates_never_fail(client, lichen_filer, as_of):
    from gongjian.tests.factories import CampaignFactory

    if not _campaign_exists():
        CampaignFactory.create(code="fuzz2022")
    token = api_token_create(user=lichen_filer, name="as_of")[1]
    response = client.get(
        f"/api/v1/campaigns/fuzz2022/progress?as_of={as_of.isoformat()}",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code in (200, 422), (as_of, response.content)


def _campaign_exists() -> bool:
    from gongjian.campaigns.models import Campaign

    return Campaign.objects.filter(code="fuzz2022").exists()


def test_progress_text_has_one_limit_for_every_entry_point(filer_api, report):
    """Issue 14.8: the API accepted 350,000 characters where the form and Excel stop at 2,000."""
    too_long = filer_api.put(
        f"/api/v1/reports/{report.pk}",
        data={"version": report.version, "amount": "1", "progress_text": "进" * 2001},
        content_type="application/json",
    )
    at_limit = filer_api.put(
        f"/api/v1/reports/{report.pk}",
        data={"version": report.version, "amount": "1", "progress_text": "进" * 2000},
        content_type="application/json",
    )

    assert (too_long.status_code, too_long.json()["errors"]) == (
        422,
        {"progress_text": ["形象进度最多 2000 个字（填写了 2001 个字）。"]},
    )
    assert at_limit.status_code == 200
    report.refresh_from_db()
    assert len(report.progress_text) == 2000


LIST_PATHS = ("/api/v1/projects", "/api/v1/reports", "/api/v1/leads")


def test_every_list_pages_through_the_one_pagination_class(client):
    """``@paginate`` with the project's class: the same limit/offset parameters (default 100 and
    0) and the same {"count", "items"} answer on every list."""
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    for path in LIST_PATHS:
        operation = document["paths"][path]["get"]
        parameters = {p["name"]: p["schema"].get("default") for p in operation["parameters"]}
        assert (parameters["limit"], parameters["offset"]) == (100, 0), path
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page_schema = schemas[page.rsplit("/", 1)[1]]
        assert (list(page_schema["properties"]), page_schema["required"]) == (
            ["count", "items"],
            ["count", "items"],
        ), path


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("limit=0", (2, ["A-1"])),  # below 1 reads as 1
        ("limit=1&offset=-5", (2, ["A-1"])),  # a negative offset reads as 0
        ("limit=5000&offset=1", (2, ["A-2"])),  # at most 1000
        ("offset=99", (2, [])),  # past the count: an empty page
    ],
)
def test_out_of_range_paging_is_clamped_not_refused(filer_api, region, query, expected):
    for code in ("A-1", "A-2"):
        ProjectFactory.create(code=code, region=region("350502"))

    response = filer_api.get(f"/api/v1/projects?{query}")

    body = response.json()
    assert (response.status_code, body["count"], [p["code"] for p in body["items"]]) == (
        200,
        *expected,
    )


def test_a_bad_filter_is_422_through_the_one_handler(filer_api):
    response = filer_api.get("/api/v1/reports?period=2022-13")

    message = "月份格式应为 YYYY-MM / month must be YYYY-MM: '2022-13'"
    assert (response.status_code, response.json()) == (
        422,
        {"detail": message, "errors": {"period": [message]}},
    )
