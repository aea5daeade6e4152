# mypy: disable-error-code="union-attr"
"""Each renderer's file opened for real: the PDF through poppler (pdftotext, pdffonts, pdftoppm),
the Word file through python-docx, the workbook through calamine."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn
from python_calamine import CalamineWorkbook

from gongjian.bulletins.renderers import render_docx, render_pdf, render_xlsx
from gongjian.bulletins.selectors import bulletin_content
from gongjian.bulletins.tests.conftest import MADE_ON, NOVEMBER

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext, pdftoppm)"
)


@pytest.fixture
def content(campaign, city_admin):
    return bulletin_content(campaign=campaign, month=NOVEMBER, user=city_admin, on=MADE_ON)


def _run(*args: str, data: bytes | None = None) -> str:
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode()


@needs_poppler
def test_pdf_has_the_red_head_the_sections_and_chinese_fonts(content, tmp_path):
    pdf = render_pdf(content)
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(pdf)

    text = _run("pdftotext", "-layout", str(path), "-")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[:4] == [
        "项目攻坚2022 工作通报",
        "第11期",
        "泉州市项目攻坚行动办公室                                                2022年12月6日",
        "关于2022年11月项目攻坚2022推进情况的通报",
    ]
    squeezed = "".join(text.split())
    for expected in [
        "一、总体进度",
        "二、各项目标完成情况",
        "三、县（市、区）排名",
        "四、红黄灯预警",
        "五、月度填报情况",
        "六、重点问题和督办事项",
        "1鲤城区≥0.60亿元0.55亿元91.67%+0.16正常",
        "2丰泽区≥0.40亿元0.30亿元75.00%−16.51滞后",
        "丰泽区1010逾期未报",
        "项目用地指标尚未落实",
        "加快丰泽东海湾商务区建设",
    ]:
        assert expected in squeezed, expected
    assert "七、考核得分排名" not in squeezed
    # Page numbers in the official form, and an A4 page (595 × 842 points)
    assert "—1—" in squeezed
    info = dict(
        line.split(":", 1) for line in _run("pdfinfo", str(path)).splitlines() if ":" in line
    )
    assert (info["Page size"].strip(), info["Pages"].strip()) == ("595.276 x 841.89 pts (A4)", "3")
    # The Chinese text is set in the Noto CJK fonts, embedded as subsets
    fonts = {
        line.split()[0].split("+", 1)[1]: line.split()[-5]
        for line in _run("pdffonts", str(path)).splitlines()[2:]
    }
    assert fonts == {
        "Noto-Serif-CJK-SC-Bold": "yes",
        "Noto-Serif-CJK-SC": "yes",
        "Noto-Sans-CJK-SC-Bold": "yes",
    }


def test_docx_names_the_official_fonts_as_east_asian_fonts(content):
    document = Document(io.BytesIO(render_docx(content)))

    title = document.paragraphs[0]
    assert title.text == "项目攻坚2022 工作通报"
    run = title.runs[0]
    assert run.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert str(run.font.color.rgb) == "D00000"
    assert [p.text for p in document.paragraphs[1:4]] == [
        "第11期",
        "泉州市项目攻坚行动办公室\t2022年12月6日",
        "关于2022年11月项目攻坚2022推进情况的通报",
    ]
    # The red rule under the masthead
    border = document.paragraphs[2]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert (border.get(qn("w:color")), border.get(qn("w:val"))) == ("D00000", "single")
    # Body 仿宋_GB2312, headings 黑体 (Latin text in Times New Roman)
    normal = document.styles["Normal"].element.rPr.rFonts
    assert (normal.get(qn("w:eastAsia")), normal.get(qn("w:ascii"))) == (
        "仿宋_GB2312",
        "Times New Roman",
    )
    heading = document.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(qn("w:eastAsia")) == "黑体"
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == [
        "一、总体进度",
        "二、各项目标完成情况",
        "三、县（市、区）排名",
        "四、红黄灯预警",
        "五、月度填报情况",
        "六、重点问题和督办事项",
    ]
    # Tables: the header row repeats on each page
    overview, targets, ranking = document.tables[:3]
    assert [[c.text for c in row.cells] for row in overview.rows] == [
        ["专项行动", "目标数", "正常", "预警", "滞后", "已完成"],
        ["项目攻坚", "1", "0", "1", "0", "0"],
        ["抓城建提品质", "1", "1", "0", "0", "1"],
    ]
    assert [c.text for c in targets.rows[1].cells] == [
        "项目攻坚",
        "在建重点项目完成投资",
        "≥1.00亿元",
        "0.85亿元",
        "85.00%",
        "91.51%",
        "−6.51",
        "预警",
    ]
    assert [[c.text for c in row.cells] for row in ranking.rows[1:]] == [
        ["1", "鲤城区", "≥0.60亿元", "0.55亿元", "91.67%", "+0.16", "正常"],
        ["2", "丰泽区", "≥0.40亿元", "0.30亿元", "75.00%", "−16.51", "滞后"],
    ]
    header = targets.rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header.get(qn("w:val")) == "true"
    cell_run = ranking.rows[1].cells[1].paragraphs[0].runs[0]
    assert cell_run.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    # Page numbers: a PAGE field in the footer
    footer = document.sections[0].footer.paragraphs[0]
    assert [t.text for t in footer._p.iter(qn("w:instrText"))] == ["PAGE"]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def _sheet(workbook: CalamineWorkbook, name: str) -> list[list]:
    return workbook.get_sheet_by_name(name).to_python()


def test_xlsx_has_the_six_sheets_with_exact_cells(content):
    # (Without a key-project list for the year there are no 红灯项目 and 红黑榜 sheets.)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(render_xlsx(content)))

    assert workbook.sheet_names == [
        "总体进度",
        "目标明细",
        "县区排名",
        "红黄灯",
        "逾期填报",
        "重点问题",
    ]
    overview = _sheet(workbook, "总体进度")
    assert overview[0][0] == "项目攻坚2022 工作通报 第11期（2022年11月）"
    assert overview[1:5] == [
        ["专项行动", "目标数", "正常", "预警", "滞后", "已完成"],
        ["项目攻坚", 1.0, 0.0, 1.0, 0.0, 0.0],
        ["抓城建提品质", 1.0, 1.0, 0.0, 0.0, 1.0],
        ["合计", 2.0, 1.0, 1.0, 0.0, 1.0],
    ]
    targets = _sheet(workbook, "目标明细")
    assert targets[1] == [
        "专项行动",
        "指标",
        "单位",
        "比较",
        "目标值",
        "累计完成",
        "完成率",
        "序时进度",
        "超欠（百分点）",
        "预计全年",
        "状态",
    ]
    assert targets[2:] == [
        [
            "项目攻坚",
            "在建重点项目完成投资",
            "万元",
            "≥",
            10000.0,
            8500.0,
            0.85,
            0.9151,
            -6.51,
            9288.92,
            "预警",
        ],
        ["抓城建提品质", "新开工项目", "个", "≥", 2.0, 2.0, 1.0, 0.9151, 8.49, 2.0, "正常"],
    ]
    ranking = _sheet(workbook, "县区排名")
    assert [row[:6] for row in ranking[2:]] == [
        ["在建重点项目完成投资", 1.0, "鲤城区", "350502", "万元", "≥"],
        ["在建重点项目完成投资", 2.0, "丰泽区", "350503", "万元", "≥"],
    ]
    assert [row[6:10] for row in ranking[2:]] == [
        [6000.0, 5500.0, 0.9167, 0.9151],
        [4000.0, 3000.0, 0.75, 0.9151],
    ]
    flags = _sheet(workbook, "红黄灯")
    assert [row[:4] for row in flags[2:]] == [
        ["红灯", "丰泽区", "350503", "在建重点项目完成投资"],
        ["黄灯", "泉州市", "350500", "在建重点项目完成投资"],
    ]
    late = _sheet(workbook, "逾期填报")
    assert late[2:] == [["丰泽区", "350503", 1.0, 0.0, 0.0, 0.0, 1.0, "逾期未报"]]
    problems = _sheet(workbook, "重点问题")
    assert problems[2:] == [
        [
            "问题协调",
            "项目用地指标尚未落实",
            "丰泽东海湾商务区",
            "丰泽区",
            "市招商局",
            "2022-10-08",
            "2022-11-20",
            "处理中",
            "是",
        ],
        [
            "问题协调",
            "施工用电增容待批复",
            "鲤城智能装备产业园",
            "鲤城区",
            "",
            "2022-11-15",
            "",
            "待处理",
            "否",
        ],
        [
            "督办",
            "加快丰泽东海湾商务区建设",
            "丰泽东海湾商务区",
            "丰泽区",
            "",
            "2022-11-01",
            "2022-11-25",
            "待办理",
            "是",
        ],
        [
            "督办",
            "报送鲤城用地报批进展",
            "",
            "鲤城区",
            "",
            "2022-11-10",
            "2022-12-10",
            "已升级",
            "否",
        ],
    ]
