"""The Quanzhou region tree seeded by migration: reporting units, 金门县, assessment groups."""

from __future__ import annotations

import pytest

from gongjian.regions.models import AssessmentGroup, Region
from gongjian.regions.selectors import region_list_reporting

pytestmark = pytest.mark.django_db

REPORTING_UNITS = [
    ("350502", "鲤城区", "county"),
    ("350503", "丰泽区", "county"),
    ("350504", "洛江区", "county"),
    ("350505", "泉港区", "county"),
    ("350521", "惠安县", "county"),
    ("350524", "安溪县", "county"),
    ("350525", "永春县", "county"),
    ("350526", "德化县", "county"),
    ("350581", "石狮市", "county"),
    ("350582", "晋江市", "county"),
    ("350583", "南安市", "county"),
    ("QZ-TZQ", "泉州台商投资区", "zone"),
    ("QZ-JKQ", "泉州经济技术开发区", "zone"),
]


def test_thirteen_reporting_units_in_official_order():
    units = region_list_reporting()

    assert [(r.code, r.name, r.kind) for r in units] == REPORTING_UNITS


def test_every_reporting_unit_sits_directly_under_quanzhou():
    city = Region.objects.get(code="350500")

    assert {r.parent_id for r in region_list_reporting()} == {city.pk}
    assert Region.objects.get(code="350502").path == "/350000/350500/350502/"
    assert Region.objects.get(code="QZ-TZQ").path == "/350000/350500/QZ-TZQ/"


def test_kinmen_is_on_the_map_but_reports_nothing():
    kinmen = Region.objects.get(code="350527")

    assert (kinmen.name, kinmen.kind) == ("金门县", "county")
    assert kinmen.parent == Region.objects.get(code="350500")
    assert kinmen.is_reporting is False
    assert kinmen.assessment_group is None
    assert kinmen not in region_list_reporting()


def test_province_and_city_do_not_report():
    assert list(
        Region.objects.filter(code__in=["350000", "350500"])
        .order_by("path")
        .values_list("code", "kind", "is_reporting")
    ) == [("350000", "province", False), ("350500", "city", False)]
    assert Region.objects.count() == 16


def test_assessment_groups_and_their_members():
    members = {
        group.name: [r.code for r in group.regions.order_by("sort_order")]
        for group in AssessmentGroup.objects.all()
    }

    assert members == {
        "城区": ["350502", "350503", "350504", "350505", "QZ-TZQ", "QZ-JKQ"],
        "县域": ["350521", "350524", "350525", "350526", "350581", "350582", "350583"],
    }


def test_reporting_units_within_a_region():
    city = Region.objects.get(code="350500")
    licheng = Region.objects.get(code="350502")

    assert region_list_reporting(within=city).count() == 13
    assert [r.code for r in region_list_reporting(within=licheng)] == ["350502"]
    assert city.contains(licheng) is True
    assert licheng.contains(city) is False
    assert licheng.contains(licheng) is True
