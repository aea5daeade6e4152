"""``gongjian loaddemo``: the demo's monthly reporting, its exact figures read off once and pinned.

Uses the package's one demo load (``conftest.demo``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Count, F, Sum
from django.utils import timezone

from gongjian.accounts.models import Membership
from gongjian.demo.data import DEMO_TODAY, DEMO_USERS, DEMO_ZONE, DISTRICT_STAFF
from gongjian.demo.generator import generate
from gongjian.demo.reports import generate_reports
from gongjian.projects.choices import Stage
from gongjian.projects.models import Project, StageEvent
from gongjian.regions.models import Region
from gongjian.reporting.models import (
    ProgressReport,
    ProgressReportQuerySet,
    ReportingPeriod,
    ReportStatusChange,
)
from gongjian.reporting.selectors import projects_due
from gongjian.reporting.services import report_check
from gongjian.reporting.validation import ReportFacts, validate_report

pytestmark = pytest.mark.django_db

REPORTS_PER_STATUS = {
    "city_approved": 14861,
    "district_approved": 133,
    "submitted": 92,
    "returned": 33,
}
TOTAL_REPORTS = 15119
STATUS_CHANGES = 45079
LATE_REPORTS = 397
RETURNED_THEN_APPROVED = 31
# City-approved monthly amounts of key construction projects, Jan–Nov, in 万元: 1,547.76 亿元
# citywide (on track for ~1,700 亿元), 321.61 亿元 in 晋江市, 55.51 亿元 in 永春县.
KEY_APPROVED_TOTAL = Decimal("15477559.74")
KEY_APPROVED_JINJIANG = Decimal("3216070.03")
KEY_APPROVED_YONGCHUN = Decimal("555071.72")


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _key_approved() -> ProgressReportQuerySet:
    return ProgressReport.objects.counted().filter(project__category__code="key-construction")


# --- periods --------------------------------------------------------------------------------


def test_periods_and_their_states(demo):
    periods = list(
        ReportingPeriod.objects.order_by("month").values_list("month", "due_date", "state")
    )
    assert periods == [
        (dt.date(2022, month, 1), dt.date(2022, month + 1, 5), "closed") for month in range(1, 11)
    ] + [
        (dt.date(2022, 11, 1), dt.date(2022, 12, 5), "open"),
        (dt.date(2022, 12, 1), dt.date(2023, 1, 5), "open"),
    ]
    december = ReportingPeriod.objects.get(month=dt.date(2022, 12, 1))
    assert december.reports.count() == 0
    assert december.created_at == dt.datetime(2022, 11, 25, 9, 0, tzinfo=DEMO_ZONE)


def test_summary_lists_reports_per_status(demo):
    lines = demo.splitlines()
    start = lines.index("  reporting periods         12  填报期")
    assert lines[start : start + 8] == [
        "  reporting periods         12  填报期",
        "  reports                15119  月度进展报告",
        "    draft                    0  草稿",
        "    submitted               92  已报送",
        "    district_approved      133  县区已审核",
        "    city_approved        14861  市级已审核",
        "    returned                33  已退回",
        "  status changes         45079  报告状态变更",
    ]
    assert "  demo users                31  演示账号" in lines


# --- what was filed -------------------------------------------------------------------------


def test_reports_per_status(demo):
    counts = dict(ProgressReport.objects.values_list("status").annotate(n=Count("id")).order_by())
    assert counts == REPORTS_PER_STATUS
    assert ProgressReport.objects.count() == TOTAL_REPORTS
    assert ReportStatusChange.objects.count() == STATUS_CHANGES
    november = ProgressReport.objects.filter(period__month=dt.date(2022, 11, 1))
    assert dict(november.values_list("status").annotate(n=Count("id")).order_by()) == {
        "city_approved": 1230,
        "district_approved": 133,
        "submitted": 92,
        "returned": 33,
    }
    closed = ProgressReport.objects.filter(period__state="closed")
    assert set(closed.values_list("status", flat=True).distinct()) == {"city_approved"}


def test_every_project_due_reports_and_no_other(demo):
    """Each closed month has a report from exactly the projects ``projects_due`` names; the open
    month misses a few; December has none yet."""
    missing = {}
    for period in ReportingPeriod.objects.order_by("month"):
        due = set(projects_due(period=period).values_list("pk", flat=True))
        filed = set(period.reports.values_list("project_id", flat=True))
        assert filed <= due, period
        missing[f"{period.month:%Y-%m}"] = len(due - filed)
    assert missing == {
        "2022-01": 0,
        "2022-02": 0,
        "2022-03": 0,
        "2022-04": 0,
        "2022-05": 0,
        "2022-06": 0,
        "2022-07": 0,
        "2022-08": 0,
        "2022-09": 0,
        "2022-10": 0,
        "2022-11": 44,
        "2022-12": 1498,
    }


def test_key_construction_year(demo):
    """Jan–Nov approved: about 1,550 亿元 of the ~1,700 亿元 plans, low around the Spring
    Festival and rising through the year."""
    key = _key_approved()
    assert key.aggregate(total=Sum("amount"))["total"] == KEY_APPROVED_TOTAL
    per_month = {
        month: round(total / 10_000)
        for month, total in key.values_list("period__month__month")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    # 亿元 per month; November counts only what the city has approved so far.
    assert per_month == {
        1: 84,
        2: 65,
        3: 132,
        4: 134,
        5: 147,
        6: 160,
        7: 151,
        8: 159,
        9: 175,
        10: 176,
        11: 166,
    }


def test_districts_ahead_and_behind(demo):
    """Share of each district's key annual plans approved by November (序时 is 11/12 = 91.7%)."""
    key = _key_approved()
    jinjiang = key.filter(project__region__code="350582").aggregate(total=Sum("amount"))
    yongchun = key.filter(project__region__code="350525").aggregate(total=Sum("amount"))
    assert jinjiang["total"] == KEY_APPROVED_JINJIANG
    assert yongchun["total"] == KEY_APPROVED_YONGCHUN
    approved = dict(
        key.values_list("project__region__code").annotate(total=Sum("amount")).order_by()
    )
    plans = dict(
        Project.objects.filter(category__code="key-construction")
        .values_list("region__code")
        .annotate(total=Sum("annual_plan"))
        .order_by()
    )
    shares = {code: (approved[code] * 100 / plans[code]).quantize(Decimal("0.1")) for code in plans}
    assert shares == {
        "350502": Decimal("93.0"),
        "350503": Decimal("97.8"),
        "350504": Decimal("85.2"),
        "350505": Decimal("83.0"),
        "350521": Decimal("90.4"),
        "350524": Decimal("81.8"),
        "350525": Decimal("73.6"),
        "350526": Decimal("69.2"),
        "350581": Decimal("95.2"),
        "350582": Decimal("106.2"),
        "350583": Decimal("87.9"),
        "QZ-JKQ": Decimal("88.7"),
        "QZ-TZQ": Decimal("94.8"),
    }


def test_late_and_returned_reports(demo):
    late = ProgressReport.objects.filter(submitted_at__date__gt=F("period__due_date"))
    assert late.count() == LATE_REPORTS
    assert late.filter(period__month=dt.date(2022, 11, 1)).count() == 0
    returned_then_approved = ProgressReport.objects.filter(
        status="city_approved", status_changes__to_status="returned"
    ).distinct()
    assert returned_then_approved.count() == RETURNED_THEN_APPROVED
    for report in returned_then_approved:
        steps = list(report.status_changes.values_list("from_status", "to_status"))
        assert steps == [
            ("draft", "submitted"),
            ("submitted", "returned"),
            ("returned", "submitted"),
            ("submitted", "district_approved"),
            ("district_approved", "city_approved"),
        ]
        assert report.status_changes.get(to_status="returned").reason != ""
        assert report.version == 7


def test_zero_amounts_say_why(demo):
    zero = ProgressReport.objects.filter(amount=0)
    assert dict(zero.values_list("progress_text").annotate(n=Count("id")).order_by()) == {
        "春节假期停工，本月未完成投资，节后组织复工复产": 118,
        "因资金未到位停缓建，本月未完成投资": 5,
        "因规划调整暂缓建设，本月未完成投资": 11,
        "因市场变化业主暂缓投资，本月未完成投资": 3,
        "因用地手续未完善暂停施工，本月未完成投资": 10,
    }


def test_one_project_through_the_year(demo):
    reports = ProgressReport.objects.filter(project__code="ZD2022-350582-0001").order_by(
        "period__month"
    )
    assert list(reports.values_list("period__month__month", "amount", "progress_text")) == [
        (1, Decimal("1457.00"), "沥青路面摊铺"),
        (2, Decimal("952.00"), "人行道及侧平石施工"),
        (3, Decimal("2020.00"), "沥青路面摊铺"),
        (4, Decimal("1780.00"), "沥青路面摊铺"),
        (5, Decimal("2037.39"), "路灯及附属设施施工"),
        (6, Decimal("2402.00"), "完成竣工验收并移交使用"),
    ]
    assert StageEvent.objects.get(project__code="ZD2022-350582-0001", stage="completed").date == (
        dt.date(2022, 6, 27)
    )


# --- the review history ---------------------------------------------------------------------


def test_every_status_change_is_a_step_of_the_workflow(demo):
    """Each report's changes run from draft to its status, one after another, each by the right
    person: the district's filer submits, its reviewer checks, the city reviewer approves."""
    roles = {
        user.username: (user.role, user.region_code) for user in (*DEMO_USERS, *DISTRICT_STAFF)
    }
    steps: dict[int, list[tuple[str, str, str, dt.datetime]]] = defaultdict(list)
    for row in ReportStatusChange.objects.order_by("report_id", "at", "id").values_list(
        "report_id", "from_status", "to_status", "actor__username", "at"
    ):
        steps[row[0]].append(row[1:])
    actor_role = {
        "submitted": "district_filer",
        "district_approved": "district_reviewer",
        "city_approved": "city_reviewer",
    }
    reports = ProgressReport.objects.values_list(
        "pk",
        "status",
        "version",
        "created_at",
        "updated_at",
        "submitted_at",
        "created_by__username",
        "project__region__code",
    )
    for pk, status, version, created_at, updated_at, submitted_at, filer, region in reports:
        own = steps[pk]
        assert own[0][0] == "draft", pk
        assert own[-1][1] == status, pk
        assert all(a[1] == b[0] for a, b in itertools.pairwise(own)), pk
        moments = [created_at, *(step[3] for step in own)]
        assert moments == sorted(moments) and len(set(moments)) == len(moments), pk
        assert updated_at == own[-1][3], pk
        assert submitted_at == [s[3] for s in own if s[1] == "submitted"][-1], pk
        edits = sum(1 for step in own[:-1] if step[1] == "returned")
        assert version == 1 + len(own) + edits, pk
        assert roles[filer] == ("district_filer", region), pk
        for _from, to, actor, _at in own:
            role, where = roles[actor]
            if to == "returned":
                assert role in ("district_reviewer", "city_reviewer"), pk
            else:
                assert role == actor_role[to], pk
            assert where == (region if role.startswith("district") else "350500"), pk


def test_history_happens_in_the_reporting_month(demo):
    """Filed and reviewed in office hours inside the month reported on, except that a late
    report is submitted after its due date; nothing after the demo's today."""
    reports = ProgressReport.objects.select_related("period").only(
        "period__month", "period__due_date", "created_at", "submitted_at", "project_id"
    )
    starts = dict(StageEvent.objects.filter(stage=Stage.STARTED).values_list("project_id", "date"))
    changes: dict[int, list[dt.datetime]] = defaultdict(list)
    for report_id, at in ReportStatusChange.objects.values_list("report_id", "at"):
        changes[report_id].append(_local(at))
    end_of_today = dt.datetime.combine(DEMO_TODAY, dt.time(23, 59), tzinfo=DEMO_ZONE)
    for report in reports:
        month = report.period.month
        created = _local(report.created_at)
        assert created.date().replace(day=1) == month, report.pk
        assert created.date() >= starts[report.project_id], report.pk
        moments = [created, *changes[report.pk]]
        assert all(dt.time(8, 30) <= m.time() <= dt.time(19, 0) for m in moments), report.pk
        assert max(moments) < end_of_today, report.pk
        assert report.submitted_at is not None
        if _local(report.submitted_at).date() > report.period.due_date:
            assert _local(report.submitted_at).date() <= report.period.due_date + dt.timedelta(
                days=14
            )
        else:
            assert {m.date().replace(day=1) for m in moments} == {month}, report.pk


# --- validation -----------------------------------------------------------------------------


def test_no_report_breaks_a_blocking_rule(demo):
    """Every report through every rule, with the facts ``report_facts`` would gather (the
    project's other reports, its start and completion), gathered in three queries."""
    totals = dict(
        ProgressReport.objects.values_list("project_id").annotate(total=Sum("amount")).order_by()
    )
    dates = {
        (project_id, stage): date
        for project_id, stage, date in StageEvent.objects.filter(
            stage__in=[Stage.STARTED, Stage.COMPLETED]
        ).values_list("project_id", "stage", "date")
    }
    blocking = []
    checked = 0
    for pk, project_id, month, amount, text, note, total in ProgressReport.objects.values_list(
        "pk",
        "project_id",
        "period__month",
        "amount",
        "progress_text",
        "adjustment_note",
        "project__total_investment",
    ):
        facts = ReportFacts(
            month=month,
            amount=amount,
            progress_text=text,
            adjustment_note=note,
            total_investment=total,
            prior_total=totals[project_id] - amount,
            started_on=dates.get((project_id, Stage.STARTED)),
            completed_on=dates.get((project_id, Stage.COMPLETED)),
        )
        blocking += [(pk, f.rule) for f in validate_report(facts) if f.blocks]
        checked += 1
    assert checked == TOTAL_REPORTS
    assert blocking == []


def test_report_check_passes_a_sample(demo):
    """The service itself, on every 25th report and every report that was returned or late."""
    reports = list(ProgressReport.objects.select_related("project", "period").order_by("pk"))
    sample = reports[::25] + [
        r
        for r in reports
        if r.status == "returned" or timezone.localdate(r.submitted_at) > r.period.due_date
    ]
    findings = {r.pk: [f.rule for f in report_check(r)] for r in sample}
    assert {pk: rules for pk, rules in findings.items() if rules} == {}
    assert len(findings) == 1024


def test_amounts_are_whole_cents_and_within_the_total(demo):
    for amount in ProgressReport.objects.values_list("amount", flat=True):
        assert amount >= 0 and amount == amount.quantize(Decimal("0.01"))
    totals = (
        ProgressReport.objects.values("project_id", "project__total_investment")
        .annotate(total=Sum("amount"))
        .filter(total__gt=F("project__total_investment"))
    )
    assert list(totals) == []


# --- people and options ---------------------------------------------------------------------


def test_every_district_has_a_filer_and_a_reviewer(demo, client):
    units = Region.objects.filter(projects__isnull=False).distinct()
    for region in units:
        roles = sorted(Membership.objects.filter(region=region).values_list("role", flat=True))
        assert roles == ["district_filer", "district_reviewer"], region.code
    assert client.login(username="yongchun_reviewer", password="gongjian-demo")


# --- determinism across machines ------------------------------------------------------------


def test_report_generator_output_is_pinned():
    """Every field and step of every report, hashed: any drift in the demo shows here."""
    monthly = ["key-construction", "urban-quality", "new-infrastructure"]
    digest = hashlib.sha256()
    for spec in generate_reports(generate(), monthly_categories=monthly):
        fields = [
            spec.project_code,
            spec.month.isoformat(),
            str(spec.amount),
            spec.progress_text,
            spec.status,
            spec.created_by,
            spec.created_at.isoformat(),
            spec.submitted_at.isoformat() if spec.submitted_at else "",
            str(spec.version),
            *(
                f"{t.from_status}>{t.to_status}@{t.at.isoformat()}:{t.actor}:{t.reason}"
                for t in spec.transitions
            ),
        ]
        digest.update("\x1f".join(fields).encode() + b"\x1e")
    assert digest.hexdigest() == "b8be7041e319cbeda5f42aa19f239bcf18b9b78d0a885881a71040bafead0f0e"
