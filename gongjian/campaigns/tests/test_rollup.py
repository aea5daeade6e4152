"""The indicators' monthly cells stay equal to a full recomputation from the rows, whatever
sequence of creates, edits, approvals, returns and deletions of reports, stage events and
projects happens; `gongjian recompute` rebuilds them and `--check` finds drift."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjian.campaigns.engine import evaluate_path
from gongjian.campaigns.models import Indicator, IndicatorCell
from gongjian.campaigns.rollup import rollup_drift, rollup_rebuild
from gongjian.parks.models import EnterpriseSpell
from gongjian.projects.models import Category, Project, StageEvent
from gongjian.regions.models import Region
from gongjian.reporting.models import ProgressReport
from gongjian.tests.factories import (
    EnterpriseFactory,
    IndicatorFactory,
    ParkFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
)

pytestmark = pytest.mark.django_db

CITY = "/350000/350500/"
MONTHS = [dt.date(2022, m, 1) for m in (1, 2, 3)]
REGIONS = ("350502", "350503", "350582")
CATEGORIES = ("key-construction", "investment-signed")
INVESTMENTS = (Decimal("50000.00"), Decimal("199999.99"), Decimal("200000.00"))
STATUSES = ("draft", "submitted", "district_approved", "city_approved", "returned")
STAGES = ("signed", "started")
AMOUNTS = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False)


@pytest.fixture
def indicators(db):
    """One indicator of each rolled-up kind, two with project filters."""
    return [
        IndicatorFactory.create(),  # flow sum of key projects' approved reports
        IndicatorFactory.create(
            code="all-investment",
            name="全部完成投资",
            definition={"source": "reports", "measure": "amount"},
        ),
        IndicatorFactory.create(
            code="started",
            name="新开工",
            kind="event_count",
            unit="个",
            definition={"source": "stage_events", "stage": "started"},
        ),
        IndicatorFactory.create(
            code="signed-20yi",
            name="20亿元以上签约",
            kind="event_count",
            unit="个",
            definition={
                "source": "stage_events",
                "stage": "signed",
                "min_total_investment": "200000",
            },
        ),
        IndicatorFactory.create(
            code="entry-rate",
            name="规上工业企业入园率",
            kind="stock_ratio",
            unit="%",
            definition={
                "source": "enterprises",
                "numerator": {"in_park": True},
                "denominator": {"above_scale": True},
            },
        ),
        IndicatorFactory.create(
            code="land-share",
            name="园区工业用地占比",
            kind="stock_ratio",
            unit="%",
            definition={
                "source": "enterprises",
                "measure": "industrial_land_mu",
                "numerator": {"in_park": True},
                "denominator": {"industrial": True},
            },
        ),
        IndicatorFactory.create(
            code="signed-investment",
            name="招引资金",
            kind="event_sum",
            unit="万元",
            definition={
                "source": "stage_events",
                "stage": "signed",
                "measure": "total_investment",
                "categories": ["investment-signed"],
            },
        ),
    ]


def _nonzero(increments: dict) -> dict:
    """Increments without zeros: a report of 0.00 万元 counts as nothing either way (a cell that
    comes back to zero is removed)."""
    out = {}
    for code, months in increments.items():
        kept = {month: value for month, value in months.items() if value}
        if kept:
            out[code] = kept
    return out


def _rates(evaluation) -> dict:
    """Every region's rate at the end of the month before the window and of each month."""
    months = [dt.date(2021, 12, 1), *MONTHS]
    return {
        (code, month): evaluation.parts(code, month)
        for code in ("350500", *REGIONS)
        for month in months
    }


def _assert_cells_equal_rows(indicators) -> None:
    assert rollup_drift() == []
    for as_of in (dt.date(2022, 3, 31), dt.date(2022, 3, 10)):
        for indicator in indicators:
            cells, rows = (
                evaluate_path(
                    indicator=indicator, root_path=CITY, months=MONTHS, as_of=as_of, live=live
                )
                for live in (False, True)
            )
            if indicator.kind == "stock_ratio":
                assert _rates(cells) == _rates(rows), (indicator.code, as_of)
            else:
                assert _nonzero(cells.increments) == _nonzero(rows.increments), indicator.code


# One step of a random history: (operation, which row, a value).
STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "project",
                "move_project",
                "delete_project",
                "report",
                "set_status",
                "edit_amount",
                "delete_report",
                "event",
                "move_event",
                "delete_event",
                "spell",
                "edit_spell",
                "delete_spell",
            ]
        ),
        st.integers(min_value=0, max_value=50),
        st.integers(min_value=0, max_value=50),
        AMOUNTS,
    ),
    max_size=25,
)


def _pick(items: list, index: int):
    return items[index % len(items)] if items else None


SPELL_DATES = (None, dt.date(2021, 11, 3), dt.date(2022, 1, 1), dt.date(2022, 2, 14))
END_DATES = (None, dt.date(2022, 2, 1), dt.date(2022, 3, 5), dt.date(2022, 3, 20))


def _run_spell(operation, i, j, amount, refs) -> None:
    if operation == "spell":
        region = refs["regions"][REGIONS[i % 3]]
        enterprise = EnterpriseFactory.create(region=region, spells=False)
        start = SPELL_DATES[i % 4]
        end = END_DATES[j % 4]
        if start is not None and end is not None and end <= start:
            end = None
        EnterpriseSpell.objects.create(
            enterprise=enterprise,
            region=region,
            park=refs["parks"][region.code] if j % 2 else None,
            is_above_scale=bool(i % 3),
            industrial_land_mu=amount if (i + j) % 4 else None,
            valid_from=start,
            valid_to=end,
        )
        return
    spell = _pick(list(EnterpriseSpell.objects.order_by("pk")), i)
    if spell is None:
        return
    if operation == "edit_spell":
        spell.park = None if spell.park_id else refs["parks"][spell.region.code]
        spell.is_above_scale = not spell.is_above_scale if j % 2 else spell.is_above_scale
        end = END_DATES[j % 4]
        if spell.valid_from is None or end is None or end > spell.valid_from:
            spell.valid_to = end
        spell.save()
    else:
        spell.delete()


def _run(step, refs) -> None:
    operation, i, j, amount = step
    if operation in ("spell", "edit_spell", "delete_spell"):
        _run_spell(operation, i, j, amount, refs)
        return
    projects = list(Project.objects.order_by("pk"))
    project = _pick(projects, i)
    if operation == "project" or project is None:
        ProjectFactory.create(
            region=refs["regions"][REGIONS[i % 3]],
            category=refs["categories"][CATEGORIES[j % 2]],
            total_investment=INVESTMENTS[j % 3],
        )
    elif operation == "move_project":
        project.region = refs["regions"][REGIONS[j % 3]]
        project.category = refs["categories"][CATEGORIES[(i + j) % 2]]
        project.total_investment = INVESTMENTS[(i * j) % 3]
        project.save()
    elif operation == "delete_project":
        # Reports protect their project; its stage events go with it (a cascade).
        if not project.reports.exists():
            project.delete()
    elif operation == "report":
        period = refs["periods"][j % 3]
        if not ProgressReport.objects.filter(project=project, period=period).exists():
            ProgressReportFactory.create(
                project=project, period=period, amount=amount, status=STATUSES[i % 5]
            )
    elif operation in ("set_status", "edit_amount", "delete_report"):
        report = _pick(list(ProgressReport.objects.order_by("pk")), i)
        if report is None:
            return
        if operation == "set_status":
            report.status = STATUSES[j % 5]
            report.save()
        elif operation == "edit_amount":
            report.amount = amount
            report.save()
        else:
            report.delete()
    elif operation == "event":
        # One event per project and stage (a database constraint).
        if not project.stage_events.filter(stage=STAGES[j % 2]).exists():
            StageEventFactory.create(
                project=project, stage=STAGES[j % 2], date=dt.date(2022, 1 + j % 3, 1 + i % 28)
            )
    else:
        event = _pick(list(StageEvent.objects.order_by("pk")), i)
        if event is None:
            return
        if operation == "move_event":
            event.date = dt.date(2022, 1 + j % 3, 28)
            taken = event.project.stage_events.exclude(pk=event.pk).filter(stage=STAGES[i % 2])
            if not taken.exists():
                event.stage = STAGES[i % 2]
            event.save()
        else:
            event.delete()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_cells_equal_a_full_recompute_after_any_history(indicators, steps):
    regions = {code: Region.objects.get(code=code) for code in REGIONS}
    refs: dict[str, Any] = {
        "regions": regions,
        "categories": {code: Category.objects.get(code=code) for code in CATEGORIES},
    }
    with transaction.atomic():
        refs["periods"] = [ReportingPeriodFactory.create(month=month) for month in MONTHS]
        refs["parks"] = {
            code: ParkFactory.create(region=region) for code, region in regions.items()
        }
        for step in steps:
            _run(step, refs)
        _assert_cells_equal_rows(indicators)
        transaction.set_rollback(True)


def test_an_approval_reaches_the_cells_at_once(indicators):
    # Given a key project's district-approved report of 1 234.56 万元 for February
    report = ProgressReportFactory.create(
        period=ReportingPeriodFactory.create(month=dt.date(2022, 2, 1)),
        amount=Decimal("1234.56"),
        status="district_approved",
    )
    assert not IndicatorCell.objects.exists()

    # When the city approves it
    report.status = "city_approved"
    report.save()

    # Then the two flow sums it belongs to have it in 鲤城's February cell
    assert sorted(
        IndicatorCell.objects.values_list("indicator__code", "region__code", "month", "value")
    ) == [
        ("all-investment", "350502", dt.date(2022, 2, 1), Decimal("1234.56")),
        ("key-investment", "350502", dt.date(2022, 2, 1), Decimal("1234.56")),
    ]


def test_an_indicator_created_after_its_rows_is_built_from_them(db):
    StageEventFactory.create(stage="started", date=dt.date(2022, 3, 9))

    indicator = IndicatorFactory.create(
        code="started",
        kind="event_count",
        unit="个",
        definition={"source": "stage_events", "stage": "started"},
    )

    assert list(IndicatorCell.objects.values_list("indicator", "month", "value")) == [
        (indicator.pk, dt.date(2022, 3, 1), Decimal("1.00"))
    ]


def test_the_as_of_month_of_an_event_counts_up_to_the_day(indicators):
    started = Indicator.objects.get(code="started")
    for day in (5, 20):
        StageEventFactory.create(stage="started", date=dt.date(2022, 3, day))

    evaluation = evaluate_path(
        indicator=started, root_path=CITY, months=MONTHS, as_of=dt.date(2022, 3, 10)
    )

    assert evaluation.total("350500", MONTHS[0], MONTHS[-1]) == Decimal(1)


def test_recompute_rebuilds_and_check_finds_drift(indicators):
    ProgressReportFactory.create(
        period=ReportingPeriodFactory.create(month=dt.date(2022, 1, 1)),
        amount=Decimal("500.00"),
        status="city_approved",
    )
    # A write that bypasses save(), as a bulk load does
    ProgressReport.objects.update(amount=Decimal("800.00"))

    with pytest.raises(CommandError, match="2 个指标月度合计与明细不符"):
        call_command("recompute", "--check", stdout=StringIO())
    out = StringIO()
    call_command("recompute", stdout=out)
    call_command("recompute", "--check", stdout=StringIO())

    assert out.getvalue().startswith("已重算 2 个指标月度合计 / rebuilt 2 cells")
    assert set(IndicatorCell.objects.values_list("value", flat=True)) == {Decimal("800.00")}
    assert rollup_rebuild() == 2
