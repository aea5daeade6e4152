"""The admin is a window onto campaign data, not a door: it lists and shows, and every write
(campaigns, indicators, targets) goes through the set-up pages and their services."""

from __future__ import annotations

import json

import pytest

from gongjian.audit.models import AuditEvent
from gongjian.campaigns.models import Indicator

pytestmark = pytest.mark.django_db

ADD = "/admin/campaigns/indicator/add/"


def _form(definition) -> dict[str, str]:
    return {
        "code": "started",
        "name": "新开工项目",
        "name_en": "",
        "kind": "event_count",
        "unit": "个",
        "definition": json.dumps(definition),
        "description": "",
    }


@pytest.fixture
def staff_admin(client, city_admin):
    city_admin.is_staff = True
    city_admin.save()
    client.force_login(city_admin)
    return client


def test_a_valid_definition_is_not_saved_through_the_admin(staff_admin):
    response = staff_admin.post(ADD, _form({"source": "stage_events", "stage": "started"}))

    assert response.status_code == 403
    assert (Indicator.objects.count(), AuditEvent.objects.filter(action="create").count()) == (
        0,
        0,
    )


def test_district_staff_cannot_add_in_the_admin(client, lichen_filer):
    lichen_filer.is_staff = True
    lichen_filer.save()
    client.force_login(lichen_filer)

    response = client.post(ADD, _form({"source": "stage_events", "stage": "started"}))

    assert response.status_code == 403
    assert Indicator.objects.count() == 0


@pytest.mark.parametrize("page", ["campaign", "specialaction", "indicator", "target"])
def test_admin_lists_open(staff_admin, page):
    assert staff_admin.get(f"/admin/campaigns/{page}/").status_code == 200


@pytest.mark.parametrize("page", ["target/add", "campaign/add", "indicator/add"])
def test_admin_add_pages_are_refused(staff_admin, page):
    assert staff_admin.get(f"/admin/campaigns/{page}/").status_code == 403
