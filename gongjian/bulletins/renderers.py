"""The bulletin as a file: PDF (WeasyPrint), Word (python-docx) and Excel (XlsxWriter).

Each renderer reads one ``BulletinContent`` and returns bytes; none touches the database.

Fonts. The PDF is typeset here, so it uses fonts this server has: the Noto CJK families that
Debian's fonts-noto-cjk installs (Noto Serif CJK SC for 仿宋/宋 text, Noto Sans CJK SC for 黑体),
after the official names for the rare server that has those. The Word file is typeset on the
reader's machine, so it names the official fonts of 党政机关公文 (GB/T 9704) that Chinese
government machines have — 方正小标宋简体 for the title, 黑体 for headings, 仿宋_GB2312 for the
body — as East Asian fonts (w:eastAsia), which is the attribute Word reads for Chinese text.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gongjian.bulletins.choices import BulletinFormat
from gongjian.bulletins.content import BulletinContent, TargetRow, date_text
from gongjian.core.money import format_yi

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
RED = "D00000"


# ---------------------------------------------------------------------------------------------
# PDF


def render_html(content: BulletinContent) -> str:
    return render_to_string("bulletins/bulletin_pdf.html", {"c": content})


def render_pdf(content: BulletinContent) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(content)).write_pdf()


# ---------------------------------------------------------------------------------------------
# Word


def _east_asian(run_or_style, name: str, *, latin: str = LATIN_FONT) -> None:
    """Name ``name`` as the East Asian font (the one Word uses for Chinese) and ``latin`` for
    Latin letters and digits."""
    from docx.oxml.ns import qn

    font = run_or_style.font
    font.name = latin
    r_pr = run_or_style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def _red_rule(paragraph) -> None:
    """A red line under ``paragraph`` (the 红头's rule), as a bottom border."""
    from docx.oxml.ns import qn

    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.makeelement(qn("w:pBdr"), {})
    bottom = borders.makeelement(
        qn("w:bottom"),
        {qn("w:val"): "single", qn("w:sz"): "18", qn("w:space"): "1", qn("w:color"): RED},
    )
    borders.append(bottom)
    p_pr.append(borders)


def _page_number_footer(section) -> None:
    """— PAGE — centred in the footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _east_asian(paragraph.add_run("— "), BODY_FONT)
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        else:
            element = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            element.text = text
        run._r.append(element)
    _east_asian(paragraph.add_run(" —"), BODY_FONT)


def _table(document, headers: list[str], rows: list[list[str]], *, widths_cm=None):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    # Repeat the header row at the top of every page the table runs onto.
    tr_pr = header._tr.get_or_add_trPr()
    tr_pr.append(tr_pr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    for cell, text in zip(header.cells, headers, strict=True):
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(10.5)
        _east_asian(run, HEADING_FONT)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(10.5)
            _east_asian(run, BODY_FONT)
    if widths_cm:
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(width)
    return table


def _target_cells(row: TargetRow) -> list[str]:
    return [
        row.target_text,
        row.actual_text,
        row.completion_text,
        row.time_elapsed_text,
        row.ahead_text,
        row.status_label,
    ]


def render_docx(content: BulletinContent) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    # A4 with the margins of GB/T 9704.
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.size = Pt(16)  # 三号
    _east_asian(normal, BODY_FONT)
    for level in (1, 2):
        style = document.styles[f"Heading {level}"]
        style.font.size = Pt(16)
        style.font.bold = level == 1
        style.font.color.rgb = RGBColor(0, 0, 0)
        _east_asian(style, HEADING_FONT if level == 1 else "楷体_GB2312")
    document.core_properties.title = f"{content.title} {content.issue_text}"
    document.core_properties.author = content.office

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(content.title)
    run.bold = True
    run.font.size = Pt(36)
    run.font.color.rgb = RGBColor.from_string(RED)
    _east_asian(run, TITLE_FONT)
    issue = document.add_paragraph()
    issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _east_asian(issue.add_run(content.issue_text), BODY_FONT)
    masthead = document.add_paragraph()
    _east_asian(masthead.add_run(f"{content.office}\t{content.issued_on_text}"), BODY_FONT)
    masthead.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), alignment=2)  # right
    _red_rule(masthead)

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(
        _("关于%(label)s%(name)s推进情况的通报")
        % {"label": content.month_label, "name": content.campaign_name}
    )
    run.font.size = Pt(22)  # 二号
    _east_asian(run, TITLE_FONT)

    def body(text: str) -> None:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _east_asian(paragraph.add_run(text), BODY_FONT)

    document.add_heading(_("一、总体进度"), level=1)
    body(content.summary)
    _table(
        document,
        [_("专项行动"), _("目标数"), _("正常"), _("预警"), _("滞后"), _("已完成")],
        [
            [
                a.name,
                str(a.counts.total),
                str(a.counts.green),
                str(a.counts.yellow),
                str(a.counts.red),
                str(a.counts.met),
            ]
            for a in content.actions
        ],
    )

    document.add_heading(_("二、各项目标完成情况"), level=1)
    _table(
        document,
        [
            _("专项行动"),
            _("指标"),
            _("目标"),
            _("累计完成"),
            _("完成率"),
            _("序时进度"),
            _("超欠（百分点）"),
            _("状态"),
        ],
        [[row.action, row.indicator, *_target_cells(row)] for row in content.targets],
    )

    document.add_heading(_("三、县（市、区）排名"), level=1)
    for number, ranking in enumerate(content.rankings, start=1):
        document.add_heading(
            _("（%(number)s）%(indicator)s：全市目标%(target)s，累计完成%(actual)s")
            % {
                "number": number,
                "indicator": ranking.indicator,
                "target": ranking.city.target_text,
                "actual": ranking.city.actual_text,
            },
            level=2,
        )
        _table(
            document,
            [
                _("排名"),
                _("县（市、区）"),
                _("分解目标"),
                _("累计完成"),
                _("完成率"),
                _("超欠（百分点）"),
                _("状态"),
            ],
            [
                [
                    "—" if row.rank is None else str(row.rank),
                    row.region,
                    row.row.target_text,
                    row.row.actual_text,
                    row.row.completion_text,
                    row.row.ahead_text,
                    row.row.status_label,
                ]
                for row in ranking.rows
            ],
        )

    document.add_heading(_("四、红黄灯预警"), level=1)
    if content.flags:
        _table(
            document,
            [_("灯号"), _("区域"), _("指标"), _("完成率"), _("超欠（百分点）")],
            [
                [
                    _("红灯") if row.status == "red" else _("黄灯"),
                    row.region,
                    row.indicator,
                    row.completion_text,
                    row.ahead_text,
                ]
                for row in content.flags
            ],
        )
    else:
        body(_("本期各项目标均达到序时进度，无红黄灯。"))

    document.add_heading(_("五、月度填报情况"), level=1)
    body(content.reporting_summary)
    if content.reporting.laggards:
        _table(
            document,
            [_("县（市、区）"), _("应报"), _("已报"), _("未报"), _("情况")],
            [
                [row.region, str(row.due), str(row.filed), str(row.missing), row.state_text]
                for row in content.reporting.laggards
            ],
        )

    document.add_heading(_("六、重点问题和督办事项"), level=1)
    body(
        _(
            "截至本期末，尚未解决的问题%(open)s个，其中超过办结期限%(overdue)s个；"
            "待回复的督办事项%(orders)s件，其中逾期%(late)s件。"
        )
        % {
            "open": content.open_problem_count,
            "overdue": content.overdue_problem_count,
            "orders": content.open_supervision_count,
            "late": content.overdue_supervision_count,
        }
    )
    if content.problems:
        _table(
            document,
            [_("项目"), _("区域"), _("问题"), _("承办部门"), _("办结期限")],
            [
                [
                    p.project_name,
                    p.region,
                    p.title,
                    p.department or "—",
                    p.due_date.isoformat() if p.due_date else "—",
                ]
                for p in content.problems
            ],
        )
    if content.supervisions:
        _table(
            document,
            [_("督办事项"), _("督办对象"), _("办理期限"), _("状态")],
            [
                [s.title, s.addressee, s.due_date.isoformat(), s.status_label]
                for s in content.supervisions
            ],
        )

    if content.assessment:
        document.add_heading(_("七、考核得分排名"), level=1)
        _table(
            document,
            [_("排名"), _("分组"), _("组内排名"), _("县（市、区）"), _("得分"), _("扣分")],
            [
                [str(a.rank), a.group, str(a.group_rank), a.region, str(a.total), str(a.deduction)]
                for a in content.assessment
            ],
        )

    if content.plan is not None:
        plan = content.plan
        document.add_heading(content.plan_heading, level=1)
        body(plan.summary)
        document.add_heading(_("（一）红灯项目"), level=2)
        if plan.red_projects:
            _table(
                document,
                [_("项目"), _("县（市、区）"), _("责任单位"), _("亮灯原因")],
                [[p.name, p.region, p.responsible_unit, p.reasons_text] for p in plan.red_projects],
            )
        else:
            body(_("本期无亮红灯项目。"))
        for index, board in enumerate(plan.boards, start=2):
            document.add_heading(
                _("（%(number)s）%(name)s")
                % {"number": _chinese_number(index), "name": board.name},
                level=2,
            )
            for label, rows in ((_("红榜"), board.red), (_("黑榜"), board.black)):
                _table(
                    document,
                    [
                        label,
                        _("名称"),
                        _("说明"),
                        _("年度计划（亿元）"),
                        _("完成（亿元）"),
                        _("完成率"),
                    ],
                    [
                        [
                            str(r.rank),
                            r.name,
                            r.detail,
                            format_yi(r.plan),
                            format_yi(r.actual),
                            r.rate_text,
                        ]
                        for r in rows
                    ],
                )

    closing = document.add_paragraph()
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _east_asian(closing.add_run(f"{content.office}\n{date_text(content.issued_on)}"), BODY_FONT)
    _page_number_footer(section)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Excel

SHEETS = (
    "总体进度",
    "目标明细",
    "县区排名",
    "红黄灯",
    "逾期填报",
    "重点问题",
    "红灯项目",
    "红黑榜",
)


def _chinese_number(number: int) -> str:
    return "一二三四五六七八九十"[number - 1] if 1 <= number <= 10 else str(number)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def render_xlsx(content: BulletinContent) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = workbook.add_format({"bold": True, "font_size": 14, "font_color": "#D00000"})
    head = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    cell = workbook.add_format({"border": 1})
    number = workbook.add_format({"border": 1, "num_format": "#,##0.00"})
    percent = workbook.add_format({"border": 1, "num_format": "0.00%"})
    fills = {
        "red": workbook.add_format({"border": 1, "bg_color": "#F8D7DA"}),
        "yellow": workbook.add_format({"border": 1, "bg_color": "#FFF3CD"}),
        "green": workbook.add_format({"border": 1, "bg_color": "#D1E7DD"}),
    }

    def sheet(name: str, headers: list[str], widths: list[int]):
        ws = workbook.add_worksheet(name)
        ws.write(0, 0, f"{content.title} {content.issue_text}（{content.month_label}）", title)
        for col, (text, width) in enumerate(zip(headers, widths, strict=True)):
            ws.write(1, col, text, head)
            ws.set_column(col, col, width)
        ws.freeze_panes(2, 0)
        ws.repeat_rows(1)
        return ws

    def write(ws, row: int, values: list, formats: list) -> None:
        for col, (value, fmt) in enumerate(zip(values, formats, strict=True)):
            if value is None:
                ws.write_blank(row, col, None, fmt)
            else:
                ws.write(row, col, value, fmt)

    def target_values(row: TargetRow) -> tuple[list, list]:
        return (
            [
                row.unit,
                row.comparator,
                _number(row.target),
                _number(row.actual),
                _number(row.completion),
                _number(row.time_elapsed),
                _number(row.ahead_points),
                _number(row.forecast),
                row.status_label,
            ],
            [cell, cell, number, number, percent, percent, number, number, fills[row.status]],
        )

    target_headers = [
        _("单位"),
        _("比较"),
        _("目标值"),
        _("累计完成"),
        _("完成率"),
        _("序时进度"),
        _("超欠（百分点）"),
        _("预计全年"),
        _("状态"),
    ]
    target_widths = [6, 6, 16, 16, 10, 10, 14, 16, 8]

    # 总体进度
    ws = sheet(
        "总体进度",
        [_("专项行动"), _("目标数"), _("正常"), _("预警"), _("滞后"), _("已完成")],
        [34, 8, 8, 8, 8, 8],
    )
    for offset, action in enumerate(content.actions):
        counts = action.counts
        write(
            ws,
            2 + offset,
            [action.name, counts.total, counts.green, counts.yellow, counts.red, counts.met],
            [cell] * 6,
        )
    total_row = 2 + len(content.actions)
    overall = content.overall
    write(
        ws,
        total_row,
        [_("合计"), overall.total, overall.green, overall.yellow, overall.red, overall.met],
        [head] * 6,
    )
    ws.write(total_row + 2, 0, content.summary)
    ws.write(total_row + 3, 0, _("数据截至 %(date)s") % {"date": content.as_of.isoformat()})

    # 目标明细
    ws = sheet(
        "目标明细",
        [_("专项行动"), _("指标"), *target_headers],
        [30, 28, *target_widths],
    )
    for offset, row in enumerate(content.targets):
        values, formats = target_values(row)
        write(ws, 2 + offset, [row.action, row.indicator, *values], [cell, cell, *formats])

    # 县区排名
    ws = sheet(
        "县区排名",
        [_("指标"), _("排名"), _("县（市、区）"), _("区划代码"), *target_headers],
        [28, 6, 16, 10, *target_widths],
    )
    line = 2
    for ranking in content.rankings:
        for ranked in ranking.rows:
            values, formats = target_values(ranked.row)
            write(
                ws,
                line,
                [ranking.indicator, ranked.rank, ranked.region, ranked.region_code, *values],
                [cell, cell, cell, cell, *formats],
            )
            line += 1

    # 红黄灯
    ws = sheet(
        "红黄灯",
        [_("灯号"), _("区域"), _("区划代码"), _("指标"), *target_headers],
        [8, 16, 10, 28, *target_widths],
    )
    for offset, row in enumerate(content.flags):
        values, formats = target_values(row)
        light = _("红灯") if row.status == "red" else _("黄灯")
        write(
            ws,
            2 + offset,
            [light, row.region, row.region_code, row.indicator, *values],
            [fills[row.status], cell, cell, cell, *formats],
        )

    # 逾期填报
    ws = sheet(
        "逾期填报",
        [
            _("县（市、区）"),
            _("区划代码"),
            _("应报"),
            _("已报"),
            _("已审核"),
            _("退回"),
            _("未报"),
            _("情况"),
        ],
        [16, 10, 8, 8, 8, 8, 8, 16],
    )
    for offset, laggard in enumerate(content.reporting.laggards):
        write(
            ws,
            2 + offset,
            [
                laggard.region,
                laggard.region_code,
                laggard.due,
                laggard.filed,
                laggard.approved,
                laggard.returned,
                laggard.missing,
                laggard.state_text,
            ],
            [cell] * 7 + [fills["red"] if laggard.is_late else cell],
        )
    if not content.reporting.laggards:
        ws.write(2, 0, content.reporting_summary)

    # 重点问题
    ws = sheet(
        "重点问题",
        [
            _("类别"),
            _("事项"),
            _("项目"),
            _("区域/对象"),
            _("承办部门"),
            _("提出/督办日期"),
            _("期限"),
            _("状态"),
            _("是否逾期"),
        ],
        [10, 30, 30, 14, 14, 14, 12, 10, 10],
    )
    line = 2
    for problem in content.problems:
        write(
            ws,
            line,
            [
                _("问题协调"),
                problem.title,
                problem.project_name,
                problem.region,
                problem.department or None,
                problem.raised_on.isoformat(),
                problem.due_date.isoformat() if problem.due_date else None,
                problem.status_label,
                _("是") if problem.is_overdue else _("否"),
            ],
            [cell] * 9,
        )
        line += 1
    for order in content.supervisions:
        write(
            ws,
            line,
            [
                _("督办"),
                order.title,
                order.project_name or None,
                order.addressee,
                None,
                order.issued_on.isoformat(),
                order.due_date.isoformat(),
                order.status_label,
                _("是") if order.is_overdue else _("否"),
            ],
            [cell] * 9,
        )
        line += 1

    if content.assessment:
        ws = sheet(
            "考核得分排名",
            [_("排名"), _("分组"), _("组内排名"), _("县（市、区）"), _("得分"), _("扣分")],
            [6, 10, 8, 16, 10, 10],
        )
        for offset, item in enumerate(content.assessment):
            write(
                ws,
                2 + offset,
                [
                    item.rank,
                    item.group,
                    item.group_rank,
                    item.region,
                    _number(item.total),
                    _number(item.deduction),
                ],
                [cell, cell, cell, cell, number, number],
            )

    # 红灯项目 and 红黑榜
    if content.plan is not None:
        plan = content.plan
        ws = sheet(
            "红灯项目",
            [_("项目编号"), _("项目"), _("县（市、区）"), _("责任单位"), _("亮灯原因")],
            [20, 36, 14, 24, 80],
        )
        for offset, red in enumerate(plan.red_projects):
            write(
                ws,
                2 + offset,
                [red.code, red.name, red.region, red.responsible_unit, red.reasons_text],
                [cell] * 5,
            )
        ws.write(3 + len(plan.red_projects), 0, plan.summary)
        ws = sheet(
            "红黑榜",
            [
                _("榜单"),
                _("红/黑"),
                _("名次"),
                _("名称"),
                _("说明"),
                _("年度计划（万元）"),
                _("完成（万元）"),
                _("完成率"),
            ],
            [20, 8, 6, 36, 16, 16, 16, 10],
        )
        line = 2
        for board in plan.boards:
            for label, rows, fill in (
                (_("红榜"), board.red, fills["green"]),
                (_("黑榜"), board.black, fills["red"]),
            ):
                for r in rows:
                    write(
                        ws,
                        line,
                        [
                            board.name,
                            label,
                            r.rank,
                            r.name,
                            r.detail,
                            _number(r.plan),
                            _number(r.actual),
                            None if r.rate is None else _number(r.rate / 100),
                        ],
                        [cell, fill, cell, cell, cell, number, number, percent],
                    )
                    line += 1

    workbook.close()
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[BulletinContent], bytes]] = {
    BulletinFormat.PDF: render_pdf,
    BulletinFormat.DOCX: render_docx,
    BulletinFormat.XLSX: render_xlsx,
}


def render(content: BulletinContent, format: str) -> bytes:
    return RENDERERS[BulletinFormat(format)](content)
