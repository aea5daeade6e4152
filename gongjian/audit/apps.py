from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "gongjian.audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from gongjian.audit import signals  # noqa: F401  (records sign-ins and failures)
