"""The campaign dashboards' reads: cards, sparklines, the map/ranking layers, lagging projects,
scope, the number of queries, and that an approval shows in the next read (nothing is cached)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from gongjian.accounts.scopes import memberships_of
from gongjian.audit.models import AuditEvent
from gongjian.core.periods import ElapsedBasis
from gongjian.dashboards.selectors import (
    OVERALL,
    Layer,
    dashboard_region_get,
    lagging_projects,
    map_data,
    project_points,
    region_dashboard,
    sees_city_dashboard,
)
from gongjian.dashboards.tests.conftest import AS_OF
from gongjian.reporting.models import ProgressReport
from gongjian.reporting.services import report_approve
from gongjian.tests.factories import TargetFactory

pytestmark = pytest.mark.django_db


def _layer(dashboard) -> Layer:
    assert dashboard.layer is not None
    return dashboard.layer


def _card_figures(card):
    p = card.progress
    return (
        p.target.indicator.code,
        str(p.actual),
        str(p.completion),
        str(p.time_elapsed),
        str(p.ahead_points),
        p.status,
    )


def test_the_city_cards_grouped_by_special_action(small_campaign, region, leader):
    dashboard = region_dashboard(
        user=leader, campaign=small_campaign["campaign"], region=region("350500"), as_of=AS_OF
    )

    assert [g.action and g.action.name for g in dashboard.groups] == [
        "项目攻坚",
        "抓开放招商促项目落地",
    ]
    assert [[_card_figures(c) for c in g.cards] for g in dashboard.groups] == [
        [("key-investment", "7000.00", "0.7000", "0.9151", "-21.51", "red")],
        [("key-started", "3", "0.7500", "0.9151", "-16.51", "red")],
    ]
    assert dashboard.status_counts == {"green": 0, "yellow": 0, "red": 2, "not_started": 0}
    card = dashboard.groups[0].cards[0]
    assert (card.bar_width, card.marker) == (Decimal("70.0"), Decimal("91.5"))


def test_a_district_target_of_its_own_is_a_city_card_too(small_campaign, region, leader):
    # Given a target set for 泉港 in its own right (like 晋江's 入园率 ≥ 60%), not allocated
    drive = small_campaign["campaign"].actions.get(code="xmgj")
    TargetFactory.create(
        campaign=small_campaign["campaign"],
        action=drive,
        indicator=small_campaign["targets"][("key-started", "350500")].indicator,
        region=region("350505"),
        value=Decimal("1"),
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2022, 12, 31),
    )

    dashboard = region_dashboard(
        user=leader, campaign=small_campaign["campaign"], region=region("350500"), as_of=AS_OF
    )

    assert [(c.target.region.code, c.target.indicator.code) for c in dashboard.groups[0].cards] == [
        ("350500", "key-investment"),
        ("350505", "key-started"),
    ]


def test_a_sparkline_is_the_cumulative_value_at_each_month_end(small_campaign, region, leader):
    dashboard = region_dashboard(
        user=leader, campaign=small_campaign["campaign"], region=region("350500"), as_of=AS_OF
    )

    spark = dashboard.groups[0].cards[0].spark
    assert spark.values == [
        Decimal(v) for v in ("500", "1000", "2500", "3000", "3500", "5000", "5500", "6000")
    ] + [Decimal(v) for v in ("6500", "7000", "7000")] + [None]
    # The 序时 line is the target × 序时进度 at each month's end, by days: 31/365, 59/365, 90/365.
    assert [round(v, 2) for v in spark.plan[:3]] == [
        Decimal("849.32"),
        Decimal("1616.44"),
        Decimal("2465.75"),
    ]
    assert spark.plan[-1] == Decimal("10000.00")


def test_an_open_month_without_reports_does_not_repeat_the_month_before(
    small_campaign, region, leader
):
    # On 2022-12-02 December is open and nothing is reported in it yet
    dashboard = region_dashboard(
        user=leader,
        campaign=small_campaign["campaign"],
        region=region("350500"),
        as_of=dt.date(2022, 12, 2),
    )

    spark = dashboard.groups[0].cards[0].spark
    assert spark.values[-3:] == [Decimal("7000"), Decimal("7000"), None]


def test_a_sparkline_by_months_adds_a_twelfth_at_each_month_end(small_campaign, region, leader):
    campaign = small_campaign["campaign"]
    campaign.elapsed_basis = ElapsedBasis.MONTHS
    campaign.save(update_fields=["elapsed_basis"])

    dashboard = region_dashboard(
        user=leader, campaign=campaign, region=region("350500"), as_of=AS_OF
    )

    card = dashboard.groups[0].cards[0]
    assert [round(v, 2) for v in card.spark.plan[:3]] == [
        Decimal("833.33"),
        Decimal("1666.67"),
        Decimal("2500.00"),
    ]
    # The card's 序时 marker in the same convention: November, 11/12.
    assert card.progress.time_elapsed == Decimal("0.9167")
    assert card.marker == Decimal("91.7")


def test_the_overall_ranking_averages_points_ahead_by_weight(small_campaign, region, leader):
    dashboard = region_dashboard(
        user=leader, campaign=small_campaign["campaign"], region=region("350500"), as_of=AS_OF
    )

    layer = _layer(dashboard)
    assert layer.key == OVERALL
    ranked = [(v.region.code, v.rank, v.score) for v in layer.districts]
    # 鲤城: (−8.17 + 8.49) ÷ 2; 丰泽: (−41.51 − 41.51) ÷ 2; the others have no target.
    assert ranked[:2] == [("350502", 1, Decimal("0.16")), ("350503", 2, Decimal("-41.51"))]
    assert [code for code, rank, score in ranked[2:]] == [
        "350504", "350505", "350521", "350524", "350525", "350526", "350527", "350581",
        "350582", "350583", "QZ-TZQ", "QZ-JKQ",
    ]  # fmt: skip
    assert {(rank, score) for code, rank, score in ranked[2:]} == {(None, None)}
    assert [key for key, label in dashboard.layers] == [OVERALL, "key-investment", "key-started"]


def test_an_indicator_layer_ranks_by_completion(small_campaign, region, leader):
    dashboard = region_dashboard(
        user=leader,
        campaign=small_campaign["campaign"],
        region=region("350500"),
        as_of=AS_OF,
        layer="key-investment",
    )

    ranked = [
        (v.region.code, v.rank, v.score, v.progress.status)
        for v in _layer(dashboard).districts
        if v.progress
    ]
    assert ranked == [
        ("350502", 1, Decimal("83.33"), "yellow"),
        ("350503", 2, Decimal("50.00"), "red"),
    ]
    data = map_data(dashboard)
    assert (data["layer"], data["label"], data["overall"]) == (
        "key-investment",
        "在建重点项目完成投资",
        False,
    )
    assert data["items"][:2] == [
        {"name": "鲤城区", "code": "350502", "label": "鲤城区", "value": 83.33, "rank": 1,
         "text": "83.33%", "tooltip": "83.33%", "zone": False, "reporting": True,
         "status": "yellow", "ahead": -8.17},
        {"name": "丰泽区", "code": "350503", "label": "丰泽区", "value": 50.0, "rank": 2,
         "text": "50.00%", "tooltip": "50.00%", "zone": False, "reporting": True,
         "status": "red", "ahead": -41.51},
    ]  # fmt: skip
    kinmen = next(i for i in data["items"] if i["code"] == "350527")
    assert (kinmen["value"], kinmen["text"], kinmen["reporting"]) == (None, "—", False)


def test_an_unknown_layer_falls_back_to_overall(small_campaign, region, leader):
    dashboard = region_dashboard(
        user=leader,
        campaign=small_campaign["campaign"],
        region=region("350500"),
        as_of=AS_OF,
        layer="no-such-indicator",
    )

    assert _layer(dashboard).key == OVERALL


def test_a_cap_indicator_ranks_the_least_used_first(small_campaign, region, leader):
    # Given the district targets of key-investment are caps (≤): using less is better
    for code in ("350502", "350503"):
        target = small_campaign["targets"][("key-investment", code)]
        target.comparator = "≤"
        target.save(update_fields=["comparator"])

    dashboard = region_dashboard(
        user=leader,
        campaign=small_campaign["campaign"],
        region=region("350500"),
        as_of=AS_OF,
        layer="key-investment",
    )

    # Then 丰泽 (50 % of its cap used) ranks before 鲤城 (83.33 %), as the bulletin ranks them
    ranked = [(v.region.code, v.rank, v.score) for v in _layer(dashboard).districts if v.progress]
    assert ranked == [("350503", 1, Decimal("50.00")), ("350502", 2, Decimal("83.33"))]


def test_a_district_sees_its_own_cards_and_no_ranking(small_campaign, region, lichen_filer):
    dashboard = region_dashboard(
        user=lichen_filer,
        campaign=small_campaign["campaign"],
        region=region("350502"),
        as_of=AS_OF,
    )

    assert [_card_figures(c) for c in dashboard.cards] == [
        ("key-investment", "5000.00", "0.8333", "0.9151", "-8.17", "yellow"),
        ("key-started", "2", "1.0000", "0.9151", "8.49", "green"),
    ]
    assert dashboard.layer is None
    assert dashboard.status_counts == {"green": 1, "yellow": 1, "red": 0, "not_started": 0}


def test_the_city_dashboard_takes_one_query_per_indicator(
    small_campaign, region, leader, django_assert_num_queries
):
    city = region("350500")
    memberships_of(leader)  # loaded once per request, before any page reads
    # The targets, the cached evaluations' versions (one for all), one grouped query per
    # indicator (two), the units below the city.
    with django_assert_num_queries(5):
        dashboard = region_dashboard(
            user=leader, campaign=small_campaign["campaign"], region=city, as_of=AS_OF
        )
        map_data(dashboard)

    assert len(dashboard.cards) == 2


def test_an_approval_shows_in_the_next_read(small_campaign, region, leader, city_reviewer):
    campaign, city = small_campaign["campaign"], region("350500")
    pending = ProgressReport.objects.get(project__code="LC-2")

    report_approve(actor=city_reviewer, report=pending)

    dashboard = region_dashboard(user=leader, campaign=campaign, region=city, as_of=AS_OF)
    assert _card_figures(dashboard.cards[0]) == (
        "key-investment", "7900.00", "0.7900", "0.9151", "-12.51", "yellow",
    )  # fmt: skip


def test_lagging_projects_most_behind_first(small_campaign, region, leader):
    count, rows = lagging_projects(
        user=leader, region=region("350502"), as_of=AS_OF, behind_points=Decimal(15)
    )

    assert count == 2
    assert [
        (p.code, *(getattr(p, a) for a in ("ytd", "plan_completion", "behind_points")))
        for p in rows
    ] == [
        ("LC-2", Decimal("0"), Decimal("0.0000"), Decimal("91.51")),
        ("LC-1", Decimal("5000"), Decimal("0.4167"), Decimal("49.84")),
    ]


def test_lagging_projects_page_and_count_in_one_query(
    small_campaign, region, leader, django_assert_num_queries
):
    memberships_of(leader)  # cached on the user, as in a request
    lichen = region("350502")
    # The page with the count carried on its rows (a window count): one pass.
    with django_assert_num_queries(1):
        count, rows = lagging_projects(
            user=leader, region=lichen, as_of=AS_OF, behind_points=Decimal(15), limit=1
        )
    assert (count, [p.code for p in rows]) == (2, ["LC-2"])
    with django_assert_num_queries(1):
        count, rows = lagging_projects(
            user=leader, region=lichen, as_of=AS_OF, behind_points=Decimal(15), limit=1, offset=1
        )
    assert (count, [p.code for p in rows]) == (2, ["LC-1"])
    # A page past the end has no row to carry the count: it is counted apart.
    with django_assert_num_queries(2):
        count, rows = lagging_projects(
            user=leader, region=lichen, as_of=AS_OF, behind_points=Decimal(15), limit=1, offset=5
        )
    assert (count, rows) == (2, [])


def test_a_region_outside_the_scope_is_404_and_audited(db, region, lichen_filer):
    assert dashboard_region_get(user=lichen_filer, code="350502") == region("350502")

    with pytest.raises(Http404):
        dashboard_region_get(user=lichen_filer, code="350503")

    # A refused attempt keeps only the object's type and id, never its name.
    event = AuditEvent.objects.get(action="denied")
    assert (event.actor, event.object_type, event.object_id, event.object_repr) == (
        lichen_filer,
        "regions.region",
        str(region("350503").pk),
        "",
    )


def test_who_gets_the_city_dashboard(
    db, city_admin, city_reviewer, leader, lichen_filer, department
):
    assert [sees_city_dashboard(u) for u in (city_admin, city_reviewer, leader)] == [True] * 3
    assert [sees_city_dashboard(u) for u in (lichen_filer, department)] == [False, False]


def test_project_points_filter_by_category_and_stage(small_campaign, lichen_filer):
    found = project_points(user=lichen_filer, stage="started")

    assert found.total == 2
    assert sorted(p[3] for p in found.points) == ["LC-1", "LC-2"]
    assert found.points[0][:2] == [118.587, 24.908]
    assert project_points(user=lichen_filer, category="investment-signed").total == 0


def test_the_dashboard_day_is_not_the_whole_year(small_campaign, region, leader):
    """On 2022-06-30 the same rows give June's numbers."""
    dashboard = region_dashboard(
        user=leader,
        campaign=small_campaign["campaign"],
        region=region("350500"),
        as_of=dt.date(2022, 6, 30),
    )

    assert _card_figures(dashboard.cards[0]) == (
        "key-investment", "5000.00", "0.5000", "0.4959", "0.41", "green",
    )  # fmt: skip
