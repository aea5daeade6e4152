"""Money and quantities: Decimal in 万元, parsed from and formatted to official Chinese text.

One parser for every figure a campaign document or a form may carry: "1700亿元", "1万亿元",
"618.8亿元", "3500万元", "120000元", "29.81%", "2000个以上", "300余亩".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

WAN = Decimal(1)  # the storage unit: 万元
YI_IN_WAN = Decimal(10_000)  # 1 亿元 = 10 000 万元
WANYI_IN_WAN = Decimal(100_000_000)  # 1 万亿元 = 100 000 000 万元
CENT = Decimal("0.01")

# Largest plausible single project: 1 万亿元. Anything above is a typing slip, not a project.
MAX_PROJECT_INVESTMENT_WAN = WANYI_IN_WAN

_MONEY_UNITS: dict[str, Decimal] = {
    "万亿元": WANYI_IN_WAN,
    "万亿": WANYI_IN_WAN,
    "亿元": YI_IN_WAN,
    "亿": YI_IN_WAN,
    "万元": WAN,
    "万": WAN,
    "元": Decimal("0.0001"),
}
_COUNT_UNITS = ("个", "家", "项", "宗", "亩", "平方米", "m²")
_NUMBER = r"(?P<number>[-+]?\d[\d,，]*(?:\.\d+)?)"
_QUALIFIERS = r"(?P<qualifier>以上|以下|左右|余)?"
# 余 is written between the number and the unit: "300余亩", "1000余亿元".
_PATTERN = re.compile(
    rf"^\s*{_NUMBER}\s*(?P<about>余)?\s*"
    rf"(?P<unit>万亿元|万亿|亿元|亿|万元|万|元|%|％|{'|'.join(_COUNT_UNITS)})?"
    rf"\s*{_QUALIFIERS}\s*$"
)


@dataclass(frozen=True)
class Quantity:
    """A parsed figure: its value in the canonical unit, and what kind of figure it is."""

    value: Decimal
    kind: str  # "money" (万元), "percent" (0-100), "count" or "number"
    unit: str  # the canonical unit: 万元, %, or the counting word
    qualifier: str = ""  # 以上 / 以下 / 左右 / 余, as written


class QuantityError(ValueError):
    """Text that is not a figure the parser understands."""


def parse_quantity(text: str) -> Quantity:
    """Parse official text such as "1700亿元" into a Quantity in canonical units.

    >>> parse_quantity("1700亿元").value
    Decimal('17000000')
    """
    match = _PATTERN.match(text or "")
    if not match:
        raise QuantityError(f"无法识别的数值 / not a figure: {text!r}")
    try:
        number = Decimal(match["number"].replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise QuantityError(f"无法识别的数值 / not a figure: {text!r}") from None
    unit = match["unit"] or ""
    qualifier = match["qualifier"] or match["about"] or ""
    if unit in _MONEY_UNITS:
        return Quantity(number * _MONEY_UNITS[unit], "money", "万元", qualifier)
    if unit in ("%", "％"):
        return Quantity(number, "percent", "%", qualifier)
    if unit:
        return Quantity(number, "count", unit, qualifier)
    return Quantity(number, "number", "", qualifier)


def parse_money_wan(text: str) -> Decimal:
    """Parse an amount written with or without a unit; a bare number is taken as 万元."""
    quantity = parse_quantity(text)
    if quantity.kind not in ("money", "number"):
        raise QuantityError(f"不是金额 / not an amount: {text!r}")
    return quantity.value


def format_wan(value: Decimal | str | None, places: int = 2) -> str:
    """An amount in 万元 as a bare number with thousands separators: 12,345.60 (a snapshot's
    "12345.6" too). Kept for callers that write the unit themselves; see ``core.formatting``."""
    from gongjian.core.formatting import money

    return money(value, "万元", places, with_unit=False)


def format_yi(value: Decimal | None, places: int = 2) -> str:
    """An amount held in 万元 as a bare number of 亿元: 17000000 → 1,700.00 (core.formatting)."""
    from gongjian.core.formatting import money

    return money(value, "亿元", places, with_unit=False)


# ---------------------------------------------------------------------------------------------
# Figures as running text writes them: Chinese numerals and the units a campaign document uses.

_CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CHINESE_NUMERAL_CHARS = "".join(_CHINESE_DIGITS) + "十百千万亿点"


def _chinese_integer(text: str) -> int:
    if not text:
        return 0
    for big, factor in (("亿", 100_000_000), ("万", 10_000)):
        if big in text:
            left, _sep, right = text.partition(big)
            return _chinese_integer(left) * factor + _chinese_integer(right)
    if all(ch in _CHINESE_DIGITS for ch in text):
        # Digit by digit, as years and codes are read: 二〇二二.
        return int("".join(str(_CHINESE_DIGITS[ch]) for ch in text))
    total, number = 0, 0
    for ch in text:
        if ch in _CHINESE_DIGITS:
            number = _CHINESE_DIGITS[ch]
        elif ch in _CHINESE_SMALL_UNITS:
            total += (number or 1) * _CHINESE_SMALL_UNITS[ch]
            number = 0
        else:
            raise QuantityError(f"无法识别的数值 / not a figure: {text!r}")
    return total + number


def parse_chinese_numeral(text: str) -> Decimal:
    """Read a number written in Chinese numerals: 一千七百 → 1700, 一万亿 → 1000000000000,
    二十九点八一 → 29.81, 两 → 2. Arabic digits are accepted too."""
    text = (text or "").strip()
    if not text:
        raise QuantityError("无法识别的数值 / not a figure: ''")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    whole, _sep, fraction = text.partition("点")
    if fraction and not all(ch in _CHINESE_DIGITS for ch in fraction):
        raise QuantityError(f"无法识别的数值 / not a figure: {text!r}")
    if any(ch not in CHINESE_NUMERAL_CHARS for ch in whole):
        raise QuantityError(f"无法识别的数值 / not a figure: {text!r}")
    value = Decimal(_chinese_integer(whole))
    if fraction:
        value += Decimal("0." + "".join(str(_CHINESE_DIGITS[ch]) for ch in fraction))
    return value


# Canonical units of a figure in running text: money in 元, area in 平方米, rates in %,
# counts as "count"; anything else keeps its base unit.
_MAGNITUDES = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4}
MONEY_YUAN: dict[str, Decimal] = {
    "万亿元": Decimal(10) ** 12,
    "亿元": Decimal(10) ** 8,
    "千万元": Decimal(10) ** 7,
    "百万元": Decimal(10) ** 6,
    "万元": Decimal(10) ** 4,
    "千元": Decimal(1000),
    "元": Decimal(1),
}
AREA_SQUARE_METRES: dict[str, Decimal] = {
    "平方公里": Decimal(10) ** 6,
    "平方千米": Decimal(10) ** 6,
    "公顷": Decimal(10) ** 4,
    "亩": Decimal(2000) / Decimal(3),  # 1 亩 = 1/15 公顷
    "平方米": Decimal(1),
    "平米": Decimal(1),
    "㎡": Decimal(1),
    "m²": Decimal(1),
}
PERCENT_UNITS = ("%", "％", "个百分点", "百分点")
COUNT_UNITS = (
    "个",
    "家",
    "项",
    "宗",
    "座",
    "所",
    "户",
    "人次",
    "人",
    "名",
    "套",
    "台",
    "辆",
    "条",
    "件",
    "处",
    "栋",
    "批",
    "场",
    "次",
    "间",
    "张",
    "只",
    "株",
    "幢",
    "艘",
    "架",
    "支",
    "头",
)


@dataclass(frozen=True)
class Measure:
    """A figure in canonical units: value in 元, 平方米, %, a count, or its own base unit."""

    value: Decimal
    unit: str  # 元, 美元, 平方米, %, count, 倍, or the written base unit (吨, 公里, ...)
    kind: str  # money, area, percent, count, multiple, other


def decimal_text(value: Decimal) -> str:
    """A Decimal as a plain decimal string without exponent or trailing zeros: 1.7E+11 →
    "170000000000", 29.810 → "29.81"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def normalize_measure(value: Decimal, unit: str, *, money: bool = False) -> Measure:
    """Convert ``value`` written with ``unit`` (e.g. 1700, "亿元") to canonical units.

    A bare magnitude ("亿", "万亿") is money when ``money`` says the metric is an amount
    (一千七百亿 of investment), otherwise a count multiplier. Area in 亩 is rounded to 0.01 m².
    """
    unit = (unit or "").strip()
    if unit in MONEY_YUAN:
        return Measure(value * MONEY_YUAN[unit], "元", "money")
    for currency in ("美元", "港元", "欧元"):
        if unit.endswith(currency):
            factor = _MAGNITUDES.get(unit[: -len(currency)], Decimal(1))
            return Measure(value * factor, currency, "money")
    if unit in PERCENT_UNITS:
        return Measure(value, "%", "percent")
    if unit == "倍":
        return Measure(value, "倍", "multiple")
    if unit == "番":  # 翻一番: doubled
        return Measure(Decimal(2) ** int(value), "倍", "multiple")
    factor = Decimal(1)
    base = unit
    for prefix, magnitude in _MAGNITUDES.items():
        if unit.startswith(prefix) and unit != prefix:
            factor, base = magnitude, unit[len(prefix) :]
            break
    if base in AREA_SQUARE_METRES:
        square_metres = (value * factor * AREA_SQUARE_METRES[base]).quantize(CENT)
        return Measure(square_metres, "平方米", "area")
    if base in COUNT_UNITS:
        return Measure(value * factor, "count", "count")
    if unit in _MAGNITUDES:
        if money:
            return Measure(value * _MAGNITUDES[unit], "元", "money")
        return Measure(value * _MAGNITUDES[unit], "count", "count")
    return Measure(value * factor, base, "other")
