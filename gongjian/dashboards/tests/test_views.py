"""The dashboard pages: who gets which home, the region page's scope, the 大屏 and the map."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.dashboards.tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_date(settings):
    settings.BUSINESS_DATE = AS_OF


def test_a_leader_gets_the_campaign_dashboard_as_home(client, small_campaign, leader):
    client.force_login(leader)

    response = client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "dashboards/city.html"
    html = response.content.decode()
    assert html.count('class="tcard ') == 2
    target = small_campaign["targets"][("key-investment", "350500")]
    assert f'href="/campaigns/xmgj2022/targets/{target.pk}/?as_of=2022-11-30"' in html
    data = response.context["map_data"]
    assert [i["code"] for i in data["items"] if i["rank"]] == ["350502", "350503"]


def test_a_district_filer_keeps_the_work_home_with_a_link_to_its_page(
    client, small_campaign, lichen_filer
):
    client.force_login(lichen_filer)

    response = client.get("/")

    assert response.templates[0].name == "dashboards/home.html"
    assert 'href="/dashboards/regions/350502/"' in response.content.decode()


def test_a_district_page_in_scope_and_out_of_it(client, small_campaign, lichen_filer):
    client.force_login(lichen_filer)

    mine = client.get("/dashboards/regions/350502/")
    other = client.get("/dashboards/regions/350503/")

    assert mine.status_code == 200
    assert [p.code for p in mine.context["lagging"]] == ["LC-2", "LC-1"]
    assert mine.context["problem_count"] == 0
    assert other.status_code == 404


def test_the_city_staff_home_is_their_to_do_list(client, small_campaign, city_admin):
    client.force_login(city_admin)

    response = client.get("/")

    assert response.templates[0].name == "dashboards/home.html"
    assert 'href="/dashboards/regions/350500/"' in response.content.decode()


def test_the_district_page_pages_through_every_lagging_project(
    client, small_campaign, lichen_filer
):
    from decimal import Decimal

    from gongjian.tests.factories import ProjectFactory, StageEventFactory

    for n in range(1, 21):
        project = ProjectFactory.create(
            code=f"LC-9{n:02d}", annual_plan=Decimal("1000.00"), stage="started"
        )
        StageEventFactory.create(project=project, date=AS_OF.replace(month=3, day=1))
    client.force_login(lichen_filer)

    first = client.get("/dashboards/regions/350502/")
    second = client.get("/dashboards/regions/350502/?lagging_page=2")

    assert first.context["lagging_count"] == 22
    assert len(first.context["lagging"]) == 20
    # The most behind first (nothing approved: LC-2 and the new ones by code), then LC-1.
    assert [p.code for p in second.context["lagging"]] == ["LC-920", "LC-1"]
    assert "第 2 / 2 页，共 22 个" in second.content.decode()


def test_the_screen_reloads_itself(client, small_campaign, leader):
    client.force_login(leader)

    response = client.get("/dashboards/screen/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="300">' in html
    assert html.count('class="scard ') == 2


def test_the_project_map_filters(client, small_campaign, leader):
    client.force_login(leader)

    response = client.get("/dashboards/map/", {"stage": "started", "region": "350503"})

    assert response.status_code == 200
    assert [p[3] for p in response.context["points"]] == ["FZ-1"]


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/dashboards/screen/")

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/dashboards/screen/",
    )


def test_the_project_maps_district_select_is_scoped_to_the_reader(
    client, small_campaign, lichen_filer
):
    client.force_login(lichen_filer)

    response = client.get("/dashboards/map/", {"region": "350503"})

    assert [r.code for r in response.context["found"].regions] == ["350502"]
    # 丰泽 in the address is outside the filer's scope: no points, not 丰泽's.
    assert response.context["points"] == []
    assert '<option value="350502">鲤城区</option>' in response.content.decode()


def test_a_target_not_yet_started_says_so_on_the_screen_and_the_map(
    client, small_campaign, leader, settings
):
    # Given the day before the 2022 targets begin
    settings.BUSINESS_DATE = dt.date(2021, 12, 31)
    client.force_login(leader)

    # When the wall screen colours its map by 新开工重点项目
    response = client.get("/dashboards/screen/?layer=key-started")

    # Then both districts read 未开始 in the ranking (no 0.00 %), and the map's data says so
    html = response.content.decode()
    ranking = html.split('class="screen-ranking"')[1].split("</ol>")[0]
    assert (ranking.count("未开始"), "%" in ranking) == (2, False)
    assert 'data-text-not-started="未开始"' in html
    items = response.context["map_data"]["items"]
    assert [(i["code"], i["value"], i["status"]) for i in items if i["reporting"]][:2] == [
        ("350502", None, "not_started"),
        ("350503", None, "not_started"),
    ]


def _text(html: str, css_class: str) -> list[str]:
    import re

    return re.findall(rf'class="{css_class}[^"]*"[^>]*>([^<]*)<', html)


def test_the_city_dashboard_states_each_figure_with_its_unit(client, small_campaign, leader):
    client.force_login(leader)

    html = client.get("/").content.decode()

    assert _text(html, "tcard-value") == ["0.70", "3"]
    assert _text(html, "tcard-unit") == ["亿元", "个"]
    assert _text(html, "tcard-completion") == ["70.00%", "75.00%"]
    assert _text(html, "tcard-ahead") == ["-21.51", "-16.51"]
    assert "目标 ≥1.00亿元" in html
    assert _text(html, "tcard-forecast") == ["预计全年 0.76亿元", "预计全年 3个"]


def test_the_screen_states_each_figure_with_its_unit(client, small_campaign, leader):
    client.force_login(leader)

    html = client.get("/dashboards/screen/").content.decode()

    assert _text(html, "scard-value") == ["0.70", "3"]
    assert _text(html, "scard-unit") == ["亿元", "个"]
    assert _text(html, "scard-ahead") == ["-21.51个百分点", "-16.51个百分点"]


def test_the_map_gets_its_labels_formatted_by_the_server(client, small_campaign, leader):
    client.force_login(leader)

    data = client.get("/", {"layer": "key-investment"}).context["map_data"]

    assert [(i["code"], i["text"]) for i in data["items"] if i["rank"]] == [
        ("350502", "83.33%"),
        ("350503", "50.00%"),
    ]
    overall = client.get("/").context["map_data"]
    assert [(i["code"], i["text"], i["tooltip"]) for i in overall["items"] if i["rank"]] == [
        ("350502", "+0.16", "+0.16个百分点"),
        ("350503", "-41.51", "-41.51个百分点"),
    ]
