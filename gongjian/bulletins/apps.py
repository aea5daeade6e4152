from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "gongjian.bulletins"
    verbose_name = _("工作通报")
