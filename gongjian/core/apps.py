from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "gongjian.core"
    verbose_name = "公共"


class GongjianAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the platform's site (no sign-in of its own, read-only pages)."""

    default = False  # named in INSTALLED_APPS; gongjian.core's own config stays the default
    default_site = "gongjian.core.admin_site.GongjianAdminSite"
