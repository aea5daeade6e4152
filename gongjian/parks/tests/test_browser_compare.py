"""拉练 in Chromium (zh-CN): the park list narrows as one types a park's or a district's name,
chosen parks stay listed, and the chosen ones come out side by side. Screenshots:
lalian_filtered.png, lalian_compared.png."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.tests.test_browser import SCREENSHOTS, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _business_date(settings):
    settings.BUSINESS_DATE = dt.date(2022, 4, 30)


def _listed(page) -> list[str]:
    return [
        text.strip() for text in page.locator(".park-picker-list label:visible").all_inner_texts()
    ]


def test_lalian_filters_the_park_list_as_one_types(live_server, registry, city_admin):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "city_admin")
        page.fill("#id_password", "gongjian-test")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/parks/lalian/")
        picker = page.locator("[data-picker]")
        count = page.locator("[data-picker-count]")
        assert _listed(page) == [
            "鲤城区 · 鲤城测试园L",
            "晋江市 · 晋江测试园J1",
            "晋江市 · 晋江测试园J2",
        ]
        assert count.inner_text() == "已选 0 个园区，列出 3 个"

        # A district's name keeps its parks; a park's own name (any case) keeps that one.
        page.fill("[data-picker-filter]", "晋江")
        assert _listed(page) == ["晋江市 · 晋江测试园J1", "晋江市 · 晋江测试园J2"]
        page.get_by_label("晋江市 · 晋江测试园J1").check()
        page.fill("[data-picker-filter]", "园l")
        # The chosen J1 stays listed beside the match.
        assert _listed(page) == ["鲤城区 · 鲤城测试园L", "晋江市 · 晋江测试园J1"]
        page.get_by_label("鲤城区 · 鲤城测试园L").check()
        assert count.inner_text() == "已选 2 个园区，列出 2 个"
        page.screenshot(path=str(SCREENSHOTS / "lalian_filtered.png"), full_page=True)

        # Nothing matches: only the chosen parks are listed, and Enter does not submit.
        page.fill("[data-picker-filter]", "不存在的园区")
        page.press("[data-picker-filter]", "Enter")
        assert page.url == f"{base}/parks/lalian/"
        assert picker.get_attribute("data-shown") == "2"

        page.get_by_role("button", name="比拼").click()
        page.wait_for_selector("#compare-chart[data-ready='1']")
        assert page.locator("#compare-table thead th").all_inner_texts()[1:] == [
            "鲤城测试园L\n鲤城区",
            "晋江测试园J1\n晋江市",
        ]
        # The chosen parks come back checked and listed.
        assert _listed(page) == [
            "鲤城区 · 鲤城测试园L",
            "晋江市 · 晋江测试园J1",
            "晋江市 · 晋江测试园J2",
        ]
        assert count.inner_text() == "已选 2 个园区，列出 3 个"
        page.screenshot(path=str(SCREENSHOTS / "lalian_compared.png"), full_page=True)
        assert errors == []
        context.close()
