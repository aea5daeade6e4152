"""Project ledger services: create, update, record stage — values, audit events, refusals."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.audit.models import AuditEvent
from gongjian.core.periods import today
from gongjian.notifications.models import Notification
from gongjian.projects.models import Project, StageEvent
from gongjian.projects.selectors import project_history
from gongjian.projects.services import (
    ProjectInput,
    StaleEditError,
    derive_stage,
    project_create,
    project_record_stage,
    project_update,
    stage_event_confirm,
    stage_event_reject,
)
from gongjian.tests.factories import ProjectFactory, StageEventFactory

pytestmark = pytest.mark.django_db

LICHENG_INPUT = ProjectInput(
    code="LC-2022-001",
    name="鲤城古城片区提升工程",
    region_code="350502",
    category_code="urban-quality",
    industry_chain_code="public-services",
    total_investment=Decimal("12000.50"),
    annual_plan=Decimal("3000.00"),
    owner_enterprise="泉州古城文旅集团",
    responsible_unit="鲤城区住建局",
    longitude=Decimal("118.587000"),
    latitude=Decimal("24.908000"),
    description="  中山路沿线立面整治  ",
)

LICHENG_SNAPSHOT: dict[str, Any] = {
    "code": "LC-2022-001",
    "name": "鲤城古城片区提升工程",
    "region": "350502",
    "category": "urban-quality",
    "industry_chain": "public-services",
    "owner_enterprise": "泉州古城文旅集团",
    "responsible_unit": "鲤城区住建局",
    "total_investment": "12000.50",
    "annual_plan": "3000.00",
    "longitude": "118.587000",
    "latitude": "24.908000",
    "description": "中山路沿线立面整治",
    "levels": [],
    "project_class": "",
    "sector": "",
    "start_year": None,
    "end_year": None,
    "planned_start_month": None,
    "planned_completion_month": None,
    "owner_uscc": "",
    "responsible_person": "",
    "responsible_phone": "",
    "national_code": "",
    "markers": "",
    "stage": "planned",
    "version": 1,
}


def _events():
    """Every audit event as (action, actor, object type, message), oldest first."""
    return [
        (e.action, e.actor_username, e.object_type, e.message)
        for e in AuditEvent.objects.order_by("id")
    ]


def _refused(actor, data: ProjectInput) -> dict[str, list[str]]:
    """Create ``data`` expecting a refusal; return its messages and check nothing was written."""
    with pytest.raises(ValidationError) as refusal:
        project_create(actor=actor, data=data)
    assert Project.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    return refusal.value.message_dict


# --- project_create ---------------------------------------------------------------------------


def test_filer_creates_project_with_exact_values(lichen_filer):
    project = project_create(actor=lichen_filer, data=LICHENG_INPUT)

    references = Project.objects.filter(pk=project.pk).values_list(
        "code", "name", "region__code", "category__code", "industry_chain__code"
    )
    assert references.get() == (
        "LC-2022-001",
        "鲤城古城片区提升工程",
        "350502",
        "urban-quality",
        "public-services",
    )
    row = Project.objects.get(pk=project.pk)
    assert (row.total_investment, row.annual_plan) == (Decimal("12000.50"), Decimal("3000.00"))
    assert (row.longitude, row.latitude) == (Decimal("118.587000"), Decimal("24.908000"))
    assert (row.owner_enterprise, row.responsible_unit) == ("泉州古城文旅集团", "鲤城区住建局")
    assert row.description == "中山路沿线立面整治"
    assert (row.stage, row.version, row.created_by) == ("planned", 1, lichen_filer)
    assert [(h.action, h.actor) for h in project_history(project=row)] == [("create", lichen_filer)]


def test_create_writes_one_audit_event_with_the_snapshot(lichen_filer, region):
    project = project_create(actor=lichen_filer, data=LICHENG_INPUT)

    event = AuditEvent.objects.get()
    assert event.action == "create"
    assert (event.actor, event.actor_username) == (lichen_filer, "lichen_filer")
    assert (event.object_type, event.object_id) == ("projects.project", str(project.pk))
    assert event.object_repr == "LC-2022-001 鲤城古城片区提升工程"
    assert event.region == region("350502")
    assert event.before is None
    assert event.after == LICHENG_SNAPSHOT
    assert (event.message, event.ip_address) == ("", None)


def test_create_stores_amounts_and_coordinates_at_column_precision(lichen_filer):
    data = replace(
        LICHENG_INPUT,
        total_investment=Decimal("50000"),
        annual_plan=Decimal("0"),
        longitude=Decimal("118.6"),
        latitude=Decimal("24.9"),
    )

    project = project_create(actor=lichen_filer, data=data)

    assert str(project.total_investment) == "50000.00"
    assert AuditEvent.objects.get().after == {
        **LICHENG_SNAPSHOT,
        "total_investment": "50000.00",
        "annual_plan": "0.00",
        "longitude": "118.600000",
        "latitude": "24.900000",
    }


def test_one_trillion_yuan_is_the_largest_accepted_amount(city_admin):
    data = replace(LICHENG_INPUT, total_investment=Decimal("100000000.00"))

    project = project_create(actor=city_admin, data=data)

    assert Project.objects.get(pk=project.pk).total_investment == Decimal("100000000.00")


def test_create_refuses_negative_amount(lichen_filer):
    messages = _refused(lichen_filer, replace(LICHENG_INPUT, total_investment=Decimal("-1.00")))

    assert messages == {"total_investment": ["总投资不能为负数。"]}


def test_create_refuses_amount_above_one_trillion_yuan_as_a_unit_slip(lichen_filer):
    # 12 亿元 typed in 元 instead of 万元.
    data = replace(LICHENG_INPUT, total_investment=Decimal("1200000000.00"))

    assert _refused(lichen_filer, data) == {
        "total_investment": [
            "总投资 1,200,000,000.00 万元超过 1 万亿元，超出合理范围；请确认单位是万元而不是元。"
        ]
    }


def test_create_refuses_one_cent_above_one_trillion_yuan(lichen_filer):
    data = replace(LICHENG_INPUT, total_investment=Decimal("100000000.01"))

    assert _refused(lichen_filer, data) == {
        "total_investment": [
            "总投资 100,000,000.01 万元超过 1 万亿元，超出合理范围；请确认单位是万元而不是元。"
        ]
    }


def test_create_refuses_more_than_two_decimals(lichen_filer):
    data = replace(LICHENG_INPUT, annual_plan=Decimal("3000.125"))

    assert _refused(lichen_filer, data) == {
        "annual_plan": ["年度计划投资最多保留两位小数（单位：万元）。"]
    }


def test_create_refuses_a_non_finite_amount(lichen_filer):
    data = replace(LICHENG_INPUT, total_investment=Decimal("NaN"))

    assert _refused(lichen_filer, data) == {"total_investment": ["总投资不是有效的数字。"]}


def test_create_refuses_annual_plan_above_total(lichen_filer):
    data = replace(LICHENG_INPUT, annual_plan=Decimal("13000.00"))

    assert _refused(lichen_filer, data) == {
        "annual_plan": ["年度计划投资 13,000.00 万元不能大于总投资 12,000.50 万元。"]
    }


def test_create_refuses_unknown_region_code(lichen_filer):
    data = replace(LICHENG_INPUT, region_code="350599")

    assert _refused(lichen_filer, data) == {"region": ["未知的所属区域代码“350599”。"]}


def test_create_refuses_unknown_category(lichen_filer):
    data = replace(LICHENG_INPUT, category_code="airport")

    assert _refused(lichen_filer, data) == {"category": ["未知的项目类别“airport”。"]}


def test_create_refuses_unknown_industry_chain(lichen_filer):
    data = replace(LICHENG_INPUT, industry_chain_code="aerospace")

    assert _refused(lichen_filer, data) == {"industry_chain": ["未知的产业链“aerospace”。"]}


@pytest.mark.parametrize(
    ("region_code", "name"),
    [("350500", "泉州市"), ("350527", "金门县")],
)
def test_create_refuses_region_that_is_not_a_reporting_unit(city_admin, region_code, name):
    data = replace(LICHENG_INPUT, region_code=region_code)

    assert _refused(city_admin, data) == {
        "region": [f"项目须归属于参与填报的县（市、区）或功能区，“{name}”不可选。"]
    }


def test_create_refuses_swapped_coordinates(lichen_filer):
    data = replace(LICHENG_INPUT, longitude=Decimal("24.908000"), latitude=Decimal("118.587000"))

    assert _refused(lichen_filer, data) == {
        "longitude": ["坐标（24.908000, 118.587000）不在泉州市范围内，请检查经纬度是否填反。"]
    }


def test_create_refuses_coordinates_in_fuzhou(lichen_filer):
    data = replace(LICHENG_INPUT, longitude=Decimal("119.296"), latitude=Decimal("26.074"))

    assert _refused(lichen_filer, data) == {
        "longitude": ["坐标（119.296, 26.074）不在泉州市范围内，请检查经纬度是否填反。"]
    }


def test_create_refuses_longitude_without_latitude(lichen_filer):
    data = replace(LICHENG_INPUT, latitude=None)

    assert _refused(lichen_filer, data) == {"longitude": ["经度和纬度须同时填写或同时留空。"]}


def test_create_reports_every_error_at_once(lichen_filer):
    data = replace(LICHENG_INPUT, code="LC 2022/1", name=" ", category_code="airport")

    assert _refused(lichen_filer, data) == {
        "code": ["项目编号只能包含字母、数字、“-”和“_”，最长 32 位。"],
        "name": ["项目名称不能为空。"],
        "category": ["未知的项目类别“airport”。"],
    }


def test_create_refuses_duplicate_code(lichen_filer):
    ProjectFactory.create(code="LC-2022-001")

    with pytest.raises(ValidationError) as refusal:
        project_create(actor=lichen_filer, data=LICHENG_INPUT)

    assert refusal.value.message_dict == {"code": ["项目编号“LC-2022-001”已存在。"]}
    assert list(Project.objects.values_list("code", flat=True)) == ["LC-2022-001"]
    assert Project.objects.get().name != LICHENG_INPUT.name
    assert AuditEvent.objects.count() == 0


# --- project_update ---------------------------------------------------------------------------


def test_update_saves_values_bumps_version_and_audits_the_change(lichen_filer):
    project = project_create(actor=lichen_filer, data=LICHENG_INPUT)
    data = replace(
        LICHENG_INPUT, name="鲤城古城片区提升工程（一期）", annual_plan=Decimal("4500.00")
    )

    updated = project_update(actor=lichen_filer, project=project, data=data, expected_version=1)

    row = Project.objects.get(pk=project.pk)
    assert (row.name, row.annual_plan, row.version) == (
        "鲤城古城片区提升工程（一期）",
        Decimal("4500.00"),
        2,
    )
    assert (updated.pk, updated.version) == (project.pk, 2)
    assert [h.action for h in project_history(project=row)] == ["update", "create"]
    event = AuditEvent.objects.get(action="update")
    assert (event.actor_username, event.object_type, event.object_id) == (
        "lichen_filer",
        "projects.project",
        str(project.pk),
    )
    assert event.before == LICHENG_SNAPSHOT
    assert event.after == {
        **LICHENG_SNAPSHOT,
        "name": "鲤城古城片区提升工程（一期）",
        "annual_plan": "4500.00",
        "version": 2,
    }
    assert event.changed_fields() == [
        ("annual_plan", "3000.00", "4500.00"),
        ("name", "鲤城古城片区提升工程", "鲤城古城片区提升工程（一期）"),
        ("version", 1, 2),
    ]
    assert [e[0] for e in _events()] == ["create", "update"]


def test_update_with_equal_values_in_other_notation_audits_no_field_change(lichen_filer):
    project = project_create(actor=lichen_filer, data=LICHENG_INPUT)
    data = replace(
        LICHENG_INPUT,
        total_investment=Decimal("12000.5"),
        annual_plan=Decimal("3000"),
        longitude=Decimal("118.587"),
        latitude=Decimal("24.908"),
    )

    project_update(actor=lichen_filer, project=project, data=data, expected_version=1)

    assert AuditEvent.objects.get(action="update").changed_fields() == [("version", 1, 2)]


def test_city_admin_moves_project_to_another_district(city_admin, region):
    project = project_create(actor=city_admin, data=LICHENG_INPUT)
    data = replace(LICHENG_INPUT, region_code="350503")

    project_update(actor=city_admin, project=project, data=data, expected_version=1)

    assert Project.objects.get(pk=project.pk).region == region("350503")
    event = AuditEvent.objects.get(action="update")
    assert event.region == region("350503")
    assert event.changed_fields() == [("region", "350502", "350503"), ("version", 1, 2)]


def test_filer_may_not_move_project_out_of_own_district(lichen_filer, region):
    project = ProjectFactory.create(code="LC-2022-009", region=region("350502"))
    data = replace(LICHENG_INPUT, code="LC-2022-009", region_code="350503")

    with pytest.raises(PermissionDenied):
        project_update(actor=lichen_filer, project=project, data=data, expected_version=1)

    row = Project.objects.get(pk=project.pk)
    assert (row.region.code, row.version) == ("350502", 1)
    assert _events() == [("denied", "lichen_filer", "projects.project", "无权把项目移到“丰泽区”。")]


def test_update_refuses_invalid_values_and_changes_nothing(lichen_filer):
    project = ProjectFactory.create(code="LC-2022-009", total_investment=Decimal("50000.00"))
    data = replace(
        LICHENG_INPUT,
        code="LC-2022-009",
        total_investment=Decimal("-5.00"),
        annual_plan=Decimal("0.00"),
    )

    with pytest.raises(ValidationError) as refusal:
        project_update(actor=lichen_filer, project=project, data=data, expected_version=1)

    assert refusal.value.message_dict == {"total_investment": ["总投资不能为负数。"]}
    row = Project.objects.get(pk=project.pk)
    assert (row.total_investment, row.version, project_history(project=row).count()) == (
        Decimal("50000.00"),
        1,
        0,
    )
    assert AuditEvent.objects.count() == 0


def test_update_refuses_code_of_another_project(lichen_filer):
    ProjectFactory.create(code="LC-2022-001")
    project = ProjectFactory.create(code="LC-2022-002", name="鲤城江南片区改造")
    data = replace(LICHENG_INPUT, code="LC-2022-001")

    with pytest.raises(ValidationError) as refusal:
        project_update(actor=lichen_filer, project=project, data=data, expected_version=1)

    assert refusal.value.message_dict == {"code": ["项目编号“LC-2022-001”已存在。"]}
    row = Project.objects.get(pk=project.pk)
    assert (row.code, row.name, row.version) == ("LC-2022-002", "鲤城江南片区改造", 1)
    assert AuditEvent.objects.count() == 0


def test_stale_update_is_refused_writes_nothing_and_is_audited(lichen_filer, city_admin):
    project = project_create(actor=city_admin, data=LICHENG_INPUT)
    project_update(
        actor=city_admin,
        project=project,
        data=replace(LICHENG_INPUT, name="市项目办改过的名称"),
        expected_version=1,
    )
    Project.objects.filter(pk=project.pk).update(
        updated_at=dt.datetime(2022, 5, 6, 1, 30, tzinfo=dt.UTC)
    )

    with pytest.raises(StaleEditError) as refusal:
        project_update(
            actor=lichen_filer,
            project=project,
            data=replace(LICHENG_INPUT, name="区里改过的名称"),
            expected_version=1,
        )

    message = (
        "保存失败：该项目已被 city_admin 于 2022-05-06 09:30 修改（当前版本 2，您编辑的是版本 1）。"
        "您的修改未保存，请刷新后重新编辑。"
    )
    assert refusal.value.messages == [message]
    row = Project.objects.get(pk=project.pk)
    assert (row.name, row.version, project_history(project=row).count()) == (
        "市项目办改过的名称",
        2,
        2,
    )
    assert _events() == [
        ("create", "city_admin", "projects.project", ""),
        ("update", "city_admin", "projects.project", ""),
        ("stale_edit", "lichen_filer", "projects.project", message),
    ]


# --- project_record_stage ---------------------------------------------------------------------


def _stages(project):
    return list(
        StageEvent.objects.filter(project=project).order_by("id").values_list("stage", "date")
    )


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _photo():
    return SimpleUploadedFile("现场.png", PNG, content_type="image/png")


def _confirmed(filer, reviewer, project, stage: str, date: dt.date, note: str = ""):
    """Record a stage as the filer does (with a photo) and confirm it as the reviewer does."""
    event = project_record_stage(
        actor=filer, project=project, stage=stage, date=date, note=note, evidence=_photo()
    )
    if event.status == "pending":
        stage_event_confirm(actor=reviewer, event=event)
    return event


def test_record_stage_is_a_pending_claim_until_confirmed(lichen_filer, lichen_reviewer):
    project = ProjectFactory.create(code="LC-2022-010")

    event = project_record_stage(
        actor=lichen_filer,
        project=project,
        stage="started",
        date=dt.date(2022, 3, 1),
        note=" 施工许可证 350502202203010101 ",
        evidence=_photo(),
    )

    assert (event.stage, event.date, event.note, event.actor, event.status) == (
        "started",
        dt.date(2022, 3, 1),
        "施工许可证 350502202203010101",
        lichen_filer,
        "pending",
    )
    assert event.evidence_type == "image/png"
    assert Project.objects.get(pk=project.pk).stage == "planned"
    assert list(AuditEvent.objects.values_list("action", "object_type")) == [
        ("create", "projects.stageevent")
    ]

    stage_event_confirm(actor=lichen_reviewer, event=event)

    row = Project.objects.get(pk=project.pk)
    assert (row.stage, row.version, project_history(project=row).count()) == ("started", 1, 1)
    audit = AuditEvent.objects.get(action="stage")
    assert (audit.actor_username, audit.object_type, audit.object_id) == (
        "lichen_reviewer",
        "projects.project",
        str(project.pk),
    )
    assert audit.before == {"stage": "planned"}
    assert audit.after == {
        "stage": "started",
        "event": "started",
        "date": "2022-03-01",
        "note": "施工许可证 350502202203010101",
    }
    event.refresh_from_db()
    assert (event.status, event.reviewed_by) == ("confirmed", lichen_reviewer)


def test_start_without_evidence_is_refused(lichen_filer):
    project = ProjectFactory.create()

    assert _stage_refused(lichen_filer, project, "started", dt.date(2022, 3, 1)) == {
        "evidence": ["记录开工须上传现场照片或文件作为佐证材料。"]
    }


def test_rejected_claim_has_a_reason_tells_the_filer_and_may_be_recorded_again(
    lichen_filer, lichen_reviewer
):
    project = ProjectFactory.create()
    event = project_record_stage(
        actor=lichen_filer,
        project=project,
        stage="started",
        date=dt.date(2022, 3, 1),
        evidence=_photo(),
    )

    with pytest.raises(ValidationError) as refused:
        stage_event_reject(actor=lichen_reviewer, event=event, reason=" ")
    assert refused.value.message_dict == {"reason": ["退回须说明原因。"]}

    stage_event_reject(actor=lichen_reviewer, event=event, reason="照片不是本项目现场")

    event.refresh_from_db()
    assert (event.status, event.rejection_reason) == ("rejected", "照片不是本项目现场")
    assert Project.objects.get(pk=project.pk).stage == "planned"
    note = Notification.objects.get(recipient=lichen_filer)
    assert (note.kind, note.title) == (
        "stage_rejected",
        f"开工记录被退回：{project.code} {project.name}",
    )
    assert note.body == "lichen_reviewer 退回了 2022-03-01 的开工记录，原因：照片不是本项目现场"
    again = project_record_stage(
        actor=lichen_filer,
        project=project,
        stage="started",
        date=dt.date(2022, 3, 2),
        evidence=_photo(),
    )
    assert again.status == "pending"


def test_pending_claim_notifies_reviewers_and_cannot_be_reviewed_twice(
    lichen_filer, lichen_reviewer
):
    project = ProjectFactory.create()
    event = project_record_stage(
        actor=lichen_filer, project=project, stage="signed", date=dt.date(2022, 1, 10)
    )
    note = Notification.objects.get(recipient=lichen_reviewer)
    assert (note.kind, note.title) == (
        "stage_claimed",
        f"签约待核实：{project.code} {project.name}",
    )
    stage_event_confirm(actor=lichen_reviewer, event=event)

    with pytest.raises(ValidationError) as refused:
        stage_event_reject(actor=lichen_reviewer, event=event, reason="重复")
    assert refused.value.messages == ["该阶段记录当前为“已核实”，不能再核实。"]


def test_filer_cannot_confirm_and_nobody_confirms_their_own_claim(
    lichen_filer, lichen_reviewer, fengze_filer
):
    project = ProjectFactory.create()
    event = project_record_stage(
        actor=lichen_filer,
        project=project,
        stage="signed",
        date=dt.date(2022, 1, 10),
    )
    with pytest.raises(PermissionDenied):
        stage_event_confirm(actor=lichen_filer, event=event)
    with pytest.raises(PermissionDenied):
        stage_event_confirm(actor=fengze_filer, event=event)
    event.refresh_from_db()
    assert event.status == "pending"


def test_stage_moves_forward_along_the_progression(lichen_filer, lichen_reviewer):
    project = ProjectFactory.create()
    for stage, date in [
        ("signed", dt.date(2022, 1, 10)),
        ("started", dt.date(2022, 3, 1)),
        ("completed", dt.date(2023, 6, 30)),
    ]:
        _confirmed(lichen_filer, lichen_reviewer, project, stage, date)

    assert Project.objects.get(pk=project.pk).stage == "completed"
    steps = AuditEvent.objects.filter(action="stage").order_by("id")
    assert [(e.before, (e.after or {})["stage"]) for e in steps] == [
        ({"stage": "planned"}, "signed"),
        ({"stage": "signed"}, "started"),
        ({"stage": "started"}, "completed"),
    ]


def test_suspension_after_start_suspends_and_later_completion_resumes(
    lichen_filer, lichen_reviewer
):
    project = ProjectFactory.create()
    _confirmed(lichen_filer, lichen_reviewer, project, "started", dt.date(2022, 3, 1))

    project_record_stage(
        actor=lichen_filer, project=project, stage="suspended", date=dt.date(2022, 6, 1)
    )
    assert Project.objects.get(pk=project.pk).stage == "suspended"

    _confirmed(lichen_filer, lichen_reviewer, project, "completed", dt.date(2022, 12, 20))
    assert Project.objects.get(pk=project.pk).stage == "completed"


def test_suspension_may_be_recorded_more_than_once(lichen_filer, lichen_reviewer):
    project = ProjectFactory.create()
    _confirmed(lichen_filer, lichen_reviewer, project, "started", dt.date(2022, 3, 1))
    project_record_stage(
        actor=lichen_filer, project=project, stage="suspended", date=dt.date(2022, 6, 1)
    )

    project_record_stage(
        actor=lichen_filer, project=project, stage="suspended", date=dt.date(2022, 8, 1)
    )

    assert _stages(project) == [
        ("started", dt.date(2022, 3, 1)),
        ("suspended", dt.date(2022, 6, 1)),
        ("suspended", dt.date(2022, 8, 1)),
    ]
    assert Project.objects.get(pk=project.pk).stage == "suspended"


def _stage_refused(actor, project, stage: str, date: dt.date) -> dict[str, list[str]]:
    """Record a stage expecting a refusal; check that nothing at all changed."""
    stages_before = _stages(project)
    row_before = Project.objects.get(pk=project.pk)
    events_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refusal:
        project_record_stage(actor=actor, project=project, stage=stage, date=date)
    row = Project.objects.get(pk=project.pk)
    assert _stages(project) == stages_before
    assert (row.stage, row.version, project_history(project=row).count()) == (
        row_before.stage,
        row_before.version,
        project_history(project=row_before).count(),
    )
    assert AuditEvent.objects.count() == events_before
    return refusal.value.message_dict


def test_completion_dated_before_start_is_refused(lichen_filer):
    project = ProjectFactory.create(stage="started")
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))

    assert _stage_refused(lichen_filer, project, "completed", dt.date(2022, 2, 1)) == {
        "date": ["竣工日期 2022-02-01 早于开工日期 2022-03-01，阶段日期不能倒序。"]
    }


def test_signing_dated_after_start_is_refused(lichen_filer):
    project = ProjectFactory.create(stage="started")
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))

    assert _stage_refused(lichen_filer, project, "signed", dt.date(2022, 4, 1)) == {
        "date": ["签约日期 2022-04-01 晚于开工日期 2022-03-01，阶段日期不能倒序。"]
    }


def test_future_stage_date_is_refused(lichen_filer):
    project = ProjectFactory.create()
    tomorrow = today() + dt.timedelta(days=1)

    assert _stage_refused(lichen_filer, project, "started", tomorrow) == {
        "date": [f"开工日期 {tomorrow.isoformat()} 晚于今天，只能记录已发生的阶段。"]
    }


def test_today_is_not_the_future(lichen_filer):
    project = ProjectFactory.create()

    project_record_stage(actor=lichen_filer, project=project, stage="signed", date=today())

    assert _stages(project) == [("signed", today())]


def test_implausibly_early_stage_date_is_refused(lichen_filer):
    project = ProjectFactory.create()

    assert _stage_refused(lichen_filer, project, "signed", dt.date(1999, 12, 31)) == {
        "date": ["日期 1999-12-31 过早，请检查。"]
    }


def test_recording_start_twice_is_refused(lichen_filer, lichen_reviewer):
    project = ProjectFactory.create()
    _confirmed(lichen_filer, lichen_reviewer, project, "started", dt.date(2022, 3, 1))

    assert _stage_refused(lichen_filer, project, "started", dt.date(2022, 3, 2)) == {
        "stage": ["该项目已于 2022-03-01 记录开工。"]
    }


def test_recording_a_stage_waiting_for_review_is_refused(lichen_filer):
    project = ProjectFactory.create()
    project_record_stage(
        actor=lichen_filer, project=project, stage="signed", date=dt.date(2022, 1, 10)
    )

    assert _stage_refused(lichen_filer, project, "signed", dt.date(2022, 1, 11)) == {
        "stage": ["该项目 2022-01-10 的签约记录正在等待核实。"]
    }


def test_suspension_before_any_stage_is_refused(lichen_filer):
    project = ProjectFactory.create()

    assert _stage_refused(lichen_filer, project, "suspended", dt.date(2022, 6, 1)) == {
        "date": ["项目尚未签约或开工，不能记录停缓建。"]
    }


def test_suspension_dated_before_the_first_stage_is_refused(lichen_filer):
    project = ProjectFactory.create(stage="started")
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))

    assert _stage_refused(lichen_filer, project, "suspended", dt.date(2022, 2, 1)) == {
        "date": ["停缓建日期 2022-02-01 早于项目的第一个阶段日期 2022-03-01。"]
    }


def test_planned_is_not_a_recordable_stage(lichen_filer):
    project = ProjectFactory.create()

    assert _stage_refused(lichen_filer, project, "planned", dt.date(2022, 3, 1)) == {
        "stage": ["未知的阶段“planned”。"]
    }


def _event(stage: str, date: dt.date) -> StageEvent:
    return StageEvent(stage=stage, date=date)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], "planned"),
        ([("signed", dt.date(2022, 1, 10))], "signed"),
        ([("started", dt.date(2022, 3, 1)), ("signed", dt.date(2022, 1, 10))], "started"),
        ([("started", dt.date(2022, 3, 1)), ("suspended", dt.date(2022, 6, 1))], "suspended"),
        ([("started", dt.date(2022, 3, 1)), ("suspended", dt.date(2022, 3, 1))], "suspended"),
        (
            [
                ("started", dt.date(2022, 3, 1)),
                ("suspended", dt.date(2022, 6, 1)),
                ("completed", dt.date(2022, 12, 20)),
            ],
            "completed",
        ),
        (
            [
                ("signed", dt.date(2022, 1, 10)),
                ("started", dt.date(2022, 3, 1)),
                ("suspended", dt.date(2022, 2, 1)),
            ],
            "started",
        ),
        (
            [
                ("completed", dt.date(2022, 12, 20)),
                ("operating", dt.date(2023, 3, 1)),
                ("suspended", dt.date(2023, 5, 1)),
            ],
            "suspended",
        ),
    ],
    ids=[
        "nothing",
        "signed",
        "furthest-wins",
        "suspended-after-start",
        "suspended-same-day",
        "completed-after-suspension",
        "suspension-overtaken",
        "operating-then-suspended",
    ],
)
def test_derive_stage(events, expected):
    assert derive_stage([_event(stage, date) for stage, date in events]) == expected
