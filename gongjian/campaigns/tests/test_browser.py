"""The campaign pages in Chromium: the city admin opens the campaign from the main navigation,
reads a target's curve against 序时进度 and drills down to one district's rows. Screenshots go
with the other browser artifacts (see gongjian/tests/test_browser.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongjian.campaigns.services import target_allocate
from gongjian.tests.factories import CampaignFactory, SpecialActionFactory, TargetFactory
from gongjian.tests.test_browser import DESKTOP, _shot, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_city_admin_reads_a_target_and_drills_down(live_server, ledger, key_investment, city_admin):
    # Given the ledger's key-project reports and a city target allocated to 鲤城 and 丰泽
    campaign = CampaignFactory.create()
    action = SpecialActionFactory.create(campaign=campaign, code="xmgj", name="项目攻坚")
    target = TargetFactory.create(
        campaign=campaign, action=action, indicator=key_investment, value=Decimal("24000.00")
    )
    target_allocate(
        actor=city_admin,
        target=target,
        allocations={"350502": Decimal("10000.00"), "350503": Decimal("12000.00")},
    )
    errors: list[str] = []

    with chromium() as browser:
        page = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        base = live_server.url
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "city_admin")
        page.fill("#id_password", "gongjian-test")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")

        # When they open the campaign at the end of March
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="攻坚行动").click()
        page.get_by_role("link", name="项目攻坚2022").click()
        page.goto(f"{page.url}?as_of=2022-03-31")
        row = page.locator("table.targets tbody tr").first
        assert row.locator("td").nth(3).inner_text() == "0.58亿元"
        assert row.locator(".rag").inner_text() == "正常"
        _shot(page, "campaign.png")

        # Then the target page shows the actual, the curve and the districts
        row.get_by_role("link", name="在建重点项目完成投资").click()
        assert page.locator(".kpi-value").first.inner_text() == "0.58亿元"
        assert page.locator("svg.curve-svg circle.actual-dot").count() == 3
        assert page.locator(".notice.warn").inner_text() == (
            "分解到2个区域的目标合计 22,000.00万元，低于泉州市目标 24,000.00万元，"
            "尚差 2,000.00万元。"
        )
        _shot(page, "target.png")

        # And a district's 明细 lists exactly its rows
        page.locator("tr", has_text="鲤城区").get_by_role("link", name="明细").click()
        assert page.locator("#rows h2").inner_text() == "数据明细 · 鲤城区"
        assert (
            page.locator("#rows p.muted.small")
            .first.inner_text()
            .startswith("共 3 条，合计 2,800.75万元")
        )
        assert page.locator("#rows tbody tr").count() == 3

    assert errors == []
