"""Matching leads and sites: a score out of 100 made of six parts, each with the reason it got
the points it got, so that a proposal can be explained to the company and to the team.

| part | points | full marks when |
|---|---|---|
| kind | 20 | the site's kind is the one the need asks for (其他: 10 for any kind) |
| area | 25 | the site is 0.9–1.5 times the area asked for (12 within 0.7–2.0) |
| use | 20 | the company's industry is among the site's permitted industries (10 if unrestricted) |
| district | 15 | the site is in a preferred district (8 when the company named none) |
| price | 10 | land ≤ 20% of planned investment (5: ≤ 40%); a year's rent ≤ expected tax (5: ≤ 2×) |
| availability | 10 | available now (5 within six months) |

A site of the wrong kind for the need, or no longer available, is not a candidate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from gongjian.core import formatting
from gongjian.investment.choices import (
    NEED_KINDS,
    OPEN_STAGES,
    LeadNeed,
    ResourceKind,
    ResourceStatus,
)
from gongjian.investment.models import SQUARE_METRES_PER_MU, Lead, Resource

SOON = dt.timedelta(days=183)
MAX_CANDIDATES = 20


@dataclass(frozen=True)
class ScorePart:
    key: str
    label: str
    points: int
    max_points: int
    reason: str


@dataclass(frozen=True)
class MatchScore:
    parts: tuple[ScorePart, ...]
    eligible: bool

    @property
    def total(self) -> int:
        return sum(p.points for p in self.parts)


def _m2(value: Decimal) -> str:
    return formatting.number(value)


def _ratio(value: Decimal) -> str:
    return formatting.number(value)


def _kind(lead: Lead, resource: Resource) -> tuple[ScorePart, bool]:
    label = _("类型")
    need = lead.get_need_display()
    kind = resource.get_kind_display()
    if resource.kind not in NEED_KINDS.get(lead.need, ()):
        return ScorePart(
            "kind", label, 0, 20, _("需求“%(need)s”不适用%(kind)s") % {"need": need, "kind": kind}
        ), False
    if lead.need == LeadNeed.OTHER:
        return ScorePart(
            "kind", label, 10, 20, _("需求为“其他”，%(kind)s可供参考") % {"kind": kind}
        ), True
    return ScorePart(
        "kind", label, 20, 20, _("需求“%(need)s”对应%(kind)s") % {"need": need, "kind": kind}
    ), True


def _area(lead: Lead, resource: Resource) -> ScorePart:
    label = _("面积")
    if not lead.area_m2:
        return ScorePart("area", label, 10, 25, _("企业未填需求面积"))
    ratio = resource.area_m2 / lead.area_m2
    text = _("载体 %(site)s ㎡，需求 %(need)s ㎡（%(ratio)s 倍）") % {
        "site": _m2(resource.area_m2),
        "need": _m2(lead.area_m2),
        "ratio": _ratio(ratio),
    }
    if Decimal("0.9") <= ratio <= Decimal("1.5"):
        return ScorePart("area", label, 25, 25, text)
    if Decimal("0.7") <= ratio <= Decimal(2):
        return ScorePart("area", label, 12, 25, text)
    return ScorePart("area", label, 0, 25, text)


def _use(lead: Lead, resource: Resource) -> ScorePart:
    label = _("准入产业")
    permitted = list(resource.permitted_industries.all())
    if not permitted:
        return ScorePart("use", label, 10, 20, _("载体不限产业"))
    chain = lead.industry_chain
    if chain is None:
        return ScorePart("use", label, 10, 20, _("企业未填所属行业"))
    names = "、".join(allowed.display_name for allowed in permitted)
    if any(allowed.pk == chain.pk for allowed in permitted):
        return ScorePart(
            "use",
            label,
            20,
            20,
            _("“%(chain)s”在准入产业内") % {"chain": chain.display_name},
        )
    return ScorePart(
        "use",
        label,
        0,
        20,
        _("“%(chain)s”不在准入产业（%(names)s）内") % {"chain": chain.display_name, "names": names},
    )


def _district(lead: Lead, resource: Resource) -> ScorePart:
    label = _("意向县区")
    preferred = list(lead.preferred_regions.all())
    if not preferred:
        return ScorePart("district", label, 8, 15, _("企业未选择意向县区"))
    if any(region.pk == resource.region_id for region in preferred):
        return ScorePart(
            "district",
            label,
            15,
            15,
            _("位于意向县区%(region)s") % {"region": resource.region.display_name},
        )
    return ScorePart(
        "district",
        label,
        0,
        15,
        _("%(region)s不在意向县区内") % {"region": resource.region.display_name},
    )


def _price(lead: Lead, resource: Resource) -> ScorePart:
    label = _("价格")
    if resource.kind == ResourceKind.LAND:
        price = resource.land_price_wan_per_mu
        if price is None or not lead.planned_investment:
            return ScorePart("price", label, 5, 10, _("缺少地价或计划投资，无法比较"))
        cost = (resource.area_m2 / SQUARE_METRES_PER_MU * price).quantize(Decimal("0.01"))
        share = cost / lead.planned_investment
        text = _("地价约 %(cost)s，占计划投资 %(share)s") % {
            "cost": formatting.money(cost),
            "share": formatting.percent(share * 100),
        }
        points = 10 if share <= Decimal("0.2") else 5 if share <= Decimal("0.4") else 0
        return ScorePart("price", label, points, 10, text)
    rent = resource.rent_yuan_per_m2_month
    if rent is None or not lead.expected_annual_tax:
        return ScorePart("price", label, 5, 10, _("缺少租金或预计年税收，无法比较"))
    area = lead.area_m2 or resource.area_m2
    yearly = (area * rent * 12 / 10000).quantize(Decimal("0.01"))
    text = _("年租金约 %(rent)s，预计年税收 %(tax)s") % {
        "rent": formatting.money(yearly),
        "tax": formatting.money(lead.expected_annual_tax),
    }
    tax = lead.expected_annual_tax
    points = 10 if yearly <= tax else 5 if yearly <= 2 * tax else 0
    return ScorePart("price", label, points, 10, text)


def _availability(resource: Resource, as_of: dt.date) -> ScorePart:
    label = _("交付时间")
    when = resource.available_from
    if when <= as_of:
        return ScorePart("availability", label, 10, 10, _("现可交付"))
    text = _("%(date)s 可交付") % {"date": when.isoformat()}
    return ScorePart("availability", label, 5 if when <= as_of + SOON else 0, 10, text)


def score_match(lead: Lead, resource: Resource, *, as_of: dt.date) -> MatchScore:
    kind, eligible = _kind(lead, resource)
    parts = (
        kind,
        _area(lead, resource),
        _use(lead, resource),
        _district(lead, resource),
        _price(lead, resource),
        _availability(resource, as_of),
    )
    return MatchScore(parts, eligible and resource.status == ResourceStatus.AVAILABLE)


@dataclass(frozen=True)
class Match:
    lead: Lead
    resource: Resource
    score: MatchScore


def resources_for_lead(*, lead: Lead, user, as_of: dt.date, limit: int = MAX_CANDIDATES):
    """The available sites the user can see that suit the lead's need, best fit first."""
    candidates = (
        Resource.objects.visible_to(user)
        .filter(status=ResourceStatus.AVAILABLE, kind__in=NEED_KINDS.get(lead.need, ()))
        .select_related("region", "park")
        .prefetch_related("permitted_industries")
    )
    matches = [Match(lead, r, score_match(lead, r, as_of=as_of)) for r in candidates]
    matches = [m for m in matches if m.score.eligible]
    matches.sort(key=lambda m: (-m.score.total, m.resource.available_from, m.resource.code))
    return matches[:limit]


def leads_for_resource(*, resource: Resource, user, as_of: dt.date, limit: int = MAX_CANDIDATES):
    """The open leads the user can see whose need this site suits, best fit first."""
    needs = [need for need, kinds in NEED_KINDS.items() if resource.kind in kinds]
    candidates = (
        Lead.objects.visible_to(user)
        .filter(stage__in=OPEN_STAGES, is_spam=False, need__in=needs)
        .select_related("industry_chain", "region")
        .prefetch_related("preferred_regions")
    )
    matches = [
        Match(lead, resource, score_match(lead, resource, as_of=as_of)) for lead in candidates
    ]
    matches = [m for m in matches if m.score.eligible]
    matches.sort(key=lambda m: (-m.score.total, m.lead.created_at, m.lead.pk))
    return matches[:limit]
