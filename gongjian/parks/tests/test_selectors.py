"""规上工业企业入园率: exact pooled rates by region and date, in one query."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from gongjian.audit.models import AuditEvent
from gongjian.parks.models import Enterprise
from gongjian.parks.selectors import (
    EntryRate,
    enterprise_get,
    park_entry_rate,
    park_list,
    rate_percent,
)
from gongjian.tests.factories import EnterpriseFactory, ParkFactory

pytestmark = pytest.mark.django_db

END_2021 = dt.date(2021, 12, 31)
NOV_2022 = dt.date(2022, 11, 30)
NONE = EntryRate(0, 0, None)


@pytest.fixture
def registry(region):
    """鲤城: few enterprises, mostly in its park, some of them only since 2022. 丰泽: many
    enterprises, a quarter in its park. Pooled, the city is 35%; the mean of the two is 50%."""
    licheng_park = ParkFactory.create(code="lc-jn", name="江南高新技术产业园区")
    fengze_park = ParkFactory.create(code="fz-bf", name="北峰工业区", region=region("350503"))
    # In the park at both dates.
    EnterpriseFactory.create(
        park=licheng_park,
        above_scale_since=dt.date(2019, 1, 1),
        entered_park_on=dt.date(2018, 5, 1),
    )
    # Dates unknown: above-scale and in the park "since before our records".
    EnterpriseFactory.create(park=licheng_park, above_scale_since=None, entered_park_on=None)
    # Above-scale since 2020, entered the park in March 2022.
    EnterpriseFactory.create(
        park=licheng_park,
        above_scale_since=dt.date(2020, 1, 1),
        entered_park_on=dt.date(2022, 3, 15),
    )
    # Gained the flag in June 2022; not in a park.
    EnterpriseFactory.create(above_scale_since=dt.date(2022, 6, 1))
    # In the park, but below scale: never counted.
    EnterpriseFactory.create(
        park=licheng_park,
        is_above_scale=False,
        above_scale_since=None,
        entered_park_on=dt.date(2019, 7, 1),
    )
    for index in range(16):
        in_park = index < 4
        EnterpriseFactory.create(
            region=region("350503"),
            park=fengze_park if in_park else None,
            above_scale_since=dt.date(2018, 1, 1),
            entered_park_on=dt.date(2017, 9, 1) if in_park else None,
        )


def test_pooled_rates_late_2022(registry, region, django_assert_num_queries):
    province = region("350000")
    with django_assert_num_queries(1):
        rates = park_entry_rate(region=province, as_of=NOV_2022)

    assert rates["350502"] == EntryRate(3, 4, Decimal("75.00"))
    assert rates["350503"] == EntryRate(4, 16, Decimal("25.00"))
    # 7 / 20, not (75 + 25) / 2.
    assert rates["350500"] == EntryRate(7, 20, Decimal("35.00"))
    assert rates["350000"] == EntryRate(7, 20, Decimal("35.00"))


def test_pooled_rates_at_the_end_of_2021(registry, region):
    rates = park_entry_rate(region=region("350000"), as_of=END_2021)

    # The March 2022 entry is not in yet; the June 2022 enterprise was not above-scale yet.
    assert rates["350502"] == EntryRate(2, 3, Decimal("66.67"))
    assert rates["350503"] == EntryRate(4, 16, Decimal("25.00"))
    # 6 / 19 = 31.578…%; the mean of the districts' rates would be 45.83%.
    assert rates["350500"] == EntryRate(6, 19, Decimal("31.58"))


def test_every_region_of_the_subtree_in_order_with_no_rate_where_empty(registry, region):
    rates = park_entry_rate(region=region("350500"), as_of=NOV_2022)

    assert list(rates) == [
        "350500",
        "350502",
        "350503",
        "350504",
        "350505",
        "350521",
        "350524",
        "350525",
        "350526",
        "350527",
        "350581",
        "350582",
        "350583",
        "QZ-TZQ",
        "QZ-JKQ",
    ]
    assert rates["350527"] == NONE
    assert rates["QZ-TZQ"] == NONE


def test_a_district_root_is_its_own_subtree(registry, region):
    assert park_entry_rate(region=region("350502"), as_of=NOV_2022) == {
        "350502": EntryRate(3, 4, Decimal("75.00"))
    }


def test_before_any_recorded_date_only_the_undated_enterprise_counts(registry, region):
    rates = park_entry_rate(region=region("350500"), as_of=dt.date(2015, 1, 1))

    assert rates["350502"] == EntryRate(1, 1, Decimal("100.00"))
    assert rates["350503"] == NONE
    assert rates["350500"] == EntryRate(1, 1, Decimal("100.00"))


def test_the_queryset_helpers_agree(registry):
    above = Enterprise.objects.above_scale_on(NOV_2022)
    assert above.count() == 20
    assert above.in_park_on(NOV_2022).count() == 7
    assert Enterprise.objects.above_scale_on(END_2021).in_park_on(END_2021).count() == 6


@pytest.mark.parametrize(
    ("numerator", "denominator", "rate"),
    [
        (1, 8, Decimal("12.50")),
        (2, 3, Decimal("66.67")),
        (1, 800, Decimal("0.13")),  # 0.125 rounds half up
        (468, 1570, Decimal("29.81")),
        (0, 5, Decimal("0.00")),
        (5, 5, Decimal("100.00")),
        (0, 0, None),
    ],
)
def test_rate_percent(numerator, denominator, rate):
    assert rate_percent(numerator, denominator) == rate


def test_park_list_counts_each_parks_enterprises_within_scope(registry, lichen_filer):
    parks = park_list(user=lichen_filer)

    assert [(p.code, p.enterprise_count) for p in parks] == [("lc-jn", 4)]


def test_an_enterprise_outside_the_scope_is_not_found_and_the_attempt_audited(
    registry, fengze_filer
):
    licheng = Enterprise.objects.filter(region__code="350502").first()
    assert licheng is not None
    own = Enterprise.objects.filter(region__code="350503").first()
    assert own is not None

    assert enterprise_get(user=fengze_filer, pk=own.pk) == own
    with pytest.raises(Http404):
        enterprise_get(user=fengze_filer, pk=licheng.pk)

    assert list(AuditEvent.objects.values_list("action", "object_id", "message")) == [
        ("denied", str(licheng.pk), "访问范围之外的对象。")
    ]
