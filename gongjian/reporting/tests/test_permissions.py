"""Role matrix of monthly reporting: who may file, submit, review at each level, return, and run
periods. A denied attempt raises PermissionDenied, changes nothing, and leaves exactly one "denied"
audit event for the actor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongjian.accounts.choices import Role
from gongjian.audit.models import AuditEvent
from gongjian.regions.models import Region
from gongjian.reporting import selectors
from gongjian.reporting.models import ProgressReport, ReportingPeriod, ReportStatusChange
from gongjian.reporting.services import (
    ReportInput,
    period_close,
    period_open,
    period_reopen,
    report_approve,
    report_return,
    report_save,
    report_submit,
)
from gongjian.tests.factories import (
    MembershipFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EVERYONE = [
    "city_admin",
    "city_reviewer",
    "leader",
    "department",
    "lichen_filer",
    "lichen_reviewer",
    "fengze_filer",
    "fengze_reviewer",
    "anonymous",
]


def _others(*allowed: str) -> list[str]:
    return [p for p in EVERYONE if p not in allowed]


FILERS = ["city_admin", "lichen_filer"]
DISTRICT_REVIEWERS = ["lichen_reviewer"]
CITY_REVIEWERS = ["city_reviewer", "city_admin"]
PERIOD_MANAGERS = ["city_admin"]

DATA = ReportInput(amount=Decimal("1200.50"), progress_text="主体结构施工")


@pytest.fixture
def fengze_reviewer(db):
    user = UserFactory.create(username="fengze_reviewer")
    MembershipFactory.create(
        user=user, role=Role.DISTRICT_REVIEWER, region=Region.objects.get(code="350503")
    )
    return user


@pytest.fixture
def persona(request):
    """The persona fixture named by the parameter (AnonymousUser's username is "")."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def period(db):
    return ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))


@pytest.fixture
def project(db):
    project = ProjectFactory.create(code="LC-2022-001")
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
    return project


def _report(project, period, status: str, version: int) -> ProgressReport:
    return ProgressReportFactory.create(
        project=project,
        period=period,
        amount=Decimal("800.00"),
        progress_text="基础施工",
        status=status,
        version=version,
    )


def _events():
    return [
        (e.action, e.actor_username, e.object_type, e.object_id, e.message)
        for e in AuditEvent.objects.order_by("id")
    ]


def _state(report):
    row = ProgressReport.objects.get(pk=report.pk)
    return (row.status, row.version, row.amount, row.progress_text)


def _denied(persona, object_type: str, object_id, message: str):
    return [("denied", persona.username, object_type, str(object_id or ""), message)]


# --- filing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", FILERS, indirect=True)
def test_filers_create_a_report(persona, project, period):
    report, _ = report_save(
        actor=persona, project=project, period=period, data=DATA, expected_version=None
    )

    assert list(ProgressReport.objects.values_list("pk", "created_by", "amount")) == [
        (report.pk, persona.pk, Decimal("1200.50"))
    ]
    assert _events() == [
        ("create", persona.username, "reporting.progressreport", str(report.pk), "")
    ]


@pytest.mark.parametrize("persona", _others(*FILERS), indirect=True)
def test_others_cannot_create_a_report(persona, project, period):
    with pytest.raises(PermissionDenied) as refusal:
        report_save(actor=persona, project=project, period=period, data=DATA, expected_version=None)

    message = "无权填报项目“LC-2022-001”的月度进展。"
    assert str(refusal.value) == message
    assert ProgressReport.objects.count() == 0
    assert _events() == _denied(persona, "projects.project", project.pk, message)


@pytest.mark.parametrize("persona", FILERS, indirect=True)
def test_filers_edit_a_draft(persona, project, period):
    report = _report(project, period, "draft", 1)

    report_save(actor=persona, project=project, period=period, data=DATA, expected_version=1)

    assert _state(report) == ("draft", 2, Decimal("1200.50"), "主体结构施工")
    assert _events() == [
        ("update", persona.username, "reporting.progressreport", str(report.pk), "")
    ]


@pytest.mark.parametrize("persona", _others(*FILERS), indirect=True)
def test_others_cannot_edit_a_draft(persona, project, period):
    report = _report(project, period, "draft", 1)

    with pytest.raises(PermissionDenied):
        report_save(actor=persona, project=project, period=period, data=DATA, expected_version=1)

    assert _state(report) == ("draft", 1, Decimal("800.00"), "基础施工")
    assert _events() == _denied(
        persona, "projects.project", project.pk, "无权填报项目“LC-2022-001”的月度进展。"
    )


@pytest.mark.parametrize("persona", FILERS, indirect=True)
def test_filers_submit(persona, project, period):
    report = _report(project, period, "draft", 1)

    report_submit(actor=persona, report=report)

    assert _state(report)[:2] == ("submitted", 2)
    assert list(ReportStatusChange.objects.values_list("to_status", "actor")) == [
        ("submitted", persona.pk)
    ]
    assert _events() == [
        ("update", persona.username, "reporting.progressreport", str(report.pk), "")
    ]


@pytest.mark.parametrize("persona", _others(*FILERS), indirect=True)
def test_others_cannot_submit(persona, project, period):
    report = _report(project, period, "draft", 1)

    with pytest.raises(PermissionDenied) as refusal:
        report_submit(actor=persona, report=report)

    assert str(refusal.value) == "无权报送该报告。"
    assert _state(report) == ("draft", 1, Decimal("800.00"), "基础施工")
    assert ReportStatusChange.objects.count() == 0
    assert _events() == _denied(persona, "reporting.progressreport", report.pk, "无权报送该报告。")


# --- review -----------------------------------------------------------------------------------

LEVELS = {
    # level: (status the review starts from, who may act, status an approval leads to)
    "district": ("submitted", DISTRICT_REVIEWERS, "district_approved"),
    "city": ("district_approved", CITY_REVIEWERS, "city_approved"),
}
APPROVE_MATRIX = [
    (level, name, name in allowed) for level, (_, allowed, _) in LEVELS.items() for name in EVERYONE
]


@pytest.mark.parametrize(
    ("level", "persona", "allowed"),
    [
        pytest.param(level, name, allowed, id=f"{level}-{name}")
        for level, name, allowed in APPROVE_MATRIX
    ],
    indirect=["persona"],
)
def test_approve_matrix(level, persona, allowed, project, period):
    start, _, target = LEVELS[level]
    report = _report(project, period, start, 2)

    if allowed:
        report_approve(actor=persona, report=report)

        assert _state(report)[:2] == (target, 3)
        assert list(
            ReportStatusChange.objects.values_list("from_status", "to_status", "actor")
        ) == [(start, target, persona.pk)]
        assert _events() == [
            ("update", persona.username, "reporting.progressreport", str(report.pk), "")
        ]
    else:
        with pytest.raises(PermissionDenied) as refusal:
            report_approve(actor=persona, report=report)

        assert str(refusal.value) == "无权审核该报告。"
        assert _state(report) == (start, 2, Decimal("800.00"), "基础施工")
        assert ReportStatusChange.objects.count() == 0
        assert _events() == _denied(
            persona, "reporting.progressreport", report.pk, "无权审核该报告。"
        )


@pytest.mark.parametrize(
    ("level", "persona", "allowed"),
    [
        pytest.param(level, name, allowed, id=f"{level}-{name}")
        for level, name, allowed in APPROVE_MATRIX
    ],
    indirect=["persona"],
)
def test_return_matrix(level, persona, allowed, project, period):
    start, _, _ = LEVELS[level]
    report = _report(project, period, start, 2)

    if allowed:
        report_return(actor=persona, report=report, reason="请核实金额")

        assert _state(report)[:2] == ("returned", 3)
        assert list(
            ReportStatusChange.objects.values_list("from_status", "to_status", "actor", "reason")
        ) == [(start, "returned", persona.pk, "请核实金额")]
        assert _events() == [
            ("update", persona.username, "reporting.progressreport", str(report.pk), "请核实金额")
        ]
    else:
        with pytest.raises(PermissionDenied) as refusal:
            report_return(actor=persona, report=report, reason="请核实金额")

        assert str(refusal.value) == "无权退回该报告。"
        assert _state(report) == (start, 2, Decimal("800.00"), "基础施工")
        assert ReportStatusChange.objects.count() == 0
        assert _events() == _denied(
            persona, "reporting.progressreport", report.pk, "无权退回该报告。"
        )


@pytest.fixture
def city_wide_filer(db):
    """A filer whose membership is at the city: files anywhere, still reviews nothing."""
    user = UserFactory.create(username="city_wide_filer")
    MembershipFactory.create(
        user=user, role=Role.DISTRICT_FILER, region=Region.objects.get(code="350500")
    )
    return user


@pytest.mark.parametrize("level", ["district", "city"])
@pytest.mark.parametrize("persona", ["lichen_filer", "city_wide_filer"], indirect=True)
def test_a_filer_can_never_approve_even_the_report_they_filed(persona, level, project, period):
    # Given the filer's own report, filed and waiting at this level
    report, _ = report_save(
        actor=persona, project=project, period=period, data=DATA, expected_version=None
    )
    report_submit(actor=persona, report=report)
    if level == "city":
        ProgressReport.objects.filter(pk=report.pk).update(status="district_approved")
        report.status = "district_approved"
    events = _events()

    with pytest.raises(PermissionDenied):
        report_approve(actor=persona, report=report)

    assert ProgressReport.objects.get(pk=report.pk).status == report.status
    assert ReportStatusChange.objects.count() == 1
    assert _events()[len(events) :] == _denied(
        persona, "reporting.progressreport", report.pk, "无权审核该报告。"
    )


# --- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERIOD_MANAGERS, indirect=True)
def test_period_managers_open_a_month(persona):
    period = period_open(actor=persona, month=dt.date(2022, 12, 1))

    assert list(ReportingPeriod.objects.values_list("month", "state")) == [
        (dt.date(2022, 12, 1), "open")
    ]
    assert _events() == [
        ("create", persona.username, "reporting.reportingperiod", str(period.pk), "")
    ]


@pytest.mark.parametrize("persona", _others(*PERIOD_MANAGERS), indirect=True)
def test_others_cannot_open_a_month(persona):
    with pytest.raises(PermissionDenied) as refusal:
        period_open(actor=persona, month=dt.date(2022, 12, 1))

    assert str(refusal.value) == "无权开启填报期。"
    assert ReportingPeriod.objects.count() == 0
    assert _events() == [("denied", persona.username, "", "", "无权开启填报期。")]


@pytest.mark.parametrize("persona", PERIOD_MANAGERS, indirect=True)
def test_period_managers_close_and_reopen_a_month(persona, period):
    period_close(actor=persona, period=period)
    period_reopen(actor=persona, period=period, reason="补报")

    assert ReportingPeriod.objects.get().state == "open"
    assert [e[:2] for e in _events()] == [("update", persona.username)] * 2


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (lambda actor, period: period_close(actor=actor, period=period), "open"),
        (lambda actor, period: period_reopen(actor=actor, period=period, reason="补报"), "closed"),
    ],
    ids=["close", "reopen"],
)
@pytest.mark.parametrize("persona", _others(*PERIOD_MANAGERS), indirect=True)
def test_others_cannot_close_or_reopen_a_month(persona, action, state):
    period = ReportingPeriodFactory.create(month=dt.date(2022, 11, 1), state=state)

    with pytest.raises(PermissionDenied) as refusal:
        action(persona, period)

    assert str(refusal.value) == "无权变更填报期状态。"
    assert ReportingPeriod.objects.get().state == state
    assert _events() == _denied(
        persona, "reporting.reportingperiod", period.pk, "无权变更填报期状态。"
    )


# --- reading one report -----------------------------------------------------------------------


def test_a_report_is_read_through_the_readers_scope(lichen_filer, city_reviewer, project, period):
    report = _report(project, period, "submitted", 2)

    assert selectors.report_get(user=lichen_filer, pk=report.pk) == report
    assert selectors.report_get(user=city_reviewer, pk=str(report.pk)) == report
    assert _events() == []


def test_another_districts_report_is_not_found_and_the_attempt_is_kept(
    fengze_filer, project, period
):
    report = _report(project, period, "submitted", 2)

    with pytest.raises(Http404):
        selectors.report_get(user=fengze_filer, pk=report.pk)
    with pytest.raises(Http404):
        selectors.report_get(user=fengze_filer, pk=report.pk + 1000)

    assert _events() == _denied(
        fengze_filer, "reporting.progressreport", report.pk, "访问范围之外的对象。"
    )
