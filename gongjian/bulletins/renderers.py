"""The bulletin as a file: PDF and Word (``core.gongwen``) and Excel (XlsxWriter).

Each renderer reads one ``BulletinContent`` and returns bytes; none touches the database. The PDF
and the Word file print the same ``bulletin_document`` (one content model): the PDF through the
``bulletins/bulletin_pdf.html`` template (which extends the shared ``gongwen/base.html``), the
Word file by filling the office's .docx template (the shipped 公文 layout unless the office has
uploaded its own, ``DocumentTemplate``). The workbook has one sheet per table and ends, like the
documents, with the 署名 and 成文日期 (last rows of its first sheet).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _

from gongjian.bulletins.choices import BulletinFormat
from gongjian.bulletins.content import (
    BulletinContent,
    TargetRow,
    assessment_headers,
    bulletin_document,
)
from gongjian.campaigns.choices import IndicatorUnit
from gongjian.core import formatting, gongwen
from gongjian.core.money import YI_IN_WAN

# ---------------------------------------------------------------------------------------------
# PDF and Word


def render_html(content: BulletinContent) -> str:
    return gongwen.render_html(
        bulletin_document(content), template_name="bulletins/bulletin_pdf.html"
    )


def render_pdf(content: BulletinContent) -> bytes:
    return gongwen.render_pdf(
        bulletin_document(content), template_name="bulletins/bulletin_pdf.html"
    )


def render_docx(content: BulletinContent, *, template: bytes | None = None) -> bytes:
    return gongwen.render_docx(bulletin_document(content), template=template)


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


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _yi(value_wan: Decimal | None) -> float | None:
    """An amount held in 万元 as the number of 亿元 the documents print (the cell formats it)."""
    return None if value_wan is None else float(value_wan / YI_IN_WAN)


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
        # Money in 亿元, as the PDF and the Word file print it.
        is_money = row.unit == IndicatorUnit.WAN_YUAN
        value = _yi if is_money else _number
        return (
            [
                formatting.money_unit("亿元") if is_money else row.unit,
                row.comparator,
                value(row.target),
                value(row.actual),
                _number(row.completion),
                _number(row.time_elapsed),
                _number(row.ahead_points),
                value(row.forecast),
                row.status_label,
            ],
            [
                cell,
                cell,
                number,
                number,
                percent,
                percent,
                number,
                number,
                fills.get(row.status, cell),
            ],
        )

    target_headers = [
        _("单位"),
        _("比较"),
        _("目标值"),
        _("累计完成"),
        _("完成率"),
        _("序时进度"),
        _("较序时进度（个百分点）"),
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
    ws.write(total_row + 3, 0, content.note)
    # Signed and dated last, as the documents are.
    ws.write(total_row + 5, 0, content.office)
    ws.write(total_row + 6, 0, content.issued_on_text)

    # 目标明细
    ws = sheet(
        "目标明细",
        [_("专项行动"), _("区域"), _("区划代码"), _("指标"), *target_headers],
        [30, 14, 10, 28, *target_widths],
    )
    for offset, row in enumerate(content.targets):
        values, formats = target_values(row)
        write(
            ws,
            2 + offset,
            [row.action, row.region, row.region_code, row.indicator, *values],
            [cell, cell, cell, cell, *formats],
        )

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
            [fills.get(row.status, cell), cell, cell, cell, *formats],
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
            [_("分组"), *assessment_headers()],
            [10, 8, 16, 10, 10, 12, 10, 8],
        )
        for offset, item in enumerate(content.assessment):
            write(
                ws,
                2 + offset,
                [
                    item.group,
                    item.group_rank_text,
                    item.region,
                    _number(item.item_points),
                    _number(-item.deduction),
                    item.late_reports,
                    _number(item.total),
                    item.rank,
                ],
                [cell, cell, cell, number, number, cell, number, cell],
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
                formatting.with_money_unit(_("年度计划"), "亿元"),
                formatting.with_money_unit(_("完成"), "亿元"),
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
                            _yi(r.plan),
                            _yi(r.actual),
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


def render(content: BulletinContent, format: str, *, docx_template: bytes | None = None) -> bytes:
    """The file of ``format``; a Word file is filled from ``docx_template`` (default: the
    shipped 公文 layout)."""
    if format == BulletinFormat.DOCX:
        return render_docx(content, template=docx_template)
    return RENDERERS[BulletinFormat(format)](content)
