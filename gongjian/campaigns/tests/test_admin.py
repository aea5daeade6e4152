"""The admin until the set-up pages exist: definitions validated, saves audited, city_admin only."""

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


def test_an_invalid_definition_is_refused_in_the_admin(staff_admin):
    response = staff_admin.post(ADD, _form({"source": "reports", "stage": "started"}))

    assert response.status_code == 200
    page = response.content.decode()
    assert "“source”须为“stage_events”：事件计数指标读取项目阶段记录。" in page
    assert Indicator.objects.count() == 0


def test_a_valid_definition_is_saved_and_audited(staff_admin):
    response = staff_admin.post(ADD, _form({"source": "stage_events", "stage": "started"}))

    assert response.status_code == 302
    indicator = Indicator.objects.get()
    assert indicator.definition == {"source": "stage_events", "stage": "started"}
    event = AuditEvent.objects.get(action="create")
    assert (event.actor_username, event.object_type, event.message) == (
        "city_admin",
        "campaigns.indicator",
        "管理后台",
    )


def test_district_staff_cannot_add_in_the_admin(client, lichen_filer):
    lichen_filer.is_staff = True
    lichen_filer.save()
    client.force_login(lichen_filer)

    response = client.post(ADD, _form({"source": "stage_events", "stage": "started"}))

    assert response.status_code == 403
    assert Indicator.objects.count() == 0


@pytest.mark.parametrize(
    "page", ["campaign", "specialaction", "indicator", "target", "target/add", "campaign/add"]
)
def test_admin_pages_open(staff_admin, page):
    assert staff_admin.get(f"/admin/campaigns/{page}/").status_code == 200


def test_a_target_outside_whole_months_is_refused_in_the_admin(staff_admin, region):
    from gongjian.tests.factories import CampaignFactory, IndicatorFactory

    campaign, indicator = CampaignFactory.create(), IndicatorFactory.create()
    response = staff_admin.post(
        "/admin/campaigns/target/add/",
        {
            "campaign": campaign.pk,
            "indicator": indicator.pk,
            "region": region("350500").pk,
            "period_start": "2022-01-01",
            "period_end": "2022-12-30",
            "comparator": "≥",
            "value": "17000000",
            "weight": "1",
            "plan_curve": '["0.5", "1"]',
            "sort_order": "0",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "截止日期须为某月的最后一天（目标按整月计）。" in page
    assert not campaign.targets.exists()
