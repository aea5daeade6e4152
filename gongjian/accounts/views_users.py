"""User management: the security administrator's pages (accounts, roles, resets, unlocks).

Thin views over ``accounts.services``, which hold the rules (only the security administrator,
never on oneself, separation of duties) and write the audit events.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.accounts import services
from gongjian.accounts.forms import MembershipGrantForm, UserCreateForm
from gongjian.accounts.models import Membership, User
from gongjian.audit.services import audit_denied


def _require(request: HttpRequest) -> None:
    if not services.is_security_admin(request.user):
        raise audit_denied(actor=request.user, message=_("只有安全管理员可以管理账号和角色。"))


def _show_password(request: HttpRequest, user: User, password: str) -> None:
    messages.warning(
        request,
        _("%(user)s 的临时密码：%(password)s（只显示这一次，请当面或电话告知本人；首次登录须修改）")
        % {"user": user.username, "password": password},
    )


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _show_password(request, user, password)
            return redirect("accounts:user_detail", pk=user.pk)
    query = request.GET.get("q", "").strip()
    users = User.objects.exclude(username="system").prefetch_related("memberships__region")
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(display_name__icontains=query)
            | Q(email__icontains=query)
        )
    page = Paginator(users.order_by("username"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "q": query, "form": form, "nav_section": "users"},
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    user = get_object_or_404(User.objects.exclude(username="system"), pk=pk)
    form = MembershipGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_grant(user=user, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("角色已授予。"))
            return redirect("accounts:user_detail", pk=user.pk)
    memberships = user.memberships.select_related("region", "department").order_by("region__path")
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": user,
            "memberships": memberships,
            "form": form,
            "is_self": user.pk == request.user.pk,
            "nav_section": "users",
        },
    )


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    _require(request)
    user = get_object_or_404(User.objects.exclude(username="system"), pk=pk)
    try:
        action(user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def membership_revoke(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    def revoke(user):
        membership = get_object_or_404(Membership, pk=membership_pk, user=user)
        services.membership_revoke(membership=membership, actor=request.user)
        messages.success(request, _("角色已撤销。"))

    return _act(request, pk, revoke)


@login_required
@require_POST
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    def reset(user):
        _show_password(request, user, services.user_password_reset(user=user, actor=request.user))

    return _act(request, pk, reset)


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    def unlock(user):
        count = services.user_unlock(user=user, actor=request.user)
        messages.success(request, _("已解除 %(count)s 项登录锁定。") % {"count": count})

    return _act(request, pk, unlock)


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    def toggle(user):
        services.user_set_active(
            user=user, is_active=request.POST.get("is_active") == "1", actor=request.user
        )
        messages.success(request, _("账号状态已更新。"))

    return _act(request, pk, toggle)
