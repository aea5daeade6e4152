"""A small campaign the assessment tests score with exact numbers.

Three districts have targets: 鲤城 and 丰泽 (城区), 晋江 (县域). Two indicators:

* 在建重点项目完成投资 (flow sum of city-approved reports): targets 鲤城 4000, 丰泽 4000,
  晋江 2000 万元; approved reports Jan–Mar: 鲤城 1500 + 1500 + 1000 = 4000 (100%), 丰泽
  2000 + 1000 + 1000 = 4000 (100%), 晋江 500 + (none in Feb) + 500 = 1000 (50%).
* 新开工重点项目 (count of started events): targets 鲤城 2, 丰泽 1, 晋江 1; one start each in
  January: 鲤城 50%, 丰泽 100%, 晋江 100%.

Lateness, counted on 2022-04-10 (every period's due date, the 5th of the next month, has
passed): 鲤城's February report was submitted 2022-03-08 (3 days late) and its March report
2022-04-05 23:30 (on the due date: on time); 晋江 never filed February (36 days late by 04-10).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gongjian.assessment.models import Rubric
from gongjian.assessment.services import RubricInput, RubricItemInput
from gongjian.campaigns.models import Campaign, Indicator
from gongjian.regions.models import Region
from gongjian.tests.factories import (
    CampaignFactory,
    IndicatorFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
    TargetFactory,
)

MARCH = dt.date(2022, 3, 1)
COUNTED_ON = dt.date(2022, 4, 10)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


@dataclass
class Ledger:
    campaign: Campaign
    investment: Indicator
    started: Indicator


@pytest.fixture
def ledger(db) -> Ledger:
    campaign = CampaignFactory.create()
    investment = IndicatorFactory.create()
    started = IndicatorFactory.create(
        code="key-started",
        name="新开工重点项目",
        kind="event_count",
        unit="个",
        definition={
            "source": "stage_events",
            "stage": "started",
            "categories": ["key-construction"],
        },
    )
    city = Region.objects.get(code="350500")
    parents = {
        investment: TargetFactory.create(
            campaign=campaign, indicator=investment, region=city, value=Decimal("10000.00")
        ),
        started: TargetFactory.create(
            campaign=campaign, indicator=started, region=city, value=Decimal("4")
        ),
    }
    for code, money, count in (("350502", "4000", 2), ("350503", "4000", 1), ("350582", "2000", 1)):
        region = Region.objects.get(code=code)
        TargetFactory.create(
            campaign=campaign,
            indicator=investment,
            region=region,
            value=Decimal(money),
            parent=parents[investment],
        )
        TargetFactory.create(
            campaign=campaign,
            indicator=started,
            region=region,
            value=Decimal(count),
            parent=parents[started],
        )
    periods = [ReportingPeriodFactory.create(month=dt.date(2022, m, 1)) for m in (1, 2, 3)]
    projects = {}
    for code, region_code in (("LC-1", "350502"), ("FZ-1", "350503"), ("JJ-1", "350582")):
        projects[code] = ProjectFactory.create(
            code=code, region=Region.objects.get(code=region_code)
        )
        StageEventFactory.create(project=projects[code], stage="started", date=dt.date(2022, 1, 10))
    filed = [
        ("LC-1", 0, "1500", at(2022, 2, 3)),
        ("LC-1", 1, "1500", at(2022, 3, 8)),
        ("LC-1", 2, "1000", at(2022, 4, 5, 23, 30)),
        ("FZ-1", 0, "2000", at(2022, 2, 4)),
        ("FZ-1", 1, "1000", at(2022, 3, 4)),
        ("FZ-1", 2, "1000", at(2022, 4, 1)),
        ("JJ-1", 0, "500", at(2022, 2, 5)),
        ("JJ-1", 2, "500", at(2022, 4, 2)),
    ]
    for code, index, amount, submitted in filed:
        ProgressReportFactory.create(
            project=projects[code],
            period=periods[index],
            amount=Decimal(amount),
            status="city_approved",
            submitted_at=submitted,
        )
    return Ledger(campaign=campaign, investment=investment, started=started)


def rubric_input(**overrides) -> RubricInput:
    values: dict[str, Any] = {
        "code": "district-2022",
        "name": "2022年县（市、区）项目攻坚考核办法",
        "effective_from": dt.date(2022, 1, 1),
        "basis": "completion",
        "late_mode": "per_report",
        "late_points": Decimal("2"),
        "late_cap": Decimal("10"),
    }
    values.update(overrides)
    return RubricInput(**values)


INVESTMENT_ITEM = RubricItemInput(
    indicator_code="key-investment", weight=Decimal("60"), method="linear", params={"cap": "1.2"}
)
STARTED_ITEM = RubricItemInput(
    indicator_code="key-started",
    weight=Decimal("40"),
    method="bands",
    params={
        "bands": [{"from": "1", "points": "40"}, {"from": "0.5", "points": "20"}],
        "penalty": "5",
    },
    sort_order=1,
)


@pytest.fixture
def published_rubric(ledger, city_admin) -> Rubric:
    """Version 1 of the rubric, published: investment linear to 120% (60), starts in bands (40),
    2 points per late report up to 10."""
    from gongjian.assessment.services import rubric_create, rubric_item_add, rubric_publish

    rubric = rubric_create(actor=city_admin, campaign=ledger.campaign, data=rubric_input())
    rubric_item_add(actor=city_admin, rubric=rubric, data=INVESTMENT_ITEM)
    rubric_item_add(actor=city_admin, rubric=rubric, data=STARTED_ITEM)
    return rubric_publish(actor=city_admin, rubric=rubric)
