"""Indicator definitions: JSON data checked against a whitelist, then compiled by the engine.

A definition never carries ORM lookups or SQL written by a user: each key below has a fixed
meaning, and the engine turns the parsed :class:`Definition` into its one grouped query.

| kind          | source         | keys                                                          |
|---------------|----------------|---------------------------------------------------------------|
| flow_sum      | reports        | measure "amount"; categories; min_total_investment            |
| event_count   | stage_events   | stage; categories; min_total_investment                       |
| event_sum     | stage_events   | stage; measure "total_investment"; categories; min_total_inv. |
| stock_ratio   | enterprises    | numerator {"in_park": true}; denominator {"above_scale": true}|
| stock_ratio   | enterprises    | measure "industrial_land_mu"; numerator {"in_park": true};    |
|               |                | denominator {"industrial": true}                              |
| event_count   | enterprise_    | event: production_started, above_scale_gained,                |
|               | events         | above_scale_upgraded                                          |
| plan_ratio    | annual_plans   | measure "investment", "started" or "completed"; levels;       |
|               |                | sectors; classes; categories                                  |

Plans (``plan_ratio``, the year's key-project list read through ``gongjian.plans``), pooled:
``investment`` — 完成年度计划投资率: Σ counted investment in the year ÷ Σ annual plan in force;
``started`` — 开工率: projects due to start by the month (planned start month) that have started
÷ projects due; ``completed`` — 竣工率/投产率 likewise with the planned completion month and
竣工 or 投产. ``levels`` (provincial, city, county), ``sectors`` (sector codes), ``classes``
(continuing, new, completing, preparatory) and ``categories`` filter the projects.

``categories`` are project category codes (any of them matches); ``min_total_investment`` is a
project's total investment in 万元 as a decimal string ("200000" = 20 亿元); ``stage`` is the stage
event counted (signed, landed, started, completed, operating). A project's category and total
investment are filters on its reports and stage events, so there is no separate "projects" source.

Enterprises (the parks registry) are read through their dated spells (``gongjian.parks.history``):

* 规上工业企业入园率 (stock_ratio, no measure): at a date, the above-scale enterprises in a park
  over all above-scale enterprises, each counted by the spell in force on that date;
* 园区工业用地占比 (stock_ratio, measure "industrial_land_mu", denominator {"industrial": true}):
  at a date, the industrial land (亩) of the enterprises in a park over the industrial land of
  every enterprise on the roster (the registry holds industrial enterprises only; unknown land
  counts as none);
* enterprise events (event_count, source "enterprise_events"), counted in the period:
  ``production_started`` (投产) — an enterprise's 投产日期 falls in the period;
  ``above_scale_gained`` (纳统) — a spell that is above scale begins in the period and the one
  before it was not (or there was none: an enterprise above scale from its first recorded day);
  ``above_scale_upgraded`` (升规纳统) — the same, but only after a spell registered below scale.
  An enterprise that drops out and re-enters counts again, as the statistics bureau counts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from gongjian.campaigns.choices import IndicatorKind
from gongjian.projects.choices import STAGE_PROGRESSION, Stage

SOURCE_REPORTS = "reports"
SOURCE_STAGE_EVENTS = "stage_events"
SOURCE_ENTERPRISES = "enterprises"
SOURCE_ENTERPRISE_EVENTS = "enterprise_events"
SOURCE_ANNUAL_PLANS = "annual_plans"
PLAN_MEASURES = ("investment", "started", "completed")

EVENT_PRODUCTION_STARTED = "production_started"
EVENT_ABOVE_SCALE_GAINED = "above_scale_gained"
EVENT_ABOVE_SCALE_UPGRADED = "above_scale_upgraded"
ENTERPRISE_EVENTS = (EVENT_PRODUCTION_STARTED, EVENT_ABOVE_SCALE_GAINED, EVENT_ABOVE_SCALE_UPGRADED)
MEASURE_LAND = "industrial_land_mu"

KIND_SOURCES: dict[str, str] = {
    IndicatorKind.FLOW_SUM: SOURCE_REPORTS,
    IndicatorKind.EVENT_COUNT: SOURCE_STAGE_EVENTS,
    IndicatorKind.EVENT_SUM: SOURCE_STAGE_EVENTS,
    IndicatorKind.STOCK_RATIO: SOURCE_ENTERPRISES,
    IndicatorKind.PLAN_RATIO: SOURCE_ANNUAL_PLANS,
}
KIND_MEASURES: dict[str, str] = {
    IndicatorKind.FLOW_SUM: "amount",
    IndicatorKind.EVENT_SUM: "total_investment",
}
_PROJECT_FILTERS = ("categories", "min_total_investment")
ALLOWED_KEYS: dict[str, tuple[str, ...]] = {
    IndicatorKind.FLOW_SUM: ("source", "measure", *_PROJECT_FILTERS),
    IndicatorKind.EVENT_COUNT: ("source", "stage", *_PROJECT_FILTERS),
    IndicatorKind.EVENT_SUM: ("source", "stage", "measure", *_PROJECT_FILTERS),
    IndicatorKind.STOCK_RATIO: ("source", "measure", "numerator", "denominator"),
    IndicatorKind.PLAN_RATIO: ("source", "measure", "levels", "sectors", "classes", "categories"),
}
# A kind's other sources than its default one (KIND_SOURCES), with their keys.
EXTRA_SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    IndicatorKind.EVENT_COUNT: {SOURCE_ENTERPRISE_EVENTS: ("source", "event")},
}
RATIO_NUMERATOR = {"in_park": True}
RATIO_DENOMINATOR = {"above_scale": True}
LAND_DENOMINATOR = {"industrial": True}


def event_label(event: str) -> str:
    return {
        EVENT_PRODUCTION_STARTED: _("投产"),
        EVENT_ABOVE_SCALE_GAINED: _("纳统"),
        EVENT_ABOVE_SCALE_UPGRADED: _("升规纳统"),
    }[event]


@dataclass(frozen=True)
class Definition:
    """A checked definition: what the engine compiles."""

    kind: str
    source: str
    stage: str = ""
    measure: str = ""
    categories: tuple[str, ...] = ()
    min_total_investment: Decimal | None = None
    # Enterprises: the event counted, and whether a ratio's denominator is the above-scale ones.
    event: str = ""
    above_scale_only: bool = True
    # Plans: the projects' levels, sectors and classes (any of each matches).
    levels: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()


class DefinitionError(ValueError):
    """A definition that fails the whitelist; ``messages`` name each offending key."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("；".join(messages))
        self.messages = messages


def _source_text(source: str) -> str:
    return {
        SOURCE_REPORTS: _("月度进展报告"),
        SOURCE_STAGE_EVENTS: _("项目阶段记录"),
        SOURCE_ENTERPRISES: _("企业名录"),
        SOURCE_ENTERPRISE_EVENTS: _("企业变动记录"),
        SOURCE_ANNUAL_PLANS: _("年度计划"),
    }[source]


def _check_categories(value: Any, errors: list[str], *, look_up: bool) -> tuple[str, ...]:
    from gongjian.projects.models import Category

    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        errors.append(_('“categories”须为项目类别代码的列表，如 ["key-construction"]。'))
        return ()
    if look_up:
        known = set(Category.objects.filter(code__in=value).values_list("code", flat=True))
        for code in value:
            if code not in known:
                errors.append(_("“categories”中的项目类别“%(code)s”不存在。") % {"code": code})
    return tuple(value)


def _check_amount(value: Any, errors: list[str]) -> Decimal | None:
    message = _('“min_total_investment”须为不小于 0 的金额（万元，最多两位小数），如 "200000"。')
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors.append(message)
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(message)
        return None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.append(message)
        return None
    return amount


def _parse(kind: str, definition: Any, *, look_up: bool) -> tuple[Definition | None, list[str]]:
    if kind not in IndicatorKind.values:
        return None, [_("未知的指标类型“%(kind)s”。") % {"kind": kind}]
    if not isinstance(definition, dict):
        return None, [_("指标定义须为 JSON 对象。")]
    errors: list[str] = []
    kind_label = IndicatorKind(kind).label
    extra = EXTRA_SOURCES.get(kind, {})
    if definition.get("source") in extra:
        return _parse_enterprise_events(kind, definition, extra[definition["source"]])
    if kind == IndicatorKind.PLAN_RATIO:
        return _parse_plan_ratio(definition)
    allowed = ALLOWED_KEYS[kind]
    for key in definition:
        if key not in allowed:
            errors.append(
                _("“%(key)s”不是%(kind)s指标的定义项（可用：%(allowed)s）。")
                % {"key": key, "kind": kind_label, "allowed": "、".join(allowed)}
            )

    source = KIND_SOURCES[kind]
    if definition.get("source") != source:
        errors.append(
            _("“source”须为“%(source)s”：%(kind)s指标读取%(rows)s。")
            % {"source": source, "kind": kind_label, "rows": _source_text(source)}
        )

    measure = KIND_MEASURES.get(kind, "")
    if kind == IndicatorKind.STOCK_RATIO and "measure" in definition:
        measure = MEASURE_LAND
        if definition["measure"] != MEASURE_LAND:
            errors.append(
                _("“measure”须为“%(measure)s”（按工业用地面积计算的比率），或不填（按企业家数）。")
                % {"measure": MEASURE_LAND}
            )
    elif measure and definition.get("measure") != measure:
        errors.append(
            _("“measure”须为“%(measure)s”：%(kind)s指标合计%(what)s。")
            % {
                "measure": measure,
                "kind": kind_label,
                "what": _("月报的本月完成投资") if measure == "amount" else _("项目总投资"),
            }
        )

    stage = ""
    if source == SOURCE_STAGE_EVENTS:
        stage = definition.get("stage", "")
        if stage not in STAGE_PROGRESSION:
            labels = dict(Stage.choices)
            errors.append(
                _("“stage”须为以下阶段之一：%(stages)s。")
                % {"stages": "、".join(f"{s}（{labels[s]}）" for s in STAGE_PROGRESSION)}
            )
            stage = ""

    categories: tuple[str, ...] = ()
    if "categories" in definition and "categories" in ALLOWED_KEYS[kind]:
        categories = _check_categories(definition["categories"], errors, look_up=look_up)
    minimum = None
    if "min_total_investment" in definition and "min_total_investment" in ALLOWED_KEYS[kind]:
        minimum = _check_amount(definition["min_total_investment"], errors)

    above_scale_only = True
    if kind == IndicatorKind.STOCK_RATIO:
        if definition.get("numerator") != RATIO_NUMERATOR:
            errors.append(_('“numerator”须为 {"in_park": true}（分子：已入园的企业）。'))
        if measure == MEASURE_LAND:
            above_scale_only = False
            if definition.get("denominator") != LAND_DENOMINATOR:
                errors.append(
                    _('“denominator”须为 {"industrial": true}（分母：全部工业企业的用地）。')
                )
        elif definition.get("denominator") != RATIO_DENOMINATOR:
            errors.append(_('“denominator”须为 {"above_scale": true}（分母：规上企业）。'))

    if errors:
        return None, errors
    return (
        Definition(
            kind=kind,
            source=source,
            stage=stage,
            measure=measure,
            categories=categories,
            min_total_investment=minimum,
            above_scale_only=above_scale_only,
        ),
        [],
    )


def _parse_enterprise_events(
    kind: str, definition: dict, allowed: tuple[str, ...]
) -> tuple[Definition | None, list[str]]:
    errors = [
        _("“%(key)s”不是企业变动计数指标的定义项（可用：%(allowed)s）。")
        % {"key": key, "allowed": "、".join(allowed)}
        for key in definition
        if key not in allowed
    ]
    event = definition.get("event", "")
    if event not in ENTERPRISE_EVENTS:
        errors.append(
            _("“event”须为以下之一：%(events)s。")
            % {"events": "、".join(f"{e}（{event_label(e)}）" for e in ENTERPRISE_EVENTS)}
        )
    if errors:
        return None, errors
    return Definition(kind=kind, source=SOURCE_ENTERPRISE_EVENTS, event=event), []


def _parse_plan_ratio(definition: dict) -> tuple[Definition | None, list[str]]:
    from gongjian.projects.choices import ProjectClass, ProjectLevel

    allowed = ALLOWED_KEYS[IndicatorKind.PLAN_RATIO]
    errors = [
        _("“%(key)s”不是计划完成比率指标的定义项（可用：%(allowed)s）。")
        % {"key": key, "allowed": "、".join(allowed)}
        for key in definition
        if key not in allowed
    ]
    if definition.get("source") != SOURCE_ANNUAL_PLANS:
        errors.append(
            _("“source”须为“%(source)s”：计划完成比率指标读取年度计划。")
            % {"source": SOURCE_ANNUAL_PLANS}
        )
    measure = definition.get("measure", "")
    if measure not in PLAN_MEASURES:
        errors.append(
            _(
                "“measure”须为以下之一：investment（完成年度计划投资率）、started（开工率）、"
                "completed（竣工率/投产率）。"
            )
        )
    lists: dict[str, tuple[str, ...]] = {}
    known = {
        "levels": set(ProjectLevel.values),
        "classes": set(ProjectClass.values),
        "sectors": None,
        "categories": None,
    }
    for key, values in known.items():
        value = definition.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.append(_("“%(key)s”须为代码的列表。") % {"key": key})
            continue
        if values is not None:
            for item in value:
                if item not in values:
                    errors.append(
                        _("“%(key)s”中的“%(value)s”不存在（可用：%(allowed)s）。")
                        % {"key": key, "value": item, "allowed": "、".join(sorted(values))}
                    )
        lists[key] = tuple(value)
    if errors:
        return None, errors
    return (
        Definition(
            kind=IndicatorKind.PLAN_RATIO,
            source=SOURCE_ANNUAL_PLANS,
            measure=measure,
            categories=lists["categories"],
            levels=lists["levels"],
            sectors=lists["sectors"],
            classes=lists["classes"],
        ),
        [],
    )


def indicator_definition_validate(kind: str, definition: Any) -> list[str]:
    """The problems with ``definition`` for an indicator of ``kind``, as Chinese messages that
    name the key; empty when it is valid. Category codes are looked up (one query)."""
    return _parse(kind, definition, look_up=True)[1]


def definition_parse(kind: str, definition: Any) -> Definition:
    """The checked definition; DefinitionError when it fails the whitelist. No query: the
    engine compiles without looking anything up (a category deleted since matches no row)."""
    parsed, errors = _parse(kind, definition, look_up=False)
    if parsed is None:
        raise DefinitionError(errors)
    return parsed


def _names(codes: tuple[str, ...], labels: dict[str, str]) -> str:
    return "、".join(labels.get(code, code) for code in codes)


def definition_describe(
    kind: str,
    definition: Any,
    *,
    category_names: dict[str, str] | None = None,
    sector_names: dict[str, str] | None = None,
) -> str:
    """An indicator's definition in words, for the 指标库 and the indicator's pages:
    "月度进展报告的本月完成投资之和；项目类别：在建重点项目；项目总投资不低于 20.00亿元".

    Codes become names (stages, levels, classes; categories and sectors through the given
    maps, looked up once by the caller); a definition that fails the whitelist says so instead
    of printing its JSON.
    """
    from gongjian.core import formatting
    from gongjian.projects.choices import ProjectClass, ProjectLevel

    parsed, _errors = _parse(kind, definition, look_up=False)
    if parsed is None:
        return _("定义不完整，请编辑后保存。")
    stage = str(Stage(parsed.stage).label) if parsed.stage in Stage.values else parsed.stage
    if parsed.source == SOURCE_ENTERPRISE_EVENTS:
        head = _("企业变动记录中“%(event)s”的企业数") % {"event": event_label(parsed.event)}
    elif parsed.kind == IndicatorKind.FLOW_SUM:
        head = _("月度进展报告的本月完成投资之和")
    elif parsed.kind == IndicatorKind.EVENT_COUNT:
        head = _("当期“%(stage)s”的项目个数") % {"stage": stage}
    elif parsed.kind == IndicatorKind.EVENT_SUM:
        head = _("当期“%(stage)s”的项目总投资之和") % {"stage": stage}
    elif parsed.kind == IndicatorKind.STOCK_RATIO:
        if parsed.measure == MEASURE_LAND:
            head = _("园区内企业的工业用地（亩）÷ 全部工业企业的工业用地（亩）")
        else:
            head = _("园区内的规上工业企业数 ÷ 全部规上工业企业数")
    else:
        head = {
            "investment": _("年度计划内项目完成投资 ÷ 年度计划投资"),
            "started": _("已开工项目数 ÷ 按计划应开工项目数"),
            "completed": _("已竣工（投产）项目数 ÷ 按计划应竣工（投产）项目数"),
        }[parsed.measure]
    parts = [head]
    if parsed.categories:
        parts.append(
            _("项目类别：%(names)s") % {"names": _names(parsed.categories, category_names or {})}
        )
    if parsed.levels:
        levels = {value: str(label) for value, label in ProjectLevel.choices}
        parts.append(_("项目级别：%(names)s") % {"names": _names(parsed.levels, levels)})
    if parsed.classes:
        classes = {value: str(label) for value, label in ProjectClass.choices}
        parts.append(_("项目类型：%(names)s") % {"names": _names(parsed.classes, classes)})
    if parsed.sectors:
        parts.append(
            _("行业领域：%(names)s") % {"names": _names(parsed.sectors, sector_names or {})}
        )
    if parsed.min_total_investment is not None:
        parts.append(
            _("项目总投资不低于 %(amount)s")
            % {"amount": formatting.money(parsed.min_total_investment, "亿元")}
        )
    return "；".join(parts)
