"""Permission predicates (django-rules). Services check these; views and the API only ask."""

from __future__ import annotations

import rules

from gongjian.accounts.choices import BUSINESS_ROLES, PROJECT_EDITOR_ROLES, Role
from gongjian.accounts.scopes import has_any_role, has_role_at


def _region_of(obj):
    return getattr(obj, "region", obj)


@rules.predicate
def can_view_region_object(user, obj) -> bool:
    if obj is None:
        return bool(has_any_role(user, BUSINESS_ROLES))
    return has_role_at(user, BUSINESS_ROLES, _region_of(obj))


@rules.predicate
def can_edit_region_projects(user, obj) -> bool:
    """City admins anywhere in their city, district filers in their own district."""
    if obj is None:
        return has_any_role(user, PROJECT_EDITOR_ROLES)
    return has_role_at(user, PROJECT_EDITOR_ROLES, _region_of(obj))


@rules.predicate
def is_city_admin(user, obj=None) -> bool:
    return has_any_role(user, [Role.CITY_ADMIN])


rules.add_perm("projects.view_project", can_view_region_object)
# ``obj`` for add_project is the region the new project will belong to.
rules.add_perm("projects.add_project", can_edit_region_projects)
rules.add_perm("projects.change_project", can_edit_region_projects)
rules.add_perm("projects.record_stage", can_edit_region_projects)


@rules.predicate
def is_security_admin(user, obj=None) -> bool:
    return has_any_role(user, [Role.SECURITY_ADMIN])


# The business admin reads the log of the business it runs; the security admin audits everyone.
rules.add_perm("audit.view_auditevent", is_city_admin | is_security_admin)

# The security administrator reads the account tables in the admin (and runs its service-backed
# actions there: unlock, removing a lost authenticator); nobody writes them there.
for _model in ("user", "membership", "department", "apitoken", "loginlockout", "loginfailure"):
    rules.add_perm(f"accounts.view_{_model}", is_security_admin)
rules.add_perm("accounts.view_totpdevice", is_security_admin)
