"""In Chromium: the campaign office generates the PDF bulletin from the page, the background
worker makes it, the office downloads it, looks at its first page and publishes it."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import subprocess

import pytest
from django.core.management import call_command

from gongjian.tests.test_browser import DESKTOP, SCREENSHOTS, _shot, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils"),
]


def _run_worker() -> None:
    """`gongjian db_worker --batch`: run every queued task, then return (its signal handlers
    are put back afterwards)."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "city_admin")
    page.fill("#id_password", "gongjian-test")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def test_city_admin_generates_downloads_and_publishes_the_pdf(
    live_server, campaign, city_admin, settings, tmp_path
):
    settings.BUSINESS_DATE = dt.date(2022, 12, 6)
    base = live_server.url

    with chromium() as browser:
        page = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
        _sign_in(page, base)
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="工作通报").click()
        assert page.locator("h1").inner_text() == "工作通报"
        page.select_option("#id_month", "2022-11")
        page.get_by_label("PDF").check()
        _shot(page, "bulletin_list_form.png")
        page.get_by_role("button", name="生成").click()
        page.wait_for_url(f"{base}/bulletins/*/")
        assert page.locator(".bulletin-progress .progress-text").inner_text() == (
            "排队中，等待后台生成……"
        )
        _shot(page, "bulletin_queued.png")
        detail = page.url

    # The database worker makes the file (outside the browser's event loop: it uses the ORM)
    _run_worker()

    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)
        page = context.new_page()
        _sign_in(page, base)
        page.goto(detail)
        assert page.locator(".bulletin-progress .progress-text").inner_text() == "已生成"
        with page.expect_download() as download:
            page.get_by_role("link", name="下载 PDF").click()
        assert download.value.suggested_filename == "项目攻坚2022工作通报_第11期_2022-11.pdf"
        pdf = tmp_path / "bulletin.pdf"
        download.value.save_as(pdf)

        page.get_by_role("button", name="发布").click()
        assert page.locator(".messages .message").inner_text() == (
            "已发布工作通报 第11期（2022年11月）。"
        )
        assert page.locator("dd.published").inner_text().startswith("city_admin 于 2")
        _shot(page, "bulletin_published.png")
        page.goto(f"{base}/bulletins/")
        assert page.locator(".bulletin-table tbody tr td").nth(7).inner_text().startswith("已发布")
        _shot(page, "bulletin_list.png")

    # The first page, as a reader sees it, kept as an artifact; it carries the Chinese title
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "110",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(SCREENSHOTS / "bulletin_pdf_page1"),
        ],
        check=True,
    )
    assert (SCREENSHOTS / "bulletin_pdf_page1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    first_page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert first_page.splitlines()[0].strip() == "项目攻坚2022 工作通报"


def test_city_admin_replaces_the_word_template_and_a_bad_one_is_refused(
    live_server, city_admin, tmp_path
):
    import io

    from docx import Document

    from gongjian.core.gongwen import DEFAULT_DOCX_TEMPLATE

    bad = tmp_path / "缺少占位符.docx"
    document = Document()
    document.add_paragraph("{{ title }}")
    buffer = io.BytesIO()
    document.save(buffer)
    bad.write_bytes(buffer.getvalue())
    good = tmp_path / "泉州通报模板.docx"
    good.write_bytes(DEFAULT_DOCX_TEMPLATE.read_bytes())
    base = live_server.url

    with chromium() as browser:
        page = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
        _sign_in(page, base)
        page.goto(f"{base}/bulletins/")
        page.get_by_role("link", name="Word 公文模板").click()
        page.wait_for_url(f"{base}/bulletins/templates/")
        assert page.locator("h1").inner_text() == "Word 公文模板"

        # A template without the required placeholders is refused with the reason
        page.select_option("#id_kind", "bulletin")
        page.set_input_files("#id_file", str(bad))
        page.get_by_role("button", name="上传").click()
        assert page.locator(".field-error").inner_text() == (
            "模板文件（.docx）：模板缺少必需的占位符：{{ body }}、{{ signature }}、{{ date }}"
            "（须包含 {{ title }}、{{ body }}、{{ signature }}、{{ date }}）。"
        )
        _shot(page, "bulletin_template_refused.png")

        # A valid one replaces the bulletin's template
        page.select_option("#id_kind", "bulletin")
        page.set_input_files("#id_file", str(good))
        page.get_by_role("button", name="上传").click()
        page.wait_for_url(f"{base}/bulletins/templates/")
        assert page.locator(".messages .message").inner_text() == (
            "已更换工作通报的 Word 模板（泉州通报模板.docx）。"
        )
        rows = page.locator("table.data tbody tr")
        assert rows.nth(0).locator("td").nth(1).inner_text() == "泉州通报模板.docx"
        assert rows.nth(1).locator("td").nth(1).inner_text() == "默认公文版式"
        _shot(page, "bulletin_templates.png")
