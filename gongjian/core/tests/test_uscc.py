"""统一社会信用代码 (GB 32100-2015) and the organisation code inside it (GB 11714)."""

from __future__ import annotations

import pytest

from gongjian.core.uscc import (
    USCC_ALPHABET,
    organisation_code_check_digit,
    organisation_code_is_valid,
    uscc_check_digit,
    uscc_is_valid,
    uscc_normalise,
)

# Published codes: the example of the standard's explanatory material, and two companies'
# codes as their business licences print them.
PUBLISHED = [
    "91350100M000100Y43",  # 福州 example: 工商 (9), 企业 (1), 350100, M000100Y4, check 3
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert uscc_is_valid(code)
    assert uscc_check_digit(code[:17]) == code[17]
    assert organisation_code_is_valid(code[8:17])


def test_check_digit_of_the_published_example():
    assert uscc_check_digit("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        # Made up for Quanzhou enterprises, each with a valid organisation code inside.
        ("91350582MA2Y0K9DX", "F"),  # 晋江, registered after 2015 (MA…)
        ("91350582154732861", "U"),  # 晋江, an older organisation code
        ("92350521MA31PQ7T2", "1"),  # 惠安, 个体工商户 (92)
        ("93350583MA8RX0U4X", "4"),  # 南安, 农民专业合作社 (93)
        ("91350582MAAFF3092", "0"),  # the weighted sum is a multiple of 31
    ],
)
def test_check_digit(first17, check):
    assert uscc_check_digit(first17) == check
    assert uscc_is_valid(first17 + check)
    assert organisation_code_is_valid(first17[8:])


def test_a_check_digit_that_comes_out_as_31_is_zero():
    # Weighted sum ≡ 0 (mod 31) → 31 − 0 = 31, which the standard writes as 0.
    assert uscc_check_digit("00000000000000000") == "0"
    assert uscc_check_digit("10000000000000000") == "Y"  # 31 − 1 = 30 → Y


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19 characters
        "91350100M000100I43",  # I is not used (nor O, Z, S, V)
        "91350100M0001O0Y43",
        "9135010SM000100Y43",  # S inside the division code
        "913501A0M000100Y43",  # the division code is six digits
        "91350100m000100y43",  # lower case: normalise first
        "",
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width characters
    ],
)
def test_invalid_codes(code):
    assert not uscc_is_valid(code)


def test_swapped_neighbours_are_caught():
    # The point of a weighted check: a transposition of two characters changes the check.
    code = "914403001922038216"
    swapped = code[:9] + code[10] + code[9] + code[11:]
    assert swapped != code
    assert not uscc_is_valid(swapped)


def test_every_single_character_slip_is_caught():
    code = "91350100M000100Y43"
    for position in range(17):
        for char in USCC_ALPHABET:
            if char == code[position]:
                continue
            slipped = code[:position] + char + code[position + 1 :]
            assert not uscc_is_valid(slipped), slipped


def test_check_digit_refuses_what_is_not_17_characters_of_the_alphabet():
    with pytest.raises(ValueError):
        uscc_check_digit("91350100M000100Y")
    with pytest.raises(ValueError):
        uscc_check_digit("91350100M000100I4")


def test_normalise_removes_spaces_and_capitalises():
    assert uscc_normalise(" 9135 0100m000100y43\t") == "91350100M000100Y43"
    assert uscc_normalise("") == ""


@pytest.mark.parametrize(
    ("body", "check"),
    [("M000100Y", "4"), ("19220382", "1"), ("71526726", "X"), ("10000004", "0")],
)
def test_organisation_code_check_digit(body, check):
    assert organisation_code_check_digit(body) == check
    assert organisation_code_is_valid(body + check)


def test_invalid_organisation_codes():
    assert not organisation_code_is_valid("M000100Y5")
    assert not organisation_code_is_valid("M000100Y")
    assert not organisation_code_is_valid("m000100y4")
