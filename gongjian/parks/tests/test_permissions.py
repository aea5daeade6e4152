"""Role matrix of the park and enterprise registry: who may register parks and enterprises,
edit them and record an entry into a park, and what each role sees.

A denied attempt raises PermissionDenied, changes nothing, and leaves exactly one "denied" audit
event for the actor.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from gongjian.audit.models import AuditEvent
from gongjian.parks.models import Enterprise, Park
from gongjian.parks.services import (
    EnterpriseInput,
    ParkInput,
    enterprise_create,
    enterprise_enter_park,
    enterprise_update,
    park_create,
)
from gongjian.projects.models import IndustryChain
from gongjian.tests.factories import EnterpriseFactory, ParkFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLOWED = ["city_admin", "lichen_filer"]
DENIED = ["fengze_filer", "lichen_reviewer", "city_reviewer", "leader", "department", "anonymous"]

NEW_PARK = ParkInput(
    code="lc-changtai",
    name="鲤城区常泰工业区",
    region_code="350502",
    kind="industrial_park",
    planned_area_mu=Decimal("1850"),
)
NEW_ENTERPRISE = EnterpriseInput(
    uscc="91350502MA2Y0K9DXK",
    name="泉州鸿兴机械制造有限公司",
    region_code="350502",
    is_above_scale=True,
    above_scale_since=dt.date(2021, 1, 1),
    industry_chain_code="machinery",
)


def chain(code: str) -> int:
    return IndustryChain.objects.get(code=code).pk


def _events():
    return [
        (e.action, e.actor_username, e.object_type, e.object_id, e.message)
        for e in AuditEvent.objects.order_by("id")
    ]


@pytest.fixture
def persona(request):
    """The persona fixture named by the parameter (AnonymousUser's username is "")."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def licheng(region):
    """A park in 鲤城 and an above-scale enterprise there, not yet in the park."""
    park = ParkFactory.create(code="lc-jiangnan", name="江南高新技术产业园区")
    enterprise = EnterpriseFactory.create(name="泉州华泰鞋服有限公司")
    return park, enterprise


# --- park_create ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALLOWED, indirect=True)
def test_allowed_roles_create_a_park_in_licheng(persona):
    park = park_create(actor=persona, data=NEW_PARK)

    assert list(Park.objects.values_list("code", "region__code")) == [("lc-changtai", "350502")]
    assert _events() == [("create", persona.username, "parks.park", str(park.pk), "")]


@pytest.mark.parametrize("persona", DENIED, indirect=True)
def test_denied_roles_cannot_create_a_park_in_licheng(persona):
    with pytest.raises(PermissionDenied) as refusal:
        park_create(actor=persona, data=NEW_PARK)

    assert str(refusal.value) == "无权在“鲤城区”新建园区。"
    assert Park.objects.count() == 0
    assert _events() == [("denied", persona.username, "", "", "无权在“鲤城区”新建园区。")]


# --- enterprise_create ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALLOWED, indirect=True)
def test_allowed_roles_register_an_enterprise_in_licheng(persona):
    enterprise = enterprise_create(actor=persona, data=NEW_ENTERPRISE)

    assert list(Enterprise.objects.values_list("uscc", "region__code")) == [
        ("91350502MA2Y0K9DXK", "350502")
    ]
    assert _events() == [("create", persona.username, "parks.enterprise", str(enterprise.pk), "")]


@pytest.mark.parametrize("persona", DENIED, indirect=True)
def test_denied_roles_cannot_register_an_enterprise_in_licheng(persona):
    with pytest.raises(PermissionDenied) as refusal:
        enterprise_create(actor=persona, data=NEW_ENTERPRISE)

    assert str(refusal.value) == "无权在“鲤城区”登记企业。"
    assert Enterprise.objects.count() == 0
    assert _events() == [("denied", persona.username, "", "", "无权在“鲤城区”登记企业。")]


def test_denial_is_checked_before_validation(leader):
    # An outsider learns nothing from validation messages, not even whether a code is taken.
    with pytest.raises(PermissionDenied):
        enterprise_create(
            actor=leader,
            data=EnterpriseInput(
                uscc="not a code", name="", region_code="350502", industrial_land_mu=Decimal(-1)
            ),
        )

    assert [e[0] for e in _events()] == ["denied"]


# --- enterprise_update ------------------------------------------------------------------------


def _rename(enterprise: Enterprise) -> EnterpriseInput:
    return EnterpriseInput(
        uscc=enterprise.uscc,
        name="泉州华泰鞋服科技有限公司",
        region_code="350502",
        is_above_scale=True,
        above_scale_since=enterprise.above_scale_since,
        industry_chain_code="textile-footwear",
        industrial_land_mu=enterprise.industrial_land_mu,
    )


@pytest.mark.parametrize("persona", ALLOWED, indirect=True)
def test_allowed_roles_edit_a_licheng_enterprise(persona, licheng):
    _park, enterprise = licheng

    enterprise_update(actor=persona, enterprise=enterprise, data=_rename(enterprise))

    row = Enterprise.objects.get(pk=enterprise.pk)
    assert (row.name, row.industry_chain_id) == (
        "泉州华泰鞋服科技有限公司",
        chain("textile-footwear"),
    )
    assert _events() == [("update", persona.username, "parks.enterprise", str(enterprise.pk), "")]


@pytest.mark.parametrize("persona", DENIED, indirect=True)
def test_denied_roles_cannot_edit_a_licheng_enterprise(persona, licheng):
    _park, enterprise = licheng

    with pytest.raises(PermissionDenied):
        enterprise_update(actor=persona, enterprise=enterprise, data=_rename(enterprise))

    row = Enterprise.objects.get(pk=enterprise.pk)
    assert (row.name, row.industry_chain_id) == ("泉州华泰鞋服有限公司", chain("machinery"))
    assert _events() == [
        (
            "denied",
            persona.username,
            "parks.enterprise",
            str(enterprise.pk),
            "无权修改企业“泉州华泰鞋服有限公司”。",
        )
    ]


def test_a_filer_cannot_move_an_enterprise_out_of_its_district(lichen_filer, licheng):
    _park, enterprise = licheng
    data = _rename(enterprise)
    data.region_code = "350503"

    with pytest.raises(PermissionDenied) as refusal:
        enterprise_update(actor=lichen_filer, enterprise=enterprise, data=data)

    assert str(refusal.value) == "无权把企业移到“丰泽区”。"
    assert Enterprise.objects.get(pk=enterprise.pk).region.code == "350502"
    assert [e[0] for e in _events()] == ["denied"]


# --- enterprise_enter_park --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALLOWED, indirect=True)
def test_allowed_roles_record_an_entry(persona, licheng):
    park, enterprise = licheng

    enterprise_enter_park(actor=persona, enterprise=enterprise, park=park, date=dt.date(2022, 5, 9))

    row = Enterprise.objects.get(pk=enterprise.pk)
    assert (row.park, row.entered_park_on) == (park, dt.date(2022, 5, 9))
    assert _events() == [
        (
            "update",
            persona.username,
            "parks.enterprise",
            str(enterprise.pk),
            "入驻园区“江南高新技术产业园区”（2022-05-09）",
        )
    ]


@pytest.mark.parametrize("persona", DENIED, indirect=True)
def test_denied_roles_cannot_record_an_entry(persona, licheng):
    park, enterprise = licheng

    with pytest.raises(PermissionDenied):
        enterprise_enter_park(
            actor=persona, enterprise=enterprise, park=park, date=dt.date(2022, 5, 9)
        )

    row = Enterprise.objects.get(pk=enterprise.pk)
    assert (row.park, row.entered_park_on) == (None, None)
    assert _events() == [
        (
            "denied",
            persona.username,
            "parks.enterprise",
            str(enterprise.pk),
            "无权为企业“泉州华泰鞋服有限公司”登记入园。",
        )
    ]


def test_superuser_registers_anywhere(region):
    root = UserFactory.create(username="root", is_superuser=True)
    data = EnterpriseInput(
        uscc="91350582154732861U", name="晋江恒达鞋业有限公司", region_code="350582"
    )

    enterprise = enterprise_create(actor=root, data=data)

    assert Enterprise.objects.get(pk=enterprise.pk).region == region("350582")


# --- what each role sees ----------------------------------------------------------------------


@pytest.fixture
def spread(region):
    """A park and an enterprise in each of 鲤城, 丰泽 and 晋江."""
    for code in ("350502", "350503", "350582"):
        park = ParkFactory.create(code=f"park-{code}", region=region(code))
        EnterpriseFactory.create(park=park, entered_park_on=dt.date(2020, 1, 1))


@pytest.mark.parametrize(
    ("persona", "regions"),
    [
        ("city_admin", ["350502", "350503", "350582"]),
        ("city_reviewer", ["350502", "350503", "350582"]),
        ("leader", ["350502", "350503", "350582"]),
        ("department", ["350502", "350503", "350582"]),
        ("lichen_filer", ["350502"]),
        ("lichen_reviewer", ["350502"]),
        ("fengze_filer", ["350503"]),
        ("anonymous", []),
    ],
    indirect=["persona"],
)
def test_each_role_sees_the_parks_and_enterprises_of_its_regions(persona, regions, spread):
    def seen(queryset) -> list[str]:
        return sorted(queryset.visible_to(persona).values_list("region__code", flat=True))

    assert seen(Park.objects) == regions
    assert seen(Enterprise.objects) == regions
