"""The campaign pages: the overview, the set-up pages (city_admin only; every refusal changes
nothing), and a target's page with its curve against 序时进度, its breakdown and its rows."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from gongjian.audit.models import AuditEvent
from gongjian.campaigns import views
from gongjian.campaigns.charts import curve_chart
from gongjian.campaigns.models import Campaign, Indicator, LeadingGroupMember, SpecialAction, Target
from gongjian.campaigns.selectors import target_detail, target_rows, target_rows_summary
from gongjian.campaigns.services import target_allocate
from gongjian.regions.models import Region
from gongjian.tests.factories import (
    CampaignFactory,
    LeadingGroupMemberFactory,
    SpecialActionFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

END_OF_MARCH = "2022-03-31"


@pytest.fixture
def campaign(db):
    return CampaignFactory.create()


@pytest.fixture
def action(campaign):
    return SpecialActionFactory.create(campaign=campaign, code="xmgj", name="项目攻坚")


@pytest.fixture
def city_target(ledger, campaign, action, key_investment, city_admin):
    """泉州市 在建重点项目完成投资 ≥ 24 000 万元 in 2022, allocated to 鲤城 10 000 and 丰泽
    12 000 (2 000 short of the city's)."""
    target = TargetFactory.create(
        campaign=campaign, action=action, indicator=key_investment, value=Decimal("24000.00")
    )
    target_allocate(
        actor=city_admin,
        target=target,
        allocations={"350502": Decimal("10000.00"), "350503": Decimal("12000.00")},
    )
    return target


def _lichen_target(city_target) -> Target:
    return city_target.allocations.get(region__code="350502")


def _url(name: str, target: Target | None = None, **kwargs) -> str:
    if target is not None:
        kwargs = {"code": target.campaign.code, "pk": target.pk, **kwargs}
    return reverse(f"campaigns:{name}", kwargs=kwargs)


# ---------------------------------------------------------------------------------------------
# The target page


def test_target_page_shows_progress_curve_breakdown_and_rows(client, city_admin, city_target):
    # Given the ledger's approved key-project reports up to March (5 800.74 万元 in all)
    client.force_login(city_admin)

    # When the campaign office opens the city target at the end of March
    response = client.get(_url("target_detail", city_target), {"as_of": END_OF_MARCH})

    # Then the numbers, the curve, the breakdown and the rows all agree
    assert response.status_code == 200
    progress = response.context["progress"]
    assert (progress.actual, progress.completion, progress.time_elapsed, progress.ahead_points) == (
        Decimal("5800.74"),
        Decimal("0.2417"),
        Decimal("0.2466"),
        Decimal("-0.49"),
    )
    curve = response.context["detail"].curve
    assert [(p.month.month, p.actual, p.planned) for p in curve[:4]] == [
        (1, Decimal("3000.00"), Decimal("2038.36")),
        (2, Decimal("4800.75"), Decimal("3879.45")),
        (3, Decimal("5800.74"), Decimal("5917.81")),
        (4, None, Decimal("7890.41")),
    ]
    assert curve[-1].planned == Decimal("24000.00")
    breakdown = {b.region.code: b for b in response.context["detail"].breakdown}
    assert len(breakdown) == 14  # the 13 reporting units and 金门县
    assert breakdown["350502"].actual == Decimal("2800.75")
    assert breakdown["350502"].allocation.completion == Decimal("0.2801")
    assert breakdown["350503"].actual == Decimal("2999.99")
    assert breakdown["350582"].actual == Decimal("0.00")  # JJ-1 is not a key project
    assert breakdown["350582"].allocation is None
    assert response.context["page"].paginator.count == 5
    assert response.context["rows_total"] == Decimal("5800.74")
    assert response.context["detail"].allocation_warning == (
        "分解到2个区域的目标合计 22,000.00万元，低于泉州市目标 24,000.00万元，尚差 2,000.00万元。"
    )
    html = response.content.decode()
    # The target's figures in 亿元 (an overview), the rows and their sum in 万元 (details).
    assert '<div class="kpi-value">0.58亿元</div>' in html
    assert "共 5 条，合计 5,800.74万元" in html
    assert '<polyline points="' in html


def test_drilldown_to_a_region_lists_exactly_its_rows(client, city_admin, city_target):
    client.force_login(city_admin)

    response = client.get(
        _url("target_detail", city_target), {"as_of": END_OF_MARCH, "region": "350502"}
    )

    rows = list(response.context["page"])
    assert [(r.project.code, r.period.month.month, r.amount) for r in rows] == [
        ("LC-1", 1, Decimal("1000.00")),
        ("LC-1", 2, Decimal("1500.50")),
        ("LC-2", 2, Decimal("300.25")),
    ]
    assert response.context["rows_total"] == Decimal("2800.75")


def test_drilldown_outside_the_target_region_is_404(client, city_admin, city_target):
    client.force_login(city_admin)
    lichen = _lichen_target(city_target)

    response = client.get(_url("target_detail", lichen), {"region": "350503"})

    assert response.status_code == 404


def test_a_district_sees_the_city_target_with_only_its_own_rows(client, lichen_filer, city_target):
    client.force_login(lichen_filer)

    response = client.get(_url("target_detail", city_target), {"as_of": END_OF_MARCH})

    assert response.status_code == 200
    assert response.context["progress"].actual == Decimal("5800.74")  # the city's published total
    assert [b.region.code for b in response.context["detail"].breakdown] == ["350502"]
    assert response.context["page"].paginator.count == 3
    assert response.context["rows_total"] == Decimal("2800.75")
    assert response.context["can_manage"] is False


def test_another_districts_target_is_404_and_the_attempt_audited(client, fengze_filer, city_target):
    client.force_login(fengze_filer)
    lichen = _lichen_target(city_target)

    response = client.get(_url("target_detail", lichen))

    assert response.status_code == 404
    denied = AuditEvent.objects.filter(action="denied", actor=fengze_filer).get()
    assert (denied.object_type, denied.object_id) == ("campaigns.target", str(lichen.pk))


def test_target_detail_selector_query_count(django_assert_num_queries, city_admin, city_target):
    as_of = dt.date(2022, 3, 31)
    # the evaluation with history (1) and the period's evaluation (1), each after its cached
    # version (2), the regions below (1), the allocations (1), allocation_gap's sum of them (1);
    # the user's memberships are cached
    with django_assert_num_queries(7):
        detail = target_detail(target=city_target, as_of=as_of, user=city_admin)
    assert detail.progress.actual == Decimal("5800.74")


def test_a_rate_curve_moves_from_its_baseline(city_admin, campaign):
    from gongjian.tests.factories import IndicatorFactory

    rate = IndicatorFactory.create(
        code="park-entry-rate",
        name="规上工业企业入园率",
        kind="stock_ratio",
        unit="%",
        definition={
            "source": "enterprises",
            "numerator": {"in_park": True},
            "denominator": {"above_scale": True},
        },
    )
    target = TargetFactory.create(
        campaign=campaign,
        indicator=rate,
        region=Region.objects.get(code="350582"),
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2024, 12, 31),
        value=Decimal("60.00"),
        baseline_value=Decimal("29.81"),
    )

    detail = target_detail(target=target, as_of=dt.date(2022, 12, 31), user=city_admin)

    assert len(detail.curve) == 36
    # 序时 at the end of 2022: 365 of 1096 days of the way from 29.81 % to 60 %
    assert detail.curve[11].planned == Decimal("39.86")
    assert detail.curve[-1].planned == Decimal("60.00")
    assert detail.curve[11].actual is None  # no above-scale enterprise: no rate at all


# ---------------------------------------------------------------------------------------------
# The campaign overview


def test_the_city_sees_each_city_target_with_its_allocations(client, city_admin, city_target):
    client.force_login(city_admin)

    response = client.get(_url("detail", code="xmgj2022"), {"as_of": END_OF_MARCH})

    (block,) = response.context["overview"]
    assert block.action.code == "xmgj"
    (row,) = block.targets
    assert row.progress.target == city_target
    assert [a.target.region.code for a in row.allocations] == ["350502", "350503"]
    assert row.allocations_by_status() == {"green": 2, "yellow": 0, "red": 0, "not_started": 0}
    assert "2 个区域" in response.content.decode()


def test_a_district_sees_the_city_target_and_its_own_as_rows(client, lichen_filer, city_target):
    client.force_login(lichen_filer)

    response = client.get(_url("detail", code="xmgj2022"), {"as_of": END_OF_MARCH})

    (block,) = response.context["overview"]
    assert [(r.progress.target.region.code, len(r.allocations)) for r in block.targets] == [
        ("350500", 0),
        ("350502", 0),
    ]
    assert response.context["can_manage"] is False
    assert "新建目标" not in response.content.decode()


def test_leading_group_shown_on_the_overview(client, leader, action):
    LeadingGroupMemberFactory.create(action=action, name="张三", title="市长", role="leader")
    client.force_login(leader)

    response = client.get(_url("detail", code="xmgj2022"))

    assert response.context["overview"][0].members[0].name == "张三"
    assert "张三" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Set-up pages: who may open and post them


def _setup_urls(city_target) -> list[str]:
    code = city_target.campaign.code
    return [
        reverse("campaigns:create"),
        reverse("campaigns:edit", kwargs={"code": code}),
        reverse("campaigns:action_create", kwargs={"code": code}),
        reverse("campaigns:action_edit", kwargs={"code": code, "action_code": "xmgj"}),
        reverse("campaigns:indicator_create"),
        reverse("campaigns:indicator_edit", kwargs={"indicator_code": "key-investment"}),
        reverse("campaigns:target_create", kwargs={"code": code}),
        _url("target_edit", city_target),
        _url("target_allocate", city_target),
    ]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("city_admin", 200), ("city_reviewer", 403), ("leader", 403), ("lichen_filer", 403)],
)
def test_only_the_campaign_office_opens_the_set_up_pages(
    request, client, city_target, persona, status
):
    client.force_login(request.getfixturevalue(persona))

    statuses = [client.get(url).status_code for url in _setup_urls(city_target)]

    assert statuses == [status] * 9


@pytest.mark.parametrize("persona", ["city_reviewer", "leader", "lichen_filer"])
def test_a_refused_post_changes_nothing(request, client, city_target, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    before = (Campaign.objects.count(), Target.objects.count(), Indicator.objects.count())

    responses = [
        client.post(reverse("campaigns:create"), {"code": "x2023", "name": "新"}),
        client.post(_url("target_delete", city_target)),
        client.post(_url("target_allocate", city_target), {"350502": "1"}),
        client.post(
            reverse("campaigns:member_add", kwargs={"code": "xmgj2022", "action_code": "xmgj"}),
            {"name": "李四", "title": "局长", "role": "member", "sort_order": "0"},
        ),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert (Campaign.objects.count(), Target.objects.count(), Indicator.objects.count()) == before
    assert not LeadingGroupMember.objects.exists()
    assert not AuditEvent.objects.filter(
        actor=user, action__in=["create", "update", "delete"]
    ).exists()
    assert AuditEvent.objects.filter(actor=user, action="denied").count() == 4


def test_anonymous_is_sent_to_log_in(client, city_target):
    response = client.get(_url("target_detail", city_target))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------------------------------------
# Set-up pages: what they do


def _campaign_form(**overrides) -> dict:
    return {
        "code": "xmgj2023",
        "name": "项目攻坚2023",
        "starts_on": "2023-01-01",
        "ends_on": "2023-12-31",
        "green_threshold": "-5",
        "yellow_threshold": "-15",
        "elapsed_basis": "days",
        "is_active": "on",
        **overrides,
    }


def test_create_a_campaign(client, city_admin):
    client.force_login(city_admin)

    response = client.post(reverse("campaigns:create"), _campaign_form(elapsed_basis="months"))

    assert response.status_code == 302
    assert response["Location"] == "/campaigns/xmgj2023/"
    campaign = Campaign.objects.get(code="xmgj2023")
    assert (campaign.name, campaign.starts_on, campaign.is_active, campaign.elapsed_basis) == (
        "项目攻坚2023",
        dt.date(2023, 1, 1),
        True,
        "months",
    )
    assert AuditEvent.objects.filter(action="create", object_type="campaigns.campaign").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": "new"}, "code", "“new”是系统保留字，不能用作代码。"),
        ({"code": "项目"}, "code", "代码只能包含小写字母、数字、“-”和“_”，最长 32 位。"),
        ({"ends_on": "2022-12-31"}, "ends_on", "结束日期不能早于开始日期。"),
        ({"yellow_threshold": "0"}, "yellow_threshold", "预警阈值不能高于正常阈值。"),
    ],
)
def test_campaign_errors_are_shown_beside_the_field(client, city_admin, overrides, field, message):
    client.force_login(city_admin)

    response = client.post(reverse("campaigns:create"), _campaign_form(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Campaign.objects.filter(name="项目攻坚2023").exists()


def test_create_an_action_and_manage_its_leading_group(client, city_admin, campaign):
    client.force_login(city_admin)
    code = campaign.code

    response = client.post(
        reverse("campaigns:action_create", kwargs={"code": code}),
        {"code": "zsyz", "name": "抓开放招商促项目落地", "sort_order": "2"},
    )
    assert response["Location"] == f"/campaigns/{code}/actions/zsyz/"
    add = reverse("campaigns:member_add", kwargs={"code": code, "action_code": "zsyz"})
    client.post(add, {"name": "王五", "title": "市长", "role": "leader", "sort_order": "0"})
    client.post(add, {"name": "赵六", "title": "副市长", "role": "deputy", "sort_order": "1"})
    refused = client.post(add, {"name": "", "title": "局长", "role": "member", "sort_order": "2"})

    action = SpecialAction.objects.get(campaign=campaign, code="zsyz")
    assert [(m.name, m.role) for m in action.leading_group.all()] == [
        ("王五", "leader"),
        ("赵六", "deputy"),
    ]
    assert refused.status_code == 200
    assert refused.context["member_form"].errors["name"] == ["这个字段是必填项。"]

    member = action.leading_group.get(name="赵六")
    client.post(
        reverse(
            "campaigns:member_remove",
            kwargs={"code": code, "action_code": "zsyz", "pk": member.pk},
        )
    )
    assert [m.name for m in action.leading_group.all()] == ["王五"]


def test_an_indicator_with_bad_json_or_a_bad_key_is_refused(client, city_admin):
    client.force_login(city_admin)
    form = {"code": "x", "name": "指标", "kind": "event_count", "unit": "个"}

    not_json = client.post(reverse("campaigns:indicator_create"), {**form, "definition": "{x"})
    bad_key = client.post(
        reverse("campaigns:indicator_create"),
        {**form, "definition": json.dumps({"source": "stage_events", "stage": "signed", "sql": 1})},
    )

    assert not_json.context["form"].errors["definition"] == [
        "定义不是有效的 JSON（第 1 行第 2 列）：Expecting property name enclosed in double quotes"
    ]
    assert bad_key.context["form"].errors["definition"] == [
        "“sql”不是事件计数指标的定义项（可用：source、stage、categories、min_total_investment）。"
    ]
    assert not Indicator.objects.filter(code="x").exists()


def test_create_an_indicator(client, city_admin):
    client.force_login(city_admin)

    response = client.post(
        reverse("campaigns:indicator_create"),
        {
            "code": "completed",
            "name": "新建成项目",
            "kind": "event_count",
            "unit": "个",
            "definition": '{"source": "stage_events", "stage": "completed"}',
        },
    )

    assert response.status_code == 302
    indicator = Indicator.objects.get(code="completed")
    assert indicator.definition == {"source": "stage_events", "stage": "completed"}


def _target_form(**overrides) -> dict:
    return {
        "action_code": "xmgj",
        "indicator_code": "key-investment",
        "region_code": "350582",
        "period_start": "2022-01-01",
        "period_end": "2022-12-31",
        "comparator": "≥",
        "value": "3389000",
        "weight": "1",
        "sort_order": "0",
        "plan_curve": "",
        "source_sentence": "晋江市完成投资338.9亿元",
        **overrides,
    }


def test_create_a_target_with_a_plan_curve(client, city_admin, city_target):
    client.force_login(city_admin)
    curve = "0.05, 0.1，0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1"

    response = client.post(_url("target_create", code="xmgj2022"), _target_form(plan_curve=curve))

    target = Target.objects.get(region__code="350582")
    assert response["Location"] == f"/campaigns/xmgj2022/targets/{target.pk}/"
    assert (target.value, target.action, target.source_sentence) == (
        Decimal("3389000.00"),
        SpecialAction.objects.get(code="xmgj"),
        "晋江市完成投资338.9亿元",
    )
    assert (target.plan_curve or [])[:3] == ["0.05", "0.1", "0.15"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"period_start": "2022-01-02"},
            "period_start",
            "起始日期须为某月的 1 日（目标按整月计）。",
        ),
        ({"value": "-1"}, "value", "目标值不能为负数。"),
        (
            {"plan_curve": "0.5, 1"},
            "plan_curve",
            "月度计划进度须为 12 个累计比例（0 至 1，逐月不减，最后一个为 1），"
            '如 ["0.1", "0.25", …, "1"]。',
        ),
        (
            {"region_code": "350500"},
            "region_code",
            "泉州市在该期间已有“在建重点项目完成投资”目标。",
        ),
    ],
)
def test_target_errors_are_shown_beside_the_field(
    client, city_admin, city_target, overrides, field, message
):
    client.force_login(city_admin)
    before = Target.objects.count()

    response = client.post(_url("target_create", code="xmgj2022"), _target_form(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Target.objects.count() == before


def test_allocate_from_the_page_and_see_the_gap_close(client, city_admin, city_target):
    client.force_login(city_admin)

    response = client.post(
        _url("target_allocate", city_target), {"350502": "10000", "350503": "14000"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["已保存目标分解。"]
    assert sorted(city_target.allocations.values_list("region__code", "value")) == [
        ("350502", Decimal("10000.00")),
        ("350503", Decimal("14000.00")),
    ]


def test_allocating_short_of_the_target_warns(client, city_admin, city_target):
    client.force_login(city_admin)

    response = client.post(_url("target_allocate", city_target), {"350583": "1000"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "分解到3个区域的目标合计 23,000.00万元，低于泉州市目标 24,000.00万元，尚差 1,000.00万元。",
        "已保存目标分解。",
    ]


def test_delete_a_target_with_its_allocations(client, city_admin, city_target):
    client.force_login(city_admin)

    response = client.post(_url("target_delete", city_target), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["已删除目标及其 2 个分解目标。"]
    assert not Target.objects.exists()


# ---------------------------------------------------------------------------------------------
# The chart


def test_curve_chart_geometry():
    months = [dt.date(2022, m, 1) for m in (1, 2, 3, 4)]

    chart = curve_chart(
        months=months,
        actual=[Decimal(10), Decimal(30), None, None],
        planned=[Decimal(10), Decimal(20), Decimal(30), Decimal(40)],
        target_value=Decimal(40),
        unit="个",
    )

    # 4 months over a plot 872 wide from x = 72: centres at 72 + 872 × (i + 0.5) / 4; the scale
    # 0–40 in steps of 10 over a plot 252 high from y = 16: y = 16 + 252 × (40 − v) / 40
    assert chart.actual == "181.0,205.0 399.0,79.0"
    assert chart.planned == "181.0,205.0 399.0,142.0 617.0,79.0 835.0,16.0"
    assert chart.target_y == 16.0
    assert [t.label for t in chart.ticks] == ["0", "10", "20", "30", "40"]
    assert [m.label for m in chart.month_labels] == ["1", "2", "3", "4"]


# ---------------------------------------------------------------------------------------------
# The target page's drill-down (issue 20): the count and the sum from the monthly cells, the
# rows paged by key, in a fixed number of queries whatever the page


@pytest.fixture
def two_a_page(monkeypatch):
    monkeypatch.setattr(views, "ROWS_PER_PAGE", 2)


def _rows(response) -> list[tuple[str, int, Decimal]]:
    return [(r.project.code, r.period.month.month, r.amount) for r in response.context["page"]]


def _get(client, target, link: str = ""):
    url = reverse("campaigns:target_detail", kwargs={"code": target.campaign.code, "pk": target.pk})
    return client.get(url + (link.split("#")[0] if link else f"?as_of={END_OF_MARCH}"))


def test_the_rows_are_paged_by_key_forwards_backwards_and_to_the_end(
    client, city_admin, city_target, two_a_page
):
    client.force_login(city_admin)

    first = _get(client, city_target)
    assert _rows(first) == [("FZ-1", 1, Decimal("2000.00")), ("LC-1", 1, Decimal("1000.00"))]
    page = first.context["page"]
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (1, 5, 3)
    assert first.context["rows_total"] == Decimal("5800.74")

    second = _get(client, city_target, page.next_url)
    assert _rows(second) == [("LC-1", 2, Decimal("1500.50")), ("LC-2", 2, Decimal("300.25"))]
    third = _get(client, city_target, second.context["page"].next_url)
    assert _rows(third) == [("FZ-1", 3, Decimal("999.99"))]
    assert (third.context["page"].number, third.context["page"].has_next()) == (3, False)

    back = _get(client, city_target, third.context["page"].previous_url)
    assert _rows(back) == _rows(second)
    assert back.context["page"].number == 2
    last = _get(client, city_target, page.last_url)
    assert (_rows(last), last.context["page"].number) == (_rows(third), 3)
    html = first.content.decode()
    assert "共 5 条，合计 5,800.74万元" in html
    assert "第 1 / 3 页" in html


def test_the_target_page_reads_its_rows_once_whatever_the_page(
    client, city_admin, city_target, two_a_page, django_assert_num_queries
):
    client.force_login(city_admin)
    second_link = _get(client, city_target).context["page"].next_url
    # Session, user; the campaign, the target, the memberships; the evaluations with their
    # versions (4), the regions below, the allocations and their sum; the count and the sum from
    # the cells (1); the edge row's key (1) and the page (1); the layout's unread notifications.
    with django_assert_num_queries(16):
        response = _get(client, city_target, second_link)
    assert _rows(response) == [("LC-1", 2, Decimal("1500.50")), ("LC-2", 2, Decimal("300.25"))]


def test_the_count_and_sum_from_the_cells_equal_the_rows(city_admin, city_target, region):
    as_of = dt.date(2022, 3, 31)
    for drill in (None, region("350502"), region("350503")):
        rows = target_rows(target=city_target, as_of=as_of, user=city_admin, region=drill)
        assert target_rows_summary(
            target=city_target, as_of=as_of, user=city_admin, region=drill, rows=rows
        ) == (rows.count(), sum((r.amount for r in rows), Decimal(0)))


def test_a_stage_event_window_ending_inside_a_month_adds_its_days(
    city_admin, campaign, action, started, ledger
):
    target = TargetFactory.create(
        campaign=campaign, action=action, indicator=started, value=Decimal("10")
    )
    for day in (dt.date(2022, 3, 31), dt.date(2022, 3, 9), dt.date(2022, 2, 28)):
        rows = target_rows(target=target, as_of=day, user=city_admin)
        summary = target_rows_summary(
            target=target, as_of=day, user=city_admin, region=None, rows=rows
        )
        assert summary == (rows.count(), Decimal(rows.count()))
