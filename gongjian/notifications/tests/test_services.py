"""notify(): in-app rows, e-mail through Django's mail backend, SMS through the configured sender;
marking read."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongjian.audit.models import AuditEvent
from gongjian.notifications import sms
from gongjian.notifications.models import Notification
from gongjian.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notify,
)
from gongjian.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_outboxes(settings):
    settings.SITE_URL = "https://gongjian.example.gov.cn"
    settings.GONGJIAN_SMS_BACKEND = "gongjian.notifications.sms.LoggingSmsBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def people(db):
    return {
        "with_all": UserFactory.create(
            username="wang", display_name="王芳", email="wang@example.gov.cn", phone="13800138000"
        ),
        "email_only": UserFactory.create(username="li", email="li@example.gov.cn", phone=""),
        "nothing": UserFactory.create(username="zhao", email="", phone=""),
        "inactive": UserFactory.create(
            username="qian", email="qian@example.gov.cn", phone="13900000000", is_active=False
        ),
    }


def _sms():
    return [(m.phone, m.text) for m in sms.outbox]


def test_notify_stores_one_row_per_active_person_and_sends_after_commit(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = notify(
            recipients=[
                people["with_all"],
                people["email_only"],
                people["nothing"],
                people["inactive"],
                people["with_all"],
            ],
            kind="supervision_issued",
            title="督办：加快用地报批",
            body="请于 2023-01-10 前办理。",
            link="/projects/supervisions/1/",
            email=True,
            sms=True,
        )

    assert len(callbacks) == 1
    assert [n.pk for n in created] == list(
        Notification.objects.order_by("id").values_list("pk", flat=True)
    )
    assert list(
        Notification.objects.order_by("id").values_list(
            "recipient__username", "kind", "title", "body", "link", "read_at"
        )
    ) == [
        (
            username,
            "supervision_issued",
            "督办：加快用地报批",
            "请于 2023-01-10 前办理。",
            "/projects/supervisions/1/",
            None,
        )
        for username in ("wang", "li", "zhao")
    ]
    assert [(m.subject, m.body, m.to, m.from_email) for m in mail.outbox] == [
        (
            "【攻坚】督办：加快用地报批",
            "请于 2023-01-10 前办理。\n\n"
            "查看详情：https://gongjian.example.gov.cn/projects/supervisions/1/",
            [address],
            "攻坚 <gongjian@localhost>",
        )
        for address in ("wang@example.gov.cn", "li@example.gov.cn")
    ]
    assert _sms() == [("13800138000", "【攻坚】督办：加快用地报批")]


def test_nothing_is_sent_when_the_transaction_rolls_back(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(
                    recipients=[people["with_all"]],
                    kind="problem_assigned",
                    title="问题交办",
                    body="",
                    email=True,
                    sms=True,
                )
                raise RuntimeError("the action failed after notifying")
        except RuntimeError:
            pass

    assert Notification.objects.count() == 0
    assert mail.outbox == []
    assert _sms() == []


def test_in_app_only_by_default_and_sms_text_can_differ(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[people["with_all"]], kind="problem_raised", title="新问题", body="正文")
        notify(
            recipients=[people["with_all"]],
            kind="report_overdue",
            title="逾期催报",
            body="正文",
            sms=True,
            sms_text="【攻坚】请尽快报送。",
        )

    assert Notification.objects.count() == 2
    assert mail.outbox == []
    assert _sms() == [("13800138000", "【攻坚】请尽快报送。")]


def test_no_recipients_no_rows(people):
    assert notify(recipients=[None, people["inactive"]], kind="x", title="t", body="b") == []
    assert Notification.objects.count() == 0


def test_logging_backend_masks_the_number_in_the_log(people, caplog):
    with caplog.at_level(logging.INFO, logger="gongjian.sms"):
        sms.LoggingSmsBackend().send("13800138000", "【攻坚】测试")

    assert caplog.messages == ["SMS to 138****8000: 【攻坚】测试"]
    assert _sms() == [("13800138000", "【攻坚】测试")]


class _BrokenGateway:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


def test_a_failing_sms_gateway_is_logged_not_raised(
    people, settings, caplog, django_capture_on_commit_callbacks
):
    settings.GONGJIAN_SMS_BACKEND = f"{__name__}._BrokenGateway"
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[people["with_all"]], kind="x", title="t", body="b", sms=True)

    assert Notification.objects.count() == 1
    assert caplog.messages == ["SMS delivery failed"]


def test_sms_backend_comes_from_the_setting(settings):
    settings.GONGJIAN_SMS_BACKEND = f"{__name__}._BrokenGateway"
    assert isinstance(sms.get_sms_backend(), _BrokenGateway)


# --- read marks -------------------------------------------------------------------------------


def _notification(user, title="t"):
    return Notification.objects.create(recipient=user, kind="problem_raised", title=title)


def test_mark_read_keeps_the_first_time(people):
    note = _notification(people["with_all"])

    first = notification_mark_read(notification=note, actor=people["with_all"]).read_at
    again = notification_mark_read(
        notification=Notification.objects.get(pk=note.pk), actor=people["with_all"]
    ).read_at

    assert first is not None
    assert again == first == Notification.objects.get(pk=note.pk).read_at
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("who", ["email_only", "anonymous"])
def test_only_the_recipient_marks_a_notification(people, who, anonymous):
    note = _notification(people["with_all"], title="王芳的通知")
    actor = anonymous if who == "anonymous" else people[who]

    with pytest.raises(PermissionDenied) as refusal:
        notification_mark_read(notification=note, actor=actor)

    assert str(refusal.value) == "只能标记自己的通知。"
    assert Notification.objects.get(pk=note.pk).read_at is None
    assert list(
        AuditEvent.objects.values_list("action", "actor_username", "object_type", "object_id")
    ) == [("denied", actor.username, "notifications.notification", str(note.pk))]


def test_mark_all_read_touches_only_the_actors_unread(people):
    mine = [_notification(people["with_all"]) for _ in range(3)]
    notification_mark_read(notification=mine[0], actor=people["with_all"])
    theirs = _notification(people["email_only"])

    assert notification_mark_all_read(actor=people["with_all"]) == 2
    assert Notification.objects.filter(recipient=people["with_all"], read_at=None).count() == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_refuses_anonymous(anonymous):
    with pytest.raises(PermissionDenied):
        notification_mark_all_read(actor=anonymous)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["denied"]
