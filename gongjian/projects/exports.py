"""The ledger as an Excel workbook in the columns of a published key-project list, which the
list import reads back unchanged (``gongjian.projects.imports``)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal

import xlsxwriter
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from gongjian.core import formatting
from gongjian.projects.choices import ProjectClass
from gongjian.projects.models import Project


def _month(value) -> str:
    return "" if value is None else f"{value.year}年{value.month}月"


def _years(project: Project) -> str:
    if project.start_year is None:
        return ""
    if project.end_year is None or project.end_year == project.start_year:
        return str(project.start_year)
    return f"{project.start_year}-{project.end_year}"


def ledger_headers(year: int) -> list[str]:
    return [
        _("序号"),
        _("项目编号"),
        _("全国投资项目代码"),
        _("项目名称"),
        _("所在地"),
        _("项目级别"),
        _("建设性质"),
        _("行业领域"),
        _("台账类别"),
        _("产业链"),
        _("业主单位"),
        _("统一社会信用代码"),
        _("建设规模及内容"),
        _("建设起止年限"),
        _("总投资（万元）"),
        _("%(year)s年计划投资（万元）") % {"year": year},
        _("计划开工时间"),
        _("计划竣工（投产）时间"),
        _("责任单位"),
        _("责任人"),
        _("联系电话"),
    ]


def ledger_workbook(*, projects: Iterable[Project], year: int) -> bytes:
    """``projects`` (already scoped and filtered) with their plan for ``year`` (the plan in
    force now; blank without one)."""
    from gongjian.plans.models import AnnualPlan

    if hasattr(projects, "prefetch_related"):
        projects = projects.select_related(  # type: ignore[attr-defined]
            "region", "category", "industry_chain", "sector"
        ).prefetch_related(
            Prefetch(
                "annual_plans",
                queryset=AnnualPlan.objects.filter(year=year),
                to_attr="plans_of_year",
            )
        )
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("重点项目"))
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1, "text_wrap": True})
    money = book.add_format({"num_format": formatting.EXCEL_MONEY})
    headers = ledger_headers(year)
    sheet.write(0, 0, _("%(year)s年重点项目台账") % {"year": year}, title)
    sheet.write(1, 0, _("单位：万元"))
    for col, text in enumerate(headers):
        sheet.write(2, col, text, header)
    widths = [6, 20, 26, 36, 14, 14, 12, 10, 14, 12, 24, 22, 36, 14, 14, 16, 14, 16, 20, 10, 14]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(3, 4)
    for index, project in enumerate(projects, start=1):
        plans = getattr(project, "plans_of_year", None)
        if plans is None:
            plans = list(project.annual_plans.filter(year=year))
        plan: Decimal | None = plans[0].amount if plans else None
        row = 2 + index
        values = [
            index,
            project.code,
            project.national_code,
            f"{project.markers}{project.name}",
            project.region.name,
            project.level_display,
            str(ProjectClass(project.project_class).label) if project.project_class else "",
            project.sector.name if project.sector else "",
            project.category.name,
            project.industry_chain.name if project.industry_chain else "",
            project.owner_enterprise,
            project.owner_uscc,
            project.description,
            _years(project),
        ]
        for col, value in enumerate(values):
            sheet.write_string(row, col, str(value)) if col else sheet.write_number(row, col, value)
        sheet.write_number(row, 14, float(project.total_investment), money)
        if plan is not None:
            sheet.write_number(row, 15, float(plan), money)
        tail = [
            _month(project.planned_start_month),
            _month(project.planned_completion_month),
            project.responsible_unit,
            project.responsible_person,
            project.responsible_phone,
        ]
        for col, value in enumerate(tail, start=16):
            sheet.write_string(row, col, value)
    book.close()
    return buffer.getvalue()
