"""The minutes (会议纪要) of a dispatch meeting as a 公文 (``core.gongwen``), in Word and PDF.

The same layout as the bulletin's: the 版头 with its red rule, the title, the body (the opening
paragraph, the summary, 一、会议议题, 二、交办事项 as a numbered table and the closing request),
then the 署名 and 成文日期. The Word file is filled from the office's .docx template, as the
bulletin's is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongjian.bulletins.content import date_text
from gongjian.core import gongwen
from gongjian.core.gongwen import Cell, GongwenDocument, Heading, Paragraph, Row, Table
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
        issued_on=date_text(meeting.held_on),
    )


def minutes_document(content: MinutesContent) -> GongwenDocument:
    opening = _("%(date)s，%(chair)s主持召开%(title)s。") % {
        "date": content.held_on,
        "chair": content.chair,
        "title": content.title,
    }
    if content.attendees:
        opening += _("参会人员：%(who)s。") % {"who": content.attendees}
    blocks: list[Heading | Paragraph | Table] = [Paragraph(opening)]
    blocks += [Paragraph(text) for text in content.summary]
    blocks.append(Heading(_("一、会议议题")))
    for index, (kind, item_title, reasons) in enumerate(content.agenda, start=1):
        text = f"{index}. [{kind}] {item_title}"
        if reasons:
            text += _("（%(reasons)s）") % {"reasons": "；".join(reasons)}
        blocks.append(Paragraph(text))
    blocks.append(Heading(_("二、交办事项")))
    blocks.append(
        Table(
            headers=(
                _("序号"),
                _("交办内容"),
                _("责任单位"),
                _("责任人"),
                _("完成时限"),
                _("相关项目"),
            ),
            rows=tuple(
                Row(
                    (
                        Cell(str(t.number), align="center"),
                        Cell(t.text),
                        Cell(t.unit, align="center"),
                        Cell(t.person, align="center"),
                        Cell(t.due, align="center"),
                        Cell(t.project),
                    )
                )
                for t in content.tasks
            ),
            widths_cm=(1.2, 6.0, 2.8, 1.8, 2.4, 3.4),
        )
    )
    blocks.append(Paragraph(_("请各责任单位按时限办结，并于下次调度会前报送办理情况。")))
    return GongwenDocument(
        masthead=content.masthead,
        number=content.number,
        office=content.office,
        issued_on=content.issued_on,
        title=content.title,
        addressee="",
        blocks=tuple(blocks),
        signature=content.office,
        date=content.issued_on,
    )


def render_pdf(content: MinutesContent) -> bytes:
    return gongwen.render_pdf(minutes_document(content), template_name="dispatch/minutes_pdf.html")


def render_docx(content: MinutesContent, *, template: bytes | None = None) -> bytes:
    return gongwen.render_docx(minutes_document(content), template=template)
