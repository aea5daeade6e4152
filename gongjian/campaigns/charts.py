"""A target's monthly curve as an SVG drawn on the server: it prints, needs no script, and reads
the same in the bulletin as on the page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gongjian.campaigns.choices import IndicatorUnit
from gongjian.core import formatting
from gongjian.core.money import YI_IN_WAN

WIDTH, HEIGHT = 960, 300
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 16, 32


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    label: str  # the month, e.g. "11月"
    value: str  # the value as shown in the tooltip


@dataclass(frozen=True)
class CurveChart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    actual: str  # polyline points
    planned: str
    target_y: float
    ticks: list[Tick]
    marks: list[Mark]
    month_labels: list[Mark]
    # Over a year: labels are "2023.1" and only every few months carries one.
    long: bool


def _nice_step(span: Decimal) -> Decimal:
    """A step of 1, 2 or 5 × 10^n giving four or five gridlines over ``span``."""
    if span <= 0:
        return Decimal(1)
    raw = span / 4
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal("0.1")
    for factor in (1, 2, 5, 10):
        step = magnitude * factor
        if raw <= step:
            return step
    return magnitude * 10


def _label(value: Decimal, unit: str) -> str:
    """A gridline's label in the unit of the target's table: money in 亿元, whole ticks without
    decimals ("1,700亿元"), others with two ("0.25亿元")."""
    places = 0 if value == value.to_integral_value() else 2
    if unit == IndicatorUnit.WAN_YUAN:
        in_yi = value / YI_IN_WAN
        places = 0 if in_yi == in_yi.to_integral_value() else 2
        return formatting.money(value, "亿元", places)
    if unit == IndicatorUnit.PERCENT:
        return formatting.percent(value, places)
    return formatting.number(value, places)


def curve_chart(
    *,
    months: list,
    actual: list[Decimal | None],
    planned: list[Decimal],
    target_value: Decimal,
    unit: str,
    floor: Decimal | None = None,
) -> CurveChart:
    """Geometry for the cumulative actual line, the 序时进度 (plan) line and the target line.

    ``floor`` is the bottom of the scale (a rate's starting level); sums and counts start at 0.
    """
    values = [v for v in actual if v is not None] + list(planned) + [target_value]
    low = Decimal(0) if floor is None else min([floor, *values])
    high = max(values) if values else Decimal(1)
    step = _nice_step(high - low)
    low = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    top_value = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    if top_value <= low:
        top_value = low + step
    long = len(months) > 12
    every = -(-len(months) // 12) if long else 1
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    count = max(len(months), 1)

    def x(index: int) -> float:
        return round(LEFT + plot_w * (index + 0.5) / count, 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_h * float((top_value - value) / (top_value - low)), 1)

    ticks = []
    value = low
    while value <= top_value:
        ticks.append(Tick(y=y(value), label=_label(value, unit)))
        value += step
    marks = [
        Mark(x=x(i), y=y(v), label=f"{m.month}", value=_label(v, unit))
        for i, (m, v) in enumerate(zip(months, actual, strict=True))
        if v is not None
    ]
    return CurveChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        actual=" ".join(f"{mark.x},{mark.y}" for mark in marks),
        planned=" ".join(f"{x(i)},{y(v)}" for i, v in enumerate(planned)),
        target_y=y(target_value),
        ticks=ticks,
        marks=marks,
        month_labels=[
            Mark(
                x=x(i),
                y=HEIGHT - BOTTOM + 18,
                label=f"{m.year}.{m.month}" if long else f"{m.month}",
                value="",
            )
            for i, m in enumerate(months)
            if i % every == 0
        ],
        long=long,
    )
