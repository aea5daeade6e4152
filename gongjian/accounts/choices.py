from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市项目办管理员")
    CITY_REVIEWER = "city_reviewer", _("市级审核员")
    DISTRICT_FILER = "district_filer", _("县区填报员")
    DISTRICT_REVIEWER = "district_reviewer", _("县区审核员")
    DEPARTMENT = "department", _("行业部门")
    LEADER = "leader", _("市领导")
    # Separation of duties (MLPS 2.0 level 3): accounts, roles and the audit log are the security
    # administrator's; the business roles above never manage accounts, and this one sees no
    # business data.
    SECURITY_ADMIN = "security_admin", _("安全管理员")


# The roles that work with the campaign's business data (every role but the security admin).
BUSINESS_ROLES = tuple(role for role in Role if role != Role.SECURITY_ADMIN)

# Roles that may create and edit projects in the regions they hold.
PROJECT_EDITOR_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_FILER})
