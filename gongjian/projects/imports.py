"""Import of a yearly key-project list (年度重点项目清单) as published: .xlsx, .xls or .csv.

Published lists are not our template. The reader finds the header row by its words
(项目名称, 总投资…), joins a two-row merged header ("2022年工作计划" over "投资"), reads the
money unit from a header ("总投资（亿元）"), a unit line ("单位：亿元") or the cell
("1.2亿元"), and recognises the rows that are not projects: 合计/小计, section headings
("一、产业项目（18个）", which also give the sector or class of the rows below), notes
("注：★为省重点项目", which also say what a marker means), and sub-items of a project
("其中：", "1.1", "（1）"). Markers on a name (★ ▲ ※) are kept as flags, not in the name.

Every row is checked by the same service validation as the project form (``ProjectBatch`` and
``PlanBatch``, the set-based forms of ``project_create``/``project_update`` and
``annual_plan_set``); an import with any error writes nothing (all-or-nothing) and answers the
errors by row and column, with an annotated copy of the table. The number of queries does not
grow with the rows: references and existing rows are read at once, and everything is written
in a few bulk statements in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_record
from gongjian.core.money import CENT, QuantityError, parse_money_wan
from gongjian.core.periods import today
from gongjian.core.spreadsheets import cell_is_blank, column_letter
from gongjian.projects.choices import NAME_MARKERS, ProjectClass, ProjectLevel
from gongjian.projects.models import Category, IndustryChain, Project, Sector
from gongjian.projects.services import (
    ProjectBatch,
    ProjectInput,
    national_code_normalise,
    project_input_from,
)
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region

# progress(phase, done, total), phase in "read", "validate", "save": for a background job's bar.
Progress = Callable[[str, int, int], None]
# Rows between two progress calls while rows are looped.
PROGRESS_EVERY = 200

DEFAULT_CATEGORY = "key-construction"
MAX_ROWS = 20000  # project rows; the sheet may have the header lines above them besides
_HEADER_LINES = 30  # find_header looks for the header in the first 30 lines
MAX_BYTES = 20 * 1024 * 1024

# Column keys and the header words that name them, most specific first. A header cell is matched
# by the first key one of whose words it contains (after the two header rows are joined).
COLUMN_SYNONYMS: list[tuple[str, tuple[str, ...]]] = [
    ("seq", ("序号",)),
    (
        "national_code",
        ("全国投资项目代码", "投资项目代码", "项目赋码", "统一项目代码", "审批监管平台"),
    ),
    ("owner_uscc", ("统一社会信用代码", "信用代码")),
    ("code", ("项目编号", "项目代码", "台账编号")),
    ("name", ("项目名称",)),
    ("region", ("所在地", "县（市、区）", "县(市、区)", "县市区", "所属地区", "所属区域", "属地")),
    ("responsible_unit", ("责任单位", "牵头单位", "责任部门")),
    ("responsible_person", ("责任人", "联系人")),
    ("responsible_phone", ("联系电话", "电话", "手机")),
    ("owner", ("业主单位", "项目业主", "建设单位", "业主")),
    ("scale", ("建设规模及内容", "建设规模及主要内容", "建设内容", "建设规模")),
    ("years", ("建设起止年限", "起止年限", "建设年限", "建设期限")),
    ("total", ("总投资",)),
    ("plan", ("年度计划投资", "计划投资", "计划完成投资", "年计划")),
    ("start_month", ("计划开工", "开工时间", "开工年月")),
    ("completion_month", ("计划竣工", "计划投产", "竣工时间", "投产时间", "建成时间")),
    ("level", ("项目级别", "级别", "重点类别")),
    ("project_class", ("建设性质", "项目性质", "项目类型", "续建/新开工")),
    ("sector", ("行业领域", "行业类别", "所属行业", "领域", "行业")),
    ("category", ("台账类别",)),
    ("industry_chain", ("产业链",)),
    ("location", ("经纬度", "坐标")),
    ("progress", ("形象进度",)),
    ("remarks", ("备注",)),
]
_MONEY_COLUMNS = ("total", "plan")
_HEADER_WORDS = ("项目名称",)

_CLASS_WORDS = [
    (ProjectClass.PREPARATORY, ("预备", "前期")),
    (ProjectClass.COMPLETING, ("竣工投产", "竣工", "投产", "建成")),
    (ProjectClass.NEW, ("新开工", "新建", "开工")),
    (ProjectClass.CONTINUING, ("续建", "在建")),
]
_LEVEL_WORDS = [
    (ProjectLevel.PROVINCIAL, ("省",)),
    (ProjectLevel.CITY, ("市",)),
    (ProjectLevel.COUNTY, ("县", "区级")),
]
_UNIT_FACTORS = {"亿元": Decimal(10000), "万元": Decimal(1), "元": Decimal("0.0001")}

_TOTAL_ROW = re.compile(r"^(合\s*计|总\s*计|小\s*计|共\s*计)")
_SECTION = re.compile(r"^([一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[）)])")
_SUB_ITEM_SEQ = re.compile(r"^(\d+[.．]\d+|[（(]\d+[）)]|[①-⑳])$")
_SUB_ITEM_NAME = re.compile(r"^(其中[:：]|[—－-]{1,2}\s*|[①-⑳]|[（(]\d+[）)])")
_NOTE = re.compile(r"^(注[:：]|备注[:：]|说明[:：]|填报说明|填表|制表|审核人|附[:：]|单位[:：])")
_UNIT_LINE = re.compile(r"单位[:：]\s*(亿元|万元|元)")
_MARKER_MEANING = re.compile(r"([★▲※☆△●◆])\s*(?:为|表示|代表|系)?\s*(省|市|县)(?:级)?重点")
_YEAR = re.compile(r"(19|20)\d{2}")


class ProjectListError(ValueError):
    """A file that cannot be read as a project list; the message is for the user."""


@dataclass
class Column:
    index: int
    key: str
    label: str
    unit: str = ""  # for money columns: the unit the header names ("" when none)


@dataclass
class ParsedRow:
    row: int  # 1-based row number in the sheet
    data: ProjectInput
    plan: Decimal | None
    cells: dict[str, Any]


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    total_investment: Decimal = Decimal(0)
    plan_investment: Decimal = Decimal(0)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "errors": self.errors,
            "total_investment": str(self.total_investment.quantize(CENT)),
            "plan_investment": str(self.plan_investment.quantize(CENT)),
            "warnings": self.warnings,
        }


# ---------------------------------------------------------------------------------------------
# Reading the grid


def _text(value: Any) -> str:
    """A cell as normalised text: full-width digits and brackets folded (NFKC) except the
    Chinese brackets and punctuation the synonyms are written with."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    text = str(value)
    folded = "".join(
        ch if ch in "（）：、，；" else unicodedata.normalize("NFKC", ch) for ch in text
    )
    return re.sub(r"\s+", " ", folded).strip()


def _plain(value: Any) -> str:
    """Free text (names, 建设内容) as typed: only surrounding blanks removed."""
    return (
        ""
        if cell_is_blank(value)
        else _text(value)
        if not isinstance(value, str)
        else (value.strip())
    )


def _compact(text: str) -> str:
    return re.sub(r"[\s\n]+", "", text)


def read_grid(data: bytes, filename: str) -> list[list[Any]]:
    """The first sheet of an .xlsx/.xls (calamine) or a .csv (UTF-8 or GB18030) as rows."""
    if len(data) > MAX_BYTES:
        raise ProjectListError(_("文件超过 20 MB，无法导入；请分批导入。"))
    name = filename.lower()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ProjectListError(_("CSV 文件编码无法识别（请用 UTF-8 或 GBK）。"))
        return [list(row) for row in csv.reader(io.StringIO(text))]
    if not name.endswith((".xlsx", ".xls", ".xlsm")):
        raise ProjectListError(_("只能导入 .xlsx、.xls 或 .csv 文件。"))
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        if sheet.total_height > MAX_ROWS + _HEADER_LINES or sheet.total_width > 200:
            raise ProjectListError(
                _("工作表过大（%(rows)s 行 × %(columns)s 列），超出可导入的范围。")
                % {"rows": sheet.total_height, "columns": sheet.total_width}
            )
        return [list(row) for row in sheet.to_python(skip_empty_area=False)]
    except (CalamineError, OSError, ValueError) as error:
        if isinstance(error, ProjectListError):
            raise
        raise ProjectListError(_("文件已损坏或不是 Excel 工作簿，无法读取。")) from None


def _match_key(label: str) -> str:
    compact = _compact(label)
    for key, words in COLUMN_SYNONYMS:
        if any(word in compact for word in words):
            return key
    return ""


def _unit_in(text: str) -> str:
    for unit in ("亿元", "万元"):
        if unit in text:
            return unit
    if re.search(r"[（(]\s*元\s*[）)]", text):
        return "元"
    return ""


def find_header(grid: list[list[Any]]) -> tuple[int, int, list[Column], str]:
    """(first header row index, first data row index, columns, unit of a "单位：" line)."""
    sheet_unit = ""
    for index, row in enumerate(grid[:_HEADER_LINES]):
        texts = [_text(cell) for cell in row]
        joined = "".join(texts)
        unit_line = _UNIT_LINE.search(joined)
        if unit_line and not any(word in joined for word in _HEADER_WORDS):
            sheet_unit = unit_line.group(1)
            continue
        if not any(word in _compact(text) for text in texts for word in _HEADER_WORDS):
            continue
        header = index
        top = texts
        below = [_text(cell) for cell in grid[index + 1]] if index + 1 < len(grid) else []
        # A second header row: words in it, and nothing that looks like a project row's name.
        two_rows = bool(below) and _is_sub_header(top, below)
        width = max(len(top), len(below))
        top += [""] * (width - len(top))
        below += [""] * (width - len(below))
        columns: list[Column] = []
        group = ""
        for col in range(width):
            # A merged cell keeps its text in its first column only: carry it across the
            # columns the second row splits it into.
            if top[col]:
                group = top[col]
            label = top[col]
            if two_rows and below[col]:
                label = f"{group}{below[col]}" if not top[col] else f"{top[col]}{below[col]}"
            elif two_rows and not top[col]:
                label = ""
            if not label:
                continue
            key = _match_key(label)
            if two_rows and not key and below[col]:
                key = _group_key(group, below[col])
            if key:
                columns.append(Column(col, key, label, _unit_in(label)))
        first_data = header + (2 if two_rows else 1)
        seen: set[str] = set()
        unique: list[Column] = []
        for column in columns:
            if column.key not in seen:
                seen.add(column.key)
                unique.append(column)
        return header, first_data, unique, sheet_unit
    raise ProjectListError(_("找不到表头：前 30 行中没有“项目名称”列。"))


def _group_key(group: str, sub: str) -> str:
    """A column under a merged group header: "2022年工作计划" over "投资" is the year's plan."""
    compact = _compact(group + sub)
    if ("计划" in compact or "年度" in compact) and "投资" in _compact(sub):
        return "plan"
    if "形象进度" in compact or "主要形象" in compact:
        return "progress"
    if "开工" in _compact(sub):
        return "start_month"
    if "竣工" in _compact(sub) or "投产" in _compact(sub):
        return "completion_month"
    return ""


def _is_sub_header(top: list[str], below: list[str]) -> bool:
    words = [text for text in below if text]
    if not words:
        return False
    if any(re.fullmatch(r"[\d.,\-]+", text) for text in words):
        return False
    # Blanks in the top row over text in the second: a merged group split into sub-columns.
    gaps = sum(1 for col, text in enumerate(below) if text and col < len(top) and not top[col])
    return gaps > 0 or any(_match_key(text) for text in words)


# ---------------------------------------------------------------------------------------------
# Values


def _money(value: Any, unit: str) -> Decimal | None:
    """An amount in 万元 from a cell, with the column's unit when the cell names none."""
    if cell_is_blank(value):
        return None
    if isinstance(value, bool | dt.date):
        raise ValueError(_("“%(value)s”不是金额。") % {"value": _text(value)})
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return (number * _UNIT_FACTORS.get(unit or "万元", Decimal(1))).quantize(CENT)
    text = _text(value).replace("，", ",")
    if text in ("-", "—", "/", "无"):
        return None
    if _unit_in(text) or text.endswith("元"):
        try:
            return parse_money_wan(text).quantize(CENT)
        except (QuantityError, ArithmeticError):
            raise ValueError(_("“%(value)s”不是金额。") % {"value": text}) from None
    try:
        number = Decimal(text.replace(",", ""))
    except ArithmeticError:
        raise ValueError(_("“%(value)s”不是金额。") % {"value": text}) from None
    if not number.is_finite():
        raise ValueError(_("“%(value)s”不是金额。") % {"value": text})
    return (number * _UNIT_FACTORS.get(unit or "万元", Decimal(1))).quantize(CENT)


def parse_years(value: Any) -> tuple[int | None, int | None]:
    """ "2022", "2022-2024", "2022—2024", "2022年-2024年", "2022.3-2024.12" → (start, end)."""
    text = _text(value)
    if not text:
        return None, None
    years = [int(match.group(0)) for match in _YEAR.finditer(text)]
    if not years:
        raise ValueError(_("“%(value)s”不是建设起止年限（如 2022-2024）。") % {"value": text})
    return years[0], years[-1]


def parse_month(value: Any, year: int) -> dt.date | None:
    """ "2022年3月", "2022.03", "2022-3", "3月" (of ``year``), an Excel date → first of month."""
    if cell_is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if isinstance(value, float | int):
        # "2022.03" typed as a number, or a bare month 1-12.
        text = f"{value:.2f}" if isinstance(value, float) else str(value)
    else:
        text = _text(value)
    if text in ("-", "—", "/", "已开工", "已竣工"):
        return None
    match = re.search(r"((?:19|20)\d{2})\s*[年.\-/]\s*(\d{1,2})", text)
    if match:
        month = int(match.group(2))
        if 1 <= month <= 12:
            return dt.date(int(match.group(1)), month, 1)
    match = re.fullmatch(r"(\d{1,2})\s*月?(份)?", text)
    if match and 1 <= int(match.group(1)) <= 12:
        return dt.date(year, int(match.group(1)), 1)
    raise ValueError(_("“%(value)s”不是月份（如 2022年3月、2022.03）。") % {"value": text})


def split_markers(name: str) -> tuple[str, str]:
    """(name without markers, the markers in order): "★▲跨海大桥" → ("跨海大桥", "★▲")."""
    markers = "".join(ch for ch in name if ch in NAME_MARKERS)
    clean = "".join(ch for ch in name if ch not in NAME_MARKERS).strip()
    return clean, "".join(dict.fromkeys(markers))


def _class_of(text: str) -> str:
    compact = _compact(text)
    for value, words in _CLASS_WORDS:
        if any(word in compact for word in words):
            return str(value)
    return ""


def _levels_of(text: str) -> tuple[str, ...]:
    compact = _compact(text)
    if not compact or compact in ("无", "-", "—"):
        return ()
    levels = [str(level) for level, words in _LEVEL_WORDS if any(w in compact for w in words)]
    return tuple(levels)


class RegionMatcher:
    """Region names as published lists write them: 晋江, 晋江市, 泉州台商投资区, 台商区, a code."""

    def __init__(self) -> None:
        self.by_name: dict[str, Region] = {}
        regions = Region.objects.filter(kind__in=(RegionKind.COUNTY, RegionKind.ZONE))
        for region in regions:
            for alias in self._aliases(region.name):
                self.by_name.setdefault(alias, region)
            self.by_name[region.code] = region

    @staticmethod
    def _aliases(name: str) -> list[str]:
        aliases = [name]
        bare = name.removeprefix("泉州")
        aliases.append(bare)
        for suffix in ("投资区", "开发区", "市", "县", "区"):
            if bare.endswith(suffix) and len(bare) > len(suffix) + 1:
                aliases.append(bare[: -len(suffix)])
        if bare.endswith("投资区"):
            aliases.append(bare.replace("投资区", "区"))
        if "经济技术开发区" in bare:
            aliases += ["经开区", "泉州经开区"]
        return aliases

    def match(self, text: str) -> Region | None:
        compact = _compact(text)
        return self.by_name.get(compact) or self.by_name.get(compact.removeprefix("泉州"))


def _sector_of(text: str, sectors: dict[str, Sector]) -> Sector | None:
    compact = _compact(text)
    for name, sector in sectors.items():
        if name and name in compact:
            return sector
    return None


# ---------------------------------------------------------------------------------------------
# Parsing the rows


@dataclass
class _Context:
    year: int
    region: Region | None
    sectors: dict[str, Sector]
    regions: RegionMatcher
    section_sector: Sector | None = None
    section_class: str = ""
    marker_levels: dict[str, str] = field(default_factory=dict)
    list_level: str = ""
    # Names of categories and industry chains (as the ledger export writes them) → codes.
    categories: dict[str, str] = field(default_factory=dict)
    chains: dict[str, str] = field(default_factory=dict)


def parse_rows(
    grid: list[list[Any]], *, year: int, region: Region | None, result: ImportResult
) -> tuple[list[ParsedRow], dict[str, Column]]:
    """The project rows of ``grid``; skipped rows, warnings and errors go into ``result``."""
    _header, first_data, columns, sheet_unit = find_header(grid)
    by_key = {column.key: column for column in columns}
    if "total" not in by_key:
        raise ProjectListError(_("找不到“总投资”列。"))
    for key in _MONEY_COLUMNS:
        column = by_key.get(key)
        if column is None:
            continue
        if not column.unit:
            column.unit = sheet_unit
        if not column.unit:
            result.warnings.append(
                _("“%(label)s”列未注明单位，按万元计（如为亿元或元，请在表头注明）。")
                % {"label": column.label}
            )
    if "plan" not in by_key:
        result.warnings.append(_("找不到年度计划投资列：未导入年度计划。"))
    if "region" not in by_key and region is None:
        raise ProjectListError(_("表中没有“所在地/县（市、区）”列，请用 --region 指定区域。"))

    sectors = {sector.name: sector for sector in Sector.objects.filter(is_active=True)}
    context = _Context(year=year, region=region, sectors=sectors, regions=RegionMatcher())
    context.categories = dict(Category.objects.values_list("name", "code"))
    context.chains = dict(IndustryChain.objects.values_list("name", "code"))
    # The title says which list this is: "泉州市2022年市重点项目清单" puts every row on it.
    title = "".join(_text(cell) for row in grid[:_header] for cell in row)
    title_level = re.search(r"(省|市|县|区)(?:级)?重点", title)
    if title_level:
        context.list_level = str(
            {"省": ProjectLevel.PROVINCIAL, "市": ProjectLevel.CITY}.get(
                title_level.group(1), ProjectLevel.COUNTY
            )
        )
    # Notes anywhere in the sheet may say what a marker means ("★为省重点项目").
    for row in grid:
        for meaning in _MARKER_MEANING.finditer("".join(_text(cell) for cell in row)):
            level = {"省": ProjectLevel.PROVINCIAL, "市": ProjectLevel.CITY}.get(
                meaning.group(2), ProjectLevel.COUNTY
            )
            context.marker_levels[meaning.group(1)] = str(level)

    parsed: list[ParsedRow] = []
    generated: dict[str, int] = {}
    for index in range(first_data, len(grid)):
        raw = grid[index]
        row_number = index + 1
        cells = {
            column.key: raw[column.index] if column.index < len(raw) else None for column in columns
        }
        texts = [_text(cell) for cell in raw]
        if not any(texts):
            continue
        name_text = _text(cells.get("name"))
        seq_text = _text(cells.get("seq"))
        first_text = next((text for text in texts if text), "")
        reason = _skip_reason(name_text, seq_text, first_text, texts, context)
        if reason:
            result.skipped.append({"row": row_number, "reason": reason})
            continue
        parsed_row = _parse_row(row_number, cells, by_key, context, result, generated)
        if parsed_row is not None:
            parsed.append(parsed_row)
    return parsed, by_key


def _skip_reason(name: str, seq: str, first: str, texts: list[str], context: _Context) -> str:
    for text in (seq, name, first):
        if _TOTAL_ROW.match(_compact(text)):
            return _("合计/小计行")
    if _NOTE.match(first) or (not name and _NOTE.match(first)):
        return _("注释行")
    if _SECTION.match(seq or name or first):
        heading = name or first
        context.section_sector = _sector_of(heading, context.sectors)
        context.section_class = _class_of(heading)
        return _("分组标题：%(heading)s") % {"heading": heading}
    if _SUB_ITEM_SEQ.match(seq) or _SUB_ITEM_NAME.match(name):
        return _("子项目（不单独计为项目）：%(name)s") % {"name": name}
    if not name:
        if len([text for text in texts if text]) == 1:
            return _("注释行")
        return _("无项目名称")
    return ""


def _parse_row(
    row_number: int,
    cells: dict[str, Any],
    by_key: dict[str, Column],
    context: _Context,
    result: ImportResult,
    generated: dict[str, int],
) -> ParsedRow | None:
    errors_before = len(result.errors)

    def error(key: str, message: str) -> None:
        column = by_key.get(key)
        result.errors.append(
            {
                "row": row_number,
                "column": column_letter(column.index) if column else "",
                "field": column.label if column else key,
                "message": message,
            }
        )

    def money(key: str) -> Decimal | None:
        if key not in by_key:
            return None
        try:
            return _money(cells[key], by_key[key].unit)
        except ValueError as problem:
            error(key, str(problem))
            return None

    name, markers = split_markers(_plain(cells.get("name")))
    total = money("total")
    plan = money("plan")
    if total is None and len(result.errors) == errors_before:
        error("total", _("总投资不能为空。"))

    region = context.region
    region_text = _text(cells.get("region"))
    if region_text:
        region = context.regions.match(region_text)
        if region is None:
            error("region", _("未知的所在地“%(name)s”。") % {"name": region_text})
    elif region is None:
        error("region", _("所在地为空，且未指定 --region。"))

    try:
        start_year, end_year = parse_years(cells.get("years"))
    except ValueError as problem:
        error("years", str(problem))
        start_year = end_year = None
    months: dict[str, dt.date | None] = {}
    for key in ("start_month", "completion_month"):
        try:
            months[key] = parse_month(cells.get(key), context.year)
        except ValueError as problem:
            error(key, str(problem))
            months[key] = None

    project_class = context.section_class
    if "project_class" in by_key and _text(cells.get("project_class")):
        project_class = _class_of(_text(cells["project_class"]))
        if not project_class:
            error(
                "project_class",
                _("未知的建设性质“%(value)s”（可选：续建、新开工、竣工投产、预备）。")
                % {"value": _text(cells["project_class"])},
            )
    levels = _levels_of(_text(cells.get("level")))
    if not levels and context.list_level and "level" not in by_key:
        levels = (context.list_level,)
    for marker in markers:
        if marker in context.marker_levels and context.marker_levels[marker] not in levels:
            levels = (*levels, context.marker_levels[marker])
    sector = context.section_sector
    sector_text = _text(cells.get("sector"))
    if sector_text:
        sector = _sector_of(sector_text, context.sectors)
        if sector is None:
            error("sector", _("未知的行业领域“%(value)s”。") % {"value": sector_text})

    code = _text(cells.get("code"))
    if not code and region is not None:
        generated[region.code] = generated.get(region.code, 0) + 1
        code = f"KP{context.year}-{region.code}-{generated[region.code]:03d}"
    category = _text(cells.get("category"))
    category = context.categories.get(category, category) or DEFAULT_CATEGORY
    chain = _text(cells.get("industry_chain"))
    chain = context.chains.get(chain, chain)
    if len(result.errors) > errors_before:
        return None
    assert total is not None and region is not None
    data = ProjectInput(
        code=code,
        name=name,
        region_code=region.code,
        category_code=category,
        total_investment=total,
        annual_plan=Decimal(0),
        industry_chain_code=chain,
        owner_enterprise=_plain(cells.get("owner")),
        responsible_unit=_plain(cells.get("responsible_unit")),
        description=_plain(cells.get("scale")),
        levels=tuple(str(level) for level in ProjectLevel.values if level in levels),
        project_class=project_class,
        sector_code=sector.code if sector else "",
        start_year=start_year,
        end_year=end_year,
        planned_start_month=months["start_month"],
        planned_completion_month=months["completion_month"],
        owner_uscc=_text(cells.get("owner_uscc")),
        responsible_person=_plain(cells.get("responsible_person")),
        responsible_phone=_text(cells.get("responsible_phone")),
        national_code=national_code_normalise(_text(cells.get("national_code"))),
        markers=markers,
    )
    return ParsedRow(row=row_number, data=data, plan=plan, cells=cells)


# ---------------------------------------------------------------------------------------------
# Applying


_COMPARED = [
    name
    for name in ProjectInput.__dataclass_fields__
    if name not in ("annual_plan", "longitude", "latitude")
]


def _existing(parsed: list[ParsedRow], *, lock: bool) -> dict[int, Project]:
    """The existing project each parsed row matches, by row: by code, then national code
    (locked when they are to be updated)."""
    codes = {row.data.code for row in parsed}
    national = {row.data.national_code for row in parsed if row.data.national_code}
    projects = Project.objects.select_related("region", "category", "industry_chain", "sector")
    if lock:
        # of=("self",): PostgreSQL refuses FOR UPDATE over the nullable joins.
        projects = projects.select_for_update(of=("self",))
    found = projects.filter(Q(code__in=codes) | Q(national_code__in=national - {""})).order_by("pk")
    by_code = {project.code: project for project in found}
    by_national = {
        project.national_code: project for project in by_code.values() if project.national_code
    }
    out: dict[int, Project] = {}
    for row in parsed:
        project = by_code.get(row.data.code) or by_national.get(row.data.national_code or "-")
        if project is not None:
            out[row.row] = project
    return out


_FIELD_KEYS: dict[str, str] = {
    "total_investment": "total",
    "annual_plan": "plan",
    "amount": "plan",
    "region": "region",
    "national_code": "national_code",
    "owner_uscc": "owner_uscc",
    "responsible_phone": "responsible_phone",
    "code": "code",
    "name": "name",
    "sector": "sector",
    "project_class": "project_class",
    "planned_completion_month": "completion_month",
    "planned_start_month": "start_month",
    "end_year": "years",
    "start_year": "years",
}


def _field_column(by_key: dict[str, Column], field_name: str) -> str:
    column = by_key.get(_FIELD_KEYS.get(field_name, field_name))
    return column_letter(column.index) if column else ""


def _field_label(by_key: dict[str, Column], field_name: str) -> str:
    column = by_key.get(_FIELD_KEYS.get(field_name, field_name))
    return column.label if column else field_name


def import_projects(
    *,
    actor,
    data: bytes,
    filename: str,
    year: int,
    region: Region | None = None,
    update: bool = False,
    dry_run: bool = False,
    effective_date: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a published list. All-or-nothing: any error and nothing is written.

    A row whose project exists (same code, or same national code) is refused unless ``update``;
    with ``update`` only what differs is changed, and a changed annual plan becomes a dated
    plan change (调整). ProjectListError when the file cannot be read at all.
    ``progress(phase, done, total)`` is told how far it is, phase "read", "validate" or "save"."""
    from gongjian.plans.services import PlanBatch

    def tell(phase: str, done: int, total: int) -> None:
        if progress is not None:
            progress(phase, done, total)

    result = ImportResult(dry_run=dry_run)
    tell("read", 0, 0)
    grid = read_grid(data, filename)
    parsed, by_key = parse_rows(grid, year=year, region=region, result=result)
    result.rows = len(parsed) + len({e["row"] for e in result.errors})
    for row in parsed:
        result.total_investment += row.data.total_investment
        result.plan_investment += row.plan or Decimal(0)
    tell("read", len(parsed), len(parsed))

    seen: dict[str, int] = {}
    duplicates: set[int] = set()
    for row in parsed:
        if row.data.code in seen:
            duplicates.add(row.row)
            result.errors.append(
                {
                    "row": row.row,
                    "column": _field_column(by_key, "code"),
                    "field": _("项目编号"),
                    "message": _("项目编号“%(code)s”与第 %(other)s 行重复。")
                    % {"code": row.data.code, "other": seen[row.data.code]},
                }
            )
        seen[row.data.code] = row.row

    when = effective_date or _default_effective_date(year)
    reason = _("导入年度重点项目清单（%(file)s）") % {"file": filename}
    total = len(parsed)
    try:
        with transaction.atomic():
            existing = _existing(parsed, lock=update and not dry_run)
            matched = list({project.pk: project for project in existing.values()}.values())
            projects = ProjectBatch.for_inputs(
                actor=actor, inputs=[row.data for row in parsed], projects=matched
            )
            plans = PlanBatch.for_projects(actor=actor, year=year, projects=matched)
            tell("validate", 0, total)
            for done, row in enumerate(parsed, start=1):
                if done % PROGRESS_EVERY == 0:
                    tell("validate", done, total)
                if row.row in duplicates:
                    continue
                project = existing.get(row.row)
                data_in = row.data
                try:
                    if project is None:
                        project = projects.create(data_in)
                        result.created += 1
                        changed_plan = row.plan is not None
                    else:
                        if not update:
                            result.errors.append(
                                {
                                    "row": row.row,
                                    "column": _field_column(by_key, "code"),
                                    "field": _("项目编号"),
                                    "message": _(
                                        "项目“%(code)s”已存在；要更新已有项目请选择“更新已有项目”"
                                        "（--update）。"
                                    )
                                    % {"code": project.code},
                                }
                            )
                            continue
                        current = project_input_from(project)
                        merged = replace(
                            data_in,
                            code=project.code,
                            annual_plan=current.annual_plan,
                            longitude=current.longitude,
                            latitude=current.latitude,
                            # What the list does not say is kept, not blanked.
                            **{
                                name: getattr(current, name)
                                for name in _COMPARED
                                if _is_unset(getattr(data_in, name))
                            },
                        )
                        differs = any(
                            getattr(merged, name) != getattr(current, name) for name in _COMPARED
                        )
                        if differs:
                            project = projects.update(project, merged)
                        plan_amount = plans.amount_of(project)
                        changed_plan = row.plan is not None and (
                            plan_amount is None or plan_amount != row.plan
                        )
                        if differs or changed_plan:
                            result.updated += 1
                        else:
                            result.unchanged += 1
                    if changed_plan and row.plan is not None:
                        plans.set(
                            project=project, amount=row.plan, effective_date=when, reason=reason
                        )
                except ValidationError as problem:
                    for field_name, messages in problem.message_dict.items():
                        for message in messages:
                            result.errors.append(
                                {
                                    "row": row.row,
                                    "column": _field_column(by_key, field_name),
                                    "field": _field_label(by_key, field_name),
                                    "message": message,
                                }
                            )
            tell("validate", total, total)
            if result.errors or dry_run:
                raise _Rollback
            tell("save", 0, total)
            projects.save()
            plans.save()
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                message=_(
                    "导入 %(year)s 年重点项目清单 %(file)s：%(rows)s 个项目，新建 %(created)s，"
                    "更新 %(updated)s"
                )
                % {
                    "year": year,
                    "file": filename,
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                },
            )
            tell("save", total, total)
    except _Rollback:
        pass
    except PermissionDenied:
        raise
    if result.errors:
        result.created = result.updated = 0
    result.errors.sort(key=lambda error: (error["row"], error["column"]))
    return result


def _is_unset(value: Any) -> bool:
    return value in ("", None, ())


class _Rollback(Exception):
    """Undo the transaction of a dry run or of an import with errors."""


def _default_effective_date(year: int) -> dt.date:
    """A plan imported during its year takes effect today; one imported for another year
    takes effect on its first day (the list as published for that year)."""
    current = today()
    return current if current.year == year else dt.date(year, 1, 1)


def annotated_workbook(data: bytes, filename: str, result: ImportResult) -> bytes:
    """The uploaded table back as .xlsx with each error marked on its cell and listed in a
    "错误" column, so the office can fix the file and upload it again."""
    grid = read_grid(data, filename)
    by_row: dict[int, list[dict[str, Any]]] = {}
    for error in result.errors:
        by_row.setdefault(error["row"], []).append(error)
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet(_("导入结果"))
    bad = workbook.add_format({"bg_color": "#F8D7DA"})
    note = workbook.add_format({"font_color": "#B00020", "text_wrap": True})
    width = max((len(row) for row in grid), default=0)
    sheet.write(0, width, _("错误"), note)
    for r, row in enumerate(grid):
        marked = {e["column"] for e in by_row.get(r + 1, [])}
        for c, value in enumerate(row):
            text = value if isinstance(value, int | float) else _text(value)
            fmt = bad if column_letter(c) in marked else None
            sheet.write(r, c, text, fmt) if fmt else sheet.write(r, c, text)
        if r + 1 in by_row:
            sheet.write(
                r,
                width,
                "；".join(f"{e['column']}{r + 1}：{e['message']}" for e in by_row[r + 1]),
                note,
            )
    workbook.close()
    return out.getvalue()
