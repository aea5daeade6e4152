"""问题协调 and 督办 in Chromium, as their three users meet them.

A district filer raises a problem on a project; the campaign office is told (the bell), assigns it
to 市招商局 and issues a 督办 to the district; the department resolves the problem; the filer sees
both in the notification centre and answers the 督办. Screenshots go where test_browser.py puts
them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Department
from gongjian.core.periods import today
from gongjian.projects.models import Problem, Supervision
from gongjian.regions.models import Region
from gongjian.tests.factories import (
    MembershipFactory,
    ProjectFactory,
    StageEventFactory,
    UserFactory,
)
from gongjian.tests.test_browser import DESKTOP, PHONE, _shot, chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(browser, base: str, username: str, viewport=DESKTOP):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "gongjian-test")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return page


def test_a_problem_and_a_supervision_go_round(live_server):
    city = Region.objects.get(code="350500")
    lichen = Region.objects.get(code="350502")
    filer = UserFactory.create(username="lichen_filer", display_name="陈立")
    MembershipFactory.create(user=filer, role=Role.DISTRICT_FILER, region=lichen)
    office = UserFactory.create(username="city_admin", display_name="王主任")
    MembershipFactory.create(user=office, role=Role.CITY_ADMIN, region=city)
    officer = UserFactory.create(username="zsj_officer", display_name="刘佳慧")
    MembershipFactory.create(
        user=officer,
        role=Role.DEPARTMENT,
        region=city,
        department=Department.objects.get(code="zsj"),
    )
    project = ProjectFactory.create(code="LC-2022-001", name="鲤城智能装备产业园")
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
    due = (today() + dt.timedelta(days=7)).isoformat()
    base = live_server.url

    with chromium() as browser:
        # The filer raises a problem from the project page.
        page = _sign_in(browser, base, "lichen_filer")
        page.goto(f"{base}/projects/{project.pk}/")
        page.locator("details.problem-raise summary").click()
        page.fill("#id_title", "项目用地指标尚未落实")
        page.fill("#id_description", "二期用地 120 亩指标待省里下达。")
        page.get_by_role("button", name="上报", exact=True).click()
        page.wait_for_url(f"{base}/projects/{project.pk}/#problems")
        assert page.locator(".message").inner_text() == "已上报问题“项目用地指标尚未落实”。"
        first_problem = page.locator(".problem-list li").first.inner_text()
        assert first_problem.split("\n")[0] == "项目用地指标尚未落实"
        _shot(page, "coordination_project_problems.png")
        page.context.close()

        # The campaign office sees the bell, opens the notification, assigns the problem.
        page = _sign_in(browser, base, "city_admin")
        assert page.locator(".bell .badge").inner_text() == "1"
        page.locator(".bell").click()
        assert page.locator("h1").inner_text() == "通知中心"
        _shot(page, "notification_centre.png")
        page.get_by_role("button", name="新问题待交办：LC-2022-001 项目用地指标尚未落实").click()
        page.wait_for_url(f"{base}/projects/problems/*/")
        assert page.locator(".bell .badge").count() == 0
        page.select_option("#id_department", label="市招商局")
        page.fill("#id_due_date", due)
        page.get_by_role("button", name="交办").click()
        assert page.locator(".message").inner_text() == "已交办市招商局。"
        _shot(page, "problem_detail.png")

        # ... and issues a 督办 to the district.
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="督办").click()
        page.get_by_role("link", name="下达督办").click()
        page.fill("#id_title", "加快推进项目用地报批")
        page.select_option("#id_target", label="鲤城区")
        page.fill("#id_due_date", due)
        page.fill("#id_project_code", "LC-2022-001")
        page.fill("#id_content", "请于期限内完成二期用地报批并报告进展。")
        _shot(page, "supervision_form.png")
        page.get_by_role("button", name="下达", exact=True).click()
        page.wait_for_url(f"{base}/projects/supervisions/*/")
        assert page.locator(".message").inner_text() == "已下达督办“加快推进项目用地报批”。"
        page.context.close()

        # The department finds it on its board and resolves it (a note is required).
        page = _sign_in(browser, base, "zsj_officer")
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="问题协调").click()
        assert page.locator(".result-count").inner_text() == "共 1 个问题"
        _shot(page, "problem_board.png")
        page.get_by_role("link", name="项目用地指标尚未落实").click()
        page.select_option("#id_status", label="已解决")
        page.get_by_role("button", name="保存").click()
        assert page.locator(".field-error").inner_text() == "标为已解决须填写解决情况。"
        page.fill("#id_note", "已协调省厅下达指标。")
        page.get_by_role("button", name="保存").click()
        assert page.locator(".message").inner_text() == "问题状态已改为“已解决”。"
        assert page.locator("h1 .pstatus").inner_text() == "已解决"
        page.context.close()

        # The filer has two unread: the 督办 and the resolved problem; answers the 督办.
        page = _sign_in(browser, base, "lichen_filer", viewport=PHONE)
        assert page.locator(".bell .badge").inner_text() == "2"
        page.locator(".bell").click()
        _shot(page, "notification_centre_phone.png")
        page.get_by_role("button", name="督办：加快推进项目用地报批").click()
        page.wait_for_url(f"{base}/projects/supervisions/*/")
        page.fill("#id_response", "已完成组卷，上报省厅。")
        page.get_by_role("button", name="回复", exact=True).click()
        assert page.locator(".message").inner_text() == "已回复督办。"
        assert page.locator("h1 .sstatus").inner_text() == "已回复"
        _shot(page, "supervision_detail_phone.png")
        page.context.close()

    assert Problem.objects.get().status == "resolved"
    assert Supervision.objects.get().status == "responded"
