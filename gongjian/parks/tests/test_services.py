"""Park and enterprise services: exact values, audit snapshots, and every refusal's message."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gongjian.audit.models import AuditEvent
from gongjian.parks.models import Enterprise, Park
from gongjian.parks.services import (
    EnterpriseInput,
    ParkInput,
    enterprise_create,
    enterprise_enter_park,
    enterprise_update,
    park_create,
)
from gongjian.tests.factories import EnterpriseFactory, ParkFactory

pytestmark = pytest.mark.django_db

JINJIANG_PARK = ParkInput(
    code="jj-wuli",
    name="晋江经济开发区（五里园）",
    region_code="350582",
    kind="development_zone",
    planned_area_mu=Decimal("9800.5"),
    is_standardised=True,
    sort_order=1,
)
ANTA_LIKE = EnterpriseInput(
    uscc=" 91350582mA2y0k9dx f ",
    name="  晋江恒达体育用品有限公司 ",
    region_code="350582",
    is_above_scale=True,
    above_scale_since=dt.date(2016, 1, 1),
    park_code="jj-wuli",
    entered_park_on=dt.date(2017, 6, 18),
    industry_chain_code="textile-footwear",
    industrial_land_mu=Decimal("126.5"),
)
ANTA_LIKE_SNAPSHOT = {
    "uscc": "91350582MA2Y0K9DXF",
    "name": "晋江恒达体育用品有限公司",
    "region": "350582",
    "park": "jj-wuli",
    "is_above_scale": True,
    "above_scale_since": "2016-01-01",
    "entered_park_on": "2017-06-18",
    "industry_chain": "textile-footwear",
    "industrial_land_mu": "126.50",
    "established_on": None,
    "production_started_on": None,
    "output_value": None,
    "tax_paid": None,
    "operating_status": "operating",
}


@pytest.fixture
def wuli(city_admin):
    return park_create(actor=city_admin, data=JINJIANG_PARK)


def _refused(actor, data: EnterpriseInput) -> dict[str, list[str]]:
    """Register ``data`` expecting a refusal; return its messages, checking nothing was written."""
    count, events = Enterprise.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refusal:
        enterprise_create(actor=actor, data=data)
    assert Enterprise.objects.count() == count
    assert AuditEvent.objects.count() == events
    return refusal.value.message_dict


# --- park_create --------------------------------------------------------------------------------


def test_park_create_writes_exact_values_and_audits_them(city_admin, wuli):
    row = Park.objects.get()
    assert (
        row.code,
        row.name,
        row.region.code,
        row.kind,
        row.planned_area_mu,
        row.is_standardised,
        row.sort_order,
    ) == (
        "jj-wuli",
        "晋江经济开发区（五里园）",
        "350582",
        "development_zone",
        Decimal("9800.50"),
        True,
        1,
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_type, event.region) == (
        "create",
        city_admin,
        "parks.park",
        row.region,
    )
    assert event.after == {
        "code": "jj-wuli",
        "name": "晋江经济开发区（五里园）",
        "region": "350582",
        "kind": "development_zone",
        "planned_area_mu": "9800.50",
        "is_standardised": True,
        "sort_order": 1,
    }


@pytest.mark.parametrize(
    ("change", "messages"),
    [
        ({"code": ""}, {"code": ["园区代码不能为空。"]}),
        ({"code": "晋江五里"}, {"code": ["园区代码只能包含字母、数字、“-”和“_”，最长 32 位。"]}),
        ({"name": "  "}, {"name": ["园区名称不能为空。"]}),
        ({"kind": "airport"}, {"kind": ["未知的园区类型“airport”。"]}),
        ({"planned_area_mu": Decimal("-1")}, {"planned_area_mu": ["规划面积不能为负数。"]}),
        (
            {"planned_area_mu": Decimal("12.345")},
            {"planned_area_mu": ["规划面积最多保留两位小数（单位：亩）。"]},
        ),
        (
            {"planned_area_mu": Decimal("6500000")},
            {"planned_area_mu": ["规划面积 6500000 亩超出合理范围，请确认单位是亩而不是平方米。"]},
        ),
        ({"region_code": "3505xx"}, {"region": ["未知的所属区域代码“3505xx”。"]}),
        (
            {"region_code": "350500"},
            {"region": ["园区须归属于参与填报的县（市、区）或功能区，“泉州市”不可选。"]},
        ),
        (
            {"region_code": "350527"},
            {"region": ["园区须归属于参与填报的县（市、区）或功能区，“金门县”不可选。"]},
        ),
    ],
)
def test_park_create_refuses_bad_values(city_admin, change, messages):
    with pytest.raises(ValidationError) as refusal:
        park_create(actor=city_admin, data=replace(JINJIANG_PARK, **change))

    assert refusal.value.message_dict == messages
    assert not Park.objects.exists()
    assert not AuditEvent.objects.exists()


def test_park_code_is_unique(city_admin, wuli):
    with pytest.raises(ValidationError) as refusal:
        park_create(actor=city_admin, data=replace(JINJIANG_PARK, name="另一个园区"))

    assert refusal.value.message_dict == {"code": ["园区代码“jj-wuli”已存在。"]}
    assert Park.objects.count() == 1


# --- enterprise_create --------------------------------------------------------------------------


def test_enterprise_create_normalises_the_code_and_audits_exact_values(city_admin, wuli):
    enterprise = enterprise_create(actor=city_admin, data=ANTA_LIKE)

    row = Enterprise.objects.select_related("park", "industry_chain").get()
    assert row.pk == enterprise.pk
    assert (row.uscc, row.name, row.park, row.industrial_land_mu) == (
        "91350582MA2Y0K9DXF",
        "晋江恒达体育用品有限公司",
        wuli,
        Decimal("126.50"),
    )
    event = AuditEvent.objects.get(object_type="parks.enterprise")
    assert (event.action, event.object_type, event.object_repr) == (
        "create",
        "parks.enterprise",
        "晋江恒达体育用品有限公司",
    )
    assert event.after == ANTA_LIKE_SNAPSHOT


def test_an_enterprise_outside_any_park(city_admin):
    data = EnterpriseInput(
        uscc="914403001922038216", name="泉州华为代工厂有限公司", region_code="350502"
    )

    enterprise = enterprise_create(actor=city_admin, data=data)

    assert (enterprise.park, enterprise.is_above_scale, enterprise.industry_chain) == (
        None,
        False,
        None,
    )


@pytest.mark.parametrize(
    ("change", "messages"),
    [
        ({"uscc": ""}, {"uscc": ["统一社会信用代码不能为空。"]}),
        (
            {"uscc": "91350582MA2Y0K9DX"},
            {"uscc": ["统一社会信用代码应为 18 位，“91350582MA2Y0K9DX”为 17 位。"]},
        ),
        (
            {"uscc": "91350582MA2Y0K9DIF"},
            {"uscc": ["统一社会信用代码只能由数字和除 I、O、Z、S、V 以外的大写字母组成。"]},
        ),
        (
            {"uscc": "913505A2MA2Y0K9DXF"},
            {"uscc": ["统一社会信用代码第 3–8 位是登记管理机关行政区划码，应为数字。"]},
        ),
        (
            {"uscc": "91350582MA2Y0K9DXG"},
            {"uscc": ["统一社会信用代码“91350582MA2Y0K9DXG”校验位不正确，请核对。"]},
        ),
        ({"name": ""}, {"name": ["企业名称不能为空。"]}),
        ({"name": "厂" * 201}, {"name": ["企业名称最长 200 字。"]}),
        ({"park_code": "nowhere"}, {"park": ["未知的园区代码“nowhere”。"]}),
        (
            {"park_code": "", "entered_park_on": dt.date(2020, 1, 1)},
            {"entered_park_on": ["填写入园日期时须同时选择所在园区。"]},
        ),
        (
            {"entered_park_on": dt.date(2031, 1, 1)},
            {"entered_park_on": ["入园日期 2031-01-01 晚于今天，只能填写已发生的日期。"]},
        ),
        (
            {"entered_park_on": dt.date(1900, 1, 1)},
            {"entered_park_on": ["入园日期 1900-01-01 过早，请检查。"]},
        ),
        (
            {"is_above_scale": False},
            {"above_scale_since": ["未标记为规上工业企业时不能填写纳入规上日期。"]},
        ),
        (
            {"above_scale_since": dt.date(2031, 1, 1)},
            {"above_scale_since": ["纳入规上日期 2031-01-01 晚于今天，只能填写已发生的日期。"]},
        ),
        ({"industry_chain_code": "mining"}, {"industry_chain": ["未知的产业链“mining”。"]}),
        (
            {"industrial_land_mu": Decimal("-0.5")},
            {"industrial_land_mu": ["工业用地面积不能为负数。"]},
        ),
        (
            {"region_code": "350527"},
            {"region": ["企业须归属于参与填报的县（市、区）或功能区，“金门县”不可选。"]},
        ),
    ],
)
def test_enterprise_create_refuses_bad_values(city_admin, wuli, change, messages):
    assert _refused(city_admin, replace(ANTA_LIKE, **change)) == messages


def test_the_park_must_lie_in_the_enterprise_region(city_admin, wuli):
    data = replace(ANTA_LIKE, region_code="350581")

    assert _refused(city_admin, data) == {
        "park": ["园区“晋江经济开发区（五里园）”属于晋江市，不能登记为石狮市企业的所在园区。"]
    }


def test_a_credit_code_is_registered_once_without_saying_by_whom(city_admin, lichen_filer, wuli):
    EnterpriseFactory.create(uscc="91350502MA2Y0K9DXK", name="鲤城某企业")
    data = EnterpriseInput(
        uscc="91350502MA2Y0K9DXK", name="泉州另一家有限公司", region_code="350502"
    )

    assert _refused(lichen_filer, data) == {
        "uscc": ["统一社会信用代码“91350502MA2Y0K9DXK”已登记。"]
    }


# --- enterprise_update --------------------------------------------------------------------------


def test_enterprise_update_audits_before_and_after(city_admin, wuli):
    enterprise = enterprise_create(actor=city_admin, data=ANTA_LIKE)
    data = replace(
        ANTA_LIKE, name="晋江恒达体育用品股份有限公司", industrial_land_mu=Decimal("140")
    )

    enterprise_update(actor=city_admin, enterprise=enterprise, data=data)

    row = Enterprise.objects.get()
    assert (row.name, row.industrial_land_mu) == ("晋江恒达体育用品股份有限公司", Decimal("140.00"))
    event = AuditEvent.objects.get(action="update")
    assert event.object_id == str(enterprise.pk)
    assert event.before == ANTA_LIKE_SNAPSHOT
    assert event.after == {
        **ANTA_LIKE_SNAPSHOT,
        "name": "晋江恒达体育用品股份有限公司",
        "industrial_land_mu": "140.00",
    }


def test_enterprise_update_may_keep_its_own_code_but_not_take_another(city_admin, wuli):
    enterprise = enterprise_create(actor=city_admin, data=ANTA_LIKE)
    EnterpriseFactory.create(uscc="91350502MA2Y0K9DXK")

    enterprise_update(actor=city_admin, enterprise=enterprise, data=ANTA_LIKE)
    with pytest.raises(ValidationError) as refusal:
        enterprise_update(
            actor=city_admin,
            enterprise=enterprise,
            data=replace(ANTA_LIKE, uscc="91350502MA2Y0K9DXK"),
        )

    assert refusal.value.message_dict == {"uscc": ["统一社会信用代码“91350502MA2Y0K9DXK”已登记。"]}
    assert Enterprise.objects.get(pk=enterprise.pk).uscc == "91350582MA2Y0K9DXF"


# --- enterprise_enter_park ----------------------------------------------------------------------


@pytest.fixture
def outside(region):
    """An above-scale 晋江 enterprise not in a park."""
    return EnterpriseFactory.create(name="晋江盛达食品有限公司", region=region("350582"))


def test_enter_park_sets_park_and_date(city_admin, wuli, outside):
    enterprise_enter_park(actor=city_admin, enterprise=outside, park=wuli, date=dt.date(2022, 8, 1))

    row = Enterprise.objects.get(pk=outside.pk)
    assert (row.park, row.entered_park_on) == (wuli, dt.date(2022, 8, 1))
    event = AuditEvent.objects.filter(object_type="parks.enterprise").get()
    assert event.before is not None
    assert event.after is not None
    assert (event.before["park"], event.after["park"], event.after["entered_park_on"]) == (
        "",
        "jj-wuli",
        "2022-08-01",
    )


def test_enter_park_once(city_admin, wuli, outside):
    enterprise_enter_park(actor=city_admin, enterprise=outside, park=wuli, date=dt.date(2022, 8, 1))
    other = ParkFactory.create(
        code="jj-andong", name="晋江经济开发区（安东园）", region=wuli.region
    )

    with pytest.raises(ValidationError) as refusal:
        enterprise_enter_park(
            actor=city_admin, enterprise=outside, park=other, date=dt.date(2022, 9, 1)
        )

    assert refusal.value.message_dict == {
        "park": ["该企业已于 2022-08-01 入驻“晋江经济开发区（五里园）”，不能重复登记入园。"]
    }
    assert Enterprise.objects.get(pk=outside.pk).park == wuli


def test_enter_park_refuses_a_park_of_another_region_and_a_future_date(city_admin, outside):
    licheng_park = ParkFactory.create(code="lc-jiangnan", name="江南高新技术产业园区")

    with pytest.raises(ValidationError) as refusal:
        enterprise_enter_park(
            actor=city_admin, enterprise=outside, park=licheng_park, date=dt.date(2031, 1, 1)
        )

    assert refusal.value.message_dict == {
        "park": ["园区“江南高新技术产业园区”属于鲤城区，晋江市的企业不能入驻。"],
        "entered_park_on": ["入园日期 2031-01-01 晚于今天，只能填写已发生的日期。"],
    }
    assert Enterprise.objects.get(pk=outside.pk).park is None
    assert not AuditEvent.objects.filter(object_type="parks.enterprise").exists()


# --- what the database holds to -----------------------------------------------------------------


def _violates(**fields) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseFactory.create(**fields)


def test_database_refuses_an_entry_date_without_a_park():
    _violates(entered_park_on=dt.date(2020, 1, 1))


def test_database_refuses_an_above_scale_date_without_the_flag():
    _violates(is_above_scale=False, above_scale_since=dt.date(2020, 1, 1))


def test_database_refuses_negative_industrial_land():
    _violates(industrial_land_mu=Decimal("-1"))


def test_database_refuses_a_negative_park_area():
    with pytest.raises(IntegrityError), transaction.atomic():
        ParkFactory.create(planned_area_mu=Decimal("-1"))


def test_database_refuses_a_second_enterprise_with_the_same_code():
    EnterpriseFactory.create(uscc="91350502MA2Y0K9DXK")
    _violates(uscc="91350502MA2Y0K9DXK")
