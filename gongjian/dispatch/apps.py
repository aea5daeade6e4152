from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "gongjian.dispatch"
    verbose_name = _("月调度")

    def ready(self) -> None:
        # 前期工作 milestones and 要素保障 requests feed the project lights as rule kinds.
        from gongjian.dispatch import lights

        lights.register()
