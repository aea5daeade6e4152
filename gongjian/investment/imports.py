"""The site inventory (载体) from Excel: one sheet, a header row, one site per row.

All or nothing: every row is checked first, and any error (named by row and column) means no
row is written. A row whose 载体编号 exists updates that site.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_record
from gongjian.core.spreadsheets import (
    SpreadsheetError,
    cell_decimal,
    cell_is_blank,
    cell_text,
    check_xlsx,
    column_letter,
)
from gongjian.investment.choices import ResourceKind, ResourceStatus
from gongjian.investment.models import SQUARE_METRES_PER_MU, Resource
from gongjian.parks.models import Park
from gongjian.projects.models import IndustryChain
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region

# progress(phase, done, total), phase in "read", "validate", "save": for a background job's bar.
Progress = Callable[[str, int, int], None]
# Rows between two progress calls while rows are looped.
PROGRESS_EVERY = 200

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# (header, key, required)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("载体编号", "code", True),
    ("名称", "name", True),
    ("类型", "kind", True),
    ("所属区域", "region", True),
    ("所在园区", "park", False),
    ("面积（平方米）", "area_m2", False),
    ("面积（亩）", "area_mu", False),
    ("出让价格（万元/亩）", "land_price", False),
    ("租金（元/平方米·月）", "rent", False),
    ("准入产业", "industries", False),
    ("楼面荷载（kN/㎡）", "floor_load", False),
    ("供电容量（kVA）", "power", False),
    ("可交付日期", "available_from", True),
    ("地址", "address", False),
)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("“%(value)s”不是日期（如 2022-12-01）。") % {"value": text[:20]}
        ) from None


def _lookups() -> dict[str, dict[str, Any]]:
    regions: dict[str, Region] = {}
    for region in Region.objects.filter(is_reporting=True).exclude(kind=RegionKind.CITY):
        for key in (region.code, region.name, region.short_name):
            if key:
                regions[key] = region
    parks: dict[str, Park] = {}
    for park in Park.objects.all():
        parks[park.code] = park
        parks[park.name] = park
    chains: dict[str, IndustryChain] = {}
    for chain in IndustryChain.objects.filter(is_active=True):
        chains[chain.code] = chain
        chains[chain.name] = chain
    kinds = {str(label): value for value, label in ResourceKind.choices}
    kinds.update({value: value for value in ResourceKind.values})
    return {"region": regions, "park": parks, "chain": chains, "kind": kinds}


def _read(data: bytes) -> list[list[Any]]:
    check_xlsx(data, max_uncompressed=50 * 1024 * 1024, max_rows=MAX_ROWS + 1, max_columns=40)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except CalamineError:
        raise SpreadsheetError(_("文件已损坏或不是 Excel 工作簿（.xlsx），无法读取。")) from None


def _check_row(
    number: int, cells: dict[str, Any], positions: dict[str, int], lookups, actor
) -> tuple[dict[str, Any] | None, list[str]]:
    errors: list[str] = []

    def err(key: str, message: str) -> None:
        header = next(h for h, k, _r in COLUMNS if k == key)
        errors.append(
            _("第 %(row)s 行 %(col)s 列「%(header)s」：%(message)s")
            % {
                "row": number,
                "col": column_letter(positions[key]),
                "header": header,
                "message": message,
            }
        )

    for _header, key, required in COLUMNS:
        if required and cell_is_blank(cells.get(key)):
            err(key, _("不能为空。"))
    if errors:
        return None, errors
    values: dict[str, Any] = {
        "code": cell_text(cells["code"]),
        "name": cell_text(cells["name"])[:200],
        "address": cell_text(cells.get("address"))[:200],
    }
    if len(values["code"]) > 32 or not all(c.isalnum() or c in "-_" for c in values["code"]):
        err("code", _("只能包含字母、数字、“-”和“_”，最长 32 位。"))
    kind = lookups["kind"].get(cell_text(cells["kind"]))
    if kind is None:
        err("kind", _("须为 土地、标准厂房 或 办公空间。"))
    values["kind"] = kind
    region = lookups["region"].get(cell_text(cells["region"]))
    if region is None:
        err("region", _("未知的区域“%(value)s”。") % {"value": cell_text(cells["region"])[:20]})
    elif not actor.has_perm("investment.change_resource", region):
        err("region", _("无权维护“%(region)s”的载体。") % {"region": region.display_name})
    values["region"] = region
    park = None
    if not cell_is_blank(cells.get("park")):
        park = lookups["park"].get(cell_text(cells["park"]))
        if park is None:
            err("park", _("未知的园区“%(value)s”。") % {"value": cell_text(cells["park"])[:30]})
        elif region is not None and park.region_id != region.pk:
            err(
                "park",
                _("园区“%(park)s”不在%(region)s。")
                % {"park": park.name, "region": region.display_name},
            )
    values["park"] = park
    numbers: dict[str, Decimal | None] = {}
    for key in ("area_m2", "area_mu", "land_price", "rent", "floor_load", "power"):
        try:
            numbers[key] = cell_decimal(cells.get(key))
        except ValueError as error:
            err(key, str(error))
            numbers[key] = None
            continue
        if numbers[key] is not None and numbers[key] < 0:  # type: ignore[operator]
            err(key, _("不能为负数。"))
    area = numbers["area_m2"]
    if area is None and numbers["area_mu"] is not None:
        area = (numbers["area_mu"] * SQUARE_METRES_PER_MU).quantize(Decimal("0.01"))
    if (area is None or area <= 0) and not any(e for e in errors if "面积" in e):
        err("area_m2", _("须填写面积（平方米或亩），且大于 0。"))
    values["area_m2"] = area
    values["land_price_wan_per_mu"] = numbers["land_price"]
    values["rent_yuan_per_m2_month"] = numbers["rent"]
    values["floor_load_kn_m2"] = numbers["floor_load"]
    values["power_capacity_kva"] = int(numbers["power"]) if numbers["power"] is not None else None
    chains = []
    for name in (
        cell_text(cells.get("industries")).replace(",", "、").replace("，", "、").split("、")
    ):
        if name.strip():
            chain = lookups["chain"].get(name.strip())
            if chain is None:
                err("industries", _("未知的产业“%(name)s”。") % {"name": name.strip()[:20]})
            else:
                chains.append(chain)
    values["industries"] = chains
    try:
        values["available_from"] = _date(cells["available_from"])
    except ValueError as error:
        err("available_from", str(error))
    return (None if errors else values), errors


def resource_import(*, actor, data: bytes, progress: Progress | None = None) -> ImportResult:
    """Check every row of the uploaded sheet, then write all of them or none. ``progress`` is
    told each phase (read, validate, save) and, every few hundred rows, how far it is."""
    report = progress or (lambda phase, done, total: None)
    result = ImportResult()
    if len(data) > MAX_BYTES:
        raise ValidationError(_("文件超过 5 MB，无法导入。"))
    report("read", 0, 0)
    try:
        rows = _read(data)
    except SpreadsheetError as error:
        raise ValidationError(str(error)) from None
    report("read", max(len(rows) - 1, 0), max(len(rows) - 1, 0))
    if not rows:
        raise ValidationError(_("工作表是空的。"))
    header = [cell_text(c) for c in rows[0]]
    positions: dict[str, int] = {}
    for title, key, required in COLUMNS:
        if title in header:
            positions[key] = header.index(title)
        elif required:
            result.errors.append(_("第 1 行缺少列「%(header)s」。") % {"header": title})
    if result.errors:
        return result
    for _title, key, _required in COLUMNS:
        positions.setdefault(key, len(header))
    lookups = _lookups()
    planned: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    total = len(rows) - 1
    report("validate", 0, total)
    for index, row in enumerate(rows[1:], start=2):
        if index > 2 and (index - 2) % PROGRESS_EVERY == 0:
            report("validate", index - 2, total)
        if all(cell_is_blank(c) for c in row):
            continue
        cells = {key: row[pos] if pos < len(row) else None for key, pos in positions.items()}
        values, errors = _check_row(index, cells, positions, lookups, actor)
        result.errors.extend(errors)
        if values is not None:
            if values["code"] in seen:
                result.errors.append(
                    _("第 %(row)s 行：载体编号“%(code)s”与第 %(first)s 行重复。")
                    % {"row": index, "code": values["code"], "first": seen[values["code"]]}
                )
            seen[values["code"]] = index
            planned.append(values)
    report("validate", total, total)
    if result.errors or not planned:
        if not result.errors:
            result.errors.append(_("工作表没有数据行。"))
        return result
    existing = {r.code: r for r in Resource.objects.filter(code__in=[v["code"] for v in planned])}
    for values in planned:
        current = existing.get(values["code"])
        if current is not None and not actor.has_perm("investment.change_resource", current):
            result.errors.append(
                _("载体“%(code)s”属于%(region)s，无权修改。")
                % {"code": current.code, "region": current.region.display_name}
            )
    if result.errors:
        return result
    report("save", 0, len(planned))
    with transaction.atomic():
        for done, values in enumerate(planned):
            if done and done % PROGRESS_EVERY == 0:
                report("save", done, len(planned))
            chains = values.pop("industries")
            resource, created = Resource.objects.update_or_create(
                code=values["code"],
                defaults={**values, "status": ResourceStatus.AVAILABLE}
                if values["code"] not in existing
                else values,
            )
            resource.permitted_industries.set(chains)
            if created:
                result.created += 1
            else:
                result.updated += 1
        report("save", len(planned), len(planned))
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            after={"created": result.created, "updated": result.updated},
            message=_("导入载体 %(count)s 个") % {"count": len(planned)},
        )
    return result
