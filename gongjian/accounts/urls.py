from django.urls import path

from gongjian.accounts import views_login, views_sessions

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
]
