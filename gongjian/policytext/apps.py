from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicytextConfig(AppConfig):
    name = "gongjian.policytext"
    verbose_name = _("文件目标提取")
