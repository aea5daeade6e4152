"""The main pages over the demo show figures and words, never a Python structure: no dict or list
literal, no Decimal(...), no None, and the audit log and the 指标库 in names."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.contrib.auth import get_user_model

from gongjian.assessment.models import AssessmentResult
from gongjian.campaigns.models import Target

pytestmark = pytest.mark.django_db

RAW = re.compile(r"\{'|\[\{|\{\"|Decimal\(|\bNone\b|\[\]|\{\}")


def _visible_text(html: str) -> str:
    """What a reader sees: the page without its scripts (chart data is JSON by design), styles
    and tags."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html))


def _raw_values(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    text = _visible_text(response.content.decode())
    return [text[max(0, m.start() - 60) : m.end() + 60] for m in RAW.finditer(text)]


@pytest.fixture
def demo_today(settings):
    settings.BUSINESS_DATE = dt.date(2022, 12, 2)


def test_main_pages_show_no_python_structures(demo, demo_today, client):
    target = Target.objects.filter(region__code="350500").order_by("pk").first()
    result = AssessmentResult.objects.order_by("pk").first()
    assert target is not None and result is not None
    pages = {
        "leader": [
            "/",
            "/dashboards/screen/",
            "/dashboards/regions/350502/",
            f"/campaigns/{target.campaign.code}/",
            f"/campaigns/{target.campaign.code}/targets/{target.pk}/",
            f"/assessment/results/{result.pk}/",
            f"/assessment/results/{result.pk}/350502/",
        ],
        "city_admin": [
            "/",
            "/campaigns/indicators/",
            "/projects/",
            "/plans/lights/",
            "/parks/",
            "/parks/ranking/",
            "/investment/",
            "/investment/resources/",
            f"/assessment/rubrics/{result.rubric_id}/",
            "/audit/",
        ],
        "lichen_filer": ["/", "/dashboards/regions/350502/", "/projects/"],
    }
    found = {}
    for username, urls in pages.items():
        client.force_login(get_user_model().objects.get(username=username))
        for url in urls:
            raw = _raw_values(client, url)
            if raw:
                found[f"{username} {url}"] = raw

    assert found == {}


def test_the_indicator_library_states_definitions_in_words(demo, demo_today, client):
    client.force_login(get_user_model().objects.get(username="city_admin"))

    html = client.get("/campaigns/indicators/").content.decode()

    assert "当期“签约”的项目个数；项目类别：招商签约项目；项目总投资不低于 20.00亿元" in html
    assert "月度进展报告的本月完成投资之和；项目类别：在建重点项目" in html
    assert "园区内的规上工业企业数 ÷ 全部规上工业企业数" in html
    assert '"source"' not in html and "&quot;source&quot;" not in html
