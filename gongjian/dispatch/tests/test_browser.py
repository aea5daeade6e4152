"""In Chromium: the campaign office calls November's dispatch meeting, edits the generated
agenda, hands out a 交办 task, records the minutes and downloads them as Word."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from gongjian.tests.test_browser import DESKTOP, _shot, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_meeting_from_agenda_to_minutes(live_server, city, city_admin, settings, tmp_path):
    settings.BUSINESS_DATE = dt.date(2022, 12, 1)
    base = live_server.url

    with chromium() as browser:
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "city_admin")
        page.fill("#id_password", "gongjian-test")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")

        page.get_by_role("navigation", name="主导航").get_by_role("link", name="月调度").click()
        assert page.locator("h1").inner_text() == "月调度"
        page.get_by_role("link", name="新建调度会").click()
        page.select_option("#id_region", "350500")
        page.fill("#id_period", "2022-11")
        page.fill("#id_held_on", "2022-12-01")
        page.fill("#id_chair", "王国栋")
        page.fill("#id_attendees", "市发改委、市自然资源和规划局，各县（市、区）分管负责同志")
        _shot(page, "dispatch_meeting_form.png")
        page.get_by_role("button", name="创建并生成议程").click()
        page.wait_for_url(f"{base}/dispatch/meetings/*/")

        assert page.locator("h1").inner_text() == "泉州市2022年11月项目攻坚调度会"
        kinds = page.locator("#agenda .agenda-item").evaluate_all(
            "items => items.map(i => i.dataset.kind)"
        )
        assert kinds == [
            "open_task",
            "open_task",
            "red_project",
            "red_project",
            "overdue_milestone",
            "factor_request",
            "lagging_region",
        ]
        _shot(page, "dispatch_agenda_generated.png")

        first = page.locator("#agenda .agenda-item").nth(2)
        first.locator("summary", has_text="修改").click()
        first.locator("input[name=title]").fill("丰泽数字产业园（用地问题专题研究）")
        first.locator("textarea[name=note]").fill("请市自然资源和规划局汇报")
        first.get_by_role("button", name="保存").click()
        assert page.locator(".messages .message").inner_text() == "已保存议题。"
        assert page.locator("#agenda .agenda-item").nth(2).locator("strong").inner_text() == (
            "丰泽数字产业园（用地问题专题研究）"
        )

        page.locator("#task-add summary").click()
        page.fill("#id_text", "12月15日前下达丰泽数字产业园二期用地指标")
        page.select_option("#id_owner", "d:zrzyj")
        page.fill("#id_owner_person", "张局长")
        page.fill("#id_due_date", "2022-12-15")
        page.fill("#id_project_code", "FZ-1")
        page.get_by_role("button", name="交办", exact=True).click()
        assert page.locator(".messages .message").inner_text() == "已交办第 1 项，并通知责任单位。"
        row = page.locator("#tasks tbody tr").first
        assert row.locator("td").nth(2).inner_text() == "市自然资源和规划局"
        _shot(page, "dispatch_agenda_edited_task.png")

        page.fill("#id_minutes_number", "泉攻坚纪〔2022〕11号")
        page.fill(
            "#id_summary",
            "会议听取了11月份全市重点项目推进情况汇报。\n会议要求倒排工期、挂图作战。",
        )
        page.get_by_role("button", name="会议已召开，保存纪要").click()
        assert page.locator(".messages .message").inner_text() == (
            "会议纪要已保存，可下载 Word 或 PDF。"
        )
        assert page.locator(".mstatus").inner_text() == "已召开"
        assert page.locator("#agenda summary", has_text="修改").count() == 0
        _shot(page, "dispatch_minutes.png")

        with page.expect_download() as download:
            page.get_by_role("link", name="会议纪要（Word）").click()
        path = tmp_path / "minutes.docx"
        download.value.save_as(path)

    document = Document(io.BytesIO(path.read_bytes()))
    texts = [p.text for p in document.paragraphs]
    assert texts[:2] == ["项目攻坚调度会议纪要", "泉攻坚纪〔2022〕11号"]
    assert (
        "3. [红灯项目] 丰泽数字产业园（用地问题专题研究）"
        "（用地要素保障需求（市自然资源和规划局）2022-11-20 到期未解决）"
    ) in texts
    assert [c.text for c in document.tables[0].rows[1].cells] == [
        "1",
        "12月15日前下达丰泽数字产业园二期用地指标",
        "市自然资源和规划局",
        "张局长",
        "2022-12-15",
        "丰泽数字产业园",
    ]
