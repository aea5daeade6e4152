"""The site inventory from a real .xlsx: row errors name row and column; all or nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlsxwriter

from gongjian.investment.imports import COLUMNS, resource_import
from gongjian.investment.models import Resource

pytestmark = pytest.mark.django_db
HEADER = [h for h, _k, _r in COLUMNS]


def _workbook(rows) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("载体")
    for r, row in enumerate([HEADER, *rows]):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(
                    r,
                    c,
                    dt.datetime.combine(value, dt.time()),
                    book.add_format({"num_format": "yyyy-mm-dd"}),
                )
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


GOOD = [
    "LC-F9",
    "江南标准厂房9号",
    "标准厂房",
    "鲤城区",
    None,
    8000,
    None,
    None,
    12.5,
    "纺织鞋服、机械装备",
    8,
    2000,
    dt.date(2022, 12, 1),
    "江南高新园",
]
LAND = [
    "LC-L9",
    "常泰地块",
    "土地",
    "350502",
    None,
    None,
    45,
    60,
    None,
    "",
    None,
    None,
    "2023-03-01",
    "",
]


def test_a_good_sheet_creates_the_sites(city_admin):
    result = resource_import(actor=city_admin, data=_workbook([GOOD, LAND]))

    assert (result.created, result.updated, result.errors) == (2, 0, [])
    factory = Resource.objects.get(code="LC-F9")
    assert (factory.kind, factory.region.code, factory.area_m2, factory.rent_yuan_per_m2_month) == (
        "factory",
        "350502",
        Decimal("8000.00"),
        Decimal("12.50"),
    )
    assert sorted(c.code for c in factory.permitted_industries.all()) == [
        "machinery",
        "textile-footwear",
    ]
    assert (factory.floor_load_kn_m2, factory.power_capacity_kva, factory.available_from) == (
        Decimal("8.0"),
        2000,
        dt.date(2022, 12, 1),
    )
    land = Resource.objects.get(code="LC-L9")
    assert (land.area_m2, land.land_price_wan_per_mu, land.available_from) == (
        Decimal("30000.00"),
        Decimal("60.00"),
        dt.date(2023, 3, 1),
    )


def test_row_errors_name_row_and_column_and_nothing_is_written(city_admin):
    bad_kind = [
        "LC-X1",
        "某厂房",
        "仓库",
        "鲤城区",
        None,
        100,
        None,
        None,
        None,
        "",
        None,
        None,
        "2022-12-01",
        "",
    ]
    bad_area = [
        "LC-X2",
        "某地块",
        "土地",
        "鲤城区",
        None,
        "很大",
        None,
        None,
        None,
        "",
        None,
        None,
        "2022-12-01",
        "",
    ]
    bad_chain = [
        "LC-X3",
        "某办公",
        "办公空间",
        "安溪",
        None,
        500,
        None,
        None,
        30,
        "造船",
        None,
        None,
        "明年",
        "",
    ]

    result = resource_import(
        actor=city_admin, data=_workbook([GOOD, bad_kind, bad_area, bad_chain])
    )

    assert result.errors == [
        "第 3 行 C 列「类型」：须为 土地、标准厂房 或 办公空间。",
        "第 4 行 F 列「面积（平方米）」：“很大”不是数字。",
        "第 5 行 J 列「准入产业」：未知的产业“造船”。",
        "第 5 行 M 列「可交付日期」：“明年”不是日期（如 2022-12-01）。",
    ]
    assert Resource.objects.count() == 0


def test_a_district_filer_may_import_only_its_own_district(lichen_filer):
    other = [
        "JJ-F9",
        "晋江厂房",
        "标准厂房",
        "晋江市",
        None,
        500,
        None,
        None,
        10,
        "",
        None,
        None,
        "2022-12-01",
        "",
    ]

    result = resource_import(actor=lichen_filer, data=_workbook([GOOD, other]))

    assert result.errors == ["第 3 行 D 列「所属区域」：无权维护“晋江市”的载体。"]
    assert Resource.objects.count() == 0
