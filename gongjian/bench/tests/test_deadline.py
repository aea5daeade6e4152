"""The deadline drill at a small size, on the PostgreSQL test database: gunicorn with production
settings serves it, two districts' filers file and submit, their reviewers and two city reviewers
approve, two leaders read the dashboards, and nothing acknowledged is lost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from gongjian.accounts.choices import Role
from gongjian.bench.deadline import Load, Verdict, execute, plan_build, prepare, report_lines
from gongjian.campaigns.models import IndicatorCell
from gongjian.dashboards.tests.conftest import small_campaign  # noqa: F401  (fixture)
from gongjian.regions.models import Region
from gongjian.reporting.models import ProgressReport
from gongjian.tests.factories import (
    MembershipFactory,
    ProjectFactory,
    StageEventFactory,
    UserFactory,
)
from gongjian.tests.test_crash_drill import database_url

NOVEMBER = dt.date(2022, 11, 1)


@pytest.fixture
def deadline_ledger(small_campaign, lichen_filer, lichen_reviewer, fengze_filer, city_reviewer):  # noqa: F811
    """small_campaign's ledger plus 12 key projects in 鲤城 and 8 in 丰泽 started in March, so
    that 22 projects are due in 2022-11 without a report (LC-2 has one already)."""
    fengze = Region.objects.get(code="350503")
    MembershipFactory.create(
        user=UserFactory.create(username="fengze_reviewer"),
        region=fengze,
        role=Role.DISTRICT_REVIEWER,
    )
    for number in range(20):
        project = ProjectFactory.create(
            code=f"DL-{number:02d}", **({"region": fengze} if number >= 12 else {})
        )
        StageEventFactory.create(project=project, date=dt.date(2022, 3, 1))
    return small_campaign


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
def test_the_drill_files_and_approves_every_report_and_loses_nothing(deadline_ledger, tmp_path):
    load = Load(
        reports=20,
        seconds=3,
        readers=2,
        read_pause=0.2,
        drain=60,
        workers=2,
        threads=2,
    )

    plan, outcome, verdict = execute(
        load, database_url=database_url(), period="2022-11", today="2022-12-02", var_dir=tmp_path
    )

    # the plan: 20 of the 22 due projects (a fixed shuffle), in both districts
    assert plan.reports == 20
    assert {d.code: len(d.jobs) for d in plan.districts} == {"350502": 12, "350503": 8}
    assert plan.campaign == deadline_ledger["campaign"].code
    # every report was filed, submitted and approved twice, with no error and nothing lost
    assert outcome.errors == {}
    assert len(outcome.submitted) == 20
    assert len(outcome.district_approved) == 20
    assert len(outcome.city_approved) == 20
    assert outcome.unfinished == 0
    assert {
        kind: len(values)
        for kind, values in outcome.latencies.items()
        if kind in {"file", "submit", "district_approve", "city_approve"}
    } == {"file": 20, "submit": 20, "district_approve": 20, "city_approve": 20}
    # the leaders' pages were read while the writes went on, each answering 200
    assert {"dashboard", "screen", "progress_api"} <= set(outcome.latencies)
    assert verdict == Verdict(
        lost_submissions=0, lost_district_approvals=0, lost_city_approvals=0, drift=0
    )
    # the database agrees: 20 city-approved November reports with exactly the planned amounts,
    # and the investment indicator's November cells hold their sum
    planned = sum((Decimal(job.amount) for d in plan.districts for job in d.jobs), Decimal(0))
    november = ProgressReport.objects.filter(period__month=NOVEMBER, status="city_approved")
    assert november.count() == 20
    assert november.aggregate(total=Sum("amount"))["total"] == planned
    cells = IndicatorCell.objects.filter(
        indicator=deadline_ledger["investment"], month=NOVEMBER
    ).aggregate(total=Sum("value"))["total"]
    assert cells == planned
    lines = report_lines(plan, load, outcome, verdict)
    assert "  errors: 0" in lines
    assert "  lost submissions: 0 (of 20 acknowledged); lost approvals: 0 (of 40 acknowledged)" in (
        lines
    )
    assert lines[-1] == "  monthly cells disagreeing with their rows after the load: 0"


@pytest.mark.django_db
def test_the_plan_refuses_more_reports_than_are_due(deadline_ledger):
    with pytest.raises(RuntimeError, match="Only 22 projects are due in 2022-11 without a report"):
        plan_build(Load(reports=23), period="2022-11")


@pytest.mark.django_db
def test_the_plan_needs_an_open_period(deadline_ledger):
    with pytest.raises(RuntimeError, match="No open reporting period 2022-12"):
        plan_build(Load(reports=1), period="2022-12")


def test_the_drill_refuses_a_database_on_another_machine():
    with pytest.raises(RuntimeError, match=r"runs on this machine only, not on 10\.1\.2\.3"):
        prepare(
            database_url="postgres://postgres@10.1.2.3:5432/gongjian",
            source=None,
            regenerate=False,
            say=print,
        )


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_second_drill_refuses_to_start_while_one_runs():
    from django.conf import settings

    from gongjian.bench.deadline import RUN_DATABASE, run
    from gongjian.bench.rollup import _maintenance

    with _maintenance(dict(settings.DATABASES["default"])) as first:
        first.execute("SELECT pg_advisory_lock(hashtext(%s))", [RUN_DATABASE])
        with pytest.raises(RuntimeError, match="Another deadline drill is running"):
            run(Load(reports=1))
