"""Retention (purge-leads) and the match score, with exact figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from gongjian.audit.models import AuditEvent
from gongjian.investment.matching import leads_for_resource, resources_for_lead, score_match
from gongjian.investment.models import Lead, Resource
from gongjian.investment.services import lead_move_stage, lead_submit
from gongjian.investment.tests.conftest import lead_input
from gongjian.projects.models import IndustryChain
from gongjian.regions.models import Region

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2022, 12, 2, 9, 0, tzinfo=dt.UTC)


def _closed(department, *, days_ago: int, **overrides):
    lead = lead_submit(data=lead_input(**overrides), ip="198.51.100.1", now=NOW)
    lead_move_stage(actor=department, lead=lead, to_stage="lost", lost_reason="cost")
    Lead.objects.filter(pk=lead.pk).update(stage_changed_at=NOW - dt.timedelta(days=days_ago))
    return lead


def test_purge_anonymises_old_closed_leads_and_leaves_young_and_open_ones(department):
    old = _closed(department, days_ago=731)
    young = _closed(department, days_ago=729, mobile="13911112222")
    open_lead = lead_submit(data=lead_input(mobile="13722223333"), ip="198.51.100.2", now=NOW)
    Lead.objects.filter(pk=open_lead.pk).update(stage_changed_at=NOW - dt.timedelta(days=900))
    out = StringIO()

    call_command("purge-leads", "--days", "730", "--today", "2022-12-02", stdout=out)

    assert out.getvalue() == "已匿名化 1 条线索 / anonymised 1 leads\n"
    old.refresh_from_db()
    assert (
        old.contact_name,
        old.mobile_encrypted,
        old.mobile_digest,
        old.mobile_masked,
        old.submitted_ip,
        old.message,
    ) == ("", "", "", "", None, "")
    assert (old.company, old.stage, old.planned_investment) == (
        "泉州恒达鞋业有限公司",
        "lost",
        Decimal("50000.00"),
    )
    assert old.purged_at is not None
    for kept in (young, open_lead):
        before = (kept.contact_name, kept.mobile_encrypted, kept.mobile_masked, kept.message)
        kept.refresh_from_db()
        assert (kept.contact_name, kept.mobile_encrypted, kept.mobile_masked, kept.message) == (
            before
        )
        assert kept.purged_at is None
    event = AuditEvent.objects.filter(actor_username="purge-leads").get()
    assert event.after == {
        "anonymised": 1,
        "retention_days": 730,
        "references": [old.reference],
    }


def test_purge_dry_run_changes_nothing(department):
    lead = _closed(department, days_ago=800)
    out = StringIO()

    call_command("purge-leads", "--dry-run", "--today", "2022-12-02", stdout=out)

    assert out.getvalue() == "将匿名化 1 条线索（未修改）/ would anonymise 1 leads\n"
    lead.refresh_from_db()
    assert (lead.contact_name, lead.purged_at) == ("王明", None)


# --- matching ------------------------------------------------------------------------------------


def _site(code, kind, region_code, area, *, industries=(), **values):
    resource = Resource.objects.create(
        code=code,
        name=f"测试载体{code}",
        kind=kind,
        region=Region.objects.get(code=region_code),
        area_m2=Decimal(area),
        available_from=values.pop("available_from", dt.date(2022, 10, 1)),
        **values,
    )
    resource.permitted_industries.set(IndustryChain.objects.filter(code__in=industries))
    return resource


@pytest.fixture
def sites(db):
    return {
        "fit": _site(
            "LC-F1",
            "factory",
            "350502",
            "12000",
            industries=["textile-footwear", "machinery"],
            rent_yuan_per_m2_month=Decimal("2.00"),
        ),
        "small": _site(
            "JJ-F1",
            "factory",
            "350582",
            "7500",
            industries=["electronics"],
            rent_yuan_per_m2_month=Decimal("5.00"),
            available_from=dt.date(2023, 3, 1),
        ),
        "far": _site(
            "AX-F1",
            "factory",
            "350524",
            "30000",
            rent_yuan_per_m2_month=Decimal("1.50"),
            available_from=dt.date(2023, 9, 1),
        ),
        "land": _site("LC-L1", "land", "350502", "20000", land_price_wan_per_mu=Decimal("80")),
        "taken": _site("LC-F2", "factory", "350502", "10000", status="taken"),
    }


def _parts(score):
    return [(p.key, p.points, p.reason) for p in score.parts]


def test_the_score_explains_each_part(submit, sites):
    lead = submit()  # 租厂房 10000 ㎡, 纺织鞋服, 鲤城/晋江, tax 300 万元/年

    fit = score_match(lead, sites["fit"], as_of=dt.date(2022, 12, 2))
    small = score_match(lead, sites["small"], as_of=dt.date(2022, 12, 2))

    assert _parts(fit) == [
        ("kind", 20, "需求“租厂房”对应标准厂房"),
        ("area", 25, "载体 12,000.00 ㎡，需求 10,000.00 ㎡（1.20 倍）"),
        ("use", 20, "“纺织鞋服”在准入产业内"),
        ("district", 15, "位于意向县区鲤城区"),
        ("price", 10, "年租金约 24.00万元，预计年税收 300.00万元"),
        ("availability", 10, "现可交付"),
    ]
    assert (fit.total, fit.eligible) == (100, True)
    assert _parts(small) == [
        ("kind", 20, "需求“租厂房”对应标准厂房"),
        ("area", 12, "载体 7,500.00 ㎡，需求 10,000.00 ㎡（0.75 倍）"),
        ("use", 0, "“纺织鞋服”不在准入产业（电子信息）内"),
        ("district", 15, "位于意向县区晋江市"),
        ("price", 10, "年租金约 60.00万元，预计年税收 300.00万元"),
        ("availability", 5, "2023-03-01 可交付"),
    ]
    assert small.total == 62


def test_sites_for_a_lead_are_ranked_and_only_those_that_suit(submit, sites, city_admin):
    lead = submit()

    ranked = resources_for_lead(lead=lead, user=city_admin, as_of=dt.date(2022, 12, 2))

    # The land parcel (wrong kind) and the taken factory are not candidates.
    assert [(m.resource.code, m.score.total) for m in ranked] == [
        ("LC-F1", 100),
        ("JJ-F1", 62),
        ("AX-F1", 40),
    ]


def test_land_price_is_weighed_against_planned_investment(submit, sites):
    lead = submit(need="buy_land", area=Decimal("30"), area_unit="mu")

    score = score_match(lead, sites["land"], as_of=dt.date(2022, 12, 2))

    assert _parts(score)[1] == ("area", 25, "载体 20,000.00 ㎡，需求 20,000.00 ㎡（1.00 倍）")
    assert _parts(score)[2] == ("use", 10, "载体不限产业")
    assert _parts(score)[4] == ("price", 10, "地价约 2,400.00万元，占计划投资 4.80%")
    assert score.total == 90


def test_leads_for_a_site(submit, sites, city_admin):
    best = submit()
    submit(company="安溪茶业有限公司", uscc="", mobile="13700001111", preferred_region_codes=[])
    submit(company="石狮购地公司", uscc="", mobile="13700002222", need="buy_land")

    ranked = leads_for_resource(resource=sites["fit"], user=city_admin, as_of=dt.date(2022, 12, 2))

    assert [(m.lead.company, m.score.total) for m in ranked] == [
        (best.company, 100),
        ("安溪茶业有限公司", 93),
    ]
