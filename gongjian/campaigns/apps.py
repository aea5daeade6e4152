from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "gongjian.campaigns"
    verbose_name = _("攻坚行动")

    def ready(self) -> None:
        # Connects the signals that keep the indicators' monthly cells current.
        from gongjian.campaigns import rollup  # noqa: F401
