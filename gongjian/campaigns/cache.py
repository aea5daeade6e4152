"""Evaluations kept between requests, valid exactly as long as the cells under them are unchanged.

A dashboard evaluates every target of a campaign on every page; the numbers change only when a
cell changes (a report approved by the city, a stage date recorded, a project or an enterprise
moved). So an evaluation is kept per (indicator, root region, window, as-of) together with the
*version* of that indicator at that root: a counter (``IndicatorVersion``) that every cell write
bumps for the cell's region and each region above it, in the same transaction as the cell
(``versions_bump``, called by ``rollup.cells_add`` and ``rollup_rebuild``). A read first reads
the versions (one small query for every indicator of the page), and uses a kept evaluation only
when its version is the current one. There is no time-based staleness: the first read after an
approval commits sees the new version and evaluates afresh.

Why this is exact. The version and the cells are committed together, and a reader reads the
version before the cells: a reader that sees the old version may compute from the old or the new
cells, but whatever it keeps is filed under the old version, which nobody asks for once the new
one is visible. An evaluation is kept only when computed outside a transaction (autocommit), so
that what a transaction wrote and later rolled back never reaches the cache.

The cache is per process (a bounded LRU dictionary): gunicorn's workers each keep their own,
and nothing is pickled. Evaluations are shared between requests and must not be changed by
their readers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, router, transaction

from gongjian.campaigns.models import IndicatorCell, IndicatorVersion

if TYPE_CHECKING:
    from gongjian.campaigns.engine import Evaluation

# Evaluations kept per process; a city's dashboards need a few dozen.
MAX_ENTRIES = 512

_lock = threading.Lock()
_entries: OrderedDict[tuple, Evaluation] = OrderedDict()
_stats = {"hits": 0, "misses": 0}


def is_enabled() -> bool:
    return bool(getattr(settings, "GONGJIAN_EVALUATION_CACHE", True))


def clear() -> None:
    with _lock:
        _entries.clear()
        _stats.update(hits=0, misses=0)


def stats() -> dict[str, int]:
    with _lock:
        return {**_stats, "entries": len(_entries)}


def read_alias() -> str:
    """The database the engine reads cells from (the replica router may pick a replica)."""
    return router.db_for_read(IndicatorCell) or "default"


def versions_of(pairs: Iterable[tuple[int, str]], *, using: str) -> dict[tuple[int, str], int]:
    """The current version of each (indicator id, root path): one query for all of them.
    A root with no version row has never changed since the cells were first built: 0."""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = IndicatorVersion.objects.using(using).filter(
        indicator_id__in={pk for pk, _path in pairs},
        region__path__in={path for _pk, path in pairs},
    )
    found = {
        (pk, path): version
        for pk, path, version in rows.values_list("indicator_id", "region__path", "version")
    }
    return {pair: found.get(pair, 0) for pair in pairs}


def get(key: tuple) -> Evaluation | None:
    with _lock:
        evaluation = _entries.get(key)
        if evaluation is None:
            _stats["misses"] += 1
            return None
        _entries.move_to_end(key)
        _stats["hits"] += 1
        return evaluation


def put(key: tuple, evaluation: Evaluation, *, using: str) -> None:
    """Keep ``evaluation`` unless it was computed inside a transaction (see the module's note)."""
    if connections[using].in_atomic_block:
        return
    with _lock:
        _entries[key] = evaluation
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def versions_bump_statement(keys: Iterable[tuple[int, int]]) -> tuple[str, list[Any]]:
    """The statement of ``versions_bump`` (for ``rollup.cells_add`` to run it in the same
    statement as the cells' upsert): SQL and parameters. Rows are written in one order
    (indicator id, region id), so two writers cannot deadlock on them."""
    from gongjian.regions.models import Region

    keys = sorted(set(keys))
    connection = transaction.get_connection()
    table = connection.ops.quote_name(IndicatorVersion._meta.db_table)
    regions = connection.ops.quote_name(Region._meta.db_table)
    values = ", ".join(["(%s, %s)"] * len(keys))
    params: list[Any] = [value for key in keys for value in key]
    # Each changed region and its ancestors (the regions whose path is a prefix of its path).
    # PostgreSQL takes the changed keys inline (so that the statement can sit inside the cells'
    # data-modifying WITH); SQLite, the demo's database, only as a WITH of its own.
    if connection.vendor == "postgresql":
        changed = f"FROM (VALUES {values}) AS changed (indicator_id, region_id) "
        head = ""
    else:
        changed = "FROM changed "
        head = f"WITH changed (indicator_id, region_id) AS (VALUES {values}) "
    sql = (
        f"{head}INSERT INTO {table} (indicator_id, region_id, version) "
        f"SELECT DISTINCT changed.indicator_id, above.id, 1 "
        f"{changed}"
        f"JOIN {regions} AS leaf ON leaf.id = changed.region_id "
        f"JOIN {regions} AS above ON leaf.path LIKE above.path || '%%' "
        f"WHERE 1 = 1 ORDER BY 1, 2 "
        f"ON CONFLICT (indicator_id, region_id) DO UPDATE SET version = {table}.version + 1"
    )
    return sql, params


def versions_bump(keys: Iterable[tuple[int, int]]) -> None:
    """Bump the version of each (indicator id, region id) and of every region above that region,
    in the caller's transaction (without a savepoint of its own)."""
    keys = set(keys)
    if not keys:
        return
    sql, params = versions_bump_statement(keys)
    with transaction.atomic(savepoint=False), transaction.get_connection().cursor() as cursor:
        cursor.execute(sql, params)


def versions_bump_all(indicator_ids: Iterable[int]) -> None:
    """Bump every region's version of these indicators (after their cells were rebuilt)."""
    from gongjian.regions.models import Region

    ids = sorted(set(indicator_ids))
    if not ids:
        return
    connection = transaction.get_connection()
    table = connection.ops.quote_name(IndicatorVersion._meta.db_table)
    regions = connection.ops.quote_name(Region._meta.db_table)
    sql = (
        f"INSERT INTO {table} (indicator_id, region_id, version) "
        f"SELECT %s, id, 1 FROM {regions} WHERE 1 = 1 ORDER BY id "
        f"ON CONFLICT (indicator_id, region_id) DO UPDATE SET version = {table}.version + 1"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, [(pk,) for pk in ids])
