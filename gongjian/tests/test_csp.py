"""Content-Security-Policy: every response carries it, and the pages that run scripts work under
it in Chromium without a single violation (no inline script or handler is left): the 拉练 chart is
drawn, the review page's 全选 ticks every report, the period picker submits itself."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.tests.factories import (
    ParkFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
)
from gongjian.tests.test_browser import SCREENSHOTS, chromium

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.django_db
def test_every_response_carries_the_policy(client, lichen_filer):
    assert client.get("/accounts/login/")["Content-Security-Policy"] == POLICY
    client.force_login(lichen_filer)
    assert client.get("/reporting/")["Content-Security-Policy"] == POLICY
    assert client.get("/api/v1/openapi.json")["Content-Security-Policy"] == POLICY


@pytest.mark.django_db
def test_an_empty_setting_turns_it_off(client, settings):
    settings.CONTENT_SECURITY_POLICY = ""
    assert "Content-Security-Policy" not in client.get("/accounts/login/")


# Violations are reported to the page as events; the init script keeps them for the test.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "gongjian-test")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_scripted_pages_work_under_the_policy(live_server, lichen_reviewer, city_admin):
    october = ReportingPeriodFactory.create(month=dt.date(2022, 10, 1))
    november = ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))
    for code in ("CSP-1", "CSP-2"):
        ProgressReportFactory.create(
            project=ProjectFactory.create(code=code), period=november, status="submitted"
        )
    ProgressReportFactory.create(project=ProjectFactory.create(code="CSP-3"), period=october)
    ParkFactory.create(code="lc-a", name="鲤城江南高新园")
    ParkFactory.create(code="lc-b", name="鲤城常泰工业区")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        # The review page: 全选 ticks both waiting reports.
        _sign_in(page, base, "lichen_reviewer")
        answer = page.goto(f"{base}/reporting/review/?period=2022-11")
        assert answer is not None and answer.headers["content-security-policy"] == POLICY
        boxes = page.locator("input[form=bulk][name=report]")
        assert boxes.count() == 2
        page.locator("input[data-check-all]").check()
        assert [boxes.nth(i).is_checked() for i in range(2)] == [True, True]
        page.locator("input[data-check-all]").uncheck()
        assert [boxes.nth(i).is_checked() for i in range(2)] == [False, False]

        # The period picker submits itself when another month is chosen.
        page.locator("select[name=period]").select_option("2022-10")
        page.wait_for_url(f"{base}/reporting/review/?period=2022-10")
        assert page.locator("input[form=bulk][name=report]").count() == 0
        assert page.evaluate("window.__violations") == []

        # 拉练: the bar chart is drawn by the static script.
        context.clear_cookies()
        _sign_in(page, base, "city_admin")
        page.goto(f"{base}/parks/lalian/?parks=lc-a&parks=lc-b")
        page.wait_for_selector("#compare-chart[data-ready='1']", timeout=15000)
        assert page.locator("#compare-chart canvas").count() >= 1
        page.screenshot(path=str(SCREENSHOTS / "parks_lalian.png"), full_page=True)
        assert page.evaluate("window.__violations") == []

    assert errors == []
