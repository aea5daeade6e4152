"""The deadline's write path in queries: filing, submitting and both approvals, through the API
and through the pages, each a fixed number of statements (issue 20, item 5). A change that adds a
query to one of them shows here as a different count.

The counts are taken inside the test's transaction, so the service's transaction shows as a
SAVEPOINT and its RELEASE (in production they are the BEGIN and COMMIT of the request). Each
request of a test is given after a first one by the same client, so that the API token's last
use (written at most once a minute) and the session are already current."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongjian.accounts.models import ApiToken
from gongjian.accounts.services import api_token_create
from gongjian.audit.models import AuditEvent
from gongjian.campaigns.models import IndicatorCell, IndicatorVersion
from gongjian.reporting.models import ProgressReport, ReportStatusChange
from gongjian.tests.factories import (
    IndicatorFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
)

# The counts are PostgreSQL's, the production database: there a cell's upsert and the versions'
# bump are one statement; SQLite (the demo) runs them as separate statements.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

JSON = "application/json"


@pytest.fixture
def period():
    return ReportingPeriodFactory.create(month=dt.date(2022, 11, 1), due_date=dt.date(2022, 12, 5))


@pytest.fixture
def project(region):
    """A 鲤城区 key project started in 2021 with 300 万元 reported for October 2022 and 200 万元
    for December 2021 (so the answer's totals are not just the new amount)."""
    project = ProjectFactory.create(code="LC-001", name="鲤城智能装备产业园")
    StageEventFactory.create(project=project, stage="started", date=dt.date(2021, 6, 10))
    for month, amount in ((dt.date(2021, 12, 1), "200.00"), (dt.date(2022, 10, 1), "300.00")):
        ProgressReportFactory.create(
            project=project,
            period=ReportingPeriodFactory.create(month=month, state="closed"),
            amount=Decimal(amount),
            status="city_approved",
        )
    return project


@pytest.fixture
def indicator(db):
    """在建重点项目完成投资, so that the city's approval writes its cell."""
    return IndicatorFactory.create()


@pytest.fixture
def bearer():
    """``bearer(user)``: the Authorization header of a token whose use was just recorded."""

    def header(user) -> dict[str, str]:
        token, raw = api_token_create(user=user)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return header


def _report(project, period, status: str, amount: str = "1000.00") -> ProgressReport:
    return ProgressReportFactory.create(
        project=project,
        period=period,
        amount=Decimal(amount),
        progress_text="主体封顶",
        status=status,
    )


def _submitted_by(report: ProgressReport, user) -> None:
    ReportStatusChange.objects.create(
        report=report, from_status="draft", to_status="submitted", actor=user
    )


# ---------------------------------------------------------------------------------------------
# The API (what the deadline drill drives)


def test_api_file_is_seven_queries_and_a_transaction(
    client, period, project, lichen_filer, bearer, django_assert_num_queries
):
    headers = bearer(lichen_filer)
    payload = {
        "project": "LC-001",
        "period": "2022-11",
        "amount": "1000",
        "progress_text": "主体封顶",
    }
    # The token with its user, the project in scope by code, the memberships, the period, the
    # project's due-ness with the period's state and the rules' facts; then the report's INSERT
    # and its audit event.
    with django_assert_num_queries(9):
        response = client.post("/api/v1/reports", payload, content_type=JSON, **headers)

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["amount"], body["ytd"], body["since_start"]) == (
        "draft",
        "1000.00",
        "1300.00",
        "1500.00",
    )
    assert AuditEvent.objects.filter(action="create", object_id=str(body["id"])).count() == 1


def test_api_submit_is_seven_queries_and_a_transaction(
    client, period, project, lichen_filer, bearer, django_assert_num_queries
):
    report = _report(project, period, "draft")
    headers = bearer(lichen_filer)
    # The token, the memberships, the report in scope; then under the lock the report with its
    # facts, its UPDATE, the status change and the audit event.
    with django_assert_num_queries(9):
        response = client.post(
            f"/api/v1/reports/{report.pk}/submit", {}, content_type=JSON, **headers
        )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["version"], body["ytd"], body["since_start"]) == (
        "submitted",
        2,
        "1300.00",
        "1500.00",
    )


def test_api_district_approval_is_seven_queries_and_a_transaction(
    client, period, project, lichen_filer, lichen_reviewer, bearer, django_assert_num_queries
):
    report = _report(project, period, "submitted")
    _submitted_by(report, lichen_filer)
    headers = bearer(lichen_reviewer)
    # The token, the memberships, the report in scope; then under the lock the report with its
    # last submitter and facts, its UPDATE, the status change and the audit event.
    with django_assert_num_queries(9):
        response = client.post(
            f"/api/v1/reports/{report.pk}/approve", {}, content_type=JSON, **headers
        )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["since_start"]) == (
        "district_approved",
        "1500.00",
    )


def test_api_city_approval_writes_the_cell_in_ten_queries_and_a_transaction(
    client,
    period,
    project,
    indicator,
    lichen_filer,
    city_reviewer,
    bearer,
    django_assert_num_queries,
):
    report = _report(project, period, "district_approved")
    _submitted_by(report, lichen_filer)
    headers = bearer(city_reviewer)
    # As the district's approval, plus the indicators that have cells, the report's project facts
    # and month, and one statement adding to the cell and bumping the versions above it.
    with django_assert_num_queries(12):
        response = client.post(
            f"/api/v1/reports/{report.pk}/approve", {}, content_type=JSON, **headers
        )

    assert response.status_code == 200
    assert response.json()["status"] == "city_approved"
    cells = IndicatorCell.objects.filter(indicator=indicator).order_by("month")
    assert [(c.month, c.value) for c in cells] == [
        (dt.date(2021, 12, 1), Decimal("200.00")),
        (dt.date(2022, 10, 1), Decimal("300.00")),
        (dt.date(2022, 11, 1), Decimal("1000.00")),
    ]
    # Built at version 1 with the indicator; bumped for 鲤城区 and the regions above it.
    bumped = IndicatorVersion.objects.filter(indicator=indicator, version=2)
    assert sorted(bumped.values_list("region__code", flat=True)) == ["350000", "350500", "350502"]


# ---------------------------------------------------------------------------------------------
# The pages (the workspace row, the review page and the bulk approval)


def _row_post(client, period, project, action: str):
    return client.post(
        f"/reporting/row/{period.pk}/{project.pk}/",
        {
            f"p{project.pk}-amount": "1000",
            f"p{project.pk}-progress_text": "主体封顶",
            "action": action,
        },
        HTTP_HX_REQUEST="true",
    )


def test_page_row_save_is_nine_queries_and_a_transaction(
    client, period, project, lichen_filer, django_assert_num_queries
):
    client.force_login(lichen_filer)
    client.get("/reporting/?period=2022-11")
    # The session, the user, the period, the memberships, the project in scope, its due-ness
    # with the period's state and the rules' facts; the INSERT and its audit event; then the
    # row read again as the workspace shows it.
    with django_assert_num_queries(11):
        response = _row_post(client, period, project, "save")

    assert response.status_code == 200
    report = ProgressReport.objects.get(project=project, period=period)
    assert (report.status, report.amount, report.version) == ("draft", Decimal("1000.00"), 1)


def test_page_row_save_and_submit_is_thirteen_queries_and_two_transactions(
    client, period, project, lichen_filer, django_assert_num_queries
):
    client.force_login(lichen_filer)
    client.get("/reporting/?period=2022-11")
    # The save as above, then the submission (the report locked with its facts, its UPDATE,
    # the status change, the audit event), then the row.
    with django_assert_num_queries(17):
        response = _row_post(client, period, project, "submit")

    assert response.status_code == 200
    report = ProgressReport.objects.get(project=project, period=period)
    assert (report.status, report.version) == ("submitted", 2)


def test_page_district_approval_is_eight_queries_and_a_transaction(
    client, period, project, lichen_filer, lichen_reviewer, django_assert_num_queries
):
    report = _report(project, period, "submitted")
    _submitted_by(report, lichen_filer)
    client.force_login(lichen_reviewer)
    client.get("/reporting/review/?period=2022-11")
    # The session, the user, the memberships, the report in scope; then the transition.
    with django_assert_num_queries(10):
        response = client.post(
            f"/reporting/reports/{report.pk}/review/", {"action": "approve", "version": "1"}
        )

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.version) == ("district_approved", 2)


def test_page_bulk_city_approval_is_eleven_queries_and_a_transaction(
    client, period, project, indicator, lichen_filer, city_reviewer, django_assert_num_queries
):
    report = _report(project, period, "district_approved")
    _submitted_by(report, lichen_filer)
    client.force_login(city_reviewer)
    client.get("/reporting/review/?period=2022-11")
    # The session, the user, the memberships, the selected reports; the transition with the
    # indicators, the report's facts and the one statement for the cell and the versions.
    with django_assert_num_queries(13):
        response = client.post(
            "/reporting/review/approve/",
            {"report": [report.pk], f"version-{report.pk}": "1", "period": "2022-11"},
        )

    assert response.status_code == 302
    assert IndicatorCell.objects.get(indicator=indicator, month=dt.date(2022, 11, 1)).value == (
        Decimal("1000.00")
    )
