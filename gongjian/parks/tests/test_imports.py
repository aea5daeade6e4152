"""The roster's Excel round trip: export, import with errors by row and column (nothing saved),
update mode by credit code (spells and audit through the services), and permissions."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db.models import F
from python_calamine import CalamineWorkbook

from gongjian.accounts.models import User
from gongjian.audit.models import AuditEvent
from gongjian.campaigns.rollup import rollup_drift
from gongjian.parks.exports import roster_export, write_roster
from gongjian.parks.imports import roster_import
from gongjian.parks.models import Enterprise, EnterpriseSpell
from gongjian.tests.factories import IndicatorFactory, make_uscc

pytestmark = pytest.mark.django_db


def _cells(data: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def _row(uscc: str, name: str, region="350502", park="", above="是", **extra) -> list:
    values = {
        "since": None,
        "entered": None,
        "chain": "machinery",
        "land": 12.5,
        "output": 3000,
        "tax": 90,
        "production": None,
        "established": None,
        "status": "在营",
        **extra,
    }
    return [uscc, name, region, park, above, values["since"], values["entered"], values["chain"],
            values["land"], values["output"], values["tax"], values["production"],
            values["established"], values["status"]]  # fmt: skip


def test_the_export_is_the_visible_roster_in_the_import_columns(registry, city_admin):
    rows = Enterprise.objects.filter(name__in=["测试企业C", "测试企业F"]).order_by("name")

    cells = _cells(roster_export(rows))

    assert cells[0][:5] == [
        "统一社会信用代码",
        "企业名称",
        "所属区域代码",
        "所在园区代码",
        "规上工业企业（是/否）",
    ]
    assert [row[:5] for row in cells[1:]] == [
        [make_uscc(3, "350502"), "测试企业C", "350502", "", "是"],
        [make_uscc(6, "350582"), "测试企业F", "350582", "jj-2", "是"],
    ]
    assert cells[2][6] == dt.datetime(2022, 4, 20) or cells[2][6] == dt.date(2022, 4, 20)
    assert cells[2][8] == 300.0


def test_a_new_roster_is_created_through_the_services(registry, city_admin):
    data = write_roster(
        [
            _row(make_uscc(101), "泉州新材料有限公司", park="lc-l", since=dt.date(2021, 3, 1),
                 entered=dt.date(2020, 5, 6)),
            _row(make_uscc(102), "泉州新机械有限公司", above="否"),
        ]
    )  # fmt: skip

    result = roster_import(actor=city_admin, data=data)

    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 2, 0, 0)
    made = Enterprise.objects.get(uscc=make_uscc(101))
    assert made.park is not None
    assert (made.park.code, made.above_scale_since, made.output_value) == (
        "lc-l",
        dt.date(2021, 3, 1),
        Decimal("3000.00"),
    )
    assert EnterpriseSpell.objects.filter(enterprise=made).count() == 3
    assert AuditEvent.objects.filter(action="create", object_id=str(made.pk)).count() == 1


def test_errors_are_reported_by_row_and_column_and_nothing_is_saved(registry, city_admin):
    before = (
        Enterprise.objects.count(),
        EnterpriseSpell.objects.count(),
        AuditEvent.objects.count(),
    )
    data = write_roster(
        [
            _row(make_uscc(201), "甲公司"),
            _row("91350502MA000201XX", "乙公司", since="2022-13-01"),
            _row(make_uscc(201), "丙公司"),
            _row(make_uscc(202), "丁公司", park="jj-1", land=-3),
            _row(make_uscc(1, "350502"), "测试企业A"),
        ]
    )

    result = roster_import(actor=city_admin, data=data)

    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "F", "第 3 行 F 列（纳入规上日期）：“2022-13-01”不是日期，请填写如 2022-03-15。"),
        (4, "A", f"第 4 行 A 列（统一社会信用代码）：统一社会信用代码“{make_uscc(201)}”与第 2 行重复。"),  # noqa: E501
        (5, "D", "第 5 行 D 列（所在园区代码）：园区“晋江测试园J1”属于晋江市，不能登记为鲤城区企业的所在园区。"),  # noqa: E501
        (5, "I", "第 5 行 I 列（工业用地面积（亩））：工业用地面积不能为负数。"),
        (6, "A", f"第 6 行 A 列（统一社会信用代码）：统一社会信用代码“{make_uscc(1, '350502')}”已登记；如需更新已有企业，请选择“按统一社会信用代码更新”。"),  # noqa: E501
    ]  # fmt: skip
    assert (result.created, result.updated) == (0, 0)
    assert (
        Enterprise.objects.count(),
        EnterpriseSpell.objects.count(),
        AuditEvent.objects.count(),
    ) == before
    assert result.annotated is not None
    annotated = _cells(result.annotated)
    assert annotated[0][14] == "错误"
    assert annotated[2][14] == result.errors[0].message
    assert annotated[1][14] == ""


def test_update_mode_matches_by_credit_code_and_dates_the_changes(registry, city_admin):
    a = registry.enterprises["A"]
    data = write_roster(
        [
            # A leaves its park and drops out of 规上 (dated by the import's date); B is unchanged.
            _row(a.uscc, "测试企业A", above="否", land=100, output=52000, tax=2100),
            _row(make_uscc(2, "350502"), "测试企业B", since=dt.date(2021, 6, 1), land=50,
                 output=8000, tax=None, production=dt.date(2021, 5, 1)),
        ]
    )  # fmt: skip

    result = roster_import(
        actor=city_admin, data=data, update_existing=True, effective_on=dt.date(2022, 7, 1)
    )

    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 0, 1, 1)
    assert list(
        EnterpriseSpell.objects.filter(enterprise=a, valid_from__isnull=False).values_list(
            "valid_from", "valid_to", "park_id", "is_above_scale", "previous_above_scale"
        )
    ) == [(dt.date(2022, 7, 1), None, None, False, True)]
    event = AuditEvent.objects.filter(action="update", object_id=str(a.pk)).get()
    assert event.message == "迁出园区“鲤城测试园L”（2022-07-01）；退出规上（2022-07-01）"


def test_a_district_cannot_import_into_another_district(registry, lichen_filer):
    before = (Enterprise.objects.count(), EnterpriseSpell.objects.count())
    data = write_roster([_row(make_uscc(301, "350582"), "晋江某公司", region="350582")])

    result = roster_import(actor=lichen_filer, data=data)

    assert [e.message for e in result.errors] == ["第 2 行：无权在“晋江市”登记企业。"]
    assert (Enterprise.objects.count(), EnterpriseSpell.objects.count()) == before
    assert list(AuditEvent.objects.filter(actor=lichen_filer).values_list("action", "message")) == [
        ("denied", "无权在“晋江市”登记企业。")
    ]


def test_update_mode_refuses_an_enterprise_outside_the_scope(registry, lichen_filer):
    f = registry.enterprises["F"]
    data = write_roster([_row(f.uscc, "改名", region="350582")])

    result = roster_import(actor=lichen_filer, data=data, update_existing=True)

    assert [e.message for e in result.errors] == [
        f"第 2 行 A 列（统一社会信用代码）：统一社会信用代码“{f.uscc}”已由您的范围之外的单位登记。"
    ]
    assert Enterprise.objects.get(pk=f.pk).name == "测试企业F"


def test_a_file_that_is_not_the_roster_is_refused(city_admin):
    result = roster_import(actor=city_admin, data=b"not a workbook")
    assert [e.message for e in result.errors] == ["文件不是 Excel 工作簿（.xlsx），无法读取。"]


# ---------------------------------------------------------------------------------------------
# Set-based: the number of queries does not grow with the rows (STYLE 25).

# Queries of a whole import, whatever its number of rows (4 or 40 in the tests below).
ROSTER_CREATE_QUERIES = 20
ROSTER_UPDATE_QUERIES = 23


def _batch(rows: int, first: int, **extra) -> bytes:
    """``rows`` enterprises of 鲤城, every other one in park L since 2021-05-01."""
    return write_roster(
        [
            _row(
                make_uscc(first + n),
                f"批量企业{first + n}",
                park="lc-l" if n % 2 else "",
                entered=dt.date(2021, 5, 1) if n % 2 else None,
                **extra,
            )
            for n in range(rows)
        ]
    )


@pytest.fixture
def entry_rate(db):
    return IndicatorFactory.create(
        code="park-rate",
        kind="stock_ratio",
        unit="%",
        definition={
            "source": "enterprises",
            "numerator": {"in_park": True},
            "denominator": {"above_scale": True},
        },
    )


def test_the_roster_import_is_set_based(
    registry, city_admin, entry_rate, django_assert_max_num_queries
):
    counts = []
    for rows, first in ((4, 500), (40, 600)):
        data = _batch(rows, first)
        actor = User.objects.get(pk=city_admin.pk)  # memberships not yet read
        with django_assert_max_num_queries(ROSTER_CREATE_QUERIES) as captured:
            result = roster_import(actor=actor, data=data)
        assert (result.ok, result.created) == (True, rows)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    made = Enterprise.objects.get(uscc=make_uscc(601))
    assert (made.park.code if made.park else "", made.entered_park_on) == (
        "lc-l",
        dt.date(2021, 5, 1),
    )
    assert list(
        EnterpriseSpell.objects.filter(enterprise=made)
        .order_by(F("valid_from").asc(nulls_first=True))
        .values_list("valid_from", "valid_to", "park_id", "is_above_scale")
    ) == [
        (None, dt.date(2021, 5, 1), None, True),
        (dt.date(2021, 5, 1), None, made.park_id, True),
    ]
    assert AuditEvent.objects.filter(action="create", object_type="parks.enterprise").count() == (
        44 + len(registry.enterprises)
    )
    assert rollup_drift() == []


def test_the_roster_update_is_set_based_and_dates_the_changes(
    registry, city_admin, entry_rate, django_assert_max_num_queries
):
    roster_import(actor=city_admin, data=_batch(44, 700))
    counts = []
    for rows, first in ((4, 700), (40, 704)):
        # Those in park L leave it, those outside enter it on 2022-06-01; all drop out of 规上.
        data = write_roster(
            [
                _row(
                    make_uscc(first + n),
                    f"批量企业{first + n}",
                    park="" if (first + n) % 2 else "lc-l",
                    entered=None if (first + n) % 2 else dt.date(2022, 6, 1),
                    above="否",
                )
                for n in range(rows)
            ]
        )
        actor = User.objects.get(pk=city_admin.pk)
        with django_assert_max_num_queries(ROSTER_UPDATE_QUERIES) as captured:
            result = roster_import(
                actor=actor, data=data, update_existing=True, effective_on=dt.date(2022, 7, 1)
            )
        assert (result.ok, result.updated, result.errors) == (True, rows, [])
        counts.append(len(captured))
    assert counts[0] == counts[1]
    left = Enterprise.objects.get(uscc=make_uscc(701))
    entered = Enterprise.objects.get(uscc=make_uscc(702))
    assert (left.park_id, left.is_above_scale, entered.park.code if entered.park else "") == (
        None,
        False,
        "lc-l",
    )
    assert list(
        EnterpriseSpell.objects.filter(enterprise=entered)
        .order_by(F("valid_from").asc(nulls_first=True))
        .values_list("valid_from", "valid_to", "park_id", "is_above_scale", "previous_above_scale")
    ) == [
        (None, dt.date(2022, 6, 1), None, True, None),
        (dt.date(2022, 6, 1), dt.date(2022, 7, 1), entered.park_id, True, True),
        (dt.date(2022, 7, 1), None, entered.park_id, False, True),
    ]
    event = AuditEvent.objects.get(action="update", object_id=str(entered.pk))
    assert event.message == "入驻园区“鲤城测试园L”（2022-06-01）；退出规上（2022-07-01）"
    assert rollup_drift() == []


def test_roster_progress_is_told_by_phase(registry, city_admin):
    told: list[tuple[str, int, int]] = []
    roster_import(
        actor=city_admin,
        data=_batch(3, 800),
        progress=lambda phase, done, total: told.append((phase, done, total)),
    )
    assert told == [
        ("read", 0, 0),
        ("read", 3, 3),
        ("validate", 0, 3),
        ("validate", 3, 3),
        ("save", 0, 3),
        ("save", 3, 3),
    ]


def test_a_chinese_workbook_imports_for_a_user_reading_english(registry, city_admin):
    """The template a colleague exported in Chinese (headers and 在营) is accepted while the
    importing user's language is English, and an English one while it is Chinese."""
    from django.utils import translation

    chinese = write_roster([_row(make_uscc(111), "泉州新材料有限公司", status="在营")])
    with translation.override("en"):
        english = write_roster([_row(make_uscc(112), "泉州新机械有限公司", status="Operating")])
        result = roster_import(actor=city_admin, data=chinese)
    assert (result.ok, result.created, result.errors) == (True, 1, [])

    with translation.override("zh-hans"):
        result = roster_import(actor=city_admin, data=english)
    assert (result.ok, result.created, result.errors) == (True, 1, [])
    assert set(
        Enterprise.objects.filter(uscc__in=[make_uscc(111), make_uscc(112)]).values_list(
            "operating_status", flat=True
        )
    ) == {"operating"}
