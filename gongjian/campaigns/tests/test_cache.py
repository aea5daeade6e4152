"""Evaluations kept between reads (``campaigns.cache``): reused while no cell under them changes,
never once one has. Outside a test transaction (the cache keeps nothing computed inside one)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from gongjian.campaigns import cache
from gongjian.campaigns.models import IndicatorVersion
from gongjian.campaigns.selectors import campaign_progress
from gongjian.reporting.services import report_approve
from gongjian.tests.factories import (
    CampaignFactory,
    IndicatorFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AS_OF = dt.date(2022, 11, 30)
AMOUNTS = ["1000.00", "234.50", "0.25", "5000.00", "765.25"]


def _actual(campaign, user, as_of=AS_OF) -> str:
    (item,) = campaign_progress(campaign=campaign, as_of=as_of, user=user).targets
    return str(item.actual)


@pytest.fixture
def pending(db):
    """A city target of key-project investment and five district-approved reports of a 鲤城
    key project (2022-01 … 2022-05), none counted yet."""
    campaign = CampaignFactory.create()
    TargetFactory.create(campaign=campaign, value=Decimal("10000.00"))
    project = ProjectFactory.create(code="LC-CACHE")
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 1, 5))
    reports = [
        ProgressReportFactory.create(
            project=project,
            period=ReportingPeriodFactory.create(month=dt.date(2022, number, 1)),
            amount=Decimal(amount),
            status="district_approved",
        )
        for number, amount in enumerate(AMOUNTS, start=1)
    ]
    return campaign, reports


def test_a_read_is_reused_until_an_approval_and_never_shows_the_old_value(
    pending, leader, city_reviewer
):
    campaign, reports = pending
    assert _actual(campaign, leader) == "0.00"
    assert _actual(campaign, leader) == "0.00"
    assert cache.stats() == {"hits": 1, "misses": 1, "entries": 1}

    report_approve(actor=city_reviewer, report=reports[0])
    assert _actual(campaign, leader) == "1000.00"
    report_approve(actor=city_reviewer, report=reports[1])
    assert _actual(campaign, leader) == "1234.50"
    assert _actual(campaign, leader) == "1234.50"

    # Each approval made the kept evaluation unusable: a miss after each, a hit after the last.
    assert cache.stats() == {"hits": 2, "misses": 3, "entries": 3}


def test_an_approval_bumps_its_region_and_those_above_not_its_neighbours(
    pending, city_reviewer, region
):
    _campaign, reports = pending
    indicator = IndicatorFactory.create()

    report_approve(actor=city_reviewer, report=reports[0])
    report_approve(actor=city_reviewer, report=reports[1])

    versions = dict(
        IndicatorVersion.objects.filter(indicator=indicator).values_list("region__code", "version")
    )
    # Created with the indicator (every region at 1), then two approvals in 鲤城.
    assert {code: versions[code] for code in ("350000", "350500", "350502", "350503")} == {
        "350000": 3,
        "350500": 3,
        "350502": 3,
        "350503": 1,
    }


def test_a_stage_date_moved_within_its_month_is_seen_by_a_read_up_to_a_day_in_it(
    db, leader, region
):
    """No cell changes (the month's count is the same), but a read as of the 15th counts the
    month's events from the rows up to that day: the move must still make the kept value go."""
    campaign = CampaignFactory.create()
    started = IndicatorFactory.create(
        code="started",
        name="新开工项目",
        kind="event_count",
        unit="个",
        definition={"source": "stage_events", "stage": "started"},
    )
    TargetFactory.create(campaign=campaign, indicator=started, value=Decimal(10))
    event = StageEventFactory.create(stage="started", date=dt.date(2022, 11, 10))
    mid_month = dt.date(2022, 11, 15)
    assert _actual(campaign, leader, as_of=mid_month) == "1"
    assert _actual(campaign, leader, as_of=mid_month) == "1"

    event.date = dt.date(2022, 11, 20)
    event.save()

    assert _actual(campaign, leader, as_of=mid_month) == "0"


@pytest.mark.postgres
def test_reads_racing_approvals_never_see_an_old_value_after_one(pending, leader, city_reviewer):
    """A reader thread keeps evaluating (and keeping) while the city approves one report after
    another; after each approval returns, the next read shows it."""
    campaign, reports = pending
    stop = threading.Event()
    failures: list[BaseException] = []
    reads = [0]

    def reader() -> None:
        try:
            while not stop.is_set():
                _actual(campaign, leader)
                reads[0] += 1
        except BaseException as error:  # reported below, never swallowed
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=reader)
    thread.start()
    seen = []
    try:
        for report in reports:
            report_approve(actor=city_reviewer, report=report)
            seen.append(_actual(campaign, leader))
    finally:
        stop.set()
        thread.join(timeout=60)

    assert not thread.is_alive()
    assert failures == []
    assert seen == ["1000.00", "1234.50", "1234.75", "6234.75", "7000.00"]


def test_what_is_read_live_is_never_kept(db, leader):
    """Enterprise events (and annual plans) are read from their rows, which change without a
    cell or a version changing: they are evaluated afresh every time."""
    campaign = CampaignFactory.create()
    production = IndicatorFactory.create(
        code="production-started",
        name="新投产企业",
        kind="event_count",
        unit="个",
        definition={"source": "enterprise_events", "event": "production_started"},
    )
    TargetFactory.create(campaign=campaign, indicator=production, value=Decimal(10))

    assert _actual(campaign, leader) == "0"
    assert _actual(campaign, leader) == "0"

    assert cache.stats() == {"hits": 0, "misses": 0, "entries": 0}
