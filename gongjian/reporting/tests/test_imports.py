"""The Excel upload: a filled-in template becomes draft reports through the reporting services,
all or nothing, with every error named by Excel row and column; large files go through the
database task queue.

Workbooks are "filled in" as a user's spreadsheet program would save them: the values of the
downloaded template read with python-calamine and written into a new file with XlsxWriter.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import signal
import threading
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from gongjian.accounts.choices import Role
from gongjian.audit.models import AuditEvent
from gongjian.reporting.exports import report_template_export
from gongjian.reporting.imports import import_start
from gongjian.reporting.jobs import ProgressWriter
from gongjian.reporting.models import ImportJob, ProgressReport, ReportStatusChange
from gongjian.reporting.services import ReportInput, report_save
from gongjian.reporting.tasks import run_import
from gongjian.reporting.tests.excel import (  # noqa: F401 (fixtures)
    XLSX,
    cell_style,
    filled,
    ledger_fixture,
    media_fixture,
    period_fixture,
    raw,
    sheets,
    upload,
)
from gongjian.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(lichen_filer, ledger, period) -> bytes:
    return report_template_export(actor=lichen_filer, period=period).content


def _reports():
    """Every November report as (code, status, version, amount, progress_text, adjustment_note)."""
    return [
        (r.project.code, r.status, r.version, r.amount, r.progress_text, r.adjustment_note)
        for r in ProgressReport.objects.filter(period__month=dt.date(2022, 11, 1))
        .select_related("project")
        .order_by("project__code")
    ]


UNTOUCHED = [
    ("LC-002", "draft", 1, Decimal("800.00"), "场地平整", ""),
    ("LC-003", "submitted", 2, Decimal("1500.00"), "主体施工", ""),
]


def _actions():
    """Audit events after the template download, as (action, object type, message)."""
    return list(
        AuditEvent.objects.exclude(action__in=["export", "login"])
        .order_by("id")
        .values_list("action", "object_type", "message")
    )


def _messages(job: ImportJob) -> list[str]:
    return [error["message"] for error in job.errors]


def _import(user, period, content, **kwargs) -> ImportJob:
    return import_start(actor=user, period=period, upload=upload(content), **kwargs)


# ---------------------------------------------------------------------------------------------
# The round trip


def test_round_trip_through_the_pages_saves_exact_drafts(client, lichen_filer, ledger, period):
    client.force_login(lichen_filer)
    # Given the template downloaded from the workspace
    template = client.get("/reporting/excel/template/?period=2022-11").content
    # When the filer types LC-001's figures, corrects LC-002's draft (a number typed as text
    # with a thousands separator) and uploads the file
    content = filled(
        template,
        {
            "G5": 1200.5,
            "H5": "主体结构施工至第 3 层",
            "G6": "1,350.75",
            "H6": "场地平整完成，开始桩基施工",
        },
    )
    response = client.post(
        "/reporting/excel/import/", {"period": "2022-11", "file": upload(content)}
    )

    # Then both rows are saved as drafts through the service, the submitted row is untouched
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reporting/excel/imports/{job.pk}/"
    assert _reports() == [
        ("LC-001", "draft", 1, Decimal("1200.50"), "主体结构施工至第 3 层", ""),
        ("LC-002", "draft", 2, Decimal("1350.75"), "场地平整完成，开始桩基施工", ""),
        UNTOUCHED[1],
    ]
    assert (job.status, job.total, job.progress, job.saved_count, job.unchanged_count) == (
        "succeeded",
        3,
        3,
        2,
        1,
    )
    assert (job.errors, job.warnings, job.is_background, job.created_by) == (
        [],
        [],
        False,
        lichen_filer,
    )
    # ... the upload is kept as it was sent
    with job.file.open("rb") as kept:
        assert kept.read() == content
    assert job.original_name == "鲤城区11月.xlsx"
    assert re.fullmatch(r"imports/2022-11/[0-9a-f]{32}\.xlsx", job.file.name)
    # ... each write is audited by the service, and the import itself once
    assert _actions() == [
        ("create", "reporting.progressreport", ""),
        ("update", "reporting.progressreport", ""),
        ("import", "reporting.importjob", "Excel 导入：保存 2 行，报送 0 行。"),
    ]
    # ... and the page says how many rows were saved
    page = client.get(response["Location"]).content.decode()
    assert "已保存 2 行草稿；1 行与模板相同，未改动。" in page


def test_unchanged_template_saves_nothing(lichen_filer, template, period):
    job = _import(lichen_filer, period, filled(template))
    assert (job.status, job.saved_count, job.unchanged_count) == ("succeeded", 0, 3)
    assert _reports() == UNTOUCHED


def test_amount_with_float_noise_is_read_as_cents(lichen_filer, template, period):
    # =1200*1.1 in Excel is 1320.0000000000002; the filer sees and means 1,320.00.
    job = _import(lichen_filer, period, filled(template, {"G5": 1200 * 1.1, "H5": "主体施工"}))
    assert job.status == "succeeded"
    assert _reports()[0][3] == Decimal("1320.00")


# ---------------------------------------------------------------------------------------------
# All or nothing, and every error at once


def test_one_bad_row_saves_nothing(lichen_filer, template, period):
    content = filled(template, {"G5": 1200.5, "H5": "主体结构施工", "G6": -5})
    job = _import(lichen_filer, period, content)

    assert job.status == "failed"
    assert _messages(job) == [
        "第 6 行 G 列（本月完成投资）：本月完成投资不能为负数（填写了 -5.00 万元）。"
    ]
    assert job.errors[0] == {
        "row": 6,
        "column": "G",
        "field": "amount",
        "code": "LC-002",
        "detail": "本月完成投资不能为负数（填写了 -5.00 万元）。",
        "message": "第 6 行 G 列（本月完成投资）：本月完成投资不能为负数（填写了 -5.00 万元）。",
    }
    # LC-001's good row was saved inside the transaction and rolled back with it.
    assert _reports() == UNTOUCHED
    assert (job.saved_count, job.submitted_count) == (0, 0)
    assert _actions() == [
        ("import", "reporting.importjob", "Excel 导入未执行：1 处错误，未保存任何数据。")
    ]


def test_every_error_is_listed_by_row_and_column(lichen_filer, template, period, ledger):
    content = filled(
        template,
        {
            "G5": "一千二",
            "H5": "进" * 2001,
            "G6": 500,
            "H6": "",
            "G7": 1600,
        },
        extra_rows=[
            ["LC-001", "鲤城智能装备产业园", "鲤城区", 50000, 1000, 3000, 100, "重复的一行"],
            ["FZ-001", "丰泽数字经济大厦", "丰泽区", 50000, 0, 0, 100, "别区的项目"],
            ["XX-404", "不存在的项目", "鲤城区", 100, 0, 0, 10, "不存在"],
            ["LC-009", "鲤城未开工项目", "鲤城区", 50000, 0, 0, 10, "未开工"],
            ["", "没有编号的一行", "", "", "", "", 5, "无编号"],
        ],
    )
    job = _import(lichen_filer, period, content)

    assert job.status == "failed"
    assert _messages(job) == [
        "第 5 行 G 列（本月完成投资）：“一千二”不是数字。请填写以万元为单位的数字，如 1200.50。",
        "第 5 行 H 列（形象进度）：形象进度不能超过 2000 字（现有 2001 字）。",
        "第 6 行 H 列（形象进度）：填报了本月完成投资，请同时填写形象进度。",
        "第 7 行：项目“LC-003”本月报告状态为“已报送”，不能通过导入修改；如需修改请由审核人退回。",
        "第 8 行 A 列（项目编号）：项目“LC-001”重复：第 5 行已填写该项目，同一项目只能有一行。",
        "第 9 行 A 列（项目编号）：项目编号“FZ-001”不存在，或不在您的填报范围内。",
        "第 10 行 A 列（项目编号）：项目编号“XX-404”不存在，或不在您的填报范围内。",
        "第 11 行 A 列（项目编号）：项目“LC-009”不在 2022年11月 应填报的项目中"
        "（尚未开工或已竣工）。",
        "第 12 行 A 列（项目编号）：缺少项目编号。",
    ]
    assert _reports() == UNTOUCHED
    # Naming another district's project is a refused attempt (the same answer as a code that
    # does not exist, so the workbook cannot be used to probe for codes).
    assert _actions() == [
        ("denied", "projects.project", "导入的工作簿含有范围之外的项目“FZ-001”，已拒绝。"),
        ("import", "reporting.importjob", "Excel 导入未执行：9 处错误，未保存任何数据。"),
    ]
    denied = AuditEvent.objects.get(action="denied")
    assert (denied.object_id, denied.actor_username) == (str(ledger["fz1"].pk), "lichen_filer")


def test_result_page_lists_the_errors(client, lichen_filer, template, period):
    job = _import(lichen_filer, period, filled(template, {"G6": -5}))
    client.force_login(lichen_filer)
    page = client.get(f"/reporting/excel/imports/{job.pk}/").content.decode()
    assert "发现 1 处错误，未保存任何数据。请改正后重新上传。" in page
    assert (
        "<li>第 6 行 G 列（本月完成投资）：本月完成投资不能为负数（填写了 -5.00 万元）。</li>"
    ) in page
    assert f'href="/reporting/excel/imports/{job.pk}/annotated/" download>' in page


def test_annotated_workbook_marks_each_error_and_can_be_uploaded_again(
    client, lichen_filer, template, period
):
    # Given an import refused for two errors
    content = filled(template, {"G5": "abc", "H5": "桩基施工", "G6": 300, "H6": ""})
    job = _import(lichen_filer, period, content)
    client.force_login(lichen_filer)

    # When the filer downloads the annotated workbook
    response = client.get(f"/reporting/excel/imports/{job.pk}/annotated/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    annotated = response.content
    book = sheets(annotated)

    # Then it is the uploaded sheet, with an 错误清单 sheet listing every error
    assert list(book) == ["月度填报", "错误清单", "_gongjian"]
    assert book["月度填报"][4][:5] == ["LC-001", "鲤城智能装备产业园", "鲤城区", 50000.0, 1000.0]
    assert book["月度填报"][4][6:8] == ["abc", "桩基施工"]
    assert book["错误清单"] == [
        ["行号", "列", "项目编号", "错误说明"],
        [
            5.0,
            "G",
            "LC-001",
            "第 5 行 G 列（本月完成投资）：“abc”不是数字。请填写以万元为单位的数字，如 1200.50。",
        ],
        [6.0, "H", "LC-002", "第 6 行 H 列（形象进度）：填报了本月完成投资，请同时填写形象进度。"],
    ]
    # ... each error cell red, still open for input, with the message as a comment
    assert cell_style(annotated, "G5") == {
        "locked": False,
        "fill": "FFFDECEC",
        "format": "#,##0.00",
    }
    assert cell_style(annotated, "H6")["fill"] == "FFFDECEC"
    assert cell_style(annotated, "G6")["fill"] == "FFFFFFFF"
    comments = raw(annotated, "xl/comments1.xml")
    assert '<comment ref="G5" authorId="0">' in comments
    assert "“abc”不是数字。请填写以万元为单位的数字，如 1200.50。" in comments
    assert '<comment ref="H6" authorId="0">' in comments
    assert "填报了本月完成投资，请同时填写形象进度。" in comments
    assert "<sheetProtection" in raw(annotated, "xl/worksheets/sheet1.xml")
    assert AuditEvent.objects.filter(action="export", object_type="reporting.importjob").count()

    # When the filer corrects the two cells and uploads the annotated workbook itself
    again = _import(lichen_filer, period, filled(annotated, {"G5": 1200, "H6": "场地平整"}))

    # Then it is imported
    assert (again.status, again.errors, again.saved_count) == ("succeeded", [], 2)
    assert _reports()[:2] == [
        ("LC-001", "draft", 1, Decimal("1200.00"), "桩基施工", ""),
        ("LC-002", "draft", 2, Decimal("300.00"), "场地平整", ""),
    ]


def test_annotated_workbook_only_for_row_errors(client, lichen_filer, period, ledger):
    job = _import(lichen_filer, period, b"not a workbook")
    client.force_login(lichen_filer)
    assert client.get(f"/reporting/excel/imports/{job.pk}/annotated/").status_code == 404


# ---------------------------------------------------------------------------------------------
# The file itself


def _plain_workbook() -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    workbook.add_worksheet("Sheet1").write(0, 0, "项目编号")
    workbook.close()
    return output.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message", "kept"),
    [
        (
            "进度.csv",
            "项目编号,本月完成投资\nLC-001,100\n".encode(),
            "只能导入 Excel 工作簿（.xlsx）；请下载填报模板，填写后保存为 .xlsx 再上传。",
            True,
        ),
        (
            "进度.xlsx",
            b"not a workbook",
            "文件不是 Excel 工作簿（.xlsx），无法读取。",
            True,
        ),
        (
            "进度.xlsx",
            _plain_workbook(),
            "该文件不是本系统下载的填报模板（缺少模板信息）；请先下载模板，在模板中填写后再上传。",
            True,
        ),
        (
            "进度.xlsx",
            b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024),
            "文件大小为 5.0\xa0MB，超过 5.0\xa0MB 的上限；请分批导入。",
            False,
        ),
    ],
    ids=["csv", "not-a-zip", "not-our-template", "too-large"],
)
def test_file_refused_with_a_clear_message(
    lichen_filer, ledger, period, name, content, message, kept
):
    job = import_start(actor=lichen_filer, period=period, upload=upload(content, name))
    assert (job.status, _messages(job), bool(job.file)) == ("failed", [message], kept)
    assert job.errors[0]["row"] is None
    if kept:
        # Stored under a name of our own, keeping only the extension.
        extension = name.rsplit(".", 1)[1]
        assert re.fullmatch(rf"imports/2022-11/[0-9a-f]{{32}}\.{extension}", job.file.name)
    assert _reports() == UNTOUCHED
    assert _actions() == [
        ("import", "reporting.importjob", "Excel 导入未执行：1 处错误，未保存任何数据。")
    ]


def test_too_many_rows_refused(lichen_filer, template, period):
    extra = [[f"LC-{n:05d}", "项目", "鲤城区", 1, 0, 0, 1, "x"] for n in range(4998)]
    job = _import(lichen_filer, period, filled(template, extra_rows=extra))
    assert _messages(job) == ["工作表有 5001 行数据，超过每次 5000 行的上限；请分批导入。"]


def test_template_of_another_period_refused(lichen_filer, ledger, period):
    october = report_template_export(actor=lichen_filer, period=ledger["october"]).content
    job = _import(lichen_filer, period, filled(october, {"G5": 100, "H5": "x"}))
    assert _messages(job) == [
        "这是 2022-10 填报期的模板，不能导入 2022-11；请下载 2022-11 的模板后填写。"
    ]


def test_hidden_period_edited_is_refused(lichen_filer, ledger, period):
    october = report_template_export(actor=lichen_filer, period=ledger["october"]).content
    moved = filled(october, {"G5": 100, "H5": "x"}, sheet_changes={"_gongjian": {"B2": "2022-11"}})
    job = _import(lichen_filer, period, moved)
    assert _messages(job) == [
        "模板的隐藏信息已被改动，无法确认它属于哪个填报期；请重新下载模板后填写。"
    ]


def test_hidden_version_edited_is_refused(lichen_filer, template, period):
    # Raising the stored version would get past a colleague's newer edit: refused.
    job = _import(lichen_filer, period, filled(template, sheet_changes={"_gongjian": {"B10": "7"}}))
    assert _messages(job) == [
        "模板的隐藏信息已被改动，无法确认它属于哪个填报期；请重新下载模板后填写。"
    ]


def test_edited_header_is_refused(lichen_filer, template, period):
    job = _import(lichen_filer, period, filled(template, {"H4": "进度", "G4": "金额"}))
    assert _messages(job) == [
        "第 4 行的表头已被改动（G 列应为“本月完成投资（万元）”，实为“金额”；"
        "H 列应为“形象进度”，实为“进度”）；请勿修改表头，或重新下载模板。"
    ]


def test_closed_period_refused(lichen_filer, template, period):
    period.state = "closed"
    period.save()
    job = _import(lichen_filer, period, filled(template, {"G5": 100, "H5": "x"}))
    assert _messages(job) == ["2022年11月 填报期已关闭，不能导入。"]


def test_english_template_and_messages(lichen_filer, ledger, period):
    # A template downloaded in English keeps its English headers through any later session
    with translation.override("en"):
        content = report_template_export(actor=lichen_filer, period=period).content
    book = sheets(content)
    assert list(book) == ["Monthly reporting", "_gongjian"]
    assert book["Monthly reporting"][3][6:9] == [
        "Investment completed this month (10,000 yuan)",
        "Physical progress",
        "Adjustment note",
    ]
    main = {"Monthly reporting": {"G5": 1200.5, "H5": "Main structure", "G6": -5}}

    # ... and an upload made in English is answered in English, by row and column
    with translation.override("en"):
        job = _import(lichen_filer, period, filled(content, sheet_changes=main))
    assert _messages(job) == [
        "Row 6, column G (Invested this month): Investment completed this month cannot be "
        "negative (-5.00 ten thousand yuan was entered)."
    ]

    # ... while the same file corrected imports from a Chinese session
    main["Monthly reporting"]["G6"] = 950
    job = _import(lichen_filer, period, filled(content, sheet_changes=main))
    assert (job.status, job.saved_count) == ("succeeded", 2)


# ---------------------------------------------------------------------------------------------
# Other people's edits since the download


def test_report_edited_on_the_web_since_the_download(lichen_filer, template, period, ledger):
    report_save(
        actor=lichen_filer,
        project=ledger["lc2"],
        period=period,
        data=ReportInput(amount=Decimal("900"), progress_text="网页上改过"),
        expected_version=1,
    )
    job = _import(lichen_filer, period, filled(template, {"G6": 950}))
    assert _messages(job) == [
        "第 6 行：保存失败：该报告已被他人修改（当前版本 2，您编辑的是版本 1）。"
        "您的修改未保存，请刷新后重新填写。"
    ]


def test_untouched_row_does_not_overwrite_a_newer_web_edit(lichen_filer, template, period, ledger):
    report_save(
        actor=lichen_filer,
        project=ledger["lc2"],
        period=period,
        data=ReportInput(amount=Decimal("900"), progress_text="网页上改过"),
        expected_version=1,
    )
    job = _import(lichen_filer, period, filled(template, {"G5": 100, "H5": "开工准备"}))
    assert (job.status, job.saved_count, job.unchanged_count) == ("succeeded", 1, 2)
    assert _reports()[1] == ("LC-002", "draft", 2, Decimal("900.00"), "网页上改过", "")


def test_report_created_by_someone_else_since_the_download(lichen_filer, template, period, ledger):
    report_save(
        actor=lichen_filer,
        project=ledger["lc1"],
        period=period,
        data=ReportInput(amount=Decimal("10"), progress_text="网页上先填"),
        expected_version=None,
    )
    job = _import(lichen_filer, period, filled(template, {"G5": 100, "H5": "Excel 里填"}))
    assert _messages(job) == [
        "第 5 行：LC-001 的 2022-11 报告已由他人创建，您的填报未保存；请刷新后在该报告上修改。"
    ]


# ---------------------------------------------------------------------------------------------
# Warnings and 导入后报送


def test_warnings_are_saved_and_shown(client, lichen_filer, template, period):
    content = filled(template, {"G6": 13000, "I6": "总投资已调增至 1.5 亿元"})
    job = _import(lichen_filer, period, content)
    assert (job.status, job.saved_count) == ("succeeded", 1)
    assert [w["message"] for w in job.warnings] == [
        "第 6 行 G 列（本月完成投资）：本月完成投资 13,000.00 万元大于项目剩余未完成投资 "
        "12,000.00 万元（总投资 12,000.00 万元，此前累计完成 0.00 万元）。"
    ]
    client.force_login(lichen_filer)
    page = client.get(f"/reporting/excel/imports/{job.pk}/").content.decode()
    assert "提醒（已保存，报送前请核实）" in page


def test_import_then_submit(lichen_filer, template, period):
    content = filled(template, {"G5": 1200.5, "H5": "主体结构施工"})
    job = _import(lichen_filer, period, content, submit_after=True)

    # The changed row is saved and submitted, and so is the unchanged draft in the file.
    assert (job.status, job.saved_count, job.submitted_count, job.unchanged_count) == (
        "succeeded",
        1,
        2,
        1,
    )
    assert _reports() == [
        ("LC-001", "submitted", 2, Decimal("1200.50"), "主体结构施工", ""),
        ("LC-002", "submitted", 2, Decimal("800.00"), "场地平整", ""),
        UNTOUCHED[1],
    ]
    assert list(
        ReportStatusChange.objects.order_by("report__project__code").values_list(
            "report__project__code", "from_status", "to_status", "actor__username"
        )
    ) == [
        ("LC-001", "draft", "submitted", "lichen_filer"),
        ("LC-002", "draft", "submitted", "lichen_filer"),
    ]


def test_import_then_submit_is_all_or_nothing_too(lichen_filer, ledger, period):
    # LC-002's stored draft has an amount but no 形象进度: it cannot be submitted.
    ledger["draft"].progress_text = ""
    ledger["draft"].save()
    template = report_template_export(actor=lichen_filer, period=period).content
    content = filled(template, {"G5": 1200.5, "H5": "主体结构施工"})

    job = _import(lichen_filer, period, content, submit_after=True)

    assert _messages(job) == ["第 6 行 H 列（形象进度）：填报了本月完成投资，请同时填写形象进度。"]
    assert [r[:3] for r in _reports()] == [("LC-002", "draft", 1), ("LC-003", "submitted", 2)]
    assert not ReportStatusChange.objects.exists()


# ---------------------------------------------------------------------------------------------
# Who may import, and whose imports one sees


@pytest.mark.parametrize("persona", ["leader", "lichen_reviewer", "anonymous"])
def test_who_does_not_file_cannot_import(client, request, persona, template, period):
    user = request.getfixturevalue(persona)
    if persona != "anonymous":
        client.force_login(user)
    response = client.post(
        "/reporting/excel/import/",
        {"period": "2022-11", "file": upload(filled(template, {"G5": 1, "H5": "x"}))},
    )
    assert response.status_code == (302 if persona == "anonymous" else 403)
    assert not ImportJob.objects.exists()
    assert _reports() == UNTOUCHED
    expected = (
        []
        if persona == "anonymous"
        else [("denied", "reporting.reportingperiod", "无权导入月度填报。")]
    )
    assert _actions() == expected


def test_service_refuses_a_leader(leader, template, period):
    with pytest.raises(PermissionDenied):
        _import(leader, period, template)
    assert not ImportJob.objects.exists()


def test_someone_elses_import_is_404(client, lichen_filer, fengze_filer, template, period):
    job = _import(lichen_filer, period, filled(template, {"G6": -5}))
    client.force_login(fengze_filer)
    for suffix in ("", "progress/", "annotated/"):
        assert client.get(f"/reporting/excel/imports/{job.pk}/{suffix}").status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor_username="fengze_filer").count() == 3


def test_upload_form_without_a_file(client, lichen_filer, ledger, period):
    client.force_login(lichen_filer)
    response = client.post("/reporting/excel/import/", {"period": "2022-11"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["这个字段是必填项。"]
    assert not ImportJob.objects.exists()


def test_workspace_lists_recent_imports(client, lichen_filer, template, period):
    job = _import(lichen_filer, period, filled(template, {"G6": -5}))
    client.force_login(lichen_filer)
    page = client.get("/reporting/?period=2022-11").content.decode()
    assert f'<a href="/reporting/excel/imports/{job.pk}/">鲤城区11月.xlsx</a>' in page
    assert '<span class="import-badge import-failed">有错误，未导入</span>' in page


# ---------------------------------------------------------------------------------------------
# Large files: the background task


def test_large_upload_is_queued_and_the_task_runs_it(
    client, lichen_filer, template, period, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(lichen_filer)
    content = filled(template, {"G5": 1200.5, "H5": "主体结构施工"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reporting/excel/import/", {"period": "2022-11", "file": upload(content)}
        )

    # The upload is answered at once: the job waits in the database queue
    job = ImportJob.objects.get()
    task = DBTaskResult.objects.get()
    assert (job.status, job.is_background, job.total, job.task_id) == (
        "queued",
        True,
        3,
        str(task.id),
    )
    assert (task.task_path, task.args_kwargs, task.status) == (
        "gongjian.reporting.tasks.run_import",
        {"args": [job.pk], "kwargs": {}},
        "READY",
    )
    assert _reports() == UNTOUCHED
    page = client.get(response["Location"]).content.decode()
    assert "排队中，等待后台处理……" in page
    assert f'hx-get="/reporting/excel/imports/{job.pk}/progress/" hx-trigger="every 1s"' in page
    fragment = client.get(f"/reporting/excel/imports/{job.pk}/progress/")
    assert "HX-Refresh" not in fragment

    # When the task runs (called here as the worker would)
    assert run_import.call(job.pk) == "succeeded"

    # Then the drafts are saved and the progress fragment tells the page to reload
    job.refresh_from_db()
    assert (job.status, job.progress, job.saved_count) == ("succeeded", 3, 1)
    assert _reports()[0] == ("LC-001", "draft", 1, Decimal("1200.50"), "主体结构施工", "")
    fragment = client.get(f"/reporting/excel/imports/{job.pk}/progress/")
    assert fragment["HX-Refresh"] == "true"
    assert 'aria-valuenow="3"' in fragment.content.decode()
    # A second run (a retried task) does not import the file twice.
    assert run_import.call(job.pk) == "succeeded"
    assert ProgressReport.objects.get(project__code="LC-001", period=period).version == 1


def test_progress_fragment_while_running(client, lichen_filer, template, period):
    job = _import(lichen_filer, period, filled(template, {"G6": 1}))
    ImportJob.objects.filter(pk=job.pk).update(status="running", progress=1, total=4)
    client.force_login(lichen_filer)
    html = client.get(f"/reporting/excel/imports/{job.pk}/progress/").content.decode()
    assert "正在导入：已处理 1 / 4 行" in html
    assert '<span style="width: 25%"></span>' in html


def _run_worker() -> None:
    """`gongjian db_worker --batch`: run every queued task, then return. The worker installs its
    own SIGINT/SIGTERM handlers; the test run gets its own back."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_worker_runs_a_large_import_end_to_end(lichen_filer, ledger, period, settings):
    # Given a large upload (here: over a threshold of 2 rows), committed with its queued task
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    template = report_template_export(actor=lichen_filer, period=period).content
    content = filled(template, {"G5": 1200.5, "H5": "主体结构施工", "G6": 900})
    job = _import(lichen_filer, period, content)
    assert job.status == "queued"
    assert DBTaskResult.objects.get().status == "READY"

    # When the real database worker runs once over the queue, in this process
    _run_worker()

    # Then the task succeeded and the import with it
    task = DBTaskResult.objects.get()
    assert (task.status, task.return_value) == ("SUCCESSFUL", "succeeded")
    job.refresh_from_db()
    assert (job.status, job.progress, job.total, job.saved_count) == ("succeeded", 3, 3, 2)
    assert _reports() == [
        ("LC-001", "draft", 1, Decimal("1200.50"), "主体结构施工", ""),
        ("LC-002", "draft", 2, Decimal("900.00"), "场地平整", ""),
        UNTOUCHED[1],
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_is_visible_while_the_import_transaction_is_open(lichen_filer, ledger, period):
    # The rows are saved in one transaction; the progress count must still reach the page.
    job = ImportJob.objects.create(
        period=period, created_by=lichen_filer, original_name="x.xlsx", size=1, total=10
    )
    seen = []

    def look() -> None:
        row = ImportJob.objects.get(pk=job.pk)
        seen.append((row.phase, row.progress))
        connection.close()

    with transaction.atomic():
        reporter = ProgressWriter(job.pk, live=True, interval=0)
        reporter("save", 4, 10)
        reporter.close()
        other = threading.Thread(target=look)
        other.start()
        other.join()
    assert seen == [("save", 4)]


# ---------------------------------------------------------------------------------------------
# In the browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_filer_downloads_fills_and_uploads_in_the_browser(
    live_server, ledger, period, tmp_path, settings
):
    from gongjian.tests.test_browser import DESKTOP, PHONE, SCREENSHOTS, _shot, chromium

    # Given lichen's filer (a real password, to sign in through the form) and the ledger
    user = UserFactory(username="lichen_filer", display_name="陈立")
    MembershipFactory(user=user, role=Role.DISTRICT_FILER, region=ledger["lc1"].region)

    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)
        page = context.new_page()
        base = live_server.url
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "lichen_filer")
        page.fill("#id_password", "gongjian-test")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")

        # The workspace has the Excel panel between the progress bar and the rows
        page.goto(f"{base}/reporting/?period=2022-11")
        panel = page.locator(".excel-panel")
        assert panel.locator("h2").inner_text() == "Excel 导入导出"
        _shot(page, "reporting_workspace_excel.png")

        # The template downloads through the link
        with page.expect_download() as download:
            panel.get_by_role("link", name="下载模板（.xlsx）").click()
        assert download.value.suggested_filename == "项目进展填报_2022-11_鲤城区.xlsx"
        path = tmp_path / "template.xlsx"
        download.value.save_as(path)
        template = path.read_bytes()

        # A file with one bad row: nothing saved, the errors by row and column
        bad = tmp_path / "鲤城区11月.xlsx"
        bad.write_bytes(filled(template, {"G5": 1200.5, "H5": "主体结构施工", "G6": -5}))
        panel.locator("input[type=file]").set_input_files(str(bad))
        panel.get_by_role("button", name="上传并导入").click()
        page.wait_for_url(f"{base}/reporting/excel/imports/*/")
        assert page.locator(".import-summary").inner_text() == (
            "发现 1 处错误，未保存任何数据。请改正后重新上传。"
        )
        assert page.locator(".import-errors li").all_inner_texts() == [
            "第 6 行 G 列（本月完成投资）：本月完成投资不能为负数（填写了 -5.00 万元）。"
        ]
        _shot(page, "reporting_import_errors.png")

        # Corrected, it is imported
        good = tmp_path / "鲤城区11月（改）.xlsx"
        good.write_bytes(filled(template, {"G5": 1200.5, "H5": "主体结构施工", "G6": 950}))
        page.goto(f"{base}/reporting/?period=2022-11")
        page.locator(".excel-panel input[type=file]").set_input_files(str(good))
        page.locator(".excel-panel").get_by_role("button", name="上传并导入").click()
        page.wait_for_url(f"{base}/reporting/excel/imports/*/")
        assert page.locator(".import-summary").inner_text() == (
            "已保存 2 行草稿；1 行与模板相同，未改动。"
        )
        _shot(page, "reporting_import_done.png")
        # The versions moved on: further edits start from a fresh template
        with page.expect_download() as download:
            page.get_by_role("link", name="下载最新模板").click()
        download.value.save_as(path)
        template = path.read_bytes()

        # At phone width the panel still fits
        phone = browser.new_context(
            locale="zh-CN", viewport=PHONE, storage_state=context.storage_state()
        )
        small = phone.new_page()
        small.goto(f"{base}/reporting/?period=2022-11")
        assert small.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
        small.locator(".excel-panel").screenshot(
            path=str(SCREENSHOTS / "reporting_excel_panel_mobile.png")
        )
        phone.close()

        # A large file (over a threshold of 2 rows here) is queued; the page shows its progress
        settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
        large = tmp_path / "鲤城区11月（大）.xlsx"
        large.write_bytes(filled(template, {"G6": 1000}))
        page.goto(f"{base}/reporting/?period=2022-11")
        page.locator(".excel-panel input[type=file]").set_input_files(str(large))
        page.locator(".excel-panel").get_by_role("button", name="上传并导入").click()
        page.wait_for_url(f"{base}/reporting/excel/imports/*/")
        assert page.locator(".import-progress .progress-text").inner_text() == (
            "排队中，等待后台处理……"
        )
        _shot(page, "reporting_import_queued.png")
        queued = page.url
        context.close()

    # When the database worker runs (outside the browser's event loop: it uses the ORM)
    _run_worker()

    # Then the same page shows the result
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "lichen_filer")
        page.fill("#id_password", "gongjian-test")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")
        page.goto(queued)
        assert page.locator(".import-summary").inner_text() == (
            "已保存 1 行草稿；2 行与模板相同，未改动。"
        )
        assert page.locator("dl.facts dd").all_inner_texts()[2] == "后台"
        _shot(page, "reporting_import_background_done.png")
        context.close()
