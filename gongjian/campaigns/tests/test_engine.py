"""The engine: each kind over the hand-made ledger, exact per region and month; one query per
indicator whatever the regions and months; drill-down rows add up to the evaluated number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.campaigns.definitions import DefinitionError
from gongjian.campaigns.engine import drilldown, drilldown_value, evaluate
from gongjian.campaigns.tests.conftest import month
from gongjian.core.periods import months_between
from gongjian.tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

Q1_AND_APRIL = [month(2022, m) for m in (1, 2, 3, 4)]
END_OF_MARCH = dt.date(2022, 3, 31)
D = Decimal


def _table(evaluation, codes):
    return {code: [value for _m, value in evaluation.series(code)] for code in codes}


def test_flow_sum_of_approved_key_project_reports_per_district_and_month(
    ledger, key_investment, region
):
    evaluation = evaluate(
        indicator=key_investment, root=region("350500"), months=Q1_AND_APRIL, as_of=END_OF_MARCH
    )

    assert _table(evaluation, ["350500", "350502", "350503", "350582"]) == {
        "350500": [D("3000.00"), D("4800.75"), D("5800.74"), None],
        "350502": [D("1000.00"), D("2800.75"), D("2800.75"), None],
        "350503": [D("2000.00"), D("2000.00"), D("2999.99"), None],
        "350582": [D(0), D(0), D(0), None],
    }
    assert evaluation.at_as_of("350500") == D("5800.74")
    assert evaluation.regions() == ["350500", "350502", "350503"]


def test_a_city_is_the_sum_of_its_districts_in_every_month(ledger, key_investment, region):
    evaluation = evaluate(
        indicator=key_investment,
        root=region("350000"),
        months=Q1_AND_APRIL,
        as_of=dt.date(2022, 4, 30),
    )

    for each in Q1_AND_APRIL:
        first = Q1_AND_APRIL[0]
        districts = evaluation.total("350502", first, each) + evaluation.total(
            "350503", first, each
        )
        assert evaluation.value("350500", each) == districts
        assert evaluation.value("350000", each) == districts
    assert evaluation.value("350500", month(2022, 4)) == D("5923.74")


def test_the_as_of_month_counts_its_approved_report(ledger, key_investment, region):
    # A month's report is dated by its month: on 1 April, April's approved report counts.
    evaluation = evaluate(
        indicator=key_investment,
        root=region("350500"),
        months=Q1_AND_APRIL,
        as_of=dt.date(2022, 4, 1),
    )

    assert evaluation.value("350503", month(2022, 4)) == D("3122.99")


def test_event_count_of_started_projects_up_to_the_as_of_day(ledger, started, region):
    before = evaluate(
        indicator=started, root=region("350500"), months=Q1_AND_APRIL, as_of=END_OF_MARCH
    )
    on_the_day = evaluate(
        indicator=started, root=region("350500"), months=Q1_AND_APRIL, as_of=dt.date(2022, 4, 1)
    )

    assert _table(before, ["350500", "350502", "350503"]) == {
        "350500": [D(1), D(2), D(2), None],
        "350502": [D(1), D(2), D(2), None],
        "350503": [D(0), D(0), D(0), None],
    }
    assert _table(on_the_day, ["350500", "350503"]) == {
        "350500": [D(1), D(2), D(2), D(3)],
        "350503": [D(0), D(0), D(0), D(1)],
    }


def test_event_count_filtered_by_total_investment_counts_from_the_window_start(
    ledger, big_signed, region
):
    # LC-1 (25 亿元) was signed in November 2021; LC-2 (199999.99 万元) falls below 20 亿元.
    in_2022 = evaluate(
        indicator=big_signed,
        root=region("350500"),
        months=[month(2022, m) for m in (1, 2, 3)],
        as_of=END_OF_MARCH,
    )
    from_november = evaluate(
        indicator=big_signed,
        root=region("350500"),
        months=months_between(month(2021, 11), month(2022, 3)),
        as_of=END_OF_MARCH,
    )

    assert [v for _m, v in in_2022.series("350500")] == [D(0), D(1), D(1)]
    assert [v for _m, v in from_november.series("350500")] == [D(1), D(1), D(1), D(2), D(2)]


def test_event_sum_of_signed_total_investment(ledger, signed_investment, region):
    evaluation = evaluate(
        indicator=signed_investment,
        root=region("350500"),
        months=[month(2022, m) for m in (1, 2, 3)],
        as_of=END_OF_MARCH,
    )
    day_before = evaluate(
        indicator=signed_investment,
        root=region("350500"),
        months=[month(2022, m) for m in (1, 2, 3)],
        as_of=dt.date(2022, 3, 30),
    )

    assert _table(evaluation, ["350500", "350502", "350503", "350582"]) == {
        "350500": [D("199999.99"), D("399999.99"), D("480000.49")],
        "350502": [D("199999.99"), D("199999.99"), D("199999.99")],
        "350503": [D(0), D("200000.00"), D("200000.00")],
        "350582": [D(0), D(0), D("80000.50")],
    }
    assert day_before.value("350500", month(2022, 3)) == D("399999.99")


def test_a_district_root_sees_only_its_subtree(ledger, key_investment, region):
    evaluation = evaluate(
        indicator=key_investment, root=region("350502"), months=Q1_AND_APRIL, as_of=END_OF_MARCH
    )

    assert evaluation.regions() == ["350502"]
    assert evaluation.at_as_of("350502") == D("2800.75")
    assert evaluation.at_as_of("350500") == D(0)


def test_a_window_after_the_as_of_date_is_empty_without_a_query(
    ledger, key_investment, region, django_assert_num_queries
):
    city = region("350500")
    with django_assert_num_queries(0):
        evaluation = evaluate(
            indicator=key_investment, root=city, months=[month(2023, 1)], as_of=END_OF_MARCH
        )

    assert evaluation.series("350500") == [(month(2023, 1), None)]


@pytest.mark.parametrize(
    "months",
    [
        [month(2022, 1)],
        months_between(month(2022, 1), month(2022, 12)),
        months_between(month(2018, 1), month(2022, 12)),
    ],
    ids=["1 month", "12 months", "60 months"],
)
@pytest.mark.parametrize("root_code", ["350000", "350500", "350502"])
@pytest.mark.parametrize("fixture", ["key_investment", "started", "signed_investment"])
def test_one_query_per_indicator_whatever_the_regions_and_months(
    request, ledger, region, django_assert_num_queries, months, root_code, fixture
):
    indicator = request.getfixturevalue(fixture)
    root = region(root_code)

    # The cached evaluations' version at the root (1), the cells (1).
    with django_assert_num_queries(2):
        evaluation = evaluate(indicator=indicator, root=root, months=months, as_of=END_OF_MARCH)
        for code in ["350000", "350500", "350502", "350503", "350582"]:
            evaluation.series(code)


def test_an_invalid_stored_definition_is_refused_not_guessed(ledger, region):
    broken = IndicatorFactory.create(
        code="broken", definition={"source": "reports", "measure": "amount", "filter": "x"}
    )

    with pytest.raises(DefinitionError) as raised:
        evaluate(indicator=broken, root=region("350500"), months=Q1_AND_APRIL, as_of=END_OF_MARCH)

    assert raised.value.messages == [
        "“filter”不是流量合计指标的定义项（可用：source、measure、categories、"
        "min_total_investment）。"
    ]


# --- drill-down -------------------------------------------------------------------------------


def test_drilldown_lists_exactly_the_reports_behind_the_city_number(
    ledger, key_investment, region, city_admin
):
    city = region("350500")
    evaluated = evaluate(
        indicator=key_investment, root=city, months=Q1_AND_APRIL, as_of=END_OF_MARCH
    ).at_as_of(city)

    rows = drilldown(
        indicator=key_investment,
        region=city,
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2022, 12, 31),
        as_of=END_OF_MARCH,
        user=city_admin,
    )

    assert [(r.project.code, f"{r.period.month:%Y-%m}", r.amount) for r in rows] == [
        ("FZ-1", "2022-01", D("2000.00")),
        ("LC-1", "2022-01", D("1000.00")),
        ("LC-1", "2022-02", D("1500.50")),
        ("LC-2", "2022-02", D("300.25")),
        ("FZ-1", "2022-03", D("999.99")),
    ]
    assert drilldown_value(indicator=key_investment, rows=rows) == evaluated == D("5800.74")


@pytest.mark.parametrize(
    ("fixture", "expected_rows", "value"),
    [
        ("started", ["LC-1 2022-01-15", "LC-2 2022-02-28"], D(2)),
        ("big_signed", ["FZ-1 2022-02-01"], D(1)),
        (
            "signed_investment",
            ["LC-2 2022-01-31", "FZ-1 2022-02-01", "JJ-1 2022-03-31"],
            D("480000.49"),
        ),
    ],
)
def test_drilldown_of_events_adds_up_to_the_evaluated_value(
    request, ledger, region, city_admin, fixture, expected_rows, value
):
    indicator = request.getfixturevalue(fixture)
    city = region("350500")
    evaluated = evaluate(
        indicator=indicator, root=city, months=Q1_AND_APRIL, as_of=END_OF_MARCH
    ).at_as_of(city)

    rows = drilldown(
        indicator=indicator,
        region=city,
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2022, 12, 31),
        as_of=END_OF_MARCH,
        user=city_admin,
    )

    assert [f"{e.project.code} {e.date}" for e in rows] == expected_rows
    assert drilldown_value(indicator=indicator, rows=rows) == evaluated == value


def test_drilldown_for_a_district_user_is_limited_to_its_rows(
    ledger, key_investment, region, lichen_filer
):
    rows = drilldown(
        indicator=key_investment,
        region=region("350500"),
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2022, 12, 31),
        as_of=END_OF_MARCH,
        user=lichen_filer,
    )

    assert sorted({r.project.code for r in rows}) == ["LC-1", "LC-2"]
    assert drilldown_value(indicator=key_investment, rows=rows) == D("2800.75")
