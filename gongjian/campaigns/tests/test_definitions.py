"""Indicator definitions are data checked against a whitelist, with messages naming the key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongjian.campaigns.definitions import (
    Definition,
    DefinitionError,
    definition_parse,
    indicator_definition_validate,
)

pytestmark = pytest.mark.django_db

PARK_RATE = {
    "source": "enterprises",
    "numerator": {"in_park": True},
    "denominator": {"above_scale": True},
}


@pytest.mark.parametrize(
    ("kind", "definition"),
    [
        ("flow_sum", {"source": "reports", "measure": "amount"}),
        (
            "flow_sum",
            {"source": "reports", "measure": "amount", "categories": ["key-construction"]},
        ),
        ("event_count", {"source": "stage_events", "stage": "started"}),
        (
            "event_count",
            {"source": "stage_events", "stage": "signed", "min_total_investment": "200000"},
        ),
        (
            "event_sum",
            {
                "source": "stage_events",
                "stage": "signed",
                "measure": "total_investment",
                "categories": ["investment-signed", "new-infrastructure"],
            },
        ),
        ("stock_ratio", PARK_RATE),
    ],
)
def test_valid_definitions(kind, definition):
    assert indicator_definition_validate(kind, definition) == []


def test_a_parsed_definition_carries_its_filters():
    parsed = definition_parse(
        "event_count",
        {
            "source": "stage_events",
            "stage": "signed",
            "categories": ["investment-signed"],
            "min_total_investment": 200000,
        },
    )

    assert parsed == Definition(
        kind="event_count",
        source="stage_events",
        stage="signed",
        categories=("investment-signed",),
        min_total_investment=Decimal(200000),
    )


@pytest.mark.parametrize(
    ("kind", "definition", "messages"),
    [
        ("flow_average", {}, ["未知的指标类型“flow_average”。"]),
        ("flow_sum", ["reports"], ["指标定义须为 JSON 对象。"]),
        (
            "flow_sum",
            {"source": "projects", "measure": "amount"},
            ["“source”须为“reports”：流量合计指标读取月度进展报告。"],
        ),
        (
            "flow_sum",
            {"source": "reports", "measure": "total_investment"},
            ["“measure”须为“amount”：流量合计指标合计月报的本月完成投资。"],
        ),
        (
            "event_sum",
            {"source": "stage_events", "stage": "signed"},
            ["“measure”须为“total_investment”：事件合计指标合计项目总投资。"],
        ),
        (
            "event_count",
            {"source": "stage_events", "stage": "suspended"},
            [
                "“stage”须为以下阶段之一：signed（签约）、landed（落地）、started（开工）、"
                "completed（竣工）、operating（投产）。"
            ],
        ),
        (
            "event_count",
            {"source": "stage_events", "stage": "started", "where": "1=1"},
            [
                "“where”不是事件计数指标的定义项（可用：source、stage、categories、"
                "min_total_investment）。"
            ],
        ),
        (
            "event_count",
            {"source": "stage_events", "stage": "started", "categories": "key-construction"},
            ['“categories”须为项目类别代码的列表，如 ["key-construction"]。'],
        ),
        (
            "event_count",
            {"source": "stage_events", "stage": "started", "categories": ["key", "urban-quality"]},
            ["“categories”中的项目类别“key”不存在。"],
        ),
        (
            "event_count",
            {"source": "stage_events", "stage": "started", "min_total_investment": "20亿"},
            ['“min_total_investment”须为不小于 0 的金额（万元，最多两位小数），如 "200000"。'],
        ),
        (
            "event_count",
            {"source": "stage_events", "stage": "started", "min_total_investment": "-1"},
            ['“min_total_investment”须为不小于 0 的金额（万元，最多两位小数），如 "200000"。'],
        ),
        (
            "stock_ratio",
            {"source": "enterprises", "numerator": {"in_park": False}},
            [
                '“numerator”须为 {"in_park": true}（分子：已入园的企业）。',
                '“denominator”须为 {"above_scale": true}（分母：规上企业）。',
            ],
        ),
        (
            "stock_ratio",
            {**PARK_RATE, "categories": ["key-construction"]},
            [
                "“categories”不是存量比率指标的定义项（可用：source、measure、numerator、denominator）。"
            ],
        ),
    ],
)
def test_invalid_definitions_name_the_key(kind, definition, messages):
    assert indicator_definition_validate(kind, definition) == messages


def test_parse_refuses_what_validation_refuses():
    with pytest.raises(DefinitionError) as raised:
        definition_parse("event_count", {"source": "reports"})

    assert raised.value.messages == [
        "“source”须为“stage_events”：事件计数指标读取项目阶段记录。",
        "“stage”须为以下阶段之一：signed（签约）、landed（落地）、started（开工）、"
        "completed（竣工）、operating（投产）。",
    ]
