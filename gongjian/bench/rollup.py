"""`gongjian bench rollup`: generate a size in its own PostgreSQL database and measure, on the
same rows, our full evaluation, the freshness of a number after 300 approvals, hand-written SQL,
DuckDB and pandas. Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction

from gongjian.bench import methods
from gongjian.bench.generate import ROOT_CODE, Counts, count_rows, generate
from gongjian.bench.sizes import GENERATOR_VERSION, Size
from gongjian.campaigns.definitions import SOURCE_REPORTS, definition_parse
from gongjian.campaigns.engine import evaluate_path
from gongjian.campaigns.models import IndicatorCell

FRESH_INDICATOR = "xmgj-key-investment"
META_TABLE = "bench_meta"


# ---------------------------------------------------------------------------------------------
# Timing


@dataclass
class Timing:
    """Wall-clock seconds of repeated runs of one method."""

    label: str
    seconds: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        # Nearest rank: with few runs this is the slowest or the one before it.
        ordered = sorted(self.seconds)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def max(self) -> float:
        return max(self.seconds)


def timed(label: str, repeats: int, run: Callable[[], Any]) -> tuple[Timing, Any]:
    seconds, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return Timing(label, seconds), result


# ---------------------------------------------------------------------------------------------
# Freshness


@dataclass
class Freshness:
    reports: int
    approve_seconds: float
    fresh_seconds: float  # from the last approval's commit to a read showing the new total
    reads: int
    before: Decimal
    after: Decimal
    expected: Decimal


def _reviewer():
    from gongjian.accounts.choices import Role
    from gongjian.accounts.models import Membership, User
    from gongjian.regions.models import Region

    user, _created = User.objects.get_or_create(username="bench_city_reviewer")
    Membership.objects.get_or_create(
        user=user, region=Region.objects.get(code=ROOT_CODE), role=Role.CITY_REVIEWER
    )
    return user


def _root_total(indicator, window: methods.Window) -> Decimal:
    evaluation = evaluate_path(
        indicator=indicator, root_path=window.root_path, months=window.months, as_of=window.as_of
    )
    return evaluation.total(ROOT_CODE, window.first, window.last)


def measure_freshness(size: Size, window: methods.Window, *, restore: bool) -> Freshness:
    """Approve the district-approved reports of the first leaf through ``report_approve`` as a
    city reviewer, then read the engine until it shows them; put them back if ``restore``."""
    from gongjian.reporting.choices import ReportStatus
    from gongjian.reporting.models import ProgressReport
    from gongjian.reporting.services import report_approve

    indicator = next(i for i in methods.bench_indicators() if i.code == FRESH_INDICATOR)
    definition = definition_parse(indicator.kind, indicator.definition)
    assert definition.source == SOURCE_REPORTS
    reviewer = _reviewer()
    reports = list(
        ProgressReport.objects.filter(
            status=ReportStatus.DISTRICT_APPROVED,
            project__region__path__startswith=window.root_path,
            project__code__startswith="BP",
        )
        .select_related("project__region", "period")
        .order_by("-period__month", "project__code")[: size.fresh_reports]
    )
    before = _root_total(indicator, window)
    expected = before + sum((r.amount for r in reports), Decimal(0))
    started = time.perf_counter()
    for report in reports:
        report_approve(actor=reviewer, report=report)
    committed = time.perf_counter()
    reads, after = 0, before
    while True:
        reads += 1
        after = _root_total(indicator, window)
        if after == expected or reads >= 100:
            break
    fresh = time.perf_counter() - committed
    if restore:
        # Back through the models, so that the cells (and the cached evaluations' versions)
        # follow: an UPDATE of the rows would leave the cells counting them on the next run.
        with transaction.atomic():
            for report in ProgressReport.objects.filter(pk__in=[r.pk for r in reports]):
                report.status = ReportStatus.DISTRICT_APPROVED
                report.save(update_fields=["status"])
    return Freshness(
        reports=len(reports),
        approve_seconds=committed - started,
        fresh_seconds=fresh,
        reads=reads,
        before=before,
        after=after,
        expected=expected,
    )


# ---------------------------------------------------------------------------------------------
# One run over the current database


@dataclass
class Result:
    size: Size
    counts: Counts
    engine: Timing
    engine_live: Timing
    engine_cached: Timing
    hand_sql: Timing
    duckdb: Timing
    pandas: Timing
    copy_seconds: float
    parse_seconds: float
    duckdb_load_seconds: float
    freshness: Freshness
    cells: dict[str, int]  # number of cells each method produced
    agree: bool
    mismatches: list[str]
    totals: dict[str, Any]
    reused: bool = False
    generate_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _diff(name: str, reference: methods.Cells, other: methods.Cells) -> list[str]:
    problems = []
    for key in sorted(set(reference) | set(other), key=str)[:100_000]:
        if reference.get(key) != other.get(key):
            problems.append(f"{name} {key}: engine {reference.get(key)} ≠ {other.get(key)}")
            if len(problems) >= 5:
                break
    return problems


def measure(size: Size, *, repeats: int | None = None, restore: bool = True) -> Result:
    """Measure every method on the rows of ``size`` already in the current database."""
    repeats = repeats or size.repeats
    window = methods.Window(root_path=f"/{ROOT_CODE}/", months=size.month_list, as_of=size.as_of)
    indicators = methods.bench_indicators()
    ratio_codes = {i.code for i in indicators if i.kind == "stock_ratio"}
    scales = methods.cents_scales(indicators)

    # Warm the caches once for every method alike, then time.
    methods.run_engine(indicators, window)
    engine, evaluations = timed("engine", repeats, lambda: methods.run_engine(indicators, window))
    engine_cells = methods.cells_from_evaluations(evaluations)
    # What a page pays while no cell changes: the versions, then the kept evaluations.
    methods.run_engine(indicators, window, cached=True)
    engine_cached, _kept = timed(
        "engine_cached", repeats, lambda: methods.run_engine(indicators, window, cached=True)
    )
    methods.run_engine(indicators, window, live=True)
    engine_live, live_evaluations = timed(
        "engine_live",
        max(1, min(repeats, 5)),
        lambda: methods.run_engine(indicators, window, live=True),
    )
    live_cells = methods.cells_from_evaluations(live_evaluations)

    pg_query = methods.hand_query(indicators, window, methods.POSTGRES)
    methods.run_hand_sql(pg_query)
    hand_sql, pg_rows = timed("hand_sql", repeats, lambda: methods.run_hand_sql(pg_query))
    pg_cells = methods.cells_from_rows(pg_rows, ratio_codes=ratio_codes, months=window.months)

    loaded = methods.load_frames()
    started = time.perf_counter()
    db = methods.duckdb_connect(loaded.frames)
    duckdb_load = time.perf_counter() - started
    duck_query = methods.hand_query(indicators, window, methods.DUCKDB)
    methods.run_duckdb(db, duck_query)
    duckdb_timing, duck_rows = timed("duckdb", repeats, lambda: methods.run_duckdb(db, duck_query))
    duck_cells = methods.cells_from_scaled_rows(
        duck_rows, scales=scales, ratio_codes=ratio_codes, months=window.months
    )
    db.close()

    pandas_timing, pandas_rows = timed(
        "pandas",
        max(1, min(repeats, 5)),
        lambda: methods.run_pandas(loaded.frames, indicators, window),
    )
    pandas_cells = methods.cells_from_scaled_rows(
        pandas_rows, scales=scales, ratio_codes=ratio_codes, months=window.months
    )

    mismatches = (
        _diff("engine_live", engine_cells, live_cells)
        + _diff("hand_sql", engine_cells, pg_cells)
        + _diff("duckdb", engine_cells, duck_cells)
        + _diff("pandas", engine_cells, pandas_cells)
    )
    freshness = measure_freshness(size, window, restore=restore)
    return Result(
        size=size,
        counts=count_rows(size),
        engine=engine,
        engine_live=engine_live,
        engine_cached=engine_cached,
        hand_sql=hand_sql,
        duckdb=duckdb_timing,
        pandas=pandas_timing,
        copy_seconds=loaded.copy_seconds,
        parse_seconds=loaded.parse_seconds,
        duckdb_load_seconds=duckdb_load,
        freshness=freshness,
        cells={
            "engine": len(engine_cells),
            "engine_live": len(live_cells),
            "hand_sql": len(pg_cells),
            "duckdb": len(duck_cells),
            "pandas": len(pandas_cells),
        },
        agree=not mismatches,
        mismatches=mismatches,
        totals=methods.root_totals(engine_cells, ROOT_CODE, window.last),
    )


# ---------------------------------------------------------------------------------------------
# The bench database


def _server_settings(database_url: str | None) -> dict[str, Any]:
    if database_url:
        import dj_database_url

        return dict(dj_database_url.parse(database_url))
    return dict(settings.DATABASES["default"])


def _maintenance(server: dict[str, Any]):
    import psycopg

    return psycopg.connect(
        host=server.get("HOST") or None,
        port=server.get("PORT") or None,
        user=server.get("USER") or None,
        password=server.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _database_exists(server: dict[str, Any], name: str) -> bool:
    with _maintenance(server) as maintenance:
        return (
            maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def _create_database(server: dict[str, Any], name: str, *, drop: bool) -> None:
    from psycopg import sql

    with _maintenance(server) as maintenance:
        if drop:
            maintenance.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def use_database(server: dict[str, Any], name: str) -> None:
    """Point Django's default connection at database ``name`` on ``server`` (as the test runner
    does for the test database)."""
    connection.close()
    target = connections.settings["default"]
    for key in ("HOST", "PORT", "USER", "PASSWORD"):
        target[key] = server.get(key, "")
    target["NAME"] = name
    connection.settings_dict.update(
        {key: target[key] for key in ("HOST", "PORT", "USER", "PASSWORD", "NAME")}
    )


def meta_read() -> dict[str, Any] | None:
    """What a bench database says it holds (``bench_meta``), or None if it says nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT size, generator_version, counts FROM {META_TABLE}")
        row = cursor.fetchone()
    if row is None:
        return None
    counts = row[2] if isinstance(row[2], dict) else json.loads(row[2])
    return {"size": row[0], "generator_version": row[1], "counts": counts}


def meta_write(*, size: str, version: int, seconds: float, counts: dict[str, Any]) -> None:
    """Record what a bench database holds, replacing what it said before."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (size text NOT NULL, "
            "generator_version integer NOT NULL, generated_at timestamptz NOT NULL, "
            "generate_seconds double precision NOT NULL, counts jsonb NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {META_TABLE}")
        cursor.execute(
            f"INSERT INTO {META_TABLE} VALUES (%s, %s, now(), %s, %s)",
            [size, version, seconds, json.dumps(counts)],
        )


def prepare(
    size: Size, *, database_url: str | None, regenerate: bool, say: Callable[[str], None]
) -> tuple[bool, float]:
    """Create, migrate and fill ``gongjian_bench_<size>`` unless it already holds this size from
    this generator version. Returns (re-used, generation seconds)."""
    server = _server_settings(database_url)
    if server.get("ENGINE") != "django.db.backends.postgresql":
        raise RuntimeError("The benchmark needs PostgreSQL: set DATABASE_URL or --database-url.")
    name = f"gongjian_bench_{size.database_suffix}"
    main_name = settings.DATABASES["default"].get("NAME")
    if name == main_name:
        raise RuntimeError(f"Refusing to use the main database {main_name!r} for the benchmark.")
    exists = _database_exists(server, name)
    if exists and not regenerate:
        use_database(server, name)
        meta = meta_read()
        if meta and meta["size"] == size.name and meta["generator_version"] == GENERATOR_VERSION:
            say(
                f"Re-using database {name}: size {size.name}, generator version "
                f"{GENERATOR_VERSION} (--regenerate to rebuild)."
            )
            return True, 0.0
        say(f"Database {name} holds another size or generator version: rebuilding it.")
    connection.close()
    _create_database(server, name, drop=exists)
    use_database(server, name)
    say(f"Created database {name}; migrating…")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    say(f"  migrated in {time.perf_counter() - started:.1f} s; generating {size.name}…")
    started = time.perf_counter()
    counts = generate(size)
    seconds = time.perf_counter() - started
    say(f"  generated in {seconds:.1f} s: {counts.as_dict()}")
    # The rows went in by SQL, as a bulk load would: the indicators' monthly cells are built once
    # from them, here by creating the indicators (what `gongjian recompute` does for all).
    started = time.perf_counter()
    indicators = methods.bench_indicators()
    cells = IndicatorCell.objects.count()
    built = time.perf_counter() - started
    say(f"  monthly cells of {len(indicators)} indicators built in {built:.1f} s: {cells:,} cells")
    meta_write(size=size.name, version=GENERATOR_VERSION, seconds=seconds, counts=counts.as_dict())
    return False, seconds


# ---------------------------------------------------------------------------------------------
# The machine and the report


def machine() -> dict[str, str]:
    import duckdb
    import pandas

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            kib = int(meminfo.readline().split()[1])
            memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
        cursor.execute("SHOW max_parallel_workers_per_gather")
        workers = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": memory,
        "OS": platform.platform(),
        "PostgreSQL": (
            f"{server_version} (shared_buffers {shared_buffers}, work_mem {work_mem}, "
            f"max_parallel_workers_per_gather {workers})"
        ),
        "Python": platform.python_version(),
        "Django": __import__("django").get_version(),
        "DuckDB": duckdb.__version__,
        "pandas": pandas.__version__,
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def report_lines(result: Result) -> list[str]:
    size, f = result.size, result.freshness
    lines = [
        f"== gongjian bench rollup --size {size.name} ==",
        "Data: "
        + (
            "re-used (same size and generator version)"
            if result.reused
            else f"generated in {result.generate_seconds:.1f} s"
        ),
        "Rows: " + ", ".join(f"{k} {v:,}" for k, v in result.counts.as_dict().items()),
        f"Window: {size.month_list[0]:%Y-%m}..{size.month_list[-1]:%Y-%m} ({size.months} months),"
        f" as of {size.as_of}; 9 indicators (the demo campaign's: flow sum, event count, "
        "event sum, stock ratio) × every region × every month",
        "Agreement (engine = engine on rows = hand SQL = DuckDB = pandas, every region × month):"
        " "
        + ("PASS" if result.agree else "FAIL")
        + " — cells "
        + ", ".join(f"{k} {v:,}" for k, v in result.cells.items()),
        *[f"  mismatch: {m}" for m in result.mismatches],
        "Root totals: " + "; ".join(f"{code} {value}" for code, value in result.totals.items()),
        "",
        f"{'method':<34}{'runs':>5}{'p50':>14}{'p95':>14}{'max':>14}",
    ]
    for timing, label in (
        (result.engine, "ours: engine (monthly cells)"),
        (result.engine_live, "ours: engine re-reading all rows"),
        (result.engine_cached, "ours: cached (no cell changed)"),
        (result.hand_sql, "hand-written SQL (PostgreSQL)"),
        (result.duckdb, "DuckDB (in memory)"),
        (result.pandas, "pandas groupby"),
    ):
        lines.append(
            f"{label:<34}{len(timing.seconds):>5}{_ms(timing.p50):>14}{_ms(timing.p95):>14}"
            f"{_ms(timing.max):>14}"
        )
    ratio = result.engine.p50 / result.duckdb.p50 if result.duckdb.p50 else float("inf")
    lines += [
        "",
        f"ours/DuckDB (p50): {ratio:.1f}×   ours/hand SQL (p50): "
        f"{result.engine.p50 / result.hand_sql.p50:.2f}×",
        f"Load for DuckDB/pandas: COPY out of PostgreSQL {_ms(result.copy_seconds)}, "
        f"pandas parse {_ms(result.parse_seconds)}, DuckDB ingest "
        f"{_ms(result.duckdb_load_seconds)}",
        f"Freshness: {f.reports} reports of one district approved through report_approve as a "
        f"city reviewer in {_ms(f.approve_seconds)} ({_ms(f.approve_seconds / max(f.reports, 1))}"
        f" each); fresh numbers {_ms(f.fresh_seconds)} after the last approval "
        f"({f.reads} read{'s' if f.reads != 1 else ''}); "
        f"root total {f.before} → {f.after} (expected {f.expected}: "
        + ("PASS" if f.after == f.expected else "FAIL")
        + ")",
        f"Load average (1, 5, 15 min) at the end: {_loadavg()}",
        "Goals: "
        + (
            f"p95 under 50 ms: {'met' if result.engine.p95 < 0.05 else 'NOT met'} "
            f"({_ms(result.engine.p95)})"
            if size.name in ("city", "province", "tiny")
            else f"within 2× of DuckDB: {'met' if ratio <= 2 else 'NOT met'} ({ratio:.1f}×); "
            f"fresh within 1 s of an approval: "
            f"{'met' if f.fresh_seconds <= 1 else 'NOT met'} ({_ms(f.fresh_seconds)})"
        ),
    ]
    return lines


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def run(
    size: Size,
    *,
    database_url: str | None = None,
    regenerate: bool = False,
    repeats: int | None = None,
    say: Callable[[str], None] = print,
) -> Result:
    reused, generate_seconds = prepare(
        size, database_url=database_url, regenerate=regenerate, say=say
    )
    say("Machine:")
    for key, value in machine().items():
        say(f"  {key}: {value}")
    started = dt.datetime.now()
    result = measure(size, repeats=repeats)
    result.reused, result.generate_seconds = reused, generate_seconds
    for line in report_lines(result):
        say(line)
    say(f"(measured in {(dt.datetime.now() - started).total_seconds():.0f} s)")
    return result
