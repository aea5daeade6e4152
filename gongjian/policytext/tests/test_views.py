"""The review page: city_admin pastes or uploads, reviews and accepts; nobody else may."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from gongjian.audit.models import AuditEvent
from gongjian.campaigns.models import Target
from gongjian.tests.factories import CampaignFactory, IndicatorFactory

pytestmark = pytest.mark.django_db
URL = "/policytext/"
SEED = (Path(__file__).parent / "data" / "seed_000_7bcf08fd08b19291.txt").read_text("utf-8")
SENTENCE = "全年全市在建重点项目完成投资1700亿元以上、新开工项目170个以上。"


@pytest.fixture
def campaign(db):
    campaign = CampaignFactory.create()
    IndicatorFactory.create()  # key-investment, 万元
    IndicatorFactory.create(
        code="key-started",
        name="新开工项目",
        kind="event_count",
        unit="个",
        definition={"source": "stage_events", "stage": "started", "categories": ["key"]},
    )
    return campaign


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["leader", "lichen_filer", "city_reviewer", "department"])
def test_only_city_admin_may_open_the_page(client, request, persona, campaign):
    user = request.getfixturevalue(persona)
    response = _login(client, user).post(URL, {"campaign": campaign.code, "text": SENTENCE})
    assert response.status_code == 403
    assert Target.objects.count() == 0
    assert AuditEvent.objects.filter(actor=user, action="denied").count() == 1


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_pasted_text_is_proposed_beside_its_highlighted_sentence(client, city_admin, campaign):
    response = _login(client, city_admin).post(
        URL, {"campaign": campaign.code, "text": SENTENCE, "year": "2022"}
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [
        (r["metric"], r["indicator"], r["region"], r["comparator"], r["value"]) for r in rows
    ] == [
        ("在建重点项目完成投资", "key-investment", "350500", "≥", "17000000"),
        ("新开工项目", "key-started", "350500", "≥", "170"),
    ]
    assert [(r["period_start"], r["period_end"]) for r in rows] == [
        ("2022-01-01", "2022-12-31")
    ] * 2
    assert f"<mark>{SENTENCE}</mark>" in response.content.decode()


def test_uploaded_docx_is_read(client, city_admin, campaign):
    document = docx.Document()
    document.add_paragraph(SENTENCE)
    buffer = io.BytesIO()
    document.save(buffer)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "plan.docx"
    response = _login(client, city_admin).post(
        URL, {"campaign": campaign.code, "text": "", "year": "2022", "document": upload}
    )
    assert response.status_code == 200
    assert [r["written"] for r in response.context["rows"]] == ["1700亿元", "170个"]


def _accept_post(campaign, **overrides):
    data = {
        "action": "accept",
        "campaign": campaign.code,
        "row_count": "2",
        "text": SENTENCE,
    }
    for number, (indicator, value) in enumerate(
        [("key-investment", "17000000"), ("key-started", "170")]
    ):
        prefix = f"row-{number}-"
        data.update(
            {
                prefix + "accept": "on",
                prefix + "kind": "target",
                prefix + "metric": "m",
                prefix + "indicator": indicator,
                prefix + "region": "350500",
                prefix + "comparator": "≥",
                prefix + "value": value,
                prefix + "period_start": "2022-01-01",
                prefix + "period_end": "2022-12-31",
                prefix + "sentence": SENTENCE,
            }
        )
    data.update(overrides)
    return data


def test_accepted_rows_become_targets_that_keep_their_sentence(client, city_admin, campaign):
    response = _login(client, city_admin).post(URL, _accept_post(campaign))
    assert response.status_code == 302
    targets = list(Target.objects.order_by("id"))
    assert [(t.indicator.code, t.region.code, t.comparator, t.value) for t in targets] == [
        ("key-investment", "350500", "≥", Decimal("17000000.00")),
        ("key-started", "350500", "≥", Decimal("170.00")),
    ]
    assert [t.source_sentence for t in targets] == [SENTENCE, SENTENCE]
    assert AuditEvent.objects.filter(actor=city_admin, action="create").count() == 2


def test_a_bad_row_is_named_in_chinese_and_nothing_is_added(client, city_admin, campaign):
    data = _accept_post(campaign, **{"row-1-value": "17.5", "row-0-period_end": "2022-12"})
    response = _login(client, city_admin).post(URL, data)
    assert response.status_code == 400
    rows = response.context["rows"]
    assert rows[0]["errors"] == ["截止日期须为 YYYY-MM-DD 格式的日期。"]
    assert response.context["form_error"] == "有 1 行未通过校验，未加入任何目标。"
    assert Target.objects.count() == 0
    # When the date is fixed, the service refuses the fractional count and still nothing is kept
    data["row-0-period_end"] = "2022-12-31"
    response = client.post(URL, data)
    assert response.status_code == 400
    assert response.context["rows"][1]["errors"] == ["目标值是个数，须为整数。"]
    assert Target.objects.count() == 0


def test_seed_article_on_the_page_proposes_ten_targets_and_five_facts(client, city_admin, campaign):
    response = _login(client, city_admin).post(URL, {"campaign": campaign.code, "text": SEED})
    kinds = [r["kind"] for r in response.context["rows"]]
    assert (kinds.count("target"), kinds.count("baseline"), kinds.count("achieved")) == (10, 2, 3)


def test_indicator_proposed_only_when_metric_unit_and_scope_agree(client, city_admin, campaign):
    # Given three sentences: a city count that names an indicator exactly, the same name with a
    # rate, the same name for the whole country, and a metric no indicator has.
    text = (
        "今年全市新开工项目170个以上。今年新开工项目增长10%以上。"
        "今年全国新开工项目5000个以上。今年招商签约项目2000个以上。"
    )
    response = _login(client, city_admin).post(
        URL, {"campaign": campaign.code, "text": text, "year": "2022"}
    )
    rows = response.context["rows"]
    # Then only the first is matched and ticked; the others are proposed as new indicators,
    # unticked, with the reason.
    assert [
        (r["metric"], r["indicator"], r["confidence_percent"], r["accept"], r["why"]) for r in rows
    ] == [
        ("新开工项目", "key-started", 100, True, ""),
        (
            "新开工项目增长",
            "",
            30,
            False,
            "单位与指标“新开工项目”（个）不一致，建议新建指标。",
        ),
        ("新开工项目", "", 30, False, "范围不是本市的区域，建议新建指标或改选区域。"),
        ("招商签约项目", "", 50, False, "没有同名指标，建议新建指标。"),
    ]
    page = response.content.decode()
    assert "可信度达到 80% 的目标已预先勾选；其余行请核对后再勾选。" in page
    assert page.count('type="checkbox"') == 4
    assert page.count("checked") == 1


def test_a_range_gives_both_bounds_and_a_projection_is_labelled(client, city_admin, campaign):
    text = "今年新开工项目160-180个。预计建成后新开工项目带动产值50亿元。"
    response = _login(client, city_admin).post(
        URL, {"campaign": campaign.code, "text": text, "year": "2022"}
    )
    rows = response.context["rows"]
    assert [(r["kind"], r["comparator"], r["value"], r["written"]) for r in rows] == [
        ("target", "≥", "160", "160–180个"),
        ("target", "≤", "180", "160–180个"),
        ("projection", "≥", "500000", "50亿元"),
    ]
    assert "预计 · 50亿元" in response.content.decode()


def test_a_document_of_another_year_is_warned_about(client, city_admin, campaign):
    response = _login(client, city_admin).post(
        URL, {"campaign": campaign.code, "text": "2024年新开工项目170个以上。"}
    )
    assert response.context["year_warning"] == (
        "文件年份为 2024 年，与攻坚行动“项目攻坚2022”的年份（2022）不一致：请核对截止日期，"
        "或改选攻坚行动。"
    )
    assert response.context["year_warning"] in response.content.decode()
    response = client.post(URL, {"campaign": campaign.code, "text": SENTENCE, "year": "2022"})
    assert response.context["year_warning"] == ""
