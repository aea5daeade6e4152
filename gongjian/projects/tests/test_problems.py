"""问题协调: raising, assigning and moving a problem — exact rows, status changes, audit events and
notifications, a role matrix for each service, the read scope, the board's filters and age
buckets, and the pages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Department
from gongjian.accounts.scopes import memberships_of
from gongjian.accounts.services import system_actor
from gongjian.audit.models import AuditEvent
from gongjian.notifications.models import Notification
from gongjian.projects import selectors
from gongjian.projects.models import Problem, ProblemStatusChange
from gongjian.projects.services import problem_assign, problem_raise, problem_update_status
from gongjian.regions.models import Region
from gongjian.tests.factories import (
    MembershipFactory,
    ProblemFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 1, 3)
SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERYONE = [
    "city_admin",
    "city_reviewer",
    "leader",
    "department",
    "lichen_filer",
    "lichen_reviewer",
    "fengze_filer",
    "anonymous",
]


def _others(*allowed: str) -> list[str]:
    return [p for p in EVERYONE if p not in allowed]


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr("gongjian.projects.services.today", lambda: TODAY)
    monkeypatch.setattr("gongjian.projects.views.today", lambda: TODAY)


@pytest.fixture
def persona(request):
    return request.getfixturevalue(request.param)


def _member(username, role, code, department=None, **fields):
    user = UserFactory.create(username=username, **fields)
    MembershipFactory.create(
        user=user,
        role=role,
        region=Region.objects.get(code=code),
        department=Department.objects.get(code=department) if department else None,
    )
    return user


@pytest.fixture
def office(db):
    """The campaign office's duty officer, told of every new problem."""
    return _member("qz_office", Role.CITY_ADMIN, "350500")


@pytest.fixture
def gxj_officer(db):
    return _member("gxj_officer", Role.DEPARTMENT, "350500", department="gxj")


@pytest.fixture
def project(db):
    return ProjectFactory.create(code="LC-2022-001", name="鲤城智能装备产业园")


@pytest.fixture
def report(project):
    return ProgressReportFactory.create(
        project=project, period=ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))
    )


def _events():
    return [
        (e.action, e.actor_username, e.object_type, e.object_id, e.message)
        for e in AuditEvent.objects.exclude(action="login").order_by("id")
    ]


# --- raise ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["city_admin", "city_reviewer", "lichen_filer"], indirect=True)
def test_raise_a_problem_in_a_report(persona, project, report, office):
    problem = problem_raise(
        actor=persona,
        project=project,
        title=" 项目用地指标尚未落实 ",
        description="二期用地 120 亩指标待下达。",
        report=report,
    )

    row = Problem.objects.get()
    assert (
        row.pk,
        row.project,
        row.report,
        row.title,
        row.description,
        row.department,
        row.due_date,
        row.status,
        row.raised_by,
    ) == (
        problem.pk,
        project,
        report,
        "项目用地指标尚未落实",
        "二期用地 120 亩指标待下达。",
        None,
        None,
        "open",
        persona,
    )
    assert _events() == [("create", persona.username, "projects.problem", str(problem.pk), "")]
    assert list(
        Notification.objects.values_list("recipient__username", "kind", "title", "body", "link")
    ) == [
        (
            "qz_office",
            "problem_raised",
            "新问题待交办：LC-2022-001 项目用地指标尚未落实",
            f"{persona.username} 上报了项目“鲤城智能装备产业园”的问题：\n"
            "二期用地 120 亩指标待下达。",
            f"/projects/problems/{problem.pk}/",
        )
    ]


@pytest.mark.parametrize(
    "persona", _others("city_admin", "city_reviewer", "lichen_filer"), indirect=True
)
def test_others_cannot_raise(persona, project):
    with pytest.raises(PermissionDenied) as refusal:
        problem_raise(actor=persona, project=project, title="问题", description="描述")

    message = "无权为项目“LC-2022-001”上报问题。"
    assert str(refusal.value) == message
    assert Problem.objects.count() == 0
    assert _events() == [("denied", persona.username, "projects.project", str(project.pk), message)]


def test_raise_names_the_bad_fields(lichen_filer, project):
    other_report = ProgressReportFactory.create()

    with pytest.raises(ValidationError) as error:
        problem_raise(
            actor=lichen_filer, project=project, title=" ", description="", report=other_report
        )

    assert error.value.message_dict == {
        "title": ["问题不能为空。"],
        "description": ["问题描述不能为空。"],
        "report": ["所选月报不是项目“LC-2022-001”的月报。"],
    }
    assert Problem.objects.count() == 0


# --- assign -----------------------------------------------------------------------------------


@pytest.fixture
def problem(project):
    return ProblemFactory.create(project=project)


@pytest.fixture
def zsj():
    return Department.objects.get(code="zsj")


@pytest.mark.parametrize("persona", ["city_admin", "city_reviewer"], indirect=True)
def test_city_staff_assign_and_the_department_is_told(
    persona, problem, zsj, django_capture_on_commit_callbacks
):
    from django.core import mail

    _member("zsj_clerk", Role.DEPARTMENT, "350500", department="zsj", email="clerk@zsj.gov.cn")
    with django_capture_on_commit_callbacks(execute=True):
        problem_assign(
            actor=persona, problem=problem, department=zsj, due_date=dt.date(2023, 1, 20)
        )

    row = Problem.objects.get()
    assert (row.department, row.due_date, row.assigned_by, row.status) == (
        zsj,
        dt.date(2023, 1, 20),
        persona,
        "open",
    )
    event = AuditEvent.objects.exclude(action="login").get()
    before, after = event.before or {}, event.after or {}
    assert (event.action, before["department"], after["department"]) == ("update", "", "zsj")
    assert (before["due_date"], after["due_date"]) == (None, "2023-01-20")
    assert list(Notification.objects.values_list("recipient__username", "title", "body")) == [
        (
            "zsj_clerk",
            "问题交办：LC-2022-001 项目用地指标尚未落实",
            f"{persona.username} 将项目“鲤城智能装备产业园”的问题交由市招商局办理，"
            "请于 2023-01-20 前办结。",
        )
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["clerk@zsj.gov.cn"], "【攻坚】问题交办：LC-2022-001 项目用地指标尚未落实")
    ]


@pytest.mark.parametrize("persona", _others("city_admin", "city_reviewer"), indirect=True)
def test_others_cannot_assign(persona, problem, zsj):
    with pytest.raises(PermissionDenied) as refusal:
        problem_assign(
            actor=persona, problem=problem, department=zsj, due_date=dt.date(2023, 1, 20)
        )

    message = "无权交办问题“项目用地指标尚未落实”。"
    assert str(refusal.value) == message
    assert Problem.objects.get().department is None
    assert _events() == [("denied", persona.username, "projects.problem", str(problem.pk), message)]


def test_assign_names_the_bad_fields(city_admin, problem, zsj):
    with pytest.raises(ValidationError) as missing:
        problem_assign(actor=city_admin, problem=problem, department=None, due_date=None)
    with pytest.raises(ValidationError) as past:
        problem_assign(
            actor=city_admin, problem=problem, department=zsj, due_date=dt.date(2023, 1, 2)
        )

    assert missing.value.message_dict == {
        "department": ["请选择承办部门。"],
        "due_date": ["办结期限不能为空。"],
    }
    assert past.value.message_dict == {
        "due_date": ["办结期限 2023-01-02 早于今天，请选择今天或以后的日期。"]
    }
    assert _events() == []


def test_a_resolved_problem_is_not_reassigned(city_admin, problem, zsj):
    problem_assign(actor=city_admin, problem=problem, department=zsj, due_date=TODAY)
    problem_update_status(actor=city_admin, problem=problem, status="resolved", note="已解决。")

    with pytest.raises(ValidationError) as error:
        problem_assign(
            actor=city_admin,
            problem=problem,
            department=Department.objects.get(code="gxj"),
            due_date=TODAY,
        )

    assert error.value.messages == ["问题已解决，不能再交办；如需继续处理请先重新打开。"]
    assert Problem.objects.get().department == zsj


# --- status -----------------------------------------------------------------------------------


@pytest.fixture
def assigned(problem, zsj):
    Problem.objects.filter(pk=problem.pk).update(department=zsj, due_date=dt.date(2023, 1, 20))
    problem.refresh_from_db()
    return problem


@pytest.mark.parametrize("persona", ["department", "city_admin", "city_reviewer"], indirect=True)
def test_the_department_and_the_city_move_it_on(persona, assigned):
    problem_update_status(
        actor=persona, problem=assigned, status="in_progress", note="已对接省厅。"
    )
    problem_update_status(actor=persona, problem=assigned, status="resolved", note=" 指标已下达。 ")

    row = Problem.objects.get()
    assert (row.status, row.resolution, row.resolved_at is not None) == (
        "resolved",
        "指标已下达。",
        True,
    )
    assert list(
        ProblemStatusChange.objects.order_by("id").values_list(
            "from_status", "to_status", "actor", "note"
        )
    ) == [
        ("open", "in_progress", persona.pk, "已对接省厅。"),
        ("in_progress", "resolved", persona.pk, "指标已下达。"),
    ]
    assert [e[0:2] + e[4:] for e in _events()] == [
        ("update", persona.username, "已对接省厅。"),
        ("update", persona.username, "指标已下达。"),
    ]
    assert list(
        Notification.objects.order_by("id").values_list("recipient__username", "title", "body")
    ) == [
        ("raiser", "问题处理中：LC-2022-001 项目用地指标尚未落实", "已对接省厅。"),
        ("raiser", "问题已解决：LC-2022-001 项目用地指标尚未落实", "指标已下达。"),
    ]


@pytest.mark.parametrize(
    "persona", _others("department", "city_admin", "city_reviewer"), indirect=True
)
def test_others_cannot_move_it(persona, assigned):
    with pytest.raises(PermissionDenied) as refusal:
        problem_update_status(actor=persona, problem=assigned, status="in_progress")

    message = "无权更新问题“项目用地指标尚未落实”的状态。"
    assert str(refusal.value) == message
    assert Problem.objects.get().status == "open"
    assert ProblemStatusChange.objects.count() == 0
    assert _events() == [
        ("denied", persona.username, "projects.problem", str(assigned.pk), message)
    ]


def test_another_department_cannot_move_it(gxj_officer, assigned):
    with pytest.raises(PermissionDenied):
        problem_update_status(actor=gxj_officer, problem=assigned, status="in_progress")
    assert Problem.objects.get().status == "open"


def test_before_assignment_only_the_city_moves_it(department, city_reviewer, problem):
    with pytest.raises(PermissionDenied):
        problem_update_status(actor=department, problem=problem, status="in_progress")
    problem_update_status(actor=city_reviewer, problem=problem, status="in_progress")
    assert Problem.objects.get().status == "in_progress"


def test_resolving_needs_a_note_and_other_refusals(department, assigned):
    with pytest.raises(ValidationError) as no_note:
        problem_update_status(actor=department, problem=assigned, status="resolved", note=" ")
    with pytest.raises(ValidationError) as unknown:
        problem_update_status(actor=department, problem=assigned, status="done")
    with pytest.raises(ValidationError) as same:
        problem_update_status(actor=department, problem=assigned, status="open")

    assert no_note.value.message_dict == {"resolution": ["标为已解决须填写解决情况。"]}
    assert unknown.value.message_dict == {"status": ["未知的状态“done”。"]}
    assert same.value.message_dict == {"status": ["问题已是“待处理”状态。"]}
    assert ProblemStatusChange.objects.count() == 0


def test_only_the_city_reopens_a_resolved_problem(department, city_admin, assigned):
    problem_update_status(actor=department, problem=assigned, status="resolved", note="已解决。")

    with pytest.raises(PermissionDenied) as refusal:
        problem_update_status(actor=department, problem=assigned, status="in_progress")
    problem_update_status(actor=city_admin, problem=assigned, status="in_progress", note="反复")

    assert str(refusal.value) == "问题“项目用地指标尚未落实”已解决，只有市级可以重新打开。"
    row = Problem.objects.get()
    assert (row.status, row.resolved_at, row.resolution) == ("in_progress", None, "已解决。")


# --- scope ------------------------------------------------------------------------------------


@pytest.fixture
def spread(db, region):
    zsj, gxj = Department.objects.get(code="zsj"), Department.objects.get(code="gxj")
    lichen = ProjectFactory.create(code="LC-1")
    fengze = ProjectFactory.create(code="FZ-1", region=region("350503"))
    due = dt.date(2023, 2, 1)
    return {
        "lc-zsj": ProblemFactory.create(
            project=lichen, title="鲤城·招商", department=zsj, due_date=due
        ),
        "lc-none": ProblemFactory.create(project=lichen, title="鲤城·未交办"),
        "fz-zsj": ProblemFactory.create(
            project=fengze, title="丰泽·招商", department=zsj, due_date=due
        ),
        "fz-gxj": ProblemFactory.create(
            project=fengze, title="丰泽·工信", department=gxj, due_date=due
        ),
    }


@pytest.mark.parametrize(
    ("persona", "titles"),
    [
        ("city_admin", ["丰泽·工信", "丰泽·招商", "鲤城·招商", "鲤城·未交办"]),
        ("leader", ["丰泽·工信", "丰泽·招商", "鲤城·招商", "鲤城·未交办"]),
        ("lichen_filer", ["鲤城·招商", "鲤城·未交办"]),
        ("fengze_filer", ["丰泽·工信", "丰泽·招商"]),
        ("department", ["丰泽·招商", "鲤城·招商"]),
        ("gxj_officer", ["丰泽·工信"]),
        ("anonymous", []),
    ],
    indirect=["persona"],
)
def test_who_sees_which_problems(persona, titles, spread):
    assert sorted(Problem.objects.visible_to(persona).values_list("title", flat=True)) == titles


def test_a_superuser_sees_every_problem(spread):
    assert Problem.objects.visible_to(system_actor()).count() == 4


# --- the board --------------------------------------------------------------------------------

BOARD_DAY = dt.date(2023, 1, 31)


def _at(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def board(db, region):
    """Six problems raised 0, 7, 8, 30, 31 and 61 days before 2023-01-31 (Asia/Shanghai)."""
    zsj, gxj = Department.objects.get(code="zsj"), Department.objects.get(code="gxj")
    lichen = ProjectFactory.create(code="LC-1")
    fengze = ProjectFactory.create(code="FZ-1", region=region("350503"))
    due = dt.date(2023, 2, 28)

    def make(key, project, department, raised_at, **fields):
        return ProblemFactory.create(
            project=project,
            title=key,
            department=department,
            due_date=due if department else None,
            raised_at=raised_at,
            **fields,
        )

    return {
        "A": make("A", lichen, zsj, _at(2023, 1, 31, 9, 0)),
        "B": make("B", lichen, gxj, _at(2023, 1, 24, 0, 0), status="in_progress"),
        "C": make("C", fengze, zsj, _at(2023, 1, 23, 23, 59)),
        "D": make("D", fengze, None, _at(2023, 1, 1, 0, 0)),
        "E": make("E", lichen, zsj, _at(2022, 12, 31, 23, 59)),
        "F": make(
            "F",
            lichen,
            zsj,
            _at(2022, 12, 1, 10, 0),
            status="resolved",
            resolution="已解决",
            resolved_at=_at(2022, 12, 20, 10, 0),
        ),
    }


def _board(user, **filters):
    result = selectors.problem_board(
        user=user, filters=selectors.ProblemFilters(**filters), today=BOARD_DAY
    )
    return [p.title for p in result.problems], result.status_counts, result.age_counts


ALL_STATUSES = {"open": 4, "in_progress": 1, "resolved": 1}


@pytest.mark.parametrize(
    ("filters", "titles", "statuses", "ages"),
    [
        ({}, ["E", "D", "C", "B", "A"], ALL_STATUSES, {"le7": 2, "8to30": 2, "gt30": 1}),
        (
            {"department": "zsj"},
            ["E", "C", "A"],
            {"open": 3, "in_progress": 0, "resolved": 1},
            {"le7": 1, "8to30": 1, "gt30": 1},
        ),
        (
            {"district": "350503"},
            ["D", "C"],
            {"open": 2, "in_progress": 0, "resolved": 0},
            {"le7": 0, "8to30": 2, "gt30": 0},
        ),
        ({"age": "le7"}, ["B", "A"], ALL_STATUSES, {"le7": 2, "8to30": 2, "gt30": 1}),
        ({"age": "8to30"}, ["D", "C"], ALL_STATUSES, {"le7": 2, "8to30": 2, "gt30": 1}),
        ({"age": "gt30"}, ["E"], ALL_STATUSES, {"le7": 2, "8to30": 2, "gt30": 1}),
        (
            {"status": "all", "age": "gt30"},
            ["F", "E"],
            ALL_STATUSES,
            {"le7": 2, "8to30": 2, "gt30": 2},
        ),
        ({"status": "resolved"}, ["F"], ALL_STATUSES, {"le7": 0, "8to30": 0, "gt30": 1}),
        ({"status": "in_progress"}, ["B"], ALL_STATUSES, {"le7": 1, "8to30": 0, "gt30": 0}),
        (
            {"department": "zsj", "district": "350502", "age": "le7"},
            ["A"],
            {"open": 2, "in_progress": 0, "resolved": 1},
            {"le7": 1, "8to30": 0, "gt30": 1},
        ),
    ],
)
def test_board_filters_and_counts(city_admin, board, filters, titles, statuses, ages):
    assert _board(city_admin, **filters) == (titles, statuses, ages)


def test_board_ages_in_days(city_admin, board):
    rows = selectors.problem_board(user=city_admin, today=BOARD_DAY).problems
    assert [(p.title, selectors.age_in_days(p, BOARD_DAY)) for p in rows] == [
        ("E", 31),
        ("D", 30),
        ("C", 8),
        ("B", 7),
        ("A", 0),
    ]


def test_board_is_scoped(lichen_filer, department, board):
    assert _board(lichen_filer)[0] == ["E", "B", "A"]
    assert _board(department)[0] == ["E", "C", "A"]


def test_board_is_three_queries(city_admin, board, django_assert_num_queries):
    memberships_of(city_admin)
    with django_assert_num_queries(3):
        result = selectors.problem_board(user=city_admin, today=BOARD_DAY)
        list(result.problems)


# --- pages ------------------------------------------------------------------------------------


def test_board_page_with_filters_chips_and_ages(client, city_admin, board, monkeypatch):
    monkeypatch.setattr("gongjian.projects.views.today", lambda: BOARD_DAY)
    client.force_login(city_admin)

    response = client.get("/projects/problems/?department=zsj")

    assert response.status_code == 200
    assert [(p.title, p.age_days) for p in response.context["page"]] == [
        ("E", 31),
        ("C", 8),
        ("A", 0),
    ]
    assert [(c["value"], c["count"], c["active"]) for c in response.context["status_chips"]] == [
        ("active", 3, True),
        ("open", 3, False),
        ("in_progress", 0, False),
        ("resolved", 1, False),
        ("all", 4, False),
    ]
    assert [c["query"] for c in response.context["status_chips"]] == [
        "department=zsj",
        "department=zsj&status=open",
        "department=zsj&status=in_progress",
        "department=zsj&status=resolved",
        "department=zsj&status=all",
    ]
    assert [(c["value"], c["count"], c["query"]) for c in response.context["age_chips"]] == [
        ("le7", 1, "department=zsj&age=le7"),
        ("8to30", 1, "department=zsj&age=8to30"),
        ("gt30", 1, "department=zsj&age=gt30"),
    ]
    page = response.content.decode()
    assert "共 3 个问题" in page
    assert (
        '<a class="chip age-gt30 urgent" href="?department=zsj&amp;age=gt30">'
        '&gt;30天 <span class="chip-count">1</span></a>'
    ) in page


def test_board_page_age_filter(client, lichen_filer, board, monkeypatch):
    monkeypatch.setattr("gongjian.projects.views.today", lambda: BOARD_DAY)
    client.force_login(lichen_filer)

    response = client.get("/projects/problems/?age=gt30")

    assert [p.title for p in response.context["page"]] == ["E"]


def test_project_page_lists_its_problems_and_raises_new_ones(client, lichen_filer, project, report):
    ProblemFactory.create(project=project, title="既有问题")
    client.force_login(lichen_filer)

    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "既有问题" in page
    assert f'action="/projects/{project.pk}/problems/new/"' in page
    assert f'<option value="{report.pk}">2022年11月月报</option>' in page

    response = client.post(
        f"/projects/{project.pk}/problems/new/",
        {"title": "施工用电未接入", "description": "需供电公司配合。", "report": str(report.pk)},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/#problems"
    created = Problem.objects.get(title="施工用电未接入")
    assert (created.report, created.raised_by) == (report, lichen_filer)


def test_raise_form_errors_are_shown_on_the_project_page(client, lichen_filer, project):
    client.force_login(lichen_filer)
    response = client.post(
        f"/projects/{project.pk}/problems/new/", {"title": "问题", "description": ""}
    )
    assert response.status_code == 200
    assert '<p class="field-error" id="id_description_error">这个字段是必填项。</p>' in (
        response.content.decode()
    )
    assert Problem.objects.count() == 0


def test_a_reader_sees_problems_but_no_raise_form(client, leader, project):
    ProblemFactory.create(project=project, title="既有问题")
    client.force_login(leader)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "既有问题" in page
    assert "problems/new/" not in page


def test_detail_page_forms_follow_the_role(client, city_admin, department, lichen_filer, assigned):
    url = f"/projects/problems/{assigned.pk}/"

    client.force_login(city_admin)
    page = client.get(url).content.decode()
    assert (f"{url}assign/" in page, f"{url}status/" in page) == (True, True)

    client.force_login(department)
    page = client.get(url).content.decode()
    assert (f"{url}assign/" in page, f"{url}status/" in page) == (False, True)

    client.force_login(lichen_filer)
    page = client.get(url).content.decode()
    assert (f"{url}assign/" in page, f"{url}status/" in page) == (False, False)


def test_assign_and_resolve_through_the_pages(client, city_admin, department, problem):
    client.force_login(city_admin)
    response = client.post(
        f"/projects/problems/{problem.pk}/assign/", {"department": "zsj", "due_date": "2023-01-20"}
    )
    assert response.status_code == 302

    client.force_login(department)
    response = client.post(
        f"/projects/problems/{problem.pk}/status/", {"status": "resolved", "note": ""}
    )
    assert response.status_code == 200
    assert '<p class="field-error" id="id_note_error">标为已解决须填写解决情况。</p>' in (
        response.content.decode()
    )
    client.post(
        f"/projects/problems/{problem.pk}/status/", {"status": "resolved", "note": "已落实。"}
    )

    row = Problem.objects.get()
    assert (row.department.code, row.status, row.resolution) == ("zsj", "resolved", "已落实。")  # type: ignore[union-attr]


def test_outside_the_scope_is_a_404(client, fengze_filer, gxj_officer, assigned):
    for user in (fengze_filer, gxj_officer):
        client.force_login(user)
        assert client.get(f"/projects/problems/{assigned.pk}/").status_code == 404
        assert (
            client.post(
                f"/projects/problems/{assigned.pk}/status/", {"status": "in_progress"}
            ).status_code
            == 404
        )
    assert Problem.objects.get().status == "open"


def test_in_the_pinned_demo_a_problem_is_dated_on_the_business_date(
    settings, lichen_filer, project
):
    from django.utils import timezone

    settings.BUSINESS_DATE = dt.date(2022, 12, 2)

    problem = problem_raise(actor=lichen_filer, project=project, title="问题", description="描述")

    assert timezone.localdate(problem.raised_at) == dt.date(2022, 12, 2)
    assert selectors.age_in_days(problem, dt.date(2022, 12, 2)) == 0
