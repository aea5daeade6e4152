"""The Excel template: what a district filer downloads for a period, read back from the real file
(values with python-calamine, protection and validation from the sheet's XML)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongjian.audit.models import AuditEvent
from gongjian.reporting.exports import report_template_export
from gongjian.reporting.tests.excel import (  # noqa: F401 (fixtures)
    NS,
    XLSX,
    cell_style,
    ledger_fixture,
    media_fixture,
    period_fixture,
    raw,
    sheets,
    xml,
)
from gongjian.reporting.workbook import TemplateMeta, input_digest

pytestmark = pytest.mark.django_db

EXPORTED_AT = dt.datetime(2022, 12, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))

HEADER = [
    "项目编号",
    "项目名称",
    "区域",
    "总投资（万元）",
    "本年累计（含待审核，万元）",
    "开工以来累计（万元）",
    "本月完成投资（万元）",
    "形象进度",
    "调整说明",
    "报告状态",
]


@pytest.fixture
def exported_at(monkeypatch):
    monkeypatch.setattr(timezone, "localtime", lambda value=None: EXPORTED_AT)


@pytest.fixture
def template(lichen_filer, ledger, period, exported_at) -> bytes:
    return report_template_export(actor=lichen_filer, period=period).content


def test_template_is_prefilled_with_the_districts_due_projects(template):
    # Given 鲤城区's three projects due in November (LC-009 is not started; FZ-001 is 丰泽区's)
    # When the filer downloads the template
    main = sheets(template)["月度填报"]

    # Then the header block names the period and its due date, and every due project has a row
    # with the stored figures: totals including this month's saved amount, the draft's values
    assert main[0][0] == "2022年11月 项目进展填报表"
    assert main[1][0] == (
        "填报期：2022-11　截止日期：2022-12-05　导出时间：2022-12-01 09:30　"
        "共 3 个项目，其中 1 个只读（灰色）"
    )
    assert main[2][0].startswith("填写说明：只填写白色单元格（本月完成投资、形象进度、调整说明）")
    assert main[3] == HEADER
    assert main[4:] == [
        ["LC-001", "鲤城智能装备产业园", "鲤城区", 50000.0, 1000.0, 3000.0, "", "", "", "未填报"],
        [
            "LC-002",
            "江南片区城市更新",
            "鲤城区",
            12000.0,
            800.0,
            800.0,
            800.0,
            "场地平整",
            "",
            "草稿",
        ],
        [
            "LC-003",
            "鲤城古城保护提升",
            "鲤城区",
            8000.0,
            1500.0,
            1500.0,
            1500.0,
            "主体施工",
            "",
            "已报送",
        ],
    ]


def test_totals_follow_the_amount_typed_this_month(template):
    # The year-to-date and since-start cells are formulas over G (hidden from the formula bar);
    # the read-only row keeps plain values.
    sheet = raw(template, "xl/worksheets/sheet1.xml")
    assert '<c r="E5" s="7"><f>1000.00+G5</f><v>1000.0</v></c>' in sheet
    assert '<c r="F5" s="7"><f>3000.00+G5</f><v>3000.0</v></c>' in sheet
    assert '<c r="E6" s="7"><f>0.00+G6</f><v>800.0</v></c>' in sheet
    assert re.search(r'<c r="E7" s="\d+"><v>1500</v></c>', sheet)


def test_sheet_is_protected_with_input_cells_unlocked(template):
    sheet = raw(template, "xl/worksheets/sheet1.xml")
    assert (
        '<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0" '
        'autoFilter="0"/>'
    ) in sheet
    # Key columns locked and grey; the three input columns of an editable row unlocked and white;
    # every cell of the submitted row (LC-003, row 7) locked and darker grey.
    assert cell_style(template, "A5") == {"locked": True, "fill": "FFF2F4F7", "format": "0"}
    assert cell_style(template, "D5") == {
        "locked": True,
        "fill": "FFF2F4F7",
        "format": "#,##0.00",
    }
    assert cell_style(template, "G5") == {
        "locked": False,
        "fill": "FFFFFFFF",
        "format": "#,##0.00",
    }
    assert [cell_style(template, f"{c}6")["locked"] for c in "ABCDEFGHIJ"] == [
        True,
        True,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        True,
    ]
    assert {cell_style(template, f"{c}7")["locked"] for c in "ABCDEFGHIJ"} == {True}
    assert cell_style(template, "G7") == {"locked": True, "fill": "FFE4E7EC", "format": "#,##0.00"}


def test_input_columns_carry_data_validation(template):
    validations = xml(template, "xl/worksheets/sheet1.xml").findall(
        "m:dataValidations/m:dataValidation", NS
    )
    assert [
        (v.get("sqref"), v.get("type"), v.get("operator"), v.findtext("m:formula1", namespaces=NS))
        for v in validations
    ] == [
        ("G5:G7", "decimal", "greaterThanOrEqual", "0"),
        ("H5:H7", "textLength", "lessThanOrEqual", "2000"),
        ("I5:I7", "textLength", "lessThanOrEqual", "2000"),
    ]
    amount = validations[0]
    assert (amount.get("promptTitle"), amount.get("prompt")) == (
        "本月完成投资（万元）",
        "填写本月完成的投资额，单位万元，最多两位小数，如 1200.50；本月没有投资填 0。",
    )
    assert (amount.get("errorTitle"), amount.get("error"), amount.get("showErrorMessage")) == (
        "金额无效",
        "本月完成投资须为不小于 0 的数字（单位：万元），不能填写文字。",
        "1",
    )
    assert validations[1].get("error") == "形象进度不能超过 2000 字。"


def test_header_row_is_frozen_and_columns_sized(template):
    sheet = xml(template, "xl/worksheets/sheet1.xml")
    pane = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
    assert pane is not None
    assert (pane.get("ySplit"), pane.get("xSplit"), pane.get("state")) == ("4", "2", "frozen")
    widths = [round(float(c.get("width", "0"))) for c in sheet.findall("m:cols/m:col", NS)]
    assert widths == [17, 35, 13, 16, 18, 19, 41, 29, 13]


def test_hidden_sheet_carries_period_format_and_row_versions(template, ledger):
    workbook = raw(template, "xl/workbook.xml")
    assert '<sheet name="_gongjian" sheetId="2" state="veryHidden" r:id="rId2"/>' in workbook
    cells = sheets(template)["_gongjian"]
    meta = TemplateMeta.parse(cells)
    assert (meta.format_version, meta.period, meta.region, meta.language, meta.generated_at) == (
        "1",
        "2022-11",
        "",
        "zh-hans",
        "2022-12-01T09:30:00+08:00",
    )
    assert [(r.code, r.version, r.digest) for r in meta.rows] == [
        ("LC-001", None, input_digest(None, "", "")),
        ("LC-002", 1, input_digest(ledger["draft"].amount, "场地平整", "")),
        ("LC-003", 2, input_digest(ledger["submitted"].amount, "主体施工", "")),
    ]


def test_template_of_one_region(lichen_filer, ledger, period, exported_at, region):
    exported = report_template_export(actor=lichen_filer, period=period, region=region("350502"))
    main = sheets(exported.content)["月度填报"]
    assert main[0][0] == "2022年11月 项目进展填报表 · 鲤城区"
    assert exported.filename == "项目进展填报_2022-11_鲤城区.xlsx"
    assert TemplateMeta.parse(sheets(exported.content)["_gongjian"]).region == "350502"


def test_a_district_filers_template_is_named_after_the_district(
    lichen_filer, city_admin, ledger, period, exported_at
):
    assert (
        report_template_export(actor=lichen_filer, period=period).filename
        == "项目进展填报_2022-11_鲤城区.xlsx"
    )
    assert (
        report_template_export(actor=city_admin, period=period).filename
        == "项目进展填报_2022-11_全部区域.xlsx"
    )


def test_city_admin_template_covers_every_district(city_admin, ledger, period, exported_at):
    main = sheets(report_template_export(actor=city_admin, period=period).content)["月度填报"]
    assert [row[0] for row in main[4:]] == ["LC-001", "LC-002", "LC-003", "FZ-001"]


def test_closed_period_template_is_all_read_only(lichen_filer, ledger, period, exported_at):
    period.state = "closed"
    period.save()
    content = report_template_export(actor=lichen_filer, period=period).content
    assert sheets(content)["月度填报"][1][0].endswith("共 3 个项目，其中 3 个只读（灰色）")
    assert cell_style(content, "G5")["locked"] is True


def test_download_is_audited(lichen_filer, ledger, period, exported_at):
    report_template_export(actor=lichen_filer, period=period)
    event = AuditEvent.objects.get()
    assert (
        event.action,
        event.actor_username,
        event.object_type,
        event.object_id,
        event.after,
        event.message,
    ) == (
        "export",
        "lichen_filer",
        "reporting.reportingperiod",
        str(period.pk),
        {"file": "report_template", "period": "2022-11", "region": "", "rows": 3},
        "下载月度填报模板（3 个项目）。",
    )


@pytest.mark.parametrize("persona", ["leader", "lichen_reviewer", "department"])
def test_who_does_not_file_cannot_download(request, persona, ledger, period):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        report_template_export(actor=user, period=period)
    assert list(AuditEvent.objects.values_list("action", "actor_username", "message")) == [
        ("denied", user.username, "无权下载月度填报模板。")
    ]


def test_download_view(client, lichen_filer, ledger, period):
    client.force_login(lichen_filer)
    response = client.get("/reporting/excel/template/?period=2022-11&region=350502")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("项目进展填报_2022-11_鲤城区.xlsx")
    )
    assert [row[0] for row in sheets(response.content)["月度填报"][4:]] == [
        "LC-001",
        "LC-002",
        "LC-003",
    ]


def test_download_view_refuses_a_leader(client, leader, ledger, period):
    client.force_login(leader)
    assert client.get("/reporting/excel/template/?period=2022-11").status_code == 403


def test_workspace_shows_the_excel_panel(client, lichen_filer, ledger, period):
    client.force_login(lichen_filer)
    page = client.get("/reporting/?period=2022-11").content.decode()
    assert '<h2 id="excel-title">Excel 导入导出</h2>' in page
    assert 'href="/reporting/excel/template/?period=2022-11" download>下载模板（.xlsx）</a>' in page
    assert 'action="/reporting/excel/import/"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "仅限 .xlsx，不超过 5.0\xa0MB、5000 行。" in page


def test_workspace_hides_the_panel_from_a_leader(client, leader, ledger, period):
    client.force_login(leader)
    assert "Excel 导入导出" not in client.get("/reporting/?period=2022-11").content.decode()
