"""Every figure a user reads, formatted in one place: money, percentages, points and counts.

Pages, the 大屏, assessment, exports and bulletins call these functions (templates through the
``money``/``percent``/``points``/``count`` filters of ``core/templatetags/gongjian.py``), so that
a figure reads the same wherever it appears: thousands separators, ROUND_HALF_UP, and its unit.

Rules:

- Money is held in 万元. Overview pages (city and district dashboards, the 大屏, rankings, the
  bulletin) show it in 亿元; detail pages (a project, a report, a ledger row) in 万元.
- A percentage is a value in percent units (85.3 means 85.3 %), two places unless told.
- A difference of two percentages is in 个百分点 (points), signed: "+3.20个百分点".
- Nothing to show is "—", never "None" or "0".

The English UI keeps the same digits as the Chinese one (a figure read aloud in a meeting must be
the one on the other screen and in the Excel file), and writes the unit after it: 亿元 as
"×100M yuan", 万元 as "×10k yuan", 个百分点 as "pp", 个 as nothing. Converting to "billion
yuan" would change the digits between the two languages, which is worse than an unfamiliar unit.
The units are whole translatable patterns ("%(value)s亿元"), so a translation may reorder them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.utils.translation import pgettext

from gongjian.core.money import YI_IN_WAN

EMPTY = "—"

MoneyUnit = Literal["亿元", "万元"]
MONEY_UNITS: tuple[MoneyUnit, ...] = ("亿元", "万元")


def _decimal(value: Decimal | int | float | str) -> Decimal:
    # str() first: a float's binary tail (0.1 → 0.1000000000000000055…) must not decide a rounding.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _is_empty(value: object) -> bool:
    return value is None or value == ""


def number(value: Decimal | int | float | str | None, places: int = 2) -> str:
    """A plain number with thousands separators, rounded half up: 12345.675 → "12,345.68".

    >>> number(Decimal("-1234.565"))
    '-1,234.57'
    >>> number(1234, 0)
    '1,234'
    >>> number(None)
    '—'
    """
    if _is_empty(value):
        return EMPTY
    quantum = Decimal(1).scaleb(-places)
    rounded = _decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)  # type: ignore[arg-type]
    if rounded == 0:
        rounded = abs(rounded)  # never "-0.00"
    return f"{rounded:,}"


def money(
    value_wan: Decimal | int | float | str | None,
    unit: MoneyUnit = "万元",
    places: int = 2,
    with_unit: bool = True,
) -> str:
    """An amount held in 万元, shown in ``unit`` with its unit word.

    >>> money(Decimal("17000000"), "亿元")
    '1,700.00亿元'
    >>> money(Decimal("12345.6"))
    '12,345.60万元'
    >>> money(Decimal("12345.6"), with_unit=False)
    '12,345.60'
    >>> money(None, "亿元")
    '—'
    """
    if _is_empty(value_wan):
        return EMPTY
    amount = _decimal(value_wan)  # type: ignore[arg-type]
    if unit == "亿元":
        amount = amount / YI_IN_WAN
    elif unit != "万元":
        raise ValueError(f"unknown money unit: {unit!r}")
    text = number(amount, places)
    if not with_unit:
        return text
    if unit == "亿元":
        return pgettext("money", "%(value)s亿元") % {"value": text}
    return pgettext("money", "%(value)s万元") % {"value": text}


def money_unit(unit: MoneyUnit = "万元") -> str:
    """The unit word alone, for a table header or a chart axis: "亿元" (English "×100M yuan")."""
    if unit == "亿元":
        return pgettext("money unit", "亿元")
    if unit == "万元":
        return pgettext("money unit", "万元")
    raise ValueError(f"unknown money unit: {unit!r}")


def with_money_unit(label: str, unit: MoneyUnit = "万元") -> str:
    """A column header with its unit: "总投资" → "总投资（万元）"."""
    return pgettext("header with unit", "%(label)s（%(unit)s）") % {
        "label": label,
        "unit": money_unit(unit),
    }


def percent(value: Decimal | int | float | str | None, places: int = 2) -> str:
    """A value in percent units: 85.3 → "85.30%".

    >>> percent(Decimal("85.3"))
    '85.30%'
    >>> percent(Decimal("29.805"))
    '29.81%'
    >>> percent(None)
    '—'
    """
    if _is_empty(value):
        return EMPTY
    return number(value, places) + "%"


def share(part: Decimal | int | None, whole: Decimal | int | None, places: int = 2) -> str:
    """``part`` as a percentage of ``whole``: (3, 8) → "37.50%"; an empty whole gives "—".

    >>> share(3, 8, 1)
    '37.5%'
    >>> share(1, 0)
    '—'
    """
    if not whole:
        return EMPTY
    return percent(_decimal(part or 0) * 100 / _decimal(whole), places)


def ratio(value: Decimal | int | float | str | None, places: int = 2) -> str:
    """A fraction as a percentage: 0.9104 → "91.04%" (completion, 序时进度, a rubric's cap).

    >>> ratio(Decimal("0.9104"))
    '91.04%'
    >>> ratio(None)
    '—'
    """
    if _is_empty(value):
        return EMPTY
    return percent(_decimal(value) * 100, places)  # type: ignore[arg-type]


def points(
    value: Decimal | int | float | str | None,
    places: int = 2,
    signed: bool = True,
    with_unit: bool = True,
) -> str:
    """A difference of percentages in 个百分点, with its sign: 3.2 → "+3.20个百分点".

    >>> points(Decimal("3.2"))
    '+3.20个百分点'
    >>> points(Decimal("-1.05"))
    '-1.05个百分点'
    >>> points(0)
    '0.00个百分点'
    >>> points(Decimal("3.2"), signed=False)
    '3.20个百分点'
    >>> points(Decimal("-1.05"), with_unit=False)
    '-1.05'
    """
    if _is_empty(value):
        return EMPTY
    text = number(value, places)
    if signed and not text.startswith("-") and _decimal(text.replace(",", "")) != 0:  # type: ignore[arg-type]
        text = "+" + text
    if not with_unit:
        return text
    return pgettext("points", "%(value)s个百分点") % {"value": text}


# The counting words a campaign uses; each is a whole pattern so that English can drop or
# pluralise the word ("1,234个" → "1,234").
def _count_patterns() -> dict[str, str]:
    return {
        "个": pgettext("count", "%(value)s个"),
        "家": pgettext("count", "%(value)s家"),
        "项": pgettext("count", "%(value)s项"),
        "宗": pgettext("count", "%(value)s宗"),
        "亩": pgettext("count", "%(value)s亩"),
        "人": pgettext("count", "%(value)s人"),
        "次": pgettext("count", "%(value)s次"),
        "件": pgettext("count", "%(value)s件"),
    }


def count(value: int | Decimal | str | None, unit: str = "个", places: int = 0) -> str:
    """A count with its counting word: 1234 → "1,234个"; an unknown word is appended as is.

    >>> count(1234)
    '1,234个'
    >>> count(Decimal("12.5"), "亩", 1)
    '12.5亩'
    >>> count(None)
    '—'
    """
    if _is_empty(value):
        return EMPTY
    text = number(value, places)
    if not unit:
        return text
    pattern = _count_patterns().get(unit)
    if pattern is None:
        return text + unit
    return pattern % {"value": text}


# An indicator's value is held in its unit (campaigns.IndicatorUnit: "万元", "个", "%").
INDICATOR_MONEY, INDICATOR_COUNT, INDICATOR_PERCENT = "万元", "个", "%"


def measure(
    value: Decimal | int | None,
    unit: str,
    money_in: MoneyUnit = "亿元",
    with_unit: bool = True,
) -> str:
    """An indicator's value (a target, an actual, a forecast) held in ``unit``: money in
    ``money_in`` (亿元 on campaign figures, the sum over many projects), counts whole, percent
    with two places.

    >>> measure(Decimal("15477600"), "万元")
    '1,547.76亿元'
    >>> measure(Decimal("2213"), "个")
    '2,213个'
    >>> measure(Decimal("43.315"), "%")
    '43.32%'
    >>> measure(Decimal("15477600"), "万元", with_unit=False)
    '1,547.76'
    """
    if unit == INDICATOR_MONEY:
        return money(value, money_in, with_unit=with_unit)
    if unit == INDICATOR_PERCENT:
        return percent(value) if with_unit else number(value)
    return count(value, unit) if with_unit else number(value, 0)


def measure_unit(unit: str, money_in: MoneyUnit = "亿元") -> str:
    """The unit word of ``measure`` alone, for a card or a column header."""
    if unit == INDICATOR_MONEY:
        return money_unit(money_in)
    if unit == INDICATOR_PERCENT:
        return "%"
    return pgettext("count unit", "个") if unit == INDICATOR_COUNT else unit


# Excel number formats of the same figures, so that a workbook reads as the page: thousands
# separators and two places for money (the unit stands in the column header, "总投资（万元）"),
# whole counts, two places for points and scores, percent cells holding fractions.
EXCEL_NUMBER = "#,##0.00"
EXCEL_MONEY = EXCEL_NUMBER
EXCEL_COUNT = "#,##0"
EXCEL_POINTS = "0.00"
EXCEL_PERCENT = "0.00%"
