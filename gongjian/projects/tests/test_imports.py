"""Import of published key-project lists (fixtures in ``published``) and the ledger export."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from gongjian.accounts.services import system_actor
from gongjian.audit.models import AuditEvent
from gongjian.campaigns.rollup import rollup_drift, rollup_rebuild
from gongjian.plans.models import AnnualPlan, PlanChange
from gongjian.projects.exports import ledger_workbook
from gongjian.projects.imports import import_projects
from gongjian.projects.models import Project, StageEvent
from gongjian.projects.tests.published import city_list_2022, district_list_csv
from gongjian.tests.factories import EnterpriseFactory, IndicatorFactory, make_uscc

pytestmark = pytest.mark.django_db

# Queries of a whole import, whatever its number of rows (3 or 30 in the tests below).
LIST_CREATE_QUERIES = 24
LIST_UPDATE_QUERIES = 38

CITY_SKIPPED = [
    {"row": 5, "reason": "合计/小计行"},
    {"row": 6, "reason": "分组标题：交通项目（3个）"},
    {"row": 9, "reason": "子项目（不单独计为项目）：其中：一期仓储"},
    {"row": 11, "reason": "分组标题：产业项目（2个）"},
    {"row": 13, "reason": "子项目（不单独计为项目）：南安芯谷一期配套道路"},
    {"row": 15, "reason": "合计/小计行"},
    {"row": 16, "reason": "注释行"},
]


def _import(data: bytes, name: str, **options):
    return import_projects(actor=system_actor(), data=data, filename=name, year=2022, **options)


def test_a_published_city_list_is_read_with_exact_totals():
    data, name = city_list_2022()
    result = _import(data, name)
    assert result.as_json() == {
        "rows": 5,
        "created": 5,
        "updated": 0,
        "skipped": CITY_SKIPPED,
        "errors": [],
        "total_investment": "1447500.00",
        "plan_investment": "171500.00",
        "warnings": [],
    }
    rows = {
        p.name: (
            p.region.code,
            p.markers,
            p.levels,
            p.project_class,
            p.sector.code if p.sector else "",
            p.start_year,
            p.end_year,
            p.planned_start_month,
            p.total_investment,
            p.annual_plan,
            p.responsible_unit,
        )
        for p in Project.objects.select_related("region", "sector")
    }
    assert rows == {
        "泉州湾跨海大桥连接线": (
            "350582", "★", ["provincial", "city"], "continuing", "transport", 2021, 2024,
            dt.date(2021, 6, 1), Decimal("185000.00"), Decimal("42000.00"), "市交通运输局",
        ),
        "石狮港区物流园": (
            "350581", "", ["city"], "new", "transport", 2022, 2023,
            dt.date(2022, 3, 1), Decimal("60000.00"), Decimal("15000.00"), "石狮市发改局",
        ),
        "安溪茶产业园三期": (
            "350524", "▲", ["city"], "new", "transport", 2022, 2025,
            dt.date(2022, 9, 1), Decimal("32500.00"), Decimal("10500.00"), "安溪县茶业局",
        ),
        "南安芯谷一期": (
            "350583", "", ["city"], "new", "industry", 2022, 2022,
            dt.date(2022, 5, 1), Decimal("120000.00"), Decimal("24000.00"), "南安市工信局",
        ),
        "泉州台商区滨海新城道路": (
            "QZ-TZQ", "", ["city"], "continuing", "industry", 2020, 2024,
            None, Decimal("1050000.00"), Decimal("80000.00"), "泉州台商投资区管委会",
        ),
    }  # fmt: skip
    assert AnnualPlan.objects.filter(year=2022).count() == 5
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_a_district_csv_without_units_or_region_column_takes_region_and_says_so(region):
    data, name = district_list_csv()
    result = _import(data, name, region=region("350502"))
    assert result.as_json() == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "skipped": [],
        "errors": [],
        "total_investment": "18700.50",
        "plan_investment": "3900.00",
        "warnings": [
            "“总投资”列未注明单位，按万元计（如为亿元或元，请在表头注明）。",
            "“年度计划投资”列未注明单位，按万元计（如为亿元或元，请在表头注明）。",
        ],
    }
    school = Project.objects.get(name="江南新区学校")
    assert (school.markers, school.levels, school.planned_start_month) == (
        "※",
        ["county"],
        dt.date(2022, 10, 1),
    )
    assert not AnnualPlan.objects.filter(project=school).exists()  # blank plan: none imported


def test_errors_are_named_by_row_and_column_and_nothing_is_written():
    text = (
        "序号,项目名称,所在地,建设起止年限,总投资（亿元）,2022年计划投资（亿元）\n"
        "1,甲项目,晋江,2022-2024,3,1\n"
        "2,乙项目,金门,2022,2,0.5\n"
        "3,丙项目,石狮,二〇二二,abc,0.5\n"
        "4,丁项目,南安,2022,1,2\n"
    )
    result = _import(text.encode("utf-8"), "list.csv")
    assert result.as_json()["errors"] == [
        {
            "row": 3,
            "column": "C",
            "field": "所在地",
            "message": "项目须归属于参与填报的县（市、区）或功能区，“金门县”不可选。",
        },
        {
            "row": 4,
            "column": "D",
            "field": "建设起止年限",
            "message": "“二〇二二”不是建设起止年限（如 2022-2024）。",
        },
        {"row": 4, "column": "E", "field": "总投资（亿元）", "message": "“abc”不是金额。"},
        {
            "row": 5,
            "column": "F",
            "field": "2022年计划投资（亿元）",
            "message": "年度计划投资 20,000.00 万元不能大于总投资 10,000.00 万元。",
        },
    ]
    assert (result.created, result.updated) == (0, 0)
    assert Project.objects.count() == 0
    assert PlanChange.objects.count() == 0
    assert AuditEvent.objects.filter(action="import").count() == 0


def test_update_changes_only_what_differs_and_dates_the_plan_change():
    data, name = city_list_2022()
    _import(data, name)
    first = Project.objects.get(name="石狮港区物流园")
    version = first.version
    again = _import(data, name, update=True)  # the same file: nothing differs
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    first.refresh_from_db()
    assert first.version == version
    text = (
        "项目编号,项目名称,所在地,总投资（万元）,2022年计划投资（万元）\n"
        f"{first.code},石狮港区物流园,石狮市,60000,12000\n"
    )
    result = _import(
        text.encode("utf-8"), "adjust.csv", update=True, effective_date=dt.date(2022, 8, 1)
    )
    assert (result.created, result.updated) == (0, 1)
    assert list(
        PlanChange.objects.filter(plan__project=first).values_list(
            "effective_date", "amount", "previous"
        )
    ) == [
        (dt.date(2022, 1, 1), Decimal("15000.00"), Decimal("0.00")),
        (dt.date(2022, 8, 1), Decimal("12000.00"), Decimal("15000.00")),
    ]
    first.refresh_from_db()
    # What the short list does not say is kept.
    assert (first.responsible_unit, first.project_class, first.version) == (
        "石狮市发改局",
        "new",
        version,
    )


def test_an_existing_project_without_update_is_an_error():
    data, name = city_list_2022()
    _import(data, name)
    result = _import(data, name)
    assert [e["message"] for e in result.errors][:1] == [
        "项目“KP2022-350582-001”已存在；要更新已有项目请选择“更新已有项目”（--update）。"
    ]


def test_the_ledger_export_imports_back_unchanged():
    data, name = city_list_2022()
    _import(data, name)
    exported = ledger_workbook(projects=Project.objects.order_by("code"), year=2022)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(exported)).get_sheet_by_index(0)
    header = sheet.to_python()[2]
    assert header[:5] == ["序号", "项目编号", "全国投资项目代码", "项目名称", "所在地"]
    result = _import(exported, "projects-2022.xlsx", update=True)
    assert (result.rows, result.created, result.updated, result.unchanged) == (5, 0, 0, 5)
    assert result.as_json()["total_investment"] == "1447500.00"
    assert result.as_json()["plan_investment"] == "171500.00"


def test_import_projects_command_prints_the_json_of_the_issue(tmp_path):
    data, name = city_list_2022()
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    call_command(
        "import-projects", str(path), "--year", "2022", "--dry-run", "--format", "json", stdout=out
    )
    document = json.loads(out.getvalue())
    assert list(document) == [
        "rows",
        "created",
        "updated",
        "skipped",
        "errors",
        "total_investment",
        "plan_investment",
        "warnings",
    ]
    assert (document["rows"], document["total_investment"]) == (5, "1447500.00")
    assert Project.objects.count() == 0  # a dry run writes nothing
    bad = tmp_path / "bad.csv"
    bad.write_text("项目名称,总投资\n甲,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="请用 --region 指定区域"):
        call_command("import-projects", str(bad), "--year", "2022", stdout=io.StringIO())


# ---------------------------------------------------------------------------------------------
# Set-based: the number of queries does not grow with the rows (STYLE 25).

OWNER = make_uscc(900)
PLACES = ("鲤城", "丰泽区", "晋江市", "南安")


def _list(rows: int, *, first: int = 0, total: int = 50000, plan: int = 12000) -> bytes:
    """``rows`` projects SB-<first>… in four districts, every other one owned by OWNER."""
    lines = [
        "项目编号,项目名称,所在地,统一社会信用代码,建设起止年限,总投资（万元）,"
        "2022年计划投资（万元）,计划开工时间,项目级别,建设性质,行业领域,责任单位"
    ]
    for n in range(first, first + rows):
        owner = OWNER if n % 2 else ""
        lines.append(
            f"SB-{n:04d},批量项目{n},{PLACES[n % 4]},{owner},2022-2024,{total + n},{plan},"
            f"2022年3月,市重点,新开工,产业,发改局"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def started_investment(db):
    """An event sum over stage events (its cells move when a project's total changes)."""
    return IndicatorFactory.create(
        code="started-investment",
        name="新开工项目总投资",
        kind="event_sum",
        definition={"source": "stage_events", "stage": "started", "measure": "total_investment"},
    )


def test_the_list_import_is_set_based(django_assert_max_num_queries, started_investment):
    EnterpriseFactory.create(uscc=OWNER, name="泉州业主制造有限公司")
    system_actor()  # its account is created on first use
    counts = []
    for rows, first in ((3, 0), (30, 100)):
        with django_assert_max_num_queries(LIST_CREATE_QUERIES) as captured:
            result = _import(_list(rows, first=first), "list.csv")
        assert (result.rows, result.created, result.errors) == (rows, rows, [])
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert Project.objects.count() == 33
    assert Project.objects.filter(owner_enterprise_record__uscc=OWNER).count() == 16
    project = Project.objects.select_related("region").get(code="SB-0101")
    assert (project.region.code, project.total_investment, project.annual_plan) == (
        "350503",
        Decimal("50101.00"),
        Decimal("12000.00"),
    )
    assert (project.levels, project.project_class, project.owner_enterprise) == (
        ["city"],
        "new",
        "泉州业主制造有限公司",
    )
    assert AnnualPlan.objects.filter(year=2022, amount=Decimal("12000.00")).count() == 33
    assert PlanChange.objects.count() == 33
    assert AuditEvent.objects.filter(action="create", object_type="projects.project").count() == 33
    assert AuditEvent.objects.filter(action="create", object_type="plans.annualplan").count() == 33
    assert AuditEvent.objects.filter(action="import").count() == 2


def test_the_list_update_is_set_based_and_keeps_the_cells(
    django_assert_max_num_queries, started_investment
):
    EnterpriseFactory.create(uscc=OWNER, name="泉州业主制造有限公司")
    _import(_list(33), "list.csv", effective_date=dt.date(2022, 1, 1))
    StageEvent.objects.bulk_create(
        [
            StageEvent(project=project, stage="started", date=dt.date(2022, 3, 1))
            for project in Project.objects.all()
        ]
    )
    rollup_rebuild()
    counts = []
    for rows, first in ((3, 0), (30, 3)):
        with django_assert_max_num_queries(LIST_UPDATE_QUERIES) as captured:
            result = _import(
                _list(rows, first=first, total=60000, plan=15000),
                "list.csv",
                update=True,
                effective_date=dt.date(2022, 8, 1),
            )
        assert (result.created, result.updated, result.errors) == (0, rows, [])
        counts.append(len(captured))
    assert counts[0] == counts[1]
    project = Project.objects.get(code="SB-0007")
    assert (project.total_investment, project.annual_plan, project.version) == (
        Decimal("60007.00"),
        Decimal("15000.00"),
        2,
    )
    assert list(
        PlanChange.objects.filter(plan__project=project).values_list(
            "effective_date", "amount", "previous"
        )
    ) == [
        (dt.date(2022, 1, 1), Decimal("12000.00"), Decimal("0.00")),
        (dt.date(2022, 8, 1), Decimal("15000.00"), Decimal("12000.00")),
    ]
    assert rollup_drift() == []
    event = AuditEvent.objects.get(
        action="update", object_type="projects.project", object_id=str(project.pk)
    )
    # The plan is the plan's own event; the ledger column follows it without a project event.
    assert event.changed_fields() == [
        ("total_investment", "50007.00", "60007.00"),
        ("version", 1, 2),
    ]
    assert AuditEvent.objects.filter(action="update", object_type="plans.annualplan").count() == 33


def test_progress_is_told_by_phase():
    told: list[tuple[str, int, int]] = []
    data, name = city_list_2022()
    import_projects(
        actor=system_actor(),
        data=data,
        filename=name,
        year=2022,
        progress=lambda phase, done, total: told.append((phase, done, total)),
    )
    assert told == [
        ("read", 0, 0),
        ("read", 5, 5),
        ("validate", 0, 5),
        ("validate", 5, 5),
        ("save", 0, 5),
        ("save", 5, 5),
    ]


def test_a_row_sees_the_rows_before_it_as_saved():
    # Two new projects with one national code: the second is refused, naming the first.
    text = (
        "项目编号,项目名称,所在地,全国投资项目代码,总投资（万元）\n"
        "NC-1,甲项目,晋江,2022-350582-47-01-000001,3000\n"
        "NC-2,乙项目,石狮,2022-350582-47-01-000001,2000\n"
    )
    result = _import(text.encode("utf-8"), "list.csv")
    assert result.errors == [
        {
            "row": 3,
            "column": "D",
            "field": "全国投资项目代码",
            "message": "全国投资项目代码“2022-350582-47-01-000001”已用于项目“NC-1”。",
        }
    ]
    assert Project.objects.count() == 0
