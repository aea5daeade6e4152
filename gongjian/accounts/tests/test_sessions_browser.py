"""In Chromium: a user signed in on two browsers ends the other one from 我的登录会话."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongjian.accounts.models import UserSession
from gongjian.tests.test_browser import DESKTOP, _shot, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(browser, base: str, user_agent: str):
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, user_agent=user_agent)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "lichen_filer")
    page.fill("#id_password", "gongjian-test")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return page


def test_user_ends_their_other_session_in_the_browser(live_server, lichen_filer):
    base = live_server.url
    with chromium() as browser:
        # Given lichen_filer signed in at the office and at home
        office = _sign_in(browser, base, "Office-Chromium/1.0")
        home = _sign_in(browser, base, "Home-Chromium/2.0")

        # When the office browser opens 我的登录会话 from the name in the header
        office.get_by_role("link", name="lichen_filer").click()
        office.wait_for_url(f"{base}/accounts/sessions/")
        rows = office.locator("#login-sessions tbody tr")
        expect(rows).to_have_count(2)
        expect(office.locator("h1")).to_have_text("我的登录会话")
        _shot(office, "accounts-sessions.png")

        # and ends the home session
        home_row = rows.filter(has_text="Home-Chromium/2.0")
        home_row.get_by_role("button", name="结束").click()
        office.wait_for_url(f"{base}/accounts/sessions/")

        # Then the office sees one session, its own, and the home browser is signed out
        expect(office.locator(".message")).to_have_text("已结束该登录会话，对方需重新登录。")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("当前会话")
        expect(rows.first).to_contain_text("Office-Chromium/1.0")
        _shot(office, "accounts-sessions-ended.png")
        home.reload()
        assert home.url == f"{base}/accounts/login/?next=/"

    assert list(UserSession.objects.values_list("user_agent", flat=True)) == ["Office-Chromium/1.0"]
