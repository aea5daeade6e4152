"""规上工业企业入园率, a stock ratio: pooled over districts (never an average of percentages), at
each month end and at the as-of day, in one query; its drill-down is the above-scale enterprises."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.campaigns.engine import drilldown, drilldown_value, evaluate
from gongjian.campaigns.tests.conftest import month
from gongjian.parks.selectors import park_entry_rate
from gongjian.tests.factories import EnterpriseFactory, IndicatorFactory, ParkFactory

pytestmark = pytest.mark.django_db

D = Decimal
MONTHS = [month(2022, m) for m in (1, 2, 3, 4)]
END_OF_APRIL = dt.date(2022, 4, 30)


@pytest.fixture
def in_park_rate(db):
    return IndicatorFactory.create(
        code="park-rate",
        name="规上工业企业入园率",
        kind="stock_ratio",
        unit="%",
        definition={
            "source": "enterprises",
            "numerator": {"in_park": True},
            "denominator": {"above_scale": True},
        },
    )


@pytest.fixture
def enterprises(region):
    """鲤城: 3 above-scale, 1 in a park always, 1 entering on 2022-03-10 (and one small firm in
    the park that does not count). 晋江: 10 above-scale with 1 in a park, one more from
    2022-02-15, and one in a park since 2019 that becomes above-scale on 2022-04-10."""
    lichen, jinjiang = region("350502"), region("350582")
    lichen_park = ParkFactory.create(code="lc-park", region=lichen)
    jinjiang_park = ParkFactory.create(code="jj-park", region=jinjiang)
    EnterpriseFactory.create(park=lichen_park, above_scale_since=None, entered_park_on=None)
    EnterpriseFactory.create(park=lichen_park, entered_park_on=dt.date(2022, 3, 10))
    EnterpriseFactory.create(region=lichen)
    EnterpriseFactory.create(park=lichen_park, is_above_scale=False, above_scale_since=None)
    EnterpriseFactory.create_batch(9, region=jinjiang)
    EnterpriseFactory.create(park=jinjiang_park, entered_park_on=dt.date(2021, 6, 1))
    EnterpriseFactory.create(region=jinjiang, above_scale_since=dt.date(2022, 2, 15))
    EnterpriseFactory.create(
        park=jinjiang_park,
        above_scale_since=dt.date(2022, 4, 10),
        entered_park_on=dt.date(2019, 5, 1),
    )


def test_rates_per_district_and_month_and_the_pooled_city_rate(enterprises, in_park_rate, region):
    evaluation = evaluate(
        indicator=in_park_rate, root=region("350500"), months=MONTHS, as_of=END_OF_APRIL
    )

    assert {code: [v for _m, v in evaluation.series(code)] for code in evaluation.regions()} == {
        "350500": [D("15.38"), D("14.29"), D("21.43"), D("26.67")],
        "350502": [D("33.33"), D("33.33"), D("66.67"), D("66.67")],
        "350582": [D("10.00"), D("9.09"), D("9.09"), D("16.67")],
    }
    assert [evaluation.parts("350500", m) for m in MONTHS] == [(2, 13), (2, 14), (3, 14), (4, 15)]


def test_the_city_rate_is_pooled_not_the_average_of_district_rates(
    enterprises, in_park_rate, region
):
    evaluation = evaluate(
        indicator=in_park_rate, root=region("350500"), months=MONTHS, as_of=END_OF_APRIL
    )
    lichen, jinjiang = evaluation.at_as_of("350502"), evaluation.at_as_of("350582")
    assert lichen is not None and jinjiang is not None
    average = (lichen + jinjiang) / 2

    assert evaluation.at_as_of("350500") == D("26.67")  # 4 of 15
    assert average.quantize(D("0.01")) == D("41.67")


@pytest.mark.parametrize(
    ("as_of", "lichen"),
    [(dt.date(2022, 3, 9), D("33.33")), (dt.date(2022, 3, 10), D("66.67"))],
)
def test_the_as_of_day_decides_within_a_month(enterprises, in_park_rate, region, as_of, lichen):
    evaluation = evaluate(indicator=in_park_rate, root=region("350500"), months=MONTHS, as_of=as_of)

    assert evaluation.at_as_of("350502") == lichen
    assert evaluation.value("350502", month(2022, 4)) is None


def test_a_region_without_enterprises_has_no_rate(enterprises, in_park_rate, region):
    evaluation = evaluate(
        indicator=in_park_rate, root=region("350500"), months=MONTHS, as_of=END_OF_APRIL
    )

    assert evaluation.at_as_of("350503") is None


def test_one_query_for_every_region_and_month(
    enterprises, in_park_rate, region, django_assert_num_queries
):
    province = region("350000")
    # The cached evaluations' version at the root (1), the cells (1).
    with django_assert_num_queries(2):
        evaluation = evaluate(
            indicator=in_park_rate, root=province, months=MONTHS, as_of=END_OF_APRIL
        )
        for code in ("350000", "350500", "350502", "350582"):
            evaluation.series(code)


def test_drilldown_is_the_above_scale_enterprises_and_adds_up(
    enterprises, in_park_rate, region, city_admin
):
    city = region("350500")
    rows = drilldown(
        indicator=in_park_rate,
        region=city,
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2023, 12, 31),
        as_of=END_OF_APRIL,
        user=city_admin,
    )

    assert (len(rows), sum(r.in_park for r in rows)) == (15, 4)
    assert sorted({r.region.code for r in rows}) == ["350502", "350582"]
    assert drilldown_value(indicator=in_park_rate, rows=rows) == D("26.67")
    assert drilldown_value(indicator=in_park_rate, rows=rows) == evaluate(
        indicator=in_park_rate, root=city, months=MONTHS, as_of=END_OF_APRIL
    ).at_as_of(city)


@pytest.mark.parametrize("as_of", [dt.date(2022, 1, 31), dt.date(2022, 3, 9), END_OF_APRIL])
def test_the_engine_agrees_with_the_parks_registry_rate(enterprises, in_park_rate, region, as_of):
    city = region("350500")
    evaluation = evaluate(indicator=in_park_rate, root=city, months=MONTHS, as_of=as_of)

    registry = park_entry_rate(region=city, as_of=as_of)

    assert {code: evaluation.at_as_of(code) for code in registry} == {
        code: rate.rate for code, rate in registry.items()
    }


def test_the_stock_before_the_window_is_one_opening_bucket(enterprises, in_park_rate, region):
    evaluation = evaluate(
        indicator=in_park_rate, root=region("350500"), months=MONTHS, as_of=END_OF_APRIL
    )

    # At the end of December 2021 (the month before the window): what a target starts from.
    assert evaluation.parts("350500", month(2021, 12)) == (2, 13)
    assert evaluation.rate("350582", month(2021, 12)) == D("10.00")
    with pytest.raises(ValueError):
        evaluation.parts("350500", month(2021, 11))
