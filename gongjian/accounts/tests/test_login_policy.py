"""Password policy, failed-login throttling (and why a filer cannot be locked out), admin unlock,
no user enumeration, and the audit events of each decision."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.accounts import throttle
from gongjian.accounts.models import LoginFailure, LoginLockout, PasswordRecord
from gongjian.accounts.passwords import password_is_expired
from gongjian.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LOCKED = "登录尝试次数过多，已暂时锁定。请 30 分钟后再试，或联系安全管理员解锁。"
WRONG = "用户名或密码不正确。"


def _post(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _errors(response) -> list[str]:
    if response.status_code != 200:
        return []
    if response.context.get("lock_message"):
        return [response.context["lock_message"]]
    return list(response.context["form"].non_field_errors())


def _locks():
    return sorted(
        LoginLockout.objects.filter(unlocked_at=None).values_list("scope", "username", "ip_address")
    )


# Password policy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Short-pw-1", "password_too_short"),
        ("qwertyuiop12", "password_sequence"),
        ("1qaz2wsx3edc4rfv", "password_sequence"),
        ("abcdefghijklm", "password_sequence"),
        ("aaaaaaaaaaaaaa", "password_repeated"),
        ("woaini5201314!", "password_common_word"),
        ("Quanzhou@2022x", "password_common_word"),
        ("gongjian-demo", "password_common_word"),
        ("!!sunshine2022!!", "password_common_base"),
        ("19870512-19900101", "password_date"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)

    assert code in [e.code for e in refused.value.error_list]


@pytest.mark.parametrize(
    "password", ["tea-kettle-harbour-39", "渡口晚霞映刺桐城墙边的小船", "Vx7#mP2q!Lr9wK"]
)
def test_strong_passwords_pass(password):
    validate_password(password)  # raises ValidationError if refused


def test_twelve_characters_is_the_minimum():
    with pytest.raises(ValidationError) as refused:
        validate_password("Tk7#mP2q!Lr")  # 11 characters

    assert [(e.code, e.params) for e in refused.value.error_list] == [
        ("password_too_short", {"min_length": 12})
    ]
    validate_password("Tk7#mP2q!Lr9")  # twelve: accepted


def test_setting_a_password_records_when(lichen_filer):
    lichen_filer.set_password("tea-kettle-harbour-39")
    lichen_filer.save()

    record = PasswordRecord.objects.get(user=lichen_filer)
    assert abs((timezone.now() - record.changed_at).total_seconds()) < 5


def test_expiry_is_off_by_default_and_configurable(settings, lichen_filer):
    PasswordRecord.objects.create(
        user=lichen_filer, changed_at=timezone.now() - dt.timedelta(days=91)
    )
    assert settings.GONGJIAN_PASSWORD_MAX_AGE_DAYS == 0
    assert password_is_expired(lichen_filer) is False

    settings.GONGJIAN_PASSWORD_MAX_AGE_DAYS = 90
    assert password_is_expired(lichen_filer) is True
    settings.GONGJIAN_PASSWORD_MAX_AGE_DAYS = 92
    assert password_is_expired(lichen_filer) is False


def test_expired_password_sends_the_user_to_change_it(client, settings, lichen_filer):
    settings.GONGJIAN_PASSWORD_MAX_AGE_DAYS = 90
    PasswordRecord.objects.create(
        user=lichen_filer, changed_at=timezone.now() - dt.timedelta(days=91)
    )

    response = _post(client, "lichen_filer", "gongjian-test")

    assert (response.status_code, response["Location"]) == (302, "/accounts/password/")
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "gongjian-test",
            "new_password1": "tea-kettle-harbour-39",
            "new_password2": "tea-kettle-harbour-39",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/")
    assert password_is_expired(lichen_filer) is False
    assert AuditEvent.objects.filter(action="update", message="修改密码。").count() == 1


# Throttling -----------------------------------------------------------------------------------


def test_five_failures_lock_the_account_from_that_address_only(client, lichen_filer):
    for _ in range(5):
        assert _errors(_post(client, "lichen_filer", "wrong-password")) == [WRONG]

    # Even the right password is refused from the attacker's address ...
    assert _errors(_post(client, "lichen_filer", "gongjian-test")) == [LOCKED]
    assert _locks() == [("pair", "lichen_filer", "10.0.0.1")]
    # ... but the filer at her own office signs in.
    response = _post(client, "lichen_filer", "gongjian-test", ip="10.8.8.8")
    assert (response.status_code, response["Location"]) == (302, "/")


def test_lock_and_refusal_are_audited(client, lichen_filer):
    for _ in range(5):
        _post(client, "lichen_filer", "wrong-password")
    _post(client, "lichen_filer", "gongjian-test")

    events = list(
        AuditEvent.objects.order_by("id").values_list("action", "actor_username", "message")
    )
    assert len(events) == 7
    assert events[:5] == [("login_failed", "lichen_filer", "登录失败：用户名或密码错误。")] * 5
    assert events[5][0:2] == ("login_failed", "lichen_filer")
    assert events[5][2].startswith("登录锁定：账号+IP lichen_filer 10.0.0.1，至 ")
    assert events[6] == ("login_failed", "lichen_filer", "登录被拒绝：账号+IP 已锁定。")


def test_unknown_usernames_are_locked_the_same_way(client, lichen_filer):
    """No enumeration: a lock or a message never tells whether the account exists."""
    real = [_errors(_post(client, "lichen_filer", "wrong-password")) for _ in range(6)]
    ghost = [_errors(_post(client, "nobody_here", "wrong-password")) for _ in range(6)]

    assert real == ghost == [[WRONG]] * 5 + [[LOCKED]]


def test_many_addresses_lock_the_account_but_not_a_trusted_browser(client, lichen_filer):
    # Yesterday the filer signed in from her office browser: it now holds a device cookie.
    assert _post(client, "lichen_filer", "gongjian-test", ip="10.8.8.8").status_code == 302
    cookie = client.cookies[throttle.DEVICE_COOKIE].value
    client.logout()
    attacker = client.__class__()
    for n in range(10):
        _post(attacker, "lichen_filer", "wrong-password", ip=f"203.0.113.{n}")

    assert _locks() == [("account", "lichen_filer", None)]
    assert _errors(_post(attacker, "lichen_filer", "gongjian-test", ip="198.51.100.7")) == [LOCKED]
    client.cookies[throttle.DEVICE_COOKIE] = cookie
    response = _post(client, "lichen_filer", "gongjian-test", ip="10.8.8.8")
    assert (response.status_code, response["Location"]) == (302, "/")


def test_device_cookie_of_another_user_is_not_trusted(client, lichen_filer, fengze_filer):
    _post(client, "fengze_filer", "gongjian-test")
    client.logout()
    for _ in range(5):
        _post(client, "lichen_filer", "wrong-password")

    assert _errors(_post(client, "lichen_filer", "gongjian-test")) == [LOCKED]


def test_a_trusted_browser_loses_trust_after_five_failures(client, lichen_filer):
    _post(client, "lichen_filer", "gongjian-test")
    cookie = client.cookies[throttle.DEVICE_COOKIE].value
    client.logout()
    client.cookies[throttle.DEVICE_COOKIE] = cookie
    for _ in range(5):
        _post(client, "lichen_filer", "wrong-password")

    # The five failures counted against the cookie, not the address: no lock yet ...
    assert _locks() == []
    assert LoginFailure.objects.exclude(device="").count() == 5
    # ... but the cookie is spent, so the next failures count as usual.
    for _ in range(5):
        _post(client, "lichen_filer", "wrong-password")
    assert _locks() == [("pair", "lichen_filer", "10.0.0.1")]


def test_one_address_spraying_many_usernames_is_locked(client, settings, db):
    settings.GONGJIAN_LOGIN_IP_LIMIT = 8
    for n in range(8):
        _post(client, f"user{n}", "wrong-password")

    assert _locks() == [("ip", "", "10.0.0.1")]
    assert _errors(_post(client, "user99", "wrong-password")) == [LOCKED]


def test_locks_expire_after_the_lock_time(client, lichen_filer):
    for _ in range(5):
        _post(client, "lichen_filer", "wrong-password")
    LoginLockout.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=31))

    response = _post(client, "lichen_filer", "gongjian-test")
    assert (response.status_code, response["Location"]) == (302, "/")


def test_success_resets_the_counter(client, lichen_filer):
    for _ in range(4):
        _post(client, "lichen_filer", "wrong-password")
    _post(client, "lichen_filer", "gongjian-test")
    client.logout()  # and the test client drops its cookies, the device cookie too
    for _ in range(4):
        _post(client, "lichen_filer", "wrong-password")

    assert _locks() == []


# Admin unlock ---------------------------------------------------------------------------------


def test_security_admin_unlocks_an_account(client, security_admin, lichen_filer):
    for _ in range(5):
        _post(client, "lichen_filer", "wrong-password")

    assert throttle.login_unlock(actor=security_admin, username="lichen_filer") == 1

    assert _locks() == []
    assert list(
        AuditEvent.objects.filter(actor=security_admin).values_list("action", "message")
    ) == [("update", "解除登录锁定：lichen_filer （1 项）")]
    response = _post(client, "lichen_filer", "gongjian-test")
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize(
    "persona", ["lichen_filer", "fengze_filer", "leader", "city_reviewer", "city_admin"]
)
def test_only_security_admin_may_unlock(request, client, persona, lichen_filer):
    actor = request.getfixturevalue(persona)
    for _ in range(5):
        _post(client, "lichen_filer", "wrong-password")

    with pytest.raises(PermissionDenied):
        throttle.login_unlock(actor=actor, username="lichen_filer")

    assert _locks() == [("pair", "lichen_filer", "10.0.0.1")]
    assert list(AuditEvent.objects.filter(actor=actor).values_list("action", "message")) == [
        ("denied", "无权解除登录锁定。")
    ]


# No enumeration by timing ---------------------------------------------------------------------


def test_unknown_user_and_wrong_password_take_similar_time(client, settings, lichen_filer):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    lichen_filer.set_password("gongjian-test")
    lichen_filer.save()
    settings.GONGJIAN_LOGIN_PAIR_LIMIT = 1000
    settings.GONGJIAN_LOGIN_IP_LIMIT = 1000

    def timed(username: str) -> float:
        start = time.perf_counter()
        _post(client, username, "wrong-password")
        return time.perf_counter() - start

    timed("warm_up")
    known, unknown = [], []
    for _ in range(9):  # interleaved, so that load from elsewhere hits both alike
        known.append(timed("lichen_filer"))
        unknown.append(timed("nobody_here"))
    ratio = statistics.median(unknown) / statistics.median(known)
    print(
        f"\nlogin timing median: wrong password {statistics.median(known) * 1000:.1f} ms, "
        f"unknown user {statistics.median(unknown) * 1000:.1f} ms, ratio {ratio:.2f}"
    )

    # Both paths run one PBKDF2 hash; a leak (no hash for unknown users) would be a ratio under
    # 0.05. The wide band absorbs load from other processes on a shared machine.
    assert 0.5 < ratio < 2.0
