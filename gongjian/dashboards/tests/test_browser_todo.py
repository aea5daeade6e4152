"""Each role's home to-do list, the reporting month and its refusals, and the city's status
board, in Chromium (zh-CN), on 2022-12-02 with November still open and December just opened.
Screenshots: todo_filer.png, todo_reviewer.png, todo_department.png, reporting_refused.png,
reporting_phone.png, reporting_city_board.png, reporting_city_drilldown.png."""

from __future__ import annotations

import pytest

from gongjian.dashboards.tests.conftest import TODO_TODAY as TODAY
from gongjian.investment.services import lead_submit
from gongjian.investment.tests.conftest import lead_input
from gongjian.tests.test_browser import SCREENSHOTS, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _business_date(settings):
    settings.BUSINESS_DATE = TODAY
    settings.LEAD_RATE_LIMIT_PER_HOUR = 5


# For each element: on how many lines its own text runs (a word wrapped: 2).
_TEXT_LINES = """els => els.map(e => {
  const tops = new Set();
  for (const node of e.childNodes) {
    if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    for (const rect of range.getClientRects()) tops.add(Math.round(rect.top));
  }
  return tops.size;
})"""


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "gongjian-test")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def _todo(page) -> list[str]:
    return page.locator("#todo li").all_inner_texts()


def test_each_roles_home_is_its_to_do_list(
    live_server, month, lichen_filer, lichen_reviewer, department
):
    lead_submit(data=lead_input(), ip="10.0.0.1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    with chromium() as browser:
        for username, expected, shot in (
            (
                "lichen_filer",
                [
                    "1\n2022年11月：1 个项目待报送（12-05 截止）",
                    "3\n2022年12月：3 个项目待报送（01-05 截止）",
                    "1\nLC-002 江南片区城市更新 被退回：请补充现场照片",
                ],
                "todo_filer.png",
            ),
            ("lichen_reviewer", ["1\n2022年11月：1 份报告待县区审核"], "todo_reviewer.png"),
            ("zsj_officer", ["1\n1 条新线索待对接"], "todo_department.png"),
        ):
            context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            _sign_in(page, base, username)
            assert page.locator("#todo-title").inner_text().startswith("我的待办")
            assert _todo(page) == expected
            page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
            # Each item opens the page where it is done.
            page.locator("#todo li a").first.click()
            page.wait_for_load_state()
            assert page.locator("h1").count() == 1
            context.close()


def test_the_workspace_opens_on_november_and_refuses_an_empty_submission(
    live_server, month, lichen_filer
):
    base = live_server.url
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        _sign_in(page, base, "lichen_filer")
        page.goto(f"{base}/reporting/")
        assert page.locator("h1").inner_text() == "2022年11月项目进展填报"
        assert page.locator(".period-picker select[name=period]").input_value() == "2022-11"
        # The returned report comes first and shows the reviewer's reason.
        rows = page.locator(".report-row")
        assert rows.first.locator(".return-reason").inner_text() == "退回原因：请补充现场照片"
        # 保存并报送 with the amount left empty is refused; what was typed stays.
        row = page.locator(".report-row", has_text="LC-001")
        row.locator("textarea[name$=progress_text]").fill("主体结构施工至第 5 层")
        row.get_by_role("button", name="保存并报送").click()
        row = page.locator(".report-row", has_text="LC-001")
        row.locator(".row-errors").wait_for()
        assert row.locator(".row-errors").inner_text() == (
            "本月完成投资未填写，不能报送；确无完成投资请填写 0 并在调整说明中写明原因。"
        )
        assert row.locator("textarea[name$=progress_text]").input_value() == "主体结构施工至第 5 层"
        assert row.locator(".status-badge").inner_text() == "未填报"
        page.screenshot(path=str(SCREENSHOTS / "reporting_refused.png"), full_page=True)
        assert errors == []
        context.close()

        # On a phone (375 px): nothing wider than the screen, the title and tabs unbroken.
        phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800})
        page = phone.new_page()
        _sign_in(page, base, "lichen_filer")
        page.goto(f"{base}/reporting/?period=2022-11")
        page.screenshot(path=str(SCREENSHOTS / "reporting_phone.png"), full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        # One line each: a word broken over two lines would make its box taller than its font.
        for selector in (".topbar-right a", ".topbar-right button", ".show-tabs a", "h1"):
            lines = page.locator(selector).evaluate_all(_TEXT_LINES)
            assert set(lines) <= {0, 1}, (selector, lines)  # 0: an icon without text
        phone.close()


def test_the_city_sees_the_status_board_and_drills_down(live_server, month, city_admin):
    base = live_server.url
    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        _sign_in(page, base, "city_admin")
        page.goto(f"{base}/reporting/?period=2022-11")
        board = page.locator("table.data tbody tr")
        assert board.nth(0).locator("td").all_inner_texts()[:4] == ["鲤城区", "3", "1", "2"]
        assert board.nth(1).locator("td").all_inner_texts()[:4] == ["丰泽区", "1", "1", "0"]
        page.screenshot(path=str(SCREENSHOTS / "reporting_city_board.png"), full_page=True)
        page.get_by_role("link", name="鲤城区").click()
        page.wait_for_url(f"{base}/reporting/?period=2022-11&region=350502")
        assert page.locator(".report-row .row-title a").all_inner_texts() == [
            "LC-002",
            "LC-001",
            "LC-003",
        ]
        page.screenshot(path=str(SCREENSHOTS / "reporting_city_drilldown.png"), full_page=True)
        context.close()
