"""A large key-project list in Chromium: queued at upload, its progress followed on the job page
without reloading it, then the result. Screenshots go where test_browser.py puts them."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import timezone

from gongjian.accounts.choices import Role
from gongjian.projects.models import Project
from gongjian.regions.models import Region
from gongjian.reporting.models import ImportJob
from gongjian.reporting.tasks import run_import
from gongjian.reporting.tests.test_import_jobs import project_list
from gongjian.tests.factories import MembershipFactory, UserFactory
from gongjian.tests.test_browser import DESKTOP, _shot, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _in_thread(work: Callable[[], object]) -> None:
    """Database work while Playwright's loop runs in this thread (Django refuses the ORM here)."""

    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_a_queued_project_list_shows_its_progress_then_its_result(live_server, tmp_path, settings):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 50
    office = UserFactory.create(username="city_admin", display_name="王主任")
    MembershipFactory.create(
        user=office, role=Role.CITY_ADMIN, region=Region.objects.get(code="350500")
    )
    upload = tmp_path / "鲤城区2022年重点项目清单.xlsx"
    upload.write_bytes(project_list(120))
    base = live_server.url

    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
        # The machine is shared: a slow answer is waited for, not a failure.
        context.set_default_timeout(120_000)
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "city_admin")
        page.fill("#id_password", "gongjian-test")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")

        # The office uploads a list of 120 projects (over a threshold of 50 rows here)
        page.goto(f"{base}/projects/import/")
        page.set_input_files("#id_file", str(upload))
        page.fill("#id_year", "2022")
        page.get_by_role("button", name="导入", exact=True).click()
        page.wait_for_url(f"{base}/reporting/excel/imports/*/")
        job_url = page.url
        job_id = int(job_url.rstrip("/").rsplit("/", 1)[1])
        assert page.locator("h1").inner_text() == "年度重点项目清单导入"
        assert page.locator(".import-progress .progress-text").inner_text() == (
            "排队中，等待后台处理……"
        )
        _shot(page, "import_job_queued.png")

        # While the worker saves, its progress reaches the open page (htmx, no reload)
        marker = page.evaluate("window.__notReloaded = true")
        assert marker is True
        _in_thread(
            lambda: ImportJob.objects.filter(pk=job_id).update(
                status="running",
                phase="save",
                progress=48,
                total=120,
                started_at=timezone.now(),
                heartbeat_at=timezone.now(),
            )
        )
        page.locator(".import-progress .progress-text", has_text="48 / 120").wait_for()
        assert page.locator(".import-progress .progress-text").inner_text() == (
            "正在导入（保存）：已处理 48 / 120 行"
        )
        assert page.locator(".import-phases li").all_inner_texts() == ["读取", "校验", "保存"]
        assert page.locator(".import-phases li.current").inner_text() == "保存"
        assert page.evaluate("window.__notReloaded") is True
        _shot(page, "import_job_progress.png")

        # When the worker runs the job (put back in the queue: the state above was its snapshot)
        def work() -> None:
            ImportJob.objects.filter(pk=job_id).update(
                status="queued", phase="", progress=0, started_at=None, heartbeat_at=None
            )
            run_import.call(job_id)

        _in_thread(work)

        # Then the page reloads itself with the result
        page.wait_for_selector(".import-result.ok")
        assert page.locator(".import-result h2").inner_text() == "导入成功"
        assert page.locator(".import-summary").inner_text() == "新增 120 行，更新 0 行，未变 0 行。"
        assert page.locator("#result-rows").inner_text() == "120"
        assert page.locator("#result-total").inner_text() == "127,260.00"
        assert page.locator("#result-plan").inner_text() == "12,000.00"
        _shot(page, "import_job_done.png")
        context.close()

    assert Project.objects.filter(name__startswith="鲤城测试项目").count() == 120
