"""The seed campaign 项目攻坚2022 (xmgj2022) the demo loads: its targets, their values at the
demo's date, the allocations to the 13 units, and its removal by the reset."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from gongjian.campaigns.choices import IndicatorKind
from gongjian.campaigns.definitions import indicator_definition_validate
from gongjian.campaigns.models import Campaign, Indicator, LeadingGroupMember, Target
from gongjian.campaigns.selectors import allocation_gap
from gongjian.demo.campaign import CAMPAIGN_CODE, INDICATORS
from gongjian.demo.services import demo_reset
from gongjian.regions.models import Region

pytestmark = pytest.mark.django_db

# (indicator code, region code) → (comparator, target, actual at 2022-11-30, baseline, met)
CITY_TARGETS = {
    ("xmgj-key-investment", "350500"): ("≥", "17000000.00", "15477559.74", None, False),
    ("xmgj-signed-count", "350500"): ("≥", "2000", "2213", None, True),
    ("xmgj-signed-major-count", "350500"): ("≥", "100", "112", None, True),
    ("xmgj-key-started", "350500"): ("≥", "170", "170", None, True),
    ("xmgj-key-completed", "350500"): ("≥", "100", "101", None, True),
    ("xmgj-new-infra-started", "350500"): ("≥", "90", "41", None, False),
    ("xmgj-urban-started", "350500"): ("≥", "741", "362", None, False),
    ("xmgj-signed-investment", "350500"): ("≥", "100000000.00", "117423056.95", None, True),
    ("xmgj-park-entry-rate", "350500"): ("≥", "50.00", "43.32", "43.32", False),
    ("xmgj-park-entry-rate", "350582"): ("≥", "60.00", "34.12", "29.81", False),
    ("xmgj-signed-investment", "QZ-TZQ"): (">", "13000000.00", "16328740.17", "6188000.00", True),
}


def _progress(as_of: str = "2022-11-30") -> dict:
    out = StringIO()
    call_command(
        "progress", "--campaign", CAMPAIGN_CODE, "--as-of", as_of, "--format", "json", stdout=out
    )
    return json.loads(out.getvalue())


def test_the_campaign_has_its_actions_and_leading_groups(demo):
    campaign = Campaign.objects.get(code=CAMPAIGN_CODE)
    assert campaign.name == "项目攻坚2022"
    assert (campaign.starts_on.isoformat(), campaign.ends_on.isoformat()) == (
        "2022-01-01",
        "2022-12-31",
    )
    assert "首批已下达741个项目" in campaign.document
    actions = [
        (a.name, a.lead_department.code if a.lead_department else None)
        for a in campaign.actions.all()
    ]
    assert actions == [
        ("项目攻坚", "fgw"),
        ("抓城建提品质", "zjj"),
        ("抓开放招商促项目落地", "zsj"),
        ("加快工业（产业）园区标准化建设", "gxj"),
    ]
    for action in campaign.actions.all():
        roles = [m.role for m in action.leading_group.all()]
        assert roles[0] == "leader" and "deputy" in roles and "member" in roles
    # Titles only: the article names no one on the groups, so no person is made up.
    names = set(LeadingGroupMember.objects.values_list("name", flat=True))
    assert all(name.startswith("（") and name.endswith("）") for name in names)


def test_every_definition_passes_the_whitelist(demo):
    for indicator in Indicator.objects.filter(code__in=[spec.code for spec in INDICATORS]):
        assert indicator_definition_validate(indicator.kind, indicator.definition) == []


def test_the_targets_and_their_values_at_the_demo_date(demo):
    document = _progress()
    assert document["campaign"] == CAMPAIGN_CODE
    # 10 city-level targets (8 allocated to the 13 units) and 晋江's 入园率: 10 + 8 × 13.
    assert len(document["targets"]) == 114
    assert Target.objects.filter(campaign__code=CAMPAIGN_CODE).count() == 114
    found = {
        (t["indicator_code"], t["region_code"]): (
            t["comparator"],
            t["target_value"],
            t["actual_value"],
            t["baseline_value"],
            t["met"],
        )
        for t in document["targets"]
        if (t["indicator_code"], t["region_code"]) in CITY_TARGETS
    }
    assert found == CITY_TARGETS


def test_the_taishang_target_records_the_spring_festival_signing(demo):
    target = Target.objects.get(
        campaign__code=CAMPAIGN_CODE,
        indicator__code="xmgj-signed-investment",
        region__code="QZ-TZQ",
    )
    assert target.parent is not None and target.parent.region.code == "350500"
    assert (target.baseline_value, target.baseline_date) == (
        Decimal("6188000.00"),
        dt.date(2022, 2, 2),
    )
    assert "21个签约项目总投资618.8亿元" in target.source_sentence


def test_allocations_add_up_exactly_to_the_city_targets(demo):
    reporting = set(Region.objects.filter(is_reporting=True).values_list("code", flat=True))
    assert len(reporting) == 13
    parents = Target.objects.filter(
        campaign__code=CAMPAIGN_CODE, parent__isnull=True, region__code="350500"
    ).exclude(indicator__kind=IndicatorKind.STOCK_RATIO)
    assert parents.count() == 8
    for parent in parents:
        children = list(parent.allocations.all())
        assert {child.region.code for child in children} == reporting
        assert sum(child.value for child in children) == parent.value, parent.indicator.code
        assert allocation_gap(parent) == ""
        assert all(child.value > 0 for child in children)


def test_loading_is_deterministic_and_the_reset_removes_the_campaign(demo):
    before = _progress()
    call_command("loaddemo", "--reset", stdout=StringIO())
    assert Campaign.objects.filter(code=CAMPAIGN_CODE).count() == 1
    assert _progress() == before

    demo_reset()
    assert not Campaign.objects.filter(code=CAMPAIGN_CODE).exists()
    assert not Target.objects.filter(indicator__code__startswith="xmgj-").exists()
    assert not Indicator.objects.filter(code__in=[spec.code for spec in INDICATORS]).exists()


def test_the_demo_cells_agree_with_their_rows(demo):
    # The demo writes its rows in bulk and builds the indicators' monthly cells once at the end:
    # every cell equals its rows, and there is one per indicator, region and month with rows.
    from gongjian.campaigns.models import IndicatorCell
    from gongjian.campaigns.rollup import rollup_drift

    assert rollup_drift() == []
    assert IndicatorCell.objects.filter(indicator__code="xmgj-key-investment").count() == 143
