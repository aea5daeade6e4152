"""The agenda generated from the data at a date, against the hand-built city of conftest: what
``gongjian dispatch-agenda`` prints, the lights' reasons, and the carry-over of unfinished 交办."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from gongjian.dispatch.choices import AgendaKind
from gongjian.dispatch.selectors import light_reasons
from gongjian.dispatch.services import MeetingInput, meeting_create, task_close

pytestmark = pytest.mark.django_db


def _agenda(*args: str) -> dict:
    out = StringIO()
    call_command("dispatch-agenda", "--period", "2022-11", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_city_agenda_has_every_kind_in_order(city):
    t1, _t2, t3 = city["tasks"]
    request = city["request"]

    assert _agenda() == {
        "period": "2022-11",
        "items": [
            {
                "kind": "open_task",
                "ref": f"T{t1.pk}",
                "title": "加快环评审批",
                "reasons": ["2022-10调度会交办，责任单位市发改委，时限 2022-11-15", "已超期 15 天"],
            },
            {
                "kind": "open_task",
                "ref": f"T{t3.pk}",
                "title": "协调二期用地",
                "reasons": [
                    "2022-10调度会交办，责任单位市自然资源和规划局，时限 2022-12-10",
                    "办理情况：已上报省厅",
                ],
            },
            {
                "kind": "red_project",
                "ref": "FZ-1",
                "title": "丰泽数字产业园",
                "reasons": ["用地要素保障需求（市自然资源和规划局）2022-11-20 到期未解决"],
            },
            {
                "kind": "red_project",
                "ref": "LC-1",
                "title": "鲤城智能装备园",
                "reasons": ["前期工作“环评批复”计划 2022-11-10 完成，已逾期 20 天"],
            },
            {
                "kind": "overdue_milestone",
                "ref": "LC-1/eia",
                "title": "鲤城智能装备园：环评批复",
                "reasons": ["计划 2022-11-10 完成，已逾期 20 天"],
            },
            {
                "kind": "factor_request",
                "ref": f"FR{request.pk}",
                "title": "丰泽数字产业园：用地（二期用地指标）",
                "reasons": [
                    "市自然资源和规划局办理，2022-11-20 到期，已超期 10 天",
                    "需求：120 亩",
                ],
            },
            {
                "kind": "lagging_region",
                "ref": "350502",
                "title": "鲤城区",
                # 5000 of 12000 万元 = 41.7%; 334 of 365 days elapsed = 91.5%: 49.8 points behind.
                "reasons": ["在建重点项目完成投资完成41.7%，落后序时进度49.8个百分点"],
            },
        ],
    }


def test_district_agenda_keeps_to_the_district(city):
    request = city["request"]

    assert _agenda("--region", "350503") == {
        "period": "2022-11",
        "items": [
            {
                "kind": "red_project",
                "ref": "FZ-1",
                "title": "丰泽数字产业园",
                "reasons": ["用地要素保障需求（市自然资源和规划局）2022-11-20 到期未解决"],
            },
            {
                "kind": "factor_request",
                "ref": f"FR{request.pk}",
                "title": "丰泽数字产业园：用地（二期用地指标）",
                "reasons": [
                    "市自然资源和规划局办理，2022-11-20 到期，已超期 10 天",
                    "需求：120 亩",
                ],
            },
        ],
    }


def test_light_reasons_red_for_overdue_yellow_near_planned_start(city):
    ids = [city[code].pk for code in ("LC-1", "LC-2", "FZ-1")]

    assert light_reasons(ids, as_of=dt.date(2022, 11, 30)) == {
        city["LC-1"].pk: [("red", "前期工作“环评批复”计划 2022-11-10 完成，已逾期 20 天")],
        city["LC-2"].pk: [("yellow", "计划 2023-01 开工，前期工作“施工许可”尚未完成")],
        city["FZ-1"].pk: [("red", "用地要素保障需求（市自然资源和规划局）2022-11-20 到期未解决")],
    }
    # Two months earlier: nothing is overdue yet, the start (2023-01) is more than 60 days away
    # and the request is not yet due.
    assert light_reasons(ids, as_of=dt.date(2022, 9, 30)) == {
        city["FZ-1"].pk: [("yellow", "用地要素保障需求待解决（市自然资源和规划局）")]
    }


def test_unfinished_tasks_carry_over_until_closed(city, city_admin, settings):
    settings.BUSINESS_DATE = dt.date(2022, 12, 20)
    t1, _t2, t3 = city["tasks"]

    november = meeting_create(
        actor=city_admin,
        data=MeetingInput(
            region_code="350500",
            period=dt.date(2022, 11, 1),
            held_on=dt.date(2022, 12, 1),
            chair="王国栋",
        ),
    )
    carried = november.agenda_items.filter(kind=AgendaKind.OPEN_TASK).order_by("position")
    assert [(i.position, i.ref, i.title) for i in carried] == [
        (1, f"T{t1.pk}", "加快环评审批"),
        (2, f"T{t3.pk}", "协调二期用地"),
    ]
    assert november.agenda_as_of == dt.date(2022, 11, 30)
    assert november.title == "泉州市2022年11月项目攻坚调度会"

    task_close(actor=city_admin, task=t1, note="环评已批复")
    december = meeting_create(
        actor=city_admin,
        data=MeetingInput(
            region_code="350500",
            period=dt.date(2022, 12, 1),
            held_on=dt.date(2023, 1, 5),
            chair="王国栋",
        ),
    )

    carried = december.agenda_items.filter(kind=AgendaKind.OPEN_TASK)
    assert [i.ref for i in carried] == [f"T{t3.pk}"]


def test_agenda_red_projects_are_the_lights_commands_red_projects(city):
    """The agenda, `gongjian project-lights` (and the board and dashboard behind it) count the
    same red projects: those of the year's list. An unlisted project with an overdue milestone
    is on the agenda by its milestone, not as a red project."""
    city["LC-1"].annual_plans.all().delete()
    out = StringIO()
    call_command(
        "project-lights", "--as-of", "2022-11-30", "--light", "red", "--format", "json", stdout=out
    )
    lights = json.loads(out.getvalue())
    agenda = _agenda()["items"]

    assert [p["code"] for p in lights["projects"]] == ["FZ-1"]
    assert lights["counts"] == {"red": 1, "yellow": 0, "green": 0}
    assert [i["ref"] for i in agenda if i["kind"] == AgendaKind.RED_PROJECT] == ["FZ-1"]
    assert [i["ref"] for i in agenda if i["kind"] == AgendaKind.OVERDUE_MILESTONE] == ["LC-1/eia"]
