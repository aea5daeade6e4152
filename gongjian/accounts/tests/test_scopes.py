"""Region scoping: who covers which regions, and so which rows every list and API returns."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from gongjian.accounts.choices import PROJECT_EDITOR_ROLES, Role
from gongjian.accounts.scopes import (
    forget_memberships,
    has_any_role,
    has_role_at,
    home_region,
    region_scope_q,
    regions_visible_to,
)
from gongjian.projects.models import Project
from gongjian.regions.models import Region
from gongjian.tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

# In path order: the city, its counties (GB codes), then the two functional zones.
CITY_AND_BELOW = [
    "350500",
    "350502",
    "350503",
    "350504",
    "350505",
    "350521",
    "350524",
    "350525",
    "350526",
    "350527",
    "350581",
    "350582",
    "350583",
    "QZ-JKQ",
    "QZ-TZQ",
]


def _codes(regions) -> list[str]:
    return list(regions.order_by("path").values_list("code", flat=True))


def _visible(user) -> list[str]:
    return _codes(regions_visible_to(user))


@pytest.fixture
def projects(region):
    return [
        ProjectFactory.create(code=code, region=region(region_code))
        for code, region_code in [
            ("LC-001", "350502"),
            ("FZ-001", "350503"),
            ("TZQ-001", "QZ-TZQ"),
        ]
    ]


def test_city_membership_covers_the_city_and_every_district(city_admin):
    assert _visible(city_admin) == CITY_AND_BELOW


@pytest.mark.parametrize("persona", ["city_reviewer", "leader", "department"])
def test_every_city_role_covers_the_city(request, persona):
    user = request.getfixturevalue(persona)

    assert _visible(user) == CITY_AND_BELOW


def test_district_membership_covers_only_that_district(lichen_filer, fengze_filer):
    assert _visible(lichen_filer) == ["350502"]
    assert _visible(fengze_filer) == ["350503"]


def test_superuser_covers_everything(db):
    root = UserFactory.create(username="root", is_superuser=True)

    assert _visible(root) == _codes(Region.objects.all())
    assert _codes(Region.objects.filter(region_scope_q(root, "", [Role.LEADER]))) == _codes(
        Region.objects.all()
    )


def test_user_without_membership_sees_nothing(projects):
    nobody = UserFactory.create(username="nobody")

    assert _visible(nobody) == []
    assert list(Project.objects.visible_to(nobody)) == []


def test_deactivated_user_sees_nothing(lichen_filer, projects):
    lichen_filer.is_active = False

    assert _visible(lichen_filer) == []
    assert list(Project.objects.visible_to(lichen_filer)) == []


def test_anonymous_sees_nothing(projects):
    assert _visible(AnonymousUser()) == []
    assert list(Project.objects.visible_to(AnonymousUser())) == []


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("city_admin", ["LC-001", "FZ-001", "TZQ-001"]),
        ("lichen_filer", ["LC-001"]),
        ("lichen_reviewer", ["LC-001"]),
        ("fengze_filer", ["FZ-001"]),
    ],
)
def test_projects_visible_to(request, projects, persona, codes):
    user = request.getfixturevalue(persona)

    assert [
        p.code for p in Project.objects.visible_to(user).order_by("region__sort_order")
    ] == codes


def test_roles_narrow_the_scope(region):
    user = UserFactory.create(username="two_hats")
    MembershipFactory.create(user=user, region=region("350502"), role=Role.DISTRICT_FILER)
    MembershipFactory.create(user=user, region=region("350503"), role=Role.DISTRICT_REVIEWER)

    assert _visible(user) == ["350502", "350503"]
    editable = Region.objects.filter(region_scope_q(user, "", PROJECT_EDITOR_ROLES))
    assert _codes(editable) == ["350502"]
    assert _codes(Region.objects.filter(region_scope_q(user, "", [Role.LEADER]))) == []


def test_a_membership_below_another_adds_nothing(region, projects):
    user = UserFactory.create(username="both")
    MembershipFactory.create(user=user, region=region("350500"), role=Role.CITY_REVIEWER)
    MembershipFactory.create(user=user, region=region("350502"), role=Role.DISTRICT_FILER)

    assert region_scope_q(user) == region_scope_q(user, roles=[Role.CITY_REVIEWER])
    assert Project.objects.visible_to(user).count() == 3


def test_district_scope_is_a_path_prefix_not_a_code_prefix(lichen_filer, region):
    # A region whose code merely starts with 350502 is not inside 鲤城区.
    lookalike = Region.objects.create(
        code="3505021", name="虚构区", kind="county", parent=region("350500")
    )
    ProjectFactory.create(code="X-001", region=lookalike)

    assert _visible(lichen_filer) == ["350502"]
    assert Project.objects.visible_to(lichen_filer).count() == 0


def test_new_membership_counts_after_forgetting_the_cache(region):
    user = UserFactory.create(username="newcomer")
    assert _visible(user) == []

    MembershipFactory.create(user=user, region=region("350582"), role=Role.DISTRICT_FILER)
    assert _visible(user) == []  # still the memberships loaded for this request
    forget_memberships(user)

    assert _visible(user) == ["350582"]


def test_has_role_at(lichen_filer, city_admin, leader, region):
    assert has_role_at(lichen_filer, PROJECT_EDITOR_ROLES, region("350502")) is True
    assert has_role_at(lichen_filer, PROJECT_EDITOR_ROLES, region("350503")) is False
    assert has_role_at(lichen_filer, PROJECT_EDITOR_ROLES, region("350500")) is False
    assert has_role_at(city_admin, PROJECT_EDITOR_ROLES, region("QZ-JKQ")) is True
    assert has_role_at(leader, PROJECT_EDITOR_ROLES, region("350502")) is False
    assert has_role_at(leader, [Role.LEADER], region("350502")) is True


def test_has_any_role(lichen_reviewer, fengze_filer):
    assert has_any_role(lichen_reviewer, PROJECT_EDITOR_ROLES) is False
    assert has_any_role(fengze_filer, PROJECT_EDITOR_ROLES) is True
    assert has_any_role(AnonymousUser(), list(Role)) is False


def test_home_region_is_the_highest_region_held(region, lichen_filer):
    user = UserFactory.create(username="both")
    MembershipFactory.create(user=user, region=region("350502"), role=Role.DISTRICT_FILER)
    MembershipFactory.create(user=user, region=region("350500"), role=Role.LEADER)

    assert home_region(user) == region("350500")
    assert home_region(lichen_filer) == region("350502")
    assert home_region(UserFactory.create(username="nobody")) is None
