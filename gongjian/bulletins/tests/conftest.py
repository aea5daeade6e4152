"""A small campaign whose bulletin for 2022-11 has figures worked out by hand.

项目攻坚2022 (xmgj2022) with two special actions:

* 项目攻坚: 在建重点项目完成投资 — 泉州市 ≥ 10 000 万元, allocated 鲤城区 6 000 and 丰泽区 4 000.
  鲤城's key project has 500 万元 approved each month Jan–Nov (5 500); 丰泽's has 1 000 in each of
  Jan–Mar (3 000) and nothing for November. At 2022-11-30 (序时进度 334/365 = 91.51 %):
  city 8 500 → 85.00 %, −6.51 points (yellow); 鲤城 91.67 %, +0.16 (green); 丰泽 75.00 %,
  −16.51 (red).
* 抓城建提品质: 新开工项目 — 泉州市 ≥ 2 (not allocated); both projects started in 2022 → 2, met.

Reporting 2022-11 is due 2022-12-05; made on 2022-12-06, 丰泽's missing report is late.
Problems: one overdue (丰泽, 市招商局, due 2022-11-20), one open (鲤城), one resolved and one
raised in December (neither listed). 督办: one overdue to 丰泽区, one escalated to 鲤城区 not yet
due, one answered (not listed).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongjian.accounts.models import Department
from gongjian.regions.models import Region
from gongjian.tests.factories import (
    CampaignFactory,
    IndicatorFactory,
    ProblemFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    SpecialActionFactory,
    StageEventFactory,
    SupervisionFactory,
    TargetFactory,
)

MADE_ON = dt.date(2022, 12, 6)
NOVEMBER = dt.date(2022, 11, 1)


def aware(year: int, month: int, day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 10, 0))


def _report(project, number: int, amount: str) -> None:
    ProgressReportFactory.create(
        project=project,
        period=ReportingPeriodFactory.create(month=dt.date(2022, number, 1)),
        amount=Decimal(amount),
        status="city_approved",
    )


@pytest.fixture
def campaign(db):
    city, lichen, fengze = (Region.objects.get(code=c) for c in ("350500", "350502", "350503"))
    campaign = CampaignFactory.create()
    drive = SpecialActionFactory.create(
        campaign=campaign, code="xmgj", name="项目攻坚", sort_order=1
    )
    urban = SpecialActionFactory.create(
        campaign=campaign, code="cjtpz", name="抓城建提品质", sort_order=2
    )
    investment = IndicatorFactory.create()
    started = IndicatorFactory.create(
        code="started",
        name="新开工项目",
        kind="event_count",
        unit="个",
        definition={"source": "stage_events", "stage": "started"},
    )
    parent = TargetFactory.create(
        campaign=campaign,
        action=drive,
        indicator=investment,
        value=Decimal("10000.00"),
        sort_order=1,
    )
    for region, value in ((lichen, "6000.00"), (fengze, "4000.00")):
        TargetFactory.create(
            campaign=campaign,
            action=drive,
            indicator=investment,
            region=region,
            value=Decimal(value),
            parent=parent,
            sort_order=1,
        )
    TargetFactory.create(
        campaign=campaign,
        action=urban,
        indicator=started,
        region=city,
        value=Decimal(2),
        sort_order=2,
    )

    lc = ProjectFactory.create(code="LC-1", name="鲤城智能装备产业园", region=lichen)
    fz = ProjectFactory.create(code="FZ-1", name="丰泽东海湾商务区", region=fengze)
    StageEventFactory.create(project=lc, stage="started", date=dt.date(2022, 1, 15))
    StageEventFactory.create(project=fz, stage="started", date=dt.date(2022, 3, 1))
    for number in range(1, 12):
        _report(lc, number, "500.00")
    for number in (1, 2, 3):
        _report(fz, number, "1000.00")

    zsj = Department.objects.get(code="zsj")
    ProblemFactory.create(
        project=fz,
        title="项目用地指标尚未落实",
        department=zsj,
        due_date=dt.date(2022, 11, 20),
        status="in_progress",
        raised_at=aware(2022, 10, 8),
    )
    ProblemFactory.create(project=lc, title="施工用电增容待批复", raised_at=aware(2022, 11, 15))
    ProblemFactory.create(
        project=lc,
        title="已解决的问题",
        status="resolved",
        resolution="已协调解决",
        resolved_at=aware(2022, 11, 20),
        raised_at=aware(2022, 9, 1),
    )
    ProblemFactory.create(project=fz, title="十二月的新问题", raised_at=aware(2022, 12, 1))
    SupervisionFactory.create(
        title="加快丰泽东海湾商务区建设",
        target_region=fengze,
        project=fz,
        issued_at=aware(2022, 11, 1),
        due_date=dt.date(2022, 11, 25),
    )
    SupervisionFactory.create(
        title="报送鲤城用地报批进展",
        target_region=lichen,
        status="escalated",
        escalation_level=1,
        escalated_to_region=city,
        issued_at=aware(2022, 11, 10),
        due_date=dt.date(2022, 12, 10),
    )
    SupervisionFactory.create(
        title="已回复的督办",
        target_region=lichen,
        status="responded",
        response="已完成报批材料上报。",
        responded_at=aware(2022, 11, 4),
        issued_at=aware(2022, 11, 2),
        due_date=dt.date(2022, 11, 5),
    )
    return campaign
