from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongjian.core"
    verbose_name = "公共"
