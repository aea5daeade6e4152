"""Build the Quanzhou 2022 demo ledger in memory: the same projects, amounts and dates every run.

Each (category, district) draws from its own ``random.Random`` seeded with a fixed string, so a
change to one district's table leaves the others' projects as they were. Only integer and
``Decimal`` arithmetic turns draws into amounts, coordinates and dates (no ``math.exp`` or
``math.log``, whose last digit may differ between C libraries), so the figures the tests pin hold
on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from gongjian.core.periods import month_end
from gongjian.demo.data import (
    BRANDS,
    CAMPAIGN_YEAR_START,
    CHAIN_WORDS,
    CODE_PREFIXES,
    COMPANY_SUFFIXES,
    DEMO_SEED,
    DEMO_TODAY,
    DISTRICTS,
    EASTSEA_FACILITIES,
    EASTSEA_ROADS,
    EASTSEA_WORKS,
    ESTATES,
    KEY,
    NEW_INFRA,
    NEW_INFRA_KINDS,
    OLD_TOWN_STREETS,
    OLD_TOWN_WORKS,
    PARK_WORKS,
    PHASES,
    PIPE_WORKS,
    PUBLIC_FACILITIES,
    RENEWAL_WORKS,
    RIVERSIDE_WORKS,
    ROAD_WORKS,
    ROADS,
    SIGNED,
    SIGNING_CEREMONIES,
    SIGNING_MONTH_WEIGHTS,
    SMART_DOMAINS,
    START_CEREMONIES,
    START_MONTH_WEIGHTS_2021,
    START_MONTH_WEIGHTS_2022,
    SUSPENSION_REASONS,
    TRANSPORT_FACILITIES,
    URBAN,
    URBAN_AREAS,
    District,
    UrbanArea,
)
from gongjian.projects.choices import Stage

CENT = Decimal("0.01")
# Share of amounts written as round figures (to 10 or 100 万元), as officials usually do.
ROUND_FIGURE_SHARE = 0.7

# Key projects: the share started in 2022, and the share of earlier starts completed in 2022,
# for a district at pace 1.0. The campaign's targets are 新开工 ≥ 170 and 新建成 ≥ 100.
KEY_NEW_START_SHARE = 0.165
KEY_COMPLETION_SHARE = 0.097
KEY_SUSPENSION_SHARE = 0.012
# Signed projects: the share that has landed by the demo date, and of those, the share started.
SIGNED_LANDED_SHARE = 0.42
SIGNED_STARTED_SHARE = 0.5

NOTE_STARTED = "取得施工许可，主体工程开工"
NOTE_COMPLETED = "主体工程完工，通过竣工验收"
NOTE_OPERATING = "设备安装调试完成，正式投产"
NOTE_SIGNED = "签订投资合同"
NOTE_LANDED = "完成项目备案，取得建设用地"


@dataclass(frozen=True)
class EventSpec:
    """A stage event to record: which stage, on which day, with what note."""

    stage: str
    date: dt.date
    note: str


@dataclass(frozen=True)
class ProjectSpec:
    """A demo project with its stage events, ready to be turned into rows."""

    code: str
    name: str
    region_code: str
    category_code: str
    industry_chain_code: str
    owner_enterprise: str
    responsible_unit: str
    total_investment: Decimal
    annual_plan: Decimal
    longitude: Decimal
    latitude: Decimal
    description: str
    events: tuple[EventSpec, ...]


def _rng(*parts: str) -> random.Random:
    # A string seed is hashed with SHA-512: stable across runs, platforms and PYTHONHASHSEED.
    return random.Random("-".join([str(DEMO_SEED), *parts]))


def _between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _in_month(rng: random.Random, year: int, weights: Sequence[int]) -> dt.date:
    month = rng.choices(range(1, len(weights) + 1), weights=weights)[0]
    first = dt.date(year, month, 1)
    return _between(rng, first, min(month_end(first), DEMO_TODAY))


def _point(
    rng: random.Random, lng: int, lat: int, lng_spread: int, lat_spread: int
) -> tuple[Decimal, Decimal]:
    """A point in the box around a centre; coordinates are micro-degrees until the end."""
    return (
        Decimal(lng + rng.randint(-lng_spread, lng_spread)).scaleb(-6),
        Decimal(lat + rng.randint(-lat_spread, lat_spread)).scaleb(-6),
    )


def _log_uniform(rng: random.Random, low: int, high: int) -> Decimal:
    """An amount in ``low``…``high`` 万元, as likely in each decade (1–10 亿 as 10–100 亿)."""
    ln_low, ln_high = Decimal(low).ln(), Decimal(high).ln()
    share = Decimal(rng.randrange(1_000_000)) / Decimal(1_000_000)
    return (ln_low + (ln_high - ln_low) * share).exp()


def _amount(rng: random.Random, low: int, high: int, step: int = 0) -> Decimal:
    """A total investment in 万元 with two places; most are round figures."""
    value = _log_uniform(rng, low, high)
    if rng.random() < ROUND_FIGURE_SHARE:
        unit = Decimal(step or (100 if value >= 10_000 else 10))
        value = (value / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _share_of(total: Decimal, percent: int) -> Decimal:
    """``percent`` % of ``total``, rounded down to the cent so it never exceeds the total."""
    return (total * percent / 100).quantize(CENT, rounding=ROUND_DOWN)


def _weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([item for item, _ in table], weights=[w for _, w in table])[0]


class _Ledger:
    """Hands out project codes per (category, region) and keeps project names unique."""

    def __init__(self) -> None:
        self._names: set[str] = set()
        self._sequence: dict[tuple[str, str], int] = defaultdict(int)

    def code(self, category: str, region_code: str) -> str:
        self._sequence[category, region_code] += 1
        number = self._sequence[category, region_code]
        return f"{CODE_PREFIXES[category]}-{region_code}-{number:04d}"

    def name(self, name: str) -> str:
        """The name, or, when taken, the same name as a later phase (二期, 三期…)."""
        candidate, phase = name, 2
        while candidate in self._names:
            candidate = f"{name}（{_phase(phase)}）"
            phase += 1
        self._names.add(candidate)
        return candidate


def _phase(number: int) -> str:
    digits = "零一二三四五六七八九十"
    return f"{digits[number]}期" if number <= 10 else f"{number}期"


def _company(rng: random.Random, district: District, brand: str, trade: str) -> str:
    place = rng.choice(district.enterprise_places)
    return f"{place}{brand}{trade}{_weighted(rng, COMPANY_SUFFIXES)}"


def _state_company(district: District, business: str) -> str:
    return f"{district.name}{business}集团有限公司"


# --- names of industrial, infrastructure and urban projects ---------------------------------


@dataclass(frozen=True)
class _Named:
    name: str
    owner: str
    description: str


def _industrial(rng: random.Random, district: District, chain: str, ledger: _Ledger) -> _Named:
    words = CHAIN_WORDS[chain]
    brand, trade = rng.choice(BRANDS), rng.choice(words.trades)
    kind = rng.choice(words.project_kinds)
    # "凯达大数据" + "大数据中心项目" reads as "凯达大数据中心项目".
    label = f"{brand}{kind}" if trade[:2] in kind else f"{brand}{trade}{kind}"
    return _Named(
        name=ledger.name(f"{district.name}{label}"),
        owner=_company(rng, district, brand, trade),
        description=f"总用地约{rng.randint(20, 400)}亩，{words.content}。",
    )


def _other_roads(rng: random.Random, road: str) -> tuple[str, str]:
    first, second = rng.sample([r for r in ROADS if r != road], 2)
    return first, second


def _works(rng: random.Random, kind: str, district: District, ledger: _Ledger) -> _Named:
    """A public works project of ``kind`` (transport, pipes, park…) in ``district``."""
    town = rng.choice(district.towns)
    head = district.name
    builder = _state_company(district, "城市建设投资")
    if kind == "transport":
        builder = _state_company(district, "交通发展")
        if rng.random() < 0.7:
            road = rng.choice(ROADS)
            start, end = _other_roads(rng, road)
            name = f"{head}{road}（{start}至{end}段）{rng.choice(ROAD_WORKS)}"
            detail = f"道路全长约{rng.randint(8, 120) / 10:g}公里"
        else:
            name = f"{head}{town}{rng.choice(TRANSPORT_FACILITIES)}"
            detail = f"占地约{rng.randint(10, 300)}亩"
    elif kind == "eastsea":
        if rng.random() < 0.6:
            name = f"{head}东海片区{rng.choice(EASTSEA_ROADS)}{rng.choice(EASTSEA_WORKS)}"
        else:
            name = f"{head}东海片区{rng.choice(EASTSEA_FACILITIES)}"
        detail = f"实施范围约{rng.randint(20, 600)}亩"
    elif kind == "old_town":
        name = f"{head}古城{rng.choice(OLD_TOWN_STREETS)}{rng.choice(OLD_TOWN_WORKS)}"
        detail = f"整治街巷约{rng.randint(150, 1800)}米"
    elif kind == "riverside":
        # 洛江 and the 台商投资区 line the 洛阳江; the others the 晋江 (the river).
        banks: tuple[str, ...] = ("西岸", "东岸")
        river = "洛阳江"
        if district.code not in ("350504", "QZ-TZQ"):
            river, banks = "晋江", ("北岸", "南岸", "下游")
        bank, works, phase = rng.choice(banks), rng.choice(RIVERSIDE_WORKS), rng.choice(PHASES)
        name = f"{head}{river}{bank}{works}（{phase}）"
        detail = f"岸线长约{rng.randint(5, 80) / 10:g}公里"
    elif kind == "renewal":
        if rng.random() < 0.5:
            name = f"{head}{town}{rng.choice(ESTATES)}老旧小区改造项目"
        else:
            name = f"{head}{town}{rng.choice(RENEWAL_WORKS)}"
        detail = f"惠及居民约{rng.randint(120, 3200)}户"
    elif kind == "park":
        name = f"{head}{town}{rng.choice(PARK_WORKS)}"
        detail = f"建设面积约{rng.randint(15, 900)}亩"
    elif kind == "pipes":
        builder = _state_company(district, "水务")
        name = f"{head}{town}片区{rng.choice(PIPE_WORKS)}"
        detail = f"敷设管网约{rng.randint(5, 150) / 10:g}公里"
    elif kind == "public":
        facility, bureau = rng.choice(PUBLIC_FACILITIES)
        name = f"{head}{town}{facility}"
        if bureau:
            builder = (
                f"{district.social_unit_prefix}{bureau}"
                if district.social_unit_prefix
                else f"{district.name}社会事业局"
            )
        detail = f"总建筑面积约{rng.randint(3, 90) / 10:g}万平方米"
    else:
        raise ValueError(f"unknown works kind {kind!r}")
    return _Named(name=ledger.name(name), owner=builder, description=detail)


# --- stage events ---------------------------------------------------------------------------


def _start_2022(rng: random.Random) -> EventSpec:
    if rng.random() < 0.4:
        day, note = rng.choices(START_CEREMONIES, weights=(4, 3, 3, 2))[0]
        return EventSpec(Stage.STARTED, day, note)
    return EventSpec(Stage.STARTED, _in_month(rng, 2022, START_MONTH_WEIGHTS_2022), NOTE_STARTED)


def _start_2021(rng: random.Random) -> EventSpec:
    return EventSpec(Stage.STARTED, _in_month(rng, 2021, START_MONTH_WEIGHTS_2021), NOTE_STARTED)


def _completion_in_2022(
    rng: random.Random, start: dt.date, min_days: int, note: str = NOTE_COMPLETED
) -> EventSpec | None:
    earliest = max(CAMPAIGN_YEAR_START, start + dt.timedelta(days=min_days))
    if earliest > DEMO_TODAY:
        return None
    return EventSpec(Stage.COMPLETED, _between(rng, earliest, DEMO_TODAY), note)


def _operation_after(rng: random.Random, completed: dt.date) -> EventSpec | None:
    day = completed + dt.timedelta(days=rng.randint(10, 75))
    return EventSpec(Stage.OPERATING, day, NOTE_OPERATING) if day <= DEMO_TODAY else None


def _suspension_after(rng: random.Random, start: dt.date) -> EventSpec | None:
    earliest = max(CAMPAIGN_YEAR_START, start + dt.timedelta(days=60))
    if earliest > DEMO_TODAY:
        return None
    return EventSpec(
        Stage.SUSPENDED, _between(rng, earliest, DEMO_TODAY), rng.choice(SUSPENSION_REASONS)
    )


def _add(events: list[EventSpec], event: EventSpec | None) -> None:
    if event is not None:
        events.append(event)


def _key_events(
    rng: random.Random, *, pace: float, is_new: bool, completes: bool, industrial: bool
) -> list[EventSpec]:
    """In construction: started in 2021 (续建) or 2022 (新开工); some completed in 2022."""
    start = _start_2022(rng) if is_new else _start_2021(rng)
    events = [start]
    completed = None
    if completes:
        completed = _completion_in_2022(rng, start.date, 180)
    elif is_new and start.date <= dt.date(2022, 6, 30) and rng.random() < 0.03 * pace:
        completed = _completion_in_2022(rng, start.date, 120)
    if completed is not None:
        events.append(completed)
        if industrial and rng.random() < 0.35:
            _add(events, _operation_after(rng, completed.date))
    elif rng.random() < KEY_SUSPENSION_SHARE * (2 - pace):
        _add(events, _suspension_after(rng, start.date))
    return events


def _signed_events(rng: random.Random, pace: float) -> list[EventSpec]:
    """Signed in 2022, more towards mid-year; some have landed and started since."""
    if rng.random() < 0.25:
        day, note = rng.choice(SIGNING_CEREMONIES)
        signed = EventSpec(Stage.SIGNED, day, note)
    else:
        signed = EventSpec(Stage.SIGNED, _in_month(rng, 2022, SIGNING_MONTH_WEIGHTS), NOTE_SIGNED)
    events = [signed]
    if rng.random() < min(0.85, SIGNED_LANDED_SHARE * pace):
        landed = signed.date + dt.timedelta(days=rng.randint(15, 120))
        if landed <= DEMO_TODAY:
            events.append(EventSpec(Stage.LANDED, landed, NOTE_LANDED))
            if rng.random() < min(0.8, SIGNED_STARTED_SHARE * pace):
                started = landed + dt.timedelta(days=rng.randint(10, 90))
                if started <= DEMO_TODAY:
                    events.append(EventSpec(Stage.STARTED, started, NOTE_STARTED))
    return events


def _works_events(
    rng: random.Random, pace: float, planned_share: float, operating_share: float = 0.0
) -> list[EventSpec]:
    """Urban and new-infrastructure works: some still planned, the rest started 2021 or 2022."""
    if rng.random() < min(0.3, planned_share / pace):
        return []
    completed = None
    if rng.random() < 0.55:
        start = _start_2022(rng)
        if start.date <= dt.date(2022, 7, 31) and rng.random() < 0.12 * pace:
            completed = _completion_in_2022(rng, start.date, 90)
    else:
        start = _start_2021(rng)
        if rng.random() < 0.32 * pace:
            completed = _completion_in_2022(rng, start.date, 150)
    events = [start]
    if completed is not None:
        events.append(completed)
        if rng.random() < operating_share:
            _add(events, _operation_after(rng, completed.date))
    elif rng.random() < 0.008 * (2 - pace):
        _add(events, _suspension_after(rng, start.date))
    return events


def _stage_reached(events: Sequence[EventSpec], stage: str) -> bool:
    return any(e.stage == stage for e in events)


# --- the four categories --------------------------------------------------------------------


def _key_projects(district: District, ledger: _Ledger) -> list[ProjectSpec]:
    rng = _rng(KEY, district.code)
    # Exact shares rather than coin flips, so that a district's pace shows however few it has.
    count = district.key_count
    new_starts = set(rng.sample(range(count), round(count * KEY_NEW_START_SHARE * district.pace)))
    continuing = [i for i in range(count) if i not in new_starts]
    completions = set(rng.sample(continuing, round(count * KEY_COMPLETION_SHARE * district.pace)))
    projects = []
    for index in range(count):
        kind = rng.choices(("industry", "infrastructure", "public"), weights=(58, 28, 14))[0]
        if kind == "industry":
            chain = _weighted(rng, district.chains)
            named = _industrial(rng, district, chain, ledger)
            total = _amount(rng, 8_000, 400_000)
        elif kind == "infrastructure":
            chain = "infrastructure"
            works = rng.choices(("transport", "pipes", "park"), weights=(60, 25, 15))[0]
            named = _works(rng, works, district, ledger)
            named = _Named(named.name, named.owner, f"{named.description}。")
            total = _amount(rng, 8_000, 400_000)
        else:
            chain = "public-services"
            named = _works(rng, "public", district, ledger)
            named = _Named(named.name, named.owner, f"{named.description}。")
            total = _amount(rng, 5_000, 150_000)
        plan = _share_of(total, rng.randint(10, 28))
        lng, lat = _point(rng, district.lng, district.lat, district.lng_spread, district.lat_spread)
        events = _key_events(
            rng,
            pace=district.pace,
            is_new=index in new_starts,
            completes=index in completions,
            industrial=kind == "industry",
        )
        projects.append(
            ProjectSpec(
                code=ledger.code(KEY, district.code),
                name=named.name,
                region_code=district.code,
                category_code=KEY,
                industry_chain_code=chain,
                owner_enterprise=named.owner,
                responsible_unit=district.government,
                total_investment=total,
                annual_plan=plan,
                longitude=lng,
                latitude=lat,
                description=named.description,
                events=tuple(events),
            )
        )
    return projects


def _major_signing(rng: random.Random) -> Decimal:
    """20 亿元 and above: mostly 20–40 亿, some 40–80 亿, a few 80–200 亿."""
    tier = rng.random()
    if tier < 0.75:
        return _amount(rng, 200_000, 400_000, step=1_000)
    if tier < 0.95:
        return _amount(rng, 400_000, 800_000, step=1_000)
    return _amount(rng, 800_000, 2_000_000, step=1_000)


def _signed_projects(district: District, ledger: _Ledger) -> list[ProjectSpec]:
    rng = _rng(SIGNED, district.code)
    majors = set(rng.sample(range(district.signed_count), district.signed_major_count))
    projects = []
    for index in range(district.signed_count):
        chain = _weighted(rng, district.chains)
        named = _industrial(rng, district, chain, ledger)
        total = _major_signing(rng) if index in majors else _amount(rng, 2_000, 150_000)
        lng, lat = _point(rng, district.lng, district.lat, district.lng_spread, district.lat_spread)
        events = _signed_events(rng, district.pace)
        if _stage_reached(events, Stage.STARTED):
            plan = _share_of(total, rng.randint(10, 30))
        elif _stage_reached(events, Stage.LANDED):
            plan = _share_of(total, rng.randint(3, 10))
        else:
            plan = Decimal("0.00")
        projects.append(
            ProjectSpec(
                code=ledger.code(SIGNED, district.code),
                name=named.name,
                region_code=district.code,
                category_code=SIGNED,
                industry_chain_code=chain,
                owner_enterprise=named.owner,
                responsible_unit=district.commerce_unit,
                total_investment=total,
                annual_plan=plan,
                longitude=lng,
                latitude=lat,
                description=named.description,
                events=tuple(events),
            )
        )
    return projects


# Total investment range (万元) of an urban-quality project, by kind of works.
_URBAN_AMOUNTS: dict[str, tuple[int, int]] = {
    "eastsea": (2_000, 150_000),
    "old_town": (300, 30_000),
    "riverside": (3_000, 120_000),
    "transport": (2_000, 300_000),
    "renewal": (1_000, 150_000),
    "park": (500, 60_000),
    "pipes": (800, 80_000),
    "public": (2_000, 100_000),
}


def _urban_projects(area: UrbanArea, ledger: _Ledger) -> list[ProjectSpec]:
    rng = _rng(URBAN, area.kind)
    districts = {d.code: d for d in DISTRICTS}
    projects = []
    for _ in range(area.count):
        district = districts[_weighted(rng, area.regions)]
        named = _works(rng, area.kind, district, ledger)
        total = _amount(rng, *_URBAN_AMOUNTS[area.kind])
        box = area.centre or (
            district.lng,
            district.lat,
            district.lng_spread,
            district.lat_spread,
        )
        lng, lat = _point(rng, *box)
        events = _works_events(rng, district.pace, planned_share=0.14)
        percent = rng.randint(20, 60) if events else rng.randint(5, 15)
        chain = "public-services" if area.kind == "public" else "infrastructure"
        projects.append(
            ProjectSpec(
                code=ledger.code(URBAN, district.code),
                name=named.name,
                region_code=district.code,
                category_code=URBAN,
                industry_chain_code=chain,
                owner_enterprise=named.owner,
                responsible_unit=district.construction_unit,
                total_investment=total,
                annual_plan=_share_of(total, percent),
                longitude=lng,
                latitude=lat,
                description=f"【{area.name}】{area.content}，{named.description}。",
                events=tuple(events),
            )
        )
    return projects


def _new_infra_projects(district: District, ledger: _Ledger) -> list[ProjectSpec]:
    rng = _rng(NEW_INFRA, district.code)
    projects = []
    for _ in range(district.new_infra_count):
        pattern, chain, trade, content = rng.choice(NEW_INFRA_KINDS)
        brand = rng.choice(BRANDS)
        title = pattern.format(
            town=rng.choice(district.towns), brand=brand, smart=rng.choice(SMART_DOMAINS)
        )
        total = _amount(rng, 3_000, 300_000)
        lng, lat = _point(rng, district.lng, district.lat, district.lng_spread, district.lat_spread)
        events = _works_events(rng, district.pace, planned_share=0.1, operating_share=0.5)
        projects.append(
            ProjectSpec(
                code=ledger.code(NEW_INFRA, district.code),
                name=ledger.name(f"{district.name}{title}"),
                region_code=district.code,
                category_code=NEW_INFRA,
                industry_chain_code=chain,
                owner_enterprise=_company(rng, district, brand, trade),
                responsible_unit=district.technology_unit,
                total_investment=total,
                annual_plan=_share_of(total, rng.randint(15, 45)),
                longitude=lng,
                latitude=lat,
                description=f"{content}。",
                events=tuple(events),
            )
        )
    return projects


def generate() -> list[ProjectSpec]:
    """Every demo project, in a fixed order: key, signed, urban quality, new infrastructure."""
    ledger = _Ledger()
    projects: list[ProjectSpec] = []
    for district in DISTRICTS:
        projects.extend(_key_projects(district, ledger))
    for district in DISTRICTS:
        projects.extend(_signed_projects(district, ledger))
    for area in URBAN_AREAS:
        projects.extend(_urban_projects(area, ledger))
    for district in DISTRICTS:
        projects.extend(_new_infra_projects(district, ledger))
    return projects
