"""The assessment pages in Chromium: the city admin previews and publishes March, reads the two
group rankings and 鲤城区's breakdown. Screenshots: assessment-*.png under the test artifacts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Response

from gongjian.tests.test_browser import DESKTOP, _shot, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_admin_publishes_and_reads_the_rankings(live_server, published_rubric, city_admin):
    with chromium() as browser:
        page = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
        failed: list[str] = []

        def record_failure(response: Response) -> None:
            if response.status >= 400:
                failed.append(f"{response.status} {response.url}")

        page.on("response", record_failure)
        base = live_server.url
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "city_admin")
        page.fill("#id_password", "gongjian-test")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")

        page.get_by_role("link", name="考核", exact=True).click()
        page.wait_for_url(f"{base}/assessment/xmgj2022/")
        page.fill("input[name=month]", "2022-03")
        page.get_by_role("button", name="预览考核结果").click()
        assert page.locator("h1").inner_text() == "考核结果预览"
        _shot(page, "assessment-preview.png")
        page.get_by_role("button", name="发布考核结果").click()
        assert page.locator("h1").inner_text() == "2022年3月考核排名"
        urban = page.locator("section.panel").nth(0)
        assert urban.locator("h2").inner_text() == "城区"
        assert urban.locator("tbody tr").nth(0).locator("td").nth(1).inner_text() == "丰泽区"
        assert urban.locator("tbody tr").nth(0).locator("td.total").inner_text() == "90.00"
        _shot(page, "assessment-result.png")

        page.get_by_role("link", name="鲤城区").click()
        assert page.locator("h1").inner_text() == "鲤城区 · 2022年3月考核得分明细"
        assert page.locator(".scorecard .big").inner_text() == "63.00"
        _shot(page, "assessment-breakdown.png")

        page.get_by_role("link", name="考核办法", exact=True).click()
        page.get_by_role("link", name="2022年县（市、区）项目攻坚考核办法").click()
        _shot(page, "assessment-rubric.png")
        assert failed == []
