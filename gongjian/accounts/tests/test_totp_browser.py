"""In Chromium: a city admin whose role requires the second factor sets up the authenticator from
the page (reading the secret as a person would), gets the recovery codes and is signed in."""

from __future__ import annotations

import pytest

from gongjian.accounts import totp
from gongjian.tests.test_browser import DESKTOP, _shot, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_city_admin_sets_up_totp_at_first_sign_in(live_server, settings, city_admin):
    settings.GONGJIAN_REQUIRE_TOTP = True
    with chromium() as browser:
        page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", "city_admin")
        page.fill("#id_password", "gongjian-test")
        page.click(".login-card button.primary")
        page.wait_for_url("**/accounts/totp/")
        _shot(page, "accounts-totp-setup.png")
        secret = page.inner_text("[data-testid=totp-secret]").replace(" ", "")
        uri = page.inner_text("[data-testid=totp-uri]")

        page.fill("#id_code", totp.totp(secret))
        page.click("button.primary")
        page.wait_for_url("**/accounts/totp/codes/")
        _shot(page, "accounts-totp-codes.png")
        codes = page.locator("[data-testid=recovery-codes] li").all_inner_texts()
        who = page.inner_text(".who")

    assert (
        uri
        == f"otpauth://totp/Gongjian%3Acity_admin?secret={secret}&issuer=Gongjian&digits=6&period=30"
    )
    assert len(codes) == 10
    assert who == "city_admin"
