# mypy: disable-error-code="union-attr"
"""Each renderer's file opened for real: the PDF through poppler (pdftotext, pdffonts, pdftoppm),
the Word file through python-docx, the workbook through calamine."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree
from python_calamine import CalamineWorkbook

from gongjian.bulletins.content import AssessmentRow, bulletin_document
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
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    assert lines[:4] == [
        "项目攻坚2022 工作通报",
        "第11期",
        "泉州市项目攻坚行动办公室 2022年12月6日",
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
        "1鲤城区≥0.60亿元0.55亿元91.67%+0.16个百分点正常",
        "2丰泽区≥0.40亿元0.30亿元75.00%-16.51个百分点滞后",
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


def _docx_paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def _pdf_text(pdf: bytes, tmp_path, *, layout: bool = False) -> str:
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(pdf)
    return _run("pdftotext", *(["-layout"] if layout else []), str(path), "-")


PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")


@needs_poppler
def test_pdf_and_word_print_the_same_paragraphs_in_order_and_end_with_the_signature(
    content, tmp_path
):
    # Given the bulletin of November as one content model
    expected = bulletin_document(content).paragraph_texts()

    # When it is rendered to Word and to PDF
    document = Document(io.BytesIO(render_docx(content)))
    text = _pdf_text(render_pdf(content), tmp_path)

    # Then the Word file has exactly these paragraphs, in this order
    paragraphs = _docx_paragraphs(document)
    assert paragraphs == expected
    assert paragraphs[:6] == [
        "项目攻坚2022 工作通报",
        "第11期",
        "泉州市项目攻坚行动办公室\t2022年12月6日",
        "关于2022年11月项目攻坚2022推进情况的通报",
        "各县（市、区）人民政府，泉州开发区、泉州台商投资区管委会，市直有关单位：",
        "一、总体进度",
    ]
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == [
        "一、总体进度",
        "二、各项目标完成情况",
        "三、县（市、区）排名",
        "四、红黄灯预警",
        "五、月度填报情况",
        "六、重点问题和督办事项",
    ]
    # ... and the PDF prints the same paragraphs in the same order
    squeezed = "".join(text.split())
    position = 0
    for paragraph in expected:
        found = squeezed.find("".join(paragraph.split()), position)
        assert found >= position, paragraph
        position = found + len("".join(paragraph.split()))
    # The signature and the date are the last paragraphs of both: nothing follows them
    assert paragraphs[-3:] == [
        "说明：数据截至2022年11月30日，由平台根据已审核的月度填报、项目阶段记录和企业名录实时计算；"
        "完成率＝累计完成÷目标，较序时进度＝完成率－序时进度（个百分点）。",
        "泉州市项目攻坚行动办公室",
        "2022年12月6日",
    ]
    body_children = [child.tag.split("}")[1] for child in document.element.body]
    assert body_children[-3:] == ["p", "p", "sectPr"]
    lines = [
        line.strip()
        for line in _pdf_text(render_pdf(content), tmp_path, layout=True).splitlines()
        if line.strip() and not PAGE_NUMBER.match(line.strip())
    ]
    assert lines[-2:] == ["泉州市项目攻坚行动办公室", "2022年12月6日"]


@needs_poppler
def test_every_target_row_names_its_district_in_pdf_word_and_excel(content, tmp_path):
    document = Document(io.BytesIO(render_docx(content)))
    overview, targets, ranking, flags = (
        [[c.text for c in row.cells] for row in table.rows] for table in document.tables[:4]
    )

    assert overview == [
        ["专项行动", "目标数", "正常", "预警", "滞后", "已完成"],
        ["项目攻坚", "1", "0", "1", "0", "0"],
        ["抓城建提品质", "1", "1", "0", "0", "1"],
        ["合计", "2", "1", "1", "0", "1"],
    ]
    # (a group row is one merged cell: python-docx repeats its text in every column)
    assert targets == [
        [
            "序号",
            "区域",
            "指标",
            "目标",
            "累计完成",
            "完成率",
            "较序时进度",
            "状态",
        ],
        ["项目攻坚"] * 8,
        [
            "1",
            "泉州市",
            "在建重点项目完成投资",
            "≥1.00亿元",
            "0.85亿元",
            "85.00%",
            "-6.51个百分点",
            "预警",
        ],
        ["抓城建提品质"] * 8,
        ["1", "泉州市", "新开工项目", "≥2个", "2个", "100.00%", "+8.49个百分点", "正常"],
    ]
    assert ranking == [
        ["排名", "县（市、区）", "分解目标", "累计完成", "完成率", "较序时进度", "状态"],
        ["1", "鲤城区", "≥0.60亿元", "0.55亿元", "91.67%", "+0.16个百分点", "正常"],
        ["2", "丰泽区", "≥0.40亿元", "0.30亿元", "75.00%", "-16.51个百分点", "滞后"],
    ]
    assert [row[:3] for row in flags] == [
        ["灯号", "区域", "指标"],
        ["红灯", "丰泽区", "在建重点项目完成投资"],
        ["黄灯", "泉州市", "在建重点项目完成投资"],
    ]
    # The header row repeats on each page; the cells are in the template's table style
    header = document.tables[1].rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header.get(qn("w:val")) == "true"
    assert document.tables[2].rows[1].cells[1].paragraphs[0].style.name == "Table Text"

    # In the PDF each row starts with its number and district and ends with its figures (a long
    # indicator name may wrap onto the next line inside its cell)
    rows = [
        "".join(line.split())
        for line in _pdf_text(render_pdf(content), tmp_path, layout=True).splitlines()
    ]
    for start, end in [
        ("1泉州市", "≥1.00亿元0.85亿元85.00%-6.51个百分点预警"),
        ("1泉州市新开工项目", "≥2个2个100.00%+8.49个百分点正常"),
        ("1鲤城区", "≥0.60亿元0.55亿元91.67%+0.16个百分点正常"),
        ("2丰泽区", "≥0.40亿元0.30亿元75.00%-16.51个百分点滞后"),
        ("红灯丰泽区", "≥0.40亿元0.30亿元75.00%-16.51个百分点"),
        ("黄灯泉州市", "≥1.00亿元0.85亿元85.00%-6.51个百分点"),
    ]:
        assert any(row.startswith(start) and row.endswith(end) for row in rows), (start, end)

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(render_xlsx(content)))
    assert [row[:4] for row in _sheet(workbook, "目标明细")[1:]] == [
        ["专项行动", "区域", "区划代码", "指标"],
        ["项目攻坚", "泉州市", "350500", "在建重点项目完成投资"],
        ["抓城建提品质", "泉州市", "350500", "新开工项目"],
    ]


ASSESSMENT = [
    AssessmentRow(
        rank=1,
        group="城区",
        group_rank=1,
        region="鲤城区",
        total=Decimal("96.50"),
        deduction=Decimal("0.00"),
        item_points=Decimal("96.50"),
        late_reports=0,
    ),
    AssessmentRow(
        rank=2,
        group="城区",
        group_rank=2,
        region="丰泽区",
        total=Decimal("88.00"),
        deduction=Decimal("1.50"),
        item_points=Decimal("89.50"),
        late_reports=1,
    ),
]
ASSESSMENT_HEADERS = [
    "名次",
    "县（市、区）",
    "指标得分",
    "扣分",
    "逾期报告（份）",
    "总分",
    "全市排名",
]


@needs_poppler
def test_assessment_columns_follow_the_assessment_page(content, tmp_path):
    # Given a published assessment (城区: 鲤城 first, 丰泽 second with 1.50 taken off)
    content = replace(content, assessment=ASSESSMENT)

    document = Document(io.BytesIO(render_docx(content)))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "名次")

    # Then the columns are the page's (_ranking.html): 名次, 区域, 指标得分, 扣分, 逾期, 总分, 排名
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ASSESSMENT_HEADERS,
        ["城区"] * 7,
        ["1", "鲤城区", "96.50", "0.00", "0", "96.50", "1"],
        ["2", "丰泽区", "89.50", "−1.50", "1", "88.00", "2"],
    ]
    assert "七、考核得分排名" in _docx_paragraphs(document)
    squeezed = "".join(_pdf_text(render_pdf(content), tmp_path).split())
    assert "七、考核得分排名" in squeezed
    assert "".join(ASSESSMENT_HEADERS) + "城区1鲤城区96.500.00096.501" in squeezed
    assert "2丰泽区89.50−1.50188.002" in squeezed
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(render_xlsx(content)))
    assert _sheet(workbook, "考核得分排名")[1:] == [
        ["分组", *ASSESSMENT_HEADERS],
        ["城区", "1", "鲤城区", 96.5, 0.0, 0.0, 96.5, 1.0],
        ["城区", "2", "丰泽区", 89.5, -1.5, 1.0, 88.0, 2.0],
    ]


def test_docx_names_the_official_fonts_with_alternates(content):
    document = Document(io.BytesIO(render_docx(content)))

    title = document.paragraphs[0]
    assert title.text == "项目攻坚2022 工作通报"
    run = title.runs[0]
    assert run.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert str(run.font.color.rgb) == "D00000"
    # The red rule under the masthead line
    masthead = next(
        p for p in document.paragraphs if p.text.startswith("泉州市项目攻坚行动办公室\t")
    )
    border = masthead._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert (border.get(qn("w:color")), border.get(qn("w:val"))) == ("D00000", "single")
    # Body 仿宋_GB2312, headings 黑体 and 楷体_GB2312 (Latin text in Times New Roman)
    normal = document.styles["Normal"].element.rPr.rFonts
    assert (normal.get(qn("w:eastAsia")), normal.get(qn("w:ascii"))) == (
        "仿宋_GB2312",
        "Times New Roman",
    )
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert document.styles["Heading 2"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    # The font table names an alternate for each official font (machines without them)
    font_table = next(
        p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml"
    )
    fonts = etree.fromstring(font_table.blob)
    alternates = {
        font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
        for font in fonts.iter(qn("w:font"))
        if font.find(qn("w:altName")) is not None
    }
    assert alternates == {
        "方正小标宋简体": "宋体",
        "黑体": "SimHei",
        "楷体_GB2312": "楷体",
        "仿宋_GB2312": "仿宋",
    }
    # Page numbers: a PAGE field in the footer; A4
    footer = document.sections[0].footer.paragraphs[0]
    assert [t.text for t in footer._p.iter(qn("w:instrText"))] == ["PAGE"]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert document.core_properties.title == "关于2022年11月项目攻坚2022推进情况的通报"


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
    # The sheet's text ends with the note, then the signature and the date: nothing after them
    texts = [row[0] for row in overview[5:] if row and row[0] != ""]
    assert texts[-3:] == [
        "说明：数据截至2022年11月30日，由平台根据已审核的月度填报、项目阶段记录和企业名录实时计算；"
        "完成率＝累计完成÷目标，较序时进度＝完成率－序时进度（个百分点）。",
        "泉州市项目攻坚行动办公室",
        "2022年12月6日",
    ]
    targets = _sheet(workbook, "目标明细")
    assert targets[1] == [
        "专项行动",
        "区域",
        "区划代码",
        "指标",
        "单位",
        "比较",
        "目标值",
        "累计完成",
        "完成率",
        "序时进度",
        "较序时进度（个百分点）",
        "预计全年",
        "状态",
    ]
    assert targets[2:] == [
        [
            "项目攻坚",
            "泉州市",
            "350500",
            "在建重点项目完成投资",
            "亿元",
            "≥",
            1.0,
            0.85,
            0.85,
            0.9151,
            -6.51,
            0.928892,
            "预警",
        ],
        [
            "抓城建提品质",
            "泉州市",
            "350500",
            "新开工项目",
            "个",
            "≥",
            2.0,
            2.0,
            1.0,
            0.9151,
            8.49,
            2.0,
            "正常",
        ],
    ]
    ranking = _sheet(workbook, "县区排名")
    assert [row[:6] for row in ranking[2:]] == [
        ["在建重点项目完成投资", 1.0, "鲤城区", "350502", "亿元", "≥"],
        ["在建重点项目完成投资", 2.0, "丰泽区", "350503", "亿元", "≥"],
    ]
    assert [row[6:10] for row in ranking[2:]] == [
        [0.6, 0.55, 0.9167, 0.9151],
        [0.4, 0.3, 0.75, 0.9151],
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


def test_the_english_word_file_numbers_its_sections_in_digits(campaign, city_admin):
    from django.utils.translation import override

    with override("en"):
        content = bulletin_content(campaign=campaign, month=NOVEMBER, user=city_admin, on=MADE_ON)
        document = Document(io.BytesIO(render_docx(content)))

    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == [
        "1. Overall progress",
        "2. Progress of each target",
        "3. District ranking",
        "4. Red and yellow flags",
        "5. Monthly reporting",
        "6. Key problems and supervision orders",
    ]
    # Signed and dated last in English too
    assert _docx_paragraphs(document)[-2:] == [content.office, "2022-12-6"]
