"""The reporting pages: workspace rows (htmx), bulk submit, review queue, status board, periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.audit.models import AuditEvent
from gongjian.reporting.models import ProgressReport, ReportingPeriod, ReportStatusChange
from gongjian.tests.factories import (
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))


@pytest.fixture
def started(region):
    """A 鲤城区 key project started in March 2022, and a 丰泽区 one."""
    lichen = ProjectFactory.create(code="LC-001", name="鲤城智能装备产业园")
    StageEventFactory.create(project=lichen, stage="started", date=dt.date(2022, 3, 1))
    fengze = ProjectFactory.create(code="FZ-001", name="丰泽数字经济大厦", region=region("350503"))
    StageEventFactory.create(project=fengze, stage="started", date=dt.date(2022, 3, 1))
    return lichen, fengze


def test_workspace_lists_only_the_districts_due_projects(client, lichen_filer, period, started):
    client.force_login(lichen_filer)
    response = client.get("/reporting/?period=2022-11")
    assert response.status_code == 200
    assert [row["project"].code for row in response.context["rows"]] == ["LC-001"]
    assert (response.context["done"], response.context["total"]) == (0, 1)
    assert "2022年11月项目进展填报" in response.content.decode()


def test_row_save_creates_a_draft_and_answers_the_row(client, lichen_filer, period, started):
    lichen, _ = started
    client.force_login(lichen_filer)
    response = client.post(
        f"/reporting/row/{period.pk}/{lichen.pk}/",
        {
            f"p{lichen.pk}-amount": "1200.50",
            f"p{lichen.pk}-progress_text": "主体封顶",
            "action": "save",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    report = ProgressReport.objects.get(project=lichen, period=period)
    assert (report.amount, report.progress_text, report.status, report.version) == (
        Decimal("1200.50"),
        "主体封顶",
        "draft",
        1,
    )
    html = response.content.decode()
    assert html.startswith('<form class="report-row status-draft"')
    assert "已保存" in html


def test_row_save_and_submit_with_a_blocking_finding_keeps_the_draft(
    client, lichen_filer, period, started
):
    # Given a zero typed with its 形象进度 but without the reason a zero needs
    lichen, _ = started
    client.force_login(lichen_filer)
    response = client.post(
        f"/reporting/row/{period.pk}/{lichen.pk}/",
        {f"p{lichen.pk}-amount": "0", f"p{lichen.pk}-progress_text": "停工", "action": "submit"},
    )
    report = ProgressReport.objects.get(project=lichen, period=period)
    assert report.status == "draft"
    html = response.content.decode()
    assert "已保存为草稿，但未报送：请先修改标为“须修改”的内容。" in html
    assert (
        "本月完成投资为 0：确无完成投资时请填写 0，并在调整说明中写明原因（如停工、待批）。" in html
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            {"amount": "", "progress_text": "主体施工"},
            "本月完成投资未填写，不能报送；确无完成投资请填写 0 并在调整说明中写明原因。",
        ),
        ({"amount": "300.00", "progress_text": "  "}, "形象进度未填写，不能报送。"),
    ],
)
def test_save_and_submit_with_an_empty_field_is_refused_and_keeps_what_was_typed(
    client, lichen_filer, period, started, typed, message
):
    lichen, _ = started
    client.force_login(lichen_filer)
    response = client.post(
        f"/reporting/row/{period.pk}/{lichen.pk}/",
        {**{f"p{lichen.pk}-{k}": v for k, v in typed.items()}, "action": "submit"},
    )
    html = response.content.decode()
    assert message in html
    assert "300.00" in html if typed["amount"] else "主体施工" in html
    assert not ProgressReport.objects.exists()
    assert not AuditEvent.objects.filter(object_type="reporting.progressreport").exists()


def test_a_zero_with_its_reason_is_submitted(client, lichen_filer, period, started):
    lichen, _ = started
    client.force_login(lichen_filer)
    client.post(
        f"/reporting/row/{period.pk}/{lichen.pk}/",
        {
            f"p{lichen.pk}-amount": "0",
            f"p{lichen.pk}-progress_text": "停工待批",
            f"p{lichen.pk}-adjustment_note": "等待规划许可，本月未施工",
            "action": "submit",
        },
    )
    report = ProgressReport.objects.get(project=lichen, period=period)
    assert (report.status, report.amount) == ("submitted", Decimal("0.00"))


def test_row_of_another_district_is_404(client, lichen_filer, period, started):
    _, fengze = started
    client.force_login(lichen_filer)
    response = client.post(
        f"/reporting/row/{period.pk}/{fengze.pk}/", {f"p{fengze.pk}-amount": "1"}
    )
    assert response.status_code == 404
    assert not ProgressReport.objects.exists()
    assert AuditEvent.objects.filter(action="denied", actor=lichen_filer).count() == 1


def test_bulk_submit_reports_each_outcome(client, lichen_filer, period, started, region):
    lichen, _ = started
    good = ProgressReportFactory.create(project=lichen, period=period, created_by=lichen_filer)
    other = ProjectFactory.create(code="LC-002")
    StageEventFactory.create(project=other, stage="started", date=dt.date(2022, 3, 1))
    bad = ProgressReportFactory.create(project=other, period=period, progress_text="")
    client.force_login(lichen_filer)
    response = client.post(
        "/reporting/submit/", {"report": [good.pk, bad.pk], "period": "2022-11"}, follow=True
    )
    texts = [str(m) for m in response.context["messages"]]
    assert texts == [
        "已报送 1 份报告。",
        "LC-002 测试项目：填报了本月完成投资，请同时填写形象进度。".replace("测试项目", other.name),
    ]
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.status, bad.status) == ("submitted", "draft")


def test_review_queue_and_approve(client, lichen_reviewer, city_reviewer, period, started):
    lichen, _ = started
    report = ProgressReportFactory.create(project=lichen, period=period, status="submitted")
    client.force_login(lichen_reviewer)
    response = client.get("/reporting/review/?period=2022-11")
    assert [r.pk for r in response.context["reports"]] == [report.pk]
    client.post(f"/reporting/reports/{report.pk}/review/", {"action": "approve"})
    report.refresh_from_db()
    assert report.status == "district_approved"

    client.force_login(city_reviewer)
    response = client.get("/reporting/review/?period=2022-11")
    assert [r.pk for r in response.context["reports"]] == [report.pk]
    client.post(
        f"/reporting/reports/{report.pk}/review/", {"action": "return", "reason": "金额偏大"}
    )
    report.refresh_from_db()
    assert report.status == "returned"
    assert list(
        ReportStatusChange.objects.filter(report=report).values_list(
            "from_status", "to_status", "reason"
        )
    ) == [("submitted", "district_approved", ""), ("district_approved", "returned", "金额偏大")]


def test_review_queue_refused_to_a_filer(client, lichen_filer, period):
    client.force_login(lichen_filer)
    assert client.get("/reporting/review/?period=2022-11").status_code == 403
    assert AuditEvent.objects.filter(action="denied", actor=lichen_filer).count() == 1


def test_status_board_counts(client, city_admin, period, started):
    lichen, _fengze = started
    ProgressReportFactory.create(project=lichen, period=period, status="submitted")
    client.force_login(city_admin)
    rows = client.get("/reporting/status/?period=2022-11").context["rows"]
    assert [(r["region__code"], r["due"], r["filed"], r["missing"]) for r in rows] == [
        ("350502", 1, 1, 0),
        ("350503", 1, 0, 1),
    ]


def test_city_admin_opens_and_closes_a_period(client, city_admin):
    client.force_login(city_admin)
    response = client.post("/reporting/periods/", {"month": "2022-12"}, follow=True)
    period = ReportingPeriod.objects.get(month=dt.date(2022, 12, 1))
    assert (period.due_date, period.state) == (dt.date(2023, 1, 5), "open")
    assert [str(m) for m in response.context["messages"]] == ["已开启 2022年12月 填报。"]
    client.post(f"/reporting/periods/{period.pk}/state/", {"action": "close"})
    period.refresh_from_db()
    assert period.state == "closed"


def test_filer_cannot_open_a_period(client, lichen_filer):
    client.force_login(lichen_filer)
    assert client.post("/reporting/periods/", {"month": "2022-12"}).status_code == 403
    assert not ReportingPeriod.objects.exists()


def test_open_period_command(capsys):
    from django.core.management import call_command

    call_command("open-period", "2022-12")
    assert capsys.readouterr().out == "2022年12月 填报期：填报中，截止 2023-01-05\n"
    assert AuditEvent.objects.filter(action="create", actor_username="system").count() == 1


def test_approving_what_the_page_showed_is_refused_once_the_report_moved_on(
    client, lichen_reviewer, period, started
):
    # Given a review page shown at version 3, after which the report went round to version 5
    lichen, _ = started
    report = ProgressReportFactory.create(
        project=lichen, period=period, status="submitted", version=5
    )
    client.force_login(lichen_reviewer)

    # When the reviewer approves from the stale page
    response = client.post(
        f"/reporting/reports/{report.pk}/review/",
        {"action": "approve", "version": "3"},
        follow=True,
    )

    # Then nothing is approved and the reviewer is told to look again
    report.refresh_from_db()
    assert (report.status, report.version) == ("submitted", 5)
    assert [str(m) for m in response.context["messages"]] == [
        "LC-001：操作失败：该报告已被他人修改（当前版本 5，您看到的是版本 3）。"
        "操作未执行，请刷新后查看最新内容。"
    ]


def test_bulk_approval_uses_each_rows_shown_version(client, lichen_reviewer, period, started):
    lichen, _ = started
    report = ProgressReportFactory.create(
        project=lichen, period=period, status="submitted", version=2
    )
    client.force_login(lichen_reviewer)

    client.post(
        "/reporting/review/approve/",
        {"report": [report.pk], f"version-{report.pk}": "2", "period": "2022-11"},
    )

    report.refresh_from_db()
    assert (report.status, report.version) == ("district_approved", 3)


def test_workspace_puts_what_needs_the_filer_first_and_can_show_only_that(
    client, lichen_filer, period, started
):
    # LC-001 (from ``started``) has no report yet
    for code, status in [("LC-002", "city_approved"), ("LC-003", "returned"), ("LC-004", "draft")]:
        project = ProjectFactory.create(code=code)
        StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
        ProgressReportFactory.create(project=project, period=period, status=status)
    client.force_login(lichen_filer)

    everything = client.get("/reporting/?period=2022-11").context
    todo = client.get("/reporting/?period=2022-11&show=todo").context

    assert [r["project"].code for r in everything["rows"]] == [
        "LC-003",
        "LC-001",
        "LC-004",
        "LC-002",
    ]
    assert [r["project"].code for r in todo["rows"]] == ["LC-003", "LC-001", "LC-004"]
    assert (todo["todo_count"], todo["done"], todo["total"]) == (3, 1, 4)


def test_a_problem_raised_from_the_report_page_hangs_off_the_report(
    client, lichen_filer, period, started
):
    lichen, _ = started
    report = ProgressReportFactory.create(project=lichen, period=period)
    client.force_login(lichen_filer)
    page = client.get(f"/reporting/reports/{report.pk}/").content.decode()
    assert "上报需要协调的问题" in page

    client.post(
        f"/projects/{lichen.pk}/problems/new/",
        {"report": report.pk, "title": "用地指标未落实", "description": "二期用地报批卡在省厅"},
    )

    problem = report.problems.get()
    assert (problem.title, problem.project_id) == ("用地指标未落实", lichen.pk)
    assert "用地指标未落实" in client.get(f"/reporting/reports/{report.pk}/").content.decode()


@pytest.mark.parametrize(
    ("persona", "links"),
    [
        ("lichen_filer", ["本月填报", "各地填报情况", "填报期"]),
        ("lichen_reviewer", ["本月填报", "报告审核", "各地填报情况", "填报期"]),
        ("city_reviewer", ["本月填报", "报告审核", "各地填报情况", "填报期"]),
    ],
)
def test_reporting_pages_share_a_subnav_by_role(client, request, period, persona, links):
    import re

    client.force_login(request.getfixturevalue(persona))
    html = client.get("/reporting/status/?period=2022-11").content.decode()

    subnav = html.split('<nav class="subnav"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r">([^<>]+)</a>", subnav) == links


# ---------------------------------------------------------------------------------------------
# The month a page opens on, the city's status board, search, filters and paging


@pytest.fixture
def two_open_months(started):
    """November (due 12-05) and December both open; 鲤城 LC-001 filed November already."""
    november = ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))
    december = ReportingPeriodFactory.create(month=dt.date(2022, 12, 1))
    return november, december


def test_the_workspace_opens_on_the_earliest_open_month_with_work(
    client, lichen_filer, two_open_months, started
):
    november, _december = two_open_months
    client.force_login(lichen_filer)
    assert client.get("/reporting/").context["period"].month == dt.date(2022, 11, 1)

    ProgressReportFactory.create(project=started[0], period=november, status="submitted")

    assert client.get("/reporting/").context["period"].month == dt.date(2022, 12, 1)


def test_the_review_queue_opens_on_the_month_with_reports_waiting(
    client, lichen_reviewer, two_open_months, started
):
    _november, december = two_open_months
    ProgressReportFactory.create(project=started[0], period=december, status="submitted")
    client.force_login(lichen_reviewer)

    response = client.get("/reporting/review/")

    assert response.context["period"].month == dt.date(2022, 12, 1)
    assert [r.project.code for r in response.context["reports"]] == ["LC-001"]


def test_city_users_see_the_status_board_and_drill_down(client, city_admin, period, started):
    client.force_login(city_admin)

    board = client.get("/reporting/?period=2022-11")

    assert [(r["region__name"], r["due"], r["missing"]) for r in board.context["board"]] == [
        ("鲤城区", 1, 1),
        ("丰泽区", 1, 1),
    ]
    assert "page" not in board.context
    assert 'href="/reporting/?period=2022-11&region=350503"' in board.content.decode()
    drill = client.get("/reporting/?period=2022-11&region=350503")
    assert [row["project"].code for row in drill.context["rows"]] == ["FZ-001"]


def test_the_workspace_searches_filters_and_pages(client, lichen_filer, period, region):
    for n in range(1, 33):
        project = ProjectFactory.create(code=f"ZD2022-350502-{n:04d}", name=f"鲤城项目{n}")
        StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
        if n == 7:
            ProgressReportFactory.create(project=project, period=period, status="returned")
        if n == 8:
            ProgressReportFactory.create(project=project, period=period, status="submitted")
    client.force_login(lichen_filer)

    first = client.get("/reporting/?period=2022-11")
    assert [t[1:] for t in first.context["tabs"]] == [
        ("全部", 32),
        ("待填报", 31),
        ("被退回", 1),
        ("已报送", 1),
    ]
    codes = [row["project"].code for row in first.context["rows"]]
    # What still needs the filer first: the returned report, then the ones not yet filed.
    assert (len(codes), codes[0], codes[1]) == (30, "ZD2022-350502-0007", "ZD2022-350502-0001")
    second = client.get("/reporting/?period=2022-11&page=2")
    assert [row["project"].code for row in second.context["rows"]] == [
        "ZD2022-350502-0032",
        "ZD2022-350502-0008",
    ]
    assert "第 2 / 2 页，共 32 个项目" in second.content.decode()
    found = client.get("/reporting/?period=2022-11&q=项目1")
    assert len(found.context["rows"]) == 11  # 鲤城项目1, 10–19
    returned = client.get("/reporting/?period=2022-11&show=returned")
    assert [row["project"].code for row in returned.context["rows"]] == ["ZD2022-350502-0007"]
