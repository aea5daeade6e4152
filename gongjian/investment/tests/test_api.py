"""The leads API: scoped and masked list, stage moves and conversion as actions, OpenAPI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from gongjian.accounts.services import api_token_create
from gongjian.investment.models import Lead
from gongjian.investment.services import lead_add_follow_up, lead_assign, lead_move_stage

pytestmark = pytest.mark.django_db


def _api(user) -> Client:
    _token, raw = api_token_create(user=user)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_list_is_scoped_and_masked(submit, department, lichen_filer, fengze_filer):
    mine = submit()
    other = submit(company="德化瓷业有限公司", uscc="", mobile="13622223333")
    lead_assign(actor=department, lead=mine, region_code="350502")

    body = _api(lichen_filer).get("/api/v1/leads").json()

    assert body["count"] == 1
    item = body["items"][0]
    assert (item["reference"], item["mobile"], item["region_code"], item["stage"]) == (
        mine.reference,
        "138****8000",
        "350502",
        "new",
    )
    assert item["preferred_regions"] == ["350502", "350582"]
    assert "13800138000" not in json.dumps(body)
    assert _api(fengze_filer).get("/api/v1/leads").json() == {"count": 0, "items": []}
    assert [i["reference"] for i in _api(department).get("/api/v1/leads").json()["items"]] == [
        other.reference
    ]
    assert _api(fengze_filer).get(f"/api/v1/leads/{mine.pk}").status_code == 404


def test_stage_move_and_conversion_through_the_api(submit, city_admin, lichen_filer, leader):
    lead = submit()
    lead_add_follow_up(
        actor=city_admin, lead=lead, kind="visit", occurred_on=dt.date(2022, 11, 20), note="走访"
    )
    lead_move_stage(actor=city_admin, lead=lead, to_stage="contacted")
    lead_assign(actor=city_admin, lead=lead, region_code="350502")
    api = _api(lichen_filer)

    moved = api.post(
        f"/api/v1/leads/{lead.pk}/stage",
        {"stage": "negotiating", "note": "洽谈用地"},
        content_type="application/json",
    )
    assert (moved.status_code, moved.json()["stage"]) == (200, "negotiating")

    refused = _api(leader).post(
        f"/api/v1/leads/{lead.pk}/convert", {}, content_type="application/json"
    )
    # A leader reads every lead of the city and changes none.
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        f"无权为线索“{lead.reference}”办理签约：须由落地县区填报员或市项目办办理。",
    )
    converted = api.post(
        f"/api/v1/leads/{lead.pk}/convert",
        {"date": "2022-11-28", "project_name": "恒达智能工厂"},
        content_type="application/json",
    )
    assert converted.status_code == 200
    assert (converted.json()["stage"], converted.json()["project_code"]) == (
        "signed",
        f"ZS2022-350502-L{lead.pk:05d}",
    )

    again = api.post(f"/api/v1/leads/{lead.pk}/convert", {}, content_type="application/json")
    assert again.status_code == 422
    assert again.json()["errors"] == {"stage": ["线索当前为“签约”，不能转为“签约”。"]}


def test_a_lost_move_without_reason_is_422(submit, department):
    lead = submit()

    response = _api(department).post(
        f"/api/v1/leads/{lead.pk}/stage", {"stage": "lost"}, content_type="application/json"
    )

    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"lost_reason": ["请选择流失原因。"]},
    )
    assert Lead.objects.get().stage == "new"


def test_the_leads_api_is_in_the_openapi_document(city_admin):
    paths = _api(city_admin).get("/api/v1/openapi.json").json()["paths"]

    assert {
        "/api/v1/leads",
        "/api/v1/leads/{lead_id}",
        "/api/v1/leads/{lead_id}/stage",
        "/api/v1/leads/{lead_id}/convert",
    } <= set(paths)
