from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongjian.accounts.choices import PROJECT_EDITOR_ROLES
from gongjian.accounts.scopes import has_any_role
from gongjian.dashboards import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    by_region = selectors.home_by_region(user=request.user)
    return render(
        request,
        "dashboards/home.html",
        {
            "summary": selectors.home_summary(user=request.user),
            "by_region": by_region if len(by_region) > 1 else [],
            "recent": selectors.home_recent_activity(user=request.user),
            "can_create": has_any_role(request.user, PROJECT_EDITOR_ROLES),
        },
    )
