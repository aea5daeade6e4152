"""send-reminders: which districts are missing which reports, who is told what (in-app, e-mail,
SMS), once per person per day; the run is audited once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from gongjian.accounts.choices import Role
from gongjian.audit.models import AuditEvent
from gongjian.notifications import sms
from gongjian.notifications.models import Notification, ReminderLog, ReminderRun
from gongjian.notifications.reminders import reminder_shortfalls, reminders_send
from gongjian.regions.models import Region
from gongjian.tests.factories import (
    MembershipFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LICHENG_TITLE = "2022年12月项目进展填报提醒：鲤城区还有 3 个项目未报送"
LICHENG_LINES = "未报送的项目：\n鲤城区：LC-001、LC-002、LC-003\n请在“月度填报”中填写并报送。"
FENGZE_TITLE = "2022年12月项目进展填报提醒：丰泽区还有 1 个项目未报送"
FENGZE_LINES = "未报送的项目：\n丰泽区：FZ-001\n请在“月度填报”中填写并报送。"


@pytest.fixture(autouse=True)
def _clean_outboxes(settings):
    settings.SITE_URL = "https://gongjian.example.gov.cn"
    settings.GONGJIAN_SMS_BACKEND = "gongjian.notifications.sms.LoggingSmsBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _member(username, role, code, **fields):
    user = UserFactory.create(username=username, **fields)
    MembershipFactory.create(user=user, role=role, region=Region.objects.get(code=code))
    return user


@pytest.fixture
def period(db):
    """December 2022, due 2023-01-05."""
    return ReportingPeriodFactory.create(month=dt.date(2022, 12, 1))


@pytest.fixture
def ledger(period, region):
    """鲤城区: three projects missing (none, a draft, a returned one), two filed, one not started;
    丰泽区: one missing, one filed; 洛江区: complete."""

    def started(code, where="350502"):
        project = ProjectFactory.create(code=code, region=region(where))
        StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
        return project

    started("LC-001")
    ProgressReportFactory.create(project=started("LC-002"), period=period, status="draft")
    ProgressReportFactory.create(project=started("LC-003"), period=period, status="returned")
    ProgressReportFactory.create(project=started("LC-004"), period=period, status="submitted")
    ProgressReportFactory.create(project=started("LC-005"), period=period, status="city_approved")
    ProjectFactory.create(code="LC-006")  # not started: not due
    started("FZ-001", "350503")
    ProgressReportFactory.create(
        project=started("FZ-002", "350503"), period=period, status="district_approved"
    )
    ProgressReportFactory.create(
        project=started("LJ-001", "350504"), period=period, status="submitted"
    )


@pytest.fixture
def filers(db):
    """Who works where: two 鲤城 filers (one reachable by e-mail and SMS), a 丰泽 filer with
    e-mail only; a reviewer, an inactive filer and a 洛江 filer who must not be told."""
    return {
        "lc1": _member(
            "lichen_filer",
            Role.DISTRICT_FILER,
            "350502",
            display_name="陈晓",
            email="chenxiao@lc.example.gov.cn",
            phone="13800000001",
        ),
        "lc2": _member("lichen_filer2", Role.DISTRICT_FILER, "350502", email="", phone=""),
        "fz": _member(
            "fengze_filer", Role.DISTRICT_FILER, "350503", email="fz@example.gov.cn", phone=""
        ),
        "reviewer": _member(
            "lichen_reviewer2", Role.DISTRICT_REVIEWER, "350502", email="rv@example.gov.cn"
        ),
        "inactive": _member(
            "lichen_gone",
            Role.DISTRICT_FILER,
            "350502",
            email="gone@example.gov.cn",
            is_active=False,
        ),
        "lj": _member("luojiang_filer", Role.DISTRICT_FILER, "350504", email="lj@example.gov.cn"),
    }


def _run(*args: str, capture) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("send-reminders", *args, stdout=out)
    return out.getvalue()


def _notifications():
    return list(
        Notification.objects.order_by("id").values_list(
            "recipient__username", "kind", "title", "body", "link"
        )
    )


def test_shortfalls_per_district_in_official_order(ledger, period, django_assert_num_queries):
    with django_assert_num_queries(2):
        shortfalls = reminder_shortfalls(period=period)

    assert [(s.region.code, s.codes) for s in shortfalls] == [
        ("350502", ["LC-001", "LC-002", "LC-003"]),
        ("350503", ["FZ-001"]),
    ]


def test_before_the_due_date_filers_get_a_reminder(
    ledger, filers, django_capture_on_commit_callbacks
):
    out = _run(
        "--period", "2022-12", "--today", "2023-01-03", capture=django_capture_on_commit_callbacks
    )

    deadline = "距截止还有 2 天（截止日期 2023-01-05）"
    lichen_body = f"{deadline}。\n{LICHENG_LINES}"
    fengze_body = f"{deadline}。\n{FENGZE_LINES}"
    lichen_link = "/reporting/?period=2022-12&region=350502"
    fengze_link = "/reporting/?period=2022-12&region=350503"
    assert _notifications() == [
        ("fengze_filer", "report_reminder", FENGZE_TITLE, fengze_body, fengze_link),
        ("lichen_filer", "report_reminder", LICHENG_TITLE, lichen_body, lichen_link),
        ("lichen_filer2", "report_reminder", LICHENG_TITLE, lichen_body, lichen_link),
    ]
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (
            ["fz@example.gov.cn"],
            f"【攻坚】{FENGZE_TITLE}",
            f"{fengze_body}\n\n查看详情：https://gongjian.example.gov.cn{fengze_link}",
        ),
        (
            ["chenxiao@lc.example.gov.cn"],
            f"【攻坚】{LICHENG_TITLE}",
            f"{lichen_body}\n\n查看详情：https://gongjian.example.gov.cn{lichen_link}",
        ),
    ]
    assert [(m.phone, m.text) for m in sms.outbox] == [
        ("13800000001", f"【攻坚】{LICHENG_TITLE}。{deadline}，请登录平台报送。")
    ]
    assert out == (
        "2022年12月 填报提醒（2023-01-03，截止 2023-01-05）\n"
        "  鲤城区 未报送 3 个：LC-001、LC-002、LC-003 → 通知 lichen_filer、lichen_filer2\n"
        "  丰泽区 未报送 1 个：FZ-001 → 通知 fengze_filer\n"
        "合计：2 个区域 4 个项目未报送；"
        "已通知 3 人，邮件 2 封，短信 1 条；今日已提醒而跳过 0 人。\n"
    )


def test_after_the_due_date_it_is_an_overdue_notice(
    ledger, filers, django_capture_on_commit_callbacks
):
    _run("--period", "2022-12", "--today", "2023-01-06", capture=django_capture_on_commit_callbacks)

    notice = Notification.objects.get(recipient=filers["lc1"])
    assert (notice.kind, notice.title, notice.body) == (
        "report_overdue",
        "2022年12月项目进展填报已逾期：鲤城区还有 3 个项目未报送",
        f"已逾期 1 天（截止日期 2023-01-05）。\n{LICHENG_LINES}",
    )
    assert [(m.phone, m.text) for m in sms.outbox] == [
        (
            "13800000001",
            "【攻坚】2022年12月项目进展填报已逾期：鲤城区还有 3 个项目未报送。"
            "已逾期 1 天（截止日期 2023-01-05），请登录平台报送。",
        )
    ]


def test_on_the_due_date_it_says_today(ledger, filers, django_capture_on_commit_callbacks):
    _run("--period", "2022-12", "--today", "2023-01-05", capture=django_capture_on_commit_callbacks)

    notice = Notification.objects.get(recipient=filers["fz"])
    assert (notice.kind, notice.body) == (
        "report_reminder",
        f"今天截止（截止日期 2023-01-05）。\n{FENGZE_LINES}",
    )


def test_a_second_run_the_same_day_tells_nobody_again(
    ledger, filers, django_capture_on_commit_callbacks
):
    args = ("--period", "2022-12", "--today", "2023-01-06")
    _run(*args, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    sms.outbox.clear()

    out = _run(*args, capture=django_capture_on_commit_callbacks)

    assert Notification.objects.count() == 3
    assert mail.outbox == []
    assert list(sms.outbox) == []
    assert out.endswith("已通知 0 人，邮件 0 封，短信 0 条；今日已提醒而跳过 3 人。\n")
    assert list(
        ReminderLog.objects.order_by("recipient__username").values_list(
            "recipient__username", "sent_on", "project_codes", "emailed", "texted"
        )
    ) == [
        ("fengze_filer", dt.date(2023, 1, 6), ["FZ-001"], True, False),
        ("lichen_filer", dt.date(2023, 1, 6), ["LC-001", "LC-002", "LC-003"], True, True),
        ("lichen_filer2", dt.date(2023, 1, 6), ["LC-001", "LC-002", "LC-003"], False, False),
    ]


def test_the_next_day_they_are_told_again(ledger, filers, django_capture_on_commit_callbacks):
    _run("--period", "2022-12", "--today", "2023-01-06", capture=django_capture_on_commit_callbacks)
    _run("--period", "2022-12", "--today", "2023-01-07", capture=django_capture_on_commit_callbacks)

    assert list(
        Notification.objects.filter(recipient=filers["lc1"])
        .order_by("id")
        .values_list("body", flat=True)
    ) == [
        f"已逾期 1 天（截止日期 2023-01-05）。\n{LICHENG_LINES}",
        f"已逾期 2 天（截止日期 2023-01-05）。\n{LICHENG_LINES}",
    ]


def test_one_audit_event_per_run_with_the_counts(
    ledger, filers, django_capture_on_commit_callbacks
):
    args = ("--period", "2022-12", "--today", "2023-01-06")
    _run(*args, capture=django_capture_on_commit_callbacks)
    _run(*args, capture=django_capture_on_commit_callbacks)

    runs = list(ReminderRun.objects.order_by("id"))
    assert [
        (e.action, e.actor_username, e.object_type, e.object_id, e.after)
        for e in AuditEvent.objects.order_by("id")
    ] == [
        (
            "create",
            "system",
            "notifications.reminderrun",
            str(run.pk),
            {
                "period": "2022-12",
                "run_on": "2023-01-06",
                "kind": "overdue",
                "region_count": 2,
                "project_count": 4,
                "recipient_count": recipients,
                "email_count": emails,
                "sms_count": texts,
                "skipped_count": skipped,
            },
        )
        for run, (recipients, emails, texts, skipped) in zip(
            runs, [(3, 2, 1, 0), (0, 0, 0, 3)], strict=True
        )
    ]


def test_dry_run_writes_and_sends_nothing(ledger, filers, django_capture_on_commit_callbacks):
    out = _run(
        "--period",
        "2022-12",
        "--today",
        "2023-01-06",
        "--dry-run",
        capture=django_capture_on_commit_callbacks,
    )

    assert (
        out.splitlines()[0]
        == "2022年12月 逾期催报（2023-01-06，截止 2023-01-05）  [试运行，未发送]"
    )
    assert out.splitlines()[-1] == (
        "合计：2 个区域 4 个项目未报送；将通知 3 人，邮件 2 封，短信 1 条；今日已提醒而跳过 0 人。"
    )
    assert Notification.objects.count() == 0
    assert ReminderRun.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert mail.outbox == []
    assert list(sms.outbox) == []


def test_nothing_missing_nobody_told_but_the_run_is_recorded(
    period, filers, django_capture_on_commit_callbacks
):
    out = _run(
        "--period", "2022-12", "--today", "2023-01-03", capture=django_capture_on_commit_callbacks
    )

    assert Notification.objects.count() == 0
    assert out.splitlines()[-1] == (
        "合计：0 个区域 0 个项目未报送；已通知 0 人，邮件 0 封，短信 0 条；今日已提醒而跳过 0 人。"
    )
    assert ReminderRun.objects.count() == 1


def test_a_closed_period_is_not_chased(ledger, filers, period):
    period.state = "closed"
    period.save()

    with pytest.raises(CommandError) as error:
        call_command("send-reminders", "--period", "2022-12", stdout=StringIO())

    assert str(error.value) == "2022年12月填报期已关闭，不再催报。"
    assert Notification.objects.count() == 0


def test_unknown_period_and_bad_dates_are_command_errors(db):
    with pytest.raises(CommandError) as missing:
        call_command("send-reminders", "--period", "2022-12", stdout=StringIO())
    with pytest.raises(CommandError) as bad_day:
        call_command("send-reminders", "--today", "2023-13-01", stdout=StringIO())

    assert str(missing.value) == "没有 2022-12 的填报期 / no such reporting period"
    assert str(bad_day.value) == "month must be in 1..12"


# --- who may send them by hand ----------------------------------------------------------------


@pytest.fixture
def persona(request):
    return request.getfixturevalue(request.param)


def test_the_city_admin_may_send_them(
    city_admin, ledger, filers, period, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = reminders_send(period=period, today=dt.date(2023, 1, 3), actor=city_admin)

    assert [r.user.username for r in outcome.sent] == [
        "fengze_filer",
        "lichen_filer",
        "lichen_filer2",
    ]
    assert list(AuditEvent.objects.values_list("action", "actor_username")) == [
        ("create", "city_admin")
    ]


@pytest.mark.parametrize(
    "persona",
    ["city_reviewer", "leader", "department", "lichen_reviewer", "anonymous"],
    indirect=True,
)
def test_others_may_not(persona, ledger, filers, period):
    with pytest.raises(PermissionDenied) as refusal:
        reminders_send(period=period, today=dt.date(2023, 1, 3), actor=persona)

    assert str(refusal.value) == "无权发送填报提醒。"
    assert Notification.objects.count() == 0
    assert ReminderRun.objects.count() == 0
    assert list(
        AuditEvent.objects.values_list("action", "actor_username", "object_type", "message")
    ) == [("denied", persona.username, "reporting.reportingperiod", "无权发送填报提醒。")]


def test_the_refusal_for_a_closed_period_is_a_validation_error(city_admin, period):
    period.state = "closed"
    with pytest.raises(ValidationError) as error:
        reminders_send(period=period, today=dt.date(2023, 1, 3), actor=city_admin)
    assert error.value.message_dict == {"period": ["2022年12月填报期已关闭，不再催报。"]}


def test_a_long_list_names_twenty_codes_and_the_count(
    period, region, django_capture_on_commit_callbacks
):
    for number in range(1, 23):
        project = ProjectFactory.create(code=f"LJ-{number:03d}", region=region("350504"))
        StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
    _member("luojiang_filer", Role.DISTRICT_FILER, "350504")
    _member("anxi_reviewer", Role.DISTRICT_REVIEWER, "350524")
    project = ProjectFactory.create(code="AX-001", region=region("350524"))
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))

    out = _run(
        "--period", "2022-12", "--today", "2023-01-03", capture=django_capture_on_commit_callbacks
    )

    first_twenty = "、".join(f"LJ-{n:03d}" for n in range(1, 21))
    assert Notification.objects.get().body.splitlines()[2] == f"洛江区：{first_twenty} 等 22 个"
    assert ReminderLog.objects.get().project_codes == [f"LJ-{n:03d}" for n in range(1, 23)]
    assert out.splitlines()[1:3] == [
        "  洛江区 未报送 22 个：LJ-001、LJ-002、LJ-003、LJ-004、LJ-005 等 22 个"
        " → 通知 luojiang_filer",
        "  安溪县 未报送 1 个：AX-001 → 通知 无（没有可通知的填报员）",
    ]
