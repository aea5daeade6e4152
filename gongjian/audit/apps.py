from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "gongjian.audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from gongjian.audit import signals  # noqa: F401  (records sign-ins and failures)
        from gongjian.audit.guard import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="audit_sqlite_guard")
