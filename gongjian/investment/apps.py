from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "gongjian.investment"
    verbose_name = _("招商引资")

    def ready(self) -> None:
        from gongjian.investment import checks  # noqa: F401  (registers the PII key check)
