"""The enterprise roster as a workbook: one sheet, one header row, the columns below, in the same
order for export and import (an exported roster, edited, imports back in update mode)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("uscc", _("统一社会信用代码"), 22),
    Column("name", _("企业名称"), 36),
    Column("region", _("所属区域代码"), 12),
    Column("park", _("所在园区代码"), 16),
    Column("is_above_scale", _("规上工业企业（是/否）"), 12),
    Column("above_scale_since", _("纳入规上日期"), 13),
    Column("entered_park_on", _("入园日期"), 13),
    Column("industry_chain", _("产业链代码"), 16),
    Column("industrial_land_mu", _("工业用地面积（亩）"), 14),
    Column("output_value", _("工业总产值（万元）"), 14),
    Column("tax_paid", _("税收（万元）"), 12),
    Column("production_started_on", _("投产日期"), 13),
    Column("established_on", _("成立日期"), 13),
    Column("operating_status", _("经营状态"), 10),
)
INDEX = {column.key: index for index, column in enumerate(COLUMNS)}
HEADER_ROW = 1
MAX_ROWS = 20_000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
