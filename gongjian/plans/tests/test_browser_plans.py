"""The list import and the 红黄绿灯 page in Chromium, as the campaign office uses them.

The office uploads a published 市重点 list (two-row merged header, 亿元, 合计 and section rows),
sees what was read and skipped, then opens the lights board at 2022-11-30 and filters it.
Screenshots go where test_browser.py puts them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.accounts.choices import Role
from gongjian.projects.models import Project
from gongjian.projects.tests.published import city_list_2022
from gongjian.regions.models import Region
from gongjian.tests.factories import (
    MembershipFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    StageEventFactory,
    UserFactory,
)
from gongjian.tests.test_browser import DESKTOP, _shot, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(browser, base: str, username: str):
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    # The machine is shared: a slow answer is waited for, not a failure.
    context.set_default_timeout(120_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "gongjian-test")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return page


def test_import_a_published_list_then_read_the_lights(live_server, tmp_path):
    office = UserFactory.create(username="city_admin", display_name="王主任")
    MembershipFactory.create(
        user=office, role=Role.CITY_ADMIN, region=Region.objects.get(code="350500")
    )
    data, name = city_list_2022()
    upload = tmp_path / name
    upload.write_bytes(data)
    base = live_server.url

    with chromium() as browser:
        page = _sign_in(browser, base, "city_admin")
        page.goto(f"{base}/projects/")
        page.get_by_role("link", name="导入清单").click()
        page.wait_for_url(f"{base}/projects/import/")
        page.set_input_files("#id_file", str(upload))
        page.fill("#id_year", "2022")
        page.get_by_role("button", name="导入", exact=True).click()
        page.wait_for_selector("#result")
        assert page.locator("#result h2").inner_text() == "导入完成"
        assert page.locator("#result-rows").inner_text() == "5"
        assert page.locator("#result-total").inner_text() == "1,447,500.00"
        assert page.locator("#result-plan").inner_text() == "171,500.00"
        page.locator("#result details summary").click()
        assert page.locator("#skipped tbody tr").count() == 7
        _shot(page, "plans_import_result.png")
        page.context.close()

    bridge = Project.objects.get(name="泉州湾跨海大桥连接线")
    port = Project.objects.get(name="石狮港区物流园")
    StageEventFactory.create(project=bridge, stage="started", date=dt.date(2021, 6, 1))
    StageEventFactory.create(project=port, stage="started", date=dt.date(2022, 3, 10))
    for project, month, amount in (
        (bridge, 6, "38000"),
        (bridge, 9, "1000"),
        (bridge, 10, "1000"),
        (port, 10, "12000"),
    ):
        ProgressReportFactory.create(
            project=project,
            period=ReportingPeriodFactory.create(month=dt.date(2022, month, 1)),
            amount=Decimal(amount),
            status="city_approved",
        )

    with chromium() as browser:
        page = _sign_in(browser, base, "city_admin")
        page.get_by_role("link", name="红黄绿灯").click()
        page.goto(f"{base}/plans/lights/?as_of=2022-11-30")
        counts = [page.locator(f"#count-{c}").inner_text() for c in ("red", "yellow", "green")]
        assert counts == ["3", "1", "1"]
        first = page.locator("#lights tbody tr").first
        assert "红灯" in first.inner_text()
        _shot(page, "plans_lights_board.png")
        page.select_option("select[name=region]", "350581")
        page.get_by_role("button", name="筛选").click()
        page.wait_for_url("**region=350581**")
        rows = page.locator("#lights tbody tr")
        assert rows.count() == 1
        assert "石狮港区物流园" in rows.first.inner_text()
        assert "落后序时进度 11.51个百分点" in rows.first.inner_text()
        _shot(page, "plans_lights_filtered.png")
        page.context.close()
