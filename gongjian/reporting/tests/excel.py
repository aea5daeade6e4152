"""Shared by the Excel tests: a small 鲤城区 ledger with reports in several states, and reading and
"filling in" workbooks the way a user would — values read with python-calamine, written back with
XlsxWriter (openpyxl is not installed, on purpose)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from gongjian.core.spreadsheets import column_index
from gongjian.projects.models import Project
from gongjian.reporting.models import ReportingPeriod
from gongjian.reporting.workbook import META_SHEET
from gongjian.tests.factories import (
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
)

NOVEMBER = dt.date(2022, 11, 1)
MAIN = "月度填报"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


# Fixtures are registered under their ``name``; test modules import the functions.
@pytest.fixture(autouse=True, name="_media")
def media_fixture(settings, tmp_path):
    """Uploads go to a fresh directory, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(name="period")
def period_fixture() -> ReportingPeriod:
    return ReportingPeriodFactory.create(month=NOVEMBER)


def _started(code: str, name: str, region=None, **values) -> Project:
    extra = {"region": region} if region is not None else {}
    project = ProjectFactory.create(code=code, name=name, **extra, **values)
    StageEventFactory.create(project=project, stage="started", date=dt.date(2021, 10, 8))
    return project


@pytest.fixture(name="ledger")
def ledger_fixture(period, region) -> dict[str, Any]:
    """鲤城区: LC-001 with no report yet (but earlier months filed), LC-002 with a draft, LC-003
    submitted (read-only); 丰泽区: FZ-001; and LC-009, a 鲤城 project not started, so not due."""
    october = ReportingPeriodFactory.create(month=dt.date(2022, 10, 1))
    december_2021 = ReportingPeriodFactory.create(month=dt.date(2021, 12, 1))
    lc1 = _started("LC-001", "鲤城智能装备产业园", total_investment=Decimal("50000.00"))
    lc2 = _started("LC-002", "江南片区城市更新", total_investment=Decimal("12000.00"))
    lc3 = _started(
        "LC-003",
        "鲤城古城保护提升",
        total_investment=Decimal("8000.00"),
        annual_plan=Decimal("3000.00"),
    )
    fz1 = _started("FZ-001", "丰泽数字经济大厦", region=region("350503"))
    not_due = ProjectFactory.create(code="LC-009", name="鲤城未开工项目")
    for month, amount in ((december_2021, "2000.00"), (october, "1000.00")):
        ProgressReportFactory.create(
            project=lc1, period=month, amount=Decimal(amount), status="city_approved"
        )
    draft = ProgressReportFactory.create(
        project=lc2, period=period, amount=Decimal("800.00"), progress_text="场地平整"
    )
    submitted = ProgressReportFactory.create(
        project=lc3,
        period=period,
        amount=Decimal("1500.00"),
        progress_text="主体施工",
        status="submitted",
        version=2,
    )
    return {
        "lc1": lc1,
        "lc2": lc2,
        "lc3": lc3,
        "fz1": fz1,
        "not_due": not_due,
        "draft": draft,
        "submitted": submitted,
        "october": october,
    }


def sheets(content: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet's cells, row 1 first (empty leading rows kept, so indexes are row numbers-1)."""
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {
        name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in workbook.sheet_names
    }


def filled(
    content: bytes,
    changes: dict[str, Any] | None = None,
    *,
    extra_rows: list[list[Any]] | None = None,
    sheet_changes: dict[str, dict[str, Any]] | None = None,
) -> bytes:
    """A new workbook with the values of ``content`` and ``changes`` ({"G5": 1200.5}) applied to
    the main sheet, ``extra_rows`` appended below its data, as a user's spreadsheet program would
    save it. ``sheet_changes`` changes other sheets ({"_gongjian": {"B2": "2022-10"}})."""
    all_changes = {MAIN: dict(changes or {}), **(sheet_changes or {})}
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_numbers": False})
    for name, rows in sheets(content).items():
        rows = [list(row) for row in rows]
        if name == MAIN and extra_rows:
            rows.extend(extra_rows)
        for ref, value in all_changes.get(name, {}).items():
            match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
            assert match
            r, c = int(match.group(2)) - 1, column_index(match.group(1))
            while len(rows) <= r:
                rows.append([])
            rows[r] = list(rows[r]) + [""] * (c + 1 - len(rows[r]))
            rows[r][c] = value
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value == "" or value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(
                        r, c, value, workbook.add_format({"num_format": "yyyy-mm-dd"})
                    )
                else:
                    sheet.write_string(r, c, str(value))
        if name == META_SHEET:
            sheet.hide()
    workbook.close()
    return output.getvalue()


def upload(content: bytes, name: str = "鲤城区11月.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def xml(content: bytes, path: str) -> ElementTree.Element:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return ElementTree.fromstring(archive.read(path))


def raw(content: bytes, path: str) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(path).decode()


def cell_style(content: bytes, ref: str, sheet: str = "xl/worksheets/sheet1.xml") -> dict:
    """The format of a cell: whether it is locked, its fill colour and number format."""
    cell = xml(content, sheet).find(f".//m:c[@r='{ref}']", NS)
    assert cell is not None, ref
    styles = xml(content, "xl/styles.xml")
    xf = styles.findall("m:cellXfs/m:xf", NS)[int(cell.get("s", "0"))]
    protection = xf.find("m:protection", NS)
    fills = styles.findall("m:fills/m:fill", NS)
    colour = fills[int(xf.get("fillId", "0"))].find(".//m:fgColor", NS)
    formats = {
        f.get("numFmtId"): f.get("formatCode") for f in styles.findall("m:numFmts/m:numFmt", NS)
    }
    return {
        "locked": protection is None or protection.get("locked") != "0",
        "fill": colour.get("rgb") if colour is not None else None,
        "format": formats.get(xf.get("numFmtId", "0"), xf.get("numFmtId")),
    }
