"""The indicator engine: one grouped SQL query per indicator, rolled up the region tree in Python.

``evaluate`` compiles an indicator's definition (data, see ``definitions``) into a single query
over its source rows, filtered by the definition and dated on or before the as-of date, grouped
by the row's region path and month. The grouped result is small (regions × months), so rolling it
up to every ancestor below the root is a loop over it: a city is the sum of its districts, and a
rate is pooled (numerators and denominators summed separately, then divided), never an average of
the districts' percentages.

Nothing is cached: every read is computed from the rows, so the next read after a report is
approved or a stage date recorded shows the new number.

Time semantics:

* flow_sum — the sum of city-approved reports whose month lies in the window (a month counts
  from its first day, so the as-of month's report counts once it is approved);
* event_count / event_sum — stage events dated in the window, up to the as-of date;
* stock_ratio — a stock at a date: the above-scale enterprises at the end of each month (or at
  the as-of date), and how many of them were in a park by then. Dates before the window count
  (a stock has no start); an unknown date (null) counts as "always".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth

from gongjian.accounts.scopes import region_scope_q
from gongjian.campaigns.choices import IndicatorKind
from gongjian.campaigns.definitions import (
    SOURCE_ENTERPRISES,
    SOURCE_REPORTS,
    Definition,
    definition_parse,
)
from gongjian.campaigns.models import Indicator
from gongjian.core.periods import add_months, month_end, month_start
from gongjian.parks.models import Enterprise, above_scale_q, in_park_q
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
        # The parks app's own definitions of "above-scale on a date" and "in a park on a date".
        return (
            Enterprise.objects.filter(region__path__startswith=root_path)
            .filter(above_scale_q(end))
            .annotate(
                in_park=Case(
                    When(in_park_q(end), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
        )
    rows: QuerySet
    if definition.source == SOURCE_REPORTS:
        rows = ProgressReport.objects.counted().filter(
            period__month__gte=month_start(start), period__month__lte=month_start(end)
        )
    else:
        rows = StageEvent.objects.filter(stage=definition.stage, date__gte=start, date__lte=end)
    rows = rows.filter(project__region__path__startswith=root_path)
    if definition.categories:
        rows = rows.filter(project__category__code__in=definition.categories)
    if definition.min_total_investment is not None:
        rows = rows.filter(project__total_investment__gte=definition.min_total_investment)
    return rows


def _ancestor_codes(path: str, root_depth: int) -> list[str]:
    """The region codes on ``path`` from the root (at depth ``root_depth``) down to the row's."""
    return path.strip("/").split("/")[root_depth - 1 :]


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
    # Rates: rolled-up (numerator, denominator) entering the stock per region code and month.
    stock: dict[str, dict[dt.date, tuple[int, int]]] = field(default_factory=dict)

    @property
    def is_ratio(self) -> bool:
        return self.kind == IndicatorKind.STOCK_RATIO

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

    def parts(self, region: Region | str, month: dt.date) -> tuple[int, int]:
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

    def series(self, region: Region | str) -> list[tuple[dt.date, Decimal | None]]:
        """(month, cumulative value) for every month of the window."""
        if self.is_ratio:
            return [(month, self.value(region, month)) for month in self.months]
        running = Decimal(0)
        cells = self.increments.get(_code(region), {})
        out: list[tuple[dt.date, Decimal | None]] = []
        for month in self.months:
            running += cells.get(month, Decimal(0))
            out.append((month, running if month <= self.last_month else None))
        return out

    def at_as_of(self, region: Region | str) -> Decimal | None:
        """The value at the as-of date (or at the end of the window, if that is earlier)."""
        return self.value(region, self.last_month)


def _code(region: Region | str) -> str:
    return region if isinstance(region, str) else region.code


def evaluate_path(
    *, indicator: Indicator, root_path: str, months: list[dt.date], as_of: dt.date
) -> Evaluation:
    """``evaluate`` for the subtree at a region path (the engine's own entry point)."""
    if not months:
        raise ValueError("months must not be empty")
    months = sorted({month_start(m) for m in months})
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
    rows = source_rows(definition, root_path=root_path, start=months[0], end=end)

    if definition.source == SOURCE_ENTERPRISES:
        grouped = (
            rows.values(
                region_path=F("region__path"),
                scale_month=_month_or_opening("above_scale_since", months[0]),
                park_month=_month_or_opening("entered_park_on", months[0]),
                counted_in_park=F("in_park"),
            )
            .annotate(n=Count("id"))
            .order_by()
        )
        stock: dict[str, dict[dt.date, list[int]]] = defaultdict(
            lambda: defaultdict(lambda: [0, 0])
        )
        for row in grouped:
            scale_bucket = _as_date(row["scale_month"])
            codes = _ancestor_codes(row["region_path"], root_depth)
            for code in codes:
                stock[code][scale_bucket][1] += row["n"]
            if row["counted_in_park"]:
                park_bucket = max(scale_bucket, _as_date(row["park_month"]))
                for code in codes:
                    stock[code][park_bucket][0] += row["n"]
        evaluation.stock = {
            code: {bucket: (num, den) for bucket, (num, den) in cells.items()}
            for code, cells in stock.items()
        }
        return evaluation

    keys: dict[str, Any]
    measure: Aggregate
    if definition.source == SOURCE_REPORTS:
        keys = {"region_path": F("project__region__path"), "month": F("period__month")}
        measure = Sum("amount")
    else:
        keys = {"region_path": F("project__region__path"), "month": TruncMonth("date")}
        measure = (
            Sum("project__total_investment")
            if definition.measure == "total_investment"
            else Count("id")
        )
    grouped = rows.values(**keys).annotate(measure=measure).order_by()
    increments: dict[str, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in grouped:
        amount = Decimal(row["measure"] or 0)
        for code in _ancestor_codes(row["region_path"], root_depth):
            increments[code][row["month"]] += amount
    evaluation.increments = {code: dict(cells) for code, cells in increments.items()}
    return evaluation


def evaluate(
    *, indicator: Indicator, root: Region, months: list[dt.date], as_of: dt.date
) -> Evaluation:
    """Evaluate ``indicator`` for ``root`` and every region below it, for every month of
    ``months`` (cumulative from the first), counting rows dated on or before ``as_of``.

    One SQL query whatever the number of regions and months.
    """
    return evaluate_path(indicator=indicator, root_path=root.path, months=months, as_of=as_of)


_SCOPE_FIELDS = {SOURCE_REPORTS: "project__region", SOURCE_ENTERPRISES: "region"}


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
    above-scale enterprises annotated ``in_park``. Over the user's whole scope, their aggregate
    (``drilldown_value``) equals the evaluated value."""
    definition = definition_parse(indicator.kind, indicator.definition)
    end = min(period_end, as_of)
    rows = source_rows(definition, root_path=region.path, start=period_start, end=end)
    rows = rows.filter(
        region_scope_q(user, _SCOPE_FIELDS.get(definition.source, "project__region"))
    )
    if definition.source == SOURCE_ENTERPRISES:
        return rows.select_related("region", "park").order_by("region__sort_order", "uscc")
    if definition.source == SOURCE_REPORTS:
        return rows.select_related("project", "project__region", "period").order_by(
            "period__month", "project__code"
        )
    return rows.select_related("project", "project__region").order_by("date", "project__code")


def drilldown_value(*, indicator: Indicator, rows: QuerySet) -> Decimal | None:
    """The indicator's aggregate over drill-down rows (one query): what ``evaluate`` computes."""
    definition = definition_parse(indicator.kind, indicator.definition)
    if definition.source == SOURCE_ENTERPRISES:
        totals = rows.aggregate(numerator=Sum("in_park"), denominator=Count("id"))
        return rate_percent(totals["numerator"] or 0, totals["denominator"])
    if definition.source == SOURCE_REPORTS:
        return rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if definition.measure == "total_investment":
        return rows.aggregate(total=Sum("project__total_investment"))["total"] or Decimal(0)
    return Decimal(rows.count())
