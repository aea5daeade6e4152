from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "gongjian.plans"
    verbose_name = _("年度计划与红黄绿灯")

    def ready(self) -> None:
        # The built-in light rule kinds register themselves like any other app's would.
        from gongjian.plans import lights  # noqa: F401
