"""The Excel form of the monthly report, in both directions: the layout of the template, its
signed metadata sheet, the writer (XlsxWriter) and the reader (python-calamine).

The template and the annotated workbook come out of the same writer, so an annotated workbook
can be corrected and uploaded again as it is.

The metadata sheet is "very hidden" (Excel offers no way to show it) and carries the format
version, the period, the language of the headers and, for every project row, the report version
the download was made from and a digest of the values it held. It is signed with the secret key:
an upload whose metadata was edited — to move it to another month, or past someone else's edit —
is refused rather than trusted.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.core import signing
from django.utils.crypto import constant_time_compare
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import override as language_override
from python_calamine import CalamineError, CalamineWorkbook

from gongjian.core import formatting
from gongjian.core.money import CENT
from gongjian.core.spreadsheets import SpreadsheetError, cell_is_blank, cell_text, check_xlsx

FORMAT_VERSION = "1"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 5000
# A 5 MB .xlsx of plain values unpacks to well under this; a zip bomb does not.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
TEXT_MAX_LENGTH = 2000
META_SHEET = "_gongjian"
HEADER_ROW = 4  # the Excel row of the column headers, below the title block
FIRST_DATA_ROW = HEADER_ROW + 1
_SIGNING_SALT = "gongjian.reporting.workbook"
_META_KEYS = {
    "format_version": "格式版本",
    "period": "填报期",
    "region": "区域",
    "language": "语言",
    "generated_at": "生成时间",
    "signature": "签名",
}

# Colours of the house style (reporting.css): key cells grey, inputs white, errors red.
_BLUE, _GREY, _DARK_GREY, _RED, _PALE_RED = "#1D4A86", "#F2F4F7", "#E4E7EC", "#C8102E", "#FDECEC"


def main_sheet_name() -> str:
    return _("月度填报")


def errors_sheet_name() -> str:
    return _("错误清单")


@dataclass(frozen=True)
class Column:
    """One column of the template: its header, and the report field it feeds if it is an input."""

    key: str
    label: str | Promise
    short: str | Promise  # how error messages name it
    width: float
    kind: str = "text"  # "text", "wrap" (long text) or "amount" (万元, #,##0.00)
    field: str = ""  # the ProgressReport field of an input column; "" for a locked key column

    @property
    def is_input(self) -> bool:
        return bool(self.field)


COLUMNS: tuple[Column, ...] = (
    Column("code", gettext_lazy("项目编号"), gettext_lazy("项目编号"), 16),
    Column("name", gettext_lazy("项目名称"), gettext_lazy("项目名称"), 34, "wrap"),
    Column("region", gettext_lazy("区域"), gettext_lazy("区域"), 12),
    Column("total", gettext_lazy("总投资（万元）"), gettext_lazy("总投资"), 15, "amount"),
    # The filer's running total: saved and filed reports, not only city-approved ones.
    Column(
        "ytd",
        gettext_lazy("本年累计（含待审核，万元）"),
        gettext_lazy("本年累计"),
        17,
        "amount",
    ),
    Column(
        "since_start",
        gettext_lazy("开工以来累计（万元）"),
        gettext_lazy("开工以来累计"),
        17,
        "amount",
    ),
    Column(
        "amount",
        gettext_lazy("本月完成投资（万元）"),
        gettext_lazy("本月完成投资"),
        18,
        "amount",
        "amount",
    ),
    Column(
        "progress_text",
        gettext_lazy("形象进度"),
        gettext_lazy("形象进度"),
        40,
        "wrap",
        "progress_text",
    ),
    Column(
        "adjustment_note",
        gettext_lazy("调整说明"),
        gettext_lazy("调整说明"),
        28,
        "wrap",
        "adjustment_note",
    ),
    Column("status", gettext_lazy("报告状态"), gettext_lazy("报告状态"), 12),
)
INDEX = {column.key: index for index, column in enumerate(COLUMNS)}
COLUMN_OF_FIELD = {column.field: column for column in COLUMNS if column.field}


def letter(key: str) -> str:
    """The Excel column letter of a column key: "amount" → "G"."""
    return chr(ord("A") + INDEX[key])


def canonical_amount(amount: Decimal | None) -> str:
    """The text an amount is compared by: None → "", 1200.5 → "1200.50"."""
    if amount is None:
        return ""
    if amount.is_finite() and amount == amount.quantize(CENT):
        return f"{amount.quantize(CENT):f}"
    return f"{amount:f}"


def input_digest(amount: Decimal | None, progress_text: str, adjustment_note: str) -> str:
    """A short fingerprint of a row's input cells, to tell the rows a filer changed."""
    text = "\x1f".join([canonical_amount(amount), progress_text.strip(), adjustment_note.strip()])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


# ---------------------------------------------------------------------------------------------
# Metadata


@dataclass(frozen=True)
class MetaRow:
    """A project row of the template as it was downloaded."""

    code: str
    version: int | None  # None: there was no report yet
    digest: str


@dataclass(frozen=True)
class TemplateMeta:
    """What the hidden sheet says about the template it belongs to."""

    format_version: str
    period: str  # YYYY-MM
    region: str  # the region code the template was cut to, or ""
    language: str  # the language of the headers
    generated_at: str
    rows: tuple[MetaRow, ...] = ()

    def _payload(self) -> str:
        return json.dumps(
            [
                self.format_version,
                self.period,
                self.region,
                self.language,
                self.generated_at,
                [[r.code, r.version, r.digest] for r in self.rows],
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def signature(self) -> str:
        return signing.Signer(salt=_SIGNING_SALT).signature(self._payload())

    def cells(self) -> list[list[str]]:
        head = [
            [_META_KEYS["format_version"], self.format_version],
            [_META_KEYS["period"], self.period],
            [_META_KEYS["region"], self.region],
            [_META_KEYS["language"], self.language],
            [_META_KEYS["generated_at"], self.generated_at],
            [_META_KEYS["signature"], self.signature()],
            [],
            ["项目编号", "版本", "原值摘要"],
        ]
        body = [[r.code, "" if r.version is None else str(r.version), r.digest] for r in self.rows]
        return head + body

    @property
    def by_code(self) -> dict[str, MetaRow]:
        return {row.code: row for row in self.rows}

    @classmethod
    def parse(cls, cells: Sequence[Sequence[Any]]) -> TemplateMeta:
        """Read and verify the hidden sheet; SpreadsheetError with the user's message if it is not
        one this application wrote, is of another format version, or was edited."""
        values = {
            cell_text(row[0]): cell_text(row[1]) for row in cells[:6] if len(row) >= 2 and row[0]
        }
        version = values.get(_META_KEYS["format_version"], "")
        if version != FORMAT_VERSION:
            raise SpreadsheetError(
                _("模板格式版本为“%(found)s”，当前为“%(current)s”；请重新下载模板后填写。")
                % {"found": version or "—", "current": FORMAT_VERSION}
            )
        rows = []
        try:
            for row in cells[8:]:
                if not row or cell_is_blank(row[0]):
                    continue
                version_text = cell_text(row[1]) if len(row) > 1 else ""
                rows.append(
                    MetaRow(
                        code=cell_text(row[0]),
                        version=int(version_text) if version_text else None,
                        digest=cell_text(row[2]) if len(row) > 2 else "",
                    )
                )
        except ValueError:
            raise _tampered() from None
        meta = cls(
            format_version=version,
            period=values.get(_META_KEYS["period"], ""),
            region=values.get(_META_KEYS["region"], ""),
            language=values.get(_META_KEYS["language"], ""),
            generated_at=values.get(_META_KEYS["generated_at"], ""),
            rows=tuple(rows),
        )
        if not constant_time_compare(meta.signature(), values.get(_META_KEYS["signature"], "")):
            raise _tampered()
        return meta


def _tampered() -> SpreadsheetError:
    return SpreadsheetError(
        _("模板的隐藏信息已被改动，无法确认它属于哪个填报期；请重新下载模板后填写。")
    )


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class SheetRow:
    """One data row to write: the cell values in column order, and whether the filer may edit
    its input cells. ``formulas`` maps a column index to a formula whose cached value is the one
    in ``values``."""

    values: list[Any]
    editable: bool
    formulas: dict[int, str] = field(default_factory=dict)


class _Formats:
    """The workbook's cell formats, made once each."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self._cache: dict[tuple[str, str], Any] = {}
        self.title = workbook.add_format({"bold": True, "font_size": 16, "valign": "vcenter"})
        self.info = workbook.add_format({"font_color": "#475467", "valign": "vcenter"})
        self.notes = workbook.add_format(
            {"font_color": "#475467", "font_size": 10, "text_wrap": True, "valign": "top"}
        )
        self.header = workbook.add_format(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": _BLUE,
                "border": 1,
                "border_color": "#D0D5DD",
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        )
        self.list_header = workbook.add_format({"bold": True, "bg_color": _DARK_GREY, "border": 1})
        self.link = workbook.add_format({"font_color": _BLUE, "underline": 1})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    def cell(self, kind: str, state: str):
        """``state``: key (locked grey), input (unlocked white), readonly (locked, darker grey),
        error / error_locked (red, unlocked / locked)."""
        key = (kind, state)
        if key not in self._cache:
            spec: dict[str, Any] = {"border": 1, "border_color": "#D0D5DD", "valign": "top"}
            if kind == "amount":
                spec |= {"num_format": formatting.EXCEL_MONEY, "align": "right"}
            if kind == "wrap":
                spec["text_wrap"] = True
            if state == "key":
                spec |= {"bg_color": _GREY, "locked": True, "hidden": True}
            elif state == "input":
                spec |= {"bg_color": "#FFFFFF", "locked": False, "border_color": "#98A2B3"}
            elif state == "readonly":
                spec |= {"bg_color": _DARK_GREY, "font_color": "#667085", "locked": True}
            else:
                spec |= {
                    "bg_color": _PALE_RED,
                    "font_color": _RED,
                    "border": 2,
                    "border_color": _RED,
                    "locked": state == "error_locked",
                }
            self._cache[key] = self.workbook.add_format(spec)
        return self._cache[key]


def _write_value(sheet, row: int, col: int, value: Any, fmt, formula: str | None = None) -> None:
    """Write a value as the type it is; text is always text (never a formula or a number)."""
    if formula is not None:
        sheet.write_formula(row, col, formula, fmt, float(value) if value is not None else 0)
    elif value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value), fmt)
    else:
        sheet.write_string(row, col, cell_text(value) if not isinstance(value, str) else value, fmt)


def write_workbook(
    *,
    title: str,
    info: str,
    notes: str,
    rows: Mapping[int, SheetRow],
    meta_cells: Sequence[Sequence[Any]],
    errors: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """Write the template layout. ``rows`` maps Excel row numbers to rows (an annotated upload
    keeps the row numbers its errors name); ``errors`` are the import's row errors, drawn red
    with a comment each and listed on a sheet of their own."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties({"title": title, "author": _("攻坚 项目攻坚调度平台")})
    formats = _Formats(workbook)
    sheet = workbook.add_worksheet(main_sheet_name())
    last_col = len(COLUMNS) - 1

    sheet.merge_range(0, 0, 0, last_col, title, formats.title)
    sheet.merge_range(1, 0, 1, last_col, info, formats.info)
    sheet.merge_range(2, 0, 2, last_col, notes, formats.notes)
    sheet.set_row(0, 28)
    sheet.set_row(2, 44)
    header = HEADER_ROW - 1
    sheet.set_row(header, 32)
    for index, column in enumerate(COLUMNS):
        sheet.set_column(index, index, column.width)
        sheet.write_string(header, index, str(column.label), formats.header)

    messages: dict[tuple[int, int], list[str]] = {}
    for error in errors:
        if error.get("row") is None:
            continue
        col = INDEX[error["field"]] if error.get("field") else 0
        messages.setdefault((error["row"], col), []).append(error["detail"])

    for excel_row, row in sorted(rows.items()):
        for index, column in enumerate(COLUMNS):
            if column.is_input and row.editable:
                state = "input"
            elif row.editable:
                state = "key"
            else:
                state = "readonly"
            if (excel_row, index) in messages:
                state = "error" if state == "input" else "error_locked"
            value = row.values[index] if index < len(row.values) else None
            _write_value(
                sheet,
                excel_row - 1,
                index,
                value,
                formats.cell(column.kind, state),
                row.formulas.get(index),
            )
    for (excel_row, index), texts in messages.items():
        sheet.write_comment(
            excel_row - 1,
            index,
            "\n".join(texts),
            {"author": _("攻坚"), "x_scale": 3, "y_scale": 1.6, "font_size": 10},
        )

    last_row = max(rows, default=HEADER_ROW) - 1
    if rows:
        _add_validation(sheet, FIRST_DATA_ROW - 1, last_row)
    sheet.autofilter(header, 0, max(last_row, header), last_col)
    sheet.freeze_panes(HEADER_ROW, 2)
    sheet.protect(
        "",
        {
            "format_columns": True,
            "format_rows": True,
            "autofilter": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header)

    if errors:
        _write_error_list(workbook, formats, errors)

    meta = workbook.add_worksheet(META_SHEET)
    for r, cells in enumerate(meta_cells):
        for c, value in enumerate(cells):
            meta.write_string(r, c, cell_text(value))
    meta.protect()
    meta.very_hidden()
    workbook.close()
    return output.getvalue()


def _prompt_title(column: Column) -> str:
    """Excel shows at most 32 characters of a prompt title (XlsxWriter drops a longer one)."""
    label = str(column.label)
    return label if len(label) <= 32 else str(column.short)[:32]


def _add_validation(sheet, first: int, last: int) -> None:
    amount = INDEX["amount"]
    sheet.data_validation(
        first,
        amount,
        last,
        amount,
        {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "input_title": _prompt_title(COLUMNS[amount]),
            "input_message": _(
                "填写本月完成的投资额，单位万元，最多两位小数，如 1200.50；本月没有投资填 0。"
            ),
            "error_title": _("金额无效"),
            "error_message": _("本月完成投资须为不小于 0 的数字（单位：万元），不能填写文字。"),
            "error_type": "stop",
        },
    )
    for key, message in (
        (
            "progress_text",
            _("简要写明本月工程形象进度，如“主体结构封顶”；填报了投资额时必填。"),
        ),
        (
            "adjustment_note",
            _("开工以来累计完成投资超过总投资时必填，说明原因（如总投资已调增）。"),
        ),
    ):
        index = INDEX[key]
        label = str(COLUMNS[index].label)
        sheet.data_validation(
            first,
            index,
            last,
            index,
            {
                "validate": "length",
                "criteria": "<=",
                "value": TEXT_MAX_LENGTH,
                "input_title": _prompt_title(COLUMNS[index]),
                "input_message": _("%(message)s不超过 %(limit)s 字。")
                % {"message": message, "limit": TEXT_MAX_LENGTH},
                "error_title": _("内容过长"),
                "error_message": _("%(label)s不能超过 %(limit)s 字。")
                % {"label": label, "limit": TEXT_MAX_LENGTH},
                "error_type": "stop",
            },
        )


def _write_error_list(workbook, formats: _Formats, errors: Sequence[Mapping[str, Any]]) -> None:
    sheet = workbook.add_worksheet(errors_sheet_name())
    headers = [_("行号"), _("列"), _("项目编号"), _("错误说明")]
    for index, (text, width) in enumerate(zip(headers, (8, 8, 16, 100), strict=True)):
        sheet.write_string(0, index, text, formats.list_header)
        sheet.set_column(index, index, width)
    main = main_sheet_name()
    for offset, error in enumerate(errors, start=1):
        if error.get("row") is not None:
            sheet.write_number(offset, 0, error["row"])
            column = error.get("column") or "A"
            sheet.write_url(
                offset,
                1,
                f"internal:'{main}'!{column}{error['row']}",
                formats.link,
                string=error.get("column") or "",
            )
        sheet.write_string(offset, 2, error.get("code") or "")
        sheet.write_string(offset, 3, error["message"], formats.wrap)
    sheet.freeze_panes(1, 0)
    sheet.activate()


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class UploadedWorkbook:
    """An upload that passed the structural checks: its verified metadata and its data rows."""

    meta: TemplateMeta
    meta_cells: list[list[Any]]
    # (Excel row number, one raw value per column) for every data row with any value in it.
    rows: list[tuple[int, list[Any]]]


def read_workbook(data: bytes) -> UploadedWorkbook:
    """Parse an uploaded template; SpreadsheetError (the message is for the user) when it is not
    an .xlsx, is too large, is not our template, was tampered with or has too many rows."""
    check_xlsx(
        data,
        max_uncompressed=MAX_UNCOMPRESSED_BYTES,
        # The main sheet is limited below; this bound is only against absurd sheets (an
        # annotated workbook's error list can be longer than its data).
        max_rows=MAX_DATA_ROWS * 5 + 100,
        max_columns=64,
    )
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if META_SHEET not in workbook.sheet_names:
            raise SpreadsheetError(
                _(
                    "该文件不是本系统下载的填报模板（缺少模板信息）；"
                    "请先下载模板，在模板中填写后再上传。"
                )
            )
        meta_cells = workbook.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False)
        meta = TemplateMeta.parse(meta_cells)
        with language_override(meta.language or None):
            sheet_name = main_sheet_name()
            labels = [str(column.label) for column in COLUMNS]
        if sheet_name not in workbook.sheet_names:
            raise SpreadsheetError(
                _("找不到工作表“%(name)s”；请勿重命名或删除模板中的工作表。") % {"name": sheet_name}
            )
        cells = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError) as error:
        if isinstance(error, SpreadsheetError):
            raise
        raise SpreadsheetError(_("文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。")) from None
    _check_header(cells, labels)
    width = len(COLUMNS)
    rows = []
    for index in range(FIRST_DATA_ROW - 1, len(cells)):
        values = (list(cells[index][:width]) + [""] * width)[:width]
        if all(cell_is_blank(value) for value in values):
            continue
        rows.append((index + 1, values))
    if len(rows) > MAX_DATA_ROWS:
        raise SpreadsheetError(
            _("工作表有 %(count)s 行数据，超过每次 %(limit)s 行的上限；请分批导入。")
            % {"count": len(rows), "limit": MAX_DATA_ROWS}
        )
    return UploadedWorkbook(meta=meta, meta_cells=[list(row) for row in meta_cells], rows=rows)


def _check_header(cells: Sequence[Sequence[Any]], labels: Sequence[str]) -> None:
    found = list(cells[HEADER_ROW - 1]) if len(cells) >= HEADER_ROW else []
    found += [""] * (len(labels) - len(found))
    changed = [
        _("%(column)s 列应为“%(expected)s”，实为“%(found)s”")
        % {"column": chr(ord("A") + index), "expected": expected, "found": cell_text(actual)}
        for index, (expected, actual) in enumerate(zip(labels, found, strict=False))
        if cell_text(actual) != expected
    ]
    if changed:
        raise SpreadsheetError(
            _("第 %(row)s 行的表头已被改动（%(changes)s）；请勿修改表头，或重新下载模板。")
            % {"row": HEADER_ROW, "changes": "；".join(changed)}
        )
