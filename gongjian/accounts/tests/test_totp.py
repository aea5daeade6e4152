"""Second factor: RFC 6238/4226 vectors, the two-step sign-in, set-up, recovery codes, and the
setting that makes it mandatory for city admins and city reviewers."""

from __future__ import annotations

import base64
import time

import pytest
from django.core.exceptions import PermissionDenied

from gongjian.accounts import totp
from gongjian.accounts.models import RecoveryCode, TotpDevice
from gongjian.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

# RFC 6238 appendix B / RFC 4226 appendix D: the ASCII key "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_rfc6238_sha1_vectors(when, code):
    assert totp.totp(RFC_SECRET, when=when, digits=8) == code


def test_rfc4226_hotp_vectors():
    assert [totp.hotp(RFC_SECRET, n) for n in range(10)] == [
        "755224",
        "287082",
        "359152",
        "969429",
        "338314",
        "254676",
        "287922",
        "162583",
        "399871",
        "520489",
    ]


def test_one_step_of_drift_either_way_and_no_replay():
    now = 1_700_000_000.0
    step = totp.step_at(now)
    before, current, after = (totp.totp(RFC_SECRET, when=now + d) for d in (-30, 0, 30))

    assert totp.match_step(RFC_SECRET, before, after_step=0, when=now) == step - 1
    assert totp.match_step(RFC_SECRET, after, after_step=0, when=now) == step + 1
    assert (
        totp.match_step(RFC_SECRET, totp.totp(RFC_SECRET, when=now + 60), after_step=0, when=now)
        is None
    )
    assert totp.match_step(RFC_SECRET, current, after_step=step, when=now) is None
    assert totp.match_step(RFC_SECRET, "12345", after_step=0, when=now) is None


def test_provisioning_uri_and_grouped_secret():
    assert totp.provisioning_uri("JBSWY3DPEHPK3PXP", "city_admin") == (
        "otpauth://totp/Gongjian%3Acity_admin?secret=JBSWY3DPEHPK3PXP&issuer=Gongjian"
        "&digits=6&period=30"
    )
    assert totp.grouped("JBSWY3DPEHPK3PXP") == "JBSW Y3DP EHPK 3PXP"
    assert len(totp.new_secret()) == 32


def _enrol(user) -> list[str]:
    device = totp.totp_device_start(user=user)
    codes = totp.totp_device_confirm(user=user, code=totp.totp(device.secret))
    assert codes is not None
    return codes


def _login(client, username):
    return client.post("/accounts/login/", {"username": username, "password": "gongjian-test"})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _next_code(user) -> str:
    """A code for the next step, so that it is not a replay of the one used at enrolment."""
    return totp.totp(TotpDevice.objects.get(user=user).secret, when=time.time() + 30)


def test_enrolment_stores_hashed_one_time_recovery_codes(lichen_filer):
    codes = _enrol(lichen_filer)

    assert len(codes) == 10
    assert len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(user=lichen_filer).values_list("digest", flat=True))
    assert stored == {totp.recovery_digest(c) for c in codes}
    assert not stored & set(codes)
    assert TotpDevice.objects.get(user=lichen_filer).is_confirmed is True
    assert list(
        AuditEvent.objects.filter(actor=lichen_filer)
        .order_by("id")
        .values_list("action", "message")
    ) == [("create", "启用动态口令。"), ("update", "生成 10 个恢复码。")]


def test_wrong_code_does_not_enable(lichen_filer):
    totp.totp_device_start(user=lichen_filer)

    assert totp.totp_device_confirm(user=lichen_filer, code="000000") is None
    assert TotpDevice.objects.get(user=lichen_filer).is_confirmed is False
    assert RecoveryCode.objects.count() == 0


def test_sign_in_with_a_device_takes_two_steps(client, lichen_filer):
    _enrol(lichen_filer)

    response = _login(client, "lichen_filer")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/verify/")
    assert _signed_in(client) is False

    response = client.post("/accounts/login/verify/", {"code": "000000"})
    assert response.context["form"].errors == {"code": ["验证码不正确，请重试。"]}
    assert _signed_in(client) is False

    response = client.post("/accounts/login/verify/", {"code": _next_code(lichen_filer)})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert _signed_in(client) is True
    assert list(
        AuditEvent.objects.filter(action__in=["login", "login_failed"])
        .order_by("id")
        .values_list("action", "message")
    ) == [("login_failed", "登录失败：动态口令或恢复码错误。"), ("login", "")]


def test_a_used_code_cannot_be_replayed(client, lichen_filer):
    _enrol(lichen_filer)
    code = _next_code(lichen_filer)
    _login(client, "lichen_filer")
    client.post("/accounts/login/verify/", {"code": code})
    client.logout()

    _login(client, "lichen_filer")
    response = client.post("/accounts/login/verify/", {"code": code})

    assert response.status_code == 200
    assert _signed_in(client) is False


def test_recovery_code_works_once(client, lichen_filer):
    codes = _enrol(lichen_filer)

    _login(client, "lichen_filer")
    response = client.post("/accounts/login/verify/", {"code": codes[3].upper()})
    assert (response.status_code, response["Location"]) == (302, "/")
    client.logout()

    _login(client, "lichen_filer")
    response = client.post("/accounts/login/verify/", {"code": codes[3]})
    assert response.status_code == 200
    assert _signed_in(client) is False
    assert RecoveryCode.objects.filter(user=lichen_filer, used_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(message="使用恢复码通过二次验证，剩余 9 个。").count() == 1


def test_wrong_codes_are_throttled_like_passwords(client, lichen_filer):
    _enrol(lichen_filer)
    _login(client, "lichen_filer")
    for _ in range(5):
        client.post("/accounts/login/verify/", {"code": "000000"})

    response = client.post("/accounts/login/verify/", {"code": _next_code(lichen_filer)})

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    assert _signed_in(client) is False


@pytest.mark.parametrize("persona", ["city_admin", "city_reviewer"])
def test_not_mandatory_by_default_in_tests_and_demo(request, client, settings, persona):
    request.getfixturevalue(persona)
    assert settings.GONGJIAN_REQUIRE_TOTP is False

    response = _login(client, persona)

    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize(
    ("persona", "required"),
    [
        ("city_admin", True),
        ("city_reviewer", True),
        ("leader", False),
        ("lichen_filer", False),
        ("lichen_reviewer", False),
        ("department", False),
    ],
)
def test_mandatory_for_city_admin_and_reviewer_when_on(
    request, client, settings, persona, required
):
    settings.GONGJIAN_REQUIRE_TOTP = True
    user = request.getfixturevalue(persona)

    response = _login(client, user.username)

    expected = "/accounts/totp/" if required else "/"
    assert (response.status_code, response["Location"]) == (302, expected)
    assert _signed_in(client) is (not required)


def test_mandatory_enrolment_completes_the_sign_in(client, settings, city_admin):
    settings.GONGJIAN_REQUIRE_TOTP = True
    _login(client, "city_admin")

    page = client.get("/accounts/totp/")
    secret = TotpDevice.objects.get(user=city_admin).secret
    assert page.context["secret"] == totp.grouped(secret)
    assert "您的角色须使用动态口令（二次验证）后才能登录。" in page.content.decode()
    response = client.post("/accounts/totp/", {"code": totp.totp(secret)})

    assert (response.status_code, response["Location"]) == (302, "/accounts/totp/codes/")
    assert _signed_in(client) is True
    codes_page = client.get("/accounts/totp/codes/")
    assert len(codes_page.context["codes"]) == 10
    # Shown once only.
    assert client.get("/accounts/totp/codes/")["Location"] == "/accounts/totp/"


def test_mandatory_role_cannot_switch_it_off(settings, city_admin, lichen_filer):
    settings.GONGJIAN_REQUIRE_TOTP = True
    _enrol(city_admin)
    _enrol(lichen_filer)

    with pytest.raises(PermissionDenied):
        totp.totp_device_remove(user=city_admin, actor=city_admin)
    totp.totp_device_remove(user=lichen_filer, actor=lichen_filer)

    assert list(TotpDevice.objects.values_list("user__username", flat=True)) == ["city_admin"]
    assert AuditEvent.objects.filter(action="denied", actor=city_admin).count() == 1


def test_only_the_security_admin_removes_someone_elses_device(
    city_admin, security_admin, lichen_filer, fengze_filer
):
    _enrol(fengze_filer)

    for actor in (lichen_filer, city_admin):
        with pytest.raises(PermissionDenied):
            totp.totp_device_remove(user=fengze_filer, actor=actor)
    assert TotpDevice.objects.count() == 1
    totp.totp_device_remove(user=fengze_filer, actor=security_admin)

    assert TotpDevice.objects.count() == 0
    assert RecoveryCode.objects.count() == 0


def test_switching_it_off_needs_a_current_code(client, lichen_filer):
    _enrol(lichen_filer)
    client.force_login(lichen_filer)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True)[0]

    # without a code, or with a wrong one, the device stays and the refusal is audited
    for data in ({}, {"code": "000000"}):
        response = client.post("/accounts/totp/disable/", data, follow=True)
        assert [str(m) for m in response.context["messages"]] == [
            "验证码或恢复码不正确，动态口令未停用。"
        ]
    assert totp.totp_enabled(lichen_filer) is True
    assert (
        list(AuditEvent.objects.filter(pk__gt=last).order_by("id").values_list("action", "message"))
        == [("denied", "停用动态口令被拒绝：验证码不正确。")] * 2
    )

    # with a current code it is switched off
    response = client.post("/accounts/totp/disable/", {"code": _next_code(lichen_filer)})
    assert (response.status_code, response["Location"]) == (302, "/accounts/totp/")
    assert totp.totp_enabled(lichen_filer) is False
    assert RecoveryCode.objects.filter(user=lichen_filer).count() == 0
    assert AuditEvent.objects.order_by("-id").values_list("action", "message")[0] == (
        "delete",
        "停用 lichen_filer 的动态口令。",
    )


def test_switching_it_off_without_a_device_does_nothing(client, lichen_filer):
    client.force_login(lichen_filer)
    before = AuditEvent.objects.count()

    response = client.post("/accounts/totp/disable/", {})

    assert (response.status_code, response["Location"]) == (302, "/accounts/totp/")
    assert AuditEvent.objects.count() == before


def test_new_recovery_codes_need_a_current_code(client, lichen_filer):
    """A stolen session alone cannot mint recovery codes (and with them turn the code off)."""
    old = _enrol(lichen_filer)
    client.force_login(lichen_filer)
    before = set(RecoveryCode.objects.values_list("digest", flat=True))

    for code in ("", "000000", old[0]):
        refused = client.post("/accounts/totp/codes/new/", {"code": code})
        assert refused["Location"] == "/accounts/totp/"
    assert set(RecoveryCode.objects.values_list("digest", flat=True)) == before
    assert (
        list(AuditEvent.objects.filter(action="denied").values_list("message", flat=True))
        == ["重新生成恢复码被拒绝：动态口令不正确。"] * 3
    )

    device = TotpDevice.objects.get(user=lichen_filer)
    renewed = client.post(
        "/accounts/totp/codes/new/", {"code": totp.totp(device.secret, when=time.time() + 30)}
    )

    assert renewed["Location"] == "/accounts/totp/codes/"
    assert len(client.get("/accounts/totp/codes/").context["codes"]) == 10
    assert set(RecoveryCode.objects.values_list("digest", flat=True)).isdisjoint(before)
    assert list(lichen_filer.notifications.values_list("kind", "title")) == [
        ("account_security", "您的恢复码已重新生成")
    ]
