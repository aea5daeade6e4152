"""Role matrix of the project ledger: who may create, edit and record stages, and what they see.

A denied attempt raises PermissionDenied (403 on a page, 404 for an object outside the scope),
changes nothing, and leaves exactly one "denied" audit event for the actor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.audit.models import AuditEvent
from gongjian.projects.models import Project, StageEvent
from gongjian.projects.selectors import project_history
from gongjian.projects.services import (
    ProjectInput,
    project_create,
    project_record_stage,
    project_update,
)
from gongjian.tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLOWED = ["city_admin", "lichen_filer"]
DENIED = ["fengze_filer", "lichen_reviewer", "city_reviewer", "leader", "department", "anonymous"]

NEW_LICHENG_PROJECT = ProjectInput(
    code="LC-2022-101",
    name="鲤城智能装备产业园",
    region_code="350502",
    category_code="investment-signed",
    industry_chain_code="machinery",
    total_investment=Decimal("80000.00"),
    annual_plan=Decimal("20000.00"),
)


def _events():
    return [
        (e.action, e.actor_username, e.object_type, e.object_id, e.message)
        for e in AuditEvent.objects.order_by("id")
    ]


@pytest.fixture
def persona(request):
    """The persona fixture named by the parameter (AnonymousUser's username is "")."""
    return request.getfixturevalue(request.param)


# --- services ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALLOWED, indirect=True)
def test_allowed_roles_create_in_licheng(persona):
    project = project_create(actor=persona, data=NEW_LICHENG_PROJECT)

    assert list(Project.objects.values_list("code", "region__code", "created_by")) == [
        ("LC-2022-101", "350502", persona.pk)
    ]
    assert _events() == [
        ("create", persona.username, "projects.project", str(project.pk), ""),
    ]


@pytest.mark.parametrize("persona", DENIED, indirect=True)
def test_denied_roles_cannot_create_in_licheng(persona):
    with pytest.raises(PermissionDenied) as refusal:
        project_create(actor=persona, data=NEW_LICHENG_PROJECT)

    assert str(refusal.value) == "无权在“鲤城区”新建项目。"
    assert Project.objects.count() == 0
    assert _events() == [("denied", persona.username, "", "", "无权在“鲤城区”新建项目。")]


@pytest.mark.parametrize("persona", ALLOWED, indirect=True)
def test_allowed_roles_update_licheng_project(persona, region):
    project = ProjectFactory.create(code="LC-2022-102", name="旧名称", region=region("350502"))
    data = ProjectInput(
        code="LC-2022-102",
        name="新名称",
        region_code="350502",
        category_code="key-construction",
        total_investment=Decimal("50000.00"),
    )

    project_update(actor=persona, project=project, data=data, expected_version=1)

    row = Project.objects.get(pk=project.pk)
    assert (row.name, row.version) == ("新名称", 2)
    assert _events() == [("update", persona.username, "projects.project", str(project.pk), "")]


@pytest.mark.parametrize("persona", DENIED, indirect=True)
def test_denied_roles_cannot_update_licheng_project(persona, region):
    project = ProjectFactory.create(code="LC-2022-102", name="旧名称", region=region("350502"))
    data = ProjectInput(
        code="LC-2022-102",
        name="新名称",
        region_code="350502",
        category_code="key-construction",
        total_investment=Decimal("50000.00"),
    )

    with pytest.raises(PermissionDenied):
        project_update(actor=persona, project=project, data=data, expected_version=1)

    row = Project.objects.get(pk=project.pk)
    assert (row.name, row.version, project_history(project=row).count()) == ("旧名称", 1, 0)
    assert _events() == [
        (
            "denied",
            persona.username,
            "projects.project",
            str(project.pk),
            "无权修改项目“LC-2022-102”。",
        )
    ]


@pytest.mark.parametrize("persona", ALLOWED, indirect=True)
def test_allowed_roles_record_stage_of_licheng_project(persona, region):
    project = ProjectFactory.create(code="LC-2022-103", region=region("350502"))

    project_record_stage(actor=persona, project=project, stage="signed", date=dt.date(2022, 4, 8))

    event = StageEvent.objects.get()
    assert (event.project_id, event.stage, event.date, event.actor_id, event.status) == (
        project.pk,
        "signed",
        dt.date(2022, 4, 8),
        persona.pk,
        "pending",
    )
    assert Project.objects.get(pk=project.pk).stage == "planned"
    assert _events() == [("create", persona.username, "projects.stageevent", str(event.pk), "")]


@pytest.mark.parametrize("persona", DENIED, indirect=True)
def test_denied_roles_cannot_record_stage_of_licheng_project(persona, region):
    project = ProjectFactory.create(code="LC-2022-103", region=region("350502"))

    with pytest.raises(PermissionDenied):
        project_record_stage(
            actor=persona, project=project, stage="signed", date=dt.date(2022, 4, 8)
        )

    assert StageEvent.objects.count() == 0
    assert Project.objects.get(pk=project.pk).stage == "planned"
    assert _events() == [
        (
            "denied",
            persona.username,
            "projects.project",
            str(project.pk),
            "无权为项目“LC-2022-103”记录阶段。",
        )
    ]


def test_denial_is_checked_before_validation(leader):
    # An outsider learns nothing about the data from the validation messages.
    with pytest.raises(PermissionDenied):
        project_create(
            actor=leader,
            data=ProjectInput(
                code="LC 2022",
                name="",
                region_code="350502",
                category_code="airport",
                total_investment=Decimal("-1"),
            ),
        )

    assert [e[0] for e in _events()] == ["denied"]


def test_superuser_creates_anywhere(region):
    root = UserFactory.create(username="root", is_superuser=True)

    project = project_create(
        actor=root,
        data=ProjectInput(
            code="JJ-2022-001",
            name="晋江陆地港",
            region_code="350582",
            category_code="key-construction",
            total_investment=Decimal("150000.00"),
        ),
    )

    assert Project.objects.get(pk=project.pk).region == region("350582")


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def ledger(region):
    """Four projects in three districts."""
    return {
        code: ProjectFactory.create(code=code, region=region(region_code))
        for code, region_code in [
            ("LC-001", "350502"),
            ("LC-002", "350502"),
            ("FZ-001", "350503"),
            ("JJ-001", "350582"),
        ]
    }


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("city_admin", ["LC-001", "LC-002", "FZ-001", "JJ-001"]),
        ("city_reviewer", ["LC-001", "LC-002", "FZ-001", "JJ-001"]),
        ("leader", ["LC-001", "LC-002", "FZ-001", "JJ-001"]),
        ("department", ["LC-001", "LC-002", "FZ-001", "JJ-001"]),
        ("lichen_filer", ["LC-001", "LC-002"]),
        ("lichen_reviewer", ["LC-001", "LC-002"]),
        ("fengze_filer", ["FZ-001"]),
    ],
    indirect=["persona"],
)
def test_project_list_shows_only_projects_in_scope(client, ledger, persona, codes):
    client.force_login(persona)

    response = client.get("/projects/")

    assert response.status_code == 200
    assert [p.code for p in response.context["page"]] == codes
    html = response.content.decode()
    assert [code for code in ledger if code in html] == codes


def test_project_list_region_filter_cannot_widen_the_scope(client, ledger, lichen_filer):
    client.force_login(lichen_filer)

    response = client.get("/projects/", {"region": "350503"})

    # 丰泽区 is not among the filter's choices: the filter is refused and the scope stays.
    assert response.status_code == 200
    assert [p.code for p in response.context["page"]] == ["LC-001", "LC-002"]


def test_project_outside_scope_is_404_and_audited(client, ledger, lichen_filer):
    client.force_login(lichen_filer)
    fengze = ledger["FZ-001"]

    response = client.get(f"/projects/{fengze.pk}/")

    assert response.status_code == 404
    assert [e for e in _events() if e[0] == "denied"] == [
        ("denied", "lichen_filer", "projects.project", str(fengze.pk), "访问范围之外的对象。")
    ]


def test_missing_project_is_404_without_denial(client, lichen_filer):
    client.force_login(lichen_filer)

    response = client.get("/projects/999999/")

    assert response.status_code == 404
    assert [e[0] for e in _events()] == ["login"]


def test_project_in_scope_is_shown(client, ledger, lichen_filer):
    client.force_login(lichen_filer)

    response = client.get(f"/projects/{ledger['LC-002'].pk}/")

    assert response.status_code == 200
    assert response.context["project"] == ledger["LC-002"]
    assert response.context["can_edit"] is True


def test_reviewer_sees_project_but_may_not_edit(client, ledger, lichen_reviewer):
    client.force_login(lichen_reviewer)

    response = client.get(f"/projects/{ledger['LC-002'].pk}/")

    assert response.status_code == 200
    assert response.context["can_edit"] is False


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("city_admin", 200),
        ("lichen_filer", 200),
        ("fengze_filer", 200),
        ("lichen_reviewer", 403),
        ("city_reviewer", 403),
        ("leader", 403),
        ("department", 403),
    ],
    indirect=["persona"],
)
def test_new_project_page_by_role(client, persona, status):
    client.force_login(persona)

    response = client.get("/projects/new/")

    assert response.status_code == status
    denials = [e for e in _events() if e[0] == "denied"]
    if status == 403:
        assert denials == [("denied", persona.username, "", "", "无权新建项目。")]
    else:
        assert denials == []


def _create_form(**overrides):
    return {
        "code": "LC-2022-201",
        "name": "鲤城新能源电池项目",
        "region_code": "350502",
        "category_code": "investment-signed",
        "industry_chain_code": "new-energy",
        "total_investment": "65000.00",
        "annual_plan": "15000.00",
        "owner_enterprise": "",
        "responsible_unit": "",
        "longitude": "118.590000",
        "latitude": "24.910000",
        "description": "",
        "version": "",
        **overrides,
    }


def test_filer_creates_project_through_the_page(client, lichen_filer):
    client.force_login(lichen_filer)

    response = client.post("/projects/new/", _create_form())

    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"
    assert (project.code, project.region.code, project.total_investment, project.created_by) == (
        "LC-2022-201",
        "350502",
        Decimal("65000.00"),
        lichen_filer,
    )
    assert [e[0] for e in _events()] == ["login", "create"]


def test_filer_cannot_create_in_another_district_through_the_page(client, fengze_filer):
    client.force_login(fengze_filer)

    response = client.post("/projects/new/", _create_form())

    assert response.status_code == 200
    assert "region_code" in response.context["form"].errors
    assert Project.objects.count() == 0
    assert [e[0] for e in _events()] == ["login"]


def test_service_refusal_is_shown_on_the_form(client, lichen_filer):
    client.force_login(lichen_filer)

    response = client.post("/projects/new/", _create_form(annual_plan="70000.00"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "annual_plan": ["年度计划投资 70,000.00 万元不能大于总投资 65,000.00 万元。"]
    }
    assert Project.objects.count() == 0


def test_filer_of_another_district_cannot_record_stage_through_the_page(
    client, ledger, fengze_filer
):
    client.force_login(fengze_filer)
    project = ledger["LC-001"]

    response = client.post(
        f"/projects/{project.pk}/stage/", {"stage": "signed", "date": "2022-04-08"}
    )

    assert response.status_code == 404
    assert StageEvent.objects.count() == 0
    assert [e for e in _events() if e[0] == "denied"] == [
        ("denied", "fengze_filer", "projects.project", str(project.pk), "访问范围之外的对象。")
    ]


def test_reviewer_cannot_record_stage_through_the_page(client, ledger, lichen_reviewer):
    client.force_login(lichen_reviewer)
    project = ledger["LC-001"]

    response = client.post(
        f"/projects/{project.pk}/stage/", {"stage": "signed", "date": "2022-04-08"}
    )

    assert response.status_code == 403
    assert StageEvent.objects.count() == 0
    assert [e for e in _events() if e[0] == "denied"] == [
        (
            "denied",
            "lichen_reviewer",
            "projects.project",
            str(project.pk),
            "无权为项目“LC-001”记录阶段。",
        )
    ]


def test_filer_records_stage_through_the_page(client, ledger, lichen_filer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(lichen_filer)
    project = ledger["LC-001"]
    photo = SimpleUploadedFile("开工.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)

    response = client.post(
        f"/projects/{project.pk}/stage/",
        {"stage": "started", "date": "2022-04-08", "note": "开工报告", "evidence": photo},
    )

    assert (response.status_code, response["Location"]) == (302, f"/projects/{project.pk}/")
    assert list(StageEvent.objects.values_list("stage", "date", "note", "status")) == [
        ("started", dt.date(2022, 4, 8), "开工报告", "pending")
    ]


@pytest.mark.parametrize(
    "path", ["/", "/projects/", "/projects/new/", "/projects/1/", "/projects/1/edit/", "/audit/"]
)
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("city_admin", 200),
        ("city_reviewer", 403),
        ("leader", 403),
        ("department", 403),
        ("lichen_filer", 403),
        ("lichen_reviewer", 403),
        ("fengze_filer", 403),
    ],
    indirect=["persona"],
)
def test_audit_page_by_role(client, persona, status):
    client.force_login(persona)

    response = client.get("/audit/")

    assert response.status_code == status
    denials = [e for e in _events() if e[0] == "denied"]
    if status == 403:
        assert denials == [("denied", persona.username, "", "", "无权查看审计日志。")]
    else:
        assert denials == []


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("city_admin", 200),
        ("lichen_filer", 200),
        ("fengze_filer", 404),
        ("lichen_reviewer", 403),
        ("leader", 403),
    ],
    indirect=["persona"],
)
def test_edit_page_by_role(client, ledger, persona, status):
    client.force_login(persona)
    project = ledger["LC-001"]

    response = client.get(f"/projects/{project.pk}/edit/")

    assert response.status_code == status
    denials = [e for e in _events() if e[0] == "denied"]
    expected = {
        200: [],
        403: [
            (
                "denied",
                persona.username,
                "projects.project",
                str(project.pk),
                "无权修改项目“LC-001”。",
            )
        ],
        404: [
            (
                "denied",
                persona.username,
                "projects.project",
                str(project.pk),
                "访问范围之外的对象。",
            )
        ],
    }[status]
    assert denials == expected


def test_stale_edit_through_the_page_keeps_the_newer_values(client, city_admin, lichen_filer):
    project = project_create(actor=city_admin, data=NEW_LICHENG_PROJECT)
    project_update(
        actor=city_admin,
        project=project,
        data=replace(NEW_LICHENG_PROJECT, name="市项目办改过的名称"),
        expected_version=1,
    )
    client.force_login(lichen_filer)
    form = _create_form(
        code="LC-2022-101",
        name="区里改过的名称",
        category_code="investment-signed",
        total_investment="80000.00",
        annual_plan="20000.00",
        version="1",
    )

    response = client.post(f"/projects/{project.pk}/edit/", form)

    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert messages[0].startswith("保存失败：该项目已被 city_admin 于 ")
    row = Project.objects.get(pk=project.pk)
    assert (row.name, row.version) == ("市项目办改过的名称", 2)
    assert [e[0] for e in _events()] == ["create", "update", "login", "stale_edit"]
