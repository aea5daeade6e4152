"""Signing in: password step (throttled, see accounts.throttle), second step (TOTP or recovery
code), setting up the authenticator, and the periodic password change."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.accounts import throttle, totp
from gongjian.accounts.forms import LoginForm, TotpCodeForm
from gongjian.accounts.passwords import password_is_expired
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_record

PENDING = "gongjian.pending_login"
PENDING_SECONDS = 300


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _safe_next(request: HttpRequest, raw: str) -> str:
    if raw and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return reverse(settings.LOGIN_REDIRECT_URL)


def _locked_message() -> str:
    return _("登录尝试次数过多，已暂时锁定。请 %(minutes)s 分钟后再试，或联系安全管理员解锁。") % {
        "minutes": settings.GONGJIAN_LOGIN_LOCK_MINUTES
    }


def _complete(request: HttpRequest, user, backend: str, next_url: str) -> HttpResponse:
    """Both steps passed: sign in, reset the counter, trust this browser, check password age."""
    request.session.pop(PENDING, None)
    auth_login(request, user, backend=backend)
    throttle.login_success_record(username=user.get_username(), ip=_ip(request))
    if user.must_change_password:
        messages.warning(request, _("您正在使用临时密码，请先设置自己的新密码。"))
        response: HttpResponse = redirect("accounts:password_change")
    elif password_is_expired(user):
        messages.warning(
            request,
            _("您的密码已超过 %(days)s 天未修改，请立即修改密码。")
            % {"days": settings.GONGJIAN_PASSWORD_MAX_AGE_DAYS},
        )
        response = redirect("accounts:password_change")
    else:
        response = HttpResponseRedirect(next_url)
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        throttle.device_cookie_value(user.get_username()),
        max_age=throttle.DEVICE_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def login_view(request: HttpRequest) -> HttpResponse:
    """Step one. The same message whether the username exists or not (no enumeration)."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        username = request.POST.get("username", "")
        device = throttle.device_from_cookie(request.COOKIES.get(throttle.DEVICE_COOKIE), username)
        attempt = throttle.login_attempt_begin(username=username, ip=_ip(request), device=device)
        if not isinstance(attempt, throttle.Attempt):
            lock = attempt
            audit_record(
                actor=None,
                action=AuditAction.LOGIN_FAILED,
                username=throttle.normalize(username),
                message=_("登录被拒绝：%(scope)s 已锁定。") % {"scope": lock.get_scope_display()},
            )
            return render(
                request,
                "registration/login.html",
                {
                    "form": LoginForm(request, initial={"username": username}),
                    "lock_message": _locked_message(),
                    "next": next_url,
                },
            )
        if form.is_valid():
            throttle.login_attempt_passed(attempt)
            user = form.get_user()
            backend: str = user.backend  # type: ignore[attr-defined]  # set by authenticate()
            if totp.totp_enabled(user) or totp.totp_required(user):
                request.session[PENDING] = {
                    "user": user.pk,
                    "backend": backend,
                    "at": time.time(),
                    "next": _safe_next(request, next_url),
                }
                if totp.totp_enabled(user):
                    return redirect("accounts:login_verify")
                return redirect("accounts:totp_setup")
            return _complete(request, user, backend, _safe_next(request, next_url))
        throttle.login_attempt_failed(attempt)
    return render(request, "registration/login.html", {"form": form, "next": next_url})


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


def login_verify(request: HttpRequest) -> HttpResponse:
    """Step two: a code from the authenticator app, or one recovery code."""
    user, pending = _pending_user(request)
    if user is None:
        messages.error(request, _("登录已超时，请重新输入用户名和密码。"))
        return redirect("login")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = user.get_username()
        device = throttle.device_from_cookie(request.COOKIES.get(throttle.DEVICE_COOKIE), username)
        if throttle.active_lock(username=username, ip=_ip(request), device=device):
            request.session.pop(PENDING, None)
            messages.error(request, _locked_message())
            return redirect("login")
        if totp.totp_verify(user=user, code=form.cleaned_data["code"]):
            return _complete(request, user, pending["backend"], pending["next"])
        audit_record(
            actor=None,
            action=AuditAction.LOGIN_FAILED,
            username=username,
            message=_("登录失败：动态口令或恢复码错误。"),
        )
        throttle.login_failure_record(username=username, ip=_ip(request), device=device)
        form.add_error("code", _("验证码不正确，请重试。"))
    return render(request, "accounts/login_verify.html", {"form": form})


def totp_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator: signed in, or half-way through a sign-in that requires it."""
    pending = None
    if request.user.is_authenticated:
        user = request.user
    else:
        user, pending = _pending_user(request)
        if user is None:
            return redirect("login")
    if totp.totp_enabled(user) and pending is None:
        return render(request, "accounts/totp_status.html", {"required": totp.totp_required(user)})
    device = totp.totp_device_start(user=user)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp.totp_device_confirm(user=user, code=form.cleaned_data["code"])
        if codes is not None:
            if pending is not None:
                response = _complete(request, user, pending["backend"], pending["next"])
                response["Location"] = reverse("accounts:totp_codes")
            else:
                response = redirect("accounts:totp_codes")
            messages.success(request, _("动态口令已启用。"))
            request.session["gongjian.recovery_codes"] = codes
            return response
        form.add_error("code", _("验证码不正确，请核对手机时间后重试。"))
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "form": form,
            "uri": totp.provisioning_uri(device.secret, user.get_username()),
            "secret": totp.grouped(device.secret),
            "required": totp.totp_required(user),
        },
    )


@login_required
def totp_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once right after they are made."""
    codes = request.session.pop("gongjian.recovery_codes", None)
    if not codes:
        return redirect("accounts:totp_setup")
    return render(request, "accounts/totp_codes.html", {"codes": codes})


@login_required
@require_POST
def totp_codes_regenerate(request: HttpRequest) -> HttpResponse:
    """New recovery codes need a current one-time code: an open session alone must not be
    enough to mint the codes that would then turn the second factor off."""
    if not totp.totp_enabled(request.user):
        return redirect("accounts:totp_setup")
    codes = totp.recovery_codes_renew(user=request.user, code=request.POST.get("code", "").strip())
    if codes is None:
        messages.error(request, _("动态口令不正确，恢复码未重新生成。"))
        return redirect("accounts:totp_setup")
    request.session["gongjian.recovery_codes"] = codes
    return redirect("accounts:totp_codes")


@login_required
@require_POST
def totp_disable(request: HttpRequest) -> HttpResponse:
    """Turning the second factor off is itself proven with it (OWASP ASVS 3.7.1): a current code
    or a recovery code, so a session left open cannot strip an account of its second factor."""
    if not totp.totp_enabled(request.user):
        return redirect("accounts:totp_setup")
    code = request.POST.get("code", "").strip()
    if not code or totp.totp_verify(user=request.user, code=code) is None:
        audit_record(
            actor=request.user,
            action=AuditAction.DENIED,
            obj=request.user,
            message=_("停用动态口令被拒绝：验证码不正确。"),
        )
        messages.error(request, _("验证码或恢复码不正确，动态口令未停用。"))
        return redirect("accounts:totp_setup")
    totp.totp_device_remove(user=request.user, actor=request.user)
    messages.success(request, _("动态口令已停用。"))
    return redirect("accounts:totp_setup")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        audit_record(
            actor=self.request.user,
            action=AuditAction.UPDATE,
            obj=self.request.user,
            message=_("修改密码。"),
        )
        messages.success(self.request, _("密码已修改。"))
        return response
