"""The minutes (会议纪要) of a dispatch meeting as Word in 公文 layout and as PDF.

The layout follows the bulletins' (``bulletins.renderers``): the official fonts named for Word,
the Noto CJK families for the PDF this server typesets; A4 with the GB/T 9704 margins, a red
masthead with its rule, the 交办事项 as a numbered table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gongjian.bulletins.content import date_text
from gongjian.bulletins.renderers import (
    BODY_FONT,
    HEADING_FONT,
    RED,
    TITLE_FONT,
    _east_asian,
    _page_number_footer,
    _red_rule,
    _table,
)
from gongjian.dispatch import selectors
from gongjian.dispatch.models import Meeting


@dataclass(frozen=True)
class MinutesTask:
    number: int
    text: str
    unit: str
    person: str
    due: str
    project: str


@dataclass(frozen=True)
class MinutesContent:
    """Everything the minutes say, read once from the database."""

    masthead: str
    number: str
    title: str
    held_on: str
    chair: str
    attendees: str
    location: str
    summary: list[str]
    agenda: list[tuple[str, str, list[str]]]
    tasks: list[MinutesTask]
    office: str
    issued_on: str


def minutes_content(meeting: Meeting) -> MinutesContent:
    tasks = [
        MinutesTask(
            number=t.number,
            text=t.text,
            unit=str(t.owner_unit),
            person=t.owner_person or "—",
            due=f"{t.due_date:%Y-%m-%d}",
            project=t.project.name if t.project else "—",
        )
        for t in selectors.meeting_tasks(meeting=meeting)
    ]
    agenda = [
        (item.get_kind_display(), item.title, list(item.reasons))
        for item in meeting.agenda_items.order_by("position", "id")
    ]
    office = _("%(region)s项目攻坚指挥部办公室") % {"region": meeting.region.name}
    return MinutesContent(
        masthead=_("项目攻坚调度会议纪要"),
        number=meeting.minutes_number,
        title=meeting.title,
        held_on=date_text(meeting.held_on),
        chair=meeting.chair,
        attendees=meeting.attendees,
        location=meeting.location,
        summary=[p.strip() for p in meeting.summary.splitlines() if p.strip()],
        agenda=agenda,
        tasks=tasks,
        office=office,
        issued_on=date_text(meeting.held_on if meeting.held_on else dt.date.today()),
    )


def render_pdf(content: MinutesContent) -> bytes:
    from weasyprint import HTML

    html = render_to_string("dispatch/minutes_pdf.html", {"c": content})
    return HTML(string=html).write_pdf()


def render_docx(content: MinutesContent) -> bytes:
    import io

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.size = Pt(16)  # 三号
    _east_asian(normal, BODY_FONT)
    heading_style = document.styles["Heading 1"]
    heading_style.font.size = Pt(16)
    heading_style.font.bold = False
    heading_style.font.color.rgb = RGBColor(0, 0, 0)
    _east_asian(heading_style, HEADING_FONT)
    document.core_properties.title = content.title
    document.core_properties.author = content.office

    masthead = document.add_paragraph()
    masthead.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = masthead.add_run(content.masthead)
    run.bold = True
    run.font.size = Pt(36)
    run.font.color.rgb = RGBColor.from_string(RED)
    _east_asian(run, TITLE_FONT)
    if content.number:
        number = document.add_paragraph()
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _east_asian(number.add_run(content.number), BODY_FONT)
    issuer = document.add_paragraph()
    _east_asian(issuer.add_run(f"{content.office}\t{content.issued_on}"), BODY_FONT)
    issuer.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), alignment=2)
    _red_rule(issuer)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(content.title)
    run.font.size = Pt(22)  # 二号
    _east_asian(run, TITLE_FONT)

    def body(text: str) -> None:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _east_asian(paragraph.add_run(text), BODY_FONT)

    body(
        _("%(date)s，%(chair)s主持召开%(title)s。%(attendees)s")
        % {
            "date": content.held_on,
            "chair": content.chair,
            "title": content.title,
            "attendees": _("参会人员：%(who)s。") % {"who": content.attendees}
            if content.attendees
            else "",
        }
    )
    for paragraph in content.summary:
        body(paragraph)

    document.add_heading(_("一、会议议题"), level=1)
    for index, (kind, item_title, reasons) in enumerate(content.agenda, start=1):
        text = f"{index}. [{kind}] {item_title}"
        if reasons:
            text += _("（%(reasons)s）") % {"reasons": "；".join(reasons)}
        body(text)

    document.add_heading(_("二、交办事项"), level=1)
    _table(
        document,
        [_("序号"), _("交办内容"), _("责任单位"), _("责任人"), _("完成时限"), _("相关项目")],
        [[str(t.number), t.text, t.unit, t.person, t.due, t.project] for t in content.tasks],
        widths_cm=[1.2, 6.0, 2.8, 1.8, 2.4, 3.4],
    )
    body(_("请各责任单位按时限办结，并于下次调度会前报送办理情况。"))
    _page_number_footer(section)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
