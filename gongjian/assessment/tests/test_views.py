"""Pages and the stable selectors other apps call: rankings, breakdown scoping, rubric editing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from gongjian.assessment.models import AssessmentResult, Rubric
from gongjian.assessment.selectors import (
    RankingRow,
    assessment_ranking_groups,
    assessment_ranking_rows,
)
from gongjian.assessment.services import assessment_publish
from gongjian.audit.models import AuditEvent

from .conftest import COUNTED_ON, MARCH

D = Decimal


@pytest.fixture
def result(published_rubric, city_admin, ledger) -> AssessmentResult:
    return assessment_publish(
        actor=city_admin, campaign=ledger.campaign, month=MARCH, counted_on=COUNTED_ON
    )


def test_ranking_rows_are_grouped_ranked_and_tied(result, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = assessment_ranking_rows(result=result)
    assert rows[:3] == [
        RankingRow(
            "350503", "丰泽区", "urban", "城区", D("90.00"), D("90.00"), D("0.00"), 0, 1, 1, False
        ),
        RankingRow(
            "350502", "鲤城区", "urban", "城区", D("63.00"), D("65.00"), D("2.00"), 1, 2, 2, False
        ),
        RankingRow(
            "350504", "洛江区", "urban", "城区", D("0.00"), D("0.00"), D("0.00"), 0, 4, 3, True
        ),
    ]
    groups = assessment_ranking_groups(result=result)
    assert [(name, [r.region_code for r in rows]) for name, rows in groups] == [
        ("城区", ["350503", "350502", "350504", "350505", "QZ-TZQ", "QZ-JKQ"]),
        ("县域", ["350582", "350521", "350524", "350525", "350526", "350581", "350583"]),
    ]


@pytest.mark.parametrize("persona", ["city_admin", "leader", "lichen_filer", "fengze_filer"])
def test_result_page_shows_both_groups(client, request, persona, result):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("assessment:result", args=[result.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "2022年3月考核排名" in text
    assert "<h2>城区</h2>" in text and "<h2>县域</h2>" in text


def test_breakdown_explains_points(client, leader, result):
    client.force_login(leader)
    response = client.get(reverse("assessment:breakdown", args=[result.pk, "350502"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "鲤城区 · 2022年3月考核得分明细" in text
    assert "100.00%，满分线 120.00%：60 × 100.00% ÷ 120.00% = 50.00 分" in text
    assert "逾期报告 1 份，每份扣 2 分，扣 2.00 分" in text
    assert "LC-1" in text
    # Targets and actuals with their unit: money of a district in 亿元, counts in 个.
    assert '<td class="num">≥ 0.40亿元</td>' in text
    assert '<td class="num">0.40亿元</td>' in text
    assert '<td class="num">≥ 2个</td>' in text
    assert '<td class="num">1个</td>' in text


def test_a_district_sees_its_own_breakdown_only(client, lichen_filer, result):
    client.force_login(lichen_filer)
    own = client.get(reverse("assessment:breakdown", args=[result.pk, "350502"]))
    assert own.status_code == 200
    other = client.get(reverse("assessment:breakdown", args=[result.pk, "350503"]))
    assert other.status_code == 404
    denied = AuditEvent.objects.filter(action="denied", actor=lichen_filer)
    assert list(denied.values_list("object_type", "message")) == [
        ("assessment.assessmentscore", "访问范围之外的考核得分明细。")
    ]


def test_anonymous_is_sent_to_login(client, result):
    response = client.get(reverse("assessment:result", args=[result.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_rubric_pages_and_edit_makes_a_version(client, city_admin, published_rubric):
    client.force_login(city_admin)
    assert client.get(reverse("assessment:rubrics")).status_code == 200
    page = client.get(reverse("assessment:rubric", args=[published_rubric.pk]))
    assert page.status_code == 200
    assert "满分线 120.00%" in page.content.decode()
    item = published_rubric.items.get(indicator__code="key-started")
    response = client.post(
        reverse("assessment:item_edit", args=[item.pk]),
        {
            "indicator": "key-started",
            "weight": "30",
            "method": "ranking",
            "sort_order": "1",
            "ranking_points": "30，20、10",
            "ranking_rest": "5",
        },
    )
    v2 = Rubric.objects.get(version=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:rubric", args=[v2.pk])
    assert v2.items.get(indicator__code="key-started").params == {
        "points": ["30", "20", "10"],
        "rest": "5",
    }
    assert published_rubric.items.get(indicator__code="key-started").method == "bands"


def test_bad_item_shows_the_message(client, city_admin, published_rubric):
    client.force_login(city_admin)
    response = client.post(
        reverse("assessment:rubric_item_add", args=[published_rubric.pk]),
        {
            "indicator": "key-started",
            "weight": "10",
            "method": "bands",
            "sort_order": "0",
            "bands_text": "100 12",
        },
    )
    assert response.status_code == 400
    assert "第 1 档分值须在 0 至 10 之间。" in response.content.decode()
    assert Rubric.objects.count() == 1


def test_district_cannot_open_the_rubric_editor(client, lichen_filer, published_rubric):
    client.force_login(lichen_filer)
    assert client.get(reverse("assessment:rubric_new")).status_code == 403
    page = client.get(reverse("assessment:rubric", args=[published_rubric.pk]))
    assert page.status_code == 200
    assert "添加考核项目" not in page.content.decode()


def test_preview_then_publish(client, city_admin, published_rubric, ledger):
    client.force_login(city_admin)
    preview = client.get(
        reverse("assessment:preview", args=[ledger.campaign.code]), {"month": "2022-03"}
    )
    assert preview.status_code == 200
    assert "发布考核结果" in preview.content.decode()
    response = client.post(
        reverse("assessment:publish", args=[ledger.campaign.code]),
        {"month": "2022-03", "rubric": published_rubric.pk},
    )
    result = AssessmentResult.objects.get()
    assert response["Location"] == reverse("assessment:result", args=[result.pk])
    campaign_page = client.get(reverse("assessment:campaign", args=[ledger.campaign.code]))
    assert "2022年3月" in campaign_page.content.decode()


def test_the_ranking_is_exported_to_excel_as_the_page_shows_it(client, leader, result):
    from gongjian.reporting.tests.excel import sheets

    client.force_login(leader)

    response = client.get(reverse("assessment:result_export", args=[result.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = sheets(response.content)["考核排名"]
    assert rows[0][0] == "2022年3月考核排名"
    assert rows[2] == [
        "组别", "组内名次", "区域", "指标得分", "扣分", "逾期报告（份）",
        "总分", "全市排名", "并列",
    ]  # fmt: skip
    assert rows[3] == ["城区", 1.0, "丰泽区", 90.0, 0.0, 0.0, 90.0, 1.0, ""]
    assert rows[4] == ["城区", 2.0, "鲤城区", 65.0, -2.0, 1.0, 63.0, 2.0, ""]
    assert rows[5] == ["城区", 3.0, "洛江区", 0.0, 0.0, 0.0, 0.0, 4.0, "是"]
    assert [r[2] for r in rows[3:]] == [
        "丰泽区", "鲤城区", "洛江区", "泉港区", "泉州台商投资区", "泉州经济技术开发区",
        "晋江市", "惠安县", "安溪县", "永春县", "德化县", "石狮市", "南安市",
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action="export", actor=leader).count() == 1
