"""Per-indicator monthly totals (``IndicatorCell``) kept exact as reports, stage events,
projects and enterprise spells change, so that the engine reads a few thousand cells instead of
millions of rows.

A cell is an indicator's total for one region (the region the rows belong to) and one month: the
city-approved reports' amounts for a flow sum, the stage events (or their projects' total
investment) for an event count or sum, each with the number of its rows as the cell's base (a
target page's drill-down counts and sums its rows from the cells); for a rate, the month's
change of its numerator and denominator (spells beginning minus spells ending), whose running
sum is the stock at each month's end. Enterprise events (投产, 纳统, 升规纳统) are read live and
have no cells.

How the cells stay exact. Every write that can change a cell — a report approved by the city, a
stage date recorded, a project moved to another region, category or investment, any of them
deleted — adds the difference it makes to the cells it touches, in the same transaction:
``INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value``. Differences commute, so two
approvals of the same district and month in parallel both count (a recomputation of the cell
from its rows would let the later commit overwrite the earlier one's report).

Why model signals rather than the services: the cells must follow every path that writes these
rows — the services, the admin, the Excel import, test factories — and the difference needs the
row as it was loaded (kept by ``post_init``) and as it is saved. Set-based services that save
rows with ``bulk_create``/``bulk_update`` (the Excel imports) send ``core.signals.bulk_saved``
with the rows, and the cells follow all of them at once. Other writes that bypass ``save()``
(``QuerySet.update``, raw SQL: the demo loader and the benchmark generator) call
``rollup_rebuild()`` afterwards. ``gongjian recompute`` rebuilds every cell and ``--check`` reports
any that disagree with their rows without changing them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_init, post_save, pre_save
from django.dispatch import receiver

from gongjian.campaigns.cache import versions_bump, versions_bump_all, versions_bump_statement
from gongjian.campaigns.choices import IndicatorKind
from gongjian.campaigns.definitions import (
    MEASURE_LAND,
    SOURCE_ENTERPRISES,
    SOURCE_REPORTS,
    SOURCE_STAGE_EVENTS,
    Definition,
    DefinitionError,
    definition_parse,
)
from gongjian.campaigns.models import Indicator, IndicatorCell
from gongjian.core.periods import month_start
from gongjian.core.signals import bulk_saved
from gongjian.parks.models import EnterpriseSpell
from gongjian.projects.choices import StageEventStatus
from gongjian.projects.models import Project, StageEvent
from gongjian.reporting.choices import ReportStatus
from gongjian.reporting.models import ProgressReport, ReportingPeriod

ROLLED_KINDS = (
    IndicatorKind.FLOW_SUM,
    IndicatorKind.EVENT_COUNT,
    IndicatorKind.EVENT_SUM,
    IndicatorKind.STOCK_RATIO,
)
ROLLED_SOURCES = (SOURCE_REPORTS, SOURCE_STAGE_EVENTS, SOURCE_ENTERPRISES)
# The month a spell known "since always" (no start date) begins in, for a rate's cells.
ALWAYS = dt.date(1900, 1, 1)
_ALL_TIME = (dt.date(1900, 1, 1), dt.date(9999, 12, 31))

Key = tuple[int, int, dt.date]  # (indicator id, region id, month)


@dataclass(frozen=True)
class ProjectFacts:
    """What decides whether a project's rows count in an indicator, and where."""

    region_id: int
    category_code: str
    total_investment: Decimal


def _matches(definition: Definition, facts: ProjectFacts) -> bool:
    """The project filters of ``engine.source_rows``, applied to one project."""
    if definition.categories and facts.category_code not in definition.categories:
        return False
    return not (
        definition.min_total_investment is not None
        and facts.total_investment < definition.min_total_investment
    )


def rolled_indicators() -> list[tuple[int, Definition]]:
    """The indicators that have cells, with their parsed definitions (one query)."""
    out = []
    rows = Indicator.objects.filter(kind__in=ROLLED_KINDS).values_list("pk", "kind", "definition")
    for pk, kind, definition in rows:
        try:
            parsed = definition_parse(kind, definition)
        except DefinitionError:
            continue  # an invalid definition evaluates to an error, not to cells
        if parsed.source in ROLLED_SOURCES:  # enterprise events are read live
            out.append((pk, parsed))
    return out


Pair = tuple[Decimal, Decimal]  # a cell's (value, base) change


def report_contribution(
    *, status: str, amount: Decimal, month: dt.date, facts: ProjectFacts, indicators
) -> dict[Key, Pair]:
    """What one report adds to the cells: its amount, once city-approved, to every flow sum
    whose filters its project passes, and 1 to the cell's count of rows (its base)."""
    if status != ReportStatus.CITY_APPROVED:
        return {}
    return {
        (pk, facts.region_id, month): (Decimal(amount), Decimal(1))
        for pk, definition in indicators
        if definition.source == SOURCE_REPORTS and _matches(definition, facts)
    }


def event_contribution(
    *, stage: str, date: dt.date, facts: ProjectFacts, indicators
) -> dict[Key, Pair]:
    """What one stage event adds: 1, or its project's total investment, to every event
    indicator of that stage whose filters the project passes, and 1 to the cell's count of
    rows (its base)."""
    out = {}
    for pk, definition in indicators:
        if (
            definition.source == SOURCE_STAGE_EVENTS
            and definition.stage == stage
            and _matches(definition, facts)
        ):
            value = (
                facts.total_investment if definition.measure == "total_investment" else Decimal(1)
            )
            out[(pk, facts.region_id, month_start(date))] = (value, Decimal(1))
    return out


def spell_contribution(*, state: tuple, indicators) -> dict[Key, Pair]:
    """What one enterprise spell adds to a rate's cells: +1 (or its 亩 of industrial land) to
    the denominator — and to the numerator when in a park — in the month it begins, and the
    same taken off in the month it ends (it no longer counts from its end date on)."""
    region_id, park_id, is_above_scale, land, valid_from, valid_to = state
    out: dict[Key, Pair] = {}
    for pk, definition in indicators:
        if definition.source != SOURCE_ENTERPRISES:
            continue
        if definition.above_scale_only and not is_above_scale:
            continue
        amount = Decimal(land or 0) if definition.measure == MEASURE_LAND else Decimal(1)
        in_park = amount if park_id is not None else Decimal(0)
        start = month_start(valid_from) if valid_from else ALWAYS
        out[(pk, region_id, start)] = (in_park, amount)
        if valid_to is not None:
            end = (pk, region_id, month_start(valid_to))
            num, den = out.get(end, (Decimal(0), Decimal(0)))
            out[end] = (num - in_park, den - amount)
    return out


def _pairs(cells: dict) -> dict[Key, Pair]:
    """Contributions as (value, base) pairs: a sum or count changes only the value."""
    return {
        key: value if isinstance(value, tuple) else (Decimal(value), Decimal(0))
        for key, value in cells.items()
    }


def _difference(before: dict, after: dict) -> dict[Key, Pair]:
    deltas: dict[Key, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for sign, cells in ((1, after), (-1, before)):
        for key, (value, base) in _pairs(cells).items():
            deltas[key][0] += sign * value
            deltas[key][1] += sign * base
    return {key: (v, b) for key, (v, b) in deltas.items() if v or b}


def cells_add(deltas: dict[Key, Pair], *, touched: Iterable[Key] = ()) -> None:
    """Add ``deltas`` (value, base) to their cells (creating those that do not exist yet),
    atomically per cell, so that concurrent writers never lose one another's difference; and bump
    the cached evaluations' version (``campaigns.cache``) of every indicator and region changed
    or ``touched`` (a row moved within its month changes no cell, but a read up to a day inside
    that month counts it live), in the same transaction.

    One statement does both (an approval is on the deadline's write path): the cells' upsert, then
    the versions' (a data-modifying ``WITH``), in the caller's transaction without a savepoint."""
    changed = {(indicator, region) for indicator, region, _month in [*deltas, *touched]}
    if not deltas:
        if changed:
            versions_bump(changed)
        return
    table = connection.ops.quote_name(IndicatorCell._meta.db_table)
    # A fixed order, so that two transactions touching the same cells lock them in the same
    # order and cannot deadlock (the cells first, then the versions, as ``versions_bump`` does).
    rows = sorted(deltas.items())
    if connection.vendor != "postgresql":
        _cells_add_statements(table, rows, changed)
        return
    bump_sql, bump_params = versions_bump_statement(changed)
    sql = (
        f"WITH cells AS (INSERT INTO {table} (indicator_id, region_id, month, value, base) "
        f"VALUES {', '.join(['(%s, %s, %s, %s, %s)'] * len(rows))} "
        f"ON CONFLICT (indicator_id, region_id, month) "
        f"DO UPDATE SET value = {table}.value + excluded.value, "
        f"base = {table}.base + excluded.base "
        f"RETURNING indicator_id, region_id, month, value, base), "
        f"bumped AS ({bump_sql}) "
        f"SELECT indicator_id, region_id, month FROM cells WHERE value = 0 AND base = 0"
    )
    params: list[Any] = [value for (i, r, m), (v, b) in rows for value in (i, r, m, str(v), str(b))]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, [*params, *bump_params])
        emptied = cursor.fetchall()
        if emptied:
            # A cell back at zero (a report moved away) is removed, as if it had never been.
            IndicatorCell.objects.filter(
                value=0,
                base=0,
                indicator_id__in={row[0] for row in emptied},
                region_id__in={row[1] for row in emptied},
                month__in={row[2] for row in emptied},
            ).delete()


def _cells_add_statements(table: str, rows: list, changed: set) -> None:
    """``cells_add`` as separate statements, for SQLite (the one-command demo), which has no
    data-modifying WITH: the same upsert, the emptied cells removed, the versions bumped."""
    sql = (
        f"INSERT INTO {table} (indicator_id, region_id, month, value, base) "
        f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT (indicator_id, region_id, month) "
        f"DO UPDATE SET value = {table}.value + excluded.value, "
        f"base = {table}.base + excluded.base"
    )
    params = [(i, r, m, str(v), str(b)) for (i, r, m), (v, b) in rows]
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        IndicatorCell.objects.filter(
            value=0,
            base=0,
            indicator_id__in={key[0] for key, _pair in rows},
            region_id__in={key[1] for key, _pair in rows},
            month__in={key[2] for key, _pair in rows},
        ).delete()
        versions_bump(changed)


def _apply(before: dict, after: dict) -> None:
    """Add the difference between a row's contributions before and after a change."""
    cells_add(_difference(before, after), touched=[*before, *after])


# ---------------------------------------------------------------------------------------------
# Rebuilding from the rows


def _grouped(definition: Definition, *, regions: Iterable[int] | None = None):
    """The rows of a sum or count over all time, grouped by region id and month (one query)."""
    from gongjian.campaigns.engine import source_rows

    rows = source_rows(definition, root_path="/", start=_ALL_TIME[0], end=_ALL_TIME[1])
    if regions is not None:
        rows = rows.filter(project__region_id__in=list(regions))
    keys: dict[str, Any]
    measure: Sum | Count
    if definition.source == SOURCE_REPORTS:
        keys = {"region": F("project__region_id"), "cell_month": F("period__month")}
        measure = Sum("amount")
    else:
        keys = {"region": F("project__region_id"), "cell_month": TruncMonth("date")}
        measure = (
            Sum("project__total_investment")
            if definition.measure == "total_investment"
            else Count("id")
        )
    return rows.values(**keys).annotate(total=measure, rows=Count("id")).order_by()


def _cents(total) -> Decimal:
    """An aggregate at the cells' precision: SQLite sums decimals in floating point
    (62902.9999999999 for 62903.00), PostgreSQL exactly."""
    return Decimal(total or 0).quantize(Decimal("0.01"))


def _as_month(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _cell_totals(definition: Definition) -> dict[tuple[int, dt.date], Pair]:
    """Every cell of ``definition`` computed from the rows: {(region id, month): (value, base)}.
    One grouped query for a sum or count; two (beginnings, endings) for a rate."""
    totals: dict[tuple[int, dt.date], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    if definition.source != SOURCE_ENTERPRISES:
        for row in _grouped(definition):
            cell = totals[(row["region"], _as_month(row["cell_month"]))]
            cell[0] += _cents(row["total"])
            cell[1] += row["rows"]
    else:
        from gongjian.campaigns.engine import in_park_case

        spells = EnterpriseSpell.objects.all()
        if definition.above_scale_only:
            spells = spells.filter(is_above_scale=True)
        measure = Sum("industrial_land_mu") if definition.measure == MEASURE_LAND else Count("id")
        for field, sign, rows in (
            ("valid_from", 1, spells),
            ("valid_to", -1, spells.filter(valid_to__isnull=False)),
        ):
            grouped = (
                rows.values(
                    cell_region=F("region_id"),
                    cell_month=TruncMonth(field),
                    in_park=in_park_case(),
                )
                .annotate(total=measure)
                .order_by()
            )
            for row in grouped:
                month = _as_month(row["cell_month"]) or ALWAYS
                amount = sign * _cents(row["total"])
                cell = totals[(row["cell_region"], month)]
                cell[1] += amount
                if row["in_park"]:
                    cell[0] += amount
    return {key: (v, b) for key, (v, b) in totals.items() if v or b}


def rollup_rebuild(indicator: Indicator | None = None) -> int:
    """Recompute the cells of ``indicator`` (or of every indicator that has cells) from the
    rows; returns the number of cells written."""
    indicators = [
        (pk, definition)
        for pk, definition in rolled_indicators()
        if indicator is None or pk == indicator.pk
    ]
    written = 0
    with transaction.atomic():
        stale = IndicatorCell.objects.all()
        if indicator is not None:
            stale = stale.filter(indicator=indicator)
        stale.delete()
        for pk, definition in indicators:
            cells = [
                IndicatorCell(indicator_id=pk, region_id=region, month=month, value=v, base=b)
                for (region, month), (v, b) in _cell_totals(definition).items()
            ]
            IndicatorCell.objects.bulk_create(cells, batch_size=5000)
            written += len(cells)
        versions_bump_all(pk for pk, _definition in indicators)
        if connection.vendor == "postgresql":
            # Statistics for the planner: after a bulk build it would estimate the cells at a
            # row or two and pick nested loops over them.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(IndicatorCell._meta.db_table)}")
    return written


def rollup_drift() -> list[tuple[str, int, dt.date, Pair, Pair]]:
    """Cells that disagree with their rows: (indicator code, region id, month, stored (value,
    base), actual). Reads only."""
    codes = dict(Indicator.objects.values_list("pk", "code"))
    zero = (Decimal(0), Decimal(0))
    drift = []
    for pk, definition in rolled_indicators():
        actual = _cell_totals(definition)
        stored = {
            (region, month): (value, base)
            for region, month, value, base in IndicatorCell.objects.filter(
                indicator_id=pk
            ).values_list("region_id", "month", "value", "base")
        }
        for key in sorted(set(actual) | set(stored)):
            have, want = stored.get(key, zero), actual.get(key, zero)
            if have != want:
                drift.append((codes[pk], key[0], key[1], have, want))
    return drift


# ---------------------------------------------------------------------------------------------
# Keeping them current: each row remembers how it was loaded, and a save or a delete adds the
# difference between its contributions before and after.

_REPORT_FIELDS = ("status", "amount", "period_id", "project_id")
# Only a confirmed event counts; a claim waiting for the reviewer (or rejected) adds nothing.
_EVENT_FIELDS = ("stage", "date", "project_id", "status")
_PROJECT_FIELDS = ("region_id", "category_id", "total_investment")
_INDICATOR_FIELDS = ("kind", "definition")


def _loaded(instance, fields: tuple[str, ...]) -> tuple | None:
    """The fields as loaded, or None for a new row or when one was deferred (not loaded).
    (``post_init`` runs before ``from_db`` marks the row as stored, so the primary key, not
    ``_state.adding``, tells a stored row from a new one here.)"""
    if instance.pk is None or any(name not in instance.__dict__ for name in fields):
        return None
    return tuple(instance.__dict__[name] for name in fields)


def _facts(project_ids: Iterable[int]) -> dict[int, ProjectFacts]:
    return {
        pk: ProjectFacts(region_id=region, category_code=code, total_investment=investment)
        for pk, region, code, investment in Project.objects.filter(pk__in=list(project_ids))
        .order_by()
        .values_list("pk", "region_id", "category__code", "total_investment")
    }


def _report_cells(state: tuple | None, facts: dict, months: dict, indicators) -> dict:
    if state is None:
        return {}
    status, amount, period_id, project_id = state
    if status != ReportStatus.CITY_APPROVED or project_id not in facts:
        return {}
    return report_contribution(
        status=status,
        amount=amount,
        month=months[period_id],
        facts=facts[project_id],
        indicators=indicators,
    )


def _report_changed(before: tuple | None, after: tuple | None, *, pk: int | None = None) -> None:
    counted = [s for s in (before, after) if s is not None and s[0] == ReportStatus.CITY_APPROVED]
    if not counted or before == after:
        return
    indicators = rolled_indicators()
    if not indicators:
        return
    project_ids, period_ids = {s[3] for s in counted}, {s[2] for s in counted}
    if pk is not None and len(project_ids) == 1 and len(period_ids) == 1:
        # The usual change (an approval, a return): one project and month, read with the row.
        ((project_id, region_id, code, investment, month),) = (
            ProgressReport.objects.filter(pk=pk)
            .order_by()
            .values_list(
                "project_id",
                "project__region_id",
                "project__category__code",
                "project__total_investment",
                "period__month",
            )
        )
        facts = {project_id: ProjectFacts(region_id, code, investment)}
        months = {next(iter(period_ids)): month}
    else:
        facts = _facts(project_ids)
        months = dict(
            ReportingPeriod.objects.filter(pk__in=period_ids).order_by().values_list("pk", "month")
        )
    _apply(
        _report_cells(before, facts, months, indicators),
        _report_cells(after, facts, months, indicators),
    )


def _stored(instance, fields: tuple[str, ...]) -> tuple | None:
    """The row as stored: as loaded, or read again when a field was deferred at load."""
    loaded = getattr(instance, "_rollup_loaded", None)
    if loaded is None and instance.pk is not None and not instance._state.adding:
        loaded = type(instance).objects.filter(pk=instance.pk).values_list(*fields).first()
    return loaded


@receiver(post_init, sender=ProgressReport)
def _report_loaded(sender, instance, **kwargs) -> None:
    instance._rollup_loaded = _loaded(instance, _REPORT_FIELDS)


@receiver(pre_save, sender=ProgressReport)
def _report_saving(sender, instance, **kwargs) -> None:
    instance._rollup_loaded = _stored(instance, _REPORT_FIELDS)


@receiver(post_save, sender=ProgressReport)
def _report_saved(sender, instance, created, **kwargs) -> None:
    after = tuple(getattr(instance, name) for name in _REPORT_FIELDS)
    _report_changed(None if created else instance._rollup_loaded, after, pk=instance.pk)
    instance._rollup_loaded = after


@receiver(post_delete, sender=ProgressReport)
def _report_deleted(sender, instance, **kwargs) -> None:
    _report_changed(getattr(instance, "_rollup_loaded", None), None)


def _event_cells(state: tuple | None, facts: dict, indicators) -> dict:
    if state is None or state[2] not in facts or state[3] != StageEventStatus.CONFIRMED:
        return {}
    stage, date, project_id, _status = state
    return event_contribution(
        stage=stage, date=date, facts=facts[project_id], indicators=indicators
    )


def _event_changed(before: tuple | None, after: tuple | None) -> None:
    if before == after:
        return
    states = [s for s in (before, after) if s is not None]
    indicators = rolled_indicators()
    if not indicators:
        return
    facts = _facts({s[2] for s in states})
    _apply(_event_cells(before, facts, indicators), _event_cells(after, facts, indicators))


@receiver(post_init, sender=StageEvent)
def _event_loaded(sender, instance, **kwargs) -> None:
    instance._rollup_loaded = _loaded(instance, _EVENT_FIELDS)


@receiver(pre_save, sender=StageEvent)
def _event_saving(sender, instance, **kwargs) -> None:
    instance._rollup_loaded = _stored(instance, _EVENT_FIELDS)


@receiver(post_save, sender=StageEvent)
def _event_saved(sender, instance, created, **kwargs) -> None:
    after = tuple(getattr(instance, name) for name in _EVENT_FIELDS)
    _event_changed(None if created else instance._rollup_loaded, after)
    instance._rollup_loaded = after


@receiver(post_delete, sender=StageEvent)
def _event_deleted(sender, instance, **kwargs) -> None:
    _event_changed(getattr(instance, "_rollup_loaded", None), None)


@receiver(post_init, sender=Project)
def _project_loaded(sender, instance, **kwargs) -> None:
    instance._rollup_loaded = _loaded(instance, _PROJECT_FIELDS)


@receiver(pre_save, sender=Project)
def _project_saving(sender, instance, **kwargs) -> None:
    instance._rollup_loaded = _stored(instance, _PROJECT_FIELDS)


@receiver(post_save, sender=Project)
def _project_saved(sender, instance, created, **kwargs) -> None:
    after = tuple(getattr(instance, name) for name in _PROJECT_FIELDS)
    before = instance._rollup_loaded
    instance._rollup_loaded = after
    if created or before is None or before == after:
        return  # a new project has no reports or events yet
    _project_moved(instance.pk, before, after)


def _categories(ids: Iterable[int]) -> dict[int, str]:
    from gongjian.projects.models import Category

    return dict(Category.objects.filter(pk__in=list(ids)).values_list("pk", "code"))


def _project_moved(project_id: int, before: tuple, after: tuple) -> None:
    """A project's region, category or investment changed: its counted reports and its stage
    events move from the cells they were in to the cells they now belong in."""
    _projects_moved({project_id: (before, after)})


def _projects_moved(moves: dict[int, tuple[tuple, tuple]]) -> None:
    """``_project_moved`` for many projects at once: {project id: (before, after)}, in a
    fixed number of queries."""
    if not moves:
        return
    indicators = rolled_indicators()
    if not indicators:
        return
    codes = _categories({state[1] for pair in moves.values() for state in pair})
    facts = {
        pk: tuple(
            ProjectFacts(
                region_id=state[0], category_code=codes[state[1]], total_investment=state[2]
            )
            for state in pair
        )
        for pk, pair in moves.items()
    }
    was: dict[Key, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    now: dict[Key, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    reports = ProgressReport.objects.filter(
        project_id__in=list(moves), status=ReportStatus.CITY_APPROVED
    ).values_list("project_id", "amount", "period__month")
    for project_id, amount, month in reports:
        for project_facts, cells in zip(facts[project_id], (was, now), strict=True):
            for key, (value, rows) in report_contribution(
                status=ReportStatus.CITY_APPROVED,
                amount=amount,
                month=month,
                facts=project_facts,
                indicators=indicators,
            ).items():
                cells[key][0] += value
                cells[key][1] += rows
    events = (
        StageEvent.objects.confirmed()
        .filter(project_id__in=list(moves))
        .values_list("project_id", "stage", "date")
    )
    for project_id, stage, date in events:
        for project_facts, cells in zip(facts[project_id], (was, now), strict=True):
            for key, (value, rows) in event_contribution(
                stage=stage, date=date, facts=project_facts, indicators=indicators
            ).items():
                cells[key][0] += value
                cells[key][1] += rows
    _apply(
        {key: (v, b) for key, (v, b) in was.items()}, {key: (v, b) for key, (v, b) in now.items()}
    )


@receiver(post_init, sender=Indicator)
def _indicator_loaded(sender, instance, **kwargs) -> None:
    instance._rollup_loaded = _loaded(instance, _INDICATOR_FIELDS)


@receiver(post_save, sender=Indicator)
def _indicator_saved(sender, instance, created, **kwargs) -> None:
    after = (instance.kind, instance.definition)
    before = getattr(instance, "_rollup_loaded", None)
    instance._rollup_loaded = after
    if created or before != after:
        rollup_rebuild(instance)


_SPELL_FIELDS = (
    "region_id",
    "park_id",
    "is_above_scale",
    "industrial_land_mu",
    "valid_from",
    "valid_to",
)


def _spell_changed(before: tuple | None, after: tuple | None) -> None:
    if before == after:
        return
    indicators = [(pk, d) for pk, d in rolled_indicators() if d.source == SOURCE_ENTERPRISES]
    if not indicators:
        return
    _apply(
        spell_contribution(state=before, indicators=indicators) if before else {},
        spell_contribution(state=after, indicators=indicators) if after else {},
    )


@receiver(post_init, sender=EnterpriseSpell)
def _spell_loaded(sender, instance, **kwargs) -> None:
    instance._rollup_loaded = _loaded(instance, _SPELL_FIELDS)


@receiver(pre_save, sender=EnterpriseSpell)
def _spell_saving(sender, instance, **kwargs) -> None:
    instance._rollup_loaded = _stored(instance, _SPELL_FIELDS)


@receiver(post_save, sender=EnterpriseSpell)
def _spell_saved(sender, instance, created, **kwargs) -> None:
    after = tuple(getattr(instance, name) for name in _SPELL_FIELDS)
    _spell_changed(None if created else instance._rollup_loaded, after)
    instance._rollup_loaded = after


@receiver(post_delete, sender=EnterpriseSpell)
def _spell_deleted(sender, instance, **kwargs) -> None:
    _spell_changed(getattr(instance, "_rollup_loaded", None), None)


def _spells_changed(changes: list[tuple[tuple | None, tuple | None]]) -> None:
    """``_spell_changed`` for many spells at once (one indicator read, one cell write)."""
    changes = [(before, after) for before, after in changes if before != after]
    if not changes:
        return
    indicators = [(pk, d) for pk, d in rolled_indicators() if d.source == SOURCE_ENTERPRISES]
    if not indicators:
        return
    was: dict[Key, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    now: dict[Key, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for before, after in changes:
        for state, cells in ((before, was), (after, now)):
            if state is None:
                continue
            for key, (value, base) in spell_contribution(
                state=state, indicators=indicators
            ).items():
                cells[key][0] += value
                cells[key][1] += base
    _apply(
        {key: (v, b) for key, (v, b) in was.items()}, {key: (v, b) for key, (v, b) in now.items()}
    )


@receiver(bulk_saved)
def _bulk_saved(sender, instances, **kwargs) -> None:
    """Rows saved in bulk: the same differences as their post_save would add, all at once."""
    if sender is EnterpriseSpell:
        changes: list[tuple[tuple | None, tuple | None]] = []
        for spell in instances:
            after = tuple(getattr(spell, name) for name in _SPELL_FIELDS)
            changes.append((getattr(spell, "_rollup_loaded", None), after))
            spell._rollup_loaded = after
        _spells_changed(changes)
    elif sender is Project:
        moves = {}
        for project in instances:
            after = tuple(getattr(project, name) for name in _PROJECT_FIELDS)
            before = getattr(project, "_rollup_loaded", None)
            project._rollup_loaded = after
            if before is not None and before != after:
                moves[project.pk] = (before, after)
        _projects_moved(moves)
