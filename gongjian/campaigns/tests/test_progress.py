"""Progress of targets at an as-of date: completion, 序时进度, ahead/behind, forecast, status, met;
who sees which targets; the number of queries; and that the numbers are live."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.accounts.scopes import memberships_of
from gongjian.campaigns.progress import time_elapsed
from gongjian.campaigns.selectors import (
    campaign_progress,
    target_progress_document,
)
from gongjian.campaigns.tests.conftest import report
from gongjian.core.periods import ElapsedBasis
from gongjian.projects.services import project_record_stage, stage_event_confirm
from gongjian.reporting.services import (
    ReportInput,
    report_approve,
    report_save,
    report_submit,
)
from gongjian.tests.factories import (
    CampaignFactory,
    EnterpriseFactory,
    IndicatorFactory,
    ParkFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

END_OF_NOVEMBER = dt.date(2022, 11, 30)
PLAN = ["0.05", "0.1", "0.15", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"]


@pytest.fixture
def campaign(db):
    return CampaignFactory.create()


@pytest.fixture
def key_project(region):
    """A 鲤城 key project with 8000.00 万元 approved in 2022 up to November (700 a month, then
    1000 in November)."""
    project = ProjectFactory.create(code="LC-9", total_investment=Decimal("500000.00"))
    for number in range(1, 11):
        report(project, 2022, number, "700.00")
    report(project, 2022, 11, "1000.00")
    return project


@pytest.fixture
def history(key_project):
    """2021: 6000 万元 by the end of November, 4000 in December (60 % by this point)."""
    for number in range(1, 11):
        report(key_project, 2021, number, "500.00")
    report(key_project, 2021, 11, "1000.00")
    report(key_project, 2021, 12, "4000.00")


def _one(campaign, user, as_of=END_OF_NOVEMBER):
    (item,) = campaign_progress(campaign=campaign, as_of=as_of, user=user).targets
    return target_progress_document(item)


def _figures(document, *keys):
    return tuple(document[key] for key in keys)


FIGURES = (
    "actual_value",
    "completion",
    "time_elapsed",
    "ahead_points",
    "forecast_value",
    "forecast_method",
    "status",
    "met",
)


def test_a_city_target_at_the_end_of_november(campaign, key_project, city_admin):
    TargetFactory.create(campaign=campaign, value=Decimal("10000.00"))

    document = _one(campaign, city_admin)

    assert document == {
        "indicator": "在建重点项目完成投资",
        "indicator_code": "key-investment",
        "action": None,
        "action_code": None,
        "region_code": "350500",
        "region_name": "泉州市",
        "period_start": "2022-01-01",
        "period_end": "2022-12-31",
        "comparator": "≥",
        "target_value": "10000.00",
        "unit": "万元",
        "actual_value": "8000.00",
        "baseline_value": None,
        "completion": "0.8000",
        "time_elapsed": "0.9151",  # 334 / 365
        "ahead_points": "-11.51",
        "forecast_value": "8742.51",  # 8000 × 365 / 334
        "forecast_method": "linear",
        "status": "yellow",
        "met": False,
    }


def test_time_elapsed_counts_days_including_the_as_of_day():
    target = TargetFactory.build()

    assert time_elapsed(target, END_OF_NOVEMBER) == Decimal(334) / Decimal(365)
    assert time_elapsed(target, dt.date(2022, 1, 1)) == Decimal(1) / Decimal(365)
    assert time_elapsed(target, dt.date(2021, 12, 31)) == Decimal(0)
    assert time_elapsed(target, dt.date(2022, 12, 31)) == Decimal(1)


def test_seasonal_forecast_from_the_previous_year(campaign, key_project, history, city_admin):
    TargetFactory.create(campaign=campaign, value=Decimal("10000.00"))

    document = _one(campaign, city_admin)

    # Last year 6000 of 10000 (60 %) had come in by the end of November: 8000 / 0.6.
    assert _figures(document, "actual_value", "forecast_value", "forecast_method") == (
        "8000.00",
        "13333.33",
        "seasonal",
    )


def test_a_district_forecast_is_paced_by_the_city_and_never_exceeds_it(
    campaign, key_project, history, region, city_admin
):
    """鲤城 reached 60 % of 2021 by November, 丰泽 100 % (10000 in June): the city's pooled pace
    is 16000 / 20000 = 0.8. With 8000 (鲤城) and 2000 (丰泽) in 2022, the city forecasts
    10000 / 0.8 = 12500; 鲤城 by its own pace would forecast 8000 / 0.6 = 13333.33, above the
    city, so the districts read the city's pace: 8000 / 0.8 = 10000 and 2000 / 0.8 = 2500."""
    fengze = ProjectFactory.create(code="FZ-9", region=region("350503"))
    report(fengze, 2021, 6, "10000.00")
    report(fengze, 2022, 6, "2000.00")
    city = TargetFactory.create(campaign=campaign, value=Decimal("20000.00"))
    for code, value in (("350502", "15000.00"), ("350503", "5000.00")):
        TargetFactory.create(
            campaign=campaign,
            indicator=city.indicator,
            region=region(code),
            value=Decimal(value),
            parent=city,
        )

    progress = campaign_progress(campaign=campaign, as_of=END_OF_NOVEMBER, user=city_admin)

    assert [
        (item.target.region.code, str(item.actual), str(item.forecast), item.forecast_method)
        for item in progress.targets
    ] == [
        ("350500", "10000.00", "12500.00", "seasonal"),
        ("350502", "8000.00", "10000.00", "seasonal"),
        ("350503", "2000.00", "2500.00", "seasonal"),
    ]


def test_a_plan_curve_sets_the_time_elapsed(campaign, key_project, city_admin):
    TargetFactory.create(campaign=campaign, value=Decimal("10000.00"), plan_curve=PLAN)

    end = _one(campaign, city_admin)
    middle = _one(campaign, city_admin, as_of=dt.date(2022, 11, 15))

    assert _figures(end, *FIGURES) == (
        "8000.00", "0.8000", "0.9000", "-10.00", "8888.89", "linear", "yellow", False
    )  # fmt: skip
    # Half of November's 0.8 → 0.9 step; November's approved report already counts.
    assert _figures(middle, *FIGURES) == (
        "8000.00", "0.8000", "0.8500", "-5.00", "9411.76", "linear", "green", False
    )  # fmt: skip


def test_a_campaign_counting_by_months(campaign, key_project, city_admin):
    campaign.elapsed_basis = ElapsedBasis.MONTHS
    campaign.save(update_fields=["elapsed_basis"])
    TargetFactory.create(campaign=campaign, value=Decimal("10000.00"))

    document = _one(campaign, city_admin)
    middle = _one(campaign, city_admin, as_of=dt.date(2022, 11, 15))

    # November is month 11 of 12 from its first day: 0.9167, 80 % − 91.67 % = −11.67 points,
    # and the linear forecast 8000 × 12 / 11.
    assert _figures(document, *FIGURES) == (
        "8000.00", "0.8000", "0.9167", "-11.67", "8727.27", "linear", "yellow", False
    )  # fmt: skip
    assert _figures(middle, "time_elapsed", "ahead_points") == ("0.9167", "-11.67")


def test_a_plan_curve_by_months_takes_the_month_end_point(campaign, key_project, city_admin):
    campaign.elapsed_basis = ElapsedBasis.MONTHS
    campaign.save(update_fields=["elapsed_basis"])
    TargetFactory.create(campaign=campaign, value=Decimal("10000.00"), plan_curve=PLAN)

    middle = _one(campaign, city_admin, as_of=dt.date(2022, 11, 15))

    assert _figures(middle, "time_elapsed", "ahead_points", "status") == (
        "0.9000",
        "-10.00",
        "yellow",
    )


@pytest.mark.parametrize(
    ("value", "completion", "ahead", "status"),
    [
        ("8000.00", "1.0000", "8.49", "green"),
        ("8700.00", "0.9195", "0.45", "green"),
        ("10000.00", "0.8000", "-11.51", "yellow"),
        ("12000.00", "0.6667", "-24.84", "red"),
    ],
)
def test_status_from_the_campaign_thresholds(
    campaign, key_project, city_admin, value, completion, ahead, status
):
    TargetFactory.create(campaign=campaign, value=Decimal(value))

    document = _one(campaign, city_admin)

    assert _figures(document, "completion", "ahead_points", "status") == (
        completion,
        ahead,
        status,
    )


@pytest.mark.parametrize(
    ("value", "green", "yellow", "status"),
    [
        ("10000.00", "-12", None, "green"),
        ("12000.00", "-20", "-30", "yellow"),
        ("8700.00", "1", "0", "yellow"),
        ("8700.00", "1", "0.50", "red"),
    ],
)
def test_a_target_may_set_its_own_thresholds(
    campaign, key_project, city_admin, value, green, yellow, status
):
    TargetFactory.create(
        campaign=campaign,
        value=Decimal(value),
        green_threshold=Decimal(green),
        yellow_threshold=None if yellow is None else Decimal(yellow),
    )

    assert _one(campaign, city_admin)["status"] == status


@pytest.mark.parametrize(
    ("comparator", "met", "ahead", "status"),
    [
        ("≥", True, "8.49", "green"),
        (">", False, "8.49", "green"),
        ("=", True, "8.49", "green"),
        # A cap: 100 % of it used with 91.51 % of the year gone is 8.49 points behind.
        ("≤", True, "-8.49", "yellow"),
        ("<", False, "-8.49", "yellow"),
    ],
)
def test_met_applies_the_comparator_to_the_actual_value(
    campaign, key_project, city_admin, comparator, met, ahead, status
):
    TargetFactory.create(campaign=campaign, value=Decimal("8000.00"), comparator=comparator)

    document = _one(campaign, city_admin)

    assert _figures(document, "completion", "ahead_points", "status", "met") == (
        "1.0000",
        ahead,
        status,
        met,
    )


def test_a_cap_used_more_slowly_than_time_is_ahead(campaign, key_project, city_admin):
    TargetFactory.create(campaign=campaign, value=Decimal("10000.00"), comparator="≤")

    document = _one(campaign, city_admin)

    assert _figures(document, "completion", "ahead_points", "status", "met") == (
        "0.8000",
        "11.51",
        "green",
        True,
    )


@pytest.mark.parametrize(
    ("value", "status", "met"), [("8000.00", "green", True), ("10000.00", "red", False)]
)
def test_once_the_period_is_over_only_the_result_counts(
    campaign, key_project, city_admin, value, status, met
):
    TargetFactory.create(campaign=campaign, value=Decimal(value))

    document = _one(campaign, city_admin, as_of=dt.date(2023, 1, 10))

    assert _figures(document, "time_elapsed", "forecast_value", "forecast_method") == (
        "1.0000",
        "8000.00",
        "final",
    )
    assert _figures(document, "status", "met") == (status, met)


def test_before_the_period_it_is_not_started_never_on_pace(campaign, key_project, city_admin):
    TargetFactory.create(
        campaign=campaign, period_start=dt.date(2023, 1, 1), period_end=dt.date(2023, 12, 31)
    )

    document = _one(campaign, city_admin)

    assert _figures(document, *FIGURES) == (
        "0.00", "0.0000", "0.0000", None, None, None, "not_started", False
    )  # fmt: skip


# --- rates ------------------------------------------------------------------------------------


@pytest.fixture
def park_rate(db):
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
def jinjiang_enterprises(region):
    """10 above-scale enterprises in 晋江: 2 in a park all along, 2 entering on 2022-05-01."""
    jinjiang = region("350582")
    park = ParkFactory.create(code="jj-park", region=jinjiang)
    EnterpriseFactory.create_batch(2, park=park)
    EnterpriseFactory.create_batch(2, park=park, entered_park_on=dt.date(2022, 5, 1))
    EnterpriseFactory.create_batch(6, region=jinjiang)


def test_a_rate_target_progresses_from_its_baseline(
    campaign, park_rate, jinjiang_enterprises, region, city_admin
):
    # 晋江 入园率 ≥ 60 % within three years, from 29.81 %.
    TargetFactory.create(
        campaign=campaign,
        indicator=park_rate,
        region=region("350582"),
        period_end=dt.date(2024, 12, 31),
        value=Decimal("60.00"),
        baseline_value=Decimal("29.81"),
        baseline_date=dt.date(2021, 12, 31),
    )

    document = _one(campaign, city_admin)

    assert _figures(document, "target_value", "unit", "baseline_value", *FIGURES) == (
        "60.00", "%", "29.81",
        "40.00",  # 4 of 10
        "0.3375",  # (40 − 29.81) / (60 − 29.81)
        "0.3047",  # 334 / 1096
        "3.28",
        "63.25",  # 29.81 + 10.19 × 1096 / 334
        "linear", "green", False,
    )  # fmt: skip


def test_a_rate_target_without_baseline_starts_from_the_measured_rate(
    campaign, park_rate, jinjiang_enterprises, city_admin
):
    # The city: 50 % by the end of 2023; at the end of 2021 the rate was 2 of 10.
    TargetFactory.create(
        campaign=campaign,
        indicator=park_rate,
        period_end=dt.date(2023, 12, 31),
        value=Decimal("50.00"),
    )

    document = _one(campaign, city_admin)

    assert _figures(document, "baseline_value", *FIGURES) == (
        "20.00", "40.00", "0.6667", "0.4575", "20.91", "63.71", "linear", "green", False
    )  # fmt: skip


def test_a_rate_with_no_enterprise_has_no_value_and_is_red(campaign, park_rate, city_admin):
    TargetFactory.create(campaign=campaign, indicator=park_rate, value=Decimal("50.00"))

    document = _one(campaign, city_admin)

    assert _figures(document, "baseline_value", *FIGURES) == (
        None, None, None, "0.9151", None, None, None, "red", False
    )  # fmt: skip


# --- scope and queries ------------------------------------------------------------------------


@pytest.fixture
def allocated(campaign, key_project, region):
    """The city target and its allocations to 鲤城 and 丰泽."""
    city = TargetFactory.create(campaign=campaign, value=Decimal("10000.00"))
    for code, value in (("350502", "6000.00"), ("350503", "4000.00")):
        TargetFactory.create(
            campaign=campaign, parent=city, region=region(code), value=Decimal(value)
        )
    return city


@pytest.mark.parametrize(
    ("persona", "regions"),
    [
        ("city_admin", ["350500", "350502", "350503"]),
        ("leader", ["350500", "350502", "350503"]),
        ("lichen_filer", ["350500", "350502"]),
        ("fengze_filer", ["350500", "350503"]),
        ("department", ["350500", "350502", "350503"]),
    ],
)
def test_a_district_sees_the_city_target_and_its_own(request, allocated, persona, regions):
    user = request.getfixturevalue(persona)

    progress = campaign_progress(campaign=allocated.campaign, as_of=END_OF_NOVEMBER, user=user)

    assert [item.target.region.code for item in progress.targets] == regions


def test_someone_without_a_role_sees_no_target(allocated):
    nobody = UserFactory.create(username="nobody")

    progress = campaign_progress(campaign=allocated.campaign, as_of=END_OF_NOVEMBER, user=nobody)

    assert progress.targets == []


def test_district_targets_measure_their_own_rows(allocated, city_admin):
    progress = campaign_progress(
        campaign=allocated.campaign, as_of=END_OF_NOVEMBER, user=city_admin
    )

    assert [
        (item.target.region.code, str(item.actual), str(item.completion))
        for item in progress.targets
    ] == [
        ("350500", "8000.00", "0.8000"),
        ("350502", "8000.00", "1.3333"),
        ("350503", "0.00", "0.0000"),
    ]


def test_one_query_for_the_targets_and_one_per_indicator(
    campaign, key_project, park_rate, jinjiang_enterprises, region, city_admin,
    django_assert_num_queries,
):  # fmt: skip
    started = IndicatorFactory.create(
        code="started",
        name="新开工项目",
        kind="event_count",
        unit="个",
        definition={"source": "stage_events", "stage": "started"},
    )
    districts = ["350502", "350503", "350504", "350505", "350521", "350582", "QZ-TZQ"]
    for indicator, value in ((None, "10000.00"), (started, "170"), (park_rate, "50.00")):
        extra = {} if indicator is None else {"indicator": indicator}
        city = TargetFactory.create(campaign=campaign, value=Decimal(value), **extra)
        for code in districts:
            TargetFactory.create(
                campaign=campaign, parent=city, region=region(code), value=Decimal(1), **extra
            )
    memberships_of(city_admin)  # loaded once per request, before any page reads
    # The targets, the cached evaluations' versions (one for all), one query per indicator.
    with django_assert_num_queries(5):
        progress = campaign_progress(campaign=campaign, as_of=END_OF_NOVEMBER, user=city_admin)

    assert len(progress.targets) == 24


# --- live -------------------------------------------------------------------------------------


def test_an_approval_shows_in_the_next_read(
    campaign, region, lichen_filer, lichen_reviewer, city_reviewer, leader
):
    TargetFactory.create(campaign=campaign, value=Decimal("10000.00"))
    project = ProjectFactory.create(code="LC-LIVE")
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
    period = ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))
    saved, _findings = report_save(
        actor=lichen_filer,
        project=project,
        period=period,
        data=ReportInput(amount=Decimal("1234.50"), progress_text="主体结构封顶"),
        expected_version=None,
    )
    report_submit(actor=lichen_filer, report=saved)
    report_approve(actor=lichen_reviewer, report=saved)
    assert _one(campaign, leader)["actual_value"] == "0.00"  # district-approved does not count

    report_approve(actor=city_reviewer, report=saved)

    assert _figures(_one(campaign, leader), "actual_value", "completion") == ("1234.50", "0.1235")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_confirmed_stage_shows_in_the_next_read(
    campaign, region, lichen_filer, lichen_reviewer, leader
):
    started = IndicatorFactory.create(
        code="started",
        name="新开工项目",
        kind="event_count",
        unit="个",
        definition={"source": "stage_events", "stage": "started"},
    )
    TargetFactory.create(campaign=campaign, indicator=started, value=Decimal(170))
    project = ProjectFactory.create(code="LC-NEW")
    assert _one(campaign, leader)["actual_value"] == "0"

    claim = project_record_stage(
        actor=lichen_filer,
        project=project,
        stage="started",
        date=dt.date(2022, 11, 28),
        evidence=SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
    )

    # A filer's 开工 is a claim (待核实): it counts only once the district reviewer confirms it.
    assert _one(campaign, leader)["actual_value"] == "0"

    stage_event_confirm(actor=lichen_reviewer, event=claim)

    assert _figures(_one(campaign, leader), "actual_value", "completion") == ("1", "0.0059")
