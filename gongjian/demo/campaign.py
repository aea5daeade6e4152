"""The seed campaign 项目攻坚2022 (``xmgj2022``): the targets of the 2022 mobilisation article.

Source: /work/shared/seed/000_7bcf08fd08b19291.txt (闽南网 2022-02-08, 泉州召开"强产业、兴城市"
动员大会). "1+3": the 1 is 项目攻坚2022 (here a fourth special action ``xmgj``, led by 市发改委),
the 3 are 抓城建提品质 (市住建局), 抓开放招商促项目落地 (市招商局) and 加快工业（产业）园区标准化
建设 (市工信局). The article publishes no names for the leading groups, so members are titles only.

Rows are written directly, as the rest of the demo is, but every indicator definition is checked
by ``indicator_definition_validate`` first. City targets of sums and counts are allocated to the
13 reporting units in proportion to the demo's own district sizes and paces (largest remainder,
so the allocations add up exactly to the city target).

Choices the article leaves open:

* 新落地新基建新经济基地项目 90: the demo records no "landed" event for new-infrastructure
  projects, only starts (and completions), so the indicator counts new-infrastructure starts.
* 城建提品质 741 (首批下达): the engine counts stage events, not project lists, so the indicator
  counts urban-quality projects started in 2022; the first batch's 741 is the target.
* 台商投资区 签约项目总投资超1300亿元: the one-target-per-indicator-region-period rule makes it
  台商投资区's allocation of the city's 招引资金 target, with comparator ">". The Spring Festival
  signing (大年初二, 2022-02-02: 21 projects, 618.8 亿元) is recorded as that target's baseline
  (value and date), an achieved fact, not rows the demo invents; the source sentence is the
  article's own (the demo's notes are ``DEMO_NOTES``, never official text).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from gongjian.accounts.models import Department
from gongjian.campaigns.choices import KIND_UNITS, Comparator, IndicatorKind, LeadingGroupRole
from gongjian.campaigns.definitions import indicator_definition_validate
from gongjian.campaigns.models import (
    Campaign,
    Indicator,
    LeadingGroupMember,
    SpecialAction,
    Target,
)
from gongjian.demo.data import CITY_CODE, DISTRICTS, KEY, NEW_INFRA, SIGNED, URBAN
from gongjian.regions.models import Region

CAMPAIGN_CODE = "xmgj2022"
CAMPAIGN_NAME = "项目攻坚2022"
YEAR_START = dt.date(2022, 1, 1)
YEAR_END = dt.date(2022, 12, 31)

# Headline and the passages of the article the targets are taken from.
DOCUMENT = """奋力实现"开门红"丨泉州召开"强产业、兴城市"动员大会

闽南网2月8日讯 8日上午，泉州市委、市政府召开全市"强产业、兴城市"双轮驱动动员大会，进行全市动员，\
部署推进"项目攻坚2022""抓城建提品质""抓开放招商促项目落地""加快工业（产业）园区标准化建设"等方面工作。

根据泉州市委相关部署，市政府策划实施了促发展系列专项行动，今年重中之重的任务是"1+3"，"1"是项目工作，\
即开展"项目攻坚2022活动"；"3"是具体抓手，即"抓城建提品质""抓开放招商促项目落地""加快工业（产业）\
园区标准化建设"。

会上公布了抓城建提品质、抓开放招商促项目落地、加快工业（产业）园区标准化建设领导小组名单。同时还下发了\
《泉州市"项目攻坚2022"活动方案》，以及《泉州市"抓城建提品质"2022年专项行动方案》《泉州市"抓开放招商\
促项目落地"2022年专项行动方案》《泉州市加快工业（产业）园区标准化建设专项行动方案》，明确各项行动的\
目标任务和考核方案。

"项目攻坚2022"提出，全年全市在建重点项目完成投资1700亿元以上、招商签约项目2000个以上（其中20亿元以上\
项目100个）、新开工项目170个以上、新建成项目100个以上、争取新落地新基建新经济基地项目90个等目标任务。\
"抓城建提品质"制定了东海核心区提质、古城提质等8方面工作，首批已下达741个项目，将推进全市城建品质提升。\
在"抓开放招商促项目落地"方面，今年力争招引资金突破1万亿元。"加快工业（产业）园区标准化建设"定下的\
目标是，明年规上工业企业入园率提升至50%。

今年大年初二，台商投资区举办春节招商集中签约活动，21个签约项目总投资618.8亿元，实现招大商引大资"开门红"。\
……力争全年签约项目总投资超1300亿元。

晋江目前园区工业用地占全市工业用地54.7%，规上企业入园率29.81%，……确保三年内规上企业入园率达60%以上，\
打造泉州园区标准化建设和高质量发展示范标杆。"""

_PLAN = "全年全市在建重点项目完成投资1700亿元以上、招商签约项目2000个以上（其中20亿元以上项目100个）、新开工项目170个以上、新建成项目100个以上、争取新落地新基建新经济基地项目90个等目标任务"  # noqa: E501


@dataclass(frozen=True)
class ActionSpec:
    code: str
    name: str
    name_en: str
    department_code: str
    description: str
    members: tuple[tuple[str, str, str], ...]  # (name, title, role)


_LEADER, _DEPUTY, _MEMBER = (
    LeadingGroupRole.LEADER,
    LeadingGroupRole.DEPUTY,
    LeadingGroupRole.MEMBER,
)

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "xmgj",
        "项目攻坚",
        "Project Drive 2022",
        "fgw",
        "“1+3”中的“1”：开展“项目攻坚2022活动”，抓在建重点项目投资、新开工、新建成和新基建新经济项目。",
        (
            ("（市政府主要领导）", "市长", _LEADER),
            ("（市政府分管领导）", "分管副市长", _DEPUTY),
            ("（市发改委主要领导）", "市发改委主任", _MEMBER),
            ("（市工信局主要领导）", "市工信局局长", _MEMBER),
            ("（市住建局主要领导）", "市住建局局长", _MEMBER),
        ),
    ),
    ActionSpec(
        "cjtpz",
        "抓城建提品质",
        "Better Urban Construction",
        "zjj",
        "东海核心区提质、古城提质等8方面工作，首批下达741个项目，推进全市城建品质提升。",
        (
            ("（市政府主要领导）", "市长", _LEADER),
            ("（市政府分管领导）", "分管城建副市长", _DEPUTY),
            ("（市住建局主要领导）", "市住建局局长", _MEMBER),
            ("（市发改委主要领导）", "市发改委主任", _MEMBER),
            ("（丰泽区主要领导）", "丰泽区区长", _MEMBER),
        ),
    ),
    ActionSpec(
        "zskf",
        "抓开放招商促项目落地",
        "Opening-up and Investment Promotion",
        "zsj",
        "全年力争招引资金突破1万亿元，招商签约项目2000个以上，其中20亿元以上项目100个。",
        (
            ("（市政府主要领导）", "市长", _LEADER),
            ("（市政府分管领导）", "分管招商副市长", _DEPUTY),
            ("（市招商局主要领导）", "市招商局局长", _MEMBER),
            ("（市商务局主要领导）", "市商务局局长", _MEMBER),
            ("（台商投资区主要领导）", "台商投资区管委会主任", _MEMBER),
        ),
    ),
    ActionSpec(
        "yqbzh",
        "加快工业（产业）园区标准化建设",
        "Industrial Park Standardisation",
        "gxj",
        "明年（2023年）规上工业企业入园率提升至50%；晋江市三年内规上企业入园率达60%以上。",
        (
            ("（市政府主要领导）", "市长", _LEADER),
            ("（市政府分管领导）", "分管工业副市长", _DEPUTY),
            ("（市工信局主要领导）", "市工信局局长", _MEMBER),
            ("（市自然资源和规划局主要领导）", "市自然资源和规划局局长", _MEMBER),
            ("（晋江市主要领导）", "晋江市市长", _MEMBER),
        ),
    ),
)


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    kind: str
    definition: dict
    description: str


INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "xmgj-key-investment",
        "在建重点项目完成投资",
        IndicatorKind.FLOW_SUM,
        {"source": "reports", "measure": "amount", "categories": [KEY]},
        "重点建设项目月度进展报告中已审核的本月完成投资合计。",
    ),
    IndicatorSpec(
        "xmgj-signed-count",
        "招商签约项目",
        IndicatorKind.EVENT_COUNT,
        {"source": "stage_events", "stage": "signed", "categories": [SIGNED]},
        "招商签约项目在期内的签约记录个数。",
    ),
    IndicatorSpec(
        "xmgj-signed-major-count",
        "20亿元以上招商签约项目",
        IndicatorKind.EVENT_COUNT,
        {
            "source": "stage_events",
            "stage": "signed",
            "categories": [SIGNED],
            "min_total_investment": "200000",
        },
        "总投资20亿元（200000万元）以上的招商签约项目在期内的签约记录个数。",
    ),
    IndicatorSpec(
        "xmgj-key-started",
        "新开工重点项目",
        IndicatorKind.EVENT_COUNT,
        {"source": "stage_events", "stage": "started", "categories": [KEY]},
        "重点建设项目在期内的开工记录个数。",
    ),
    IndicatorSpec(
        "xmgj-key-completed",
        "新建成重点项目",
        IndicatorKind.EVENT_COUNT,
        {"source": "stage_events", "stage": "completed", "categories": [KEY]},
        "重点建设项目在期内的建成记录个数。",
    ),
    IndicatorSpec(
        "xmgj-new-infra-started",
        "新落地新基建新经济基地项目",
        IndicatorKind.EVENT_COUNT,
        {"source": "stage_events", "stage": "started", "categories": [NEW_INFRA]},
        "新基建新经济项目在期内的开工记录个数（以开工视为落地）。",
    ),
    IndicatorSpec(
        "xmgj-signed-investment",
        "招引资金",
        IndicatorKind.EVENT_SUM,
        {
            "source": "stage_events",
            "stage": "signed",
            "measure": "total_investment",
            "categories": [SIGNED],
        },
        "招商签约项目在期内签约的项目总投资合计。",
    ),
    IndicatorSpec(
        "xmgj-urban-started",
        "城建提品质项目开工",
        IndicatorKind.EVENT_COUNT,
        {"source": "stage_events", "stage": "started", "categories": [URBAN]},
        "城建提品质项目在期内的开工记录个数。引擎按阶段记录计数、不计项目清单，"
        "首批下达的741个项目以开工计。",
    ),
    IndicatorSpec(
        "xmgj-park-entry-rate",
        "规上工业企业入园率",
        IndicatorKind.STOCK_RATIO,
        {
            "source": "enterprises",
            "numerator": {"in_park": True},
            "denominator": {"above_scale": True},
        },
        "入园的规上工业企业占规上工业企业的比率（合并计算，不平均各地比率）。",
    ),
    # The parks registry's other figures: indicators without targets (the seed article sets
    # none; 晋江's 54.7% land share is a fact it reports, not a goal).
    IndicatorSpec(
        "xmgj-park-land-share",
        "园区工业用地占比",
        IndicatorKind.STOCK_RATIO,
        {
            "source": "enterprises",
            "measure": "industrial_land_mu",
            "numerator": {"in_park": True},
            "denominator": {"industrial": True},
        },
        "园区内企业的工业用地占全部工业企业工业用地的比率（按面积合并计算）。",
    ),
    IndicatorSpec(
        "xmgj-enterprise-production-started",
        "投产企业",
        IndicatorKind.EVENT_COUNT,
        {"source": "enterprise_events", "event": "production_started"},
        "投产日期在期内的企业家数。",
    ),
    IndicatorSpec(
        "xmgj-enterprise-above-scale-gained",
        "纳统企业",
        IndicatorKind.EVENT_COUNT,
        {"source": "enterprise_events", "event": "above_scale_gained"},
        "期内新纳入规上工业统计的企业家数（含新设即规上的企业）。",
    ),
    IndicatorSpec(
        "xmgj-enterprise-above-scale-upgraded",
        "升规纳统企业",
        IndicatorKind.EVENT_COUNT,
        {"source": "enterprise_events", "event": "above_scale_upgraded"},
        "期内由规下升为规上并纳入统计的企业家数。",
    ),
)


@dataclass(frozen=True)
class TargetSpec:
    indicator_code: str
    action_code: str
    value: Decimal
    source_sentence: str
    # How the city target is shared among the 13 units (by district code); None: not allocated.
    weights: dict[str, float] | None
    unit_step: Decimal = Decimal(1)  # allocations are whole multiples of this
    region_code: str = CITY_CODE
    period_start: dt.date = YEAR_START
    period_end: dt.date = YEAR_END
    comparator: str = Comparator.GTE
    baseline_value: Decimal | None = None
    baseline_date: dt.date | None = None


def _weights(attribute: str, *, paced: bool = False) -> dict[str, float]:
    return {
        d.code: getattr(d, attribute) * (d.pace if paced else 1.0)
        for d in DISTRICTS
        if getattr(d, attribute)
    }


# The share of 城建提品质 works by unit, as the demo spreads its citywide urban areas.
_URBAN_WEIGHTS = {
    "350502": 10,
    "350503": 10,
    "350504": 6,
    "350505": 5,
    "350521": 7,
    "350524": 7,
    "350525": 5,
    "350526": 5,
    "350581": 8,
    "350582": 14,
    "350583": 10,
    "QZ-TZQ": 7,
    "QZ-JKQ": 3,
}

TAISHANG_CODE = "QZ-TZQ"
JINJIANG_CODE = "350582"
TAISHANG_SIGNED_INVESTMENT = Decimal(13_000_000)  # 1300 亿元 in 万元
SPRING_FESTIVAL_SIGNING = Decimal(6_188_000)  # 618.8 亿元: 21 projects signed on 大年初二
SPRING_FESTIVAL_DATE = dt.date(2022, 2, 2)
TAISHANG_SENTENCE = (
    "今年大年初二，台商投资区举办春节招商集中签约活动，21个签约项目总投资618.8亿元，"
    "实现招大商引大资“开门红”。……力争全年签约项目总投资超1300亿元。"
)

# How the demo fills what the article leaves open (see the module's docstring). Demo provenance
# stays here and in ``loaddemo``'s output: target source sentences, indicator descriptions,
# assessment notes and bulletins carry only the document's and the office's own words.
DEMO_NOTES: tuple[str, ...] = (
    "演示数据不记录新基建项目的“落地”，“新落地新基建新经济基地项目”以开工计。",
    "城建提品质首批下达的741个项目以2022年开工的城建提品质项目计（引擎按阶段记录计数）。",
    "台商投资区春节集中签约21个项目、618.8亿元为已实现的事实，记为其签约目标的基数"
    "（基数日期2022-02-02）。",
    "2022年11月考核结果为演示数据。",
)

TARGETS: tuple[TargetSpec, ...] = (
    TargetSpec(
        "xmgj-key-investment",
        "xmgj",
        Decimal(17_000_000),
        _PLAN,
        _weights("key_count", paced=True),
        unit_step=Decimal(1000),
    ),
    TargetSpec("xmgj-signed-count", "xmgj", Decimal(2000), _PLAN, _weights("signed_count")),
    TargetSpec(
        "xmgj-signed-major-count", "xmgj", Decimal(100), _PLAN, _weights("signed_major_count")
    ),
    TargetSpec("xmgj-key-started", "xmgj", Decimal(170), _PLAN, _weights("key_count", paced=True)),
    TargetSpec(
        "xmgj-key-completed", "xmgj", Decimal(100), _PLAN, _weights("key_count", paced=True)
    ),
    TargetSpec(
        "xmgj-new-infra-started",
        "xmgj",
        Decimal(90),
        _PLAN,
        _weights("new_infra_count"),
    ),
    TargetSpec(
        "xmgj-urban-started",
        "cjtpz",
        Decimal(741),
        "“抓城建提品质”制定了东海核心区提质、古城提质等8方面工作，首批已下达741个项目，"
        "将推进全市城建品质提升。",
        dict(_URBAN_WEIGHTS),
    ),
    TargetSpec(
        "xmgj-signed-investment",
        "zskf",
        Decimal(100_000_000),
        "在“抓开放招商促项目落地”方面，今年力争招引资金突破1万亿元。",
        _weights("signed_count"),
        unit_step=Decimal(1000),
    ),
    TargetSpec(
        "xmgj-park-entry-rate",
        "yqbzh",
        Decimal(50),
        "“加快工业（产业）园区标准化建设”定下的目标是，明年规上工业企业入园率提升至50%。",
        None,
        period_start=dt.date(2023, 1, 1),
        period_end=dt.date(2023, 12, 31),
    ),
    TargetSpec(
        "xmgj-park-entry-rate",
        "yqbzh",
        Decimal(60),
        "晋江目前园区工业用地占全市工业用地54.7%，规上企业入园率29.81%，……"
        "确保三年内规上企业入园率达60%以上。",
        None,
        region_code=JINJIANG_CODE,
        period_end=dt.date(2024, 12, 31),
        baseline_value=Decimal("29.81"),
        baseline_date=dt.date(2021, 12, 31),
    ),
)


def largest_remainder(
    total: Decimal, weights: dict[str, float], step: Decimal
) -> dict[str, Decimal]:
    """Share ``total`` in whole multiples of ``step`` in proportion to ``weights``; the shares add
    up exactly to ``total`` (largest remainder; ties go to the earlier code, so it is stable)."""
    units = int(total / step)
    if Decimal(units) * step != total:
        raise ValueError(f"{total} is not a multiple of {step}")
    whole = sum(weights.values())
    exact = {code: units * weight / whole for code, weight in weights.items()}
    shares = {code: int(value) for code, value in exact.items()}
    left = units - sum(shares.values())
    order = sorted(exact, key=lambda code: (-(exact[code] - shares[code]), code))
    for code in order[:left]:
        shares[code] += 1
    return {code: Decimal(count) * step for code, count in shares.items()}


def allocations_of(spec: TargetSpec) -> dict[str, Decimal]:
    """The 13 units' shares of a city target. 招引资金 gives 台商投资区 its own 1300 亿元 first."""
    assert spec.weights is not None
    if spec.indicator_code == "xmgj-signed-investment":
        rest = {code: w for code, w in spec.weights.items() if code != TAISHANG_CODE}
        shares = largest_remainder(spec.value - TAISHANG_SIGNED_INVESTMENT, rest, spec.unit_step)
        return {**shares, TAISHANG_CODE: TAISHANG_SIGNED_INVESTMENT}
    return largest_remainder(spec.value, spec.weights, spec.unit_step)


def demo_campaign_reset() -> None:
    """Delete the seed campaign (its actions, leading groups and targets go with it) and then
    its indicators, unless another campaign's targets use them."""
    Campaign.objects.filter(code=CAMPAIGN_CODE).delete()
    Indicator.objects.filter(
        code__in=[spec.code for spec in INDICATORS], targets__isnull=True
    ).delete()


def demo_campaign_load() -> Campaign:
    """Write 项目攻坚2022: campaign, four actions with leading groups, indicators, the city and
    district targets. Replaces an earlier copy; the same rows every run."""
    demo_campaign_reset()
    for indicator_spec in INDICATORS:
        errors = indicator_definition_validate(indicator_spec.kind, indicator_spec.definition)
        if errors:
            raise ValueError(f"{indicator_spec.code}: {'；'.join(errors)}")
    indicators = {}
    for spec in INDICATORS:
        indicator, _created = Indicator.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "unit": KIND_UNITS[spec.kind],
                "definition": spec.definition,
                "description": spec.description,
            },
        )
        indicators[spec.code] = indicator

    campaign = Campaign.objects.create(
        code=CAMPAIGN_CODE,
        name=CAMPAIGN_NAME,
        name_en="Project Drive 2022",
        starts_on=YEAR_START,
        ends_on=YEAR_END,
        document=DOCUMENT,
    )
    departments = {
        d.code: d for d in Department.objects.filter(code__in=["fgw", "zjj", "zsj", "gxj"])
    }
    actions = {}
    for order, action_spec in enumerate(ACTIONS, start=1):
        actions[action_spec.code] = SpecialAction.objects.create(
            campaign=campaign,
            code=action_spec.code,
            name=action_spec.name,
            name_en=action_spec.name_en,
            lead_department=departments[action_spec.department_code],
            description=action_spec.description,
            sort_order=order,
        )
    LeadingGroupMember.objects.bulk_create(
        [
            LeadingGroupMember(
                action=actions[action_spec.code],
                name=name,
                title=title,
                role=role,
                sort_order=order,
            )
            for action_spec in ACTIONS
            for order, (name, title, role) in enumerate(action_spec.members, start=1)
        ]
    )

    regions = {r.code: r for r in Region.objects.filter(is_reporting=True)}
    regions.update({r.code: r for r in Region.objects.filter(code=CITY_CODE)})
    for order, target_spec in enumerate(TARGETS, start=1):
        indicator = indicators[target_spec.indicator_code]
        parent = Target.objects.create(
            campaign=campaign,
            action=actions[target_spec.action_code],
            indicator=indicator,
            region=regions[target_spec.region_code],
            period_start=target_spec.period_start,
            period_end=target_spec.period_end,
            comparator=target_spec.comparator,
            value=target_spec.value,
            baseline_value=target_spec.baseline_value,
            baseline_date=target_spec.baseline_date,
            source_sentence=target_spec.source_sentence,
            sort_order=order,
        )
        if target_spec.weights is None:
            continue
        children = []
        for code, value in allocations_of(target_spec).items():
            is_taishang = (
                target_spec.indicator_code == "xmgj-signed-investment" and code == TAISHANG_CODE
            )
            children.append(
                Target(
                    campaign=campaign,
                    action=parent.action,
                    indicator=indicator,
                    region=regions[code],
                    period_start=target_spec.period_start,
                    period_end=target_spec.period_end,
                    comparator=Comparator.GT if is_taishang else target_spec.comparator,
                    value=value,
                    baseline_value=SPRING_FESTIVAL_SIGNING if is_taishang else None,
                    baseline_date=SPRING_FESTIVAL_DATE if is_taishang else None,
                    source_sentence=TAISHANG_SENTENCE
                    if is_taishang
                    else target_spec.source_sentence,
                    parent=parent,
                    sort_order=order,
                )
            )
        Target.objects.bulk_create(children)
    return campaign
