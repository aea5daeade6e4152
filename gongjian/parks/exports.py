"""The enterprise roster as an Excel workbook (XlsxWriter): what the reader may see, in the
columns the import reads back."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from gongjian.core import formatting
from gongjian.parks.choices import OperatingStatus
from gongjian.parks.models import Enterprise
from gongjian.parks.workbook import COLUMNS


def _row(enterprise: Enterprise) -> list[Any]:
    return [
        enterprise.uscc,
        enterprise.name,
        enterprise.region.code,
        enterprise.park.code if enterprise.park else "",
        _("是") if enterprise.is_above_scale else _("否"),
        enterprise.above_scale_since,
        enterprise.entered_park_on,
        enterprise.industry_chain.code if enterprise.industry_chain else "",
        enterprise.industrial_land_mu,
        enterprise.output_value,
        enterprise.tax_paid,
        enterprise.production_started_on,
        enterprise.established_on,
        OperatingStatus(enterprise.operating_status).label,
    ]


def write_roster(rows: Iterable[list[Any]], *, notes: dict[int, list[str]] | None = None) -> bytes:
    """A roster workbook of ``rows`` (values in COLUMNS order); ``notes`` (by data row index
    from 0) add an error column and mark the rows, for an annotated import."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("企业名录"))
    header = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1, "text_wrap": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    number = book.add_format({"num_format": formatting.EXCEL_NUMBER})
    wrong = book.add_format({"bg_color": "#FDE2E1"})
    for index, column in enumerate(COLUMNS):
        sheet.write(0, index, str(column.label), header)
        sheet.set_column(index, index, column.width)
    if notes is not None:
        sheet.write(0, len(COLUMNS), _("错误"), header)
        sheet.set_column(len(COLUMNS), len(COLUMNS), 60)
    sheet.freeze_panes(1, 2)
    for offset, values in enumerate(rows):
        line = offset + 1
        for index, value in enumerate(values):
            if isinstance(value, dt.date):
                sheet.write_datetime(line, index, dt.datetime.combine(value, dt.time()), day)
            elif value is None:
                sheet.write_blank(line, index, None)
            elif isinstance(value, int | float) or hasattr(value, "as_tuple"):
                sheet.write_number(line, index, float(value), number)
            else:
                sheet.write_string(line, index, str(value))
        if notes and offset in notes:
            sheet.write_string(line, len(COLUMNS), "；".join(notes[offset]), wrong)
    book.close()
    return buffer.getvalue()


def roster_export(enterprises: Iterable[Enterprise]) -> bytes:
    """The roster of ``enterprises`` (already scoped by the caller's selector)."""
    return write_roster(_row(enterprise) for enterprise in enterprises)
