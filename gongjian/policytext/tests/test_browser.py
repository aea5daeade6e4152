"""The /policytext/ review page in Chromium at 1440 px: the seed article's proposals in one
readable table (no column squeezed to two characters, no select cut off), saved as a screenshot
under ``$GONGJIAN_ARTIFACTS/screenshots``."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongjian.tests.factories import CampaignFactory, IndicatorFactory
from gongjian.tests.test_browser import SCREENSHOTS, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SEED = (Path(__file__).parent / "data" / "seed_000_7bcf08fd08b19291.txt").read_text("utf-8")


def test_review_table_is_readable_at_1440(live_server, city_admin):
    # Given a 2022 campaign with two indicators, and the city admin signed in.
    CampaignFactory.create()
    IndicatorFactory.create()
    IndicatorFactory.create(
        code="key-started",
        name="新开工项目",
        kind="event_count",
        unit="个",
        definition={"source": "stage_events", "stage": "started", "categories": ["key"]},
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "city_admin")
        page.fill("#id_password", "gongjian-test")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")

        # When the seed article is pasted and extracted.
        page.goto(f"{base}/policytext/")
        page.fill("#id_text", SEED)
        page.fill("#id_year", "2022")
        page.get_by_role("button", name="提取").click()
        page.wait_for_selector("table.pt-rows")
        page.screenshot(path=str(SCREENSHOTS / "policytext-review-1440.png"), full_page=True)

        # Then there is a row per proposal: 10 targets and 5 facts.
        assert page.locator("table.pt-rows tbody tr").count() == 15
        # Every header is on one line.
        heights = page.eval_on_selector_all(
            "table.pt-rows th", "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert max(heights) < 2 * min(heights)
        # The metric column holds a dozen characters a line (not two).
        widths = page.eval_on_selector_all(
            "td.pt-metric", "els => els.map(e => e.getBoundingClientRect().width)"
        )
        assert min(widths) >= 200
        # No select is narrower than the option it shows.
        cut = page.eval_on_selector_all(
            "table.pt-rows select",
            """els => els.filter(e => {
                const c = document.createElement('canvas').getContext('2d');
                c.font = getComputedStyle(e).font;
                const text = e.options[e.selectedIndex] ? e.options[e.selectedIndex].text : '';
                return c.measureText(text).width + 32 > e.clientWidth;
            }).map(e => e.name)""",
        )
        assert cut == []
        # The table fits the page: no horizontal scrolling at 1440 px.
        overflow = page.eval_on_selector(".table-wrap", "e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0
        context.close()
