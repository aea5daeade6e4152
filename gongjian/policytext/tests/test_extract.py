"""The extractor: the seed article exactly, and each form of figure government text uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gongjian.policytext.extract import extract, split_sentences

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed_000_7bcf08fd08b19291.txt"


def _brief_targets(text: str, year: int = 2022) -> list[tuple]:
    return [
        (t.metric, t.comparator, t.value, t.unit, t.normalized_value, t.normalized_unit)
        for t in extract(text, year=year).targets
    ]


def test_seed_article_comes_out_exactly_as_labelled():
    # Given the 2022-02-08 mobilisation article (with its web page furniture)
    text = SEED.read_text(encoding="utf-8")
    # When it is read with its year
    found = extract(text, year=2022).as_dict()
    # Then every target and fact is the labelled one, in order, and nothing else
    assert found == json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8"))


def test_seed_year_and_date_are_found_in_the_text():
    extraction = extract(SEED.read_text(encoding="utf-8"))
    assert (extraction.year, extraction.date) == (2022, "2022-02-08")
    assert len(extraction.targets) == 10
    assert len(extraction.facts) == 5


def test_seed_targets_in_brief():
    brief = [
        (t.scope, t.metric, t.comparator, t.normalized_value, t.normalized_unit, t.period_end)
        for t in extract(SEED.read_text(encoding="utf-8"), year=2022).targets
    ]
    assert brief == [
        ("全市", "在建重点项目完成投资", ">=", "170000000000", "元", "2022-12-31"),
        ("全市", "招商签约项目", ">=", "2000", "count", "2022-12-31"),
        ("全市", "招商签约项目", ">=", "100", "count", "2022-12-31"),
        ("全市", "新开工项目", ">=", "170", "count", "2022-12-31"),
        ("全市", "新建成项目", ">=", "100", "count", "2022-12-31"),
        ("全市", "新落地新基建新经济基地项目", ">=", "90", "count", "2022-12-31"),
        ("全市", "招引资金", ">", "1000000000000", "元", "2022-12-31"),
        ("全市", "规上工业企业入园率", ">=", "50", "%", "2023-12-31"),
        ("台商投资区", "签约项目总投资", ">", "130000000000", "元", "2022-12-31"),
        ("晋江市", "规上企业入园率", ">=", "60", "%", "2024-12-31"),
    ]


def test_seed_filter_of_the_major_signed_projects():
    target = extract(SEED.read_text(encoding="utf-8"), year=2022).targets[2]
    assert target.filter is not None
    assert str(target.filter) == "单个项目投资 >= 20亿元"
    assert (target.filter.normalized_value, target.filter.normalized_unit) == (
        "2000000000",
        "元",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "全年全市在建重点项目完成投资一千七百亿元以上。",
            [("在建重点项目完成投资", ">=", "1700", "亿元", "170000000000", "元")],
        ),
        (
            "今年力争固定资产投资一千七百亿。",
            [("固定资产投资", ">=", "1700", "亿", "170000000000", "元")],
        ),
        (
            "今年地区生产总值增长百分之八以上。",
            [("地区生产总值增长", ">=", "8", "%", "8", "%")],
        ),
        (
            "力争到2025年全市工业产值翻一番。",
            [("工业产值", ">=", "1", "番", "2", "倍")],
        ),
        (
            "今年居民收入增长6%-7%。",
            [("居民收入增长", ">=", "6", "%", "6", "%")],  # one target, value_max 7
        ),
        (
            "全年新增标准化厂房300万平方米、盘活闲置土地5000亩；引进规上企业50家。",
            [
                ("新增标准化厂房", ">=", "300", "万平方米", "3000000", "平方米"),
                ("盘活闲置土地", ">=", "5000", "亩", "3333333.33", "平方米"),
                ("引进规上企业", ">=", "50", "家", "50", "count"),
            ],
        ),
        (
            "城镇调查失业率全年控制在5.5%以内，单位能耗不超过0.5吨。",
            [
                ("城镇调查失业率", "<=", "5.5", "%", "5.5", "%"),
                ("单位能耗", "<=", "0.5", "吨", "0.5", "吨"),
            ],
        ),
        (
            "今年国内生产总值增长5.5%左右。",
            [("国内生产总值增长", "=", "5.5", "%", "5.5", "%")],
        ),
        (
            "力争全年外贸进出口总额突破2000亿元，实际利用外资不低于5亿美元。",
            [
                ("外贸进出口总额", ">", "2000", "亿元", "200000000000", "元"),
                ("实际利用外资", ">=", "5", "亿美元", "500000000", "美元"),
            ],
        ),
    ],
)
def test_figures_in_every_form(text, expected):
    assert _brief_targets(text) == expected


def test_facts_baseline_and_achieved_with_their_dates():
    extraction = extract(
        "2021年全市实现地区生产总值1.2万亿元。目前全市规上工业企业入园率为35.6%。", year=2022
    )
    assert [
        (f.metric, f.kind, f.normalized_value, f.normalized_unit, f.date) for f in extraction.facts
    ] == [
        ("地区生产总值", "achieved", "1200000000000", "元", "2021-12-31"),
        ("规上工业企业入园率", "baseline", "35.6", "%", None),
    ]
    assert extraction.targets == []


def test_periods_resolved_against_the_document_year():
    text = "明年新开工项目100个以上。三年内新建成项目60个以上。到2025年规上企业入园率达到70%。"
    assert [t.period_end for t in extract(text, year=2022).targets] == [
        "2023-12-31",
        "2024-12-31",
        "2025-12-31",
    ]


def test_dates_numbers_and_web_furniture_are_not_figures():
    text = (
        "闽南网2月8日讯 8日上午召开“项目攻坚2022”动员大会，任务是“1+3”。\n"
        "相关文章\n力争全年签约项目100个以上。"
    )
    extraction = extract(text, year=2022)
    assert (extraction.targets, extraction.facts) == ([], [])


def test_sentences_split_at_full_stops_and_lines():
    assert split_sentences("第一句。第二句！\n第三句") == ["第一句。", "第二句！", "第三句"]
