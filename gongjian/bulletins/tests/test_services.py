"""Requesting, generating (the background task), publishing and downloading bulletins; who may;
the command line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from gongjian.audit.models import AuditEvent
from gongjian.bulletins.models import Bulletin
from gongjian.bulletins.services import (
    bulletin_generate,
    bulletin_publish,
    bulletin_request,
)
from gongjian.bulletins.tasks import generate_bulletin
from gongjian.bulletins.tests.conftest import NOVEMBER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_date(settings):
    settings.BUSINESS_DATE = dt.date(2022, 12, 6)


def _queued(actor, campaign, format="pdf"):
    return bulletin_request(actor=actor, campaign=campaign, month=NOVEMBER, format=format)


def test_request_queues_the_task_and_the_task_makes_the_file(
    campaign, city_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = _queued(city_admin, campaign, "xlsx")

    task = DBTaskResult.objects.get()
    bulletin.refresh_from_db()
    assert (bulletin.status, bulletin.progress, bulletin.issue_number, bulletin.task_id) == (
        "queued",
        0,
        11,
        str(task.id),
    )
    assert (task.task_path, task.args_kwargs) == (
        "gongjian.bulletins.tasks.generate_bulletin",
        {"args": [bulletin.pk], "kwargs": {}},
    )
    created = AuditEvent.objects.get(action="create", object_type="bulletins.bulletin")
    assert (created.actor_username, created.message) == (
        "city_admin",
        "生成工作通报 第11期（2022年11月，Excel）。",
    )

    # When the worker runs the task
    assert generate_bulletin.call(bulletin.pk) == "done"

    bulletin.refresh_from_db()
    assert (bulletin.status, bulletin.progress, bulletin.error) == ("done", 100, "")
    with bulletin.file.open("rb") as stored:
        assert stored.read(4) == b"PK\x03\x04"
    assert bulletin.filename == "项目攻坚2022工作通报_第11期_2022-11.xlsx"
    # A retried task leaves the finished bulletin alone
    name = bulletin.file.name
    assert generate_bulletin.call(bulletin.pk) == "done"
    bulletin.refresh_from_db()
    assert bulletin.file.name == name


def test_publishing_is_audited_once(campaign, city_admin):
    bulletin = _queued(city_admin, campaign)
    with pytest.raises(ValidationError) as error:
        bulletin_publish(actor=city_admin, bulletin=bulletin)
    assert error.value.messages == ["通报尚未生成完成，不能发布。"]

    bulletin_generate(bulletin=bulletin)
    published = bulletin_publish(actor=city_admin, bulletin=bulletin)

    assert published.published_by == city_admin
    event = AuditEvent.objects.get(action="update", object_type="bulletins.bulletin")
    assert event.message == "发布工作通报 第11期（2022年11月，PDF）。"
    assert event.before is not None and event.after is not None
    assert (event.before["published_at"], event.after["published_by"]) == (None, "city_admin")
    with pytest.raises(ValidationError) as error:
        bulletin_publish(actor=city_admin, bulletin=bulletin)
    assert error.value.messages[0].startswith("该通报已于 ")


@pytest.mark.parametrize(
    "persona", ["lichen_filer", "fengze_filer", "leader", "city_reviewer", "anonymous"]
)
def test_only_the_campaign_office_generates(persona, request, campaign):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        _queued(actor, campaign)
    assert not Bulletin.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert list(AuditEvent.objects.values_list("action", "message")) == [
        ("denied", "无权生成工作通报。")
    ]


@pytest.mark.parametrize("persona", ["lichen_filer", "leader", "city_reviewer"])
def test_only_the_campaign_office_publishes(persona, request, campaign, city_admin):
    bulletin = bulletin_generate(bulletin=_queued(city_admin, campaign))
    actor = request.getfixturevalue(persona)
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        bulletin_publish(actor=actor, bulletin=bulletin)

    bulletin.refresh_from_db()
    assert (bulletin.published_at, bulletin.published_by) == (None, None)
    assert list(AuditEvent.objects.order_by("id").values_list("action", "message")[events:]) == [
        ("denied", "无权发布工作通报。")
    ]


def test_a_month_that_has_not_ended_or_is_outside_the_campaign(campaign, city_admin):
    with pytest.raises(ValidationError) as error:
        bulletin_request(
            actor=city_admin, campaign=campaign, month=dt.date(2022, 12, 1), format="pdf"
        )
    assert error.value.message_dict == {"month": ["2022-12 尚未结束，月度通报要在月份结束后生成。"]}
    with pytest.raises(ValidationError) as error:
        bulletin_request(
            actor=city_admin, campaign=campaign, month=dt.date(2021, 12, 1), format="rtf"
        )
    assert error.value.message_dict == {
        "format": ["格式只能是 pdf、docx 或 xlsx（填写了“rtf”）。"],
        "month": ["月份 2021-12 不在“项目攻坚2022”的期间（2022-01 至 2022-12）内。"],
    }
    assert not Bulletin.objects.exists()


def test_the_command_writes_the_file(campaign, tmp_path, capsys):
    out = tmp_path / "通报.docx"
    call_command(
        "bulletin",
        "--campaign",
        "xmgj2022",
        "--period",
        "2022-11",
        "--format",
        "docx",
        "--out",
        str(out),
    )
    data = out.read_bytes()
    assert data[:4] == b"PK\x03\x04"
    assert capsys.readouterr().out == f"已写入 {out}（{len(data)} 字节）\n"
    event = AuditEvent.objects.get(action="export")
    assert (event.actor_username, event.message) == (
        "system",
        "生成工作通报 第11期（2022年11月，docx）。",
    )


def test_the_command_refuses_a_bad_period(campaign, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command(
            "bulletin",
            "--campaign",
            "xmgj2022",
            "--period",
            "2022/11",
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "x.pdf"),
        )
    assert str(error.value) == "月份格式应为 YYYY-MM：2022/11"
    with pytest.raises(CommandError) as error:
        call_command(
            "bulletin",
            "--campaign",
            "nope",
            "--period",
            "2022-11",
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "x.pdf"),
        )
    assert str(error.value) == "未找到攻坚行动“nope”。"
    assert not (tmp_path / "x.pdf").exists()
