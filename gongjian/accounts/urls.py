from django.urls import path

from gongjian.accounts import views_login, views_sessions, views_users

app_name = "accounts"
urlpatterns = [
    path("sessions/", views_sessions.session_list, name="sessions"),
    path("sessions/<int:pk>/end/", views_sessions.session_end, name="session_end"),
    path("login/verify/", views_login.login_verify, name="login_verify"),
    path("totp/", views_login.totp_setup, name="totp_setup"),
    path("totp/codes/", views_login.totp_codes, name="totp_codes"),
    path("totp/codes/new/", views_login.totp_codes_regenerate, name="totp_codes_regenerate"),
    path("totp/disable/", views_login.totp_disable, name="totp_disable"),
    path("password/", views_login.PasswordChangeView.as_view(), name="password_change"),
    path("users/", views_users.user_list, name="user_list"),
    path("users/<int:pk>/", views_users.user_detail, name="user_detail"),
    path(
        "users/<int:pk>/memberships/<int:membership_pk>/revoke/",
        views_users.membership_revoke,
        name="membership_revoke",
    ),
    path("users/<int:pk>/password-reset/", views_users.user_password_reset, name="password_reset"),
    path("users/<int:pk>/unlock/", views_users.user_unlock, name="user_unlock"),
    path("users/<int:pk>/active/", views_users.user_set_active, name="user_set_active"),
]
