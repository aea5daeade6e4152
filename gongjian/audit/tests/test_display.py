"""Audited values as people read them on the audit log: names, not codes or field names."""

from __future__ import annotations

import pytest

from gongjian.audit.display import field_label, value_text, visible_changes
from gongjian.audit.services import audit_record
from gongjian.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        ("", "—"),
        ([], "—"),
        ({}, "—"),
        ("started", "开工"),
        (["started", "completed"], "开工、竣工"),
        ("2022-03-15", "2022-03-15"),
    ],
)
def test_a_choice_and_a_list_of_choices(value, expected):
    assert value_text("projects.stageevent", "stage", value) == expected


def test_a_foreign_key_by_code_or_primary_key_is_the_row_name():
    campaign = CampaignFactory.create()

    assert value_text("assessment.rubric", "campaign", "xmgj2022") == "项目攻坚2022"
    assert value_text("assessment.rubric", "campaign_id", campaign.pk) == "项目攻坚2022"
    assert value_text("assessment.rubric", "campaign", "gone-2019") == "gone-2019"


def test_a_user_is_named_with_the_account(city_admin):
    city_admin.display_name = "陈志强"
    city_admin.save()

    assert value_text("accounts.membership", "user", city_admin.pk) == "陈志强（city_admin）"


def test_a_region_code_is_its_name(region):
    assert value_text("projects.project", "region", "350502") == "鲤城区"
    assert value_text("projects.project", "region", region("350503").pk) == "丰泽区"


def test_a_dict_keyed_by_region_codes_reads_as_names():
    totals = {"350502": "80.84", "350503": "85.49"}

    assert value_text("assessment.assessmentresult", "totals", totals) == (
        "鲤城区：80.84，丰泽区：85.49"
    )


def test_nested_rows_read_as_their_own_fields():
    items = [
        {"method": "linear", "params": {"cap": "1.2"}, "weight": "25.00"},
        {"method": "bands", "weight": "5"},
    ]

    assert value_text("assessment.rubric", "items", items) == (
        "计分方法：线性计分，计分参数：满分线：1.2，分值：25.00；计分方法：分档计分，分值：5"
    )


def test_field_labels():
    assert [
        field_label("annual_plan", "projects.project"),
        field_label("items", "assessment.rubric"),
        field_label("rubric_id", "assessment.rubricitem"),
        field_label("totals", "assessment.assessmentresult"),
        field_label("mystery", "projects.project"),
    ] == ["年度计划投资（万元）", "考核项目", "考核办法", "各区域总分", "mystery"]


def test_a_foreign_key_shows_once_not_with_its_id_twin():
    assert visible_changes(None, {"rubric": "办法 v1", "rubric_id": 1, "weight": "5"}) == [
        ("rubric", None, "办法 v1"),
        ("weight", None, "5"),
    ]


def test_the_audit_log_page_shows_names(client, city_admin):
    campaign = CampaignFactory.create()
    city_admin.display_name = "陈志强"
    city_admin.save()
    audit_record(
        actor=city_admin,
        action="create",
        obj=campaign,
        after={"is_active": True, "green_threshold": "-5.00", "region": "350502"},
    )
    client.force_login(city_admin)

    html = client.get("/audit/", {"object_type": "campaigns.campaign"}).content.decode()

    assert "<dt>进行中</dt><dd>是</dd>" in html
    assert "<dt>region</dt>" not in html
    assert "350502" not in html
    assert '<td class="nowrap">陈志强<div class="muted small mono">city_admin</div></td>' in html
    assert "{'" not in html and "[{" not in html
