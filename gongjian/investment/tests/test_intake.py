"""The public intake: validation, storage (encrypted), spam, rate limit, duplicates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongjian.audit.models import AuditEvent
from gongjian.investment import crypto
from gongjian.investment.dedup import company_key
from gongjian.investment.models import Lead, LeadDuplicate
from gongjian.investment.services import RateLimited, lead_submit
from gongjian.investment.tests.conftest import BAD_USCC, HENGDA_USCC, lead_input
from gongjian.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_a_submission_is_stored_with_the_intake_team_and_a_reference(submit):
    lead = submit(ip="198.51.100.7")

    lead.refresh_from_db()
    assert lead.reference.startswith("ZS221202-")
    assert len(lead.reference) == 15
    assert (lead.company, lead.uscc, lead.contact_name) == (
        "泉州恒达鞋业有限公司",
        HENGDA_USCC,
        "王明",
    )
    assert lead.mobile_masked == "138****8000"
    assert (lead.area, lead.area_m2, lead.planned_investment) == (
        Decimal("10000.00"),
        Decimal("10000.00"),
        Decimal("50000.00"),
    )
    assert (lead.region.code, lead.department.code, lead.stage) == ("350500", "zsj", "new")
    assert sorted(r.code for r in lead.preferred_regions.all()) == ["350502", "350582"]
    assert (str(lead.submitted_ip), lead.is_spam, lead.privacy_version) == (
        "198.51.100.7",
        False,
        "2022-1",
    )
    event = AuditEvent.objects.get(object_type="investment.lead", object_id=str(lead.pk))
    assert (event.action, event.actor_username, (event.after or {})["mobile"]) == (
        "create",
        "public",
        "138****8000",
    )


def test_the_mobile_number_is_encrypted_at_rest(submit):
    lead = submit()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT mobile_encrypted, mobile_digest, mobile_masked"
            " FROM investment_lead WHERE id = %s",
            [lead.pk],
        )
        encrypted, digest, masked = cursor.fetchone()
    assert "13800138000" not in encrypted
    assert "13800138000" not in digest
    assert masked == "138****8000"
    assert crypto.decrypt(encrypted) == "13800138000"
    assert digest == crypto.mobile_digest("13800138000")
    assert len(digest) == 64


def test_an_area_in_mu_is_also_kept_in_square_metres(submit):
    lead = submit(area=Decimal("30"), area_unit="mu", need="buy_land")

    assert (lead.area, lead.area_unit, lead.area_m2) == (
        Decimal("30.00"),
        "mu",
        Decimal("20000.00"),
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"company": " "}, "company", "请填写企业名称。"),
        ({"mobile": "1380013800"}, "mobile", "手机号“1380013800”不是有效的 11 位手机号码。"),
        ({"mobile": "12800138000"}, "mobile", "手机号“12800138000”不是有效的 11 位手机号码。"),
        (
            {"uscc": BAD_USCC},
            "uscc",
            f"统一社会信用代码“{BAD_USCC}”校验不通过（应为 18 位，末位为校验码），可不填。",
        ),
        ({"consent": False}, "consent", "请阅读并同意《个人信息处理说明》后再提交。"),
        ({"need": "lease"}, "need", "请选择需求类型。"),
        ({"area": Decimal("-5")}, "area", "需求面积不能为负数。"),
        ({"preferred_region_codes": ["999999"]}, "preferred_regions", "未知的意向县区“999999”。"),
        ({"message": "长" * 2001}, "message", "补充说明最长 2000 字。"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    submit, overrides, field, message
):
    with pytest.raises(ValidationError) as refused:
        submit(**overrides)

    assert refused.value.message_dict == {field: [message]}
    assert Lead.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_mobile_numbers_with_country_code_and_separators_are_normalised(submit):
    lead = submit(mobile="+86 139-5000-1234", uscc="")

    assert lead.mobile_masked == "139****1234"
    assert crypto.decrypt(lead.mobile_encrypted) == "13950001234"


def test_a_honeypot_hit_is_stored_as_spam_and_left_out_of_duplicate_checks(submit):
    first = submit()
    spam = submit(honeypot="http://spam.example")

    spam.refresh_from_db()
    assert (spam.is_spam, spam.dedup_checked_at) == (True, None)
    assert list(LeadDuplicate.objects.filter(lead=spam)) == []
    assert LeadDuplicate.objects.filter(other_lead=first).count() == 0
    event = AuditEvent.objects.get(object_type="investment.lead", object_id=str(spam.pk))
    assert event.message == "疑似垃圾提交（隐藏字段被填写），已保存但不进入线索池。"


def test_more_than_the_hourly_limit_from_one_address_is_refused(submit):
    for _ in range(5):
        submit(ip="198.51.100.9", uscc="", mobile="13900000000")

    with pytest.raises(RateLimited) as refused:
        submit(ip="198.51.100.9")

    assert refused.value.messages == ["提交过于频繁：同一网络每小时最多提交 5 次，请稍后再试。"]
    assert Lead.objects.count() == 5
    # Another address is not held back.
    submit(ip="198.51.100.10")
    assert Lead.objects.count() == 6


def test_the_limit_counts_only_the_last_hour(db):
    earlier = dt.datetime(2022, 12, 2, 8, 0, tzinfo=dt.UTC)
    for minute in range(5):
        lead_submit(
            data=lead_input(), ip="198.51.100.9", now=earlier + dt.timedelta(minutes=minute)
        )

    lead_submit(data=lead_input(), ip="198.51.100.9", now=earlier + dt.timedelta(minutes=61))

    assert Lead.objects.count() == 6


# --- duplicates ----------------------------------------------------------------------------------


def test_company_names_are_compared_normalised():
    assert company_key("泉州恒达鞋业（集团）有限公司") == "泉州恒达鞋业集团"
    assert company_key(" 泉州恒达鞋业(集团)有限公司") == "泉州恒达鞋业集团"
    assert company_key("泉州 恒达鞋业股份有限公司") == "泉州恒达鞋业"
    assert company_key("Hengda Shoes Co.,Ltd.") == "hengdashoes"


def test_duplicates_by_credit_code_mobile_and_name_are_linked_not_merged(submit):
    enterprise = EnterpriseFactory.create(uscc=HENGDA_USCC, name="泉州恒达鞋业有限公司")
    first = submit()
    by_mobile = submit(company="晋江新鞋业有限公司", uscc="", mobile="13800138000")
    by_name = submit(company="泉州 恒达鞋业有限责任公司", uscc="", mobile="13911112222")

    assert [(d.other_lead_id, d.enterprise_id, d.reasons) for d in first.duplicates.all()] == [
        (None, enterprise.pk, ["uscc", "name"])
    ]
    first.refresh_from_db()
    assert first.enterprise_id == enterprise.pk
    assert [(d.other_lead_id, d.reasons) for d in by_mobile.duplicates.all()] == [
        (first.pk, ["mobile"])
    ]
    assert [(d.other_lead_id, d.enterprise_id, d.reasons) for d in by_name.duplicates.all()] == [
        (first.pk, None, ["name"]),
        (None, enterprise.pk, ["name"]),
    ]
    # Nothing merged: three leads, each with its own data.
    assert Lead.objects.count() == 3
    assert sorted(Lead.objects.values_list("mobile_masked", flat=True)) == [
        "138****8000",
        "138****8000",
        "139****2222",
    ]


def test_a_different_company_is_not_a_duplicate(submit):
    submit()
    other = submit(company="德化瓷业有限公司", uscc="", mobile="13622223333")

    assert list(other.duplicates.all()) == []
    assert other.dedup_checked_at is not None


def test_a_failing_duplicate_check_keeps_the_submission(submit, monkeypatch):
    def broken(lead):
        raise RuntimeError("dedup down")

    monkeypatch.setattr("gongjian.investment.services.lead_link_duplicates", broken)

    lead = submit()

    lead.refresh_from_db()
    assert (lead.company, lead.dedup_checked_at) == ("泉州恒达鞋业有限公司", None)
