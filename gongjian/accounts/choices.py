from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市项目办管理员")
    CITY_REVIEWER = "city_reviewer", _("市级审核员")
    DISTRICT_FILER = "district_filer", _("县区填报员")
    DISTRICT_REVIEWER = "district_reviewer", _("县区审核员")
    DEPARTMENT = "department", _("行业部门")
    LEADER = "leader", _("市领导")


# Roles that may create and edit projects in the regions they hold.
PROJECT_EDITOR_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_FILER})
