"""Spreadsheet helpers: column letters, reading amount and text cells, and the guard that looks at
an upload before python-calamine parses it."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter

from gongjian.core.spreadsheets import (
    SpreadsheetError,
    cell_decimal,
    cell_text,
    check_xlsx,
    column_index,
    column_letter,
)


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (6, "G"), (25, "Z"), (26, "AA"), (16383, "XFD")]
)
def test_column_letters(index, letters):
    assert column_letter(index) == letters
    assert column_index(letters) == index


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (1200.5, Decimal("1200.50")),
        (3, Decimal("3")),
        (1200 * 1.1, Decimal("1320.00")),
        (0.1 + 0.2, Decimal("0.30")),
        (1200.555, Decimal("1200.555")),
        ("1,200.50", Decimal("1200.50")),
        (" 1200.5万元 ", Decimal("1200.5")),
        ("1.2亿元", Decimal("12000.0")),
        ("-5", Decimal("-5")),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_amount_cells(value, amount):
    assert cell_decimal(value) == amount


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("一千二", "“一千二”不是数字。"),
        ("约100", "“约100”不是数字。"),
        ("12%", "“12%”不是数字。"),
        ("30个", "“30个”不是数字。"),
        (True, "“TRUE”不是数字。"),
        (dt.date(2022, 11, 5), "“2022-11-05”不是数字。"),
        (float("nan"), "“nan”不是数字。"),
        ("主体结构施工" * 10, f"“{('主体结构施工' * 7)[:39]}…”不是数字。"),
    ],
)
def test_text_in_amount_cells_is_refused(value, message):
    with pytest.raises(ValueError) as raised:
        cell_decimal(value)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("value", "text"),
    [(42.0, "42"), (2.5, "2.5"), ("  主体封顶 ", "主体封顶"), (None, ""), (False, "FALSE")],
)
def test_text_cells(value, text):
    assert cell_text(value) == text


def _workbook(write) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    write(workbook.add_worksheet())
    workbook.close()
    return output.getvalue()


LIMITS = {"max_uncompressed": 10_000_000, "max_rows": 100, "max_columns": 20}


def test_a_small_workbook_passes():
    check_xlsx(_workbook(lambda sheet: sheet.write(99, 19, "x")), **LIMITS)


def test_a_stray_far_cell_is_refused_before_parsing():
    content = _workbook(lambda sheet: sheet.write(1048575, 16383, "x"))
    with pytest.raises(SpreadsheetError) as raised:
        check_xlsx(content, **LIMITS)
    assert str(raised.value) == "工作表过大（1048576 行 × 16384 列），超出可导入的范围。"


def test_formatted_empty_cells_do_not_count():
    content = _workbook(lambda sheet: sheet.write_blank(5000, 5, None, None))
    check_xlsx(content, **LIMITS)


def test_a_zip_bomb_is_refused():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 20_000_000)
    with pytest.raises(SpreadsheetError) as raised:
        check_xlsx(output.getvalue(), **LIMITS)
    assert str(raised.value) == "工作簿解压后过大，无法导入；请只保留填报表。"


@pytest.mark.parametrize(
    "content", [b"plain text", b"PK\x03\x04 broken", b"\xd0\xcf\x11\xe0 an old .xls"]
)
def test_what_is_not_an_xlsx_is_refused(content):
    with pytest.raises(SpreadsheetError) as raised:
        check_xlsx(content, **LIMITS)
    assert "不是 Excel 工作簿（.xlsx），无法读取。" in str(raised.value)
