"""Excel into the enterprise registry: the statistics bureau's 规上 roster (or our own export)
becomes enterprises through the same services as the pages, all or nothing.

Every row is checked first — cells by row and column, duplicate credit codes in the file, the
reader's rights — and every refusal is collected; then all rows are written in one transaction
through ``enterprises_save_many``, the set-based form of ``enterprise_create`` /
``enterprise_update`` (the same checks, spells and audit events, in a number of queries that
does not grow with the rows), and one error anywhere writes nothing. With ``update_existing`` a
row whose 统一社会信用代码 is registered updates that enterprise (changes of park or flag become
dated spells, dated by the row's own dates or else by ``effective_on``); without it such a row is
an error.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from gongjian.audit.services import audit_denied
from gongjian.core.spreadsheets import (
    SpreadsheetError,
    cell_decimal,
    cell_is_blank,
    cell_text,
    check_xlsx,
    column_letter,
)
from gongjian.core.uscc import uscc_normalise
from gongjian.parks.choices import OperatingStatus
from gongjian.parks.exports import write_roster
from gongjian.parks.models import Enterprise
from gongjian.parks.services import EnterpriseInput, EnterpriseWrite, enterprises_save_many
from gongjian.parks.workbook import COLUMNS, HEADER_ROW, INDEX, MAX_ROWS
from gongjian.regions.models import Region

# progress(phase, done, total), phase in "read", "validate", "save": for a background job's bar.
Progress = Callable[[str, int, int], None]
# Rows between two progress calls while rows are looped.
PROGRESS_EVERY = 200

_TRUE = {"是", "Y", "YES", "TRUE", "1", "规上"}
_FALSE = {"否", "N", "NO", "FALSE", "0", "规下", ""}


@dataclass(frozen=True)
class RowError:
    row: int | None  # Excel row; None: the file as a whole
    column: str  # letter, or "" for the row
    message: str


@dataclass
class RosterImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    annotated: bytes | None = None  # the upload with an error column, when there are errors

    @property
    def ok(self) -> bool:
        return not self.errors


def _message(row: int, key: str, detail: str) -> RowError:
    if not key:
        return RowError(row, "", _("第 %(row)s 行：%(detail)s") % {"row": row, "detail": detail})
    letter = column_letter(INDEX[key])
    return RowError(
        row,
        letter,
        _("第 %(row)s 行 %(column)s 列（%(label)s）：%(detail)s")
        % {"row": row, "column": letter, "label": COLUMNS[INDEX[key]].label, "detail": detail},
    )


def _date(value: Any) -> dt.date | None:
    if cell_is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("“%(value)s”不是日期，请填写如 2022-03-15。") % {"value": cell_text(value)}
        ) from None


def _flag(value: Any) -> bool:
    text = cell_text(value).upper()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("“%(value)s”应为“是”或“否”。") % {"value": cell_text(value)})


def _spellings(label: Any) -> set[str]:
    """A label as every interface language writes it: a workbook exported by a user in Chinese
    is imported by a colleague who reads English, and the other way round."""
    spellings = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            spellings.add(str(label))
    return spellings


def _status(value: Any) -> str:
    text = cell_text(value)
    if not text:
        return OperatingStatus.OPERATING
    for status in OperatingStatus:
        if text == status.value or text in _spellings(status.label):
            return status.value
    raise ValueError(_("“%(value)s”不是经营状态（在营、停产、注销）。") % {"value": text})


def _region_code(value: Any, regions: dict[str, str]) -> str:
    text = cell_text(value)
    return regions.get(text, text)


def _read(data: bytes) -> list[tuple[int, list[Any]]]:
    check_xlsx(data, max_uncompressed=100 * 1024 * 1024, max_rows=MAX_ROWS + 10, max_columns=64)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        cells = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError):
        raise SpreadsheetError(_("文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。")) from None
    labels = [str(column.label) for column in COLUMNS]
    found = [cell_text(value) for value in (cells[0] if cells else [])][: len(labels)]
    found += [""] * (len(labels) - len(found))
    changed = [
        _("%(column)s 列应为“%(expected)s”，实为“%(found)s”")
        % {"column": column_letter(index), "expected": expected, "found": actual}
        for index, (column, expected, actual) in enumerate(zip(COLUMNS, labels, found, strict=True))
        if actual not in _spellings(column.label)
    ]
    if changed:
        raise SpreadsheetError(
            _("第 %(row)s 行的表头与企业名录模板不符（%(changes)s）；请先导出名录或下载模板。")
            % {"row": HEADER_ROW, "changes": "；".join(changed)}
        )
    width = len(COLUMNS)
    rows = []
    for index in range(HEADER_ROW, len(cells)):
        values = (list(cells[index][:width]) + [""] * width)[:width]
        if not all(cell_is_blank(value) for value in values):
            rows.append((index + 1, values))
    if len(rows) > MAX_ROWS:
        raise SpreadsheetError(
            _("工作表有 %(count)s 行数据，超过每次 %(limit)s 行的上限；请分批导入。")
            % {"count": len(rows), "limit": MAX_ROWS}
        )
    return rows


def _parse(row: int, values: list[Any], regions: dict[str, str], errors: list[RowError]):
    """The row as an EnterpriseInput, or None with its cell errors appended."""
    found = len(errors)

    def cell(key: str, convert):
        try:
            return convert(values[INDEX[key]])
        except ValueError as problem:
            errors.append(_message(row, key, str(problem)))
            return None

    data = EnterpriseInput(
        uscc=cell_text(values[INDEX["uscc"]]),
        name=cell_text(values[INDEX["name"]]),
        region_code=_region_code(values[INDEX["region"]], regions),
        park_code=cell_text(values[INDEX["park"]]),
        is_above_scale=bool(cell("is_above_scale", _flag)),
        above_scale_since=cell("above_scale_since", _date),
        entered_park_on=cell("entered_park_on", _date),
        industry_chain_code=cell_text(values[INDEX["industry_chain"]]),
        industrial_land_mu=cell("industrial_land_mu", cell_decimal),
        output_value=cell("output_value", cell_decimal),
        tax_paid=cell("tax_paid", cell_decimal),
        production_started_on=cell("production_started_on", _date),
        established_on=cell("established_on", _date),
        operating_status=cell("operating_status", _status) or OperatingStatus.OPERATING,
    )
    return data if len(errors) == found else None


_FIELD_KEYS = {
    "uscc": "uscc",
    "name": "name",
    "region": "region",
    "park": "park",
    "is_above_scale": "is_above_scale",
    "above_scale_since": "above_scale_since",
    "entered_park_on": "entered_park_on",
    "effective_on": "",
    "industry_chain": "industry_chain",
    "industrial_land_mu": "industrial_land_mu",
    "output_value": "output_value",
    "tax_paid": "tax_paid",
    "production_started_on": "production_started_on",
    "established_on": "established_on",
    "operating_status": "operating_status",
}


def _refusal(row: int, refusal: ValidationError) -> list[RowError]:
    if hasattr(refusal, "error_dict"):
        return [
            _message(row, _FIELD_KEYS.get(name, ""), message)
            for name, messages in refusal.message_dict.items()
            for message in messages
        ]
    return [_message(row, "", message) for message in refusal.messages]


def _unchanged(enterprise: Enterprise, data: EnterpriseInput) -> bool:
    """Whether ``data`` says nothing new about ``enterprise`` (a blank date claims nothing)."""
    land = data.industrial_land_mu
    return (
        enterprise.name == data.name.strip()
        and enterprise.region.code == data.region_code.strip()
        and (enterprise.park.code if enterprise.park else "") == data.park_code.strip()
        and enterprise.is_above_scale == data.is_above_scale
        and data.above_scale_since in (None, enterprise.above_scale_since)
        and data.entered_park_on in (None, enterprise.entered_park_on)
        and (enterprise.industry_chain.code if enterprise.industry_chain else "")
        == data.industry_chain_code.strip()
        and enterprise.industrial_land_mu
        == (None if land is None else land.quantize(Decimal("0.01")))
        and enterprise.output_value == data.output_value
        and enterprise.tax_paid == data.tax_paid
        and enterprise.production_started_on == data.production_started_on
        and enterprise.established_on == data.established_on
        and enterprise.operating_status == data.operating_status
    )


def roster_import(
    *,
    actor,
    data: bytes,
    update_existing: bool = False,
    effective_on: dt.date | None = None,
    progress: Progress | None = None,
) -> RosterImportResult:
    """Import a roster workbook (see the module docstring); nothing is written unless every row
    passes. ``progress(phase, done, total)`` is told how far it is, phase "read", "validate" or
    "save"."""

    def tell(phase: str, done: int, total: int) -> None:
        if progress is not None:
            progress(phase, done, total)

    result = RosterImportResult()
    tell("read", 0, 0)
    try:
        rows = _read(data)
    except SpreadsheetError as error:
        result.errors.append(RowError(None, "", str(error)))
        return result
    total = len(rows)
    tell("read", total, total)
    regions = {
        name: code
        for code, name, short in Region.objects.values_list("code", "name", "short_name")
        for name in (name, short)
        if name
    }
    errors = result.errors
    parsed: list[tuple[int, EnterpriseInput]] = []
    first: dict[str, int] = {}
    tell("validate", 0, total)
    for done, (row, values) in enumerate(rows, start=1):
        if done % PROGRESS_EVERY == 0:
            tell("validate", done, total)
        item = _parse(row, values, regions, errors)
        if item is None:
            continue
        code = uscc_normalise(item.uscc)
        if code and code in first:
            errors.append(
                _message(
                    row,
                    "uscc",
                    _("统一社会信用代码“%(code)s”与第 %(first)s 行重复。")
                    % {"code": code, "first": first[code]},
                )
            )
            continue
        first[code] = row
        parsed.append((row, item))

    existing = {
        e.uscc: e
        for e in Enterprise.objects.filter(uscc__in=list(first)).select_related(
            "region", "park", "industry_chain"
        )
    }
    visible = set(
        Enterprise.objects.visible_to(actor)
        .filter(uscc__in=list(existing))
        .values_list("uscc", flat=True)
    )
    plans: list[EnterpriseWrite] = []
    for row, item in parsed:
        current = existing.get(uscc_normalise(item.uscc))
        if current is None:
            plans.append(EnterpriseWrite(key=row, data=item))
            continue
        if not update_existing:
            errors.append(
                _message(
                    row,
                    "uscc",
                    _(
                        "统一社会信用代码“%(code)s”已登记；如需更新已有企业，请选择“按统一社会信用代码更新”。"
                    )
                    % {"code": current.uscc},
                )
            )
        elif current.uscc not in visible:
            # Not said whose it is: it lies outside the reader's regions.
            audit_denied(
                actor=actor,
                obj=current,
                message=_("导入的名录含有范围之外的企业“%(code)s”，已拒绝。")
                % {"code": current.uscc},
            )
            errors.append(
                _message(
                    row,
                    "uscc",
                    _("统一社会信用代码“%(code)s”已由您的范围之外的单位登记。")
                    % {"code": current.uscc},
                )
            )
        elif _unchanged(current, item):
            result.unchanged += 1
        else:
            plans.append(EnterpriseWrite(key=row, data=item, enterprise=current))
    tell("validate", total, total)

    tell("save", 0, len(plans))
    # Refused attempts are audited by the service; nothing else is written when any row fails.
    refusals = enterprises_save_many(
        actor=actor, items=plans, effective_on=effective_on, check_only=bool(errors)
    )
    for row, refusal in refusals.items():
        if isinstance(refusal, ValidationError):
            errors.extend(_refusal(row, refusal))
        else:
            errors.append(_message(row, "", str(refusal)))
    if not errors:
        result.created = sum(1 for plan in plans if plan.enterprise is None)
        result.updated = len(plans) - result.created
    tell("save", len(plans), len(plans))
    if errors:
        result.created = result.updated = result.unchanged = 0
        errors.sort(key=lambda e: (e.row or 0, e.column))
        notes: dict[int, list[str]] = {}
        index = {row: offset for offset, (row, _values) in enumerate(rows)}
        for problem in errors:
            if problem.row in index:
                notes.setdefault(index[problem.row], []).append(problem.message)
        result.annotated = write_roster([values for _row, values in rows], notes=notes)
    return result
