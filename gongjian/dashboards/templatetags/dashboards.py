"""Figures as the dashboards show them: money in 亿元, counts whole, shares and points signed,
a card's sparkline as inline SVG, and the link from a figure to the rows behind it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from gongjian.campaigns.choices import ProgressStatus
from gongjian.campaigns.models import Target
from gongjian.core import formatting

register = template.Library()


@register.filter
def metric(value: Decimal | None, unit: str) -> str:
    """A value as a bare number in its display unit (``core.formatting.measure``): 万元 as 亿元
    ("1,547.76"), counts whole ("2,213"), % two places; "—" without a value."""
    return formatting.measure(value, unit, with_unit=False)


@register.filter
def metric_text(value: Decimal | None, unit: str) -> str:
    """``metric`` with its unit: "1.00亿元", "4个", "60.00%"."""
    return formatting.measure(value, unit)


@register.filter
def metric_unit(unit: str) -> str:
    """The unit word shown beside ``metric``: 亿元, 个 or %."""
    return formatting.measure_unit(unit)


@register.filter
def status_label(status: str) -> str:
    """ "green" → "正常" (the status's label)."""
    try:
        return str(ProgressStatus(status).label)
    except ValueError:
        return status


@register.filter
def pct(fraction: Decimal | None) -> str:
    """0.9104 → "91.04%"; "—" without a value."""
    return formatting.ratio(fraction)


@register.filter
def percent(value: Decimal | None) -> str:
    """A value in percent units: 85.3 → "85.30%" (a district's completion on the map)."""
    return formatting.percent(value)


@register.filter
def points(value: Decimal | None, style: str = "") -> str:
    """Points ahead or behind, signed: bare for a cell whose header says 百分点 ("+2.81",
    "-1.01", "0.00"), with the unit when ``style`` is "unit" ("+2.81个百分点"); "—" without a
    value."""
    return formatting.points(value, with_unit=style == "unit")


@register.simple_tag
def target_url(target: Target, as_of: dt.date, region_code: str = "") -> str:
    """The target's page (its monthly curve and drill-down rows); empty if it is not installed."""
    try:
        url = reverse(
            "campaigns:target_detail", kwargs={"code": target.campaign.code, "pk": target.pk}
        )
    except NoReverseMatch:
        return ""
    query = {"as_of": as_of.isoformat()}
    if region_code:
        query["region"] = region_code
    return f"{url}?{urlencode(query)}"


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 240, 56, 4


def _xy(index: int, count: int, value: Decimal, top: Decimal) -> str:
    width = SPARK_WIDTH - 2 * SPARK_PAD
    height = SPARK_HEIGHT - 2 * SPARK_PAD
    x = SPARK_PAD + (width * index / max(count - 1, 1))
    y = SPARK_PAD + height - float(value / top) * height if top else SPARK_PAD + height
    return f"{x:.1f},{y:.1f}"


@register.simple_tag
def sparkline(card, label: str = "") -> SafeString:
    """The card's cumulative monthly curve (solid) over the 序时 line its target asks for
    (dashed), scaled to the larger of the two; a dot on the latest month."""
    spark = card.spark
    count = len(spark.plan)
    known = [(i, v) for i, v in enumerate(spark.values) if v is not None]
    top = max([*(v for _i, v in known), *spark.plan, Decimal(0)])
    if count == 0 or top <= 0:
        return mark_safe("")
    plan = " ".join(_xy(i, count, v, top) for i, v in enumerate(spark.plan))
    actual = " ".join(_xy(i, count, v, top) for i, v in known)
    last = ""
    if known:
        x, y = _xy(known[-1][0], count, known[-1][1], top).split(",")
        last = format_html('<circle class="spark-dot" cx="{}" cy="{}" r="3"></circle>', x, y)
    return format_html(
        '<svg class="spark" viewBox="0 0 {} {}" preserveAspectRatio="none" role="img" '
        'aria-label="{}"><polyline class="spark-plan" points="{}"></polyline>'
        '<polyline class="spark-actual" points="{}"></polyline>{}</svg>',
        SPARK_WIDTH,
        SPARK_HEIGHT,
        label,
        plan,
        actual,
        last,
    )
