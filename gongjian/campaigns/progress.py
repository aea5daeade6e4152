"""How far a target has come at an as-of date: actual, completion, 序时进度, ahead/behind,
forecast, status and whether it is met.

Semantics (one place, so the CLI, the API and the pages agree):

* ``time_elapsed`` (序时进度) is ``gongjian.core.periods.time_elapsed`` over the target's period
  in its campaign's convention: by days (2022-11-30 in 2022 → 334/365) or by months (11/12), and
  when the target has a monthly plan curve, the planned cumulative share at the end of the as-of
  month (by days interpolated within it).
* Sums and counts accumulate from zero over the period. For ≥, > and = targets ``completion`` is
  actual ÷ target and ``ahead_points`` = (completion − time_elapsed) × 100. For a cap (≤, <)
  completion is the share of the cap used, and using less than the time elapsed is being ahead:
  ahead_points = (time_elapsed − completion) × 100.
* A rate (stock ratio) moves from a starting level to the target: the target's baseline, or
  when it has none the rate measured at the end of the month before the period. completion =
  (actual − start) ÷ (target − start), which reads the same for a rise and a fall; ahead_points =
  (completion − time_elapsed) × 100. Without a usable start it is actual ÷ target.
* ``forecast`` is the value at the period's end: the actual once the period is over; seasonal when
  earlier years (up to three, same months) have data in the target's region — for a target
  allocated from a parent's, the parent's region, so that a district's forecast never exceeds
  the city's — actual ÷ the pooled share of those years' totals reached by the same day;
  otherwise linear — actual ÷ time_elapsed (for a rate: start + (actual − start) ÷
  time_elapsed). None before any time has elapsed. Counts are forecast in whole units.
* ``status``: before the period starts 未开始 (no ahead_points, no forecast); while it runs,
  green when ahead_points ≥ the green threshold, yellow when ≥ the yellow threshold, red below
  (thresholds from the target, else from the campaign). Once the period is over, only the
  result counts: green when met, red when not. No measurement (a rate with no enterprise) is
  red.
* ``met`` is the comparator applied to the actual value now (a cap is met while not exceeded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gongjian.campaigns.choices import (
    CAP_COMPARATORS,
    RATIO_KINDS,
    Comparator,
    IndicatorUnit,
    ProgressStatus,
)
from gongjian.campaigns.engine import Evaluation
from gongjian.campaigns.models import Target
from gongjian.core import periods
from gongjian.core.periods import add_months, month_end, month_start, months_between
from gongjian.core.ranking import ranking_value

HISTORY_YEARS = 3
FRACTION_PLACES = Decimal("0.0001")
POINT_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)

_COMPARE = {
    Comparator.GTE: lambda a, b: a >= b,
    Comparator.GT: lambda a, b: a > b,
    Comparator.EQ: lambda a, b: a == b,
    Comparator.LTE: lambda a, b: a <= b,
    Comparator.LT: lambda a, b: a < b,
}


def compare(comparator: str, actual: Decimal, value: Decimal) -> bool:
    return bool(_COMPARE[Comparator(comparator)](actual, value))


def quantize_value(value: Decimal | None, unit: str) -> Decimal | None:
    """A value at its unit's precision: 万元 and % to two places, counts whole."""
    if value is None:
        return None
    places = Decimal(1) if unit == IndicatorUnit.COUNT else POINT_PLACES
    return value.quantize(places, rounding=ROUND_HALF_UP)


def time_elapsed(target: Target, as_of: dt.date) -> Decimal:
    """序时进度 at ``as_of``: a fraction 0–1 (unrounded), in the target's campaign's convention."""
    return periods.time_elapsed(
        target.period_start,
        target.period_end,
        as_of,
        basis=target.campaign.elapsed_basis,
        curve=target.plan_curve,
    )


def pool_path(target: Target) -> str:
    """The region whose history sets the seasonal pace of ``target``: for a target allocated
    from a parent's, the parent region (so a district's forecast uses the city's share, and,
    being a part of the city's actual over the same share, never exceeds the city's forecast);
    otherwise the target's own region."""
    path = target.region.path
    if target.parent_id is None:
        return path
    codes = path.strip("/").split("/")
    return "/" + "".join(f"{code}/" for code in codes[:-1]) if len(codes) > 1 else path


def _seasonal_share(target: Target, evaluation: Evaluation, as_of: dt.date) -> Decimal | None:
    """The pooled share of earlier years' totals reached by the same day of the year, over the
    years (up to HISTORY_YEARS) with any data, in the target's ``pool_path`` region; None when
    there is none or the period is longer than a year (shifted years would overlap)."""
    months = months_between(target.period_start, target.period_end)
    if len(months) > 12:
        return None
    code = pool_path(target).strip("/").split("/")[-1]
    as_of_month = month_start(as_of)
    share_of_month = Decimal(as_of.day) / Decimal(month_end(as_of).day)
    reached = total = Decimal(0)
    for years in range(1, HISTORY_YEARS + 1):
        first, last = add_months(months[0], -12 * years), add_months(months[-1], -12 * years)
        year_total = evaluation.total(code, first, last)
        if year_total <= 0:
            continue
        same_month = add_months(as_of_month, -12 * years)
        reached += evaluation.total(code, first, add_months(same_month, -1))
        reached += evaluation.total(code, same_month, same_month) * share_of_month
        total += year_total
    if total == 0:
        return None
    return reached / total


@dataclass(frozen=True)
class TargetProgress:
    """One target at an as-of date. Values are in the indicator's unit, unrounded fractions are
    rounded here once: completion and time_elapsed to 4 places, ahead_points to 2."""

    target: Target
    as_of: dt.date
    actual: Decimal | None
    baseline: Decimal | None
    completion: Decimal | None
    time_elapsed: Decimal
    ahead_points: Decimal | None
    forecast: Decimal | None
    forecast_method: str  # "final", "seasonal", "linear" or "" (none)
    status: str
    met: bool

    @property
    def ranking_value(self) -> Decimal | None:
        """The completion as rankings sort it (higher is better; for a cap, less used is)."""
        return ranking_value(
            self.completion, lower_is_better=self.target.comparator in CAP_COMPARATORS
        )


def _ratio_start(target: Target, evaluation: Evaluation) -> Decimal | None:
    if target.baseline_value is not None:
        return target.baseline_value
    return evaluation.rate(target.region.code, add_months(target.period_start, -1))


def target_progress(
    *, target: Target, evaluation: Evaluation, as_of: dt.date, green: Decimal, yellow: Decimal
) -> TargetProgress:
    """Progress of ``target`` from an evaluation of its indicator that covers its region and
    period (and, for the seasonal forecast, earlier years)."""
    kind, unit = target.indicator.kind, target.indicator.unit
    value = target.value
    elapsed = time_elapsed(target, as_of)
    is_over = as_of >= target.period_end
    code = target.region.code
    is_cap = target.comparator in CAP_COMPARATORS
    baseline = target.baseline_value
    forecast: Decimal | None = None
    method = ""

    if kind in RATIO_KINDS:
        # Before the window the stock is read where the window opens (its baseline month).
        month = month_start(min(as_of, target.period_end))
        actual = evaluation.rate(code, max(month, add_months(target.period_start, -1)))
        start = _ratio_start(target, evaluation)
        baseline = start
        completion: Decimal | None = None
        if actual is not None:
            if start is not None and start != value:
                completion = (actual - start) / (value - start)
            elif value != 0:
                completion = actual / value
            else:
                completion = Decimal(1) if compare(target.comparator, actual, value) else Decimal(0)
            if is_over:
                forecast, method = actual, "final"
            elif elapsed > 0 and start is not None:
                forecast, method = start + (actual - start) / elapsed, "linear"
        ahead = None if completion is None else (completion - elapsed) * HUNDRED
    else:
        last_month = month_start(min(as_of, target.period_end))
        actual = evaluation.total(code, target.period_start, last_month)
        if value != 0:
            completion = actual / value
        else:
            completion = Decimal(1) if compare(target.comparator, actual, value) else Decimal(0)
        ahead = (elapsed - completion if is_cap else completion - elapsed) * HUNDRED
        if is_over:
            forecast, method = actual, "final"
        elif elapsed > 0:
            share = _seasonal_share(target, evaluation, as_of)
            if share:
                forecast, method = actual / share, "seasonal"
            else:
                forecast, method = actual / elapsed, "linear"

    met = actual is not None and compare(target.comparator, actual, value)
    ahead_points = None if ahead is None else ahead.quantize(POINT_PLACES, rounding=ROUND_HALF_UP)
    if as_of < target.period_start:
        # Nothing is asked yet: no pace to be ahead of or behind, and nothing to forecast.
        ahead_points, forecast, method = None, None, ""
        status = ProgressStatus.NOT_STARTED
    elif is_over:
        status = ProgressStatus.GREEN if met else ProgressStatus.RED
    elif ahead_points is None:
        status = ProgressStatus.RED
    elif ahead_points >= green:
        status = ProgressStatus.GREEN
    elif ahead_points >= yellow:
        status = ProgressStatus.YELLOW
    else:
        status = ProgressStatus.RED
    return TargetProgress(
        target=target,
        as_of=as_of,
        actual=quantize_value(actual, unit),
        baseline=quantize_value(baseline, unit),
        completion=None
        if completion is None
        else completion.quantize(FRACTION_PLACES, rounding=ROUND_HALF_UP),
        time_elapsed=elapsed.quantize(FRACTION_PLACES, rounding=ROUND_HALF_UP),
        ahead_points=ahead_points,
        forecast=quantize_value(forecast, unit),
        forecast_method=method,
        status=status,
        met=met,
    )
