"""The pages: the public form end to end, masking on every staff page, scope, reveal."""

from __future__ import annotations

import pytest
from django.test import Client

from gongjian.accounts.scopes import memberships_of
from gongjian.audit.models import AuditEvent
from gongjian.investment.models import Lead
from gongjian.investment.selectors import pipeline_counts
from gongjian.investment.services import lead_assign, lead_move_stage

pytestmark = pytest.mark.django_db

FORM = {
    "company": "泉州恒达鞋业有限公司",
    "uscc": "",
    "contact_name": "王明",
    "mobile": "13800138000",
    "need": "rent_factory",
    "use": "运动鞋生产线",
    "industry_chain": "textile-footwear",
    "area": "10000",
    "area_unit": "m2",
    "expected_annual_tax": "300",
    "planned_investment": "50000",
    "preferred_regions": ["350502"],
    "message": "",
    "consent": "on",
    "website": "",
}


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_public_form_stores_and_answers_with_the_reference():
    client = _client()
    assert client.get("/invest/").status_code == 200

    response = client.post("/invest/", FORM, REMOTE_ADDR="198.51.100.20")

    assert (response.status_code, response["Location"]) == (302, "/invest/submitted/")
    lead = Lead.objects.get()
    assert (str(lead.submitted_ip), lead.is_spam) == ("198.51.100.20", False)
    done = client.get("/invest/submitted/")
    assert lead.reference in done.content.decode()


def test_a_bad_mobile_is_named_and_nothing_is_stored():
    response = _client().post("/invest/", {**FORM, "mobile": "12345"})

    assert response.status_code == 400
    assert "手机号“12345”不是有效的 11 位手机号码。" in response.content.decode()
    assert Lead.objects.count() == 0


def test_a_honeypot_hit_looks_accepted_and_is_kept_as_spam():
    response = _client().post("/invest/", {**FORM, "website": "http://x.example"})

    assert (response.status_code, response["Location"]) == (302, "/invest/submitted/")
    assert list(Lead.objects.values_list("is_spam", flat=True)) == [True]


def test_the_rate_limit_answers_429_with_the_reason():
    client = _client()
    for _ in range(5):
        client.post("/invest/", FORM, REMOTE_ADDR="198.51.100.30")

    response = client.post("/invest/", FORM, REMOTE_ADDR="198.51.100.30")

    assert response.status_code == 429
    assert "提交过于频繁：同一网络每小时最多提交 5 次，请稍后再试。" in response.content.decode()
    assert Lead.objects.count() == 5


def test_an_oversized_body_is_refused():
    response = _client().post("/invest/", {**FORM, "message": "长" * 20000})

    assert response.status_code == 413
    assert Lead.objects.count() == 0
    # What was typed is still in the form, and the field over its limit says so.
    form = response.context["form"]
    assert (form["company"].value(), form["mobile"].value()) == (
        "泉州恒达鞋业有限公司",
        "13800138000",
    )
    assert form.errors["message"] == ["确保该变量包含不超过 2000 字符 (目前字符数 20000)。"]
    html = response.content.decode()
    assert 'value="泉州恒达鞋业有限公司"' in html
    assert "最多 2000 字" in html


def test_a_new_lead_notifies_the_intake_department(department):
    from gongjian.notifications.models import Notification

    _client().post("/invest/", FORM, REMOTE_ADDR="198.51.100.21")

    lead = Lead.objects.get()
    assert list(
        Notification.objects.values_list("recipient__username", "kind", "title", "body", "link")
    ) == [
        (
            "zsj_officer",
            "lead_received",
            "新项目需求登记：泉州恒达鞋业有限公司",
            f"登记编号 {lead.reference}，需求：租厂房。请在 3 个工作日内与企业联系。",
            f"/investment/leads/{lead.pk}/",
        )
    ]


@pytest.mark.parametrize("persona", ["city_admin", "city_reviewer", "leader", "department"])
def test_staff_pages_show_only_the_masked_number(request, submit, persona):
    lead = submit()
    client = _client(request.getfixturevalue(persona))

    for url in ("/investment/", f"/investment/leads/{lead.pk}/"):
        html = client.get(url).content.decode()
        assert "138****8000" in html
        assert "13800138000" not in html


def test_the_owning_team_reveals_the_number_and_it_is_audited(submit, department):
    lead = submit()
    client = _client(department)

    response = client.post(f"/investment/leads/{lead.pk}/reveal/")

    assert response.status_code == 200
    assert '<span class="mono" id="mobile">13800138000</span>' in response.content.decode()
    assert AuditEvent.objects.filter(action="export", object_id=str(lead.pk)).count() == 1


def test_a_lead_outside_the_scope_is_404_and_audited(submit, fengze_filer, department):
    lead = submit()
    lead_assign(actor=department, lead=lead, region_code="350502")

    response = _client(fengze_filer).get(f"/investment/leads/{lead.pk}/")

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor_username="fengze_filer").count() == 1


def test_the_detail_says_what_is_missing_before_the_next_stage(submit, department):
    lead = submit()

    html = _client(department).get(f"/investment/leads/{lead.pk}/").content.decode()

    assert "至少一条对接记录（电话、走访或洽谈）" in html


def test_moving_a_stage_from_the_page(submit, department):
    lead = submit()
    client = _client(department)
    client.post(
        f"/investment/leads/{lead.pk}/follow-up/",
        {"kind": "call", "occurred_on": "2022-12-01", "note": "已电话对接。", "next_step": ""},
    )

    response = client.post(f"/investment/leads/{lead.pk}/stage/", {"to_stage": "contacted"})

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == "contacted"


def test_pipeline_counts_in_one_query(submit, city_admin, department, django_assert_num_queries):
    submit()
    lost = submit(company="另一家公司", uscc="", mobile="13911112222")
    lead_move_stage(actor=department, lead=lost, to_stage="lost", lost_reason="cost")
    memberships_of(city_admin)  # loaded once per request, before the page's own queries
    with django_assert_num_queries(1):
        counts = pipeline_counts(user=city_admin)

    assert [(c.stage, c.count) for c in counts] == [
        ("new", 1),
        ("contacted", 0),
        ("negotiating", 0),
        ("signed", 0),
        ("landed", 0),
        ("lost", 1),
    ]
