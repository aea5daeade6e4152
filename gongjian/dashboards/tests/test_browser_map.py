"""The city's home to-do lists, the project map's clusters and district filter, and the
choropleth's callouts for the small urban districts, in Chromium (zh-CN). Screenshots:
todo_city_reviewer.png, todo_city_admin.png, map_clusters.png, map_zoomed.png,
map_zoomed_apart.png, map_district.png, choropleth_callouts.png."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.regions.models import Region
from gongjian.tests.factories import ProjectFactory
from gongjian.tests.test_browser import SCREENSHOTS, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The first cluster bubble's place on the page (the chart's own coordinates plus its box).
_FIRST_CLUSTER = """el => {
  const chart = echarts.getInstanceByDom(el);
  const series = chart.getOption().series.find(s => s.id === "clusters");
  const bubble = series.data[0];
  const at = chart.convertToPixel({geoIndex: 0}, [bubble.value[0], bubble.value[1]]);
  const box = el.getBoundingClientRect();
  return [box.left + at[0], box.top + at[1], bubble.value[2]];
}"""


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "gongjian-test")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


@pytest.fixture(autouse=True)
def _business_date(settings):
    settings.BUSINESS_DATE = dt.date(2022, 12, 2)


def test_the_city_reviewer_and_admin_see_their_to_do_on_the_home_page(
    live_server, month, city_reviewer, city_admin, settings
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    with chromium() as browser:
        for username, expected, shot in (
            ("city_reviewer", ["1\n2022年11月：1 份报告待市级审核"], "todo_city_reviewer.png"),
            (
                "city_admin",
                [
                    "1\n2022年11月：1 份报告待市级审核",
                    "1\n2022年11月：1 个县区逾期未报齐（鲤城区）",
                ],
                "todo_city_admin.png",
            ),
        ):
            # The admin signs in after November's due date (12-05) has passed.
            if username == "city_admin":
                settings.BUSINESS_DATE = dt.date(2022, 12, 6)
            context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            _sign_in(page, base, username)
            # The city staff's home is their to-do list (the dashboard is a link away).
            assert page.locator("h1").inner_text() == f"您好，{username}"
            assert page.locator("#todo li").all_inner_texts() == expected
            page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
            page.locator("#todo li a").first.click()
            page.wait_for_url(f"{base}/reporting/review/?period=2022-11")
            assert page.locator("h1").count() == 1
            context.close()


def test_the_map_clusters_zooms_into_a_cluster_and_filters_by_district(
    live_server, small_campaign, leader, lichen_filer
):
    # Given six more projects around 鲤城's centre and two in 晋江 (nine in all, all located).
    jinjiang = Region.objects.get(code="350582")
    for n in range(6):
        ProjectFactory.create(
            code=f"LC-M{n}",
            longitude=Decimal("118.560") + Decimal("0.012") * n,
            latitude=Decimal("24.890") + Decimal("0.006") * (n % 3),
        )
    for n in range(2):
        ProjectFactory.create(
            code=f"JJ-M{n}",
            region=jinjiang,
            longitude=Decimal("118.500") + Decimal("0.02") * n,
            latitude=Decimal("24.720"),
        )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        _sign_in(page, base, "leader")
        page.goto(f"{base}/dashboards/map/")
        page.wait_for_selector("#project-map[data-ready='1']", timeout=15000)
        page.wait_for_selector("#project-map[data-clusters]")
        chart = page.locator("#project-map")
        page.screenshot(path=str(SCREENSHOTS / "map_clusters.png"), full_page=True)
        # Seen whole, the city's points fall into two bubbles: 鲤城/丰泽's nine... and 晋江's two.
        assert chart.get_attribute("data-zoom") == "1"
        assert chart.get_attribute("data-clusters") == "2"
        assert chart.get_attribute("data-singles") == "0"

        # A click on the bigger bubble zooms in on it (2.5 times at each click) until its points
        # stand apart; LC-1 and LC-2 share a site, so they part only when zoomed in 64 times.
        x, y, count = chart.evaluate(_FIRST_CLUSTER)
        assert count == 9
        page.mouse.click(x, y)
        assert chart.get_attribute("data-zoom") == "2.5"
        assert (chart.get_attribute("data-clusters"), chart.get_attribute("data-singles")) == (
            "1",
            "3",
        )
        page.screenshot(path=str(SCREENSHOTS / "map_zoomed.png"), full_page=True)
        zooms: list[str | None] = []
        while chart.get_attribute("data-clusters") != "0" and len(zooms) < 8:
            x, y, count = chart.evaluate(_FIRST_CLUSTER)
            page.mouse.click(x, y)
            zooms.append(chart.get_attribute("data-zoom"))
        assert zooms == ["6.25", "15.63", "39.06", "97.66"]
        assert chart.get_attribute("data-singles") == "11"
        page.screenshot(path=str(SCREENSHOTS / "map_zoomed_apart.png"), full_page=True)

        # The district select lists the reporting units the user sees; 晋江 keeps its two.
        options = page.locator("#id_region option").all_inner_texts()
        assert options[:4] == ["全部区域", "鲤城区", "丰泽区", "洛江区"]
        assert "晋江市" in options
        page.select_option("#id_region", "350582")
        page.get_by_role("button", name="筛选").click()
        page.wait_for_url(f"{base}/dashboards/map/?region=350582&category=&stage=")
        page.wait_for_selector("#project-map[data-clusters]")
        assert (
            page.locator(".subtitle")
            .inner_text()
            .startswith("符合条件的项目 2 个，其中 2 个有坐标")
        )
        page.screenshot(path=str(SCREENSHOTS / "map_district.png"), full_page=True)
        assert errors == []
        context.close()

        # A district filer is offered their district only, and 晋江 in the address shows nothing.
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        _sign_in(page, base, "lichen_filer")
        page.goto(f"{base}/dashboards/map/?region=350582")
        assert page.locator("#id_region option").all_inner_texts() == ["全部区域", "鲤城区"]
        assert page.locator(".subtitle").inner_text().startswith("符合条件的项目 0 个")
        context.close()


def test_the_choropleth_calls_out_the_small_urban_districts(live_server, small_campaign, leader):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
        page = context.new_page()
        _sign_in(page, base, "leader")
        page.wait_for_selector("#district-map[data-ready='1']", timeout=15000)
        assert page.locator("#district-map").get_attribute("data-callouts") == (
            "洛江区,鲤城区,丰泽区,石狮市"
        )
        page.locator("#district-map").screenshot(path=str(SCREENSHOTS / "choropleth_callouts.png"))
        context.close()
