"""The rollup benchmark at the hidden ``tiny`` size, in the PostgreSQL test database: the exact rows
it generates, and the engine, hand SQL, DuckDB and pandas agreeing on every number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongjian.bench.generate import ROOT_CODE, Counts, count_rows, generate
from gongjian.bench.rollup import Timing, measure, report_lines
from gongjian.bench.sizes import SIZES
from gongjian.campaigns.rollup import rollup_drift
from gongjian.reporting.choices import ReportStatus
from gongjian.reporting.models import ProgressReport

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TINY = SIZES["tiny"]


def test_generate_writes_the_exact_rows_of_the_size():
    # given an empty ledger (the migrations' reference data only)
    # when the tiny size is generated
    counts = generate(TINY)

    # then: 1 + 2 + 4 regions; 40 projects × 3 months of reports, of which (g + m) = 23 gives 3
    # submitted and (g + m) = 29 gives 3 drafts, and the 6 latest key-construction reports of
    # the first leaf are left district-approved (one of them was a submitted one: g 21, m 2);
    # stage events: 40 signed, 24 started (the 28 non-signed projects but g 10, 20, 30, 40),
    # 8 completed (g 3, 9, 12, 18, 21, 27, 33, 39); one park per leaf; 60 enterprises
    assert counts == Counts(
        regions=7,
        projects=40,
        periods=3,
        reports=120,
        counted_reports=109,
        fresh_reports=6,
        stage_events=72,
        parks=4,
        enterprises=60,
    )
    assert count_rows(TINY) == counts


def test_the_four_methods_agree_and_freshness_shows_the_approved_reports():
    # given the tiny size
    generate(TINY)

    # when every method is measured once
    result = measure(TINY, repeats=1)

    # then every region × month cell is the same in all four, 89 cells each
    assert result.mismatches == []
    assert result.agree is True
    assert result.cells == {
        "engine": 89,
        "engine_live": 89,
        "hand_sql": 89,
        "duckdb": 89,
        "pandas": 89,
    }
    # and the root's totals are exact (signed count by hand: of the 12 signed-category projects
    # only g 4, 14, 24 and 34 sign inside Oct–Dec 2022)
    assert result.totals == {
        "xmgj-key-investment": Decimal("21920.99"),
        "xmgj-key-started": Decimal(9),
        "xmgj-park-entry-rate": (17, 38),
        "xmgj-signed-count": Decimal(4),
        "xmgj-signed-investment": Decimal("353844.00"),
        "xmgj-urban-started": Decimal(6),
    }
    # and the 6 approvals went through the service and were read back at once
    fresh = result.freshness
    assert (fresh.reports, fresh.reads) == (6, 1)
    assert fresh.before == Decimal("21920.99")
    assert fresh.after == fresh.expected == Decimal("23888.82")
    # and the reports were put back for the next run
    assert (
        ProgressReport.objects.filter(
            project__code__startswith="BP", status=ReportStatus.DISTRICT_APPROVED
        ).count()
        == 6
    )
    # through the models, so that the cells follow and the next run agrees again
    assert rollup_drift() == []
    lines = report_lines(result)
    assert lines[0] == "== gongjian bench rollup --size tiny =="
    assert any(line.startswith("Agreement (") and "PASS" in line for line in lines)
    assert ROOT_CODE == "B000000"


def test_timing_percentiles_use_the_nearest_rank():
    timing = Timing("engine", [0.5, 0.1, 0.4, 0.2, 0.3])
    assert (timing.p50, timing.p95, timing.max) == (0.3, 0.5, 0.5)
