"""Money and quantities: Decimal in 万元, parsed from and formatted to official Chinese text.

One parser for every figure a campaign document or a form may carry: "1700亿元", "1万亿元",
"618.8亿元", "3500万元", "120000元", "29.81%", "2000个以上", "300余亩".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


def format_wan(value: Decimal | None, places: int = 2) -> str:
    """Format an amount in 万元 with thousands separators: 12,345.60."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,}"


def format_yi(value: Decimal | None, places: int = 2) -> str:
    """Format an amount held in 万元 as 亿元: 17000000 → 1,700.00."""
    if value is None:
        return "—"
    return format_wan(value / YI_IN_WAN, places)
