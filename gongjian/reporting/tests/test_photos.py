"""Site photos on monthly reports: type by content, a size limit, only while editable, scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.audit.models import AuditEvent
from gongjian.reporting.models import ReportPhoto
from gongjian.reporting.services import report_photo_add
from gongjian.tests.factories import (
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def report(db):
    project = ProjectFactory.create(code="LC-PHOTO")
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
    period = ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))
    return ProgressReportFactory.create(project=project, period=period)


@pytest.mark.parametrize(
    ("content", "content_type", "extension"),
    [(PNG, "image/png", ".png"), (JPEG, "image/jpeg", ".jpg"), (WEBP, "image/webp", ".webp")],
    ids=["png", "jpeg", "webp"],
)
def test_a_photo_is_stored_under_our_own_name(
    lichen_filer, report, content, content_type, extension
):
    upload = SimpleUploadedFile("../../现场.exe", content, content_type="text/plain")

    photo = report_photo_add(actor=lichen_filer, report=report, upload=upload, caption=" 基坑 ")

    assert (photo.content_type, photo.size, photo.caption) == (content_type, len(content), "基坑")
    assert photo.image.name.startswith("reports/2022-11/LC-PHOTO/")
    assert photo.image.name.endswith(extension)
    assert photo.image.read() == content
    event = AuditEvent.objects.get(action="create", object_type="reporting.reportphoto")
    # Django keeps only the base name of what the browser sent; the audit keeps that.
    assert (event.after or {})["original_name"] == "现场.exe"


def test_a_non_image_is_refused_whatever_its_name(lichen_filer, report):
    upload = SimpleUploadedFile("现场.jpg", b"%PDF-1.7 not a photo", content_type="image/jpeg")

    with pytest.raises(ValidationError) as refused:
        report_photo_add(actor=lichen_filer, report=report, upload=upload)

    assert refused.value.message_dict == {"photo": ["文件“现场.jpg”不是 JPEG、PNG 或 WebP 图片。"]}
    assert not ReportPhoto.objects.exists()


def test_an_oversized_photo_is_refused(lichen_filer, report, settings):
    settings.REPORT_PHOTO_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("大图.png", PNG + b"\x00" * (1024 * 1024), content_type="image/png")

    with pytest.raises(ValidationError) as refused:
        report_photo_add(actor=lichen_filer, report=report, upload=upload)

    assert refused.value.message_dict == {"photo": ["照片“大图.png”为 1.0 MB，超过 1 MB 的上限。"]}


def test_no_photos_once_submitted(lichen_filer, report):
    report.status = "submitted"
    report.save()

    with pytest.raises(ValidationError) as refused:
        report_photo_add(actor=lichen_filer, report=report, upload=SimpleUploadedFile("a.png", PNG))

    assert refused.value.messages == ["报告当前状态为“已报送”，不能再添加照片。"]


def test_another_district_cannot_add_photos(fengze_filer, report):
    with pytest.raises(PermissionDenied):
        report_photo_add(actor=fengze_filer, report=report, upload=SimpleUploadedFile("a.png", PNG))

    assert not ReportPhoto.objects.exists()
    assert AuditEvent.objects.filter(action="denied", actor=fengze_filer).count() == 1


def test_photo_pages_upload_and_serve_within_scope(client, lichen_filer, fengze_filer, report):
    client.force_login(lichen_filer)
    response = client.post(
        f"/reporting/reports/{report.pk}/photos/",
        {"photo": SimpleUploadedFile("现场.png", PNG, content_type="image/png"), "caption": "封顶"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["已上传 1 张照片。"]
    photo = ReportPhoto.objects.get()
    served = client.get(f"/reporting/photos/{photo.pk}/")
    assert (served.status_code, served["Content-Type"]) == (200, "image/png")
    assert b"".join(served.streaming_content) == PNG

    client.force_login(fengze_filer)
    assert client.get(f"/reporting/photos/{photo.pk}/").status_code == 404
