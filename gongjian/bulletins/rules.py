"""Who may make, publish and read bulletins (django-rules): the campaign office (city_admin)
generates and publishes; city reviewers and the city's leaders read them too. District and
department staff do not see bulletins here."""

from __future__ import annotations

import rules

from gongjian.accounts.choices import Role
from gongjian.accounts.scopes import has_any_role

MANAGER_ROLES = (Role.CITY_ADMIN,)
READER_ROLES = (Role.CITY_ADMIN, Role.CITY_REVIEWER, Role.LEADER)


@rules.predicate
def can_manage_bulletins(user, obj=None) -> bool:
    return has_any_role(user, MANAGER_ROLES)


@rules.predicate
def can_read_bulletins(user, obj=None) -> bool:
    return has_any_role(user, READER_ROLES)


rules.add_perm("bulletins.manage", can_manage_bulletins)
rules.add_perm("bulletins.read", can_read_bulletins)
