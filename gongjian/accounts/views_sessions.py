"""'My sign-in sessions': where the user is signed in, and ending a session elsewhere."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongjian.accounts import sessions


@require_safe
@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/sessions.html",
        {
            "login_sessions": sessions.user_session_list(user=request.user),
            "current_id": sessions.current_session_id(request),
            "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
            "max_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
        },
    )


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    user_session = sessions.user_session_get(user=request.user, pk=pk)
    if user_session.pk == sessions.current_session_id(request):
        messages.error(request, _("这是当前会话，请用右上角的“退出”结束。"))
        return redirect("accounts:sessions")
    sessions.user_session_end(user_session=user_session, actor=request.user)
    messages.success(request, _("已结束该登录会话，对方需重新登录。"))
    return redirect("accounts:sessions")
