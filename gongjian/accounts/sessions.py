"""Signed-in sessions: idle and absolute time-outs, and the list of a user's own sessions.

Government standard (MLPS 2.0 level 3, OWASP ASVS V3): a session ends after
``SESSION_IDLE_TIMEOUT`` seconds without a request and ``SESSION_ABSOLUTE_TIMEOUT`` seconds after
sign-in, whatever happens in between; signing out deletes the session on the server; a user sees
where they are signed in and can end any other session. Each of these is an audit event.

The list reads Django's database session store (the default ``SESSION_ENGINE``) to leave out
sessions that have already expired there.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import UserSession
from gongjian.accounts.selectors import scoped_get_or_404
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record

# Keys kept in the session itself (epoch seconds; the session store serialises JSON).
LOGIN_AT = "gongjian.login_at"
SEEN_AT = "gongjian.seen_at"
TRACKING_ID = "gongjian.session_id"
# The key the tracking row was last written with: a key cycled mid-session (password change)
# is written back to the row at once, so that the row can still end that session.
TRACKED_KEY = "gongjian.tracked_key"

# Activity is written back at most this often, so that not every request writes the database;
# the idle time-out is therefore exact to within this many seconds.
TOUCH_INTERVAL_SECONDS = 60


class SessionExpiry:
    IDLE = "idle"
    ABSOLUTE = "absolute"


def _now() -> float:
    return timezone.now().timestamp()


def _client(request: HttpRequest) -> dict:
    return {
        "ip_address": request.META.get("REMOTE_ADDR") or None,
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:255],
    }


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


# Selectors -------------------------------------------------------------------------------------


def user_session_list(*, user) -> QuerySet[UserSession]:
    """The user's live sessions, most recently active first.

    Live: still in the session store, not idle longer than the idle time-out and not older than
    the absolute lifetime.
    """
    now = timezone.now()
    live_keys = Session.objects.filter(expire_date__gt=now).values("session_key")
    return UserSession.objects.filter(
        user=user,
        session_key__in=live_keys,
        last_seen_at__gt=now - dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT),
        created_at__gt=now - dt.timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT),
    ).order_by("-last_seen_at", "-pk")


def user_session_get(*, user, pk) -> UserSession:
    """One of the user's own sessions; anybody else's is 404 and a denied audit event."""
    return scoped_get_or_404(  # type: ignore[return-value]
        queryset=UserSession.objects.all(),
        scoped=UserSession.objects.filter(user=user),
        user=user,
        pk=pk,
    )


def current_session_id(request: HttpRequest) -> int | None:
    return request.session.get(TRACKING_ID)


# Services --------------------------------------------------------------------------------------


def user_session_start(*, request: HttpRequest, user) -> UserSession:
    """Start the clocks and the tracking row for a session that has just signed in."""
    now = timezone.now()
    session = request.session
    if session.session_key is None:
        session.save()
    row, _created = UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"user": user, "created_at": now, "last_seen_at": now, **_client(request)},
    )
    # Rows of sessions that ran out without a request (the browser was closed) go at the next
    # sign-in; the list leaves them out until then.
    UserSession.objects.filter(user=user).exclude(pk=row.pk).exclude(
        session_key__in=Session.objects.filter(expire_date__gt=now).values("session_key")
    ).delete()
    session[LOGIN_AT] = now.timestamp()
    session[SEEN_AT] = now.timestamp()
    session[TRACKING_ID] = row.pk
    session[TRACKED_KEY] = session.session_key
    return row


def user_session_touch(*, request: HttpRequest) -> None:
    """Note activity on the session of a signed-in request (at most once a minute)."""
    session = request.session
    now = _now()
    seen_at = session.get(SEEN_AT)
    if session.session_key is None:
        return
    key_changed = session.get(TRACKED_KEY) != session.session_key
    if seen_at is not None and now - seen_at < TOUCH_INTERVAL_SECONDS and not key_changed:
        return
    session[SEEN_AT] = now
    session[TRACKED_KEY] = session.session_key
    session.setdefault(LOGIN_AT, now)
    stamp = timezone.now()
    tracking_id = session.get(TRACKING_ID)
    updated = 0
    if tracking_id is not None and request.user.pk is not None:
        updated = UserSession.objects.filter(pk=tracking_id, user_id=request.user.pk).update(
            session_key=session.session_key, last_seen_at=stamp
        )
    if not updated:
        # A session from before tracking began: track it from now on.
        row, _created = UserSession.objects.update_or_create(
            session_key=session.session_key,
            defaults={
                "user": request.user,
                "created_at": dt.datetime.fromtimestamp(session[LOGIN_AT], tz=dt.UTC),
                "last_seen_at": stamp,
                **_client(request),
            },
        )
        session[TRACKING_ID] = row.pk


def session_expiry(*, request: HttpRequest) -> str | None:
    """Why this signed-in session has run out, or None while it is good."""
    now = _now()
    login_at = request.session.get(LOGIN_AT)
    seen_at = request.session.get(SEEN_AT)
    if login_at is not None and now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
        return SessionExpiry.ABSOLUTE
    if seen_at is not None and now - seen_at > settings.SESSION_IDLE_TIMEOUT:
        return SessionExpiry.IDLE
    return None


def user_session_expire(*, request: HttpRequest, reason: str) -> None:
    """Sign the request's user out because the session ran out; the session is deleted."""
    user = request.user
    if reason == SessionExpiry.IDLE:
        message = _("%(minutes)d 分钟无操作，会话已超时，自动退出。") % {
            "minutes": settings.SESSION_IDLE_TIMEOUT // 60
        }
    else:
        message = _("登录已满 %(hours)d 小时，会话已到期，自动退出。") % {
            "hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600
        }
    with transaction.atomic():
        UserSession.objects.filter(session_key=request.session.session_key).delete()
        audit_record(actor=user, action=AuditAction.LOGOUT, message=message)
    request.session.flush()
    request.user = AnonymousUser()
    messages.info(request, _("%(reason)s请重新登录。") % {"reason": message})


def user_session_end(*, user_session: UserSession, actor) -> None:
    """End one of the actor's own sessions elsewhere: it is deleted from the session store."""
    if user_session.user_id != actor.pk:
        raise audit_denied(actor=actor, obj=user_session, message=_("只能结束自己的登录会话。"))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.LOGOUT,
            obj=user_session,
            message=_("结束了另一处登录会话（IP %(ip)s，登录于 %(created)s）。")
            % {
                "ip": user_session.ip_address or "-",
                "created": timezone.localtime(user_session.created_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
        _session_store()(session_key=user_session.session_key).delete()
        user_session.delete()


# Signals and middleware ------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="gongjian.accounts.sessions.start")
def _start_on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        user_session_start(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="gongjian.accounts.sessions.stop")
def _stop_on_logout(sender, request, user, **kwargs) -> None:
    # Django's logout() flushes the session from the store right after this signal.
    if request is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


class SessionTimeoutMiddleware:
    """Sign out idle or too old sessions before the view runs; note activity before and after it
    (after it too, for a sign-in or a key cycled by the view; both are cheap within a minute)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = session_expiry(request=request)
            if reason is not None:
                user_session_expire(request=request, reason=reason)
            else:
                user_session_touch(request=request)
        response = self.get_response(request)
        if request.user.is_authenticated:
            user_session_touch(request=request)
        return response


class PasswordChangeRequiredMiddleware:
    """A password someone else issued (bootstrap, a reset) is for one sign-in only: until the user
    has set their own, every page leads to the password change (the one-time code set-up, the
    change itself, signing out, the language switch and static files stay reachable)."""

    ALLOWED_PREFIXES = ("/static/", "/i18n/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False):
            from django.shortcuts import redirect
            from django.urls import reverse

            allowed = {
                reverse("accounts:password_change"),
                reverse("accounts:totp_setup"),
                reverse("accounts:totp_codes"),
                reverse("logout"),
            }
            path = request.path_info
            if path not in allowed and not path.startswith(self.ALLOWED_PREFIXES):
                return redirect("accounts:password_change")
        return self.get_response(request)
