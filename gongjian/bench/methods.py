"""The four ways the benchmark computes the same numbers, and one normal form to compare them.

1. ``engine``: our indicator engine (``evaluate_path`` over the root, every indicator, every month);
2. ``hand_sql``: one hand-written grouped query on PostgreSQL;
3. ``duckdb``: the equivalent query in an in-memory DuckDB loaded with the same rows;
4. ``pandas``: groupby over the same rows as data frames.

All four produce, for each indicator, region (the root and every region below it) and month: a
sum or count per month (flow and event indicators), or the pooled (numerator, denominator) at
the end of the month (the stock ratio). ``Cells`` is that normal form; equal Cells mean the four
agree on every number, not only on the grand total.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from gongjian.campaigns.definitions import (
    SOURCE_ENTERPRISES,
    SOURCE_REPORTS,
    Definition,
    definition_parse,
)
from gongjian.campaigns.engine import Evaluation, evaluate_path
from gongjian.campaigns.models import Indicator
from gongjian.parks.models import Enterprise
from gongjian.projects.models import Category, Project, StageEvent
from gongjian.regions.models import Region
from gongjian.reporting.models import ProgressReport, ReportingPeriod

# (indicator code, region code, month) → Decimal (sums, counts) or (numerator, denominator).
Cells = dict[tuple[str, str, dt.date], Any]


BENCH_SOURCES = ("reports", "stage_events")


def bench_indicators() -> list[Indicator]:
    """The demo campaign's indicators that all four methods compute — the report and stage-event
    sums and counts, and the in-park rate (nine) — saved in the bench database. Saving one
    builds its monthly cells (``campaigns.rollup``) from the rows, as creating an indicator does
    in production; the second call finds them."""
    from gongjian.campaigns.choices import KIND_UNITS
    from gongjian.campaigns.definitions import definition_parse
    from gongjian.demo.campaign import INDICATORS

    out = []
    for spec in INDICATORS:
        parsed = definition_parse(spec.kind, spec.definition)
        rate = parsed.source == "enterprises" and not parsed.measure
        if parsed.source not in BENCH_SOURCES and not rate:
            continue
        indicator, _created = Indicator.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "unit": KIND_UNITS[spec.kind],
                "definition": spec.definition,
            },
        )
        out.append(indicator)
    return out


@dataclass(frozen=True)
class Window:
    root_path: str
    months: list[dt.date]
    as_of: dt.date

    @property
    def first(self) -> dt.date:
        return self.months[0]

    @property
    def last(self) -> dt.date:
        return self.months[-1]


# ---------------------------------------------------------------------------------------------
# Normal form


def _cumulate(
    increments: dict[tuple[str, str], dict[dt.date, tuple[int, int]]], months: list[dt.date]
) -> Cells:
    """Ratio increments per bucket month → (numerator, denominator) at each month's end."""
    cells: Cells = {}
    for (indicator, code), buckets in increments.items():
        numerator = denominator = 0
        for month in months:
            num, den = buckets.get(month, (0, 0))
            numerator += num
            denominator += den
            if numerator or denominator:
                cells[(indicator, code, month)] = (numerator, denominator)
    return cells


def cells_from_rows(
    rows: Iterable[tuple], *, ratio_codes: set[str], months: list[dt.date], scale: int = 1
) -> Cells:
    """Rows (indicator, region code, month, value, numerator, denominator) of a hand method →
    Cells. ``scale`` divides values kept in cents."""
    cells: Cells = {}
    ratio: dict[tuple[str, str], dict[dt.date, tuple[int, int]]] = defaultdict(dict)
    for indicator, code, month, value, numerator, denominator in rows:
        month = month.date() if isinstance(month, dt.datetime) else month
        if indicator in ratio_codes:
            num, den = ratio[(indicator, code)].get(month, (0, 0))
            ratio[(indicator, code)][month] = (num + int(numerator), den + int(denominator))
            continue
        amount = Decimal(int(value)) / scale if scale != 1 else Decimal(value)
        if amount:
            cells[(indicator, code, month)] = amount
    cells.update(_cumulate(ratio, months))
    return cells


def cells_from_evaluations(evaluations: list[Evaluation]) -> Cells:
    cells: Cells = {}
    for evaluation in evaluations:
        code = evaluation.indicator.code
        if evaluation.is_ratio:
            for region in evaluation.stock:
                for month in evaluation.months:
                    parts = evaluation.parts(region, month)
                    if parts != (0, 0):
                        cells[(code, region, month)] = parts
            continue
        for region, by_month in evaluation.increments.items():
            for month, amount in by_month.items():
                if amount:
                    cells[(code, region, month)] = amount
    return cells


def root_totals(cells: Cells, root_code: str, last: dt.date) -> dict[str, Any]:
    """Each indicator's value at the root for the whole window: the sum over the months, or the
    ratio's parts at the last month's end."""
    totals: dict[str, Any] = {}
    for (indicator, code, month), value in cells.items():
        if code != root_code:
            continue
        if isinstance(value, tuple):
            if month == last:
                totals[indicator] = value
        else:
            totals[indicator] = totals.get(indicator, Decimal(0)) + value
    return dict(sorted(totals.items()))


# ---------------------------------------------------------------------------------------------
# 1. The engine


def run_engine(
    indicators: list[Indicator], window: Window, *, live: bool = False, cached: bool = False
) -> list[Evaluation]:
    """Our full evaluation: from the monthly cells, or (``live``) re-aggregating every row;
    computed every time unless ``cached`` (then a kept evaluation is reused while its version
    is current, as the pages do)."""
    return [
        evaluate_path(
            indicator=indicator,
            root_path=window.root_path,
            months=window.months,
            as_of=window.as_of,
            live=live,
            cached=cached,
        )
        for indicator in indicators
    ]


# ---------------------------------------------------------------------------------------------
# 2 and 3. Hand-written SQL, for PostgreSQL and for DuckDB


@dataclass(frozen=True)
class Dialect:
    """What differs between the PostgreSQL tables and the DuckDB copy of them."""

    tables: dict[str, str]
    amount: str  # the report's amount column (in 万元, or in cents)
    total: str  # the project's total investment column
    split_path: str  # a region path → its list of codes
    scale: int


POSTGRES = Dialect(
    tables={
        "region": Region._meta.db_table,
        "category": Category._meta.db_table,
        "project": Project._meta.db_table,
        "period": ReportingPeriod._meta.db_table,
        "report": ProgressReport._meta.db_table,
        "event": StageEvent._meta.db_table,
        "enterprise": Enterprise._meta.db_table,
    },
    amount="amount",
    total="total_investment",
    split_path="string_to_array(trim(both '/' from path), '/')",
    scale=1,
)
DUCKDB = Dialect(
    tables={
        "region": "region",
        "category": "category",
        "project": "project",
        "period": "period",
        "report": "report",
        "event": "event",
        "enterprise": "enterprise",
    },
    amount="amount_cents",
    total="total_cents",
    split_path="string_split(trim(path, '/'), '/')",
    scale=100,
)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _date(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def _month(expression: str) -> str:
    return f"CAST(date_trunc('month', {expression}) AS DATE)"


def _project_filters(definition: Definition, dialect: Dialect) -> str:
    filters = ""
    if definition.categories:
        codes = ", ".join(_literal(code) for code in definition.categories)
        filters += f" AND c.code IN ({codes})"
    if definition.min_total_investment is not None:
        minimum = definition.min_total_investment * dialect.scale
        filters += f" AND p.{dialect.total} >= {minimum}"
    return filters


def _branches(code: str, definition: Definition, window: Window, d: Dialect) -> list[str]:
    """The grouped SELECTs (indicator, path, month, value, numerator, denominator) of one
    indicator over its source rows in the root's subtree."""
    t = d.tables
    ind = _literal(code)
    root = _literal(window.root_path + "%")
    first, end = _date(window.first), _date(window.as_of)
    if definition.source == SOURCE_ENTERPRISES:
        above = (
            f"e.is_above_scale AND (e.above_scale_since IS NULL OR e.above_scale_since <= {end})"
        )
        scale_bucket = (
            f"CASE WHEN e.above_scale_since IS NULL OR e.above_scale_since < {first} "
            f"THEN {first} ELSE {_month('e.above_scale_since')} END"
        )
        park_bucket = (
            f"CASE WHEN e.entered_park_on IS NULL OR e.entered_park_on < {first} "
            f"THEN {first} ELSE {_month('e.entered_park_on')} END"
        )
        source = (
            f"FROM {t['enterprise']} AS e JOIN {t['region']} AS rg ON rg.id = e.region_id "
            f"WHERE rg.path LIKE {root} AND {above}"
        )
        return [
            f"SELECT {ind} AS ind, rg.path, {scale_bucket} AS month, 0 AS v, 0 AS n, "
            f"count(*) AS d {source} GROUP BY rg.path, {scale_bucket}",
            f"SELECT {ind} AS ind, rg.path, greatest({scale_bucket}, {park_bucket}) AS month, "
            f"0 AS v, count(*) AS n, 0 AS d {source} AND e.park_id IS NOT NULL "
            f"AND (e.entered_park_on IS NULL OR e.entered_park_on <= {end}) "
            f"GROUP BY rg.path, greatest({scale_bucket}, {park_bucket})",
        ]
    joins = (
        f"JOIN {t['project']} AS p ON p.id = x.project_id "
        f"JOIN {t['region']} AS rg ON rg.id = p.region_id "
        f"JOIN {t['category']} AS c ON c.id = p.category_id "
    )
    filters = f"rg.path LIKE {root}{_project_filters(definition, d)}"
    if definition.source == SOURCE_REPORTS:
        return [
            f"SELECT {ind} AS ind, rg.path, per.month, sum(x.{d.amount}) AS v, "
            f"0 AS n, 0 AS d FROM {t['report']} AS x "
            f"JOIN {t['period']} AS per ON per.id = x.period_id {joins}"
            f"WHERE x.status = 'city_approved' AND per.month BETWEEN {first} "
            f"AND {_date(window.last)} AND {filters} GROUP BY rg.path, per.month"
        ]
    measure = f"sum(p.{d.total})" if definition.measure == "total_investment" else "count(*)"
    return [
        f"SELECT {ind} AS ind, rg.path, {_month('x.date')} AS month, {measure} AS v, "
        f"0 AS n, 0 AS d FROM {t['event']} AS x {joins}"
        f"WHERE x.stage = {_literal(definition.stage)} AND x.date BETWEEN {first} AND {end} "
        f"AND {filters} GROUP BY rg.path, {_month('x.date')}"
    ]


def hand_query(indicators: list[Indicator], window: Window, dialect: Dialect) -> str:
    """One statement: every indicator grouped by leaf path and month, then rolled up to every
    region on the path (a region's value is the sum over its subtree)."""
    if window.root_path.count("/") != 2:
        raise ValueError("The hand-written query rolls up from a top-level root only.")
    branches: list[str] = []
    for indicator in indicators:
        definition = definition_parse(indicator.kind, indicator.definition)
        branches += _branches(indicator.code, definition, window, dialect)
    union = "\nUNION ALL\n".join(branches)
    return (
        f"SELECT ind, code, month, sum(v) AS v, sum(n) AS n, sum(d) AS d FROM ("
        f"SELECT ind, unnest({dialect.split_path}) AS code, month, v, n, d FROM ({union}) AS leaf"
        ") AS up GROUP BY ind, code, month"
    )


def run_hand_sql(query: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchall()


# ---------------------------------------------------------------------------------------------
# Loading the same rows for DuckDB and pandas

# The rows each method reads, exported by COPY; money in cents (exact integers).
EXPORTS: dict[str, tuple[str, dict[str, str], list[str]]] = {
    "region": (f"SELECT id, path FROM {Region._meta.db_table}", {"id": "int64"}, []),
    "category": (f"SELECT id, code FROM {Category._meta.db_table}", {"id": "int64"}, []),
    "project": (
        "SELECT id, region_id, category_id, (total_investment * 100)::bigint AS total_cents "
        f"FROM {Project._meta.db_table}",
        {"id": "int64", "region_id": "int64", "category_id": "int64", "total_cents": "int64"},
        [],
    ),
    "period": (
        f"SELECT id, month FROM {ReportingPeriod._meta.db_table}",
        {"id": "int64"},
        ["month"],
    ),
    "report": (
        "SELECT project_id, period_id, (amount * 100)::bigint AS amount_cents, status "
        f"FROM {ProgressReport._meta.db_table}",
        {
            "project_id": "int64",
            "period_id": "int64",
            "amount_cents": "int64",
            "status": "category",
        },
        [],
    ),
    "event": (
        f"SELECT project_id, stage, date FROM {StageEvent._meta.db_table}",
        {"project_id": "int64", "stage": "category"},
        ["date"],
    ),
    "enterprise": (
        "SELECT region_id, park_id, is_above_scale, above_scale_since, entered_park_on "
        f"FROM {Enterprise._meta.db_table}",
        {"region_id": "int64", "park_id": "float64", "is_above_scale": "bool"},
        ["above_scale_since", "entered_park_on"],
    ),
}


@dataclass
class Loaded:
    frames: dict[str, Any]
    copy_seconds: float
    parse_seconds: float
    rows: dict[str, int]


def load_frames() -> Loaded:
    """COPY each table out of PostgreSQL (on Django's connection, so a test's uncommitted rows
    are seen) as CSV into a temporary file and parse it with pandas."""
    import pandas as pd

    connection.ensure_connection()
    raw = connection.connection
    frames: dict[str, Any] = {}
    copy_seconds = parse_seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="gongjian-bench-") as folder:
        for name, (query, dtypes, dates) in EXPORTS.items():
            path = os.path.join(folder, f"{name}.csv")
            started = time.perf_counter()
            with (
                raw.cursor() as cursor,
                open(path, "wb") as out,
                cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER)") as copy,
            ):
                for block in copy:
                    out.write(block)
            copy_seconds += time.perf_counter() - started
            started = time.perf_counter()
            frame = pd.read_csv(
                path,
                dtype=dtypes,
                parse_dates=dates,
                date_format="%Y-%m-%d",
                true_values=["t"],
                false_values=["f"],
            )
            parse_seconds += time.perf_counter() - started
            frames[name] = frame
    return Loaded(
        frames=frames,
        copy_seconds=copy_seconds,
        parse_seconds=parse_seconds,
        rows={name: len(frame) for name, frame in frames.items()},
    )


def duckdb_connect(frames: dict[str, Any]):
    """An in-memory DuckDB with one native table per frame (dates as DATE)."""
    import duckdb

    db = duckdb.connect(":memory:")
    for name, frame in frames.items():
        db.register("frame", frame)
        columns = []
        for column in frame.columns:
            if str(frame[column].dtype).startswith("datetime64"):
                columns.append(f'CAST("{column}" AS DATE) AS "{column}"')
            elif column == "park_id":
                columns.append('CAST("park_id" AS BIGINT) AS "park_id"')
            elif str(frame[column].dtype) == "category":
                columns.append(f'CAST("{column}" AS VARCHAR) AS "{column}"')
            else:
                columns.append(f'"{column}"')
        db.execute(f"CREATE TABLE {name} AS SELECT {', '.join(columns)} FROM frame")
        db.unregister("frame")
    return db


def run_duckdb(db, query: str) -> list[tuple]:
    return db.execute(query).fetchall()


# ---------------------------------------------------------------------------------------------
# 4. pandas


def _rollup(leaf, value_columns: list[str]):
    """Leaf (path, month) rows → every region on the path."""
    leaf = leaf.reset_index()
    leaf["code"] = leaf["path"].str.strip("/").str.split("/")
    up = leaf.explode("code")
    return up.groupby(["code", "month"], sort=False, observed=True)[value_columns].sum()


def run_pandas(frames: dict[str, Any], indicators: list[Indicator], window: Window) -> list[tuple]:
    import pandas as pd

    first = pd.Timestamp(window.first)
    last = pd.Timestamp(window.last)
    end = pd.Timestamp(window.as_of)
    regions = frames["region"].set_index("id")["path"]
    in_root = regions[regions.str.startswith(window.root_path)]
    categories = frames["category"].set_index("id")["code"]
    projects = frames["project"].set_index("id")
    project_path = projects["region_id"].map(in_root)
    project_category = projects["category_id"].map(categories)
    project_total = projects["total_cents"]
    out: list[tuple] = []

    reports = None
    events = None
    for indicator in indicators:
        definition = definition_parse(indicator.kind, indicator.definition)
        code = indicator.code
        if definition.source == SOURCE_ENTERPRISES:
            ent = frames["enterprise"]
            ent = ent.assign(path=ent["region_id"].map(in_root))
            since = ent["above_scale_since"]
            ent = ent[ent["path"].notna() & ent["is_above_scale"] & (since.isna() | (since <= end))]
            since = ent["above_scale_since"]
            scale_bucket = since.dt.to_period("M").dt.start_time.where(
                since.notna() & (since >= first), first
            )
            entered = ent["entered_park_on"]
            park_bucket = entered.dt.to_period("M").dt.start_time.where(
                entered.notna() & (entered >= first), first
            )
            parked = ent["park_id"].notna() & (entered.isna() | (entered <= end))
            den = pd.DataFrame({"path": ent["path"], "month": scale_bucket, "d": 1, "n": 0})
            num = pd.DataFrame(
                {
                    "path": ent["path"][parked],
                    "month": scale_bucket[parked].where(
                        scale_bucket[parked] >= park_bucket[parked], park_bucket[parked]
                    ),
                    "d": 0,
                    "n": 1,
                }
            )
            leaf = pd.concat([den, num]).groupby(["path", "month"])[["n", "d"]].sum()
            rolled = _rollup(leaf, ["n", "d"])
            for (region, month), numerator, denominator in zip(
                rolled.index, rolled["n"], rolled["d"], strict=True
            ):
                out.append((code, region, month, 0, int(numerator), int(denominator)))
            continue
        if definition.source == SOURCE_REPORTS:
            if reports is None:
                month_of = frames["period"].set_index("id")["month"]
                reports = frames["report"]
                reports = reports[reports["status"] == "city_approved"]
                reports = reports.assign(month=reports["period_id"].map(month_of))
                reports = reports[(reports["month"] >= first) & (reports["month"] <= last)]
                reports = reports.assign(
                    path=reports["project_id"].map(project_path),
                    category=reports["project_id"].map(project_category),
                    total=reports["project_id"].map(project_total),
                )
                reports = reports[reports["path"].notna()]
            rows, measure = reports, "amount_cents"
        else:
            if events is None:
                events = frames["event"]
                events = events[(events["date"] >= first) & (events["date"] <= end)]
                events = events.assign(
                    month=events["date"].dt.to_period("M").dt.start_time,
                    path=events["project_id"].map(project_path),
                    category=events["project_id"].map(project_category),
                    total=events["project_id"].map(project_total),
                )
                events = events[events["path"].notna()]
            rows = events[events["stage"] == definition.stage]
            measure = "total" if definition.measure == "total_investment" else ""
        if definition.categories:
            rows = rows[rows["category"].isin(definition.categories)]
        if definition.min_total_investment is not None:
            rows = rows[rows["total"] >= int(definition.min_total_investment * 100)]
        if measure:
            leaf = rows.groupby(["path", "month"])[[measure]].sum()
        else:
            leaf = rows.groupby(["path", "month"]).size().to_frame("count")
        column = leaf.columns[0]
        rolled = _rollup(leaf, [column])
        for (region, month), value in rolled[column].items():
            out.append((code, region, month.date(), int(value), 0, 0))
    return [
        (c, r, m.date() if isinstance(m, pd.Timestamp) else m, v, n, d) for c, r, m, v, n, d in out
    ]


def cents_scales(indicators: list[Indicator]) -> dict[str, int]:
    """DuckDB and pandas sum money in cents and count in units: the divisor per indicator."""
    scales = {}
    for indicator in indicators:
        definition = definition_parse(indicator.kind, indicator.definition)
        scales[indicator.code] = 100 if definition.measure else 1
    return scales


def cells_from_scaled_rows(
    rows: Iterable[tuple], *, scales: dict[str, int], ratio_codes: set[str], months: list[dt.date]
) -> Cells:
    """As ``cells_from_rows``, with a divisor per indicator (cents for money, 1 for counts)."""
    cells: Cells = {}
    by_scale: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_scale[scales[row[0]]].append(row)
    for scale, scaled in by_scale.items():
        cells.update(cells_from_rows(scaled, ratio_codes=ratio_codes, months=months, scale=scale))
    return cells
