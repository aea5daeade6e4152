"""A small hand-made ledger the engine and progress tests evaluate, with exact figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.projects.models import Category
from gongjian.regions.models import Region
from gongjian.tests.factories import (
    IndicatorFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
)

APPROVED = "city_approved"


def month(year: int, number: int) -> dt.date:
    return dt.date(year, number, 1)


def report(project, year: int, number: int, amount: str, status: str = APPROVED):
    return ProgressReportFactory.create(
        project=project,
        period=ReportingPeriodFactory.create(month=month(year, number)),
        amount=Decimal(amount),
        status=status,
    )


@pytest.fixture
def ledger(db):
    """Four projects in three districts, their reports and their stage events.

    Key projects (在建重点): LC-1, LC-2 in 鲤城 and FZ-1 in 丰泽; JJ-1 in 晋江 is a signed
    investment project (招商签约), so a key-project indicator leaves it out.
    """
    lichen, fengze, jinjiang = (Region.objects.get(code=c) for c in ("350502", "350503", "350582"))
    signed = Category.objects.get(code="investment-signed")
    projects = {
        "LC-1": ProjectFactory.create(
            code="LC-1", region=lichen, total_investment=Decimal("250000.00")
        ),
        "LC-2": ProjectFactory.create(
            code="LC-2", region=lichen, total_investment=Decimal("199999.99")
        ),
        "FZ-1": ProjectFactory.create(
            code="FZ-1", region=fengze, total_investment=Decimal("200000.00")
        ),
        "JJ-1": ProjectFactory.create(
            code="JJ-1",
            region=jinjiang,
            category=signed,
            total_investment=Decimal("80000.50"),
            annual_plan=Decimal(0),
        ),
    }
    # Reports: only city-approved ones count.
    report(projects["LC-1"], 2021, 12, "800.00")  # before 2022
    report(projects["LC-1"], 2022, 1, "1000.00")
    report(projects["LC-1"], 2022, 2, "1500.50")
    report(projects["LC-1"], 2022, 3, "700.00", status="district_approved")
    report(projects["LC-2"], 2022, 2, "300.25")
    report(projects["FZ-1"], 2022, 1, "2000.00")
    report(projects["FZ-1"], 2022, 3, "999.99")
    report(projects["FZ-1"], 2022, 4, "123.00")  # after the as-of date of most tests
    report(projects["JJ-1"], 2022, 1, "5000.00")  # not a key project
    # Stage events.
    for code, stage, date in [
        ("LC-1", "signed", dt.date(2021, 11, 20)),
        ("LC-1", "started", dt.date(2022, 1, 15)),
        ("LC-2", "signed", dt.date(2022, 1, 31)),
        ("LC-2", "started", dt.date(2022, 2, 28)),
        ("FZ-1", "signed", dt.date(2022, 2, 1)),
        ("FZ-1", "started", dt.date(2022, 4, 1)),
        ("JJ-1", "signed", dt.date(2022, 3, 31)),
    ]:
        StageEventFactory.create(project=projects[code], stage=stage, date=date)
    return projects


@pytest.fixture
def key_investment(db):
    """在建重点项目完成投资 (flow sum of key projects' approved reports, 万元)."""
    return IndicatorFactory.create()


@pytest.fixture
def started(db):
    """新开工项目 (count of 'started' events, any category)."""
    return IndicatorFactory.create(
        code="started",
        name="新开工项目",
        kind="event_count",
        unit="个",
        definition={"source": "stage_events", "stage": "started"},
    )


@pytest.fixture
def big_signed(db):
    """签约项目中总投资 20 亿元以上的 (count of 'signed' events of projects ≥ 200000 万元)."""
    return IndicatorFactory.create(
        code="signed-20yi",
        name="总投资20亿元以上签约项目",
        kind="event_count",
        unit="个",
        definition={
            "source": "stage_events",
            "stage": "signed",
            "min_total_investment": "200000",
        },
    )


@pytest.fixture
def signed_investment(db):
    """招引资金 (sum of signed projects' total investment, 万元)."""
    return IndicatorFactory.create(
        code="signed-investment",
        name="招引资金",
        kind="event_sum",
        unit="万元",
        definition={"source": "stage_events", "stage": "signed", "measure": "total_investment"},
    )
