"""The notification centre and the unread badge in the header."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from gongjian.audit.models import AuditEvent
from gongjian.notifications.context_processors import unread_notifications
from gongjian.notifications.models import Notification
from gongjian.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _note(user, title, link="", read=False):
    from django.utils import timezone

    return Notification.objects.create(
        recipient=user,
        kind="supervision_issued",
        title=title,
        body="第一行\n第二行",
        link=link,
        read_at=timezone.now() if read else None,
    )


BADGE = '<span class="badge" aria-label="%(n)s 条未读">%(n)s</span>'


def test_the_header_badge_counts_unread(client, lichen_filer):
    _note(lichen_filer, "一")
    _note(lichen_filer, "二")
    _note(lichen_filer, "已读", read=True)
    _note(UserFactory.create(username="other"), "别人的")
    client.force_login(lichen_filer)

    page = client.get("/").content.decode()

    assert BADGE % {"n": 2} in page


def test_no_badge_without_unread(client, lichen_filer):
    client.force_login(lichen_filer)
    page = client.get("/").content.decode()
    assert 'class="badge"' not in page
    assert 'href="/notifications/"' in page


def test_the_count_is_one_query_and_only_when_shown(lichen_filer, django_assert_num_queries):
    _note(lichen_filer, "一")
    request = RequestFactory().get("/")
    request.user = lichen_filer

    with django_assert_num_queries(0):
        context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert str(context["unread_notifications"]) == "1"
        assert bool(context["unread_notifications"]) is True


def test_the_badge_caps_at_99(lichen_filer):
    Notification.objects.bulk_create(
        [Notification(recipient=lichen_filer, kind="x", title=str(i)) for i in range(120)]
    )
    request = RequestFactory().get("/")
    request.user = lichen_filer
    count = unread_notifications(request)["unread_notifications"]
    assert (str(count), int(count)) == ("99+", 120)


def test_the_centre_lists_the_users_own_newest_first(client, lichen_filer):
    first = _note(lichen_filer, "较早的通知")
    second = _note(lichen_filer, "较新的通知", link="/projects/supervisions/1/", read=True)
    _note(UserFactory.create(username="other"), "别人的通知")
    client.force_login(lichen_filer)

    response = client.get("/notifications/")

    assert response.status_code == 200
    assert [n.pk for n in response.context["page"]] == [second.pk, first.pk]
    page = response.content.decode()
    assert "别人的通知" not in page
    assert "第一行<br>第二行" in page
    assert f'action="/notifications/{first.pk}/read/"' in page
    assert f'action="/notifications/{second.pk}/read/"' not in page


def test_unread_filter(client, lichen_filer):
    unread = _note(lichen_filer, "未读的")
    _note(lichen_filer, "已读的", read=True)
    client.force_login(lichen_filer)

    response = client.get("/notifications/?show=unread")

    assert [n.pk for n in response.context["page"]] == [unread.pk]


def test_open_marks_read_and_goes_to_the_link(client, lichen_filer):
    note = _note(lichen_filer, "督办", link="/projects/supervisions/7/")
    client.force_login(lichen_filer)

    response = client.post(f"/notifications/{note.pk}/open/")

    assert response.status_code == 302
    assert response["Location"] == "/projects/supervisions/7/"
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_open_never_redirects_off_site(client, lichen_filer):
    note = _note(lichen_filer, "可疑", link="https://evil.example.com/")
    client.force_login(lichen_filer)

    response = client.post(f"/notifications/{note.pk}/open/")

    assert response["Location"] == "/notifications/"


def test_mark_read_and_all_read(client, lichen_filer):
    one = _note(lichen_filer, "一")
    _note(lichen_filer, "二")
    _note(lichen_filer, "三")
    client.force_login(lichen_filer)

    response = client.post(
        f"/notifications/{one.pk}/read/", {"next": "/notifications/?show=unread"}
    )
    assert response["Location"] == "/notifications/?show=unread"
    assert Notification.objects.filter(recipient=lichen_filer, read_at=None).count() == 2

    response = client.post("/notifications/read-all/", follow=True)
    assert Notification.objects.filter(recipient=lichen_filer, read_at=None).count() == 0
    assert [str(m) for m in response.context["messages"]] == ["已将 2 条通知标为已读。"]


def test_someone_elses_notification_is_a_404_and_a_denied_event(client, lichen_filer):
    other = UserFactory.create(username="other")
    note = _note(other, "别人的")
    client.force_login(lichen_filer)

    assert client.post(f"/notifications/{note.pk}/open/").status_code == 404
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None
    assert (
        list(
            AuditEvent.objects.exclude(action="login").values_list(
                "action", "actor_username", "object_type", "object_id"
            )
        )
        == [("denied", "lichen_filer", "notifications.notification", str(note.pk))] * 2
    )


def test_signed_out_goes_to_the_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_get_cannot_mark_read(client, lichen_filer):
    note = _note(lichen_filer, "一")
    client.force_login(lichen_filer)
    assert client.get(f"/notifications/{note.pk}/open/").status_code == 405
    assert Notification.objects.get(pk=note.pk).read_at is None
