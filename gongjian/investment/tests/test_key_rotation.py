"""`gongjian rotate-pii-key` (issue 14.10): every stored mobile moves to the new key in one
transaction, or none does."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from gongjian.audit.models import AuditEvent
from gongjian.investment import crypto
from gongjian.investment.models import Lead
from gongjian.investment.services import lead_submit
from gongjian.investment.tests.conftest import lead_input

pytestmark = pytest.mark.django_db

NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def two_leads():
    lead_submit(data=lead_input(), ip="198.51.100.1")
    lead_submit(
        data=lead_input(company="泉州新材料有限公司", mobile="139 0000 1111"), ip="198.51.100.2"
    )


def test_rotation_re_encrypts_every_mobile(two_leads, monkeypatch, settings):
    monkeypatch.setenv("GONGJIAN_NEW_PII_KEY", NEW_KEY)
    out = io.StringIO()

    call_command("rotate-pii-key", stdout=out)

    assert out.getvalue().startswith("已用新密钥重新加密 2 条线索的手机号。")
    settings.PII_KEY = NEW_KEY
    leads = Lead.objects.order_by("pk")
    assert [crypto.decrypt_strict(lead.mobile_encrypted) for lead in leads] == [
        "13800138000",
        "13900001111",
    ]
    assert [lead.mobile_digest for lead in leads] == [
        crypto.mobile_digest("13800138000"),
        crypto.mobile_digest("13900001111"),
    ]
    assert AuditEvent.objects.filter(action="update").values_list("message", flat=True).get() == (
        "轮换个人信息密钥：重新加密 2 条线索的手机号。"
    )


def test_one_unreadable_number_stops_the_rotation_with_nothing_changed(two_leads, monkeypatch):
    broken = Lead.objects.order_by("pk").reverse()[0]
    Lead.objects.filter(pk=broken.pk).update(
        mobile_encrypted=Fernet(Fernet.generate_key()).encrypt(b"13700000000").decode()
    )
    before = list(Lead.objects.order_by("pk").values_list("mobile_encrypted", "mobile_digest"))
    monkeypatch.setenv("GONGJIAN_NEW_PII_KEY", NEW_KEY)

    with pytest.raises(CommandError) as refused:
        call_command("rotate-pii-key")

    assert str(refused.value) == (
        f"线索 {broken.reference} 的手机号无法用当前密钥解密，未做任何更改。"
    )
    assert (
        list(Lead.objects.order_by("pk").values_list("mobile_encrypted", "mobile_digest")) == before
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "请在环境变量 GONGJIAN_NEW_PII_KEY 中提供新密钥"),
        ("not-a-key", "GONGJIAN_PII_KEY is not a Fernet key"),
    ],
)
def test_a_missing_or_bad_new_key_is_refused(two_leads, monkeypatch, key, message):
    monkeypatch.setenv("GONGJIAN_NEW_PII_KEY", key)

    with pytest.raises(CommandError, match=message):
        call_command("rotate-pii-key")
