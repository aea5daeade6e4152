"""The investment part of the Quanzhou 2022 demo: about 300 leads across every stage and about
150 sites, the same every run. Signed and landed leads are linked to the demo's own 招商签约
projects (which already carry their 签约), so the campaign's figures do not change.

The lead calls ``demo_investment_load()`` from ``loaddemo`` after the projects and parks exist;
``demo_investment_remove()`` undoes it (``--reset``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gongjian.accounts.models import Department, User
from gongjian.demo.data import DEMO_SEED, DEMO_TODAY, DISTRICTS, SIGNED
from gongjian.investment import crypto
from gongjian.investment.choices import (
    FollowUpKind,
    LeadNeed,
    LeadSource,
    LeadStage,
    LostReason,
    ResourceKind,
)
from gongjian.investment.dedup import company_key
from gongjian.investment.models import (
    Lead,
    LeadFollowUp,
    LeadStageChange,
    Resource,
    area_in_m2,
)
from gongjian.parks.models import Park
from gongjian.projects.models import IndustryChain, Project
from gongjian.regions.models import Region

LEAD_COUNT = 300
RESOURCE_COUNT = 150
REFERENCE_PREFIX = "ZSDEMO-"
RESOURCE_PREFIX = "ZT"
# How many demo leads stand at each stage (300 in all).
STAGE_MIX = (
    (LeadStage.NEW, 70),
    (LeadStage.CONTACTED, 60),
    (LeadStage.NEGOTIATING, 50),
    (LeadStage.SIGNED, 45),
    (LeadStage.LANDED, 30),
    (LeadStage.LOST, 45),
)
_NAME_HEADS = (
    "恒",
    "鑫",
    "华",
    "信",
    "源",
    "泰",
    "宏",
    "嘉",
    "瑞",
    "丰",
    "盛",
    "达",
    "安",
    "通",
    "德",
)
_NAME_TAILS = (
    "鞋业",
    "纺织",
    "机械",
    "电子",
    "新材料",
    "食品",
    "包装",
    "智能装备",
    "光电",
    "医疗器械",
)
_USES = {
    LeadNeed.RENT_FACTORY: ("生产线扩产", "新建生产基地", "仓储及加工"),
    LeadNeed.BUY_LAND: ("自建厂房", "总部及研发基地", "智能制造产业园"),
    LeadNeed.OFFICE: ("区域总部", "研发中心", "销售结算中心"),
    LeadNeed.OTHER: ("展示中心", "冷链物流", "配套服务"),
}


@dataclass(frozen=True)
class DemoInvestmentSummary:
    lead_count: int
    resource_count: int
    linked_project_count: int


def _moment(rng: random.Random, first: dt.date, last: dt.date) -> dt.datetime:
    day = first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)))
    )


def demo_investment_remove() -> None:
    Lead.objects.filter(reference__startswith=REFERENCE_PREFIX).delete()
    Resource.objects.filter(code__startswith=f"{RESOURCE_PREFIX}-").delete()


def _resources(rng: random.Random, regions: dict[str, Region], chains: list[IndustryChain]):
    parks_by_region: dict[int, list[Park]] = {}
    for each in Park.objects.all():
        parks_by_region.setdefault(each.region_id, []).append(each)
    resources = []
    industries = []
    codes = list(regions)
    for index in range(RESOURCE_COUNT):
        code = codes[index % len(codes)]
        region = regions[code]
        kind = (ResourceKind.FACTORY, ResourceKind.LAND, ResourceKind.FACTORY, ResourceKind.OFFICE)[
            index % 4
        ]
        parks = parks_by_region.get(region.pk, [])
        park: Park | None = rng.choice(parks) if parks and kind != ResourceKind.OFFICE else None
        if kind == ResourceKind.LAND:
            area = Decimal(rng.randrange(20, 300)) * Decimal(10000) / Decimal(15)
            values: dict[str, object] = {"land_price_wan_per_mu": Decimal(rng.randrange(25, 120))}
            name = "{}{}地块".format(
                region.short_name or region.name,
                rng.choice("东西南北中") + "片区",
            )
        elif kind == ResourceKind.FACTORY:
            area = Decimal(rng.randrange(20, 400) * 100)
            values = {
                "rent_yuan_per_m2_month": Decimal(rng.randrange(80, 260)) / 10,
                "floor_load_kn_m2": Decimal(rng.choice((5, 8, 10, 12))),
                "power_capacity_kva": rng.choice((630, 1000, 1250, 2000, 2500)),
            }
            name = f"{park.name if park else region.name}标准厂房{index // 4 + 1}号楼"
        else:
            area = Decimal(rng.randrange(3, 60) * 100)
            values = {"rent_yuan_per_m2_month": Decimal(rng.randrange(250, 900)) / 10}
            name = f"{region.short_name or region.name}商务楼{rng.randint(3, 28)}层"
        resources.append(
            Resource(
                code=f"{RESOURCE_PREFIX}-{code}-{index + 1:03d}",
                name=name,
                kind=kind,
                region=region,
                park=park,
                area_m2=area.quantize(Decimal("0.01")),
                available_from=DEMO_TODAY + dt.timedelta(days=rng.randint(-200, 300)),
                address=name,
                **values,
            )
        )
        industries.append(rng.sample(chains, rng.choice((0, 1, 2, 3))))
    Resource.objects.bulk_create(resources)
    through = Resource.permitted_industries.through
    through.objects.bulk_create(
        [
            through(resource_id=r.pk, industrychain_id=c.pk)
            for r, chosen in zip(resources, industries, strict=True)
            for c in chosen
        ]
    )
    return resources


def demo_investment_load() -> DemoInvestmentSummary:
    """Write the demo leads and sites (removing earlier ones first); the same every run."""
    with transaction.atomic():
        demo_investment_remove()
        return _load()


def _load() -> DemoInvestmentSummary:
    rng = random.Random(DEMO_SEED * 7 + 6)
    regions = {d.code: Region.objects.get(code=d.code) for d in DISTRICTS}
    chains = list(
        IndustryChain.objects.filter(is_active=True).exclude(
            code__in=["infrastructure", "public-services"]
        )
    )
    zsj = Department.objects.filter(code="zsj").select_related("region").first()
    city = Region.objects.get(code="350500")
    staff = {u.username: u for u in User.objects.filter(username__in=["zsj_officer", "city_admin"])}
    district_filers = {
        m["memberships__region__code"]: m["pk"]
        for m in User.objects.filter(memberships__role="district_filer").values(
            "pk", "memberships__region__code"
        )
    }
    signed_projects = list(
        Project.objects.filter(category__code=SIGNED, investment_lead__isnull=True)
        .select_related("region", "industry_chain")
        .order_by("code")
    )
    landed_pool = [p for p in signed_projects if p.stage != "signed"]
    signed_pool = [p for p in signed_projects if p.stage == "signed"] or signed_projects
    rng.shuffle(landed_pool)
    rng.shuffle(signed_pool)
    _resources(rng, regions, chains)
    stages = [stage for stage, count in STAGE_MIX for _n in range(count)]
    leads: list[Lead] = []
    changes: list[LeadStageChange] = []
    follow_ups: list[LeadFollowUp] = []
    preferred = []
    linked = 0
    used: set[int] = set()
    for index, stage in enumerate(stages):
        project = None
        pool = landed_pool if stage == LeadStage.LANDED else signed_pool
        if stage in (LeadStage.SIGNED, LeadStage.LANDED):
            while pool and project is None:
                candidate = pool.pop()
                if candidate.pk not in used:
                    project = candidate
                    used.add(candidate.pk)
            if project is None:
                stage = LeadStage.NEGOTIATING
        need = rng.choice(
            (LeadNeed.RENT_FACTORY,) * 4
            + (LeadNeed.BUY_LAND,) * 3
            + (LeadNeed.OFFICE,) * 2
            + (LeadNeed.OTHER,)
        )
        district = project.region if project else regions[rng.choice(list(regions))]
        chain = project.industry_chain if project and project.industry_chain else rng.choice(chains)
        company = (
            project.owner_enterprise
            if project and project.owner_enterprise
            else "{}{}{}{}有限公司".format(
                rng.choice(("泉州", "福建", "晋江", "厦门", "深圳")),
                rng.choice(_NAME_HEADS),
                rng.choice(_NAME_HEADS),
                rng.choice(_NAME_TAILS),
            )
        )
        mobile = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        created = _moment(rng, dt.date(2022, 1, 4), DEMO_TODAY - dt.timedelta(days=10))
        if need == LeadNeed.BUY_LAND:
            area, unit = Decimal(rng.randrange(10, 200)), "mu"
        elif need == LeadNeed.OFFICE:
            area, unit = Decimal(rng.randrange(2, 40) * 100), "m2"
        else:
            area, unit = Decimal(rng.randrange(20, 300) * 100), "m2"
        investment = project.total_investment if project else Decimal(rng.randrange(2, 400) * 500)
        assigned = stage not in (LeadStage.NEW,) and (
            stage != LeadStage.CONTACTED or rng.random() < 0.6
        )
        lead = Lead(
            reference=f"{REFERENCE_PREFIX}{index + 1:04d}",
            company=company,
            company_key=company_key(company),
            contact_name=rng.choice("王陈林黄张吴郑蔡李许")
            + rng.choice(("先生", "女士", "经理", "总")),
            mobile_encrypted=crypto.encrypt(mobile),
            mobile_digest=crypto.mobile_digest(mobile),
            mobile_masked=crypto.mobile_mask(mobile),
            need=need,
            use=rng.choice(_USES[need]),
            industry_chain=chain,
            area=area,
            area_unit=unit,
            area_m2=area_in_m2(area, unit),
            expected_annual_tax=(investment / 40).quantize(Decimal("0.01")),
            planned_investment=investment,
            message="",
            consent_at=created,
            privacy_version="2022-1",
            source=LeadSource.DEMO,
            region=district if assigned or project else (zsj.region if zsj else city),
            department=None if assigned or project else zsj,
            stage=stage,
            stage_changed_at=created + dt.timedelta(days=rng.randint(3, 60)),
            lost_reason=rng.choice(LostReason.values) if stage == LeadStage.LOST else "",
            project=project,
            dedup_checked_at=created,
            created_at=created,
        )
        leads.append(lead)
        preferred.append(
            [district] + ([regions[rng.choice(list(regions))]] if rng.random() < 0.4 else [])
        )
        linked += project is not None
    Lead.objects.bulk_create(leads)
    through = Lead.preferred_regions.through
    through.objects.bulk_create(
        [
            through(lead_id=lead.pk, region_id=region.pk)
            for lead, chosen in zip(leads, preferred, strict=True)
            for region in {r.pk: r for r in chosen}.values()
        ]
    )
    path = (
        LeadStage.NEW,
        LeadStage.CONTACTED,
        LeadStage.NEGOTIATING,
        LeadStage.SIGNED,
        LeadStage.LANDED,
    )
    for lead in leads:
        actor = district_filers.get(lead.region.code) or (
            staff.get("zsj_officer") or staff.get("city_admin")
        )
        actor_id = actor.pk if isinstance(actor, User) else actor
        steps = (
            path[: path.index(lead.stage) + 1]
            if lead.stage in path
            else (LeadStage.NEW, LeadStage.LOST)
        )
        for before, after in itertools.pairwise(steps):
            changes.append(
                LeadStageChange(
                    lead=lead, from_stage=before, to_stage=after, actor_id=actor_id, note=""
                )
            )
        if lead.stage != LeadStage.NEW:
            follow_ups.append(
                LeadFollowUp(
                    lead=lead,
                    kind=rng.choice(FollowUpKind.values),
                    occurred_on=min(
                        DEMO_TODAY,
                        lead.created_at.date() + dt.timedelta(days=rng.randint(1, 10)),
                    ),
                    note=rng.choice(
                        (
                            "电话了解用地、用工需求。",
                            "陪同企业实地踏勘园区厂房。",
                            "与企业洽谈投资协议条款。",
                            "走访企业总部，对接扩产计划。",
                        )
                    ),
                    next_step=rng.choice(("", "安排实地踏勘", "提交投资协议草案")),
                    actor_id=actor_id,
                )
            )
    LeadStageChange.objects.bulk_create(changes)
    LeadFollowUp.objects.bulk_create(follow_ups)
    return DemoInvestmentSummary(len(leads), RESOURCE_COUNT, linked)
