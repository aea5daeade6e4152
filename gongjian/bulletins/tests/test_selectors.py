"""The bulletin's content on the hand-made campaign of conftest.py: exact figures, order, and the
number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.bulletins.selectors import bulletin_content, bulletin_months
from gongjian.bulletins.tests.conftest import MADE_ON, NOVEMBER
from gongjian.core.periods import ElapsedBasis

pytestmark = pytest.mark.django_db


def _figures(row):
    return (
        row.region,
        row.indicator,
        row.target,
        row.actual,
        row.completion,
        row.time_elapsed,
        row.ahead_points,
        row.forecast,
        row.status,
        row.met,
    )


def test_content_of_the_november_bulletin(campaign, city_admin):
    # When the city admin's bulletin for 2022-11 is gathered on 2022-12-06
    content = bulletin_content(campaign=campaign, month=NOVEMBER, user=city_admin, on=MADE_ON)

    # Then the heading and the overall progress
    assert (content.title, content.issue_text, content.office, content.as_of) == (
        "项目攻坚2022 工作通报",
        "第11期",
        "泉州市项目攻坚行动办公室",
        dt.date(2022, 11, 30),
    )
    assert content.summary == (
        "截至2022年11月30日，项目攻坚2022共设目标2项（不含分解到县（市、区）的目标），序时进度91.51%。"
        "其中进度正常1项、预警1项、滞后0项，已完成全年目标1项。"
    )
    assert [
        (a.name, a.counts.total, a.counts.green, a.counts.yellow, a.counts.red, a.counts.met)
        for a in content.actions
    ] == [("项目攻坚", 1, 0, 1, 0, 0), ("抓城建提品质", 1, 1, 0, 0, 1)]

    # Each city target (8500 of 10000 万元 at 334/365 of the year; forecast 8500 × 365/334)
    elapsed = Decimal("0.9151")
    assert [_figures(row) for row in content.targets] == [
        (
            "泉州市",
            "在建重点项目完成投资",
            Decimal("10000.00"),
            Decimal("8500.00"),
            Decimal("0.8500"),
            elapsed,
            Decimal("-6.51"),
            Decimal("9288.92"),
            "yellow",
            False,
        ),
        (
            "泉州市",
            "新开工项目",
            Decimal("2.00"),
            Decimal("2"),
            Decimal("1.0000"),
            elapsed,
            Decimal("8.49"),
            Decimal("2"),
            "green",
            True,
        ),
    ]
    assert [
        (t.target_text, t.actual_text, t.completion_text, t.ahead_text, t.status_label)
        for t in content.targets
    ] == [
        ("≥1.00亿元", "0.85亿元", "85.00%", "-6.51个百分点", "预警"),
        ("≥2个", "2个", "100.00%", "+8.49个百分点", "正常"),
    ]

    # The districts ranked by completion of their allocations
    (ranking,) = content.rankings
    assert ranking.indicator == "在建重点项目完成投资"
    assert [
        (r.rank, r.region, r.row.completion, r.row.ahead_points, r.row.status) for r in ranking.rows
    ] == [
        (1, "鲤城区", Decimal("0.9167"), Decimal("0.16"), "green"),
        (2, "丰泽区", Decimal("0.7500"), Decimal("-16.51"), "red"),
    ]

    # Red before yellow
    assert [(f.region, f.status, f.ahead_points) for f in content.flags] == [
        ("丰泽区", "red", Decimal("-16.51")),
        ("泉州市", "yellow", Decimal("-6.51")),
    ]

    # 丰泽's November report is missing after the due date
    assert [
        (r.region, r.due, r.filed, r.missing, r.state_text) for r in content.reporting.rows
    ] == [
        ("鲤城区", 1, 1, 0, "已全部报送"),
        ("丰泽区", 1, 0, 1, "逾期未报"),
    ]
    assert content.reporting_summary == (
        "2022年11月月度进展应报2个项目，已报送1个（截止日期2022年12月5日）。"
        "1个县（市、区）未报齐，其中逾期未报1个。"
    )

    # Open problems: the overdue one first; resolved and December's are left out
    assert [
        (p.project_code, p.title, p.department, p.due_date, p.days_open, p.is_overdue)
        for p in content.problems
    ] == [
        ("FZ-1", "项目用地指标尚未落实", "市招商局", dt.date(2022, 11, 20), 53, True),
        ("LC-1", "施工用电增容待批复", "", None, 15, False),
    ]
    assert (content.open_problem_count, content.overdue_problem_count) == (2, 1)
    assert [(s.title, s.addressee, s.status_label, s.is_overdue) for s in content.supervisions] == [
        ("加快丰泽东海湾商务区建设", "丰泽区", "待办理", True),
        ("报送鲤城用地报批进展", "鲤城区", "已升级", False),
    ]
    assert (content.open_supervision_count, content.overdue_supervision_count) == (2, 1)


def test_a_campaign_counting_by_months_says_so_in_the_summary(campaign, city_admin):
    campaign.elapsed_basis = ElapsedBasis.MONTHS
    campaign.save(update_fields=["elapsed_basis"])

    content = bulletin_content(campaign=campaign, month=NOVEMBER, user=city_admin, on=MADE_ON)

    # November is month 11 of 12: the summary and every target read 91.67 %.
    assert content.summary.startswith(
        "截至2022年11月30日，项目攻坚2022共设目标2项（不含分解到县（市、区）的目标），序时进度91.67%。"
    )
    assert [row.time_elapsed for row in content.targets] == [Decimal("0.9167")] * 2


def test_before_the_due_date_missing_reports_are_not_late(campaign, leader):
    content = bulletin_content(
        campaign=campaign, month=NOVEMBER, user=leader, on=dt.date(2022, 12, 2)
    )
    assert [(r.region, r.missing, r.state_text) for r in content.reporting.laggards] == [
        ("丰泽区", 1, "未报齐（未到期）")
    ]


def test_a_month_without_a_reporting_period(campaign, city_admin):
    content = bulletin_content(
        campaign=campaign, month=dt.date(2022, 12, 1), user=city_admin, on=dt.date(2023, 1, 6)
    )
    assert (content.issue_number, content.reporting.rows, content.reporting_summary) == (
        12,
        [],
        "2022年12月未开设填报期。",
    )


def test_query_count(campaign, city_admin, django_assert_num_queries):
    city_admin.memberships.all()  # memberships are loaded once per user object
    bulletin_content(campaign=campaign, month=NOVEMBER, user=city_admin, on=MADE_ON)
    # Targets 1, the cached evaluations' versions 1, one per indicator 2, reporting period 1 +
    # district status 1, problems 3, 督办 2, the assessment result 1 when that app is installed,
    # whether the year has a key-project list (plans) 1.
    with django_assert_num_queries(QUERIES):
        bulletin_content(campaign=campaign, month=NOVEMBER, user=city_admin, on=MADE_ON)


QUERIES = 13


def test_months_that_can_have_a_bulletin(campaign):
    assert bulletin_months(campaign, on=dt.date(2022, 3, 15)) == [
        dt.date(2022, 1, 1),
        dt.date(2022, 2, 1),
    ]
    assert len(bulletin_months(campaign, on=dt.date(2023, 6, 1))) == 12
    assert bulletin_months(campaign, on=dt.date(2022, 1, 20)) == []
