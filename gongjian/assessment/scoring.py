"""Scoring: a rubric applied to each district's measured progress and late reports. Pure
functions over values (no queries), so that every rule is tested with exact numbers.

Semantics (one place, so the pages, the demo and the stored breakdowns agree):

* The scored ratio of an item is the district target's completion (actual ÷ target, as
  ``campaigns.progress`` computes it), or with the rubric basis "pace" completion ÷ 序时进度.
  Ratios are kept to 4 decimals; points are rounded half-up to 0.01 per line, and a total is the
  sum of its rounded lines.
* linear: ``weight × min(max(ratio, 0), cap) ÷ cap`` — full points at the cap (100%, 120%...).
* bands: the points of the highest band whose ``from`` ≤ ratio (0 below every band); plus a
  bonus of ``bonus_per_point`` for each percentage point above 100%, at most ``bonus_max``;
  minus ``penalty`` when the ratio is below ``penalty_below`` (default 100%).
* ranking: districts are ranked by ratio within their assessment group (competition ranking:
  equal ratios share a rank, 1, 1, 3); rank n earns ``points[n-1]``, ranks past the list
  ``rest`` (default 0). A district without a measurement is ranked last of all and earns ``rest``.
* A district with no target for an item's indicator (or no measurement) scores 0 on it.
* Late reports: per report or per day late, times ``late_points``, at most ``late_cap``
  (0: no cap).
* Totals are ranked the same way, within each group and across all districts; ties share the
  rank and are listed in the regions' official order.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from gongjian.assessment.choices import LateMode, ScoringBasis, ScoringMethod
from gongjian.campaigns.choices import CAP_COMPARATORS
from gongjian.core import formatting
from gongjian.core.ranking import competition_ranks, ranking_value

POINTS = Decimal("0.01")
RATIO = Decimal("0.0001")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
NO_POINTS = Decimal("0.00")

K = TypeVar("K", bound=Hashable)


def points(value: Decimal) -> Decimal:
    return value.quantize(POINTS, rounding=ROUND_HALF_UP)


def percent(ratio: Decimal) -> str:
    """0.9350 → "93.50%" (``core.formatting.ratio``)."""
    return formatting.ratio(ratio)


def number(value: Decimal) -> str:
    """A points figure without trailing zeros: 10.00 → "10", 0.50 → "0.5"."""
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True)
class Measure:
    """One district's progress on one indicator at the as-of date (from the engine)."""

    target_id: int | None
    target_value: Decimal | None
    actual: Decimal | None
    completion: Decimal | None
    time_elapsed: Decimal
    unit: str
    comparator: str = "≥"


NO_TARGET = Measure(
    target_id=None, target_value=None, actual=None, completion=None, time_elapsed=ZERO, unit=""
)


@dataclass(frozen=True)
class ItemRule:
    """A rubric item as scoring needs it (a RubricItem row or a test's hand-made one)."""

    indicator_code: str
    indicator_name: str
    weight: Decimal
    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class RubricRule:
    basis: str
    items: Sequence[ItemRule]
    late_mode: str = LateMode.NONE
    late_points: Decimal = ZERO
    late_cap: Decimal = ZERO


@dataclass(frozen=True)
class LatePeriod:
    month: str  # "2022-10"
    due_date: str  # "2022-11-05"
    codes: list[str]
    days: int


@dataclass(frozen=True)
class LateCount:
    """A district's late reports: how many and how many days late in total, per period."""

    periods: list[LatePeriod] = field(default_factory=list)

    @property
    def reports(self) -> int:
        return sum(len(p.codes) for p in self.periods)

    @property
    def days(self) -> int:
        return sum(p.days for p in self.periods)


@dataclass(frozen=True)
class Contestant:
    """A district taking part: key (region code), group, official order."""

    code: str
    name: str
    group_code: str
    group_name: str
    sort_order: int


@dataclass
class RegionScore:
    contestant: Contestant
    lines: list[dict[str, Any]]
    item_points: Decimal
    deduction: Decimal
    late_reports: int
    rank: int = 0
    group_rank: int = 0

    @property
    def total(self) -> Decimal:
        return self.item_points - self.deduction


def scored_ratio(measure: Measure, basis: str) -> Decimal | None:
    if measure.completion is None:
        return None
    if basis == ScoringBasis.PACE:
        if measure.time_elapsed <= 0:
            return None
        return (measure.completion / measure.time_elapsed).quantize(RATIO, ROUND_HALF_UP)
    return measure.completion


def _dec(params: dict[str, Any], name: str, default: str = "0") -> Decimal:
    return Decimal(str(params.get(name, default)))


def score_linear(weight: Decimal, params: dict[str, Any], ratio: Decimal) -> tuple[Decimal, str]:
    cap = _dec(params, "cap", "1")
    used = min(max(ratio, ZERO), cap)
    result = points(weight * used / cap)
    note = _("%(ratio)s，满分线 %(cap)s：%(weight)s × %(used)s ÷ %(cap)s = %(points)s 分") % {
        "ratio": percent(ratio),
        "cap": percent(cap),
        "weight": number(weight),
        "used": percent(used),
        "points": result,
    }
    if ratio > cap:
        note += _("（超过满分线，按满分计）")
    return result, note


def score_bands(
    weight: Decimal, params: dict[str, Any], ratio: Decimal
) -> tuple[Decimal, Decimal, Decimal, list[str]]:
    """(band points, bonus, penalty, notes)."""
    bands = sorted(
        ((Decimal(str(b["from"])), Decimal(str(b["points"]))) for b in params.get("bands", [])),
        reverse=True,
    )
    notes = []
    base = NO_POINTS
    for start, band_points in bands:
        if ratio >= start:
            base = band_points
            notes.append(
                _("%(ratio)s 在“%(start)s 及以上”档，得 %(points)s 分")
                % {"ratio": percent(ratio), "start": percent(start), "points": points(base)}
            )
            break
    else:
        notes.append(_("%(ratio)s 低于最低档，得 0 分") % {"ratio": percent(ratio)})
    bonus = NO_POINTS
    per_point = _dec(params, "bonus_per_point")
    if per_point > 0 and ratio > 1:
        over = (ratio - 1) * HUNDRED
        bonus = points(over * per_point)
        bonus_max = _dec(params, "bonus_max")
        capped = bonus_max > 0 and bonus > bonus_max
        if capped:
            bonus = points(bonus_max)
        notes.append(
            _("超过 100%% %(over)s，每个百分点加 %(per)s 分，加 %(bonus)s 分%(cap)s")
            % {
                "over": formatting.points(over, signed=False),
                "per": number(per_point),
                "bonus": bonus,
                "cap": _("（封顶 %(max)s 分）") % {"max": number(bonus_max)} if capped else "",
            }
        )
    penalty = NO_POINTS
    penalty_points = _dec(params, "penalty")
    below = _dec(params, "penalty_below", "1")
    if penalty_points > 0 and ratio < below:
        penalty = points(penalty_points)
        notes.append(
            _("低于 %(below)s，扣 %(penalty)s 分") % {"below": percent(below), "penalty": penalty}
        )
    return points(base), bonus, penalty, notes


def ranking_points(params: dict[str, Any], rank: int) -> Decimal:
    table = [Decimal(str(p)) for p in params.get("points", [])]
    if 1 <= rank <= len(table):
        return points(table[rank - 1])
    return points(_dec(params, "rest"))


def late_deduction(rule: RubricRule, late: LateCount) -> tuple[Decimal, str]:
    if rule.late_mode == LateMode.NONE or late.reports == 0:
        if late.reports == 0:
            return NO_POINTS, _("无逾期报告，不扣分")
        return NO_POINTS, _("逾期报告 %(count)s 份，本办法不扣分") % {"count": late.reports}
    if rule.late_mode == LateMode.PER_DAY:
        raw = rule.late_points * late.days
        note = _("逾期报告 %(count)s 份，共逾期 %(days)s 天，每天扣 %(per)s 分") % {
            "count": late.reports,
            "days": late.days,
            "per": number(rule.late_points),
        }
    else:
        raw = rule.late_points * late.reports
        note = _("逾期报告 %(count)s 份，每份扣 %(per)s 分") % {
            "count": late.reports,
            "per": number(rule.late_points),
        }
    deduction = points(raw)
    if rule.late_cap > 0 and deduction > rule.late_cap:
        deduction = points(rule.late_cap)
        note += _("，计 %(raw)s 分，按上限扣 %(cap)s 分") % {"raw": points(raw), "cap": deduction}
    else:
        note += _("，扣 %(points)s 分") % {"points": deduction}
    return deduction, note


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def score_all(
    *,
    rule: RubricRule,
    contestants: Iterable[Contestant],
    measures: dict[tuple[str, str], Measure],
    late: dict[str, LateCount],
) -> list[RegionScore]:
    """Score every contestant: ``measures`` by (indicator code, region code), ``late`` by region
    code. Returns one score per contestant, in the order given, with ``rank`` (all districts)
    and ``group_rank`` (within its assessment group) set."""
    people = list(contestants)
    by_group: dict[str, list[Contestant]] = {}
    for person in people:
        by_group.setdefault(person.group_code, []).append(person)

    official = {p.code: (p.sort_order, p.code) for p in people}

    def order(code: str) -> tuple[int, str]:
        return official[code]

    lines: dict[str, list[dict[str, Any]]] = {p.code: [] for p in people}
    item_totals: dict[str, Decimal] = {p.code: NO_POINTS for p in people}
    for item in rule.items:
        ratios = {
            p.code: scored_ratio(measures.get((item.indicator_code, p.code), NO_TARGET), rule.basis)
            for p in people
        }
        ranks: dict[str, int] = {}
        group_sizes: dict[str, int] = {}
        if item.method == ScoringMethod.RANKING:
            for group_code, members in by_group.items():
                keys = {
                    m.code: ranking_value(
                        ratios[m.code],
                        lower_is_better=measures.get(
                            (item.indicator_code, m.code), NO_TARGET
                        ).comparator
                        in CAP_COMPARATORS,
                    )
                    for m in members
                }
                ranks.update(competition_ranks(keys, order))
                group_sizes[group_code] = len(members)
        for person in people:
            measure = measures.get((item.indicator_code, person.code), NO_TARGET)
            ratio = ratios[person.code]
            base = bonus = penalty = NO_POINTS
            notes: list[str] = []
            rank = None
            if measure.target_id is None:
                notes.append(_("未分解该指标目标，不计分"))
            elif ratio is None:
                notes.append(_("无可计量的完成情况，不计分"))
            if item.method == ScoringMethod.RANKING:
                rank = ranks[person.code]
                base = ranking_points(item.params, rank) if ratio is not None else NO_POINTS
                tied = sum(1 for m in by_group[person.group_code] if ranks[m.code] == rank) > 1
                if ratio is not None:
                    notes.append(
                        _("%(ratio)s，%(group)s组内第 %(rank)s 名%(tie)s，得 %(points)s 分")
                        % {
                            "ratio": percent(ratio),
                            "group": person.group_name,
                            "rank": rank,
                            "tie": _("（并列）") if tied else "",
                            "points": base,
                        }
                    )
            elif ratio is not None and item.method == ScoringMethod.LINEAR:
                base, note = score_linear(item.weight, item.params, ratio)
                notes.append(note)
            elif ratio is not None and item.method == ScoringMethod.BANDS:
                base, bonus, penalty, band_notes = score_bands(item.weight, item.params, ratio)
                notes.extend(band_notes)
            earned = base + bonus - penalty
            item_totals[person.code] += earned
            lines[person.code].append(
                {
                    "kind": "item",
                    "indicator_code": item.indicator_code,
                    "indicator": item.indicator_name,
                    "method": item.method,
                    "weight": str(item.weight),
                    "unit": measure.unit,
                    "comparator": measure.comparator,
                    "target_id": measure.target_id,
                    "target": _text(measure.target_value),
                    "actual": _text(measure.actual),
                    "completion": _text(measure.completion),
                    "time_elapsed": _text(measure.time_elapsed) if measure.target_id else None,
                    "basis": rule.basis,
                    "ratio": _text(ratio),
                    "rank": rank,
                    "base": str(base),
                    "bonus": str(bonus),
                    "penalty": str(penalty),
                    "points": str(earned),
                    "notes": notes,
                }
            )
    scores = []
    for person in people:
        counted = late.get(person.code, LateCount())
        deduction, note = late_deduction(rule, counted)
        lines[person.code].append(
            {
                "kind": "deduction",
                "mode": rule.late_mode,
                "late_reports": counted.reports,
                "late_days": counted.days,
                "per": str(rule.late_points),
                "cap": str(rule.late_cap),
                "points": str(-deduction),
                "periods": [
                    {"month": p.month, "due_date": p.due_date, "codes": p.codes, "days": p.days}
                    for p in counted.periods
                ],
                "notes": [note],
            }
        )
        scores.append(
            RegionScore(
                contestant=person,
                lines=lines[person.code],
                item_points=item_totals[person.code],
                deduction=deduction,
                late_reports=counted.reports,
            )
        )
    totals = {s.contestant.code: s.total for s in scores}
    overall = competition_ranks(dict(totals), order)
    for group_code, members in by_group.items():
        in_group = competition_ranks({m.code: totals[m.code] for m in members}, order)
        for score in scores:
            if score.contestant.group_code == group_code:
                score.group_rank = in_group[score.contestant.code]
    for score in scores:
        score.rank = overall[score.contestant.code]
    return scores
