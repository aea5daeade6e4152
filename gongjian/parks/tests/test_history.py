"""Dated history (spells) and the indicators read from it: exact rates on the registry fixture
(conftest), including an enterprise that leaves a park, one that loses 规上, one that gains it,
and evaluation at past dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F

from gongjian.audit.models import AuditEvent
from gongjian.campaigns.engine import drilldown, drilldown_value, evaluate
from gongjian.parks.models import Enterprise, EnterpriseSpell
from gongjian.parks.selectors import EntryRate, park_entry_rate
from gongjian.parks.services import (
    enterprise_move_park,
    enterprise_set_above_scale,
    enterprise_spells_backfill,
)
from gongjian.tests.factories import EnterpriseFactory, IndicatorFactory

pytestmark = pytest.mark.django_db

D = Decimal
MONTHS = [dt.date(2022, m, 1) for m in (1, 2, 3, 4)]
END_OF_APRIL = dt.date(2022, 4, 30)


def _indicator(code: str, kind: str, definition: dict):
    return IndicatorFactory.create(code=code, name=code, kind=kind, definition=definition)


@pytest.fixture
def entry_rate(db):
    return _indicator(
        "park-rate",
        "stock_ratio",
        {
            "source": "enterprises",
            "numerator": {"in_park": True},
            "denominator": {"above_scale": True},
        },
    )


@pytest.fixture
def land_share(db):
    return _indicator(
        "park-land",
        "stock_ratio",
        {
            "source": "enterprises",
            "measure": "industrial_land_mu",
            "numerator": {"in_park": True},
            "denominator": {"industrial": True},
        },
    )


def _events(event: str):
    return _indicator(
        f"ent-{event}", "event_count", {"source": "enterprise_events", "event": event}
    )


def _spells(enterprise) -> list[tuple]:
    return list(
        EnterpriseSpell.objects.filter(enterprise=enterprise)
        .order_by(F("valid_from").asc(nulls_first=True))
        .values_list(
            "valid_from", "valid_to", "park__code", "is_above_scale", "previous_above_scale"
        )
    )


# --- spells written by the services -------------------------------------------


def test_the_services_write_each_change_as_a_dated_spell(registry):
    e = registry.enterprises
    assert _spells(e["C"]) == [
        (None, dt.date(2020, 1, 1), None, True, None),
        (dt.date(2020, 1, 1), dt.date(2022, 4, 5), "lc-l", True, True),
        (dt.date(2022, 4, 5), None, None, True, True),
    ]
    assert _spells(e["D"]) == [
        (None, dt.date(2022, 2, 10), "lc-l", False, None),
        (dt.date(2022, 2, 10), None, "lc-l", True, False),
    ]
    assert _spells(e["G"]) == [
        (None, dt.date(2022, 3, 1), "jj-1", True, None),
        (dt.date(2022, 3, 1), None, "jj-1", False, True),
    ]
    assert _spells(e["H"]) == [(dt.date(2022, 2, 5), None, "jj-2", True, None)]
    assert _spells(e["B"]) == [
        (None, dt.date(2021, 6, 1), None, False, None),
        (dt.date(2021, 6, 1), None, None, True, False),
    ]
    # The current fields follow the last spell.
    c, d, f, g = (Enterprise.objects.get(pk=e[k].pk) for k in "CDFG")
    assert (c.park, c.entered_park_on) == (None, None)
    assert (d.is_above_scale, d.above_scale_since) == (True, dt.date(2022, 2, 10))
    assert f.park is not None
    assert (f.park.code, f.entered_park_on) == ("jj-2", dt.date(2022, 4, 20))
    assert (g.is_above_scale, g.above_scale_since) == (False, None)


def test_each_change_is_audited_with_its_date(registry):
    messages = list(
        AuditEvent.objects.filter(action="update").order_by("pk").values_list("message", flat=True)
    )
    assert messages == [
        "纳入规上（2022-02-10）",
        "退出规上（2022-03-01）",
        "迁出园区“鲤城测试园L”（2022-04-05）",
        "入驻园区“晋江测试园J2”（2022-04-20）",
    ]
    event = AuditEvent.objects.filter(action="update").latest("pk")
    before, after = event.before or {}, event.after or {}
    assert (before["park"], after["park"]) == ("", "jj-2")
    assert after["entered_park_on"] == "2022-04-20"


def test_a_change_dated_before_the_current_spell_is_refused_and_nothing_changes(
    registry, city_admin
):
    c = registry.enterprises["C"]
    spells, events = EnterpriseSpell.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refusal:
        enterprise_move_park(
            actor=city_admin, enterprise=c, park=registry.parks["L"], date=dt.date(2022, 4, 1)
        )

    assert refusal.value.message_dict == {
        "date": [
            "变动日期 2022-04-01 早于该企业最近一次状态变动（2022-04-05），历史记录只能向后追加。"
        ]
    }
    assert (EnterpriseSpell.objects.count(), AuditEvent.objects.count()) == (spells, events)
    assert Enterprise.objects.get(pk=c.pk).park is None


def test_a_change_that_changes_nothing_is_refused(registry, city_admin):
    with pytest.raises(ValidationError) as refusal:
        enterprise_set_above_scale(
            actor=city_admin,
            enterprise=registry.enterprises["A"],
            is_above_scale=True,
            date=dt.date(2022, 5, 1),
        )
    assert refusal.value.message_dict == {"date": ["该变动与企业当前状态相同，无需登记。"]}


@pytest.mark.parametrize("persona", ["lichen_filer", "fengze_filer", "leader"])
def test_a_district_cannot_change_another_districts_enterprise(registry, persona, request):
    actor = request.getfixturevalue(persona)
    f = registry.enterprises["F"]
    spells = EnterpriseSpell.objects.count()

    with pytest.raises(PermissionDenied):
        enterprise_move_park(actor=actor, enterprise=f, park=None, date=dt.date(2022, 5, 1))
    with pytest.raises(PermissionDenied):
        enterprise_set_above_scale(
            actor=actor, enterprise=f, is_above_scale=False, date=dt.date(2022, 5, 1)
        )

    assert EnterpriseSpell.objects.count() == spells
    assert list(
        AuditEvent.objects.filter(actor=actor).order_by("pk").values_list("action", "message")
    ) == [
        ("denied", "无权为企业“测试企业F”登记园区变动。"),
        ("denied", "无权为企业“测试企业F”登记规上变动。"),
    ]


def test_lichen_filer_records_a_change_in_its_own_district(registry, lichen_filer):
    b = registry.enterprises["B"]
    enterprise_move_park(
        actor=lichen_filer, enterprise=b, park=registry.parks["L"], date=dt.date(2022, 6, 1)
    )
    assert _spells(b)[-1] == (dt.date(2022, 6, 1), None, "lc-l", True, True)


# --- 规上工业企业入园率 ------------------------------------------------------------


def test_monthly_rates_by_district_and_the_pooled_city(registry, entry_rate, region):
    evaluation = evaluate(
        indicator=entry_rate, root=region("350500"), months=MONTHS, as_of=END_OF_APRIL
    )

    assert {code: [v for _m, v in evaluation.series(code)] for code in evaluation.regions()} == {
        "350500": [D("57.14"), D("66.67"), D("62.50"), D("62.50")],
        "350502": [D("66.67"), D("75.00"), D("75.00"), D("50.00")],
        "350582": [D("50.00"), D("60.00"), D("50.00"), D("75.00")],
    }
    assert [evaluation.parts("350500", m) for m in MONTHS] == [(4, 7), (6, 9), (5, 8), (5, 8)]


def test_the_city_is_pooled_not_the_average_of_the_districts(registry, entry_rate, region):
    evaluation = evaluate(
        indicator=entry_rate, root=region("350500"), months=MONTHS, as_of=END_OF_APRIL
    )
    january = MONTHS[0]
    lichen, jinjiang = evaluation.rate("350502", january), evaluation.rate("350582", january)
    assert lichen is not None and jinjiang is not None
    average = (lichen + jinjiang) / 2

    assert evaluation.rate("350500", january) == D("57.14")  # 4 of 7
    assert average.quantize(D("0.01")) == D("58.34")


@pytest.mark.parametrize(
    ("as_of", "city", "lichen", "jinjiang"),
    [
        # G is still above scale on the last day of February…
        (dt.date(2022, 2, 28), D("66.67"), D("75.00"), D("60.00")),
        # …and no longer from 1 March; C is still in its park until 5 April.
        (dt.date(2022, 3, 10), D("62.50"), D("75.00"), D("50.00")),
        (dt.date(2022, 4, 4), D("62.50"), D("75.00"), D("50.00")),
        (dt.date(2022, 4, 5), D("50.00"), D("50.00"), D("50.00")),
        (dt.date(2022, 4, 19), D("50.00"), D("50.00"), D("50.00")),
        (dt.date(2022, 4, 20), D("62.50"), D("50.00"), D("75.00")),
    ],
)
def test_evaluation_at_a_past_date(registry, entry_rate, region, as_of, city, lichen, jinjiang):
    evaluation = evaluate(indicator=entry_rate, root=region("350500"), months=MONTHS, as_of=as_of)
    registry_rates = park_entry_rate(region=region("350500"), as_of=as_of)

    assert (
        evaluation.at_as_of("350500"),
        evaluation.at_as_of("350502"),
        evaluation.at_as_of("350582"),
    ) == (city, lichen, jinjiang)
    assert (
        registry_rates["350500"].rate,
        registry_rates["350502"].rate,
        registry_rates["350582"].rate,
    ) == (city, lichen, jinjiang)


def test_a_rate_before_the_window_and_in_earlier_years(registry, entry_rate, region):
    evaluation = evaluate(
        indicator=entry_rate, root=region("350500"), months=MONTHS, as_of=END_OF_APRIL
    )
    # The end of 2021 (the opening of the window): B gained the flag in June 2021.
    assert evaluation.parts("350500", dt.date(2021, 12, 1)) == (4, 7)
    # Mid-2021, from the registry's own selector: B was not above scale yet, C was in L.
    assert park_entry_rate(region=region("350500"), as_of=dt.date(2021, 5, 31)) == {
        "350500": EntryRate(4, 6, D("66.67")),
        "350502": EntryRate(2, 2, D("100.00")),
        "350503": EntryRate(0, 0, None),
        "350504": EntryRate(0, 0, None),
        "350505": EntryRate(0, 0, None),
        "350521": EntryRate(0, 0, None),
        "350524": EntryRate(0, 0, None),
        "350525": EntryRate(0, 0, None),
        "350526": EntryRate(0, 0, None),
        "350527": EntryRate(0, 0, None),
        "350581": EntryRate(0, 0, None),
        "350582": EntryRate(2, 4, D("50.00")),
        "350583": EntryRate(0, 0, None),
        "QZ-TZQ": EntryRate(0, 0, None),
        "QZ-JKQ": EntryRate(0, 0, None),
    }


def test_one_query_per_indicator(
    registry, entry_rate, land_share, region, django_assert_num_queries
):
    province = region("350000")
    # Rates kept in monthly cells: the indicator's version (the evaluation cache's key), then the
    # cells; enterprise events are read live from the spells and never kept: one query.
    for indicator, queries in (
        (entry_rate, 2),
        (land_share, 2),
        (_events("above_scale_gained"), 1),
    ):
        with django_assert_num_queries(queries):
            evaluation = evaluate(
                indicator=indicator, root=province, months=MONTHS, as_of=END_OF_APRIL
            )
            for code in ("350000", "350500", "350502", "350582"):
                evaluation.series(code)


def test_the_drilldown_lists_the_spells_in_force_at_the_as_of_date(
    registry, entry_rate, region, city_admin
):
    as_of = dt.date(2022, 3, 31)
    rows = drilldown(
        indicator=entry_rate,
        region=region("350500"),
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2022, 12, 31),
        as_of=as_of,
        user=city_admin,
    )

    assert [(r.name, r.region.code, r.park.code if r.park else "", r.in_park) for r in rows] == [
        ("测试企业A", "350502", "lc-l", 1),
        ("测试企业B", "350502", "", 0),
        ("测试企业C", "350502", "lc-l", 1),
        ("测试企业D", "350502", "lc-l", 1),
        ("测试企业E", "350582", "jj-1", 1),
        ("测试企业F", "350582", "", 0),
        ("测试企业H", "350582", "jj-2", 1),
        ("测试企业K", "350582", "", 0),
    ]
    evaluated = evaluate(
        indicator=entry_rate, root=region("350500"), months=MONTHS, as_of=as_of
    ).at_as_of("350500")
    assert drilldown_value(indicator=entry_rate, rows=rows) == evaluated == D("62.50")


def test_a_district_drilldown_shows_only_its_own_rows(registry, entry_rate, region, lichen_filer):
    rows = drilldown(
        indicator=entry_rate,
        region=region("350500"),
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2022, 12, 31),
        as_of=END_OF_APRIL,
        user=lichen_filer,
    )
    assert [r.name for r in rows] == ["测试企业A", "测试企业B", "测试企业C", "测试企业D"]
    assert drilldown_value(indicator=entry_rate, rows=rows) == D("50.00")


# --- 园区工业用地占比 ------------------------------------------------------------


def test_land_share_by_month(registry, land_share, region):
    evaluation = evaluate(
        indicator=land_share, root=region("350500"), months=MONTHS, as_of=END_OF_APRIL
    )

    assert {code: [v for _m, v in evaluation.series(code)] for code in evaluation.regions()} == {
        # 410 of 850 亩; H adds 80 in a park in February; C's 40 leave in April, F's 300 enter.
        "350500": [D("48.24"), D("52.69"), D("52.69"), D("80.65")],
        "350502": [D("75.00"), D("75.00"), D("75.00"), D("55.00")],
        "350582": [D("40.00"), D("46.58"), D("46.58"), D("87.67")],
    }
    assert evaluation.parts("350500", MONTHS[3]) == (D("750.00"), D("930.00"))


def test_land_share_drilldown_adds_up(registry, land_share, region, city_admin):
    rows = drilldown(
        indicator=land_share,
        region=region("350582"),
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2022, 12, 31),
        as_of=dt.date(2022, 1, 31),
        user=city_admin,
    )
    assert sorted(r.name for r in rows) == [
        "测试企业E",
        "测试企业F",
        "测试企业G",
        "测试企业I",
        "测试企业K",
    ]
    assert drilldown_value(indicator=land_share, rows=rows) == D("40.00")


# --- enterprise events --------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "city", "lichen", "jinjiang", "names"),
    [
        ("above_scale_gained", D(2), D(1), D(1), ["测试企业H", "测试企业D"]),
        ("above_scale_upgraded", D(1), D(1), D(0), ["测试企业D"]),
        ("production_started", D(1), D(0), D(1), ["测试企业H"]),
    ],
)
def test_enterprise_events_in_the_period(
    registry, region, city_admin, event, city, lichen, jinjiang, names
):
    indicator = _events(event)
    evaluation = evaluate(
        indicator=indicator, root=region("350500"), months=MONTHS, as_of=END_OF_APRIL
    )

    assert (
        evaluation.at_as_of("350500"),
        evaluation.at_as_of("350502"),
        evaluation.at_as_of("350582"),
    ) == (city, lichen, jinjiang)
    # All in February.
    assert evaluation.value("350500", MONTHS[0]) == D(0)
    assert evaluation.value("350500", MONTHS[1]) == city
    rows = drilldown(
        indicator=indicator,
        region=region("350500"),
        period_start=dt.date(2022, 1, 1),
        period_end=dt.date(2022, 12, 31),
        as_of=END_OF_APRIL,
        user=city_admin,
    )
    assert [r.name for r in rows] == names
    assert drilldown_value(indicator=indicator, rows=rows) == city


def test_the_backfill_gives_bulk_written_rows_their_spells(region):
    enterprise = EnterpriseFactory.create(spells=False, above_scale_since=dt.date(2021, 3, 1))
    assert _spells(enterprise) == []

    assert enterprise_spells_backfill() == 1
    assert enterprise_spells_backfill() == 0

    assert _spells(enterprise) == [
        (None, dt.date(2021, 3, 1), None, False, None),
        (dt.date(2021, 3, 1), None, None, True, False),
    ]
