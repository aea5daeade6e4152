"""Annual plans, their dated changes, the plan indicators and the project lights, against a
hand-computed example (序时 by months: 2022-11-30 → 11/12 = 91.67%).

A: plan 10000 from 01-01, 8000 from 07-01; approved reports 03: 2000, 06: 2000, 10: 3000;
   started 2021-06.
B: plan 6000; reports 05: 1000, 09: 2000; started 2021-06.
C: plan 4000, planned start 2022-04; no report; not started.
D: plan 5000, planned completion 2022-10; report 08: 4000; started 2021, 竣工 2022-10-20.
E: plan 1000, planned start 2022-03; no report; started 2022-03-15.

At 2022-11-30: plans 8000+6000+4000+5000+1000 = 24000, done 7000+3000+0+4000+0 = 14000 →
58.33%, 33.34 points behind 91.67. 开工率: due C, E → started E → 50.00%. 竣工率: due D → 100%.
At 2022-06-30 (A's plan still 10000): plans 26000, done 4000+1000 = 5000 → 19.23%.
Lights at 2022-11-30: A 87.50% (4.17 behind) green; B 50.00% red; C red (behind, and not
started); D 80.00% (11.67 behind) yellow; E red (behind) and yellow (no report 09–10).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from gongjian.accounts.services import api_token_create
from gongjian.audit.models import AuditEvent
from gongjian.campaigns.engine import drilldown, drilldown_value, evaluate_path
from gongjian.campaigns.models import Campaign, Indicator
from gongjian.core.periods import months_between
from gongjian.plans.lights import _KINDS, RuleKind, project_lights, register_rule_kind
from gongjian.plans.models import AnnualPlan, LightRule, PlanChange
from gongjian.plans.selectors import plan_indicators, planned_projects
from gongjian.plans.services import annual_plan_set, light_rule_update
from gongjian.projects.models import Project
from gongjian.tests.factories import (
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
)

pytestmark = pytest.mark.django_db

NOV_30 = dt.date(2022, 11, 30)
JUN_30 = dt.date(2022, 6, 30)
JAN_1 = dt.date(2022, 1, 1)


def _report(project: Project, month: int, amount: str) -> None:
    ProgressReportFactory(
        project=project,
        period=ReportingPeriodFactory(month=dt.date(2022, month, 1)),
        amount=Decimal(amount),
        status="city_approved",
    )


@pytest.fixture
def ledger(city_admin):
    Campaign.objects.create(
        code="xmgj2022",
        name="项目攻坚2022",
        starts_on=JAN_1,
        ends_on=dt.date(2022, 12, 31),
        elapsed_basis="months",
    )
    months = {
        "C": {"planned_start_month": dt.date(2022, 4, 1)},
        "D": {"planned_completion_month": dt.date(2022, 10, 1)},
        "E": {"planned_start_month": dt.date(2022, 3, 1)},
    }
    projects = {
        code: ProjectFactory.create(
            code=code, name=f"项目{code}", annual_plan=Decimal(0), **months.get(code, {})
        )
        for code in "ABCDE"
    }
    for code in "ABD":
        StageEventFactory(project=projects[code], stage="started", date=dt.date(2021, 6, 1))
    StageEventFactory(project=projects["D"], stage="completed", date=dt.date(2022, 10, 20))
    StageEventFactory(project=projects["E"], stage="started", date=dt.date(2022, 3, 15))
    for code, amount in (
        ("A", "10000"),
        ("B", "6000"),
        ("C", "4000"),
        ("D", "5000"),
        ("E", "1000"),
    ):
        annual_plan_set(
            actor=city_admin,
            project=projects[code],
            year=2022,
            amount=Decimal(amount),
            effective_date=JAN_1,
            reason="年初下达",
        )
    annual_plan_set(
        actor=city_admin,
        project=projects["A"],
        year=2022,
        amount=Decimal("8000"),
        effective_date=dt.date(2022, 7, 1),
        reason="年中调整：征迁滞后",
    )
    for code, month, amount in (
        ("A", 3, "2000"),
        ("A", 6, "2000"),
        ("A", 10, "3000"),
        ("B", 5, "1000"),
        ("B", 9, "2000"),
        ("D", 8, "4000"),
    ):
        _report(projects[code], month, amount)
    return projects


def test_a_plan_change_is_dated_audited_and_progress_reads_the_plan_in_force(ledger):
    a = ledger["A"]
    changes = list(
        PlanChange.objects.filter(plan__project=a).values_list(
            "effective_date", "amount", "previous", "reason", "actor__username"
        )
    )
    assert changes == [
        (JAN_1, Decimal("10000.00"), Decimal("0.00"), "年初下达", "city_admin"),
        (
            dt.date(2022, 7, 1),
            Decimal("8000.00"),
            Decimal("10000.00"),
            "年中调整：征迁滞后",
            "city_admin",
        ),
    ]
    a.refresh_from_db()
    assert a.annual_plan == Decimal("8000.00")
    last = AuditEvent.objects.filter(object_type="plans.annualplan").order_by("id").last()
    assert last is not None and last.before is not None and last.after is not None
    assert (last.action, last.before["amount"], last.after["amount"]) == (
        "update",
        "10000.00",
        "8000.00",
    )
    assert last.message == "2022-07-01 起年度计划 8,000.00 万元：年中调整：征迁滞后"
    june = plan_indicators(projects=Project.objects.filter(pk=a.pk), as_of=JUN_30)
    november = plan_indicators(projects=Project.objects.filter(pk=a.pk), as_of=NOV_30)
    assert (june.plan_total, june.actual_total, june.completion_rate) == (
        Decimal("10000.00"),
        Decimal("4000.00"),
        Decimal("40.00"),
    )
    assert (november.plan_total, november.actual_total, november.completion_rate) == (
        Decimal("8000.00"),
        Decimal("7000.00"),
        Decimal("87.50"),
    )


def test_plan_indicators_match_the_hand_computed_example(ledger):
    result = plan_indicators(projects=Project.objects.all(), as_of=NOV_30)
    assert (result.plan_total, result.actual_total) == (Decimal("24000.00"), Decimal("14000.00"))
    assert (result.completion_rate, result.schedule, result.ahead) == (
        Decimal("58.33"),
        Decimal("91.67"),
        Decimal("-33.34"),
    )
    assert (result.due_to_start, result.started, result.start_rate) == (2, 1, Decimal("50.00"))
    assert (result.due_to_complete, result.completed, result.completion_count_rate) == (
        1,
        1,
        Decimal("100.00"),
    )
    by_days = plan_indicators(projects=Project.objects.all(), as_of=NOV_30, basis="days")
    assert by_days.schedule == Decimal("91.51")  # 334 / 365


@pytest.mark.parametrize(
    ("measure", "month", "expected"),
    [
        ("investment", dt.date(2022, 11, 1), Decimal("58.33")),
        ("investment", dt.date(2022, 6, 1), Decimal("19.23")),
        ("started", dt.date(2022, 11, 1), Decimal("50.00")),
        ("started", dt.date(2022, 3, 1), Decimal("100.00")),
        ("completed", dt.date(2022, 11, 1), Decimal("100.00")),
        ("completed", dt.date(2022, 9, 1), None),
    ],
)
def test_the_plan_ratio_kind_of_the_engine_pools_the_plans(
    ledger, region, measure, month, expected
):
    indicator = Indicator(
        kind="plan_ratio", definition={"source": "annual_plans", "measure": measure}
    )
    evaluation = evaluate_path(
        indicator=indicator,
        root_path=region("350500").path,
        months=months_between(JAN_1, dt.date(2022, 12, 1)),
        as_of=NOV_30,
    )
    assert evaluation.value("350500", month) == expected
    assert evaluation.value("350502", month) == expected
    assert evaluation.value("350503", month) is None


@pytest.mark.parametrize("as_of", [NOV_30, JUN_30, dt.date(2022, 3, 20)])
def test_the_plan_indicators_and_the_engine_agree(ledger, region, leader, as_of):
    """The lights page and the dashboard card (plan_indicators) and a campaign's plan_ratio
    targets (the engine, and its drill-down) give one answer: 58.33 / 50.00 / 100.00 at 11-30,
    5000 ÷ 26000 = 19.23 / 1 of 2 started (C, E) / none due at 06-30, 2000 ÷ 26000 = 7.69 / E
    started 03-15 → 1 of 1 / none due at 03-20."""
    city = region("350500")
    card = plan_indicators(projects=Project.objects.all(), as_of=as_of)
    card_rates = {
        "investment": card.completion_rate,
        "started": card.start_rate,
        "completed": card.completion_count_rate,
    }
    for measure, card_rate in card_rates.items():
        indicator = Indicator(
            kind="plan_ratio", definition={"source": "annual_plans", "measure": measure}
        )
        evaluation = evaluate_path(
            indicator=indicator,
            root_path=city.path,
            months=months_between(JAN_1, dt.date(2022, 12, 1)),
            as_of=as_of,
        )
        rows = drilldown(
            indicator=indicator,
            region=city,
            period_start=JAN_1,
            period_end=dt.date(2022, 12, 31),
            as_of=as_of,
            user=leader,
        )
        engine_rate = evaluation.value("350500", dt.date(2022, as_of.month, 1))
        assert (card_rate, drilldown_value(indicator=indicator, rows=rows)) == (
            engine_rate,
            engine_rate,
        )
    expected = {
        NOV_30: (Decimal("58.33"), Decimal("50.00"), Decimal("100.00")),
        JUN_30: (Decimal("19.23"), Decimal("50.00"), None),
        dt.date(2022, 3, 20): (Decimal("7.69"), Decimal("100.00"), None),
    }
    assert tuple(card_rates.values()) == expected[as_of]


def test_plan_ratio_definitions_are_checked():
    from gongjian.campaigns.definitions import indicator_definition_validate

    assert (
        indicator_definition_validate(
            "plan_ratio", {"source": "annual_plans", "measure": "investment", "levels": ["city"]}
        )
        == []
    )
    assert indicator_definition_validate(
        "plan_ratio", {"source": "annual_plans", "measure": "spent", "levels": ["town"]}
    ) == [
        "“measure”须为以下之一：investment（完成年度计划投资率）、started（开工率）、"
        "completed（竣工率/投产率）。",
        "“levels”中的“town”不存在（可用：city、county、provincial）。",
    ]


def _lights(as_of: dt.date) -> dict[str, tuple[str, list[str]]]:
    lights = project_lights(projects=planned_projects(as_of.year), as_of=as_of)
    return {
        project.code: (str(lights[project.pk].color), lights[project.pk].reason_texts())
        for project in Project.objects.all()
    }


def test_lights_at_the_end_of_november(ledger):
    assert _lights(NOV_30) == {
        "A": ("green", []),
        "B": (
            "red",
            ["完成年度计划投资 50.00%（3,000.00万元 / 6,000.00万元），落后序时进度 41.67个百分点"],
        ),
        "C": (
            "red",
            [
                "完成年度计划投资 0.00%（0.00万元 / 4,000.00万元），落后序时进度 91.67个百分点",
                "计划 2022-04 开工，至今未开工",
            ],
        ),
        "D": (
            "yellow",
            ["完成年度计划投资 80.00%（4,000.00万元 / 5,000.00万元），落后序时进度 11.67个百分点"],
        ),
        "E": (
            "red",
            [
                "完成年度计划投资 0.00%（0.00万元 / 1,000.00万元），落后序时进度 91.67个百分点",
                "2022-09 至 2022-10 连续 2 个月无审核通过的月报",
            ],
        ),
    }


def test_each_rule_has_a_passing_and_a_failing_case(ledger):
    at_june = _lights(JUN_30)
    # A: 40.00% at 50.00% elapsed is exactly 10 points behind: not more than 10, so the plan
    # rule does not fire (A is yellow only for April and May without a report).
    assert at_june["A"] == ("yellow", ["2022-04 至 2022-05 连续 2 个月无审核通过的月报"])
    # B: 1000 / 6000 = 16.67%, 33.33 behind: more than 30, red.
    assert at_june["B"][0] == "red"
    # C planned to start in April: in May it has passed (red); in April it has not yet.
    assert "计划 2022-04 开工，至今未开工" in _lights(dt.date(2022, 5, 1))["C"][1]
    assert "计划 2022-04 开工，至今未开工" not in _lights(dt.date(2022, 4, 30))["C"][1]
    # No approved report: E (under construction) yes; D (completed in October) and B (September
    # report) no.
    no_report = "2022-09 至 2022-10 连续 2 个月无审核通过的月报"
    at_november = _lights(NOV_30)
    assert no_report in at_november["E"][1]
    assert no_report not in at_november["D"][1]
    assert no_report not in at_november["B"][1]
    # A rule switched off no longer fires.
    LightRule.objects.filter(kind="start_overdue").update(is_active=False)
    assert _lights(NOV_30)["C"][1] == [
        "完成年度计划投资 0.00%（0.00万元 / 4,000.00万元），落后序时进度 91.67个百分点"
    ]


def test_another_app_contributes_a_rule_kind_through_the_registry(ledger):
    def open_milestone(*, rule, projects, as_of):
        return {
            pk: "施工许可未办结" for pk in projects.filter(code="A").values_list("pk", flat=True)
        }

    register_rule_kind(RuleKind(code="test_milestone", label="节点", evaluate=open_milestone))
    LightRule.objects.create(
        code="milestone", name="前期节点逾期", kind="test_milestone", color="yellow"
    )
    try:
        assert _lights(NOV_30)["A"] == ("yellow", ["施工许可未办结"])
    finally:
        _KINDS.pop("test_milestone")
    # Without the app (kind not registered) its rules are ignored.
    assert _lights(NOV_30)["A"] == ("green", [])


def test_project_lights_command_prints_the_json_of_the_issue(ledger):
    out = io.StringIO()
    call_command("project-lights", "--as-of", "2022-11-30", "--format", "json", stdout=out)
    document = json.loads(out.getvalue())
    assert document["as_of"] == "2022-11-30"
    assert document["counts"] == {"red": 3, "yellow": 1, "green": 1}
    assert document["projects"][0] == {
        "code": "A",
        "name": "项目A",
        "region_code": "350502",
        "light": "green",
        "reasons": [],
    }
    assert [(p["code"], p["light"]) for p in document["projects"]] == [
        ("A", "green"),
        ("B", "red"),
        ("C", "red"),
        ("D", "yellow"),
        ("E", "red"),
    ]


def test_api_lists_projects_by_light(ledger, client, city_admin):
    _token, raw = api_token_create(user=city_admin)
    response = client.get(
        "/api/v1/projects",
        {"light": "red", "as_of": "2022-11-30"},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200
    body = response.json()
    assert [(item["code"], item["light"]) for item in body["items"]] == [
        ("B", "red"),
        ("C", "red"),
        ("E", "red"),
    ]
    assert body["count"] == 3
    assert body["items"][1]["light_reasons"] == [
        "完成年度计划投资 0.00%（0.00万元 / 4,000.00万元），落后序时进度 91.67个百分点",
        "计划 2022-04 开工，至今未开工",
    ]


def test_a_plan_above_the_total_or_without_reason_is_refused_and_nothing_changes(
    ledger, city_admin
):
    before = PlanChange.objects.count()
    with pytest.raises(ValidationError) as refused:
        annual_plan_set(
            actor=city_admin,
            project=ledger["B"],
            year=2022,
            amount=Decimal("60000"),
            effective_date=dt.date(2022, 8, 1),
            reason="",
        )
    assert refused.value.message_dict == {
        "amount": ["年度计划投资 60,000.00 万元不能大于总投资 50,000.00 万元。"],
        "reason": ["请填写计划下达或调整的依据。"],
    }
    assert PlanChange.objects.count() == before


def test_a_district_cannot_plan_another_districts_project(ledger, fengze_filer):
    before = (PlanChange.objects.count(), AuditEvent.objects.filter(action="denied").count())
    with pytest.raises(PermissionDenied):
        annual_plan_set(
            actor=fengze_filer,
            project=ledger["B"],
            year=2022,
            amount=Decimal("1"),
            effective_date=dt.date(2022, 8, 1),
            reason="越权",
        )
    assert PlanChange.objects.count() == before[0]
    assert AuditEvent.objects.filter(action="denied").count() == before[1] + 1


def test_only_the_campaign_office_edits_light_rules(city_admin, lichen_filer):
    rule = LightRule.objects.get(code="behind-10")
    with pytest.raises(PermissionDenied):
        light_rule_update(
            actor=lichen_filer,
            rule=rule,
            name=rule.name,
            color="yellow",
            threshold=Decimal(5),
            months=None,
            days=None,
            is_active=True,
        )
    rule.refresh_from_db()
    assert rule.threshold == Decimal("10.00")
    light_rule_update(
        actor=city_admin,
        rule=rule,
        name=rule.name,
        color="yellow",
        threshold=Decimal(15),
        months=None,
        days=None,
        is_active=True,
    )
    rule.refresh_from_db()
    assert rule.threshold == Decimal("15.00")
    event = AuditEvent.objects.filter(object_type="plans.lightrule").get(action="update")
    assert event.before is not None and event.after is not None
    assert (event.before["threshold"], event.after["threshold"]) == ("10.00", "15")


def test_the_bulletin_names_every_red_project_with_its_unit_and_the_boards(
    ledger, city_admin, tmp_path
):
    import subprocess

    from docx import Document
    from python_calamine import CalamineWorkbook

    from gongjian.bulletins.renderers import render_docx, render_pdf, render_xlsx
    from gongjian.bulletins.selectors import bulletin_content

    Project.objects.filter(code="B").update(responsible_unit="泉州城建集团有限公司")
    campaign = Campaign.objects.get(code="xmgj2022")
    content = bulletin_content(
        campaign=campaign, month=dt.date(2022, 11, 1), user=city_admin, on=dt.date(2022, 12, 6)
    )
    plan = content.plan
    assert plan is not None
    assert plan.summary == (
        "2022年清单内重点项目5个，年度计划投资2.40亿元，累计完成投资1.40亿元，"
        "完成年度计划投资58.33%，落后序时进度33.34个百分点。"
        "计划开工项目2个、已开工1个，开工率50.00%；亮红灯项目3个、黄灯1个、绿灯1个。"
    )
    assert [(p.name, p.responsible_unit) for p in plan.red_projects] == [
        ("项目B", "泉州城建集团有限公司"),
        ("项目C", "鲤城区发改局"),
        ("项目E", "鲤城区发改局"),
    ]
    boards = {board.name: board for board in plan.boards}
    projects_board = boards["重点项目红黑榜"]
    assert [(r.name, r.rate) for r in projects_board.red] == [
        ("项目A", Decimal("87.50")),
        ("项目D", Decimal("80.00")),
        ("项目B", Decimal("50.00")),
        ("项目C", Decimal("0.00")),
        ("项目E", Decimal("0.00")),
    ]
    assert [r.name for r in projects_board.black][:3] == ["项目C", "项目E", "项目B"]
    soes = boards["国有企业红黑榜"]
    assert [(r.name, r.detail, r.rate) for r in soes.red] == [
        ("泉州城建集团有限公司", "1个项目", Decimal("50.00"))
    ]
    assert [(r.name, r.rate) for r in boards["县（市、区）红黑榜"].red] == [
        ("鲤城区", Decimal("58.33"))
    ]

    document = Document(io.BytesIO(render_docx(content)))
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["项目B", "鲤城区", "泉州城建集团有限公司", plan.red_projects[0].reasons_text] in cells
    assert "七、重点项目推进和红黑榜" in [p.text for p in document.paragraphs]

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(render_xlsx(content)))
    red_sheet = workbook.get_sheet_by_name("红灯项目").to_python()
    assert [row[:4] for row in red_sheet[2:5]] == [
        ["B", "项目B", "鲤城区", "泉州城建集团有限公司"],
        ["C", "项目C", "鲤城区", "鲤城区发改局"],
        ["E", "项目E", "鲤城区", "鲤城区发改局"],
    ]

    pdf = tmp_path / "bulletin.pdf"
    pdf.write_bytes(render_pdf(content))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    squeezed = "".join(text.split())
    for expected in ("七、重点项目推进和红黑榜", "项目B", "泉州城建集团有限公司", "国有企业红黑榜"):
        assert expected in squeezed, expected


def _writes() -> tuple[int, int, list[tuple[str, Decimal | None, bool]], int]:
    """What a refused POST must leave as it was: plans, plan changes, rules, audit updates."""
    return (
        PlanChange.objects.count(),
        AnnualPlan.objects.count(),
        list(LightRule.objects.order_by("code").values_list("code", "threshold", "is_active")),
        AuditEvent.objects.exclude(action="denied").count(),
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("city_admin", 302),
        ("lichen_filer", 302),
        ("city_reviewer", 403),
        ("leader", 403),
        ("lichen_reviewer", 403),
        ("department", 403),
        ("fengze_filer", 404),
        ("security_admin", 404),
    ],
)
def test_plan_adjustment_by_role_refuses_before_reading_the_form(
    ledger, client, request, persona, status
):
    # Given a valid adjustment of B's plan (Lichen) posted by each role
    user = request.getfixturevalue(persona)
    client.force_login(user)
    before = _writes()
    denied = AuditEvent.objects.filter(action="denied").count()

    response = client.post(
        f"/plans/projects/{ledger['B'].pk}/plan/",
        {"year": 2022, "amount": "5000", "effective_date": "2022-08-01", "reason": "调整"},
    )

    # Then only the city office and Lichen's filer write; the others are refused, audited
    assert response.status_code == status
    if status == 302:
        assert PlanChange.objects.count() == before[0] + 1
        assert Project.objects.get(pk=ledger["B"].pk).annual_plan == Decimal("5000.00")
    else:
        assert _writes() == before
        assert Project.objects.get(pk=ledger["B"].pk).annual_plan == Decimal("6000.00")
        assert (
            AuditEvent.objects.filter(action="denied").count() == denied + 1
        )  # 404 is audited too


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("city_admin", 302),
        ("city_reviewer", 403),
        ("leader", 403),
        ("lichen_filer", 403),
        ("lichen_reviewer", 403),
        ("department", 403),
        ("security_admin", 403),
    ],
)
def test_light_rule_edit_by_role_refuses_before_reading_the_form(client, request, persona, status):
    # Given an edit of the behind-10 rule posted by each role
    user = request.getfixturevalue(persona)
    client.force_login(user)
    before = _writes()
    denied = AuditEvent.objects.filter(action="denied").count()

    response = client.post(
        "/plans/lights/rules/",
        {
            "rule": "behind-10",
            "behind-10-name": "落后序时进度 15 个百分点",
            "behind-10-color": "yellow",
            "behind-10-threshold": "15",
            "behind-10-is_active": "on",
        },
    )

    # Then only the campaign office changes the rule; the others are refused and audited
    assert response.status_code == status
    threshold = LightRule.objects.get(code="behind-10").threshold
    if status == 302:
        assert threshold == Decimal("15.00")
    else:
        assert threshold == Decimal("10.00")
        assert _writes() == before
        assert AuditEvent.objects.filter(action="denied").count() == denied + 1


def test_lights_read_the_schedule_once_whatever_the_number_of_rules(
    ledger, django_assert_num_queries, django_assert_max_num_queries
):
    # Given the default rules (two behind-schedule: 10 → yellow, 30 → red; dispatch's four)
    projects = Project.objects.all()
    with django_assert_max_num_queries(16) as baseline:
        expected = project_lights(projects=projects, as_of=NOV_30)

    # When three more behind-schedule rules are active
    for code, threshold in (("behind-4", 4), ("behind-20", 20), ("behind-50", 50)):
        LightRule.objects.create(
            code=code, name=code, kind="behind_schedule", color="yellow", threshold=threshold
        )

    # Then the lights take no more queries than before (the schedule is read once)
    with django_assert_num_queries(len(baseline.captured_queries)):
        lights = project_lights(projects=projects, as_of=NOV_30)
    assert {pk: light.color for pk, light in lights.items()} == {
        pk: light.color for pk, light in expected.items()
    } | {ledger["A"].pk: "yellow"}
    # and A (4.17 points behind) now fires the 4-point rule with the same reason text
    assert lights[ledger["A"].pk].reason_texts() == [
        "完成年度计划投资 87.50%（7,000.00万元 / 8,000.00万元），落后序时进度 4.17个百分点"
    ]
