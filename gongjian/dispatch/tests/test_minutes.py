"""The minutes of a held meeting, opened for real: the Word file with python-docx (公文 fonts,
the 交办 table), the PDF through poppler (its text and embedded CJK fonts)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn

from gongjian.dispatch.minutes import minutes_content, minutes_document
from gongjian.dispatch.services import (
    MeetingInput,
    TaskInput,
    meeting_create,
    meeting_hold,
    task_assign,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(city, city_admin, settings):
    settings.BUSINESS_DATE = dt.date(2022, 12, 1)
    meeting = meeting_create(
        actor=city_admin,
        data=MeetingInput(
            region_code="350500",
            period=dt.date(2022, 11, 1),
            held_on=dt.date(2022, 12, 1),
            chair="王国栋",
            attendees="市发改委、市自然资源和规划局，各县（市、区）分管负责同志",
            location="市行政中心 301 会议室",
        ),
    )
    task_assign(
        actor=city_admin,
        meeting=meeting,
        data=TaskInput(
            text="12月15日前完成环评审批",
            due_date=dt.date(2022, 12, 15),
            owner_department_code="fgw",
            owner_person="李科长",
            project_code="LC-1",
        ),
    )
    return meeting_hold(
        actor=city_admin,
        meeting=meeting,
        summary="会议听取了11月份重点项目推进情况汇报。\n会议要求倒排工期、挂图作战。",
        minutes_number="泉攻坚纪〔2022〕11号",
    )


def test_word_minutes_in_gongwen_layout(client, held, leader):
    client.force_login(leader)

    response = client.get(f"/dispatch/meetings/{held.pk}/minutes.docx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="minutes-350500-2022-11.docx"'
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[:4] == [
        "项目攻坚调度会议纪要",
        "泉攻坚纪〔2022〕11号",
        "泉州市项目攻坚指挥部办公室\t2022年12月1日",
        "泉州市2022年11月项目攻坚调度会",
    ]
    assert texts[4] == (
        "2022年12月1日，王国栋主持召开泉州市2022年11月项目攻坚调度会。"
        "参会人员：市发改委、市自然资源和规划局，各县（市、区）分管负责同志。"
    )
    assert texts[5:7] == ["会议听取了11月份重点项目推进情况汇报。", "会议要求倒排工期、挂图作战。"]
    assert "一、会议议题" in texts and "二、交办事项" in texts
    assert texts[texts.index("一、会议议题") + 1].startswith("1. [上期未办结交办事项] 加快环评审批")
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号",
        "交办内容",
        "责任单位",
        "责任人",
        "完成时限",
        "相关项目",
    ]
    assert [c.text for c in table.rows[1].cells] == [
        "1",
        "12月15日前完成环评审批",
        "市发改委",
        "李科长",
        "2022-12-15",
        "鲤城智能装备园",
    ]
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    masthead = document.paragraphs[0].runs[0]
    assert masthead.font.size is not None
    assert (str(masthead.font.color.rgb), masthead.font.size.pt) == ("D00000", 30.0)
    # Signed and dated last
    assert [t for t in texts if t.strip()][-3:] == [
        "请各责任单位按时限办结，并于下次调度会前报送办理情况。",
        "泉州市项目攻坚指挥部办公室",
        "2022年12月1日",
    ]
    section = document.sections[0]
    assert section.page_width is not None and section.top_margin is not None
    assert (round(section.page_width.cm, 1), round(section.top_margin.cm, 1)) == (21.0, 3.7)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdf_minutes_text_and_fonts(client, held, city_admin, tmp_path):
    client.force_login(city_admin)

    response = client.get(f"/dispatch/meetings/{held.pk}/minutes.pdf")

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    path = tmp_path / "minutes.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    assert lines[0] == "项目攻坚调度会议纪要"
    assert lines[1] == "泉攻坚纪〔2022〕11号"
    assert "泉州市2022年11月项目攻坚调度会" in lines
    assert any("12月15日前完成环评审批" in line and "市发改委" in line for line in lines)
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    embedded = sorted({line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]})
    assert embedded == ["Noto-Sans-CJK-SC-Bold", "Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"]
    # The same paragraphs as the Word file, in the same order, the signature and date last
    expected = minutes_document(minutes_content(held)).paragraph_texts()
    word = Document(io.BytesIO(client.get(f"/dispatch/meetings/{held.pk}/minutes.docx").content))
    assert [p.text for p in word.paragraphs if p.text.strip()] == expected
    raw = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    squeezed = "".join(raw.split())
    position = 0
    for paragraph in expected:
        found = squeezed.find("".join(paragraph.split()), position)
        assert found >= position, paragraph
        position = found + len("".join(paragraph.split()))
    assert [line for line in lines if not line.startswith("—")][-2:] == [
        "泉州市项目攻坚指挥部办公室",
        "2022年12月1日",
    ]


def test_minutes_are_404_outside_scope(client, held, lichen_filer):
    client.force_login(lichen_filer)

    assert client.get(f"/dispatch/meetings/{held.pk}/minutes.docx").status_code == 404
