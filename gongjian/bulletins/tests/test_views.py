"""The bulletin pages: list and form, progress fragment, download and publish, by role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongjian.audit.models import AuditEvent
from gongjian.bulletins.models import Bulletin
from gongjian.bulletins.services import bulletin_generate, bulletin_request
from gongjian.bulletins.tests.conftest import NOVEMBER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_date(settings):
    settings.BUSINESS_DATE = dt.date(2022, 12, 6)


@pytest.fixture
def done(campaign, city_admin):
    bulletin = bulletin_request(actor=city_admin, campaign=campaign, month=NOVEMBER, format="xlsx")
    return bulletin_generate(bulletin=bulletin)


def test_city_admin_queues_a_bulletin_from_the_list(client, campaign, city_admin):
    client.force_login(city_admin)
    page = client.get("/bulletins/").content.decode()
    assert '<option value="2022-11" selected>2022年11月</option>' in page
    assert '<a href="/bulletins/" class="active" aria-current="page">工作通报</a>' in page

    response = client.post(
        "/bulletins/new/", {"campaign": campaign.pk, "month": "2022-11", "format": "pdf"}
    )

    bulletin = Bulletin.objects.get()
    assert response["Location"] == f"/bulletins/{bulletin.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "排队中，等待后台生成……" in page
    assert f'hx-get="/bulletins/{bulletin.pk}/progress/" hx-trigger="every 1s"' in page


def test_progress_fragment_reloads_the_page_when_done(client, campaign, city_admin):
    bulletin = bulletin_request(actor=city_admin, campaign=campaign, month=NOVEMBER, format="pdf")
    client.force_login(city_admin)
    Bulletin.objects.filter(pk=bulletin.pk).update(status="running", progress=40)
    fragment = client.get(f"/bulletins/{bulletin.pk}/progress/")
    assert "HX-Refresh" not in fragment
    assert "正在生成：40%" in fragment.content.decode()
    assert '<span style="width: 40%"></span>' in fragment.content.decode()

    Bulletin.objects.filter(pk=bulletin.pk).update(status="done", progress=100)
    assert client.get(f"/bulletins/{bulletin.pk}/progress/")["HX-Refresh"] == "true"


WAITING = "后台任务未运行，通报仍在排队。"


def test_a_bulletin_no_worker_picks_up_is_generated_in_the_request(client, campaign, city_admin):
    # Given a bulletin queued 16 s ago that no worker has picked up
    bulletin = bulletin_request(actor=city_admin, campaign=campaign, month=NOVEMBER, format="xlsx")
    client.force_login(city_admin)
    assert WAITING not in client.get(f"/bulletins/{bulletin.pk}/progress/").content.decode()
    Bulletin.objects.filter(pk=bulletin.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=16)
    )

    # Then the page says so and offers to make it here
    fragment = client.get(f"/bulletins/{bulletin.pk}/progress/").content.decode()
    assert WAITING in fragment
    assert f'<form method="post" action="/bulletins/{bulletin.pk}/generate/">' in fragment

    # When the city admin makes it in the request
    response = client.post(f"/bulletins/{bulletin.pk}/generate/")

    # Then it is done, with a file, and the request is audited
    assert response["Location"] == f"/bulletins/{bulletin.pk}/"
    row = Bulletin.objects.get(pk=bulletin.pk)
    assert (row.status, row.progress, bool(row.file)) == ("done", 100, True)
    event = AuditEvent.objects.filter(object_type="bulletins.bulletin").latest("id")
    assert (event.action, event.message) == (
        "update",
        "后台任务未运行，在页面中直接生成工作通报 第11期（2022年11月）。",
    )

    # And a second request is refused: nothing is made twice
    again = client.post(f"/bulletins/{bulletin.pk}/generate/", follow=True)
    assert "该通报已在生成或已生成完成。" in again.content.decode()


def test_a_leader_cannot_generate_a_waiting_bulletin(client, campaign, city_admin, leader):
    bulletin = bulletin_request(actor=city_admin, campaign=campaign, month=NOVEMBER, format="xlsx")
    Bulletin.objects.filter(pk=bulletin.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=16)
    )
    client.force_login(leader)

    fragment = client.get(f"/bulletins/{bulletin.pk}/progress/").content.decode()
    response = client.post(f"/bulletins/{bulletin.pk}/generate/")

    assert (WAITING in fragment, "/generate/" in fragment) == (True, False)
    assert response.status_code == 403
    assert Bulletin.objects.get(pk=bulletin.pk).status == "queued"


def test_a_leader_reads_and_downloads_but_cannot_publish(client, done, leader):
    client.force_login(leader)
    page = client.get("/bulletins/").content.decode()
    assert "生成通报" not in page
    assert f'<a class="button" href="/bulletins/{done.pk}/download/" download>下载</a>' in page

    response = client.get(f"/bulletins/{done.pk}/download/")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E9%A1%B9%E7%9B%AE%E6%94%BB%E5%9D%9A2022"
        "%E5%B7%A5%E4%BD%9C%E9%80%9A%E6%8A%A5_%E7%AC%AC11%E6%9C%9F_2022-11.xlsx"
    )
    assert response.content[:4] == b"PK\x03\x04"
    assert AuditEvent.objects.filter(action="export", actor_username="leader").count() == 1

    assert client.post(f"/bulletins/{done.pk}/publish/").status_code == 403
    done.refresh_from_db()
    assert done.published_at is None


def test_a_district_filer_sees_no_bulletin(client, done, lichen_filer):
    client.force_login(lichen_filer)
    assert 'href="/bulletins/"' not in client.get("/").content.decode()
    assert client.get("/bulletins/").status_code == 403
    for suffix in ("", "progress/", "download/"):
        assert client.get(f"/bulletins/{done.pk}/{suffix}").status_code == 404
    assert client.post(f"/bulletins/{done.pk}/publish/").status_code == 404
    response = client.post(
        "/bulletins/new/", {"campaign": done.campaign_id, "month": "2022-11", "format": "pdf"}
    )
    assert response.status_code == 403
    assert Bulletin.objects.count() == 1
    done.refresh_from_db()
    assert done.published_at is None
    assert AuditEvent.objects.filter(action="denied", actor_username="lichen_filer").count() == 6


def test_city_admin_publishes_from_the_page(client, done, city_admin):
    client.force_login(city_admin)
    response = client.post(f"/bulletins/{done.pk}/publish/", follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "已发布工作通报 第11期（2022年11月）。"
    ]
    done.refresh_from_db()
    assert done.published_by == city_admin
