"""Set-based generation of benchmark rows (INSERT … SELECT over generate_series), never row by row.

Every value is a function of a row's ordinal (project ``g``, month index ``m``, enterprise ``e``),
not of database ids, so the same size always produces the same rows and the same totals, in a
fresh bench database and in the test database alike.

Rows, for a size: a region tree with materialised paths (codes ``B<level><index>``, root
``B000000``), projects over the leaves in the four campaign categories, one report per project
and month (most city-approved, some draft or submitted, and ``fresh_reports`` of the first leaf
left district-approved for the freshness run), stage events (signed, started, completed; some
before the window and some after it), one park per leaf and enterprises, some above-scale and in
a park, with dates before, inside and after the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction

from gongjian.bench.sizes import Size
from gongjian.parks.models import Enterprise, Park
from gongjian.projects.models import Category, Project, StageEvent
from gongjian.regions.models import Region
from gongjian.reporting.models import ProgressReport, ReportingPeriod

ROOT_CODE = "B000000"
PROJECT_PREFIX = "BP"
# Project category by ``g % 10``: 40 % key construction, 30 % signed, 20 % urban, 10 % new infra.
CATEGORY_CASE = (
    "CASE WHEN g %% 10 < 4 THEN 'key-construction' WHEN g %% 10 < 7 THEN 'investment-signed' "
    "WHEN g %% 10 < 9 THEN 'urban-quality' ELSE 'new-infrastructure' END"
)


def region_code(level: int, index: int) -> str:
    return f"B{level}{index:05d}"


@dataclass(frozen=True)
class Counts:
    """The rows a generation wrote."""

    regions: int
    projects: int
    periods: int
    reports: int
    counted_reports: int
    fresh_reports: int
    stage_events: int
    parks: int
    enterprises: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _kinds(depth: int) -> list[str]:
    """Region kinds by level, root first: the leaves are counties, their parents cities."""
    from_leaf = ["county", "city", "province", "province"]
    return list(reversed(from_leaf[:depth]))


def _execute(cursor, sql: str, params: dict | None = None) -> None:
    cursor.execute(sql, params or {})


def _is_superuser(cursor) -> bool:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    return bool(row and row[0])


def generate(size: Size) -> Counts:
    """Write the rows of ``size`` into the current database (PostgreSQL) and return the counts.

    Runs in one transaction. Foreign-key triggers are switched off for the bulk inserts when the
    role may do so (the rows are built consistent), as a bulk load would.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("The benchmark generator needs PostgreSQL.")
    first = size.first_month
    last = size.month_list[-1]
    window_days = (size.as_of - first).days + 1
    params = {
        "first": first,
        "last": last,
        "window_days": window_days,
        "projects": size.projects,
        "enterprises": size.enterprises,
        "leaves": size.leaves,
        "leaf_level": len(size.levels) - 1,
        "fresh": size.fresh_reports,
        "prefix": PROJECT_PREFIX,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        fast = _is_superuser(cursor)
        if fast:
            _execute(cursor, "SET LOCAL session_replication_role = replica")
        _regions(cursor, size)
        _projects(cursor, params)
        _periods(cursor, size)
        _reports(cursor, params)
        _stage_events(cursor, params)
        _parks_and_enterprises(cursor, params)
        _enterprise_spells(cursor)
        if fast:
            _execute(cursor, "SET LOCAL session_replication_role = DEFAULT")
        for model in (
            Region,
            Project,
            ReportingPeriod,
            ProgressReport,
            StageEvent,
            Park,
            Enterprise,
        ):
            _execute(cursor, f"ANALYZE {model._meta.db_table}")
    return count_rows(size)


def _regions(cursor, size: Size) -> None:
    table = Region._meta.db_table
    kinds = _kinds(len(size.levels))
    _execute(
        cursor,
        f"INSERT INTO {table} (code, name, name_en, short_name, kind, parent_id, path, "
        "is_reporting, assessment_group_id, sort_order) "
        "VALUES (%(code)s, '基准根区域', 'Bench root', '', %(kind)s, NULL, %(path)s, true, "
        "NULL, 0)",
        {"code": ROOT_CODE, "kind": kinds[0], "path": f"/{ROOT_CODE}/"},
    )
    for level in range(1, len(size.levels)):
        count, parent_count = size.levels[level], size.levels[level - 1]
        _execute(
            cursor,
            f"INSERT INTO {table} (code, name, name_en, short_name, kind, parent_id, path, "
            "is_reporting, assessment_group_id, sort_order) "
            "SELECT c.code, '基准区域' || c.code, '', '', %(kind)s, parent.id, "
            "parent.path || c.code || '/', true, NULL, c.i %% 32767 "
            "FROM (SELECT i, 'B' || %(level)s || lpad(i::text, 5, '0') AS code, "
            "'B' || %(parent_level)s || lpad((i * %(parent_count)s / %(count)s)::text, 5, '0') "
            "AS parent_code FROM generate_series(0, %(count)s - 1) AS i) AS c "
            f"JOIN {table} AS parent ON parent.code = c.parent_code",
            {
                "kind": kinds[level],
                "level": str(level),
                "parent_level": str(level - 1),
                "count": count,
                "parent_count": parent_count,
            },
        )


def _projects(cursor, params: dict) -> None:
    _execute(
        cursor,
        f"INSERT INTO {Project._meta.db_table} (code, name, region_id, category_id, "
        "industry_chain_id, owner_enterprise, responsible_unit, total_investment, annual_plan, "
        "longitude, latitude, description, stage, version, created_at, updated_at, created_by_id, "
        "owner_uscc, responsible_person, responsible_phone, is_provincial_key, is_city_key, "
        "is_county_key, project_class, markers, national_code) "
        "SELECT %(prefix)s || lpad(g::text, 7, '0'), '基准项目' || g, leaf.id, category.id, NULL, "
        "'', '', t.total, round(t.total / 4, 2), NULL, NULL, '', 'signed', 1, now(), now(), NULL, "
        "'', '', '', false, false, false, '', '', '' "
        "FROM (SELECT g, ((g::bigint * 7919) %% 250000 + 500)::numeric(16, 2) AS total, "
        "'B' || %(leaf_level)s || lpad(((g - 1) %% %(leaves)s)::text, 5, '0') AS leaf_code, "
        f"{CATEGORY_CASE} AS category_code "
        "FROM generate_series(1, %(projects)s) AS g) AS t "
        f"JOIN {Region._meta.db_table} AS leaf ON leaf.code = t.leaf_code "
        f"JOIN {Category._meta.db_table} AS category ON category.code = t.category_code",
        {**params, "leaf_level": str(params["leaf_level"])},
    )


def _periods(cursor, size: Size) -> None:
    _execute(
        cursor,
        f"INSERT INTO {ReportingPeriod._meta.db_table} (month, due_date, state, created_at) "
        "SELECT m::date, (m + interval '1 month' + interval '4 days')::date, 'open', now() "
        "FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') AS m "
        "ON CONFLICT (month) DO NOTHING",
        {"first": size.first_month, "last": size.month_list[-1]},
    )


def _project_rows() -> str:
    """The bench projects with their ordinal ``g``."""
    return (
        f"(SELECT id, substring(code from 3)::int AS g, region_id, category_id "
        f"FROM {Project._meta.db_table} WHERE code LIKE 'BP%%') AS p"
    )


def _reports(cursor, params: dict) -> None:
    report_table = ProgressReport._meta.db_table
    _execute(
        cursor,
        f"INSERT INTO {report_table} (project_id, period_id, amount, progress_text, "
        "adjustment_note, status, warnings, version, created_by_id, created_at, updated_at, "
        "submitted_at) "
        "SELECT p.id, period.id, "
        "((p.g::bigint * 7919 + per_m.m * 104729) %% 99991)::numeric / 100, '', '', "
        "CASE WHEN (p.g + per_m.m) %% 23 = 0 THEN 'submitted' "
        "WHEN (p.g + per_m.m) %% 29 = 0 THEN 'draft' ELSE 'city_approved' END, "
        "'[]'::jsonb, 1, NULL, now(), now(), NULL "
        f"FROM {_project_rows()} CROSS JOIN "
        "(SELECT id, ((extract(year FROM month) - extract(year FROM %(first)s::date)) * 12 "
        "+ extract(month FROM month) - extract(month FROM %(first)s::date))::int AS m "
        f"FROM {ReportingPeriod._meta.db_table} "
        "WHERE month BETWEEN %(first)s AND %(last)s) AS per_m "
        f"JOIN {ReportingPeriod._meta.db_table} AS period ON period.id = per_m.id",
        params,
    )
    # The freshness run's reports: the latest key-construction reports of the first leaf, left
    # for the city's review.
    _execute(
        cursor,
        f"UPDATE {report_table} SET status = 'district_approved' WHERE id IN ("
        f"SELECT r.id FROM {report_table} AS r "
        f"JOIN {Project._meta.db_table} AS p ON p.id = r.project_id "
        f"JOIN {Region._meta.db_table} AS leaf ON leaf.id = p.region_id "
        f"JOIN {Category._meta.db_table} AS c ON c.id = p.category_id "
        f"JOIN {ReportingPeriod._meta.db_table} AS period ON period.id = r.period_id "
        "WHERE leaf.code = 'B' || %(leaf_level)s || '00000' AND c.code = 'key-construction' "
        "AND p.code LIKE 'BP%%' AND period.month BETWEEN %(first)s AND %(last)s "
        "ORDER BY period.month DESC, p.code LIMIT %(fresh)s)",
        {**params, "leaf_level": str(params["leaf_level"])},
    )


def _stage_events(cursor, params: dict) -> None:
    # Signed: every project, from 90 days before the window to its end. Started: the built
    # categories, 4 in 5; completed: a third of those. Later stages may fall after the window.
    _execute(
        cursor,
        f"INSERT INTO {StageEvent._meta.db_table} (project_id, stage, date, note, actor_id, "
        "recorded_at, status, evidence, evidence_type, rejection_reason) "
        "SELECT id, stage, day, '', NULL, now(), 'confirmed', '', '', '' FROM ("
        "SELECT p.id, p.g, signed.day AS signed_day, "
        "(signed.day + 30 + p.g %% 200) AS started_day, "
        "(signed.day + 130 + p.g %% 200 + (p.g * 11) %% 400) AS completed_day, "
        "c.code AS category_code "
        f"FROM {_project_rows()} "
        f"JOIN {Category._meta.db_table} AS c ON c.id = p.category_id "
        "CROSS JOIN LATERAL (SELECT %(first)s::date - 90 "
        "+ ((p.g::bigint * 37) %% (%(window_days)s + 90))::int AS day) AS signed"
        ") AS x CROSS JOIN LATERAL (VALUES "
        "('signed', signed_day, true), "
        "('started', started_day, category_code <> 'investment-signed' AND g %% 5 <> 0), "
        "('completed', completed_day, "
        "category_code <> 'investment-signed' AND g %% 5 <> 0 AND g %% 3 = 0)"
        ") AS e(stage, day, present) WHERE present",
        params,
    )


def _parks_and_enterprises(cursor, params: dict) -> None:
    region_table = Region._meta.db_table
    park_table = Park._meta.db_table
    leaf_level = str(params["leaf_level"])
    _execute(
        cursor,
        f"INSERT INTO {park_table} (code, name, region_id, kind, planned_area_mu, "
        "is_standardised, sort_order, created_at, updated_at) "
        "SELECT 'bench-' || lower(code), '基准园区' || code, id, 'industrial_park', NULL, false, "
        f"0, now(), now() FROM {region_table} WHERE code LIKE 'B' || %(leaf_level)s || '%%'",
        {"leaf_level": leaf_level},
    )
    columns = {field.column for field in Enterprise._meta.concrete_fields}
    # The registry's operating status, where the schema has it (a working enterprise).
    extra_columns, extra_values = (
        (", operating_status", ", 'operating'") if "operating_status" in columns else ("", "")
    )
    # Above-scale: 2 in 3 (the date unknown for 1 in 7 of them); in a park: every other one
    # (the entry date unknown for 1 in 5 of them).
    _execute(
        cursor,
        f"INSERT INTO {Enterprise._meta.db_table} (uscc, name, region_id, park_id, "
        "is_above_scale, above_scale_since, entered_park_on, industry_chain_id, "
        f"industrial_land_mu, created_at, updated_at{extra_columns}) "
        "SELECT 'BENCH' || lpad(e::text, 13, '0'), '基准企业' || e, leaf.id, "
        "CASE WHEN e %% 2 = 0 THEN park.id END, e %% 3 <> 0, "
        "CASE WHEN e %% 3 <> 0 AND e %% 7 <> 0 THEN "
        "%(first)s::date - 365 + ((e::bigint * 13) %% (%(window_days)s + 420))::int END, "
        "CASE WHEN e %% 2 = 0 AND e %% 5 <> 0 THEN "
        "%(first)s::date - 180 + ((e::bigint * 7) %% (%(window_days)s + 240))::int END, "
        f"NULL, NULL, now(), now(){extra_values} "
        "FROM (SELECT e, 'B' || %(leaf_level)s || lpad(((e - 1) %% %(leaves)s)::text, 5, '0') "
        "AS leaf_code FROM generate_series(1, %(enterprises)s) AS e) AS t "
        f"JOIN {region_table} AS leaf ON leaf.code = t.leaf_code "
        f"JOIN {park_table} AS park ON park.region_id = leaf.id",
        {**params, "leaf_level": leaf_level},
    )


def count_rows(size: Size) -> Counts:
    """Count what is in the database for the bench tree (one query per table)."""
    del size  # the bench rows are recognised by their codes
    with connection.cursor() as cursor:

        def one(sql: str) -> int:
            cursor.execute(sql, [])
            return int(cursor.fetchone()[0])

        bench_projects = f"SELECT id FROM {Project._meta.db_table} WHERE code LIKE 'BP%%'"
        report_table = ProgressReport._meta.db_table
        return Counts(
            regions=one(
                f"SELECT count(*) FROM {Region._meta.db_table} WHERE path LIKE '/{ROOT_CODE}/%%'"
            ),
            projects=one(f"SELECT count(*) FROM ({bench_projects}) AS p"),
            periods=one(
                f"SELECT count(DISTINCT period_id) FROM {report_table} "
                f"WHERE project_id IN ({bench_projects})"
            ),
            reports=one(
                f"SELECT count(*) FROM {report_table} WHERE project_id IN ({bench_projects})"
            ),
            counted_reports=one(
                f"SELECT count(*) FROM {report_table} WHERE project_id IN ({bench_projects}) "
                "AND status = 'city_approved'"
            ),
            fresh_reports=one(
                f"SELECT count(*) FROM {report_table} WHERE project_id IN ({bench_projects}) "
                "AND status = 'district_approved'"
            ),
            stage_events=one(
                f"SELECT count(*) FROM {StageEvent._meta.db_table} "
                f"WHERE project_id IN ({bench_projects})"
            ),
            parks=one(f"SELECT count(*) FROM {Park._meta.db_table} WHERE code LIKE 'bench-%%'"),
            enterprises=one(
                f"SELECT count(*) FROM {Enterprise._meta.db_table} WHERE uscc LIKE 'BENCH%%'"
            ),
        )


def window(size: Size) -> tuple[dt.date, dt.date]:
    return size.first_month, size.as_of


def _enterprise_spells(cursor) -> None:
    """The dated spells the engine reads the stock ratio from, where the schema has them:
    ``parks.history.initial_spells`` as one statement (a spell from "always", then one from each
    known date the enterprise gained the flag or entered its park)."""
    from django.apps import apps

    try:
        spell = apps.get_model("parks", "EnterpriseSpell")
    except LookupError:
        return
    _execute(
        cursor,
        f"INSERT INTO {spell._meta.db_table} (enterprise_id, region_id, park_id, "
        "is_above_scale, previous_above_scale, industrial_land_mu, valid_from, valid_to, "
        "created_at) "
        "SELECT id, region_id, CASE WHEN in_park THEN park_id END, above, "
        "lag(above) OVER w, NULL, begin_day, lead(begin_day) OVER w, now() FROM ("
        "SELECT e.id, e.region_id, e.park_id, point.begin_day, "
        "e.is_above_scale AND (e.above_scale_since IS NULL "
        "OR coalesce(e.above_scale_since <= point.begin_day, false)) AS above, "
        "e.park_id IS NOT NULL AND (e.entered_park_on IS NULL "
        "OR coalesce(e.entered_park_on <= point.begin_day, false)) AS in_park "
        f"FROM {Enterprise._meta.db_table} AS e CROSS JOIN LATERAL ("
        "SELECT NULL::date AS begin_day UNION "
        "SELECT e.above_scale_since WHERE e.is_above_scale AND e.above_scale_since IS NOT NULL "
        "UNION SELECT e.entered_park_on WHERE e.park_id IS NOT NULL "
        "AND e.entered_park_on IS NOT NULL) AS point "
        "WHERE e.uscc LIKE 'BENCH%%') AS spells "
        "WINDOW w AS (PARTITION BY id ORDER BY begin_day NULLS FIRST)",
        {},
    )
