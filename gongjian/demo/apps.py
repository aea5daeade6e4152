from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The deterministic Quanzhou 2022 demo data and its ``loaddemo`` command (no models)."""

    name = "gongjian.demo"
    verbose_name = _("演示数据")
