"""Sessions to government standard: idle and absolute time-outs, sign-out deletes the session on
the server, a user lists and ends their own sessions, and each of these is audited."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.accounts import sessions
from gongjian.accounts.models import UserSession
from gongjian.audit.models import AuditEvent

PASSWORD = "gongjian-test"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _signed_in(user, *, ip="10.1.2.3", agent=CHROME) -> Client:
    """A browser that signed in through the real login form."""
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _age_session(client: Client, *, idle_seconds: float = 0, since_login_seconds: float = 0):
    """Move the session's clocks back, as if time had passed since the last request and login."""
    session = client.session
    now = timezone.now().timestamp()
    session[sessions.SEEN_AT] = now - idle_seconds
    session[sessions.LOGIN_AT] = now - since_login_seconds
    session.save()


def _audit(action: str):
    return list(
        AuditEvent.objects.filter(action=action)
        .order_by("pk")
        .values_list("actor_username", "message", "ip_address")
    )


def test_settings_are_30_minutes_idle_and_12_hours_absolute(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 3600
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    # The test suite (like the demo) runs over plain http.
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_SECURE is False


def test_sign_in_is_tracked_with_address_and_browser(lichen_filer):
    client = _signed_in(lichen_filer, ip="10.1.2.3", agent=CHROME)

    row = UserSession.objects.get()
    assert (row.user, row.session_key, row.ip_address, row.user_agent) == (
        lichen_filer,
        client.session.session_key,
        "10.1.2.3",
        CHROME,
    )
    assert client.session[sessions.TRACKING_ID] == row.pk
    assert _audit("login") == [("lichen_filer", "", "10.1.2.3")]
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 12 * 3600


def test_rows_of_sessions_gone_from_the_store_are_dropped_at_the_next_sign_in(lichen_filer):
    _signed_in(lichen_filer, ip="10.1.2.3")
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    _signed_in(lichen_filer, ip="10.9.9.9")

    assert list(UserSession.objects.values_list("ip_address", flat=True)) == ["10.9.9.9"]


def test_activity_within_30_minutes_keeps_the_session_and_moves_the_clock(lichen_filer):
    client = _signed_in(lichen_filer)
    _age_session(client, idle_seconds=29 * 60, since_login_seconds=29 * 60)
    before = timezone.now().timestamp()

    response = client.get(reverse("accounts:sessions"))

    assert response.status_code == 200
    assert client.session[sessions.SEEN_AT] >= before
    assert UserSession.objects.get().last_seen_at.timestamp() >= before
    assert _audit("logout") == []


def test_31_minutes_idle_signs_out_deletes_the_session_and_audits(lichen_filer):
    client = _signed_in(lichen_filer)
    old_key = client.session.session_key
    _age_session(client, idle_seconds=31 * 60, since_login_seconds=31 * 60)

    response = client.get(reverse("accounts:sessions"), follow=True)

    assert response.redirect_chain == [(reverse("login") + "?next=/accounts/sessions/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "30 分钟无操作，会话已超时，自动退出。请重新登录。"
    ]
    assert not Session.objects.filter(session_key=old_key).exists()
    assert UserSession.objects.count() == 0
    assert _audit("logout") == [
        ("lichen_filer", "30 分钟无操作，会话已超时，自动退出。", "10.1.2.3")
    ]


def test_12_hours_after_sign_in_the_session_ends_even_when_active(lichen_filer):
    client = _signed_in(lichen_filer)
    _age_session(client, idle_seconds=60, since_login_seconds=12 * 3600 + 1)

    response = client.get(reverse("accounts:sessions"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/accounts/sessions/"
    assert _audit("logout") == [
        ("lichen_filer", "登录已满 12 小时，会话已到期，自动退出。", "10.1.2.3")
    ]


def test_idle_limit_comes_from_the_environment(lichen_filer, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    client = _signed_in(lichen_filer)
    _age_session(client, idle_seconds=5 * 60 + 1, since_login_seconds=5 * 60 + 1)

    response = client.get(reverse("accounts:sessions"))

    assert response.status_code == 302
    assert _audit("logout") == [
        ("lichen_filer", "5 分钟无操作，会话已超时，自动退出。", "10.1.2.3")
    ]


def test_sign_out_deletes_the_session_and_the_old_cookie_is_refused(lichen_filer):
    client = _signed_in(lichen_filer)
    old_key = client.session.session_key

    client.post(reverse("logout"))

    assert not Session.objects.filter(session_key=old_key).exists()
    assert UserSession.objects.count() == 0
    replay = Client()
    replay.cookies["sessionid"] = str(old_key)
    response = replay.get(reverse("accounts:sessions"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/accounts/sessions/"
    assert _audit("logout") == [("lichen_filer", "", "10.1.2.3")]


def test_a_cycled_session_key_is_followed_by_the_tracking_row(lichen_filer):
    # Given a signed-in browser whose session key is cycled on the server (as a password change
    # does) a few seconds after sign-in
    client = _signed_in(lichen_filer)
    store = SessionStore(session_key=client.session.session_key)
    store.cycle_key()
    client.cookies["sessionid"] = str(store.session_key)

    # When it makes its next request
    response = client.get(reverse("accounts:sessions"))

    # Then the row carries the new key, the page still knows the current session, and the old
    # key is gone
    assert response.status_code == 200
    assert UserSession.objects.get().session_key == store.session_key
    assert [r.pk for r in response.context["login_sessions"]] == [response.context["current_id"]]


def test_the_page_lists_only_my_live_sessions(lichen_filer, fengze_filer):
    office = _signed_in(lichen_filer, ip="10.1.2.3", agent=CHROME)
    home = _signed_in(lichen_filer, ip="10.9.9.9", agent=FIREFOX)
    _signed_in(fengze_filer, ip="10.5.5.5")
    office_id = office.session[sessions.TRACKING_ID]
    home_id = home.session[sessions.TRACKING_ID]

    response = office.get(reverse("accounts:sessions"))

    assert response.status_code == 200
    rows = list(response.context["login_sessions"])
    assert sorted((r.pk, r.ip_address, r.user_agent) for r in rows) == [
        (office_id, "10.1.2.3", CHROME),
        (home_id, "10.9.9.9", FIREFOX),
    ]
    html = response.content.decode()
    assert html.count("当前会话") == 1
    assert html.count(">结束</button>") == 1
    assert reverse("accounts:session_end", args=[home_id]) in html
    assert reverse("accounts:session_end", args=[office_id]) not in html
    assert "10.5.5.5" not in html


def test_ending_another_session_signs_that_browser_out(lichen_filer):
    office = _signed_in(lichen_filer, ip="10.1.2.3")
    home = _signed_in(lichen_filer, ip="10.9.9.9")
    home_key = home.session.session_key
    home_id = home.session[sessions.TRACKING_ID]

    response = office.post(reverse("accounts:session_end", args=[home_id]), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["已结束该登录会话，对方需重新登录。"]
    assert not Session.objects.filter(session_key=home_key).exists()
    assert list(UserSession.objects.values_list("ip_address", flat=True)) == ["10.1.2.3"]
    assert home.get(reverse("accounts:sessions")).status_code == 302
    assert office.get(reverse("accounts:sessions")).status_code == 200
    [(actor, message, ip)] = _audit("logout")
    assert (actor, ip) == ("lichen_filer", "10.1.2.3")
    assert message.startswith("结束了另一处登录会话（IP 10.9.9.9，登录于 ")


def test_ending_the_current_session_from_the_list_is_refused(lichen_filer):
    office = _signed_in(lichen_filer)
    office_id = office.session[sessions.TRACKING_ID]

    response = office.post(reverse("accounts:session_end", args=[office_id]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "这是当前会话，请用右上角的“退出”结束。"
    ]
    assert UserSession.objects.count() == 1
    assert _audit("logout") == []


def test_someone_elses_session_is_404_audited_and_untouched(lichen_filer, fengze_filer):
    lichen = _signed_in(lichen_filer)
    fengze = _signed_in(fengze_filer, ip="10.5.5.5")
    lichen_id = lichen.session[sessions.TRACKING_ID]

    response = fengze.post(reverse("accounts:session_end", args=[lichen_id]))

    assert response.status_code == 404
    assert Session.objects.filter(session_key=lichen.session.session_key).exists()
    assert UserSession.objects.count() == 2
    assert _audit("logout") == []
    assert _audit("denied") == [("fengze_filer", "访问范围之外的对象。", "10.5.5.5")]
    assert lichen.get(reverse("accounts:sessions")).status_code == 200


def test_ending_a_session_is_post_only_and_needs_sign_in(lichen_filer):
    lichen = _signed_in(lichen_filer)
    lichen_id = lichen.session[sessions.TRACKING_ID]

    assert lichen.get(reverse("accounts:session_end", args=[lichen_id])).status_code == 405
    assert Client().post(reverse("accounts:session_end", args=[lichen_id])).status_code == 302
    assert UserSession.objects.count() == 1


def test_header_links_to_my_sessions(lichen_filer):
    client = _signed_in(lichen_filer)

    html = client.get(reverse("notifications:list")).content.decode()

    assert '<a class="who" href="/accounts/sessions/" title="我的登录会话">lichen_filer</a>' in html


# Production settings: `gongjian check --deploy --fail-level WARNING` ----------------------------

REPO = Path(__file__).resolve().parents[3]


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "GONGJIAN_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "gongjian.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://gongjian@db.internal:5432/gongjian",
        "ALLOWED_HOSTS": "gongjian.example.gov.cn",
        "CSRF_TRUSTED_ORIGINS": "https://gongjian.example.gov.cn",
        "GONGJIAN_PII_KEY": Fernet.generate_key().decode(),
        "GONGJIAN_SITE_URL": "https://gongjian.example.gov.cn",
        "GONGJIAN_VAR_DIR": "/tmp/gongjian-check-deploy",
    }
    env.update(extra)
    return env


def _gongjian(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gongjian.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = _gongjian("check", "--deploy", "--fail-level", "WARNING", env=_production_env())

    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_settings_are_secure_by_default():
    script = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_IDLE_TIMEOUT, s.SESSION_ABSOLUTE_TIMEOUT,"
        " s.DEBUG)"
    )
    result = _gongjian("shell", "--no-imports", "-c", script, env=_production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True True Lax True 31536000 True 1800 43200 False"


def test_a_bad_session_limit_fails_loudly():
    env = _production_env(GONGJIAN_SESSION_IDLE_MINUTES="900", GONGJIAN_SESSION_MAX_HOURS="12")

    result = _gongjian("check", env=env)

    assert result.returncode == 1
    assert "会话空闲时限须至少 1 分钟且不超过会话最长时限" in result.stderr


def test_check_deploy_fails_when_https_is_switched_off():
    """The check has teeth: turning HTTPS off in production is reported."""
    env = _production_env(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")

    result = _gongjian("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 1
    assert "security.W004" in result.stderr
    assert "security.W008" in result.stderr
