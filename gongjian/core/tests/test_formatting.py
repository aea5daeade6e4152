"""Every figure a user reads: money, percentages, points and counts, in Chinese and English."""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from gongjian.core import formatting
from gongjian.core.formatting import count, money, money_unit, percent, points, share


def test_doctests():
    result = doctest.testmod(formatting)

    assert (result.failed, result.attempted > 0) == (0, True)


@pytest.mark.parametrize(
    ("value", "unit", "places", "with_unit", "expected"),
    [
        (Decimal("17000000"), "亿元", 2, True, "1,700.00亿元"),
        (Decimal("6188000"), "亿元", 2, True, "618.80亿元"),
        (Decimal("12345"), "亿元", 2, True, "1.23亿元"),
        (Decimal("15000"), "亿元", 2, True, "1.50亿元"),
        (Decimal("100000000"), "亿元", 2, True, "10,000.00亿元"),
        (Decimal("17000000"), "亿元", 0, True, "1,700亿元"),
        (Decimal("12345.6"), "万元", 2, True, "12,345.60万元"),
        (Decimal("0.005"), "万元", 2, True, "0.01万元"),
        (Decimal("-1234.565"), "万元", 2, True, "-1,234.57万元"),
        (Decimal("-0.001"), "万元", 2, True, "0.00万元"),
        (Decimal("12345.6"), "万元", 0, True, "12,346万元"),
        (Decimal("12345.6"), "万元", 2, False, "12,345.60"),
        ("12345.6", "万元", 2, True, "12,345.60万元"),
        (1234, "万元", 2, True, "1,234.00万元"),
        (0, "万元", 2, True, "0.00万元"),
        (None, "万元", 2, True, "—"),
        (None, "亿元", 2, False, "—"),
        ("", "万元", 2, True, "—"),
    ],
)
def test_money(value, unit, places, with_unit, expected):
    assert money(value, unit, places, with_unit) == expected


def test_money_refuses_an_unknown_unit():
    with pytest.raises(ValueError) as refusal:
        money(Decimal(1), "元")  # type: ignore[arg-type]

    assert str(refusal.value) == "unknown money unit: '元'"


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("85.3"), 2, "85.30%"),
        (Decimal("29.805"), 2, "29.81%"),
        (Decimal("100"), 2, "100.00%"),
        (Decimal("1234.5"), 1, "1,234.5%"),
        (Decimal("-3.456"), 2, "-3.46%"),
        (0, 2, "0.00%"),
        (None, 2, "—"),
    ],
)
def test_percent(value, places, expected):
    assert percent(value, places) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (3, 8, "37.50%"),
        (1, 3, "33.33%"),
        (2, 3, "66.67%"),
        (0, 5, "0.00%"),
        (1, 0, "—"),
        (1, None, "—"),
    ],
)
def test_share(part, whole, expected):
    assert share(part, whole) == expected


@pytest.mark.parametrize(
    ("value", "signed", "expected"),
    [
        (Decimal("3.2"), True, "+3.20个百分点"),
        (Decimal("-1.05"), True, "-1.05个百分点"),
        (Decimal("0"), True, "0.00个百分点"),
        (Decimal("-0.004"), True, "0.00个百分点"),
        (Decimal("0.005"), True, "+0.01个百分点"),
        (Decimal("3.2"), False, "3.20个百分点"),
        (Decimal("-1.05"), False, "-1.05个百分点"),
        (None, True, "—"),
    ],
)
def test_points(value, signed, expected):
    assert points(value, signed=signed) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1234, "个", "1,234个"),
        (0, "个", "0个"),
        (Decimal("2000"), "家", "2,000家"),
        (17, "项", "17项"),
        (5, "座", "5座"),
        (5, "", "5"),
        (None, "个", "—"),
    ],
)
def test_count(value, unit, expected):
    assert count(value, unit) == expected


def test_english_keeps_the_digits_and_translates_the_units():
    with translation.override("en"):
        assert [
            money(Decimal("17000000"), "亿元"),
            money(Decimal("12345.6")),
            money_unit("亿元"),
            money_unit("万元"),
            percent(Decimal("85.3")),
            points(Decimal("3.2")),
            count(1234),
            count(12, "家"),
        ] == [
            "1,700.00 ×100M yuan",
            "12,345.60 ×10k yuan",
            "×100M yuan",
            "×10k yuan",
            "85.30%",
            "+3.20 pp",
            "1,234",
            "12",
        ]


def test_template_filters():
    template = Template(
        "{% load gongjian %}"
        "{{ total|money:'亿元' }} | {{ total|money }} | {{ total|yi }} | {{ total|wan }} | "
        "{{ rate|percent }} | {{ rate|percent:1 }} | {{ gap|points }} | {{ n|count }} | "
        "{{ n|count:'家' }} | {{ 3|percent_of:8 }} | {{ missing|money }}"
    )

    rendered = template.render(
        Context(
            {
                "total": Decimal("17000000"),
                "rate": Decimal("85.34"),
                "gap": Decimal("-1.05"),
                "n": 1234,
                "missing": None,
            }
        )
    )

    assert rendered == (
        "1,700.00亿元 | 17,000,000.00万元 | 1,700.00 | 17,000,000.00 | 85.34% | 85.3% | "
        "-1.05个百分点 | 1,234个 | 1,234家 | 37.50% | —"
    )
