"""The main pages in Chromium, as their users meet them.

A district filer signs in, adds a project, records 开工, finds it again and is kept out of
another district; a city admin pages through the audit log and switches to English and back.
Every main page is saved as a full-page screenshot under ``$GONGJIAN_ARTIFACTS/screenshots``
(default ``<repo>/test-artifacts``) so a reviewer can open what the zh-CN user sees.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Response, ViewportSize, sync_playwright

from gongjian.accounts.choices import Role
from gongjian.projects.choices import Stage
from gongjian.projects.models import Category, IndustryChain
from gongjian.projects.services import (
    ProjectInput,
    project_create,
    project_input_from,
    project_record_stage,
    project_update,
)
from gongjian.regions.models import Region
from gongjian.tests.factories import (
    MembershipFactory,
    ProjectFactory,
    StageEventFactory,
    UserFactory,
)

# The same browser conftest.py checks for before it lets this test run.
CHROMIUM = os.environ.get("GONGJIAN_CHROMIUM", "/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("GONGJIAN_ARTIFACTS", "") or REPO / "test-artifacts")
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    # Live-server tests flush the database afterwards; restore the migrated reference data
    # (regions, categories) so the tests that run after this one still find it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright.

    Open it only after the test's data is in place: while Playwright's sync API runs, this
    thread has a running event loop, so Django would refuse ORM calls here (and, allowed,
    they would go through a second database connection that nobody closes).
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _project(code, name, region, category, stages, **values):
    """A project with its stage events; ``stages`` maps stage to date, in order."""
    project = ProjectFactory.create(
        code=code,
        name=name,
        region=region,
        category=Category.objects.get(code=category),
        stage=list(stages)[-1] if stages else Stage.PLANNED,
        **values,
    )
    for stage, date in stages.items():
        StageEventFactory(project=project, stage=stage, date=date)
    return project


def _ledger(lichen):
    """鲤城区's ledger before the filer signs in: one project at each typical stage."""
    _project(
        "LC-2022-001",
        "鲤城古城片区保护提升工程",
        lichen,
        "urban-quality",
        {Stage.STARTED: dt.date(2022, 2, 10)},
        industry_chain=IndustryChain.objects.get(code="public-services"),
        total_investment=Decimal("50000.00"),
    )
    _project(
        "LC-2022-002",
        "江南高新园区智能装备产业园",
        lichen,
        "investment-signed",
        {Stage.SIGNED: dt.date(2022, 1, 20)},
        total_investment=Decimal("86000.00"),
        annual_plan=Decimal("20000.00"),
    )
    _project(
        "LC-2022-003",
        "鲤城区中心农贸市场改造",
        lichen,
        "urban-quality",
        {Stage.STARTED: dt.date(2021, 6, 1), Stage.COMPLETED: dt.date(2022, 5, 30)},
        industry_chain=IndustryChain.objects.get(code="public-services"),
        total_investment=Decimal("12000.00"),
        annual_plan=Decimal("3000.00"),
    )
    _project(
        "LC-2022-004",
        "鲤城数字经济产业大厦",
        lichen,
        "new-infrastructure",
        {Stage.STARTED: dt.date(2022, 3, 1), Stage.SUSPENDED: dt.date(2022, 7, 15)},
        industry_chain=IndustryChain.objects.get(code="digital-economy"),
        total_investment=Decimal("38000.00"),
    )


def test_filer_adds_a_project_records_start_and_finds_it(live_server):
    # Given lichen_filer, a district filer of 鲤城区, four projects already in their ledger, and a
    # project in 丰泽区 they must not see.
    lichen = Region.objects.get(code="350502")
    user = UserFactory(username="lichen_filer", display_name="陈立")
    MembershipFactory(user=user, role=Role.DISTRICT_FILER, region=lichen)
    _ledger(lichen)
    fengze = ProjectFactory.create(
        code="FZ-2022-001", name="丰泽东海湾商务区", region=Region.objects.get(code="350503")
    )

    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
        page = context.new_page()
        failed: list[str] = []

        def record_failure(response: Response) -> None:
            if response.status >= 400:
                failed.append(f"{response.status} {response.url}")

        page.on("response", record_failure)
        base = live_server.url

        # Sign in.
        page.goto(f"{base}/")
        assert page.locator("h1").inner_text() == "登录"
        _shot(page, "login.png")
        page.fill("#id_username", "lichen_filer")
        page.fill("#id_password", "gongjian-test")
        page.get_by_role("button", name="登录").click()

        # The home page greets them and says where they work.
        page.wait_for_url(f"{base}/")
        assert page.locator("h1").inner_text() == "您好，陈立"
        assert page.locator(".whoami .who").inner_text() == "陈立"
        assert page.locator(".whoami .where").inner_text() == "鲤城区 · 县区填报员"
        _shot(page, "home.png")

        # The ledger lists their district's four projects, not 丰泽区's.
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="项目台账").click()
        assert page.locator(".result-count").inner_text() == "共 4 个项目"
        _shot(page, "project_list.png")

        # A negative total investment is refused with the service's message beside the field.
        page.get_by_role("link", name="新建项目").click()
        assert page.locator("h1").inner_text() == "新建项目"
        assert page.locator("#id_region_code").input_value() == "350502"
        page.fill("#id_code", "LC-2022-101")
        page.fill("#id_name", "鲤城区智慧物流园")
        page.select_option("#id_category_code", label="在建重点项目")
        page.select_option("#id_industry_chain_code", label="现代服务业")
        page.fill("#id_total_investment", "-52000")
        page.fill("#id_annual_plan", "18000")
        page.get_by_role("button", name="保存").click()
        error = page.locator(".field.has-error")
        assert error.count() == 1
        assert error.locator("label").inner_text() == "总投资（万元） *"
        assert error.locator(".field-error").inner_text() == "总投资不能为负数。"
        _shot(page, "project_form_errors.png")

        # Corrected, the project is saved and the detail page opens.
        page.fill("#id_total_investment", "52000")
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(f"{base}/projects/*/")
        assert page.locator(".message").inner_text() == "已新建项目 LC-2022-101。"
        assert page.locator("h1 .title").inner_text() == "鲤城区智慧物流园"
        assert page.locator(".pagehead .stage").inner_text() == "谋划"
        assert page.locator(".timeline li").inner_text() == "尚未记录任何阶段。"

        # Record 落地 (no evidence needed; it takes effect at once) through the stage form.
        page.select_option("#id_stage", label="落地")
        page.fill("#id_date", "2022-03-15")
        page.fill("#id_note", "施工许可证 350502202203150101")
        page.get_by_role("button", name="记录阶段").click()
        page.wait_for_load_state()
        assert page.locator(".message").inner_text() == "阶段已记录。"
        assert page.locator(".pagehead .stage").inner_text() == "落地"
        entry = page.locator(".timeline li")
        assert entry.count() == 1
        assert entry.locator(".timeline-head").inner_text() == "落地 2022-03-15 已核实"
        assert entry.locator(".timeline-note").inner_text() == "施工许可证 350502202203150101"
        _shot(page, "project_detail.png")

        # A 签约 dated after the 落地 is refused beside the date, with the input kept.
        page.select_option("#id_stage", label="签约")
        page.fill("#id_date", "2022-04-01")
        page.get_by_role("button", name="记录阶段").click()
        page.wait_for_load_state()
        date_field = page.locator(".stage-form .field.has-error")
        assert date_field.locator("label").inner_text() == "日期"
        assert date_field.locator(".field-error").inner_text() == (
            "签约日期 2022-04-01 晚于落地日期 2022-03-15，阶段日期不能倒序。"
        )
        assert page.locator("#id_date").input_value() == "2022-04-01"
        assert page.locator(".timeline li").count() == 1
        _shot(page, "project_stage_error.png")

        # The search box finds it again.
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="项目台账").click()
        page.get_by_role("searchbox", name="搜索").fill("智慧物流")
        page.get_by_role("button", name="筛选").click()
        assert page.locator(".result-count").inner_text() == "共 1 个项目"
        row = page.locator("table.data tbody tr")
        assert row.count() == 1
        assert row.locator("td").nth(0).inner_text() == "LC-2022-101"
        assert row.locator(".stage").inner_text() == "落地"

        # 丰泽区's project answers 404, as if it did not exist.
        response = page.goto(f"{base}/projects/{fengze.pk}/")
        assert response is not None
        assert response.status == 404
        assert page.locator("h1").inner_text() == "页面不存在"
        assert page.locator(".errorpage .muted").inner_text() == (
            "您要找的页面不存在，或不在您的查看范围内。"
        )
        _shot(page, "not_found.png")

        # The audit log is the city's, not theirs: 403 with the reason.
        response = page.goto(f"{base}/audit/")
        assert response is not None
        assert response.status == 403
        assert page.locator("h1").inner_text() == "无权访问"
        assert page.locator(".errorpage .muted").first.inner_text() == "无权查看审计日志。"
        assert failed == [f"404 {base}/projects/{fengze.pk}/", f"403 {base}/audit/"]

        # At phone width the ledger still reads.
        phone = browser.new_context(
            locale="zh-CN", viewport=PHONE, storage_state=context.storage_state()
        )
        small = phone.new_page()
        small.goto(f"{base}/projects/")
        assert small.locator(".result-count").inner_text() == "共 5 个项目"
        page_width = small.evaluate("document.documentElement.scrollWidth")
        assert page_width == PHONE["width"]
        _shot(small, "project_list_mobile.png")
        small.get_by_role("link", name="鲤城区智慧物流园").click()
        assert small.locator("h1 .title").inner_text() == "鲤城区智慧物流园"
        assert small.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
        _shot(small, "project_detail_mobile.png")
        phone.close()
        context.close()


def test_city_admin_reads_the_audit_log_and_switches_to_english(live_server, settings):
    # Given a city admin who added two projects in two districts, edited one and recorded a
    # stage: four audit events, and a fifth when they sign in.
    settings.PAGE_SIZE = 4
    admin = UserFactory(username="city_admin", display_name="王敏")
    MembershipFactory(user=admin, role=Role.CITY_ADMIN, region=Region.objects.get(code="350500"))
    first = project_create(
        actor=admin,
        data=ProjectInput(
            code="JJ-2022-001",
            name="晋江国际鞋纺城二期",
            region_code="350582",
            category_code="key-construction",
            industry_chain_code="textile-footwear",
            total_investment=Decimal("260000.00"),
            annual_plan=Decimal("60000.00"),
        ),
    )
    project_create(
        actor=admin,
        data=ProjectInput(
            code="NA-2022-001",
            name="南安光电信息产业园",
            region_code="350583",
            category_code="investment-signed",
            industry_chain_code="electronics",
            total_investment=Decimal("150000.00"),
        ),
    )
    changed = project_input_from(first)
    changed.annual_plan = Decimal("80000.00")
    project_update(actor=admin, project=first, data=changed, expected_version=1)
    # Recorded as verified (the office checked the permit itself), so it counts at once.
    project_record_stage(
        actor=admin,
        project=first,
        stage=Stage.STARTED,
        date=dt.date(2022, 4, 18),
        note="",
        verified=True,
    )

    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
        page = context.new_page()
        base = live_server.url
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "city_admin")
        page.fill("#id_password", "gongjian-test")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")

        # The audit log lists the five events newest first, four to a page.
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="审计日志").click()
        assert page.locator("h1").inner_text() == "审计日志"
        assert page.locator(".result-count").inner_text() == "共 5 条"
        actions = page.locator("table.audit tbody .tag").all_inner_texts()
        assert actions == ["登录", "记录阶段", "修改", "新建"]
        change = page.locator("table.audit tbody tr").nth(2).locator(".changes").inner_text()
        assert change == "年度计划投资（万元） 60000.00 → 80000.00\n版本 1 → 2"
        assert page.locator(".pager-status").inner_text() == "第 1 / 2 页"
        _shot(page, "audit.png")

        # The header switch turns the interface English and stays on the page.
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        assert page.url == f"{base}/audit/"
        assert page.title() == "Audit log · Gongjian"
        assert page.locator(".result-count").inner_text() == "5 events"
        actions = page.locator("table.audit tbody .tag").all_inner_texts()
        assert actions == ["Sign in", "Stage recorded", "Updated", "Created"]
        assert (
            page.locator(".whoami .where").inner_text() == "Quanzhou · City campaign office admin"
        )
        _shot(page, "audit_en.png")

        page.get_by_role("navigation", name="Main navigation").get_by_role(
            "link", name="Home"
        ).click()
        assert page.locator("h1").inner_text() == "Hello, 王敏"
        rows = page.locator("table.data tbody tr td:first-child").all_inner_texts()
        assert rows == ["Jinjiang City", "Nan'an City"]
        _shot(page, "home_en.png")

        page.goto(f"{base}/projects/{first.pk}/")
        assert page.locator("h1 .stage").inner_text() == "Started"
        assert page.locator(".timeline-head").inner_text() == "Started 2022-04-18 Confirmed"
        _shot(page, "project_detail_en.png")

        # And back to Chinese.
        page.get_by_role("button", name="中文").click()
        page.wait_for_load_state()
        assert page.locator("h1 .stage").inner_text() == "开工"
        context.close()
