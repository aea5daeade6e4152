"""Reads from the park and enterprise registry."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.parks.models import (
    Enterprise,
    EnterpriseQuerySet,
    EnterpriseSpell,
    Park,
    above_scale_q,
    in_force_q,
)
from gongjian.regions.models import Region

RATE_PLACES = Decimal("0.01")


class EntryRate(NamedTuple):
    """规上工业企业入园率 of one region on one date: above-scale enterprises in a park, all
    above-scale enterprises, and the rate in percent to two places (None with no enterprise)."""

    numerator: int
    denominator: int
    rate: Decimal | None


def rate_percent(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """``numerator / denominator`` in percent, rounded half up to two places."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        RATE_PLACES, rounding=ROUND_HALF_UP
    )


def park_entry_rate(*, region: Region, as_of: dt.date) -> dict[str, EntryRate]:
    """入园率 on ``as_of`` for ``region`` and every region below it, by region code, in the
    regions' order.

    One grouped query counts each region's own enterprises by the spell in force on ``as_of``
    (an enterprise that left its park, or lost the flag, counts as it then was); a region's
    figure then pools the counts of its whole subtree (a city's rate is its districts'
    numerators over their denominators, never an average of their percentages).
    """
    rows = list(
        Region.objects.subtree(region)
        .annotate(
            numerator=Count(
                "enterprise_spells",
                filter=above_scale_q(as_of, "enterprise_spells__")
                & Q(enterprise_spells__park__isnull=False),
            ),
            denominator=Count(
                "enterprise_spells", filter=above_scale_q(as_of, "enterprise_spells__")
            ),
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


# --- park pages -------------------------------------------------------------------------------

# What a park can be ranked and compared by (拉练): key → label. Counts and land are read from
# the spells in force on the date; output value and tax are the enterprises' latest annual
# figures (not dated), summed over the enterprises in the park on that date.
PARK_MEASURES = {
    "above_scale": _("规上工业企业数"),
    "enterprise_count": _("入园企业数"),
    "land": _("工业用地（亩）"),
    "output": _("工业总产值（万元）"),
    "tax": _("税收（万元）"),
    "contribution": _("入园率贡献（百分点）"),
}


def _park_subquery(as_of: dt.date, column: str) -> Subquery:
    spells = (
        EnterpriseSpell.objects.filter(in_force_q(as_of), park=OuterRef("pk"))
        .order_by()
        .values("park")
        .annotate(total=Sum(f"enterprise__{column}"))
        .values("total")
    )
    return Subquery(spells, output_field=DecimalField(max_digits=16, decimal_places=2))


def park_figures(
    *,
    user,
    as_of: dt.date,
    region: Region | None = None,
    kind: str = "",
    standardised: bool | None = None,
    codes: list[str] | None = None,
) -> list[Any]:
    """The parks the user may see (filtered), each annotated with its figures on ``as_of``
    (see PARK_MEASURES) — two queries: the parks with their figures, and the regions'
    入园率 denominators for the contribution."""
    in_force = in_force_q(as_of, "enterprise_spells__")
    parks = Park.objects.visible_to(user).select_related("region")
    if region is not None:
        parks = parks.filter(region__path__startswith=region.path)
    if kind:
        parks = parks.filter(kind=kind)
    if standardised is not None:
        parks = parks.filter(is_standardised=standardised)
    if codes is not None:
        parks = parks.filter(code__in=codes)
    rows: list[Any] = list(
        parks.annotate(
            above_scale=Count(
                "enterprise_spells", filter=in_force & Q(enterprise_spells__is_above_scale=True)
            ),
            enterprise_count=Count("enterprise_spells", filter=in_force),
            land=Sum("enterprise_spells__industrial_land_mu", filter=in_force),
            output=_park_subquery(as_of, "output_value"),
            tax=_park_subquery(as_of, "tax_paid"),
        )
    )
    denominators = dict(
        EnterpriseSpell.objects.filter(above_scale_q(as_of), region__in={p.region_id for p in rows})
        .order_by()
        .values_list("region_id")
        .annotate(n=Count("id"))
    )
    for park in rows:
        park.land = park.land or Decimal(0)
        park.output = park.output or Decimal(0)
        park.tax = park.tax or Decimal(0)
        park.contribution = rate_percent(park.above_scale, denominators.get(park.region_id, 0))
    return rows


def park_ranking(*, user, as_of: dt.date, measure: str, region: Region | None = None) -> list[Any]:
    """The parks by ``measure`` (a PARK_MEASURES key), largest first, each with ``rank``."""
    parks = park_figures(user=user, as_of=as_of, region=region)
    parks.sort(
        key=lambda p: (-(getattr(p, measure) or 0), p.region.sort_order, p.sort_order, p.code)
    )
    for rank, park in enumerate(parks, start=1):
        park.rank = rank
    return parks


def park_get(*, user, pk) -> Park:
    park = scoped_get_or_404(
        queryset=Park.objects.select_related("region"),
        scoped=Park.objects.visible_to(user).select_related("region"),
        user=user,
        pk=pk,
    )
    assert isinstance(park, Park)
    return park


def park_enterprises(*, park: Park, as_of: dt.date):
    """The spells of the enterprises in ``park`` on ``as_of`` (a spell reads through to its
    enterprise), above-scale first."""
    return (
        EnterpriseSpell.objects.filter(in_force_q(as_of), park=park)
        .select_related("enterprise", "enterprise__industry_chain")
        .order_by("-is_above_scale", "enterprise__name")
    )
