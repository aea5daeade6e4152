"""Spreadsheet helpers shared by every Excel import and export: column letters, a guard that looks
at an uploaded .xlsx before it is parsed, and turning cell values into text and Decimal amounts."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from gongjian.core.money import CENT, QuantityError, parse_money_wan

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_ML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
# A float read from a cell is rounded to cents when it is this close: 1320.0000000000002 is the
# 1,320.00 Excel shows for =1200*1.1, not a third decimal the filer typed.
_FLOAT_NOISE = Decimal("1e-9")


class SpreadsheetError(ValueError):
    """An upload that is not a workbook this application can read; the message is for the user."""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 0, AA → 26."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def check_xlsx(data: bytes, *, max_uncompressed: int, max_rows: int, max_columns: int) -> None:
    """Refuse what is not an .xlsx workbook, or would take too much memory to parse.

    calamine reads a sheet into a dense grid, so one stray value in cell XFD1048576 would ask for
    billions of cells: the value cells of every worksheet are counted here, streaming, first.
    """
    if not data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(_("文件不是 Excel 工作簿（.xlsx），无法读取。"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise SpreadsheetError(_("文件不是 Excel 工作簿（.xlsx），无法读取。"))
        if sum(info.file_size for info in archive.infolist()) > max_uncompressed:
            raise SpreadsheetError(_("工作簿解压后过大，无法导入；请只保留填报表。"))
        for name in sorted(names):
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as sheet:
                    rows, columns = _value_extent(sheet)
                if rows > max_rows or columns > max_columns:
                    raise SpreadsheetError(
                        _("工作表过大（%(rows)s 行 × %(columns)s 列），超出可导入的范围。")
                        % {"rows": rows, "columns": columns}
                    )
    except (zipfile.BadZipFile, ElementTree.ParseError, EOFError):
        raise SpreadsheetError(_("文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。")) from None


def _value_extent(stream) -> tuple[int, int]:
    """The last row and column (1-based) of the cells that hold a value (``r`` is optional in
    the format: without it a row or cell follows the previous one)."""
    max_row = max_column = row = column = 0
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        if element.tag == f"{_SHEET_ML}row":
            if event == "start":
                row = int(element.get("r") or row + 1)
                column = 0
            else:
                element.clear()
        elif element.tag == f"{_SHEET_ML}c" and event == "end":
            match = _CELL_REF.match(element.get("r", ""))
            column = column_index(match.group(1)) + 1 if match else column + 1
            if len(element):
                max_row, max_column = max(max_row, row), max(max_column, column)
            element.clear()
    return max_row, max_column


def cell_is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """A cell as the text the user typed: 42.0 → "42", "  x " → "x"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _quoted(value: object, limit: int = 40) -> str:
    """A cell's text for a message: long text shortened, so a message stays a message."""
    text = cell_text(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def cell_decimal(value: object) -> Decimal | None:
    """An amount cell as Decimal 万元; None when blank. ValueError (with the user's message) for
    text that is not an amount, a date, or a TRUE/FALSE.

    Text goes through the one money parser, so "1,200.50", "1200.5万元" and "1.2亿元" are read
    as the filer means them.
    """
    if cell_is_blank(value):
        return None
    if isinstance(value, bool | dt.date | dt.time | dt.timedelta):
        raise ValueError(_("“%(value)s”不是数字。") % {"value": _quoted(value)})
    if isinstance(value, int | float):
        if isinstance(value, float) and not (value == value and abs(value) != float("inf")):
            raise ValueError(_("“%(value)s”不是数字。") % {"value": _quoted(value)})
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        try:
            rounded = amount.quantize(CENT)
        except InvalidOperation:  # too large to have cents at all: the service refuses it
            return amount
        return rounded if abs(amount - rounded) < _FLOAT_NOISE else amount
    text = str(value).strip()
    try:
        return parse_money_wan(text)
    except (QuantityError, InvalidOperation):
        raise ValueError(_("“%(value)s”不是数字。") % {"value": _quoted(text)}) from None
