"""Reporting services and selectors: periods, saving reports, the review workflow, and the reads
that say who is due, what they filed and how the totals add up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from gongjian.accounts.scopes import memberships_of
from gongjian.audit.models import AuditEvent
from gongjian.projects.models import Category, Project
from gongjian.reporting import selectors
from gongjian.reporting.models import ProgressReport, ReportingPeriod, ReportStatusChange
from gongjian.reporting.services import (
    ReportConflictError,
    ReportInput,
    default_due_date,
    period_close,
    period_open,
    period_reopen,
    report_approve,
    report_check,
    report_return,
    report_save,
    report_submit,
)
from gongjian.reporting.validation import Finding
from gongjian.tests.factories import (
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
)

pytestmark = pytest.mark.django_db

NOVEMBER = dt.date(2022, 11, 1)
SOUND = ReportInput(amount=Decimal("1200.50"), progress_text="  主体结构施工至第 12 层 ")


def _events():
    """Every audit event as (action, actor, object type, object id, before, after, message)."""
    return [
        (e.action, e.actor_username, e.object_type, e.object_id, e.before, e.after, e.message)
        for e in AuditEvent.objects.order_by("id")
    ]


def _changes(report):
    return [
        (c.from_status, c.to_status, c.actor.username if c.actor else None, c.reason)
        for c in ReportStatusChange.objects.filter(report=report).select_related("actor")
    ]


def _row(report):
    """The stored report as (status, version, amount, progress_text, adjustment_note)."""
    row = ProgressReport.objects.get(pk=report.pk)
    return (row.status, row.version, row.amount, row.progress_text, row.adjustment_note)


def _snapshot(**overrides):
    snapshot = {
        "project": "LC-2022-001",
        "period": "2022-11",
        "amount": "1200.50",
        "progress_text": "主体结构施工至第 12 层",
        "adjustment_note": "",
        "status": "draft",
        "version": 1,
    }
    return {**snapshot, **overrides}


@pytest.fixture
def period(db):
    return ReportingPeriodFactory.create(month=NOVEMBER, due_date=dt.date(2022, 12, 5))


@pytest.fixture
def project(db):
    """A 5 亿元 Licheng project started in March 2022."""
    project = ProjectFactory.create(code="LC-2022-001", total_investment=Decimal("50000.00"))
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 15))
    return project


def _report(project, period, **values):
    """A report saved through the factory (no audit events), at the given status and version."""
    return ProgressReportFactory.create(project=project, period=period, **values)


# --- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "due"),
    [
        (dt.date(2022, 12, 1), dt.date(2023, 1, 5)),
        (dt.date(2022, 1, 1), dt.date(2022, 2, 5)),
        (dt.date(2024, 1, 1), dt.date(2024, 2, 5)),
    ],
)
def test_default_due_date_is_the_fifth_of_the_next_month(month, due):
    assert default_due_date(month) == due


def test_the_due_day_comes_from_settings(settings):
    settings.REPORT_DUE_DAY = 10

    assert default_due_date(dt.date(2022, 12, 1)) == dt.date(2023, 1, 10)


def test_city_admin_opens_december_due_on_the_fifth_of_january(city_admin):
    period = period_open(actor=city_admin, month=dt.date(2022, 12, 1))

    row = ReportingPeriod.objects.get()
    assert (row.pk, row.month, row.due_date, row.state) == (
        period.pk,
        dt.date(2022, 12, 1),
        dt.date(2023, 1, 5),
        "open",
    )
    assert (str(row), row.label, row.is_open) == ("2022-12", "2022年12月", True)
    assert _events() == [
        (
            "create",
            "city_admin",
            "reporting.reportingperiod",
            str(period.pk),
            None,
            {"month": "2022-12-01", "due_date": "2023-01-05", "state": "open"},
            "",
        )
    ]


def test_opening_an_open_month_again_changes_nothing(city_admin):
    first = period_open(actor=city_admin, month=dt.date(2022, 12, 1))

    again = period_open(actor=city_admin, month=dt.date(2022, 12, 1))

    assert again.pk == first.pk
    assert ReportingPeriod.objects.count() == 1
    assert [e[0] for e in _events()] == ["create"]


def test_a_day_inside_the_month_opens_that_month(city_admin):
    period_open(actor=city_admin, month=dt.date(2022, 12, 17), due_date=dt.date(2023, 1, 9))

    assert list(ReportingPeriod.objects.values_list("month", "due_date")) == [
        (dt.date(2022, 12, 1), dt.date(2023, 1, 9))
    ]


def test_a_due_date_on_the_first_of_the_month_is_refused(city_admin):
    with pytest.raises(ValidationError) as refusal:
        period_open(actor=city_admin, month=dt.date(2022, 12, 1), due_date=dt.date(2022, 12, 1))

    assert refusal.value.message_dict == {"due_date": ["截止日期须晚于填报月份的第一天。"]}
    assert ReportingPeriod.objects.count() == 0
    assert _events() == []


def test_opening_a_closed_month_is_refused_and_points_to_reopening(city_admin, period):
    period_close(actor=city_admin, period=period)
    events_before = _events()

    with pytest.raises(ValidationError) as refusal:
        period_open(actor=city_admin, month=NOVEMBER)

    assert refusal.value.message_dict == {
        "month": ["2022-11 填报期已关闭；如需修改，请使用“重新开启”。"]
    }
    assert ReportingPeriod.objects.get().state == "closed"
    assert _events() == events_before


def test_close_then_reopen_with_a_reason_records_both_states(city_admin, period):
    closed = period_close(actor=city_admin, period=period)

    assert (closed.state, period.state) == ("closed", "closed")
    assert ReportingPeriod.objects.get().state == "closed"

    reopened = period_reopen(actor=city_admin, period=period, reason="  洛江区补报 3 个项目 ")

    assert (reopened.state, ReportingPeriod.objects.get().state) == ("open", "open")
    pk = str(period.pk)
    assert _events() == [
        ("update", "city_admin", "reporting.reportingperiod", pk, {"state": "open"},
         {"state": "closed"}, ""),
        ("update", "city_admin", "reporting.reportingperiod", pk, {"state": "closed"},
         {"state": "open"}, "洛江区补报 3 个项目"),
    ]  # fmt: skip


def test_closing_a_closed_month_writes_nothing_more(city_admin, period):
    period_close(actor=city_admin, period=period)

    period_close(actor=city_admin, period=period)

    assert [e[5] for e in _events()] == [{"state": "closed"}]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reopening_needs_a_reason(city_admin, period, reason):
    period_close(actor=city_admin, period=period)

    with pytest.raises(ValidationError) as refusal:
        period_reopen(actor=city_admin, period=period, reason=reason)  # type: ignore[arg-type]

    assert refusal.value.message_dict == {"reason": ["重新开启填报期须说明原因。"]}
    assert ReportingPeriod.objects.get().state == "closed"
    assert len(_events()) == 1


# --- report_save ------------------------------------------------------------------------------


def test_first_save_creates_a_draft_with_exact_values(lichen_filer, project, period):
    report, findings = report_save(
        actor=lichen_filer, project=project, period=period, data=SOUND, expected_version=None
    )

    assert findings == []
    row = ProgressReport.objects.get()
    assert row.pk == report.pk
    assert (row.project, row.period, row.created_by) == (project, period, lichen_filer)
    assert _row(row) == ("draft", 1, Decimal("1200.50"), "主体结构施工至第 12 层", "")
    assert (row.warnings, row.submitted_at) == ([], None)
    assert ReportStatusChange.objects.count() == 0
    assert _events() == [
        (
            "create",
            "lichen_filer",
            "reporting.progressreport",
            str(report.pk),
            None,
            _snapshot(),
            "",
        )
    ]


def test_an_edit_bumps_the_version_and_audits_before_and_after(lichen_filer, project, period):
    report, _ = report_save(
        actor=lichen_filer, project=project, period=period, data=SOUND, expected_version=None
    )
    edit = ReportInput(amount=Decimal("1300.00"), progress_text="主体封顶", adjustment_note="")

    edited, findings = report_save(
        actor=lichen_filer, project=project, period=period, data=edit, expected_version=1
    )

    assert (edited.pk, edited.version, findings) == (report.pk, 2, [])
    assert _row(report) == ("draft", 2, Decimal("1300.00"), "主体封顶", "")
    assert _events()[1:] == [
        (
            "update",
            "lichen_filer",
            "reporting.progressreport",
            str(report.pk),
            _snapshot(),
            _snapshot(amount="1300.00", progress_text="主体封顶", version=2),
            "",
        )
    ]


def test_whole_amounts_are_stored_and_audited_at_column_precision(lichen_filer, project, period):
    # A whole number typed as "1300" is the stored 1300.00: the audit log must not show an
    # unchanged amount as a change from "1300.00" to "1300".
    data = ReportInput(amount=Decimal("1300"), progress_text="主体封顶")

    report, _ = report_save(
        actor=lichen_filer, project=project, period=period, data=data, expected_version=None
    )
    report_save(actor=lichen_filer, project=project, period=period, data=data, expected_version=1)

    assert str(report.amount) == "1300.00"
    create, update = AuditEvent.objects.order_by("id")
    assert create.after == _snapshot(amount="1300.00", progress_text="主体封顶")
    assert update.changed_fields() == [("version", 1, 2)]


def test_save_returns_the_findings_and_keeps_the_draft(lichen_filer, project, period):
    # Given 4.5 亿元 already reported in October
    october = ReportingPeriodFactory.create(month=dt.date(2022, 10, 1))
    _report(project, october, amount=Decimal("45000.00"))

    report, findings = report_save(
        actor=lichen_filer,
        project=project,
        period=period,
        data=ReportInput(amount=Decimal("6000.00")),
        expected_version=None,
    )

    assert findings == [
        Finding(
            "month_exceeds_remaining",
            "warn",
            "amount",
            "本月完成投资 6,000.00 万元大于项目剩余未完成投资 5,000.00 万元"
            "（总投资 50,000.00 万元，此前累计完成 45,000.00 万元）。",
        ),
        Finding(
            "cumulative_exceeds_total",
            "block",
            "adjustment_note",
            "开工以来累计完成投资 51,000.00 万元将超过总投资 50,000.00 万元，"
            "请填写调整说明（如总投资已调增）。",
        ),
        Finding(
            "amount_without_progress",
            "block",
            "progress_text",
            "填报了本月完成投资，请同时填写形象进度。",
        ),
    ]
    assert _row(report) == ("draft", 1, Decimal("6000.00"), "", "")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-0.01", "本月完成投资不能为负数（填写了 -0.01 万元）。"),
        ("12.345", "本月完成投资最多保留两位小数（单位：万元）。"),
        (
            "100000000.01",
            "本月完成投资 100,000,000.01 万元超过 1 万亿元，超出合理范围；"
            "请确认单位是万元而不是元。",
        ),
        ("NaN", "本月完成投资不是有效的数字。"),
        ("Infinity", "本月完成投资不是有效的数字。"),
    ],
)
def test_an_amount_the_database_cannot_hold_is_refused_even_as_a_draft(
    lichen_filer, project, period, amount, message
):
    with pytest.raises(ValidationError) as refusal:
        report_save(
            actor=lichen_filer,
            project=project,
            period=period,
            data=ReportInput(amount=Decimal(amount), progress_text="施工中"),
            expected_version=None,
        )

    assert refusal.value.message_dict == {"amount": [message]}
    assert ProgressReport.objects.count() == 0
    assert _events() == []


def test_saving_into_a_closed_month_is_refused(city_admin, lichen_filer, project, period):
    period_close(actor=city_admin, period=period)
    events = _events()

    with pytest.raises(ValidationError) as refusal:
        report_save(
            actor=lichen_filer, project=project, period=period, data=SOUND, expected_version=None
        )

    assert refusal.value.messages == ["2022-11 填报期已关闭，报告只读。"]
    assert ProgressReport.objects.count() == 0
    assert _events() == events


def test_editing_in_a_closed_month_is_refused(city_admin, lichen_filer, project, period):
    report = _report(project, period, amount=Decimal("800.00"), progress_text="基础施工")
    # The filer's page still shows the month as open.
    stale_period = ReportingPeriod.objects.get(pk=period.pk)
    period_close(actor=city_admin, period=period)
    events = _events()

    with pytest.raises(ValidationError) as refusal:
        report_save(
            actor=lichen_filer,
            project=project,
            period=stale_period,
            data=SOUND,
            expected_version=1,
        )

    assert refusal.value.messages == ["2022-11 填报期已关闭，报告只读。"]
    assert _row(report) == ("draft", 1, Decimal("800.00"), "基础施工", "")
    assert _events() == events


def test_a_stale_edit_is_refused_and_writes_nothing(lichen_filer, project, period):
    report = _report(project, period, amount=Decimal("800.00"), progress_text="基础施工", version=2)

    with pytest.raises(ReportConflictError) as refusal:
        report_save(
            actor=lichen_filer, project=project, period=period, data=SOUND, expected_version=1
        )

    assert refusal.value.messages == [
        "保存失败：该报告已被他人修改（当前版本 2，您编辑的是版本 1）。"
        "您的修改未保存，请刷新后重新填写。"
    ]
    assert _row(report) == ("draft", 2, Decimal("800.00"), "基础施工", "")
    assert _events() == []


def test_a_second_first_save_is_a_conflict_not_a_second_report(
    lichen_filer, city_admin, project, period
):
    report, _ = report_save(
        actor=lichen_filer, project=project, period=period, data=SOUND, expected_version=None
    )

    with pytest.raises(ReportConflictError) as refusal:
        report_save(
            actor=city_admin,
            project=project,
            period=period,
            data=ReportInput(amount=Decimal("9.00"), progress_text="另一份"),
            expected_version=None,
        )

    assert refusal.value.messages == [
        "LC-2022-001 的 2022-11 报告已由他人创建，您的填报未保存；请刷新后在该报告上修改。"
    ]
    assert list(ProgressReport.objects.values_list("pk", "amount", "created_by")) == [
        (report.pk, Decimal("1200.50"), lichen_filer.pk)
    ]
    assert [e[:2] for e in _events()] == [("create", "lichen_filer")]


def test_the_same_project_reports_once_in_each_month(lichen_filer, project, period):
    october = ReportingPeriodFactory.create(month=dt.date(2022, 10, 1))
    report_save(
        actor=lichen_filer, project=project, period=october, data=SOUND, expected_version=None
    )

    report_save(
        actor=lichen_filer, project=project, period=period, data=SOUND, expected_version=None
    )

    assert list(
        ProgressReport.objects.order_by("period__month").values_list("period__month", flat=True)
    ) == [dt.date(2022, 10, 1), NOVEMBER]


# --- report_submit ----------------------------------------------------------------------------


def test_blocking_findings_refuse_submission_by_field(lichen_filer, project, period):
    october = ReportingPeriodFactory.create(month=dt.date(2022, 10, 1))
    _report(project, october, amount=Decimal("45000.00"))
    report = _report(project, period, amount=Decimal("6000.00"), progress_text="")

    with pytest.raises(ValidationError) as refusal:
        report_submit(actor=lichen_filer, report=report)

    assert refusal.value.message_dict == {
        "adjustment_note": [
            "开工以来累计完成投资 51,000.00 万元将超过总投资 50,000.00 万元，"
            "请填写调整说明（如总投资已调增）。"
        ],
        "progress_text": ["填报了本月完成投资，请同时填写形象进度。"],
    }
    assert _row(report) == ("draft", 1, Decimal("6000.00"), "", "")
    assert (report.status, report.version) == ("draft", 1)
    assert ReportStatusChange.objects.count() == 0
    assert _events() == []


def test_two_blocking_findings_on_one_field_are_both_listed(lichen_filer, project, period):
    # A 元 slip in a month before the works started
    february = ReportingPeriodFactory.create(month=dt.date(2022, 2, 1))
    report = _report(project, february, amount=Decimal("600000.00"), adjustment_note="见附件")

    with pytest.raises(ValidationError) as refusal:
        report_submit(actor=lichen_filer, report=report)

    assert refusal.value.message_dict == {
        "amount": [
            "本月完成投资 600,000.00 万元是项目总投资 50,000.00 万元的 12 倍，"
            "疑似按“元”填报；请换算为万元（元 ÷ 10000）。",
            "项目于 2022-03-15 开工，2022-02 不能填报完成投资。",
        ]
    }


def test_warnings_are_kept_on_the_submitted_report(lichen_filer, project, period):
    october = ReportingPeriodFactory.create(month=dt.date(2022, 10, 1))
    _report(project, october, amount=Decimal("45000.00"))
    report = _report(
        project,
        period,
        amount=Decimal("6000.00"),
        progress_text="追加装修工程",
        adjustment_note="总投资调增至 5.2 亿元",
    )

    report_submit(actor=lichen_filer, report=report)

    row = ProgressReport.objects.get(pk=report.pk)
    assert (row.status, row.version) == ("submitted", 2)
    assert row.warnings == [
        {
            "rule": "month_exceeds_remaining",
            "severity": "warn",
            "field": "amount",
            "message": "本月完成投资 6,000.00 万元大于项目剩余未完成投资 5,000.00 万元"
            "（总投资 50,000.00 万元，此前累计完成 45,000.00 万元）。",
        }
    ]


def test_full_workflow_rows_and_audit_events(
    monkeypatch, lichen_filer, lichen_reviewer, city_reviewer, project, period
):
    moment = dt.datetime(2022, 12, 3, 9, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    report, _ = report_save(
        actor=lichen_filer, project=project, period=period, data=SOUND, expected_version=None
    )

    submitted = report_submit(actor=lichen_filer, report=report)
    assert (submitted.status, submitted.version, submitted.submitted_at) == ("submitted", 2, moment)
    assert (report.status, report.version) == ("submitted", 2)

    district = report_approve(actor=lichen_reviewer, report=report)
    assert (district.status, district.version) == ("district_approved", 3)

    city = report_approve(actor=city_reviewer, report=report, note="数据核实无误")
    assert (city.status, city.version) == ("city_approved", 4)

    row = ProgressReport.objects.get()
    assert _row(row) == ("city_approved", 4, Decimal("1200.50"), "主体结构施工至第 12 层", "")
    assert (row.submitted_at, row.warnings) == (moment, [])
    assert _changes(report) == [
        ("draft", "submitted", "lichen_filer", ""),
        ("submitted", "district_approved", "lichen_reviewer", ""),
        ("district_approved", "city_approved", "city_reviewer", "数据核实无误"),
    ]
    assert list(ReportStatusChange.objects.values_list("at", flat=True)) == [moment] * 3
    pk = str(report.pk)
    assert _events() == [
        ("create", "lichen_filer", "reporting.progressreport", pk, None, _snapshot(), ""),
        ("update", "lichen_filer", "reporting.progressreport", pk, {"status": "draft"},
         {"status": "submitted"}, ""),
        ("update", "lichen_reviewer", "reporting.progressreport", pk, {"status": "submitted"},
         {"status": "district_approved"}, ""),
        ("update", "city_reviewer", "reporting.progressreport", pk,
         {"status": "district_approved"}, {"status": "city_approved"}, "数据核实无误"),
    ]  # fmt: skip
    assert list(ProgressReport.objects.counted()) == [row]


def test_returned_at_district_review_then_edited_and_resubmitted(
    lichen_filer, lichen_reviewer, project, period
):
    report = _report(project, period, amount=Decimal("1200.50"), progress_text="施工中")
    report_submit(actor=lichen_filer, report=report)

    report_return(actor=lichen_reviewer, report=report, reason="  与上月形象进度相同，请核实 ")

    assert _row(report) == ("returned", 3, Decimal("1200.50"), "施工中", "")
    edited, _ = report_save(
        actor=lichen_filer,
        project=project,
        period=period,
        data=ReportInput(amount=Decimal("1100.00"), progress_text="主体封顶"),
        expected_version=3,
    )
    assert _row(report) == ("returned", 4, Decimal("1100.00"), "主体封顶", "")
    report_submit(actor=lichen_filer, report=edited)

    assert _row(report) == ("submitted", 5, Decimal("1100.00"), "主体封顶", "")
    assert _changes(report) == [
        ("draft", "submitted", "lichen_filer", ""),
        ("submitted", "returned", "lichen_reviewer", "与上月形象进度相同，请核实"),
        ("returned", "submitted", "lichen_filer", ""),
    ]
    assert [(e[0], e[1], e[4], e[6]) for e in _events()] == [
        ("update", "lichen_filer", {"status": "draft"}, ""),
        ("update", "lichen_reviewer", {"status": "submitted"}, "与上月形象进度相同，请核实"),
        (
            "update",
            "lichen_filer",
            _snapshot(amount="1200.50", progress_text="施工中", status="returned", version=3),
            "",
        ),
        ("update", "lichen_filer", {"status": "returned"}, ""),
    ]


def test_a_returned_report_notifies_its_filer_with_the_reason(
    lichen_filer, lichen_reviewer, project, period
):
    from gongjian.notifications.models import Notification

    report = _report(project, period, amount=Decimal("1200.50"), progress_text="施工中")
    report_submit(actor=lichen_filer, report=report)

    report_return(actor=lichen_reviewer, report=report, reason=" 与上月形象进度相同，请核实 ")

    assert list(
        Notification.objects.values_list("recipient__username", "kind", "title", "body", "link")
    ) == [
        (
            "lichen_filer",
            "report_returned",
            f"2022-11 月报被退回：{project.code} {project.name}",
            "退回原因：与上月形象进度相同，请核实",
            f"/reporting/?period=2022-11&q={project.code}",
        )
    ]


def test_returned_at_city_review(lichen_filer, lichen_reviewer, city_reviewer, project, period):
    report = _report(project, period, status="district_approved", version=3)

    report_return(actor=city_reviewer, report=report, reason="请补充现场照片")

    assert (report.status, report.version) == ("returned", 4)
    assert _row(report)[:2] == ("returned", 4)
    assert _changes(report) == [
        ("district_approved", "returned", "city_reviewer", "请补充现场照片")
    ]
    assert [(e[0], e[1], e[4], e[5], e[6]) for e in _events()] == [
        (
            "update",
            "city_reviewer",
            {"status": "district_approved"},
            {"status": "returned"},
            "请补充现场照片",
        )
    ]


@pytest.mark.parametrize("status", ["submitted", "district_approved"])
@pytest.mark.parametrize("reason", ["", "  \n"])
def test_a_return_needs_a_reason(city_admin, lichen_reviewer, project, period, status, reason):
    reviewer = lichen_reviewer if status == "submitted" else city_admin
    report = _report(project, period, status=status, version=2)

    with pytest.raises(ValidationError) as refusal:
        report_return(actor=reviewer, report=report, reason=reason)

    assert refusal.value.message_dict == {"reason": ["退回须填写原因。"]}
    assert _row(report)[:2] == (status, 2)
    assert ReportStatusChange.objects.count() == 0
    assert _events() == []


@pytest.mark.parametrize("status", ["submitted", "district_approved", "city_approved"])
def test_a_report_under_review_cannot_be_edited(lichen_filer, project, period, status):
    report = _report(project, period, amount=Decimal("800.00"), status=status, version=2)

    with pytest.raises(ValidationError) as refusal:
        report_save(
            actor=lichen_filer, project=project, period=period, data=SOUND, expected_version=2
        )

    label = {
        "submitted": "已报送",
        "district_approved": "县区已审核",
        "city_approved": "市级已审核",
    }
    assert refusal.value.messages == [
        f"报告当前状态为“{label[status]}”，不能修改；如需修改请由审核人退回。"
    ]
    assert _row(report) == (status, 2, Decimal("800.00"), "主体结构施工", "")
    assert _events() == []


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("draft", "报告当前状态为“草稿”，不能审核通过。"),
        ("returned", "报告当前状态为“已退回”，不能审核通过。"),
        ("city_approved", "报告当前状态为“市级已审核”，不能审核通过。"),
    ],
)
def test_only_a_report_under_review_can_be_approved(city_admin, project, period, status, message):
    report = _report(project, period, status=status, version=2)

    with pytest.raises(ValidationError) as refusal:
        report_approve(actor=city_admin, report=report)

    assert refusal.value.messages == [message]
    assert _row(report)[:2] == (status, 2)
    assert ReportStatusChange.objects.count() == 0


def test_a_submitted_report_cannot_be_submitted_again(lichen_filer, project, period):
    report = _report(project, period, status="submitted", version=2)

    with pytest.raises(ValidationError) as refusal:
        report_submit(actor=lichen_filer, report=report)

    assert refusal.value.messages == ["报告当前状态为“已报送”，不能执行此操作。"]
    assert _row(report)[:2] == ("submitted", 2)


def test_no_review_in_a_closed_month(city_admin, lichen_reviewer, project, period):
    report = _report(project, period, status="submitted", version=2)
    period_close(actor=city_admin, period=period)

    with pytest.raises(ValidationError) as refusal:
        report_approve(actor=lichen_reviewer, report=report)

    assert refusal.value.messages == ["2022-11 填报期已关闭，报告只读。"]
    assert _row(report)[:2] == ("submitted", 2)
    assert ReportStatusChange.objects.count() == 0


def test_a_reviewer_cannot_approve_values_changed_since_they_looked(
    lichen_filer, lichen_reviewer, project, period
):
    # Given a reviewer looking at the submitted 1,200.50
    report = _report(project, period, amount=Decimal("1200.50"), status="submitted", version=2)
    seen_by_reviewer = ProgressReport.objects.get(pk=report.pk)
    # while a colleague returns it and the filer changes and resubmits it
    report_return(actor=lichen_reviewer, report=report, reason="请核实")
    report_save(
        actor=lichen_filer,
        project=project,
        period=period,
        data=ReportInput(amount=Decimal("9999.00"), progress_text="主体封顶"),
        expected_version=3,
    )
    report_submit(actor=lichen_filer, report=ProgressReport.objects.get(pk=report.pk))

    # When the first reviewer approves what they saw
    with pytest.raises(ReportConflictError) as refusal:
        report_approve(actor=lichen_reviewer, report=seen_by_reviewer)

    # Then the approval is refused: 9,999.00 was never reviewed
    assert refusal.value.messages == [
        "操作失败：该报告已被他人修改（当前版本 5，您看到的是版本 2）。"
        "操作未执行，请刷新后查看最新内容。"
    ]
    assert _row(report) == ("submitted", 5, Decimal("9999.00"), "主体封顶", "")
    assert [c[1] for c in _changes(report)] == ["returned", "submitted"]


# --- selectors --------------------------------------------------------------------------------


def _started(code: str, started: dt.date | None, completed: dt.date | None = None, **kwargs):
    project = ProjectFactory.create(code=code, **kwargs)
    if started is not None:
        StageEventFactory.create(project=project, stage="started", date=started)
    if completed is not None:
        StageEventFactory.create(project=project, stage="completed", date=completed)
    return project


def test_projects_due_are_started_by_month_end_and_not_completed_before_it(period):
    signed = Category.objects.get(code="investment-signed")
    urban = Category.objects.get(code="urban-quality")
    _started("DUE-LONG-BUILDING", dt.date(2021, 6, 1))
    _started("DUE-STARTED-LAST-DAY", dt.date(2022, 11, 30))
    _started("NOT-STARTED-NEXT-MONTH", dt.date(2022, 12, 1))
    _started("NOT-STARTED-AT-ALL", None)
    _started("NOT-COMPLETED-IN-OCTOBER", dt.date(2022, 3, 1), dt.date(2022, 10, 31))
    _started("DUE-COMPLETED-ON-THE-FIRST", dt.date(2022, 3, 1), dt.date(2022, 11, 1))
    _started("DUE-URBAN-QUALITY", dt.date(2022, 3, 1), category=urban)
    _started("NOT-SIGNED-INVESTMENT", dt.date(2022, 3, 1), category=signed)

    due = selectors.projects_due(period=period)

    assert sorted(due.values_list("code", flat=True)) == [
        "DUE-COMPLETED-ON-THE-FIRST",
        "DUE-LONG-BUILDING",
        "DUE-STARTED-LAST-DAY",
        "DUE-URBAN-QUALITY",
    ]


def test_the_signed_investment_category_is_not_reported_monthly():
    assert dict(Category.objects.values_list("code", "requires_monthly_report")) == {
        "key-construction": True,
        "investment-signed": False,
        "urban-quality": True,
        "new-infrastructure": True,
    }


def test_workspace_totals_year_to_date_and_since_start(
    lichen_filer, region, django_assert_num_queries
):
    # Given a Licheng project reporting from December 2021 to March 2022
    months = {m: ReportingPeriodFactory.create(month=m) for m in _months(2021, 12, 4)}
    amounts = [Decimal("500.00"), Decimal("1000.50"), Decimal("2000.25"), Decimal("300.00")]
    building = _started("LC-BUILDING", dt.date(2021, 12, 1))
    for period, amount in zip(months.values(), amounts, strict=True):
        _report(building, period, amount=amount, status="city_approved")
    # and a Licheng project with nothing filed, and a Fengze project the filer does not cover
    _started("LC-QUIET", dt.date(2021, 12, 1))
    fengze = _started("FZ-OTHER", dt.date(2021, 12, 1), region=region("350503"))
    _report(fengze, months[dt.date(2022, 2, 1)], amount=Decimal("7777.00"))
    february = months[dt.date(2022, 2, 1)]

    with django_assert_num_queries(2):  # the filer's memberships, then the rows
        rows = list(selectors.workspace_rows(user=lichen_filer, period=february))

    assert [
        (r.code, r.report_amount, r.report_status, r.report_version, r.ytd, r.since_start)
        for r in rows
    ] == [
        ("LC-BUILDING", Decimal("2000.25"), "city_approved", 1, Decimal("3000.75"),
         Decimal("3500.75")),
        ("LC-QUIET", None, None, None, Decimal("0"), Decimal("0")),
    ]  # fmt: skip
    january = selectors.workspace_rows(user=lichen_filer, period=months[dt.date(2022, 1, 1)])
    assert [(r.code, r.ytd, r.since_start) for r in january] == [
        ("LC-BUILDING", Decimal("1000.50"), Decimal("1500.50")),
        ("LC-QUIET", Decimal("0"), Decimal("0")),
    ]
    december = selectors.workspace_rows(user=lichen_filer, period=months[dt.date(2021, 12, 1)])
    assert [(r.code, r.ytd, r.since_start) for r in december] == [
        ("LC-BUILDING", Decimal("500.00"), Decimal("500.00")),
        ("LC-QUIET", Decimal("0"), Decimal("0")),
    ]


def test_year_to_date_counts_city_approved_reports_and_labels_the_rest(lichen_filer, client):
    # Given a Licheng project with 2021-12 approved 500 (last year), 2022-01 approved 1000.50,
    # 2022-02 district-approved 2000.25 and 2022-03 a draft of 300
    months = {m: ReportingPeriodFactory.create(month=m) for m in _months(2021, 12, 4)}
    building = _started("LC-BUILDING", dt.date(2021, 12, 1))
    for period, amount, status in zip(
        months.values(),
        ("500.00", "1000.50", "2000.25", "300.00"),
        ("city_approved", "city_approved", "district_approved", "draft"),
        strict=True,
    ):
        _report(building, period, amount=Decimal(amount), status=status)
    march = months[dt.date(2022, 3, 1)]

    # When the year-to-date parts are read at March
    (row,) = selectors.workspace_rows(user=lichen_filer, period=march)

    # Then 完成 counts only the approved 1000.50; 2000.25 + 300 = 2300.25 await approval
    assert (row.ytd, row.ytd_pending, row.ytd_filed) == (
        Decimal("1000.50"),
        Decimal("2300.25"),
        Decimal("3300.75"),
    )
    listed = Project.objects.filter(pk=building.pk).annotate(
        done=selectors.year_to_date(dt.date(2022, 3, 1))
    )
    assert listed.values_list("done", flat=True).get() == Decimal("1000.50")
    # and the filer's workspace shows the running total with the pending part labelled
    client.force_login(lichen_filer)
    page = client.get("/reporting/?period=2022-03").content.decode()
    assert "3,300.75" in page and "含待审核 2,300.25 万元" in page


def test_workspace_for_the_city_narrows_to_a_region(city_admin, region):
    period = ReportingPeriodFactory.create(month=NOVEMBER)
    _started("LC-A", dt.date(2022, 1, 1))
    _started("FZ-A", dt.date(2022, 1, 1), region=region("350503"))

    everything = selectors.workspace_rows(user=city_admin, period=period)
    fengze = selectors.workspace_rows(user=city_admin, period=period, region=region("350503"))

    assert [r.code for r in everything] == ["LC-A", "FZ-A"]
    assert [r.code for r in fengze] == ["FZ-A"]


def _months(year: int, month: int, count: int) -> list[dt.date]:
    first = dt.date(year, month, 1)
    return [
        dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]


@pytest.fixture
def filed_november(region, period):
    """Licheng: four due projects (submitted, city-approved, draft, returned); Fengze: one due
    project, district-approved; Luojiang: one due project with nothing filed."""
    statuses = ["submitted", "city_approved", "draft", "returned"]
    for n, status in enumerate(statuses):
        _report(_started(f"LC-{n}", dt.date(2022, 1, 1)), period, status=status)
    _started("LC-NOT-DUE", None)
    fengze = _started("FZ-0", dt.date(2022, 1, 1), region=region("350503"))
    _report(fengze, period, status="district_approved")
    _started("LJ-0", dt.date(2022, 1, 1), region=region("350504"))
    return period


def _district(code, name, name_en, order, due, filed, approved, returned, drafts, state):
    return {
        "region__code": code,
        "region__name": name,
        "region__name_en": name_en,
        "region__sort_order": order,
        "due": due,
        "filed": filed,
        "approved": approved,
        "returned": returned,
        "drafts": drafts,
        "missing": due - filed,
        "state": state,
    }


@pytest.mark.parametrize(
    ("today", "behind"),
    [(dt.date(2022, 12, 5), "in_progress"), (dt.date(2022, 12, 6), "late")],
)
def test_district_status_counts_and_states(city_admin, filed_november, today, behind):
    rows = selectors.district_status(user=city_admin, period=filed_november, today=today)

    assert rows == [
        _district("350502", "鲤城区", "Licheng District", 10, 4, 2, 1, 1, 1, behind),
        _district("350503", "丰泽区", "Fengze District", 20, 1, 1, 0, 0, 0, "complete"),
        _district("350504", "洛江区", "Luojiang District", 30, 1, 0, 0, 0, 0, behind),
    ]


def test_a_district_sees_only_its_own_status(lichen_filer, filed_november):
    rows = selectors.district_status(
        user=lichen_filer, period=filed_november, today=dt.date(2022, 12, 1)
    )

    assert [(r["region__code"], r["due"], r["state"]) for r in rows] == [
        ("350502", 4, "in_progress")
    ]


def test_district_status_of_one_region_is_filtered_in_one_query(
    city_admin, filed_november, region, django_assert_num_queries
):
    fengze = region("350503")
    memberships_of(city_admin)  # loaded once per request, before any page reads
    with django_assert_num_queries(1):
        rows = selectors.district_status(
            user=city_admin, period=filed_november, today=dt.date(2022, 12, 6), region=fengze
        )

    assert rows == [
        _district("350503", "丰泽区", "Fengze District", 20, 1, 1, 0, 0, 0, "complete"),
    ]


def test_reports_visible_to_a_district_are_its_own(lichen_filer, fengze_filer, filed_november):
    assert sorted(
        ProgressReport.objects.visible_to(lichen_filer).values_list("project__code", flat=True)
    ) == ["LC-0", "LC-1", "LC-2", "LC-3"]
    assert list(
        ProgressReport.objects.visible_to(fengze_filer).values_list("project__code", flat=True)
    ) == ["FZ-0"]
    assert list(ProgressReport.objects.counted().values_list("project__code", flat=True)) == [
        "LC-1"
    ]


def test_the_current_period_is_the_latest_open_one(city_admin):
    assert selectors.period_current() is None
    ReportingPeriodFactory.create(month=dt.date(2022, 10, 1))
    november = ReportingPeriodFactory.create(month=NOVEMBER)
    december = ReportingPeriodFactory.create(month=dt.date(2022, 12, 1), state="closed")

    assert selectors.period_current() == november
    period_close(actor=city_admin, period=november)
    ReportingPeriod.objects.filter(month=dt.date(2022, 10, 1)).update(state="closed")
    assert selectors.period_current() == december
    assert [p.month.month for p in selectors.period_list()] == [12, 11, 10]


def test_a_project_with_a_report_keeps_it(project, period):
    # Reports protect their project from deletion: the history is not lost with the ledger row.
    _report(project, period)

    with pytest.raises(ProtectedError):
        Project.objects.filter(pk=project.pk).delete()

    assert Project.objects.filter(pk=project.pk).count() == 1


# --- duties the workflow enforces -------------------------------------------------------------


def test_a_project_not_due_this_month_cannot_be_filed(lichen_filer, period):
    # Given a signed investment project (counted by its stage dates, not by monthly reports)
    signed = ProjectFactory.create(
        code="LC-ZS-001", category=Category.objects.get(code="investment-signed")
    )
    StageEventFactory.create(project=signed, stage="started", date=dt.date(2022, 3, 15))

    with pytest.raises(ValidationError) as refused:
        report_save(
            actor=lichen_filer, project=signed, period=period, data=SOUND, expected_version=None
        )

    assert refused.value.messages == [
        "项目“LC-ZS-001”2022-11 无需填报月度进展（未开工、已于此前竣工，或所属类别不按月填报）。"
    ]
    assert not ProgressReport.objects.exists()
    assert _events() == []


def test_whoever_submitted_cannot_also_approve(city_admin, project, period):
    # Given a report the city admin filed and submitted, then a district reviewer approved
    report, _ = report_save(
        actor=city_admin, project=project, period=period, data=SOUND, expected_version=None
    )
    report_submit(actor=city_admin, report=report)
    ProgressReport.objects.filter(pk=report.pk).update(status="district_approved")
    report.refresh_from_db()

    # When the same person tries the city approval
    with pytest.raises(PermissionDenied):
        report_approve(actor=city_admin, report=report)

    # Then nothing moved and the refusal is kept
    assert _row(report)[:2] == ("district_approved", 2)
    assert AuditEvent.objects.filter(action="denied").values_list("message", flat=True)[0] == (
        "不能审核自己报送的报告。"
    )


def test_reopening_is_refused_for_lack_of_permission_before_lack_of_reason(lichen_filer, period):
    period.state = "closed"
    period.save()

    with pytest.raises(PermissionDenied):
        period_reopen(actor=lichen_filer, period=period, reason="")

    assert AuditEvent.objects.filter(action="denied", actor=lichen_filer).count() == 1


def test_prior_total_is_as_of_the_reports_month(lichen_filer, project, period):
    # Given October and December reports beside November's (5 亿元 project)
    october = ReportingPeriodFactory.create(month=dt.date(2022, 10, 1))
    december = ReportingPeriodFactory.create(month=dt.date(2022, 12, 1))
    _report(project, october, amount=Decimal("10000.00"))
    _report(project, december, amount=Decimal("39000.00"))
    november = _report(project, period, amount=Decimal("30000.00"))

    # Then November is judged against October only: 40,000 of 50,000, nothing over
    findings = report_check(november)

    assert [f.rule for f in findings] == []


def test_a_resubmission_keeps_the_first_filing_time(lichen_filer, lichen_reviewer, project, period):
    report, _ = report_save(
        actor=lichen_filer, project=project, period=period, data=SOUND, expected_version=None
    )
    report_submit(actor=lichen_filer, report=report)
    first = ProgressReport.objects.get(pk=report.pk).submitted_at
    report_return(actor=lichen_reviewer, report=report, reason="请补充照片")
    report_submit(actor=lichen_filer, report=report)

    assert ProgressReport.objects.get(pk=report.pk).submitted_at == first
