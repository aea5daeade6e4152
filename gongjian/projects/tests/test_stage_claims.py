"""Stage claims (开工, 竣工, 投产, 签约) wait for the district reviewer: only confirmed events
count in indicators, monthly cells and the current stage; the API records, confirms and
rejects them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.accounts.services import api_token_create
from gongjian.audit.models import AuditEvent
from gongjian.campaigns.engine import evaluate_path
from gongjian.campaigns.rollup import rollup_drift
from gongjian.notifications.models import Notification
from gongjian.projects.models import Project, StageEvent
from gongjian.projects.services import project_record_stage, stage_event_confirm
from gongjian.tests.factories import IndicatorFactory, ProjectFactory, StageEventFactory

pytestmark = pytest.mark.django_db

CITY = "/350000/350500/"
MONTHS = [dt.date(2022, m, 1) for m in range(1, 13)]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def started_indicator(db):
    return IndicatorFactory.create(
        code="started",
        name="新开工项目",
        kind="event_count",
        unit="个",
        definition={"source": "stage_events", "stage": "started"},
    )


def _started(indicator, *, live: bool = False) -> tuple[Decimal, Decimal]:
    """新开工 in 2022 for the city and for 鲤城区, from the monthly cells (or the rows)."""
    evaluation = evaluate_path(
        indicator=indicator,
        root_path=CITY,
        months=MONTHS,
        as_of=dt.date(2022, 12, 31),
        live=live,
    )
    return (
        evaluation.total("350500", MONTHS[0], MONTHS[-1]),
        evaluation.total("350502", MONTHS[0], MONTHS[-1]),
    )


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_pending_start_is_not_counted_and_confirmed_one_is(
    started_indicator, lichen_filer, lichen_reviewer, region
):
    earlier = ProjectFactory.create(code="LC-A", region=region("350502"), stage="started")
    StageEventFactory.create(project=earlier, stage="started", date=dt.date(2022, 3, 1))
    project = ProjectFactory.create(code="LC-B", region=region("350502"))
    assert _started(started_indicator) == (Decimal(1), Decimal(1))

    claim = project_record_stage(
        actor=lichen_filer,
        project=project,
        stage="started",
        date=dt.date(2022, 6, 15),
        evidence=SimpleUploadedFile("开工.png", PNG),
    )

    assert _started(started_indicator) == (Decimal(1), Decimal(1))
    assert _started(started_indicator, live=True) == (Decimal(1), Decimal(1))
    assert Project.objects.get(pk=project.pk).stage == "planned"

    stage_event_confirm(actor=lichen_reviewer, event=claim)

    assert _started(started_indicator) == (Decimal(2), Decimal(2))
    assert _started(started_indicator, live=True) == (Decimal(2), Decimal(2))
    assert Project.objects.get(pk=project.pk).stage == "started"
    assert rollup_drift() == []


def test_api_records_a_claim_as_multipart_and_the_reviewer_confirms_it(
    client, lichen_filer, lichen_reviewer, region
):
    project = ProjectFactory.create(code="LC-C", region=region("350502"))
    _token, filer_raw = api_token_create(user=lichen_filer)
    _token, reviewer_raw = api_token_create(user=lichen_reviewer)

    response = client.post(
        f"/api/v1/projects/{project.pk}/stage-events",
        {
            "stage": "started",
            "date": "2022-06-15",
            "note": "施工许可证 350502202206150101",
            "evidence": SimpleUploadedFile("开工.pdf", PDF),
        },
        **_bearer(filer_raw),
    )

    assert response.status_code == 201
    body = response.json()
    event = StageEvent.objects.get()
    assert (body["id"], body["status"], body["stage"], body["has_evidence"]) == (
        event.pk,
        "pending",
        "started",
        True,
    )
    assert event.evidence_type == "application/pdf"

    detail = client.get(f"/api/v1/projects/{project.pk}", **_bearer(filer_raw)).json()
    assert [(e["id"], e["stage"], e["status"]) for e in detail["stage_events"]] == [
        (event.pk, "started", "pending")
    ]
    assert detail["stage"] == "planned"

    refused = client.post(f"/api/v1/stage-events/{event.pk}/confirm", **_bearer(filer_raw))
    assert refused.status_code == 403
    assert refused.json() == {"detail": "无权核实项目“LC-C”的阶段记录。"}

    confirmed = client.post(f"/api/v1/stage-events/{event.pk}/confirm", **_bearer(reviewer_raw))
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "confirmed")
    detail = client.get(f"/api/v1/projects/{project.pk}", **_bearer(filer_raw)).json()
    assert (detail["stage"], detail["stage_events"][0]["status"]) == ("started", "confirmed")


def test_api_json_claim_for_a_stage_without_evidence_and_reject_with_reason(
    client, lichen_filer, lichen_reviewer, region
):
    project = ProjectFactory.create(code="LC-D", region=region("350502"))
    _token, filer_raw = api_token_create(user=lichen_filer)
    _token, reviewer_raw = api_token_create(user=lichen_reviewer)

    response = client.post(
        f"/api/v1/projects/{project.pk}/stage-events",
        {"stage": "signed", "date": "2022-04-08", "note": "签约仪式"},
        content_type="application/json",
        **_bearer(filer_raw),
    )
    assert (response.status_code, response.json()["status"]) == (201, "pending")
    event_id = response.json()["id"]

    empty = client.post(
        f"/api/v1/stage-events/{event_id}/reject",
        {"reason": ""},
        content_type="application/json",
        **_bearer(reviewer_raw),
    )
    assert empty.status_code == 422
    assert empty.json() == {
        "detail": "退回须说明原因。",
        "errors": {"reason": ["退回须说明原因。"]},
    }

    rejected = client.post(
        f"/api/v1/stage-events/{event_id}/reject",
        {"reason": "签约协议未盖章"},
        content_type="application/json",
        **_bearer(reviewer_raw),
    )
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == (
        "rejected",
        "签约协议未盖章",
    )
    note = Notification.objects.get(recipient=lichen_filer, kind="stage_rejected")
    assert note.body == "lichen_reviewer 退回了 2022-04-08 的签约记录，原因：签约协议未盖章"


def test_api_start_without_evidence_is_422_and_writes_nothing(client, lichen_filer, region):
    project = ProjectFactory.create(code="LC-E", region=region("350502"))
    _token, raw = api_token_create(user=lichen_filer)

    response = client.post(
        f"/api/v1/projects/{project.pk}/stage-events",
        {"stage": "started", "date": "2022-06-15"},
        content_type="application/json",
        **_bearer(raw),
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "记录开工须上传现场照片或文件作为佐证材料。",
        "errors": {"evidence": ["记录开工须上传现场照片或文件作为佐证材料。"]},
    }
    assert StageEvent.objects.count() == 0
    assert AuditEvent.objects.filter(action="create").count() == 0


def test_api_claim_outside_scope_is_404(client, fengze_filer, region):
    project = ProjectFactory.create(code="LC-F", region=region("350502"))
    _token, raw = api_token_create(user=fengze_filer)

    response = client.post(
        f"/api/v1/projects/{project.pk}/stage-events",
        {"stage": "signed", "date": "2022-04-08"},
        content_type="application/json",
        **_bearer(raw),
    )

    assert response.status_code == 404
    assert StageEvent.objects.count() == 0


def test_reviewer_confirms_on_the_page_and_evidence_is_served_only_in_scope(
    client, lichen_filer, lichen_reviewer, fengze_filer, region
):
    project = ProjectFactory.create(code="LC-G", region=region("350502"))
    claim = project_record_stage(
        actor=lichen_filer,
        project=project,
        stage="started",
        date=dt.date(2022, 6, 15),
        evidence=SimpleUploadedFile("开工.png", PNG),
    )
    client.force_login(fengze_filer)
    assert client.get(f"/projects/stage-events/{claim.pk}/evidence/").status_code == 404

    client.force_login(lichen_reviewer)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-status="pending"' in page and "核实确认" in page
    evidence = client.get(f"/projects/stage-events/{claim.pk}/evidence/")
    assert (evidence.status_code, evidence["Content-Type"]) == (200, "image/png")
    assert b"".join(evidence.streaming_content) == PNG
    claims = client.get("/projects/stage-claims/").content.decode()
    assert "LC-G" in claims

    response = client.post(f"/projects/stage-events/{claim.pk}/confirm/")

    assert (response.status_code, response["Location"]) == (302, f"/projects/{project.pk}/")
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by) == ("confirmed", lichen_reviewer)
