"""Who sees and does what in the dispatch, what is refused (nothing written), and who is told."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.accounts.models import Department
from gongjian.audit.models import AuditEvent
from gongjian.dispatch import selectors
from gongjian.dispatch.models import FactorRequest, Meeting, ProjectMilestone, Task
from gongjian.dispatch.services import (
    FactorRequestInput,
    MeetingInput,
    MilestoneInput,
    TaskInput,
    factor_request_raise,
    factor_request_route,
    link_add,
    meeting_create,
    milestone_save,
    task_assign,
    task_report,
    task_send_reminders,
)
from gongjian.notifications.models import Notification
from gongjian.projects.services import problem_update_status
from gongjian.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_department_sees_and_answers_only_its_requests(city, zrzyj_officer, department):
    request = city["request"]

    assert list(FactorRequest.objects.visible_to(zrzyj_officer)) == [request]
    assert list(FactorRequest.objects.visible_to(department)) == []
    assert selectors.factor_board(user=department, as_of=dt.date(2022, 11, 30)) == []
    board = selectors.factor_board(user=zrzyj_officer, as_of=dt.date(2022, 11, 30))
    assert [(c.factor_name, c.department, c.open_count, c.overdue_count) for c in board] == [
        ("用地", "市自然资源和规划局", 1, 1)
    ]

    with pytest.raises(PermissionDenied):
        problem_update_status(
            actor=department, problem=request.problem, status="resolved", note="已解决"
        )
    problem_update_status(
        actor=zrzyj_officer, problem=request.problem, status="resolved", note="指标已下达"
    )
    request.problem.refresh_from_db()
    assert (request.problem.status, request.problem.resolution) == ("resolved", "指标已下达")


def test_district_sees_only_its_projects_requests_and_milestones(
    city, lichen_filer, fengze_filer, client
):
    assert list(FactorRequest.objects.visible_to(lichen_filer)) == []
    assert list(FactorRequest.objects.visible_to(fengze_filer)) == [city["request"]]
    assert set(ProjectMilestone.objects.visible_to(fengze_filer)) == set()
    client.force_login(lichen_filer)
    assert client.get(f"/dispatch/projects/{city['FZ-1'].pk}/milestones/").status_code == 404
    assert client.get(f"/dispatch/projects/{city['LC-1'].pk}/milestones/").status_code == 200


def test_filer_raises_a_factor_request_and_the_office_routes_it(
    city, lichen_filer, city_admin, zrzyj_officer, settings
):
    settings.BUSINESS_DATE = dt.date(2022, 11, 30)
    project = city["LC-2"]

    with pytest.raises(ValidationError) as refused:
        factor_request_raise(
            actor=lichen_filer,
            project=project,
            data=FactorRequestInput("land", "用地", "说明", quantity=Decimal("-5")),
        )
    assert refused.value.message_dict == {"quantity": ["需求数量须为正数。"]}
    request = factor_request_raise(
        actor=lichen_filer,
        project=project,
        data=FactorRequestInput(
            "funds", "专项债券资金", "申请专项债券资金支持。", quantity=Decimal("3500")
        ),
    )
    assert (request.factor_type.code, request.quantity_text) == ("funds", "3500 万元")
    assert request.problem.status == "open"

    factor_request_route(
        actor=city_admin,
        request=request,
        department=Department.objects.get(code="zrzyj"),
        due_date=dt.date(2022, 12, 20),
    )

    note = Notification.objects.get(recipient=zrzyj_officer)
    assert (note.kind, note.title) == ("problem_assigned", "问题交办：LC-2 专项债券资金")


def test_other_district_cannot_raise_a_request_and_nothing_is_written(city, fengze_filer):
    with pytest.raises(PermissionDenied):
        factor_request_raise(
            actor=fengze_filer,
            project=city["LC-2"],
            data=FactorRequestInput("land", "用地", "说明"),
        )
    assert FactorRequest.objects.count() == 1
    assert list(AuditEvent.objects.values_list("action", "message")) == [
        ("denied", "无权为项目“LC-2”提出要素保障需求。")
    ]


def test_milestone_done_needs_a_document_and_serves_it_within_scope(
    city, lichen_filer, fengze_filer, client
):
    project = city["LC-2"]
    with pytest.raises(ValidationError) as refused:
        milestone_save(
            actor=lichen_filer,
            project=project,
            data=MilestoneInput("construction-permit", dt.date(2023, 1, 10), dt.date(2022, 11, 28)),
        )
    assert refused.value.message_dict == {
        "document_number": ["标记为已完成须填写批复文号或上传批复文件。"]
    }
    milestone = milestone_save(
        actor=lichen_filer,
        project=project,
        data=MilestoneInput("construction-permit", dt.date(2023, 1, 10), dt.date(2022, 11, 28)),
        evidence=SimpleUploadedFile("施工许可证.pdf", b"%PDF-1.7\n%%EOF\n"),
    )
    assert (milestone.actual_date, milestone.evidence_type) == (
        dt.date(2022, 11, 28),
        "application/pdf",
    )
    client.force_login(fengze_filer)
    assert client.get(f"/dispatch/milestones/{milestone.pk}/evidence/").status_code == 404
    client.force_login(lichen_filer)
    response = client.get(f"/dispatch/milestones/{milestone.pk}/evidence/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")


def test_leader_sees_the_projects_linked_to_them(city, city_admin, leader, settings):
    settings.BUSINESS_DATE = dt.date(2022, 11, 30)
    link_add(
        actor=city_admin,
        project=city["LC-1"],
        role="leader",
        user=leader,
        position="副市长",
        start_date=dt.date(2022, 1, 1),
    )
    link_add(
        actor=city_admin,
        project=city["FZ-1"],
        role="guarantor",
        name="陈丽华",
        start_date=dt.date(2022, 1, 1),
    )

    sheets = selectors.my_linked_projects(user=leader, as_of=dt.date(2022, 11, 30))

    assert [
        (s.project.code, s.light, s.roles, [m.milestone_type.code for m in s.open_milestones])
        for s in sheets
    ] == [("LC-1", "red", ["挂钩领导"], ["eia"])]
    assert sheets[0].plan_completion == "83.3%"  # 5000 of its 6000 万元 annual plan
    with pytest.raises(ValidationError) as refused:
        link_add(
            actor=city_admin,
            project=city["LC-2"],
            role="leader",
            user=city_admin,
            start_date=dt.date(2022, 1, 1),
        )
    assert refused.value.message_dict == {"user": ["“city_admin”不是市领导账号。"]}


def test_task_to_a_department_notifies_its_staff_and_only_it_reports(
    city, city_admin, zrzyj_officer, department, lichen_filer, settings
):
    settings.BUSINESS_DATE = dt.date(2022, 11, 30)
    october = city["october"]

    task = task_assign(
        actor=city_admin,
        meeting=october,
        data=TaskInput(
            text="加快用地报批",
            due_date=dt.date(2022, 12, 15),
            owner_department_code="zrzyj",
            owner_person="张局长",
            project_code="FZ-1",
        ),
    )

    assert task.project is not None
    assert (task.number, task.owner_unit.name, task.project.code) == (
        4,
        "市自然资源和规划局",
        "FZ-1",
    )
    note = Notification.objects.get(recipient=zrzyj_officer, kind="task_assigned")
    assert note.title == "调度会交办：加快用地报批"
    assert note.link == f"/dispatch/tasks/{task.pk}/"
    for outsider in (department, lichen_filer):
        with pytest.raises(PermissionDenied):
            task_report(actor=outsider, task=task, progress="已办结", done=True)
    task_report(actor=zrzyj_officer, task=task, progress="已完成报批", done=True)
    task.refresh_from_db()
    assert (task.status, task.progress) == ("reported", "已完成报批")
    assert list(task.status_changes.values_list("from_status", "to_status")) == [
        ("open", "reported")
    ]


def test_task_with_an_owner_outside_the_meeting_is_refused(city, lichen_reviewer, region):
    meeting = meeting_create(
        actor=lichen_reviewer,
        data=MeetingInput(
            region_code="350502",
            period=dt.date(2022, 11, 1),
            held_on=dt.date(2022, 12, 1),
            chair="鲤城区区长",
        ),
    )
    with pytest.raises(ValidationError) as refused:
        task_assign(
            actor=lichen_reviewer,
            meeting=meeting,
            data=TaskInput(text="协调", due_date=dt.date(2022, 12, 15), owner_region_code="350503"),
        )
    assert refused.value.message_dict == {"owner": ["责任县区“350503”不在本次调度会范围内。"]}
    assert Task.objects.filter(meeting=meeting).count() == 0


@pytest.mark.parametrize(
    ("persona", "scope"),
    [
        ("lichen_filer", "350500"),
        ("lichen_filer", "350502"),
        ("lichen_reviewer", "350503"),
        ("lichen_reviewer", "350500"),
        ("leader", "350500"),
        ("department", "350500"),
    ],
)
def test_who_may_not_call_a_meeting(city, persona, scope, request):
    actor = request.getfixturevalue(persona)
    before = Meeting.objects.count()

    with pytest.raises(PermissionDenied):
        meeting_create(
            actor=actor,
            data=MeetingInput(
                region_code=scope,
                period=dt.date(2022, 11, 1),
                held_on=dt.date(2022, 12, 1),
                chair="某某",
            ),
        )

    assert Meeting.objects.count() == before
    assert AuditEvent.objects.filter(action="denied").count() == 1


def test_reminders_reach_the_owner_once_a_day(city):
    fgw_officer = UserFactory.create(username="fgw_officer", phone="13800000000")
    MembershipFactory.create(
        user=fgw_officer,
        role="department",
        region=city["october"].region,
        department=Department.objects.get(code="fgw"),
    )

    assert task_send_reminders(on=dt.date(2022, 11, 13)) == 1
    assert task_send_reminders(on=dt.date(2022, 11, 13)) == 0
    assert task_send_reminders(on=dt.date(2022, 11, 16)) == 1

    notes = Notification.objects.filter(recipient=fgw_officer).order_by("id")
    assert [(n.kind, n.title) for n in notes] == [
        ("task_reminder", "交办事项即将到期：加快环评审批"),
        ("task_reminder", "交办事项已逾期：加快环评审批"),
    ]
