"""The demo's 2022 key-project list: levels, classes, sectors, planned months, responsible units
and persons, annual plans (with a mid-year adjustment on some) summing to about the seed's
1700 亿元, and a few 城建 projects on the list that have not started, so that the lights show
all three colours on 2022-11-30.

Written set-based (bulk updates and inserts) after the projects and their reports.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from gongjian.core.periods import month_start
from gongjian.demo.data import CAMPAIGN_YEAR_START, DEMO_SEED, KEY, URBAN
from gongjian.plans.models import AnnualPlan, PlanChange
from gongjian.projects.choices import ProjectClass, Stage
from gongjian.projects.models import Project, Sector, StageEvent

YEAR = 2022
ADJUSTED_ON = dt.date(2022, 7, 1)
ADJUSTMENT_REASON = "年中计划调整：用地报批滞后，调减年度计划投资"
INITIAL_REASON = "市发改委下达2022年市重点项目年度计划"
# Not-started 城建 projects put on the 2022 list as 新开工, planned to start by mid-year.
UNSTARTED_ON_LIST = 12
PROVINCIAL_MIN_TOTAL = Decimal(300_000)  # 30 亿元 and above: also on the province's list

_SECTOR_WORDS = [
    (
        "transport",
        ("道路", "公路", "大桥", "桥", "港", "铁路", "高速", "交通", "枢纽", "码头", "隧道"),
    ),
    ("energy", ("光伏", "风电", "储能", "电厂", "变电", "能源", "燃气", "LNG", "充电")),
    ("new-infra", ("5G", "数据中心", "算力", "工业互联网", "智慧", "物联网")),
    ("agri-water", ("水库", "防洪", "灌区", "农业", "水利", "海堤", "生态")),
    ("social", ("学校", "中学", "小学", "幼儿园", "医院", "养老", "体育", "文化", "卫生")),
    ("urban", ("污水", "管网", "供水", "片区", "改造", "公园", "安置", "城市", "街区")),
]
_CHAIN_SECTORS = {"infrastructure": "transport", "public-services": "social"}
_UNITS = {
    "transport": "市交通运输局",
    "energy": "市发改委",
    "agri-water": "市水利局",
    "new-infra": "市工信局",
}
_SOES = ("泉州城建集团有限公司", "泉州交通发展集团有限责任公司", "泉州水务集团有限公司")
_SURNAMES = "陈林黄张吴王李蔡郑许洪刘苏庄杨"
_GIVEN = ("志强", "建华", "海燕", "丽萍", "国栋", "明辉", "晓东", "秀英", "伟杰", "少华", "文彬")


def _sector_of(name: str, chain: str | None) -> str:
    for code, words in _SECTOR_WORDS:
        if any(word in name for word in words):
            return code
    return _CHAIN_SECTORS.get(chain or "", "industry")


def demo_plans_load() -> dict[str, int]:
    """Fill the key-project list fields and annual plans of the demo ledger."""
    rng = random.Random(f"{DEMO_SEED}-plans")
    sectors = {sector.code: sector for sector in Sector.objects.all()}
    starts: dict[int, dt.date] = dict(
        StageEvent.objects.filter(stage=Stage.STARTED).values_list("project_id", "date")
    )
    completions: dict[int, dt.date] = dict(
        StageEvent.objects.filter(stage=Stage.COMPLETED).values_list("project_id", "date")
    )
    key_projects = list(
        Project.objects.filter(category__code=KEY)
        .select_related("industry_chain", "region")
        .order_by("code")
    )
    unstarted = list(
        Project.objects.filter(category__code=URBAN, stage=Stage.PLANNED)
        .select_related("region")
        .order_by("code")[:UNSTARTED_ON_LIST]
    )
    plans: list[AnnualPlan] = []
    adjusted: set[int] = set()
    for project in key_projects:
        start = starts.get(project.pk)
        completed = completions.get(project.pk)
        chain = project.industry_chain.code if project.industry_chain else None
        sector = _sector_of(project.name, chain)
        project.sector = sectors[sector]
        project.is_city_key = True
        project.is_provincial_key = project.total_investment >= PROVINCIAL_MIN_TOTAL
        if completed is not None and completed.year == YEAR:
            project.project_class = ProjectClass.COMPLETING
        elif start is not None and start.year == YEAR:
            project.project_class = ProjectClass.NEW
        else:
            project.project_class = ProjectClass.CONTINUING
        first_year = start.year if start else YEAR
        project.start_year = first_year
        project.end_year = max(YEAR, first_year + rng.choice((1, 2, 2, 3)))
        if start is not None:
            # Most start in the month planned; some a month or two late (still started).
            late = rng.choices((0, 1, 2), weights=(80, 14, 6))[0]
            planned = month_start(start)
            for _ in range(late):
                planned = (planned - dt.timedelta(days=1)).replace(day=1)
            project.planned_start_month = max(planned, dt.date(first_year, 1, 1))
        if completed is not None:
            project.planned_completion_month = month_start(completed)
        else:
            project.planned_completion_month = dt.date(project.end_year, 12, 1)
        _responsible(project, sector, rng)
        plans.append(AnnualPlan(project=project, year=YEAR, amount=project.annual_plan))
        if rng.random() < 0.04:
            adjusted.add(project.pk)
    for index, project in enumerate(unstarted):
        project.sector = sectors[_sector_of(project.name, None)]
        project.is_county_key = True
        project.project_class = ProjectClass.NEW
        project.start_year = YEAR
        project.end_year = YEAR + 1
        project.planned_start_month = dt.date(YEAR, 3 + index % 8, 1)
        project.planned_completion_month = dt.date(YEAR + 1, 12, 1)
        project.annual_plan = (project.total_investment * Decimal("0.2")).quantize(Decimal(1))
        _responsible(project, "urban", rng)
        plans.append(AnnualPlan(project=project, year=YEAR, amount=project.annual_plan))
    Project.objects.bulk_update(
        [*key_projects, *unstarted],
        [
            "sector",
            "is_city_key",
            "is_provincial_key",
            "is_county_key",
            "project_class",
            "start_year",
            "end_year",
            "planned_start_month",
            "planned_completion_month",
            "responsible_unit",
            "responsible_person",
            "responsible_phone",
            "annual_plan",
        ],
        batch_size=500,
    )
    AnnualPlan.objects.bulk_create(plans, batch_size=500)
    changes: list[PlanChange] = []
    for plan in plans:
        if plan.project_id in adjusted:
            # Set higher at the start of the year, cut to the amount in force now in July.
            initial = (plan.amount * Decimal("1.25")).quantize(Decimal(1))
            initial = min(initial, plan.project.total_investment)
            changes.append(
                PlanChange(
                    plan=plan,
                    effective_date=CAMPAIGN_YEAR_START,
                    amount=initial,
                    previous=Decimal(0),
                    reason=INITIAL_REASON,
                )
            )
            changes.append(
                PlanChange(
                    plan=plan,
                    effective_date=ADJUSTED_ON,
                    amount=plan.amount,
                    previous=initial,
                    reason=ADJUSTMENT_REASON,
                )
            )
        else:
            changes.append(
                PlanChange(
                    plan=plan,
                    effective_date=CAMPAIGN_YEAR_START,
                    amount=plan.amount,
                    previous=Decimal(0),
                    reason=INITIAL_REASON,
                )
            )
    PlanChange.objects.bulk_create(changes, batch_size=500)
    return {"plans": len(plans), "adjusted": len(adjusted)}


def _responsible(project: Project, sector: str, rng: random.Random) -> None:
    roll = rng.random()
    if sector in _UNITS and roll < 0.5:
        project.responsible_unit = _UNITS[sector]
    elif sector in ("transport", "urban", "agri-water") and roll < 0.75:
        project.responsible_unit = rng.choice(_SOES)
    elif not project.responsible_unit:
        project.responsible_unit = f"{project.region.name}人民政府"
    project.responsible_person = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
    project.responsible_phone = f"139{rng.randint(0, 99_999_999):08d}"
