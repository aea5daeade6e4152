"""Excel export of a published assessment result: both group rankings, as the page shows them."""

from __future__ import annotations

import io
from dataclasses import dataclass

import xlsxwriter
from django.utils.translation import gettext as _

from gongjian.assessment.models import AssessmentResult
from gongjian.assessment.selectors import assessment_ranking_groups
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.core import formatting


@dataclass(frozen=True)
class RankingFile:
    filename: str
    content: bytes


def ranking_headers() -> list[str]:
    return [
        _("组别"),
        _("组内名次"),
        _("区域"),
        _("指标得分"),
        _("扣分"),
        _("逾期报告（份）"),
        _("总分"),
        _("全市排名"),
        _("并列"),
    ]


def assessment_ranking_export(*, actor, result: AssessmentResult) -> RankingFile:
    """The published ranking of ``result`` as an .xlsx workbook (one row per district, grouped
    as on the page; points with two decimals). Who may view results may export them; audited."""
    if not actor.has_perm("assessment.view"):
        raise audit_denied(actor=actor, obj=result, message=_("无权查看考核。"))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("考核排名"))
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1})
    points = book.add_format({"num_format": formatting.EXCEL_POINTS})
    sheet.write(0, 0, _("%(label)s考核排名") % {"label": result.label}, title)
    sheet.write(
        1,
        0,
        _("考核办法：%(rubric)s　数据截至 %(as_of)s　单位：分")
        % {"rubric": result.rubric, "as_of": f"{result.as_of:%Y-%m-%d}"},
    )
    for col, text in enumerate(ranking_headers()):
        sheet.write(2, col, text, header)
    for col, width in enumerate([12, 10, 20, 12, 10, 14, 12, 10, 8]):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(3, 0)
    row = 3
    count = 0
    for group_name, rows in assessment_ranking_groups(result=result):
        for item in rows:
            sheet.write_string(row, 0, group_name)
            sheet.write_number(row, 1, item.group_rank)
            sheet.write_string(row, 2, item.region_name)
            sheet.write_number(row, 3, float(item.item_points), points)
            # Points taken off are shown as a negative number, as the page shows −x.xx.
            sheet.write_number(row, 4, float(-item.deduction), points)
            sheet.write_number(row, 5, item.late_reports)
            sheet.write_number(row, 6, float(item.total), points)
            sheet.write_number(row, 7, item.rank)
            sheet.write_string(row, 8, _("是") if item.is_tied else "")
            row += 1
            count += 1
    book.close()
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=result,
        after={"file": "assessment_ranking", "rows": count},
        message=_("导出考核排名（%(count)s 个区域）。") % {"count": count},
    )
    filename = _("考核排名_%(campaign)s_%(month)s.xlsx") % {
        "campaign": result.campaign.display_name,
        "month": f"{result.month:%Y-%m}",
    }
    return RankingFile(filename=filename, content=buffer.getvalue())
