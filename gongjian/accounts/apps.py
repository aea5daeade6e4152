from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gongjian.accounts"
    verbose_name = _("账号与权限")

    def ready(self) -> None:
        from gongjian.accounts import sessions  # noqa: F401  (connects the sign-in/out receivers)
