from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gongjian.accounts import views_login
from gongjian.api import api

urlpatterns = [
    path("", include("gongjian.dashboards.urls")),
    path("projects/", include("gongjian.projects.urls")),
    path("plans/", include("gongjian.plans.urls")),
    path("reporting/", include("gongjian.reporting.urls")),
    path("assessment/", include("gongjian.assessment.urls")),
    path("bulletins/", include("gongjian.bulletins.urls")),
    path("campaigns/", include("gongjian.campaigns.urls")),
    path("parks/", include("gongjian.parks.urls")),
    path("audit/", include("gongjian.audit.urls")),
    path("policytext/", include("gongjian.policytext.urls")),
    path("notifications/", include("gongjian.notifications.urls")),
    path("invest/", include("gongjian.investment.public_urls")),
    path("investment/", include("gongjian.investment.urls")),
    path("dispatch/", include("gongjian.dispatch.urls")),
    path("accounts/", include("gongjian.accounts.urls")),
    path(
        "accounts/login/",
        views_login.login_view,
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
