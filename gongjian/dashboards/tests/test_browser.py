"""The dashboards in Chromium: the city dashboard draws the district map and every target card
without a script error, a card drills down to the rows behind it, and the dashboard, the 大屏 and
a district page are saved as screenshots under ``$GONGJIAN_ARTIFACTS/screenshots``."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.dashboards.tests.conftest import AS_OF
from gongjian.tests.test_browser import SCREENSHOTS, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _business_date(settings):
    settings.BUSINESS_DATE = AS_OF


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "gongjian-test")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def test_the_city_dashboard_map_cards_drilldown_and_screen(live_server, small_campaign, leader):
    # Given the small campaign (two targets, allocated to 鲤城 and 丰泽) and a city leader.
    target = small_campaign["targets"][("key-investment", "350500")]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        # The home page is the campaign dashboard: a card per target, grouped by action.
        _sign_in(page, base, "leader")
        assert page.locator("h1").inner_text() == "项目攻坚2022"
        assert page.locator(".dash-action-title").all_inner_texts() == [
            "项目攻坚\n1 项目标",
            "抓开放招商促项目落地\n1 项目标",
        ]
        cards = page.locator(".tcard")
        assert cards.count() == 2
        assert cards.locator(".tcard-name").all_inner_texts() == [
            "在建重点项目完成投资",
            "新开工重点项目",
        ]
        assert cards.locator(".tcard-value").all_inner_texts() == ["0.70", "3"]
        assert cards.locator(".tcard-completion").all_inner_texts() == ["70.00%", "75.00%"]
        assert cards.locator(".tcard-ahead").all_inner_texts() == ["-21.51", "-16.51"]
        assert cards.locator("svg.spark").count() == 2

        # The map is drawn from the vendored GeoJSON, with the functional zones beside it.
        page.wait_for_selector("#district-map[data-ready='1']", timeout=15000)
        assert page.locator("#district-map canvas").count() >= 1
        assert page.locator(".zone-tile .zone-name").all_inner_texts() == [
            "泉州台商投资区",
            "泉州经济技术开发区",
        ]
        ranking = page.locator("table.ranking tbody tr")
        assert ranking.nth(0).locator("td").all_inner_texts() == ["1", "鲤城区", "+0.16"]
        assert ranking.nth(1).locator("td").all_inner_texts() == ["2", "丰泽区", "-41.51"]
        page.screenshot(path=str(SCREENSHOTS / "dashboard_city.png"), full_page=True)

        # Colouring by one indicator ranks by its completion.
        page.select_option("#id_layer", "key-investment")
        page.wait_for_selector("#district-map[data-ready='1']", timeout=15000)
        assert ranking.nth(0).locator("td").all_inner_texts() == [
            "1", "鲤城区", "0.50", "0.60", "83.33%", "-8.17",
        ]  # fmt: skip

        # A card drills down to the target's page and the rows behind its number.
        page.goto(f"{base}/")
        cards.first.click()
        page.wait_for_url(f"{base}/campaigns/xmgj2022/targets/{target.pk}/?as_of=2022-11-30")
        rows = page.locator("#rows table tbody tr")
        assert rows.count() == 12
        assert sorted(set(rows.locator("td:nth-child(2)").all_inner_texts())) == ["FZ-1", "LC-1"]
        assert errors == []

        # 大屏 at 1920×1080: dark, large, every target, map and ranking.
        wall = browser.new_context(
            locale="zh-CN", viewport={"width": 1920, "height": 1080},
            storage_state=context.storage_state(),
        )  # fmt: skip
        screen = wall.new_page()
        screen.on("pageerror", lambda error: errors.append(str(error)))
        screen.goto(f"{base}/dashboards/screen/")
        screen.wait_for_selector("#district-map[data-ready='1']", timeout=15000)
        assert screen.locator(".scard").count() == 2
        assert screen.locator(".screen-ranking li .n").all_inner_texts()[:2] == ["鲤城", "丰泽"]
        screen.screenshot(path=str(SCREENSHOTS / "dashboard_screen.png"))
        wall.close()

        # A district page: its cards, this month's reporting, problems and lagging projects.
        page.goto(f"{base}/dashboards/regions/350502/")
        assert page.locator("h1").inner_text() == "鲤城区 · 项目攻坚2022"
        assert page.locator(".tcard .tcard-value").all_inner_texts() == ["0.50", "2"]
        lagging = page.locator("table.lagging tbody tr td:first-child").all_inner_texts()
        assert lagging == ["LC-2", "LC-1"]
        page.screenshot(path=str(SCREENSHOTS / "dashboard_district.png"), full_page=True)

        # The project map draws the ledger's points.
        page.goto(f"{base}/dashboards/map/")
        page.wait_for_selector("#project-map[data-ready='1']", timeout=15000)
        page.screenshot(path=str(SCREENSHOTS / "dashboard_project_map.png"), full_page=True)
        # Its tooltip is HTML: a name a user typed is shown as text, never as markup.
        tooltip = page.evaluate(
            """() => echarts.getInstanceByDom(document.getElementById("project-map"))
                .getOption().tooltip[0].formatter({
                  data: {},
                  value: [0, 0, 1, "<b>LC-9</b>", "<img src=x id=injected>", "x", 0, "鲤城区"],
                })"""
        )
        assert tooltip == (
            "&lt;b&gt;LC-9&lt;/b&gt;<br>"
            "<strong>&lt;img src=x id=injected&gt;</strong><br>x · 鲤城区"
        )
        assert errors == []
        context.close()


def test_the_screen_before_the_targets_begin(live_server, small_campaign, leader, settings):
    # Given the last day before the 2022 targets begin
    settings.BUSINESS_DATE = dt.date(2021, 12, 31)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    with chromium() as browser:
        wall = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
        screen = wall.new_page()
        errors: list[str] = []
        screen.on("pageerror", lambda error: errors.append(str(error)))
        _sign_in(screen, base, "leader")

        # When the wall screen colours its map by 新开工重点项目
        screen.goto(f"{base}/dashboards/screen/?layer=key-started")
        screen.wait_for_selector("#district-map[data-ready='1']", timeout=15000)
        screen.screenshot(path=str(SCREENSHOTS / "dashboard_screen_not_started.png"))

        # Then the cards and the two districts with a target say 未开始, never 0.00 %
        assert screen.locator(".scard .scard-facts").all_inner_texts() == ["未开始", "未开始"]
        assert screen.locator(".screen-ranking li .v").all_inner_texts()[:2] == ["未开始", "未开始"]
        assert errors == []
