"""A small hand-built city for the dispatch: 鲤城 and 丰泽 projects with milestones, a 要素保障
request, a target 鲤城 is behind on, and October's meeting with three 交办 tasks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.accounts.models import Department
from gongjian.dispatch.choices import MeetingStatus, TaskStatus
from gongjian.dispatch.models import (
    FactorRequest,
    FactorType,
    Meeting,
    MilestoneType,
    ProjectMilestone,
    Task,
)
from gongjian.plans.models import AnnualPlan, PlanChange
from gongjian.projects.models import Category
from gongjian.regions.models import Region
from gongjian.reporting.models import ReportingPeriod
from gongjian.tests.factories import (
    MembershipFactory,
    ProblemFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    TargetFactory,
    UserFactory,
)

AS_OF = dt.date(2022, 11, 30)
MOMENT = dt.datetime(2022, 11, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def zrzyj_officer(db):
    """Staff of 市自然资源和规划局 (the department the land request goes to)."""
    user = UserFactory.create(username="zrzyj_officer")
    MembershipFactory.create(
        user=user,
        role="department",
        region=Region.objects.get(code="350500"),
        department=Department.objects.get(code="zrzyj"),
    )
    return user


@pytest.fixture
def city(region, city_admin, lichen_filer):
    key = Category.objects.get(code="key-construction")
    lc1 = ProjectFactory.create(
        code="LC-1", name="鲤城智能装备园", region=region("350502"), category=key, stage="started"
    )
    lc2 = ProjectFactory.create(
        code="LC-2",
        name="鲤城古城提升",
        region=region("350502"),
        category=key,
        planned_start_month=dt.date(2023, 1, 1),
    )
    fz1 = ProjectFactory.create(
        code="FZ-1", name="丰泽数字产业园", region=region("350503"), category=key
    )
    ProjectMilestone.objects.create(
        project=lc1,
        milestone_type=MilestoneType.objects.get(code="eia"),
        planned_date=dt.date(2022, 11, 10),
    )
    ProjectMilestone.objects.create(
        project=lc1,
        milestone_type=MilestoneType.objects.get(code="approval"),
        planned_date=dt.date(2022, 6, 1),
        actual_date=dt.date(2022, 6, 3),
        document_number="泉发改备〔2022〕12号",
    )
    ProjectMilestone.objects.create(
        project=lc2,
        milestone_type=MilestoneType.objects.get(code="construction-permit"),
        planned_date=dt.date(2023, 1, 10),
    )
    problem = ProblemFactory.create(
        project=fz1,
        title="二期用地指标",
        description="二期用地 120 亩指标待落实。",
        department=Department.objects.get(code="zrzyj"),
        due_date=dt.date(2022, 11, 20),
        status="in_progress",
        raised_by=lichen_filer,
    )
    request = FactorRequest.objects.create(
        problem=problem,
        factor_type=FactorType.objects.get(code="land"),
        quantity=Decimal("120"),
        unit="亩",
    )
    # 鲤城 is to complete 12000 万元 in 2022 and has 5000 万元 approved: behind 序时.
    TargetFactory.create(region=region("350502"), value=Decimal("12000.00"))
    ProgressReportFactory.create(
        project=lc1,
        period=ReportingPeriodFactory.create(month=dt.date(2022, 6, 1)),
        amount=Decimal("5000.00"),
        status="city_approved",
    )
    # LC-1's 2022 plan of 6000 万元, 5000 done: 83.3%, within 10 points of 序时 (no light);
    # FZ-1's of 1000 万元, 950 done: 95%. LC-2 is not on the 2022 list.
    ProgressReportFactory.create(
        project=fz1,
        period=ReportingPeriod.objects.get(month=dt.date(2022, 6, 1)),
        amount=Decimal("950.00"),
        status="city_approved",
    )
    for project, amount in ((lc1, "6000.00"), (fz1, "1000.00")):
        plan = AnnualPlan.objects.create(project=project, year=2022, amount=Decimal(amount))
        PlanChange.objects.create(
            plan=plan, effective_date=dt.date(2022, 1, 1), amount=Decimal(amount), reason="年初计划"
        )
    october = Meeting.objects.create(
        title="泉州市2022年10月项目攻坚调度会",
        period=dt.date(2022, 10, 1),
        region=region("350500"),
        held_on=dt.date(2022, 11, 8),
        chair="王国栋",
        status=MeetingStatus.HELD,
        created_by=city_admin,
    )
    tasks = [
        Task.objects.create(
            meeting=october,
            number=1,
            text="加快环评审批",
            owner_department=Department.objects.get(code="fgw"),
            due_date=dt.date(2022, 11, 15),
            project=lc1,
        ),
        Task.objects.create(
            meeting=october,
            number=2,
            text="落实施工队伍",
            owner_region=region("350502"),
            due_date=dt.date(2022, 11, 25),
            status=TaskStatus.CLOSED,
            closed_at=MOMENT,
        ),
        Task.objects.create(
            meeting=october,
            number=3,
            text="协调二期用地",
            owner_department=Department.objects.get(code="zrzyj"),
            due_date=dt.date(2022, 12, 10),
            factor_request=request,
            status=TaskStatus.REPORTED,
            progress="已上报省厅",
        ),
    ]
    return {
        "LC-1": lc1,
        "LC-2": lc2,
        "FZ-1": fz1,
        "request": request,
        "october": october,
        "tasks": tasks,
    }
