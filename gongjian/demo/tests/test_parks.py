"""The demo's parks and enterprise roster: exact counts and 规上工业企业入园率, read off once and
pinned. 晋江's end-2021 rate is the campaign document's baseline, 29.81%, and its industrial land
in parks the document's 54.7%; during 2022 some enterprises leave their park and some drop out of
规上, and the rates on the demo's date are still the plan's."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.db.models import Count, F, Max, Min, Q

from gongjian.accounts.models import User
from gongjian.campaigns.engine import evaluate
from gongjian.campaigns.models import Indicator
from gongjian.core.periods import month_end
from gongjian.core.uscc import organisation_code_is_valid, uscc_is_valid
from gongjian.demo.data import DEMO_TODAY, PARK_BASELINE_DATE
from gongjian.demo.parks import generate_parks
from gongjian.parks.models import Enterprise, EnterpriseSpell, Park
from gongjian.parks.selectors import EntryRate, park_entry_rate
from gongjian.regions.models import Region

pytestmark = pytest.mark.django_db

PARKS = 61
ENTERPRISES = 7105
ABOVE_SCALE = 6450

RATES_END_2021 = {
    "350500": EntryRate(2405, 6075, Decimal("39.59")),
    "350502": EntryRate(31, 142, Decimal("21.83")),
    "350503": EntryRate(53, 189, Decimal("28.04")),
    "350504": EntryRate(165, 330, Decimal("50.00")),
    "350505": EntryRate(156, 236, Decimal("66.10")),
    "350521": EntryRate(202, 518, Decimal("39.00")),
    "350524": EntryRate(139, 376, Decimal("36.97")),
    "350525": EntryRate(96, 283, Decimal("33.92")),
    "350526": EntryRate(125, 378, Decimal("33.07")),
    "350527": EntryRate(0, 0, None),
    "350581": EntryRate(182, 569, Decimal("31.99")),
    "350582": EntryRate(476, 1597, Decimal("29.81")),
    "350583": EntryRate(314, 849, Decimal("36.98")),
    "QZ-TZQ": EntryRate(234, 325, Decimal("72.00")),
    "QZ-JKQ": EntryRate(232, 283, Decimal("81.98")),
}
RATES_DEMO_TODAY = {
    "350500": EntryRate(2794, 6450, Decimal("43.32")),
    "350502": EntryRate(38, 150, Decimal("25.33")),
    "350503": EntryRate(62, 200, Decimal("31.00")),
    "350504": EntryRate(189, 350, Decimal("54.00")),
    "350505": EntryRate(175, 250, Decimal("70.00")),
    "350521": EntryRate(237, 550, Decimal("43.09")),
    "350524": EntryRate(164, 400, Decimal("41.00")),
    "350525": EntryRate(114, 300, Decimal("38.00")),
    "350526": EntryRate(144, 400, Decimal("36.00")),
    "350527": EntryRate(0, 0, None),
    "350581": EntryRate(210, 600, Decimal("35.00")),
    "350582": EntryRate(580, 1700, Decimal("34.12")),
    "350583": EntryRate(360, 900, Decimal("40.00")),
    "QZ-TZQ": EntryRate(266, 350, Decimal("76.00")),
    "QZ-JKQ": EntryRate(255, 300, Decimal("85.00")),
}


def _city() -> Region:
    return Region.objects.get(code="350500")


def test_jinjiang_baseline_is_the_documents_29_81_percent(demo):
    rates = park_entry_rate(region=Region.objects.get(code="350582"), as_of=dt.date(2021, 12, 31))

    assert rates == {"350582": EntryRate(476, 1597, Decimal("29.81"))}
    assert dt.date(2021, 12, 31) == PARK_BASELINE_DATE


def test_rates_at_the_end_of_2021(demo, django_assert_num_queries):
    city = _city()
    with django_assert_num_queries(1):
        assert park_entry_rate(region=city, as_of=PARK_BASELINE_DATE) == RATES_END_2021


def test_rates_on_the_demo_date(demo):
    assert dt.date(2022, 11, 30) == DEMO_TODAY
    assert park_entry_rate(region=_city(), as_of=DEMO_TODAY) == RATES_DEMO_TODAY


def test_the_city_rate_is_pooled_not_averaged(demo):
    districts = [
        rate for code, rate in RATES_DEMO_TODAY.items() if code not in ("350500", "350527")
    ]
    numerator = sum(rate.numerator for rate in districts)
    denominator = sum(rate.denominator for rate in districts)
    mean = sum((rate.rate or Decimal(0) for rate in districts), Decimal(0)) / len(districts)

    assert (numerator, denominator) == (2794, 6450)
    assert mean.quantize(Decimal("0.01")) == Decimal("46.81")
    assert RATES_DEMO_TODAY["350500"].rate == Decimal("43.32")


def test_the_rate_rises_year_by_year_from_2015(demo):
    city = _city()
    by_year = {}
    for year in range(2014, 2023):
        rates = park_entry_rate(region=city, as_of=min(dt.date(year, 12, 31), DEMO_TODAY))
        by_year[year] = (rates["350500"].rate, rates["350582"].rate)

    assert by_year == {
        2014: (Decimal("0.00"), Decimal("0.00")),
        2015: (Decimal("2.75"), Decimal("2.20")),
        2016: (Decimal("7.41"), Decimal("6.01")),
        2017: (Decimal("13.01"), Decimal("11.06")),
        2018: (Decimal("18.86"), Decimal("14.80")),
        2019: (Decimal("25.17"), Decimal("19.50")),
        2020: (Decimal("31.82"), Decimal("24.09")),
        2021: (Decimal("39.59"), Decimal("29.81")),
        2022: (Decimal("43.32"), Decimal("34.12")),
    }


def test_jinjiang_improves_every_month_of_2022(demo):
    jinjiang = Region.objects.get(code="350582")
    by_month = [
        park_entry_rate(region=jinjiang, as_of=month_end(dt.date(2022, month, 1)))["350582"].rate
        for month in range(1, 12)
    ]

    assert by_month == [
        Decimal(rate)
        for rate in (
            "30.16",
            "30.27",
            "30.86",
            "31.07",
            "31.52",
            "32.36",
            "32.77",
            "33.07",
            "33.53",
            "33.94",
            "34.12",
        )
    ]


def test_parks_per_unit_and_kind(demo):
    assert Park.objects.count() == PARKS
    assert dict(Park.objects.values_list("region__code").annotate(n=Count("id")).order_by()) == {
        "350502": 2,
        "350503": 3,
        "350504": 4,
        "350505": 4,
        "350521": 6,
        "350524": 5,
        "350525": 4,
        "350526": 4,
        "350581": 4,
        "350582": 10,
        "350583": 7,
        "QZ-JKQ": 4,
        "QZ-TZQ": 4,
    }
    assert dict(Park.objects.values_list("kind").annotate(n=Count("id")).order_by()) == {
        "development_zone": 17,
        "industrial_park": 36,
        "small_micro_park": 8,
    }
    assert Park.objects.filter(is_standardised=True).count() == 31
    areas = [area or Decimal(0) for area in Park.objects.values_list("planned_area_mu", flat=True)]
    assert sum(areas, Decimal(0)) == Decimal("184820.00")
    assert list(
        Park.objects.filter(region__code="350582")
        .order_by("sort_order")
        .values_list("code", "name")[:3]
    ) == [
        ("YQ-350582-01", "晋江经济开发区（五里园）"),
        ("YQ-350582-02", "晋江经济开发区（安东园）"),
        ("YQ-350582-03", "晋江集成电路产业园区"),
    ]


def test_enterprises_per_unit(demo):
    counts = (
        Enterprise.objects.values_list("region__code")
        .annotate(
            above=Count("id", filter=Q(is_above_scale=True)),
            below=Count("id", filter=Q(is_above_scale=False)),
        )
        .order_by()
    )
    assert {code: (above, below) for code, above, below in counts} == {
        "350502": (150, 18),
        "350503": (200, 23),
        "350504": (350, 33),
        "350505": (250, 24),
        "350521": (550, 56),
        "350524": (400, 42),
        "350525": (300, 33),
        "350526": (400, 50),
        "350581": (600, 61),
        "350582": (1700, 179),
        "350583": (900, 86),
        "QZ-JKQ": (300, 21),
        "QZ-TZQ": (350, 29),
    }
    assert Enterprise.objects.count() == ENTERPRISES
    assert Enterprise.objects.filter(is_above_scale=True).count() == ABOVE_SCALE
    assert Enterprise.objects.filter(park__isnull=False).count() == 3001
    assert Enterprise.objects.filter(industrial_land_mu__isnull=True).count() == 277
    land = Enterprise.objects.values_list("industrial_land_mu", flat=True)
    assert sum((mu or Decimal(0) for mu in land), Decimal(0)) == Decimal("781525.31")


def test_every_credit_code_is_valid_and_every_name_unique(demo):
    rows = list(Enterprise.objects.values_list("uscc", "name", "region__code"))
    assert all(uscc_is_valid(code) for code, _name, _region in rows)
    assert all(organisation_code_is_valid(code[8:17]) for code, _name, _region in rows)
    assert len({name for _code, name, _region in rows}) == ENTERPRISES
    # The registering authority is the unit's own bureau; the zones register with the city's.
    divisions = {(region, code[2:8]) for code, _name, region in rows}
    assert {region: division for region, division in divisions} == {
        "350502": "350502",
        "350503": "350503",
        "350504": "350504",
        "350505": "350505",
        "350521": "350521",
        "350524": "350524",
        "350525": "350525",
        "350526": "350526",
        "350581": "350581",
        "350582": "350582",
        "350583": "350583",
        "QZ-JKQ": "350500",
        "QZ-TZQ": "350500",
    }
    assert len(divisions) == 13


def test_dates_and_parks_are_consistent(demo):
    assert not Enterprise.objects.exclude(park=None).exclude(region=F("park__region")).exists()
    assert not Enterprise.objects.filter(park__isnull=False, entered_park_on=None).exists()
    assert not Enterprise.objects.filter(is_above_scale=True, above_scale_since=None).exists()
    assert Enterprise.objects.aggregate(
        first_entry=Min("entered_park_on"),
        last_entry=Max("entered_park_on"),
        first_scale=Min("above_scale_since"),
        last_scale=Max("above_scale_since"),
    ) == {
        "first_entry": dt.date(2015, 1, 6),
        "last_entry": dt.date(2022, 11, 30),
        "first_scale": dt.date(2008, 1, 1),
        "last_scale": dt.date(2022, 11, 1),
    }
    # Every park holds someone.
    assert not Park.objects.filter(enterprises=None).exists()


def test_filer_sees_only_own_district(demo):
    filer = User.objects.get(username="jinjiang_filer")
    assert Enterprise.objects.visible_to(filer).count() == 1879
    assert Park.objects.visible_to(filer).count() == 10


def test_city_admin_reads_the_registry_in_the_django_admin(demo, client):
    client.login(username="city_admin", password="gongjian-demo")
    assert client.get("/admin/parks/park/").status_code == 200
    page = client.get("/admin/parks/enterprise/?q=91350582")
    assert page.status_code == 200
    assert "晋江" in page.content.decode()


def test_generated_roster_is_pinned():
    """Every field of every park and enterprise, hashed: any drift in the demo shows here."""
    parks, enterprises = generate_parks()
    digest = hashlib.sha256()
    for park in parks:
        fields = [
            park.code,
            park.name,
            park.region_code,
            park.kind,
            str(park.planned_area_mu),
            str(park.is_standardised),
            str(park.sort_order),
        ]
        digest.update("\x1f".join(fields).encode() + b"\x1e")
    for enterprise in enterprises:
        fields = [
            enterprise.uscc,
            enterprise.name,
            enterprise.region_code,
            enterprise.park_code,
            str(enterprise.is_above_scale),
            str(enterprise.above_scale_since),
            str(enterprise.entered_park_on),
            enterprise.industry_chain_code,
            str(enterprise.industrial_land_mu),
            str(enterprise.production_started_on),
            str(enterprise.output_value),
            str(enterprise.tax_paid),
        ]
        for spell in enterprise.spells:
            fields += [
                spell.park_code,
                str(spell.is_above_scale),
                str(spell.previous_above_scale),
                str(spell.industrial_land_mu),
                str(spell.valid_from),
                str(spell.valid_to),
            ]
        digest.update("\x1f".join(fields).encode() + b"\x1e")
    assert (len(parks), len(enterprises)) == (PARKS, ENTERPRISES)
    assert digest.hexdigest() == "a60072920c2f462e2f82c17b0ff8f57eb5ca6b653b770d57f5c85c411ffe5589"


def test_some_enterprises_leave_their_park_and_some_drop_out_of_the_statistics(demo):
    left = Enterprise.objects.filter(park__isnull=True, spells__park__isnull=False).distinct()
    dropped = EnterpriseSpell.objects.filter(is_above_scale=False, previous_above_scale=True)
    assert (left.count(), dropped.count()) == (46, 99)
    assert not Enterprise.objects.filter(spells__in=dropped, is_above_scale=True).exists()
    days = left.annotate(
        left_on=Max("spells__valid_to", filter=Q(spells__park__isnull=False))
    ).aggregate(first=Min("left_on"), last=Max("left_on"))
    assert days == {"first": dt.date(2022, 1, 10), "last": dt.date(2022, 11, 25)}
    assert EnterpriseSpell.objects.count() == 16844


def test_the_engine_reads_the_demo_land_share_and_enterprise_events(demo):
    city = _city()
    months = [dt.date(2022, m, 1) for m in range(1, 13)]
    figures: dict[str, object] = {}
    for code in (
        "xmgj-park-land-share",
        "xmgj-enterprise-production-started",
        "xmgj-enterprise-above-scale-gained",
        "xmgj-enterprise-above-scale-upgraded",
    ):
        evaluation = evaluate(
            indicator=Indicator.objects.get(code=code), root=city, months=months, as_of=DEMO_TODAY
        )
        figures[code] = (evaluation.at_as_of("350500"), evaluation.at_as_of("350582"))
        if evaluation.is_ratio:
            figures[f"{code}@2021"] = evaluation.rate("350582", dt.date(2021, 12, 1))

    assert figures == {
        # 晋江's land in parks is the document's 54.7% at the end of 2021.
        "xmgj-park-land-share": (Decimal("50.53"), Decimal("56.64")),
        "xmgj-park-land-share@2021": Decimal("54.70"),
        "xmgj-enterprise-production-started": (Decimal(191), Decimal(49)),
        "xmgj-enterprise-above-scale-gained": (Decimal(474), Decimal(130)),
        "xmgj-enterprise-above-scale-upgraded": (Decimal(474), Decimal(130)),
    }
