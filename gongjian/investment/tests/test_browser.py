"""The public lead form in Chromium at phone width, as a company meets it, and the lead's page
as the intake officer sees it. Screenshots: investment-form.png, investment-done.png,
investment-lead.png (see gongjian/tests/test_browser.py for where they go)."""

from __future__ import annotations

import pytest

from gongjian.investment.models import Lead
from gongjian.tests.test_browser import DESKTOP, PHONE, _shot, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_company_registers_its_need_and_the_officer_sees_it_masked(live_server, department):
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}/invest/")
        assert page.locator("h1").inner_text() == "投资泉州 · 项目需求登记"
        page.fill("#id_company", "泉州恒达鞋业有限公司")
        page.fill("#id_contact_name", "王明")
        page.fill("#id_mobile", "138 0013 8000")
        page.get_by_label("租厂房").check()
        page.fill("#id_use", "运动鞋生产线")
        page.select_option("#id_industry_chain", "textile-footwear")
        page.fill("#id_area", "10000")
        page.fill("#id_planned_investment", "50000")
        page.get_by_label("鲤城区").check()
        _shot(page, "investment-form.png")
        # Without consent the form says so and keeps what was typed.
        page.get_by_role("button", name="提交登记").click()
        assert page.locator(".consent .field-error").inner_text() == (
            "请阅读并同意《个人信息处理说明》后再提交。"
        )
        assert page.input_value("#id_company") == "泉州恒达鞋业有限公司"
        page.locator("#id_consent").check()
        page.get_by_role("button", name="提交登记").click()
        page.wait_for_url(f"{live_server.url}/invest/submitted/")
        reference = page.locator("#reference").inner_text()
        _shot(page, "investment-done.png")

        officer = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
        officer.goto(f"{live_server.url}/accounts/login/")
        officer.fill("#id_username", "zsj_officer")
        officer.fill("#id_password", "gongjian-test")
        officer.get_by_role("button", name="登录").click()
        officer.get_by_role("navigation", name="主导航").get_by_role(
            "link", name="招商引资"
        ).click()
        officer.get_by_role("link", name=reference).click()
        assert officer.locator("#mobile").inner_text() == "138****8000"
        assert officer.locator(".missing li").first.inner_text() == (
            "至少一条对接记录（电话、走访或洽谈）"
        )
        _shot(officer, "investment-lead.png")
        officer.get_by_role("button", name="查看完整号码").click()
        assert officer.locator("#mobile").inner_text() == "13800138000"

    assert errors == []
    assert Lead.objects.get().reference == reference
