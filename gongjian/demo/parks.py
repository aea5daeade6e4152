"""Build the demo's parks and enterprise roster in memory: the same parks, enterprises, credit
codes and dates every run.

The rules of ``generator.py`` hold here too: each reporting unit draws from its own
``random.Random`` seeded with a fixed string, and only integer and ``Decimal`` arithmetic turns
draws into counts, areas and dates.

How many enterprises are in a park is not left to chance: ``PARK_PLANS`` gives each unit its
above-scale enterprises, how many of them entered the statistics in 2022, and its 入园率 at the end
of 2021 and on the demo's date; the in-park counts are those rates rounded, and only who and
which day are drawn. So 晋江's baseline is exactly the document's 29.81% and its rate rises
through 2022, and the city's pooled rate follows from the units' counts.

History: every enterprise carries its spells (``SpellSpec``, the registry's dated rows). During
2022 some enterprises drop out of the statistics (退规, ``losing_2022``) and some move out of
their park (``leaving_2022``); the plan counts make room for them, so the rate on the demo's date
is still the plan's. 晋江's industrial land in parks is scaled so that its share at the baseline
is the document's 54.7% (园区工业用地占全市工业用地54.7%).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from gongjian.core.periods import month_end
from gongjian.core.uscc import (
    USCC_ALPHABET,
    organisation_code_check_digit,
    uscc_check_digit,
)
from gongjian.demo.data import (
    ABOVE_SCALE_MONTH_WEIGHTS_2022,
    ABOVE_SCALE_YEAR_WEIGHTS,
    BELOW_SCALE_IN_PARK_SHARE,
    CHAIN_WORDS,
    DEMO_SEED,
    DEMO_TODAY,
    DISTRICTS,
    ENTERPRISE_SUFFIXES,
    MANUFACTURING_CHAINS,
    NEW_ABOVE_SCALE_IN_PARK_SHARE,
    PARK_BASELINE_DATE,
    PARK_CODE_PREFIX,
    PARK_ENTRY_FIRST_YEAR,
    PARK_ENTRY_MONTH_WEIGHTS_2022,
    PARK_ENTRY_YEAR_WEIGHTS,
    PARK_NAME_WORDS,
    PARK_PLANS,
    TRADE_NAME_HEADS,
    TRADE_NAME_TAILS,
    District,
    ParkPlan,
)
from gongjian.parks.history import initial_spells

CENT = Decimal("0.01")
YEAR_2022 = 2022
FIRST_ENTRY_DAY = dt.date(PARK_ENTRY_FIRST_YEAR, 1, 1)
# Organisation codes of entities registered since the 2015 reform start with MA and a letter or
# digit the province's registry hands out.
_NEW_CODE_SERIES = "2348"
_SMALL_PARK_KIND = "small_micro_park"
# The share of a unit's industrial land in its parks at the baseline, where the campaign document
# gives one (percent): 晋江 "园区工业用地占全市工业用地54.7%".
LAND_SHARES_AT_BASELINE = {"350582": "54.7"}


@dataclass(frozen=True)
class ParkSpec:
    """A demo park, ready to be turned into a row."""

    code: str
    name: str
    region_code: str
    kind: str
    planned_area_mu: Decimal
    is_standardised: bool
    sort_order: int


@dataclass(frozen=True)
class SpellSpec:
    """A stretch of a demo enterprise's history (``parks.history``); ``park_code`` empty: not in
    a park."""

    park_code: str
    is_above_scale: bool
    previous_above_scale: bool | None
    industrial_land_mu: Decimal | None
    valid_from: dt.date | None
    valid_to: dt.date | None


def spells_of(
    *,
    park_code: str,
    is_above_scale: bool,
    above_scale_since: dt.date | None,
    entered_park_on: dt.date | None,
    industrial_land_mu: Decimal | None,
) -> tuple[SpellSpec, ...]:
    """The spells the registry's own rule (``initial_spells``) makes of an enterprise's fields."""
    return tuple(
        SpellSpec(
            park_code=park_code if draft.state.park_id is not None else "",
            is_above_scale=draft.state.is_above_scale,
            previous_above_scale=draft.previous_above_scale,
            industrial_land_mu=draft.state.industrial_land_mu,
            valid_from=draft.valid_from,
            valid_to=draft.valid_to,
        )
        for draft in initial_spells(
            region_id=0,
            park_id=1 if park_code else None,
            is_above_scale=is_above_scale,
            above_scale_since=above_scale_since,
            entered_park_on=entered_park_on,
            industrial_land_mu=industrial_land_mu,
        )
    )


def _with_change(
    spells: tuple[SpellSpec, ...], date: dt.date, **state: object
) -> tuple[SpellSpec, ...]:
    """``spells`` with the last one closed on ``date`` and a new one from it with ``state``."""
    last = spells[-1]
    if last.valid_from is not None and last.valid_from >= date:
        raise ValueError(f"a change on {date} must follow the spell from {last.valid_from}")
    return (
        *spells[:-1],
        replace(last, valid_to=date),
        replace(
            last,
            valid_from=date,
            valid_to=None,
            previous_above_scale=last.is_above_scale,
            **state,  # type: ignore[arg-type]
        ),
    )


def _in_force(spells: tuple[SpellSpec, ...], day: dt.date) -> SpellSpec | None:
    for spell in spells:
        if (spell.valid_from is None or spell.valid_from <= day) and (
            spell.valid_to is None or spell.valid_to > day
        ):
            return spell
    return None


@dataclass(frozen=True)
class EnterpriseSpec:
    """A demo enterprise; ``park_code`` is empty when it is not in a park. The current fields
    are those of its last spell."""

    uscc: str
    name: str
    region_code: str
    park_code: str
    is_above_scale: bool
    above_scale_since: dt.date | None
    entered_park_on: dt.date | None
    industry_chain_code: str
    industrial_land_mu: Decimal | None
    spells: tuple[SpellSpec, ...]
    production_started_on: dt.date | None = None
    output_value: Decimal | None = None
    tax_paid: Decimal | None = None


@dataclass(frozen=True)
class PlanCounts:
    """What a unit's plan comes to in whole enterprises."""

    above_scale: int
    above_scale_2021: int  # above scale at the end of 2021 (with those dropping out in 2022)
    in_park_2021: int  # of those, in a park at the end of 2021
    in_park_today: int  # above-scale and in a park on DEMO_TODAY
    staying_in_park: int  # in a park by 2021, still above scale and in it today
    leaving: int  # in a park by 2021, still above scale, moved out during 2022
    losing: int  # above scale at the end of 2021, dropped out (退规) during 2022
    losing_in_park: int  # of those, in a park (where they stay)
    new_in_park: int  # entered the statistics in 2022 and in a park
    entering_2022: int  # above scale before 2022, entered a park in 2022


def _rng(*parts: str) -> random.Random:
    # A string seed is hashed with SHA-512: stable across runs, platforms and PYTHONHASHSEED.
    return random.Random("-".join([str(DEMO_SEED), *parts]))


def _percent_of(count: int, percent: str) -> int:
    return int((Decimal(count) * Decimal(percent) / 100).quantize(Decimal(1), ROUND_HALF_UP))


def plan_counts(plan: ParkPlan) -> PlanCounts:
    """The whole-enterprise counts behind a unit's rates."""
    above_2021 = plan.above_scale - plan.above_scale_2022 + plan.losing_2022
    in_park_2021 = _percent_of(above_2021, plan.rate_2021)
    in_park_today = _percent_of(plan.above_scale, plan.rate_today)
    losing_in_park = _percent_of(plan.losing_2022, plan.rate_2021)
    staying = in_park_2021 - losing_in_park - plan.leaving_2022
    added = in_park_today - staying
    if added < 0 or staying < 0:
        raise ValueError(f"{plan.code}: the rate may not fall below the 2021 count")
    new_in_park = min(added, round(plan.above_scale_2022 * NEW_ABOVE_SCALE_IN_PARK_SHARE))
    return PlanCounts(
        above_scale=plan.above_scale,
        above_scale_2021=above_2021,
        in_park_2021=in_park_2021,
        in_park_today=in_park_today,
        staying_in_park=staying,
        leaving=plan.leaving_2022,
        losing=plan.losing_2022,
        losing_in_park=losing_in_park,
        new_in_park=new_in_park,
        entering_2022=added - new_in_park,
    )


# --- dates ----------------------------------------------------------------------------------


def _between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _weighted_year(rng: random.Random, table: Sequence[tuple[int, int]]) -> int:
    return rng.choices([year for year, _ in table], weights=[w for _, w in table])[0]


def _month_2022(rng: random.Random, weights: Sequence[int]) -> int:
    return rng.choices(range(1, len(weights) + 1), weights=weights)[0]


def _entry_before_2022(rng: random.Random) -> dt.date:
    year = _weighted_year(rng, PARK_ENTRY_YEAR_WEIGHTS)
    return _between(rng, dt.date(year, 1, 1), dt.date(year, 12, 31))


def _entry_in_2022(rng: random.Random) -> dt.date:
    first = dt.date(YEAR_2022, _month_2022(rng, PARK_ENTRY_MONTH_WEIGHTS_2022), 1)
    return _between(rng, first, min(month_end(first), DEMO_TODAY))


def _above_scale_before_2022(rng: random.Random) -> dt.date:
    return dt.date(_weighted_year(rng, ABOVE_SCALE_YEAR_WEIGHTS), rng.randint(1, 12), 1)


def _drop_out_in_2022(rng: random.Random) -> dt.date:
    """退规 takes effect at the start of a month, like 纳统."""
    return dt.date(YEAR_2022, _month_2022(rng, ABOVE_SCALE_MONTH_WEIGHTS_2022), 1)


def _above_scale_in_2022(rng: random.Random) -> dt.date:
    return dt.date(YEAR_2022, _month_2022(rng, ABOVE_SCALE_MONTH_WEIGHTS_2022), 1)


# --- parks ----------------------------------------------------------------------------------


def _parks(plan: ParkPlan, district: District, names: set[str]) -> list[ParkSpec]:
    rng = _rng("parks", plan.code)
    drafts: list[tuple[str, str, Decimal, bool]] = [
        (name, kind, Decimal(area).quantize(CENT), standardised)
        for name, kind, area, standardised in plan.named_parks
    ]
    names.update(name for name, *_ in drafts)
    candidates = [(town, word, kind) for town in district.towns for word, kind in PARK_NAME_WORDS]
    rng.shuffle(candidates)
    # One generated park per town reads truer; a unit with few towns gets a small-business park
    # beside an industrial one in some, and only then two of a kind.
    for rule in ("town", "kind", "name"):
        for town, word, kind in candidates:
            if len(drafts) >= plan.park_count:
                break
            name = f"{district.name}{town}{word}"
            in_town = [k for n, k, *_ in drafts if n.startswith(f"{district.name}{town}")]
            if (
                name in names
                or (rule == "town" and in_town)
                or (rule == "kind" and kind in in_town)
            ):
                continue
            names.add(name)
            if kind == _SMALL_PARK_KIND:
                area = Decimal(rng.randint(8, 40) * 10)
            else:
                area = Decimal(rng.randint(30, 300) * 10)
            drafts.append((name, kind, area.quantize(CENT), rng.random() < 0.35))
    if len(drafts) != plan.park_count:
        raise ValueError(f"{plan.code}: not enough towns for {plan.park_count} parks")
    return [
        ParkSpec(
            code=f"{PARK_CODE_PREFIX}-{plan.code}-{index:02d}",
            name=name,
            region_code=plan.code,
            kind=kind,
            planned_area_mu=area,
            is_standardised=standardised,
            sort_order=index,
        )
        for index, (name, kind, area, standardised) in enumerate(drafts, start=1)
    ]


# --- enterprises ----------------------------------------------------------------------------


class _Registry:
    """Hands out enterprise names and credit codes, each once across the city."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.codes: set[str] = set()

    def name(self, rng: random.Random, district: District, chain: str) -> str:
        while True:
            head = rng.choice(TRADE_NAME_HEADS)
            tail = rng.choice([t for t in TRADE_NAME_TAILS if t != head])
            trade = rng.choice(CHAIN_WORDS[chain].trades)
            suffix = rng.choices(
                [s for s, _ in ENTERPRISE_SUFFIXES], weights=[w for _, w in ENTERPRISE_SUFFIXES]
            )[0]
            if trade.endswith("科技") and suffix.startswith("科技"):
                suffix = suffix.removeprefix("科技")
            name = f"{rng.choice(district.enterprise_places)}{head}{tail}{trade}{suffix}"
            if name not in self.names:
                self.names.add(name)
                return name

    def code(self, rng: random.Random, division: str, *, recent: bool) -> str:
        """A credit code from ``division``'s registry; ``recent`` ones have an MA… body."""
        while True:
            if recent:
                tail = "".join(rng.choice(USCC_ALPHABET) for _ in range(5))
                body = f"MA{rng.choice(_NEW_CODE_SERIES)}{tail}"
            else:
                body = str(rng.randint(10_000_000, 79_999_999))
            first17 = f"91{division}{body}{organisation_code_check_digit(body)}"
            code = first17 + uscc_check_digit(first17)
            if code not in self.codes:
                self.codes.add(code)
                return code


def _land(rng: random.Random, *, above_scale: bool) -> Decimal | None:
    """Industrial land in 亩; a few rosters leave it blank."""
    if rng.random() < 0.04:
        return None
    if not above_scale:
        tenths = rng.randint(30, 600)
    elif rng.random() < 0.1:
        tenths = rng.randint(1500, 6000)
    else:
        tenths = rng.randint(80, 1500)
    return (Decimal(tenths) / 10).quantize(CENT)


def _amounts(rng: random.Random, *, above_scale: bool) -> tuple[Decimal, Decimal]:
    """Annual output value and tax (万元): above-scale means 2000 万元 of revenue and more."""
    if above_scale:
        output = rng.randint(2_000, 60_000) if rng.random() < 0.9 else rng.randint(60_000, 500_000)
    else:
        output = rng.randint(200, 1_999)
    tax = (Decimal(output) * rng.randint(15, 60) / 1000).quantize(CENT)
    return Decimal(output).quantize(CENT), tax


def _enterprises(
    plan: ParkPlan, district: District, parks: list[ParkSpec], registry: _Registry
) -> list[EnterpriseSpec]:
    rng = _rng("enterprises", plan.code)
    counts = plan_counts(plan)
    chains = [(c, w) for c, w in district.chains if c in MANUFACTURING_CHAINS]
    # Larger parks hold more enterprises, but not in proportion to their area.
    park_weights = [math.isqrt(int(p.planned_area_mu)) for p in parks]

    def park() -> str:
        return rng.choices(parks, weights=park_weights)[0].code

    def enterprise(
        *,
        above_since: dt.date | None,
        park_code: str,
        entered: dt.date | None,
        leaves_on: dt.date | None = None,
        drops_out_on: dt.date | None = None,
        production: dt.date | None = None,
    ) -> EnterpriseSpec:
        chain = rng.choices([c for c, _ in chains], weights=[w for _, w in chains])[0]
        above = above_since is not None
        # Registered since the 2015 reform (an MA… code) unless above scale from before it.
        recent = above_since is None or above_since.year >= 2015 or rng.random() < 0.1
        land = _land(rng, above_scale=above)
        spells = spells_of(
            park_code=park_code,
            is_above_scale=above,
            above_scale_since=above_since,
            entered_park_on=entered,
            industrial_land_mu=land,
        )
        if leaves_on is not None:
            spells = _with_change(spells, leaves_on, park_code="")
            park_code, entered = "", None
        if drops_out_on is not None:
            spells = _with_change(spells, drops_out_on, is_above_scale=False)
            above, above_since = False, None
        output, tax = _amounts(rng, above_scale=above)
        return EnterpriseSpec(
            uscc=registry.code(rng, plan.registry_division, recent=recent),
            name=registry.name(rng, district, chain),
            region_code=plan.code,
            park_code=park_code,
            is_above_scale=above,
            above_scale_since=above_since,
            entered_park_on=entered,
            industry_chain_code=chain,
            industrial_land_mu=land,
            spells=spells,
            production_started_on=production,
            output_value=output,
            tax_paid=tax,
        )

    result = []
    # Above scale before 2022 and still today: some in a park by 2021 (a few leave it in 2022),
    # some entering one in 2022, the rest not.
    older = counts.above_scale - plan.above_scale_2022
    chosen = rng.sample(
        range(older), counts.staying_in_park + counts.leaving + counts.entering_2022
    )
    by_2021 = set(chosen[: counts.staying_in_park])
    leaving = set(chosen[counts.staying_in_park : counts.staying_in_park + counts.leaving])
    in_2022 = set(chosen[counts.staying_in_park + counts.leaving :])
    for index in range(older):
        since = _above_scale_before_2022(rng)
        if index in by_2021:
            result.append(
                enterprise(above_since=since, park_code=park(), entered=_entry_before_2022(rng))
            )
        elif index in leaving:
            result.append(
                enterprise(
                    above_since=since,
                    park_code=park(),
                    entered=_entry_before_2022(rng),
                    leaves_on=_entry_in_2022(rng),
                )
            )
        elif index in in_2022:
            result.append(
                enterprise(above_since=since, park_code=park(), entered=_entry_in_2022(rng))
            )
        else:
            result.append(enterprise(above_since=since, park_code="", entered=None))
    # 退规 in 2022: above scale at the end of 2021, some of them in a park (where they stay).
    for index in range(counts.losing):
        since = _above_scale_before_2022(rng)
        in_park = index < counts.losing_in_park
        result.append(
            enterprise(
                above_since=since,
                park_code=park() if in_park else "",
                entered=_entry_before_2022(rng) if in_park else None,
                drops_out_on=_drop_out_in_2022(rng),
            )
        )
    # 升规纳统 in 2022: some had grown up in a park, entered at any time since 2015; each started
    # production (投产) some time before it entered the statistics.
    for index in range(plan.above_scale_2022):
        since = _above_scale_in_2022(rng)
        production = _between(rng, dt.date(2021, 1, 1), since - dt.timedelta(days=1))
        if index < counts.new_in_park:
            entered = _between(rng, FIRST_ENTRY_DAY, DEMO_TODAY)
            result.append(
                enterprise(
                    above_since=since, park_code=park(), entered=entered, production=production
                )
            )
        else:
            result.append(
                enterprise(above_since=since, park_code="", entered=None, production=production)
            )
    # Below scale: on the roster, some in parks (a quarter of those started production in 2022),
    # never counted.
    in_park_below = round(plan.below_scale * BELOW_SCALE_IN_PARK_SHARE)
    for index in range(plan.below_scale):
        if index < in_park_below:
            entered = _between(rng, FIRST_ENTRY_DAY, DEMO_TODAY)
            below_production = _entry_in_2022(rng) if index % 4 == 0 else None
            result.append(
                enterprise(
                    above_since=None, park_code=park(), entered=entered, production=below_production
                )
            )
        else:
            result.append(enterprise(above_since=None, park_code="", entered=None))
    if plan.code in LAND_SHARES_AT_BASELINE:
        result = _land_share_at_baseline(result, Decimal(LAND_SHARES_AT_BASELINE[plan.code]))
    # A roster is not sorted by what the demo decided first.
    rng.shuffle(result)
    return result


def land_share(enterprises: Sequence[EnterpriseSpec], day: dt.date) -> tuple[Decimal, Decimal]:
    """(industrial land in parks, all industrial land) in 亩 on ``day``, by the spells."""
    inside = total = Decimal(0)
    for spec in enterprises:
        spell = _in_force(spec.spells, day)
        if spell is None or spell.industrial_land_mu is None:
            continue
        total += spell.industrial_land_mu
        if spell.park_code:
            inside += spell.industrial_land_mu
    return inside, total


def _with_land(spec: EnterpriseSpec, land: Decimal) -> EnterpriseSpec:
    return replace(
        spec,
        industrial_land_mu=land,
        spells=tuple(replace(spell, industrial_land_mu=land) for spell in spec.spells),
    )


def _land_share_at_baseline(
    enterprises: list[EnterpriseSpec], share_percent: Decimal
) -> list[EnterpriseSpec]:
    """Scale the land of the enterprises in a park at the baseline so that their share of the
    unit's industrial land is ``share_percent`` then (parks hold the larger plants), the last
    cent going to the largest of them."""
    share = share_percent / 100
    inside, total = land_share(enterprises, PARK_BASELINE_DATE)
    outside = total - inside
    target = (share * outside / (1 - share)).quantize(CENT)
    factor = target / inside
    parked = {
        index
        for index, spec in enumerate(enterprises)
        if (spell := _in_force(spec.spells, PARK_BASELINE_DATE)) is not None
        and spell.park_code
        and spec.industrial_land_mu is not None
    }
    scaled = [
        _with_land(spec, (spec.industrial_land_mu * factor).quantize(CENT))  # type: ignore[operator]
        if index in parked
        else spec
        for index, spec in enumerate(enterprises)
    ]
    largest = max(parked, key=lambda i: (scaled[i].industrial_land_mu, -i))
    inside_now, _total = land_share(scaled, PARK_BASELINE_DATE)
    scaled[largest] = _with_land(
        scaled[largest],
        scaled[largest].industrial_land_mu + target - inside_now,  # type: ignore[operator]
    )
    inside_now, total_now = land_share(scaled, PARK_BASELINE_DATE)
    exact = share_percent.quantize(CENT)
    if (inside_now * 100 / total_now).quantize(CENT, ROUND_HALF_UP) != exact:
        raise ValueError(f"land share {inside_now}/{total_now} is not {share_percent}%")
    return scaled


@functools.cache
def generate_parks() -> tuple[tuple[ParkSpec, ...], tuple[EnterpriseSpec, ...]]:
    """Every demo park and enterprise, unit by unit in the official order (made once per
    process: a reset removes what a load then writes)."""
    districts = {d.code: d for d in DISTRICTS}
    park_names: set[str] = set()
    registry = _Registry()
    parks: list[ParkSpec] = []
    enterprises: list[EnterpriseSpec] = []
    for plan in PARK_PLANS:
        district = districts[plan.code]
        own_parks = _parks(plan, district, park_names)
        parks.extend(own_parks)
        enterprises.extend(_enterprises(plan, district, own_parks, registry))
    return tuple(parks), tuple(enterprises)
