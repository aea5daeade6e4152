"""The indicator engine: one grouped SQL query per indicator, rolled up the region tree in Python.

``evaluate`` compiles an indicator's definition (data, see ``definitions``) into a single query
over its source rows, filtered by the definition and dated on or before the as-of date, grouped
by the row's region path and month. The grouped result is small (regions × months), so rolling it
up to every ancestor below the root is a loop over it: a city is the sum of its districts, and a
rate is pooled (numerators and denominators summed separately, then divided), never an average of
the districts' percentages.

An evaluation from the cells is kept (``campaigns.cache``) under a version that every cell write
bumps in its own transaction, so the next read after a report is approved or a stage date
recorded shows the new number, and the reads in between cost one small query.

Time semantics:

* flow_sum — the sum of city-approved reports whose month lies in the window (a month counts
  from its first day, so the as-of month's report counts once it is approved);
* event_count / event_sum — stage events dated in the window, up to the as-of date;
* stock_ratio — a stock at a date, read from the enterprises' dated spells (``parks.history``):
  at the end of each month (or at the as-of date) the spells in force then — the above-scale
  enterprises (or, for the land share, every enterprise's industrial land) and the part of it in
  a park. One grouped query buckets the spells by region path, the month they begin (or the
  opening bucket, for a start unknown or before the window) and the month they end (none while
  open or ending after the as-of date), in a park or not; each month's stock is then the
  running sum of beginnings minus endings, in Python over the small grouped result. So an
  enterprise that leaves its park, or loses the flag, stops counting on that day;
* enterprise events — spells beginning in the window that gain the flag (纳统, 升规纳统), or
  enterprises whose 投产 date lies in it, grouped by region path and month like stage events.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth

from gongjian.accounts.scopes import region_scope_q
from gongjian.campaigns import cache
from gongjian.campaigns.choices import RATIO_KINDS
from gongjian.campaigns.definitions import (
    EVENT_ABOVE_SCALE_UPGRADED,
    EVENT_PRODUCTION_STARTED,
    MEASURE_LAND,
    SOURCE_ANNUAL_PLANS,
    SOURCE_ENTERPRISE_EVENTS,
    SOURCE_ENTERPRISES,
    SOURCE_REPORTS,
    SOURCE_STAGE_EVENTS,
    Definition,
    definition_parse,
)
from gongjian.campaigns.models import Indicator, IndicatorCell
from gongjian.core.periods import add_months, month_end, month_start
from gongjian.parks.models import Enterprise, EnterpriseSpell, in_force_q
from gongjian.parks.selectors import rate_percent
from gongjian.projects.models import StageEvent
from gongjian.regions.models import Region
from gongjian.reporting.models import ProgressReport

# The bucket of a stock row whose date is unknown or before the first month asked for: the
# opening stock, as at the end of the month before the window.
_OPENING = dt.date.min


def _as_date(month: dt.date | dt.datetime | None) -> dt.date:
    """A bucket as a date: PostgreSQL's DATE_TRUNC inside a CASE comes back as a timestamp."""
    if month is None:
        return _OPENING
    return month.date() if isinstance(month, dt.datetime) else month


def _month_or_opening(field_name: str, first: dt.date) -> Case:
    """The month of a date, or NULL (the opening bucket) when it is unknown or before ``first``:
    an old stock collapses into one bucket instead of one group per month since records began."""
    return Case(
        When(**{f"{field_name}__gte": first}, then=TruncMonth(field_name)),
        default=Value(None),
        output_field=DateField(),
    )


def in_park_case() -> Case:
    return Case(
        When(park__isnull=False, then=Value(1)), default=Value(0), output_field=IntegerField()
    )


def _window_end(months: list[dt.date], as_of: dt.date) -> dt.date:
    return min(month_end(months[-1]), as_of)


def source_rows(
    definition: Definition, *, root_path: str, start: dt.date, end: dt.date
) -> QuerySet:
    """The rows behind an indicator for the subtree at ``root_path``, dated in [start, end].

    The one place a definition becomes a filter: ``evaluate`` groups these rows and ``drilldown``
    lists them, so a number and its rows cannot disagree. For a stock (ratio) these are the
    denominator rows at ``end``, each annotated ``in_park`` (1 or 0) for the numerator.
    """
    if definition.source == SOURCE_ENTERPRISES:
        # The spells in force at ``end`` (the parks app's own definition of "on a date").
        spells = EnterpriseSpell.objects.filter(region__path__startswith=root_path).filter(
            in_force_q(end)
        )
        if definition.above_scale_only:
            spells = spells.filter(is_above_scale=True)
        return spells.annotate(in_park=in_park_case())
    if definition.source == SOURCE_ENTERPRISE_EVENTS:
        if definition.event == EVENT_PRODUCTION_STARTED:
            return Enterprise.objects.filter(
                region__path__startswith=root_path,
                production_started_on__gte=start,
                production_started_on__lte=end,
            )
        previous = (
            Q(previous_above_scale=False)
            if definition.event == EVENT_ABOVE_SCALE_UPGRADED
            else Q(previous_above_scale=False) | Q(previous_above_scale__isnull=True)
        )
        return EnterpriseSpell.objects.filter(
            previous,
            region__path__startswith=root_path,
            is_above_scale=True,
            valid_from__gte=start,
            valid_from__lte=end,
        )
    rows: QuerySet
    if definition.source == SOURCE_REPORTS:
        rows = ProgressReport.objects.counted().filter(
            period__month__gte=month_start(start), period__month__lte=month_start(end)
        )
    else:
        rows = StageEvent.objects.confirmed().filter(
            stage=definition.stage, date__gte=start, date__lte=end
        )
    rows = rows.filter(project__region__path__startswith=root_path)
    if definition.categories:
        rows = rows.filter(project__category__code__in=definition.categories)
    if definition.min_total_investment is not None:
        rows = rows.filter(project__total_investment__gte=definition.min_total_investment)
    return rows


def _ancestor_codes(path: str, root_depth: int) -> list[str]:
    """The region codes on ``path`` from the root (at depth ``root_depth``) down to the row's."""
    return path.strip("/").split("/")[root_depth - 1 :]


class _AncestorCodes(dict):
    """``_ancestor_codes`` of each path, split once per evaluation rather than once per cell."""

    def __init__(self, root_depth: int) -> None:
        super().__init__()
        self.root_depth = root_depth

    def __missing__(self, path: str) -> list[str]:
        codes = self[path] = _ancestor_codes(path, self.root_depth)
        return codes


@dataclass
class Evaluation:
    """An indicator evaluated over a region subtree: cumulative values per region and month.

    Regions are addressed by code (a Region or its code). A region without rows is zero (sums and
    counts) or has no rate (None). Months after the as-of month have no value yet (None).
    """

    indicator: Indicator
    kind: str
    root_path: str
    months: tuple[dt.date, ...]
    as_of: dt.date
    # Sums and counts: the rolled-up amount per region code and month (not cumulative).
    increments: dict[str, dict[dt.date, Decimal]] = field(default_factory=dict)
    # Rates: rolled-up (numerator, denominator) change of the stock per region code and month
    # (spells beginning minus spells ending; counts, or 亩 of land for the land share).
    stock: dict[str, dict[dt.date, tuple[Any, Any]]] = field(default_factory=dict)

    @property
    def is_ratio(self) -> bool:
        return self.kind in RATIO_KINDS

    @property
    def last_month(self) -> dt.date:
        """The last month with a value: the as-of month, or the window's last if earlier."""
        return min(self.months[-1], month_start(self.as_of))

    def regions(self) -> list[str]:
        """The root's code and every region code with rows, root first."""
        root = self.root_path.strip("/").split("/")[-1]
        found = set(self.stock if self.is_ratio else self.increments) - {root}
        return [root, *sorted(found)]

    def total(self, region: Region | str, first: dt.date, last: dt.date) -> Decimal:
        """The sum (or count) of the months ``first`` to ``last`` (inclusive), up to the as-of
        date; zero outside the evaluated window."""
        cells = self.increments.get(_code(region), {})
        return sum(
            (amount for month, amount in cells.items() if first <= month <= last), Decimal(0)
        )

    def parts(self, region: Region | str, month: dt.date) -> tuple[Any, Any]:
        """A rate's (numerator, denominator) at the end of ``month`` (or at the as-of date), for
        the month before the window's first and every month after."""
        if month < add_months(self.months[0], -1):
            raise ValueError(f"{month} is before the evaluated window (from {self.months[0]})")
        numerator = denominator = 0
        for bucket, (num, den) in self.stock.get(_code(region), {}).items():
            if bucket <= month:
                numerator += num
                denominator += den
        return numerator, denominator

    def rate(self, region: Region | str, month: dt.date) -> Decimal | None:
        """The pooled rate in percent at the end of ``month``; None with no enterprise at all."""
        return rate_percent(*self.parts(region, month))

    def value(self, region: Region | str, month: dt.date) -> Decimal | None:
        """The cumulative value from the window's first month through ``month`` (a rate: at the
        end of ``month``); None for a month after the as-of month."""
        if month > self.last_month:
            return None
        if self.is_ratio:
            return self.rate(region, month)
        return self.total(region, self.months[0], month)

    def is_plotted(self, region: Region | str, month: dt.date) -> bool:
        """Whether a curve shows a point for ``month``: not after the as-of month, and for a sum
        not a month still open at the as-of date with nothing in it yet — a curve does not
        repeat the month before (on 2022-12-02, December is not November's total again)."""
        if month > self.last_month:
            return False
        if self.is_ratio or month_end(month) <= self.as_of:
            return True
        return month in self.increments.get(_code(region), {})

    def series(self, region: Region | str) -> list[tuple[dt.date, Decimal | None]]:
        """(month, cumulative value) for every month of the window (None where not plotted)."""
        if self.is_ratio:
            return [(month, self.value(region, month)) for month in self.months]
        running = Decimal(0)
        cells = self.increments.get(_code(region), {})
        out: list[tuple[dt.date, Decimal | None]] = []
        for month in self.months:
            running += cells.get(month, Decimal(0))
            out.append((month, running if self.is_plotted(region, month) else None))
        return out

    def at_as_of(self, region: Region | str) -> Decimal | None:
        """The value at the as-of date (or at the end of the window, if that is earlier)."""
        return self.value(region, self.last_month)


def _code(region: Region | str) -> str:
    return region if isinstance(region, str) else region.code


# The sources whose evaluations are kept: those read from the monthly cells.
CACHED_SOURCES = (SOURCE_REPORTS, SOURCE_STAGE_EVENTS, SOURCE_ENTERPRISES)


def evaluate_path(
    *,
    indicator: Indicator,
    root_path: str,
    months: list[dt.date],
    as_of: dt.date,
    live: bool = False,
    cached: bool = True,
    version: int | None = None,
) -> Evaluation:
    """``evaluate`` for the subtree at a region path (the engine's own entry point).

    Sums and counts over reports and stage events, and rates over the enterprise spells, are
    read from the indicator's monthly cells (``campaigns.rollup``), with the as-of month counted
    from the rows up to the as-of day when it is not over; ``live=True`` reads every row instead
    (what the cells are checked against).

    Evaluations from the cells are kept (``campaigns.cache``) under the indicator's version at
    the root, and reused until a cell under the root changes; ``version`` is that version when
    the caller has read it already (``cache.versions_of``), ``cached=False`` always computes."""
    if not months:
        raise ValueError("months must not be empty")
    months = sorted({month_start(m) for m in months})
    if (
        live
        or not cached
        or not cache.is_enabled()
        or indicator.pk is None
        or _window_end(months, as_of) < months[0]  # nothing yet: not worth a query
        # Only what is read from the cells is kept: enterprise events and annual plans are read
        # live, and their rows change without a cell (or a version) changing.
        or definition_parse(indicator.kind, indicator.definition).source not in CACHED_SOURCES
    ):
        return _evaluate(
            indicator=indicator, root_path=root_path, months=months, as_of=as_of, live=live
        )
    using = cache.read_alias()
    if version is None:
        version = cache.versions_of([(indicator.pk, root_path)], using=using)[
            (indicator.pk, root_path)
        ]
    key = (
        indicator.pk,
        indicator.kind,
        json.dumps(indicator.definition, sort_keys=True, default=str),
        root_path,
        tuple(months),
        as_of,
        version,
    )
    kept = cache.get(key)
    if kept is not None:
        return replace(kept, indicator=indicator)
    evaluation = _evaluate(
        indicator=indicator, root_path=root_path, months=months, as_of=as_of, live=False
    )
    cache.put(key, evaluation, using=using)
    return evaluation


def _evaluate(
    *,
    indicator: Indicator,
    root_path: str,
    months: list[dt.date],
    as_of: dt.date,
    live: bool,
) -> Evaluation:
    definition = definition_parse(indicator.kind, indicator.definition)
    evaluation = Evaluation(
        indicator=indicator,
        kind=indicator.kind,
        root_path=root_path,
        months=tuple(months),
        as_of=as_of,
    )
    end = _window_end(months, as_of)
    if end < months[0] and definition.source != SOURCE_ENTERPRISES:
        return evaluation  # the window lies after the as-of date: nothing yet, and no query
    root_depth = len(root_path.strip("/").split("/"))
    if definition.source == SOURCE_ANNUAL_PLANS:
        # Read live from the plans: the year's list is small, and a plan change re-dates the
        # denominator, which monthly cells of sums would not follow.
        from gongjian.plans.selectors import plan_ratio_stock

        evaluation.stock = plan_ratio_stock(
            definition, root_path=root_path, root_depth=root_depth, first=months[0], end=end
        )
        return evaluation

    if definition.source == SOURCE_ENTERPRISES:
        evaluation.stock = (
            _stock(definition, root_path, root_depth, months[0], end)
            if live
            else _stock_from_cells(indicator, definition, root_path, root_depth, months[0], end)
        )
        return evaluation

    if not live and definition.source in (SOURCE_REPORTS, SOURCE_STAGE_EVENTS):
        evaluation.increments = _increments_from_cells(
            indicator, definition, root_path, root_depth, months[0], end
        )
        return evaluation
    rows = source_rows(definition, root_path=root_path, start=months[0], end=end)
    evaluation.increments = _increments(_grouped_rows(definition, rows), root_depth)
    return evaluation


def _increments_from_cells(
    indicator: Indicator,
    definition: Definition,
    root_path: str,
    root_depth: int,
    first: dt.date,
    end: dt.date,
) -> dict[str, dict[dt.date, Decimal]]:
    """Increments from the monthly cells of the months up to ``end``; when ``end`` falls inside
    a month for a stage-event indicator, that month from its rows (events up to that day)."""
    last = month_start(end)
    partial = definition.source == SOURCE_STAGE_EVENTS and end < month_end(last)
    last_full = add_months(last, -1) if partial else last
    increments: dict[str, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    if last_full >= first:
        cells = IndicatorCell.objects.filter(
            indicator=indicator,
            region__path__startswith=root_path,
            month__gte=first,
            month__lte=last_full,
        ).values_list("region__path", "month", "value")
        ancestors = _AncestorCodes(root_depth)
        for path, month, value in cells:
            for code in ancestors[path]:
                increments[code][month] += value
    if partial and last >= first:
        rows = source_rows(definition, root_path=root_path, start=last, end=end)
        for code, cells_of_code in _increments(_grouped_rows(definition, rows), root_depth).items():
            for month, amount in cells_of_code.items():
                increments[code][month] += amount
    return {code: dict(cells_of_code) for code, cells_of_code in increments.items()}


def _increments(grouped, root_depth: int) -> dict[str, dict[dt.date, Decimal]]:
    """Grouped (region path, month, measure) rows rolled up to every ancestor below the root."""
    increments: dict[str, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in grouped:
        amount = Decimal(row["measure"] or 0)
        month = _as_date(row["month"])
        for code in _ancestor_codes(row["region_path"], root_depth):
            increments[code][month] += amount
    return {code: dict(cells) for code, cells in increments.items()}


def _grouped_rows(definition: Definition, rows: QuerySet) -> QuerySet:
    """``rows`` grouped by region path and month, with the definition's measure."""
    keys: dict[str, Any]
    measure: Aggregate
    if definition.source == SOURCE_REPORTS:
        keys = {"region_path": F("project__region__path"), "month": F("period__month")}
        measure = Sum("amount")
    elif definition.source == SOURCE_ENTERPRISE_EVENTS:
        day = (
            "production_started_on"
            if definition.event == EVENT_PRODUCTION_STARTED
            else "valid_from"
        )
        keys = {"region_path": F("region__path"), "month": TruncMonth(day)}
        measure = Count("id")
    else:
        keys = {"region_path": F("project__region__path"), "month": TruncMonth("date")}
        measure = (
            Sum("project__total_investment")
            if definition.measure == "total_investment"
            else Count("id")
        )
    return rows.values(**keys).annotate(measure=measure).order_by()


def _stock_from_cells(
    indicator: Indicator,
    definition: Definition,
    root_path: str,
    root_depth: int,
    first: dt.date,
    end: dt.date,
) -> dict[str, dict[dt.date, tuple[Any, Any]]]:
    """A rate's stock changes from its monthly cells (months before ``first`` fold into the
    opening bucket); when ``end`` falls inside a month, that month's changes up to ``end``
    from the spells themselves."""
    last = month_start(end)
    partial = end < month_end(last)
    last_full = add_months(last, -1) if partial else last
    land = definition.measure == MEASURE_LAND
    stock: dict[str, dict[dt.date, list[Any]]] = defaultdict(
        lambda: defaultdict(lambda: [Decimal(0), Decimal(0)])
    )
    cells = IndicatorCell.objects.filter(
        indicator=indicator, region__path__startswith=root_path, month__lte=last_full
    ).values_list("region__path", "month", "value", "base")
    ancestors = _AncestorCodes(root_depth)
    for path, month, value, base in cells:
        bucket = month if month >= first else _OPENING
        for code in ancestors[path]:
            cell = stock[code][bucket]
            cell[0] += value
            cell[1] += base
    if partial:
        spells = EnterpriseSpell.objects.filter(region__path__startswith=root_path)
        if definition.above_scale_only:
            spells = spells.filter(is_above_scale=True)
        measure = Sum("industrial_land_mu") if land else Count("id")
        bucket = last if last >= first else _OPENING
        for field, sign in (("valid_from", 1), ("valid_to", -1)):
            grouped = (
                spells.filter(**{f"{field}__gte": last, f"{field}__lte": end})
                .values(region_path=F("region__path"), counted_in_park=in_park_case())
                .annotate(n=measure)
                .order_by()
            )
            for row in grouped:
                amount = sign * Decimal(row["n"] or 0)
                for code in _ancestor_codes(row["region_path"], root_depth):
                    cell = stock[code][bucket]
                    cell[1] += amount
                    if row["counted_in_park"]:
                        cell[0] += amount
    # Counts stay whole numbers, as the rows give them.
    return {
        code: {
            bucket: (num, den) if land else (int(num), int(den))
            for bucket, (num, den) in buckets.items()
        }
        for code, buckets in stock.items()
    }


def _stock(
    definition: Definition, root_path: str, root_depth: int, first: dt.date, end: dt.date
) -> dict[str, dict[dt.date, tuple[Any, Any]]]:
    """The change of a stock per region code and month bucket, from one grouped query over the
    spells that are in force at some point between the opening date and ``end``."""
    opening = min(first - dt.timedelta(days=1), end)
    spells = EnterpriseSpell.objects.filter(region__path__startswith=root_path).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=end),
        Q(valid_to__isnull=True) | Q(valid_to__gt=opening),
    )
    if definition.above_scale_only:
        spells = spells.filter(is_above_scale=True)
    land = definition.measure == MEASURE_LAND
    grouped = (
        spells.values(
            region_path=F("region__path"),
            from_month=_month_or_opening("valid_from", first),
            to_month=Case(
                When(valid_to__lte=end, then=TruncMonth("valid_to")),
                default=Value(None),
                output_field=DateField(),
            ),
            counted_in_park=in_park_case(),
        )
        .annotate(n=Sum("industrial_land_mu") if land else Count("id"))
        .order_by()
    )
    zero: Any = Decimal(0) if land else 0
    stock: dict[str, dict[dt.date, list[Any]]] = defaultdict(
        lambda: defaultdict(lambda: [zero, zero])
    )
    for row in grouped:
        amount = row["n"] or zero
        codes = _ancestor_codes(row["region_path"], root_depth)
        moves = [(_as_date(row["from_month"]), amount)]
        if row["to_month"] is not None:
            moves.append((_as_date(row["to_month"]), -amount))
        for bucket, change in moves:
            for code in codes:
                cell = stock[code][bucket]
                cell[1] += change
                if row["counted_in_park"]:
                    cell[0] += change
    return {
        code: {bucket: (num, den) for bucket, (num, den) in cells.items()}
        for code, cells in stock.items()
    }


def evaluate(
    *, indicator: Indicator, root: Region, months: list[dt.date], as_of: dt.date
) -> Evaluation:
    """Evaluate ``indicator`` for ``root`` and every region below it, for every month of
    ``months`` (cumulative from the first), counting rows dated on or before ``as_of``.

    One SQL query whatever the number of regions and months.
    """
    return evaluate_path(indicator=indicator, root_path=root.path, months=months, as_of=as_of)


_SCOPE_FIELDS = {
    SOURCE_REPORTS: "project__region",
    SOURCE_ENTERPRISES: "region",
    SOURCE_ENTERPRISE_EVENTS: "region",
}


def drilldown(
    *,
    indicator: Indicator,
    region: Region,
    period_start: dt.date,
    period_end: dt.date,
    as_of: dt.date,
    user,
) -> QuerySet:
    """Exactly the rows behind the value of ``indicator`` for ``region`` over the period at
    ``as_of``, within what ``user`` may see: reports, stage events, or (for a rate) the
    enterprises' spells in force at the as-of date (above-scale ones for 入园率), annotated
    ``in_park`` (a spell reads through to its enterprise's ``uscc`` and ``name``, and carries
    the region and park of that date); enterprise events list the spells that gained the flag,
    or the enterprises that started production. Over the user's whole scope, their aggregate
    (``drilldown_value``) equals the evaluated value."""
    definition = definition_parse(indicator.kind, indicator.definition)
    end = min(period_end, as_of)
    if definition.source == SOURCE_ANNUAL_PLANS:
        from gongjian.plans.selectors import plan_ratio_rows

        return plan_ratio_rows(definition, root_path=region.path, end=end).filter(
            region_scope_q(user, "region")
        )
    rows = source_rows(definition, root_path=region.path, start=period_start, end=end)
    rows = rows.filter(
        region_scope_q(user, _SCOPE_FIELDS.get(definition.source, "project__region"))
    )
    if definition.source == SOURCE_ENTERPRISES:
        return rows.select_related("enterprise", "region", "park").order_by(
            "region__sort_order", "enterprise__uscc"
        )
    if definition.source == SOURCE_ENTERPRISE_EVENTS:
        if definition.event == EVENT_PRODUCTION_STARTED:
            return rows.select_related("region", "park").order_by("production_started_on", "uscc")
        return rows.select_related("enterprise", "region", "park").order_by(
            "valid_from", "enterprise__uscc"
        )
    if definition.source == SOURCE_REPORTS:
        return rows.select_related("project", "project__region", "period").order_by(
            "period__month", "project__code"
        )
    return rows.select_related("project", "project__region").order_by("date", "project__code")


def drilldown_value(*, indicator: Indicator, rows: QuerySet) -> Decimal | None:
    """The indicator's aggregate over drill-down rows (one query): what ``evaluate`` computes."""
    definition = definition_parse(indicator.kind, indicator.definition)
    if definition.source == SOURCE_ANNUAL_PLANS:
        from gongjian.plans.selectors import plan_ratio_rows_value

        return plan_ratio_rows_value(definition, rows)
    if definition.source == SOURCE_ENTERPRISES:
        if definition.measure == MEASURE_LAND:
            land = rows.aggregate(
                numerator=Sum("industrial_land_mu", filter=Q(park__isnull=False)),
                denominator=Sum("industrial_land_mu"),
            )
            return rate_percent(land["numerator"] or 0, land["denominator"] or 0)
        totals = rows.aggregate(
            numerator=Count("id", filter=Q(park__isnull=False)), denominator=Count("id")
        )
        return rate_percent(totals["numerator"], totals["denominator"])
    if definition.source == SOURCE_ENTERPRISE_EVENTS:
        return Decimal(rows.count())
    if definition.source == SOURCE_REPORTS:
        return rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if definition.measure == "total_investment":
        return rows.aggregate(total=Sum("project__total_investment"))["total"] or Decimal(0)
    return Decimal(rows.count())
