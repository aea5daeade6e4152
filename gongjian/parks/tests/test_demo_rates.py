"""入园率 over the demo roster alone (no projects): the figures the campaign's targets start from.

The city target is 50% in 2023; 晋江's is at least 60% within three years of its 29.81% baseline.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.demo.services import demo_parks_load
from gongjian.parks.models import Enterprise, Park
from gongjian.parks.selectors import EntryRate, park_entry_rate
from gongjian.regions.models import Region

pytestmark = pytest.mark.django_db

BASELINE = dt.date(2021, 12, 31)
DEMO_DATE = dt.date(2022, 11, 30)


@pytest.fixture
def roster():
    assert demo_parks_load() == (61, 7105)


def test_city_and_jinjiang_at_the_baseline_and_on_the_demo_date(roster, django_assert_num_queries):
    city = Region.objects.get(code="350500")

    with django_assert_num_queries(1):
        baseline = park_entry_rate(region=city, as_of=BASELINE)
    latest = park_entry_rate(region=city, as_of=DEMO_DATE)

    assert (baseline["350500"], baseline["350582"]) == (
        EntryRate(2405, 6075, Decimal("39.59")),
        EntryRate(476, 1597, Decimal("29.81")),
    )
    assert (latest["350500"], latest["350582"]) == (
        EntryRate(2794, 6450, Decimal("43.32")),
        EntryRate(580, 1700, Decimal("34.12")),
    )


def test_the_province_pools_the_same_rows_as_the_city(roster):
    province = park_entry_rate(region=Region.objects.get(code="350000"), as_of=DEMO_DATE)

    assert province["350000"] == province["350500"] == EntryRate(2794, 6450, Decimal("43.32"))


def test_loading_the_roster_again_replaces_it(roster):
    assert demo_parks_load() == (61, 7105)

    assert (Park.objects.count(), Enterprise.objects.count()) == (61, 7105)
    assert Enterprise.objects.above_scale_on(DEMO_DATE).in_park_on(DEMO_DATE).count() == 2794
