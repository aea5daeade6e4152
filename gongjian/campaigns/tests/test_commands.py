"""`gongjian progress` and GET /api/v1/campaigns/{code}/progress: the same document, exactly."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongjian.accounts.services import api_token_create
from gongjian.tests.factories import CampaignFactory, SpecialActionFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_campaign(ledger, key_investment, started, region):
    """项目攻坚2022 with three targets over the hand-made ledger: the city's key-project
    investment (≥ 5000 万元) and its allocation to 鲤城 (≥ 3000), and new starts (≥ 4 个)."""
    campaign = CampaignFactory.create()
    action = SpecialActionFactory.create(
        campaign=campaign, code="xmjs", name="项目建设专项行动", sort_order=1
    )
    city = TargetFactory.create(
        campaign=campaign, action=action, indicator=key_investment, value=Decimal("5000.00")
    )
    TargetFactory.create(
        campaign=campaign,
        action=action,
        indicator=key_investment,
        region=region("350502"),
        parent=city,
        value=Decimal("3000.00"),
    )
    TargetFactory.create(
        campaign=campaign,
        action=action,
        indicator=started,
        value=Decimal(4),
        sort_order=1,
        source_sentence="新开工项目4个以上",
    )
    return campaign


CITY_INVESTMENT = {
    "indicator": "在建重点项目完成投资",
    "indicator_code": "key-investment",
    "action": "项目建设专项行动",
    "action_code": "xmjs",
    "region_code": "350500",
    "region_name": "泉州市",
    "period_start": "2022-01-01",
    "period_end": "2022-12-31",
    "comparator": "≥",
    "target_value": "5000.00",
    "unit": "万元",
    "actual_value": "5800.74",
    "baseline_value": None,
    "completion": "1.1601",
    "time_elapsed": "0.2466",  # 90 / 365
    "ahead_points": "91.36",
    "forecast_value": "23525.22",  # 5800.74 × 365 / 90
    "forecast_method": "linear",
    "status": "green",
    "met": True,
}
LICHEN_INVESTMENT = {
    **CITY_INVESTMENT,
    "region_code": "350502",
    "region_name": "鲤城区",
    "target_value": "3000.00",
    "actual_value": "2800.75",
    "completion": "0.9336",
    "ahead_points": "68.70",
    "forecast_value": "11358.60",
    "met": False,
}
CITY_STARTS = {
    **CITY_INVESTMENT,
    "indicator": "新开工项目",
    "indicator_code": "started",
    "target_value": "4",
    "unit": "个",
    "actual_value": "2",
    "completion": "0.5000",
    "ahead_points": "25.34",
    "forecast_value": "8",
    "met": False,
}
DOCUMENT = {
    "campaign": "xmgj2022",
    "as_of": "2022-03-31",
    "targets": [CITY_INVESTMENT, LICHEN_INVESTMENT, CITY_STARTS],
}


def _run(*args: str) -> str:
    out = StringIO()
    call_command("progress", *args, stdout=out)
    return out.getvalue()


def test_cli_prints_the_json_document(small_campaign):
    output = _run("--campaign", "xmgj2022", "--as-of", "2022-03-31", "--format", "json")

    assert json.loads(output) == DOCUMENT
    assert '"indicator": "在建重点项目完成投资"' in output  # Chinese as is, not \u escapes


def test_cli_prints_an_aligned_table(small_campaign):
    output = _run("--campaign", "xmgj2022", "--as-of", "2022-03-31")

    # Columns are aligned by display width: a Chinese character takes two.
    assert output.splitlines() == [
        "项目攻坚2022（xmgj2022） 截至 2022-03-31，共 3 项目标",
        "指标                  区域        目标     实际  单位   完成率  序时进度"
        "  超欠（百分点）      预测  状态  达成",
        "--------------------  ------  --------  -------  ----"
        "  -------  --------  --------------  --------  ----  ----",
        "在建重点项目完成投资  泉州市  ≥5000.00  5800.74  万元  116.01%    24.66%"
        "           91.36  23525.22  正常  是",
        "在建重点项目完成投资  鲤城区  ≥3000.00  2800.75  万元   93.36%    24.66%"
        "           68.70  11358.60  正常  否",
        "新开工项目            泉州市        ≥4        2  个     50.00%"
        "    24.66%           25.34         8  正常  否",
    ]
    assert output.endswith("\n")


def test_cli_defaults_to_the_business_date(small_campaign, settings):
    settings.BUSINESS_DATE = dt.date(2022, 3, 31)

    assert json.loads(_run("--campaign", "xmgj2022", "--format", "json")) == DOCUMENT


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--campaign", "xmgj2099"], "未找到攻坚行动“xmgj2099”。"),
        (
            ["--campaign", "xmgj2022", "--as-of", "2022-13-01"],
            "日期格式应为 YYYY-MM-DD：2022-13-01",
        ),
    ],
)
def test_cli_refuses_an_unknown_campaign_or_a_bad_date(small_campaign, args, message):
    with pytest.raises(CommandError) as raised:
        _run(*args)

    assert str(raised.value) == message


# --- API --------------------------------------------------------------------------------------


def _bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_answers_the_same_document(client, small_campaign, leader):
    response = client.get("/api/v1/campaigns/xmgj2022/progress?as_of=2022-03-31", **_bearer(leader))

    assert response.status_code == 200
    assert response.json() == DOCUMENT


def test_api_for_a_district_shows_the_city_targets_and_its_own(
    client, small_campaign, fengze_filer
):
    response = client.get(
        "/api/v1/campaigns/xmgj2022/progress?as_of=2022-03-31", **_bearer(fengze_filer)
    )

    assert response.json() == {**DOCUMENT, "targets": [CITY_INVESTMENT, CITY_STARTS]}


def test_api_defaults_to_the_business_date(client, small_campaign, leader, settings):
    settings.BUSINESS_DATE = dt.date(2022, 3, 31)

    response = client.get("/api/v1/campaigns/xmgj2022/progress", **_bearer(leader))

    assert response.json() == DOCUMENT


def test_api_unknown_campaign_is_404(client, small_campaign, leader):
    response = client.get("/api/v1/campaigns/xmgj2099/progress", **_bearer(leader))

    assert response.status_code == 404
    assert response.json() == {"detail": "未找到攻坚行动“xmgj2099”。"}


def test_api_needs_a_token(client, small_campaign):
    response = client.get("/api/v1/campaigns/xmgj2022/progress?as_of=2022-03-31")

    assert response.status_code == 401


def test_api_refuses_a_malformed_date(client, small_campaign, leader):
    response = client.get("/api/v1/campaigns/xmgj2022/progress?as_of=2022-02-30", **_bearer(leader))

    assert response.status_code == 422


def test_openapi_document_lists_the_progress_path(client):
    document = client.get("/api/v1/openapi.json").json()

    operation = document["paths"]["/api/v1/campaigns/{code}/progress"]
    assert sorted(operation) == ["get"]
    assert sorted(operation["get"]["responses"]) == ["200", "401", "404", "422"]
    assert [p["name"] for p in operation["get"]["parameters"]] == ["code", "as_of"]
    assert document["components"]["schemas"]["TargetProgressOut"]["required"][:4] == [
        "indicator",
        "indicator_code",
        "action",
        "action_code",
    ]


@pytest.fixture
def rate_target_2023(small_campaign, region):
    """The README's case: a 入园率 target that starts in 2023, read at an as-of in 2022."""
    from gongjian.tests.factories import IndicatorFactory

    in_park = IndicatorFactory.create(
        code="in-park-rate",
        name="规上工业企业入园率",
        kind="stock_ratio",
        unit="%",
        definition={
            "source": "enterprises",
            "numerator": {"in_park": True},
            "denominator": {"above_scale": True},
        },
    )
    return TargetFactory.create(
        campaign=small_campaign,
        indicator=in_park,
        region=region("350503"),
        period_start=dt.date(2023, 1, 1),
        period_end=dt.date(2023, 12, 31),
        value=Decimal("50.00"),
        sort_order=5,
    )


def test_api_as_of_before_a_targets_window(client, rate_target_2023, fengze_filer):
    """Issue 14.7: the README's example was a 500 for district users."""
    response = client.get(
        "/api/v1/campaigns/xmgj2022/progress?as_of=2022-11-30", **_bearer(fengze_filer)
    )

    assert response.status_code == 200
    [rate] = [t for t in response.json()["targets"] if t["indicator_code"] == "in-park-rate"]
    assert {k: rate[k] for k in ("indicator_code", "time_elapsed", "completion", "met")} == {
        "indicator_code": "in-park-rate",
        "time_elapsed": "0.0000",
        "completion": None,
        "met": False,
    }


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_api_as_of_far_outside_the_campaign_is_422(client, rate_target_2023, fengze_filer, as_of):
    response = client.get(
        f"/api/v1/campaigns/xmgj2022/progress?as_of={as_of}", **_bearer(fengze_filer)
    )

    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": "as_of 须在 1900-01-01 至 2099-12-31 之间。 / as_of must be within "
            "1900-01-01 and 2099-12-31."
        },
    )
