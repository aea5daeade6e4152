"""A small campaign the dashboard tests read, with exact figures at 2022-11-30.

Two indicators under two special actions, each with a city target and allocations to 鲤城 and
丰泽:

* 在建重点项目完成投资 (项目攻坚): 泉州 ≥ 10000, 鲤城 ≥ 6000, 丰泽 ≥ 4000 万元. City-approved
  reports: LC-1 500 a month January–October (5000), FZ-1 1000 in March and in June (2000);
  LC-2's November report is only district-approved and does not count.
* 新开工重点项目 (抓开放招商促项目落地): 泉州 ≥ 4, 鲤城 ≥ 2, 丰泽 ≥ 2. Started: LC-1 2022-02-10,
  LC-2 2022-08-01, FZ-1 2022-05-05.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.campaigns.tests.conftest import report
from gongjian.regions.models import Region
from gongjian.reporting.models import ReportStatusChange
from gongjian.tests.factories import (
    CampaignFactory,
    IndicatorFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    SpecialActionFactory,
    StageEventFactory,
    TargetFactory,
)

AS_OF = dt.date(2022, 11, 30)


@pytest.fixture
def small_campaign(db):
    lichen, fengze = (Region.objects.get(code=c) for c in ("350502", "350503"))
    campaign = CampaignFactory.create(
        green_threshold=Decimal("-5.00"), yellow_threshold=Decimal("-15.00")
    )
    drive = SpecialActionFactory.create(
        campaign=campaign, code="xmgj", name="项目攻坚", sort_order=1
    )
    opening = SpecialActionFactory.create(
        campaign=campaign, code="zskf", name="抓开放招商促项目落地", sort_order=2
    )
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
    targets = {}
    for indicator, action, values in (
        (investment, drive, ("10000.00", "6000.00", "4000.00")),
        (started, opening, ("4", "2", "2")),
    ):
        city = TargetFactory.create(
            campaign=campaign, indicator=indicator, action=action, value=Decimal(values[0])
        )
        targets[(indicator.code, "350500")] = city
        for region, value in ((lichen, values[1]), (fengze, values[2])):
            targets[(indicator.code, region.code)] = TargetFactory.create(
                campaign=campaign,
                indicator=indicator,
                action=action,
                region=region,
                parent=city,
                value=Decimal(value),
            )
    projects = {
        "LC-1": ProjectFactory.create(code="LC-1", name="鲤城智能装备产业园", stage="started"),
        "LC-2": ProjectFactory.create(code="LC-2", name="鲤城古城保护提升工程", stage="started"),
        "FZ-1": ProjectFactory.create(
            code="FZ-1", name="丰泽东海湾商务区", region=fengze, stage="started"
        ),
    }
    for number in range(1, 11):
        report(projects["LC-1"], 2022, number, "500.00")
    report(projects["FZ-1"], 2022, 3, "1000.00")
    report(projects["FZ-1"], 2022, 6, "1000.00")
    report(projects["LC-2"], 2022, 11, "900.00", status="district_approved")
    for code, date in (
        ("LC-1", dt.date(2022, 2, 10)),
        ("LC-2", dt.date(2022, 8, 1)),
        ("FZ-1", dt.date(2022, 5, 5)),
    ):
        StageEventFactory.create(project=projects[code], stage="started", date=date)
    return {
        "campaign": campaign,
        "investment": investment,
        "started": started,
        "targets": targets,
        "projects": projects,
    }


# The to-do tests' day: November still open (due 12-05) while December has opened.
TODO_TODAY = dt.date(2022, 12, 2)


@pytest.fixture
def month(region, lichen_filer):
    """November and December open; 鲤城 LC-001 not filed, LC-002 returned, LC-003 submitted;
    丰泽 FZ-001 district-approved."""
    november = ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))
    december = ReportingPeriodFactory.create(month=dt.date(2022, 12, 1))
    projects = {}
    for code, name, district in (
        ("LC-001", "鲤城智能装备产业园", "350502"),
        ("LC-002", "江南片区城市更新", "350502"),
        ("LC-003", "鲤城物流园", "350502"),
        ("FZ-001", "丰泽数字经济大厦", "350503"),
    ):
        project = ProjectFactory.create(code=code, name=name, region=region(district))
        StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
        projects[code] = project
    returned = ProgressReportFactory.create(
        project=projects["LC-002"], period=november, status="returned", created_by=lichen_filer
    )
    ReportStatusChange.objects.create(
        report=returned, from_status="submitted", to_status="returned", reason="请补充现场照片"
    )
    ProgressReportFactory.create(project=projects["LC-003"], period=november, status="submitted")
    ProgressReportFactory.create(
        project=projects["FZ-001"], period=november, status="district_approved"
    )
    return november, december
