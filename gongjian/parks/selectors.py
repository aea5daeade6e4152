"""Reads from the park and enterprise registry."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import Count

from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.parks.models import Enterprise, EnterpriseQuerySet, Park, above_scale_q, in_park_q
from gongjian.regions.models import Region

RATE_PLACES = Decimal("0.01")


class EntryRate(NamedTuple):
    """规上工业企业入园率 of one region on one date: above-scale enterprises in a park, all
    above-scale enterprises, and the rate in percent to two places (None with no enterprise)."""

    numerator: int
    denominator: int
    rate: Decimal | None


def rate_percent(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` in percent, rounded half up to two places."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        RATE_PLACES, rounding=ROUND_HALF_UP
    )


def park_entry_rate(*, region: Region, as_of: dt.date) -> dict[str, EntryRate]:
    """入园率 on ``as_of`` for ``region`` and every region below it, by region code, in the
    regions' order.

    One grouped query counts each region's own enterprises; a region's figure then pools the
    counts of its whole subtree (a city's rate is its districts' numerators over their
    denominators, never an average of their percentages).
    """
    rows = list(
        Region.objects.subtree(region)
        .annotate(
            numerator=Count(
                "enterprises",
                filter=above_scale_q(as_of, "enterprises__") & in_park_q(as_of, "enterprises__"),
            ),
            denominator=Count("enterprises", filter=above_scale_q(as_of, "enterprises__")),
        )
        .order_by("sort_order", "code")
        .values_list("code", "path", "numerator", "denominator")
    )
    result = {}
    for code, path, _numerator, _denominator in rows:
        numerator = sum(n for _c, p, n, _d in rows if p.startswith(path))
        denominator = sum(d for _c, p, _n, d in rows if p.startswith(path))
        result[code] = EntryRate(numerator, denominator, rate_percent(numerator, denominator))
    return result


def park_list(*, user):
    """The parks the user may see, with how many enterprises each holds."""
    return (
        Park.objects.visible_to(user)
        .select_related("region")
        .annotate(enterprise_count=Count("enterprises"))
    )


def enterprise_list(*, user) -> EnterpriseQuerySet:
    return Enterprise.objects.visible_to(user).select_related("region", "park", "industry_chain")


def enterprise_get(*, user, pk) -> Enterprise:
    enterprise = scoped_get_or_404(
        queryset=Enterprise.objects.all(), scoped=enterprise_list(user=user), user=user, pk=pk
    )
    assert isinstance(enterprise, Enterprise)
    return enterprise
