"""One parser for official figures, and the two formats amounts are shown in."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongjian.core.money import (
    Quantity,
    QuantityError,
    format_wan,
    format_yi,
    parse_money_wan,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1700亿元", Quantity(Decimal("17000000"), "money", "万元")),
        ("1万亿元", Quantity(Decimal("100000000"), "money", "万元")),
        ("618.8亿元", Quantity(Decimal("6188000"), "money", "万元")),
        ("1300亿", Quantity(Decimal("13000000"), "money", "万元")),
        ("20 亿元以上", Quantity(Decimal("200000"), "money", "万元", "以上")),
        ("3500万元", Quantity(Decimal("3500"), "money", "万元")),
        ("120000元", Quantity(Decimal("12"), "money", "万元")),
        ("1,700亿元", Quantity(Decimal("17000000"), "money", "万元")),
        ("29.81%", Quantity(Decimal("29.81"), "percent", "%")),
        ("60％", Quantity(Decimal("60"), "percent", "%")),
        ("50%左右", Quantity(Decimal("50"), "percent", "%", "左右")),
        ("2000个以上", Quantity(Decimal("2000"), "count", "个", "以上")),
        ("170个", Quantity(Decimal("170"), "count", "个")),
        ("300余亩", Quantity(Decimal("300"), "count", "亩", "余")),
        ("1000余亿元", Quantity(Decimal("10000000"), "money", "万元", "余")),
        (" 42 ", Quantity(Decimal("42"), "number", "")),
    ],
)
def test_parse_quantity(text, expected):
    assert parse_quantity(text) == expected


def test_parse_quantity_value_keeps_its_digits():
    assert str(parse_quantity("1700亿元").value) == "17000000"
    assert str(parse_quantity("618.8亿元").value) == "6188000.0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1700亿元", Decimal("17000000")),
        ("1万亿元", Decimal("100000000")),
        ("618.8亿元", Decimal("6188000")),
        ("3500万元", Decimal("3500")),
        ("120000元", Decimal("12")),
        ("12000.50", Decimal("12000.50")),
    ],
)
def test_parse_money_wan(text, expected):
    assert parse_money_wan(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "约1700亿元", "1700亿美元", "1.2.3亿元", "亿元", "1700 亿 元", "余亩"],
)
def test_parse_quantity_refuses_what_is_not_a_figure(text):
    with pytest.raises(QuantityError) as refusal:
        parse_quantity(text)

    assert str(refusal.value) == f"无法识别的数值 / not a figure: {text!r}"


@pytest.mark.parametrize("text", ["29.81%", "2000个以上"])
def test_parse_money_wan_refuses_figures_that_are_not_amounts(text):
    with pytest.raises(QuantityError) as refusal:
        parse_money_wan(text)

    assert str(refusal.value) == f"不是金额 / not an amount: {text!r}"


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("12345.6"), 2, "12,345.60"),
        (Decimal("0"), 2, "0.00"),
        (Decimal("0.005"), 2, "0.01"),
        (Decimal("-1234.565"), 2, "-1,234.57"),
        (Decimal("100000000"), 2, "100,000,000.00"),
        (Decimal("12345.6"), 0, "12,346"),
        (None, 2, "—"),
    ],
)
def test_format_wan(value, places, expected):
    assert format_wan(value, places) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("17000000"), "1,700.00"),
        (Decimal("6188000"), "618.80"),
        (Decimal("100000000"), "10,000.00"),
        (Decimal("12345"), "1.23"),
        (Decimal("15000"), "1.50"),
        (None, "—"),
    ],
)
def test_format_yi(value, expected):
    assert format_yi(value) == expected


AMOUNTS = st.decimals(
    min_value=Decimal("-10000000000"),
    max_value=Decimal("10000000000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(AMOUNTS)
def test_formatted_wan_parses_back_to_the_same_amount(amount):
    assert parse_money_wan(format_wan(amount) + "万元") == amount
    assert parse_money_wan(format_wan(amount)) == amount


@given(AMOUNTS)
def test_formatted_yi_parses_back_to_the_amount_rounded_to_a_million_yuan(amount):
    rounded = (amount / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 10000

    assert parse_money_wan(format_yi(amount) + "亿元") == rounded
