"""The park pages: what each persona sees, exact figures, the ranking's query count, 拉练, and
the roster's download and upload."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.audit.models import AuditEvent
from gongjian.parks.exports import write_roster
from gongjian.parks.models import Enterprise
from gongjian.parks.selectors import park_ranking
from gongjian.tests.factories import make_uscc

pytestmark = pytest.mark.django_db


def test_the_list_shows_the_parks_in_scope(registry, client, lichen_filer, city_admin):
    client.force_login(lichen_filer)
    page = client.get("/parks/?as_of=2022-04-30")
    assert page.status_code == 200
    assert [p.code for p in page.context["parks"]] == ["lc-l"]

    client.force_login(city_admin)
    page = client.get("/parks/?as_of=2022-04-30&standardised=1")
    assert [p.code for p in page.context["parks"]] == ["jj-1"]
    parks = {p.code: p for p in client.get("/parks/?as_of=2022-04-30").context["parks"]}
    figures = {
        code: (p.enterprise_count, p.above_scale, p.land, p.contribution)
        for code, p in parks.items()
    }
    assert figures == {
        "lc-l": (2, 2, Decimal("110.00"), Decimal("50.00")),
        "jj-1": (2, 1, Decimal("260.00"), Decimal("25.00")),
        "jj-2": (2, 2, Decimal("380.00"), Decimal("50.00")),
    }  # fmt: skip
    assert "园区企业" in page.content.decode()


def test_the_park_page_lists_its_enterprises_on_the_date(registry, client, city_admin):
    client.force_login(city_admin)
    park = registry.parks["L"]

    march = client.get(f"/parks/{park.pk}/?as_of=2022-03-31")
    april = client.get(f"/parks/{park.pk}/?as_of=2022-04-30")

    assert [s.name for s in march.context["spells"]] == ["测试企业A", "测试企业C", "测试企业D"]
    assert [s.name for s in april.context["spells"]] == ["测试企业A", "测试企业D"]
    assert april.context["region_rate"].rate == Decimal("50.00")
    assert "鲤城测试园L" in april.content.decode()


def test_a_park_outside_the_scope_is_404_and_audited(registry, client, lichen_filer):
    client.force_login(lichen_filer)
    park = registry.parks["J1"]

    assert client.get(f"/parks/{park.pk}/").status_code == 404
    assert AuditEvent.objects.filter(actor=lichen_filer, action="denied").count() == 1


def test_the_ranking_by_land_in_two_queries(registry, city_admin, django_assert_num_queries):
    with django_assert_num_queries(2):
        parks = park_ranking(user=city_admin, as_of=dt.date(2022, 4, 30), measure="land")
    assert [(p.rank, p.code, p.land) for p in parks] == [
        (1, "jj-2", Decimal("380.00")),
        (2, "jj-1", Decimal("260.00")),
        (3, "lc-l", Decimal("110.00")),
    ]
    by_output = park_ranking(user=city_admin, as_of=dt.date(2022, 4, 30), measure="output")
    assert [(p.code, p.output) for p in by_output] == [
        ("jj-1", Decimal("90000.00")),
        ("lc-l", Decimal("52000.00")),
        ("jj-2", Decimal("0")),
    ]


def test_the_ranking_page(registry, client, leader):
    client.force_login(leader)
    page = client.get("/parks/ranking/?by=above_scale&as_of=2022-04-30")
    assert page.status_code == 200
    assert [p.code for p in page.context["parks"]] == ["lc-l", "jj-2", "jj-1"]


def test_lalian_puts_chosen_parks_side_by_side(registry, client, city_admin):
    client.force_login(city_admin)
    page = client.get(
        "/parks/lalian/?parks=jj-1&parks=lc-l&measures=above_scale&measures=land&as_of=2022-04-30"
    )
    assert page.status_code == 200
    assert [(row["key"], row["values"]) for row in page.context["table"]] == [
        ("above_scale", [1, 2]),
        ("land", [Decimal("260.00"), Decimal("110.00")]),
    ]
    assert page.context["chart"]["series"][1]["data"] == [260.0, 110.0]
    assert "echarts-5.6.0.min.js" in page.content.decode()


def test_the_roster_downloads_within_scope(registry, client, lichen_filer):
    client.force_login(lichen_filer)
    response = client.get("/parks/enterprises/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_upload_with_errors_offers_the_annotated_workbook(registry, client, city_admin):
    client.force_login(city_admin)
    bad = write_roster(
        [[make_uscc(900), "", "350502", "", "是", None, None, "", None, None, None, None, None, ""]]
    )
    response = client.post(
        "/parks/enterprises/import/",
        {"file": _upload(bad)},
    )
    assert response.status_code == 200
    assert [e.message for e in response.context["result"].errors] == [
        "第 2 行 B 列（企业名称）：企业名称不能为空。"
    ]
    annotated = client.get("/parks/enterprises/import/errors.xlsx")
    assert annotated.status_code == 200
    assert not Enterprise.objects.filter(uscc=make_uscc(900)).exists()


def test_the_leader_may_not_import(registry, client, leader):
    client.force_login(leader)
    assert client.get("/parks/enterprises/import/").status_code == 403


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "roster.xlsx",
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
