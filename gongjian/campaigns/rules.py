"""Who may set up campaigns (django-rules): the campaign office (city_admin) alone writes;
everyone with a role reads. The admin's model permissions ask the same predicates."""

from __future__ import annotations

import rules

from gongjian.accounts.choices import BUSINESS_ROLES, Role
from gongjian.accounts.scopes import has_any_role, has_role_at
from gongjian.regions.models import Region

MANAGER_ROLES = (Role.CITY_ADMIN,)


def _region_of(obj) -> Region | None:
    if isinstance(obj, Region):
        return obj
    if hasattr(obj, "region_id"):
        return obj.region
    return None


@rules.predicate
def can_manage_campaigns(user, obj=None) -> bool:
    """A city admin; for a target (or a region), one whose city holds the target's region."""
    region = _region_of(obj) if obj is not None else None
    if region is None:
        return has_any_role(user, MANAGER_ROLES)
    return has_role_at(user, MANAGER_ROLES, region)


@rules.predicate
def can_view_campaigns(user, obj=None) -> bool:
    return has_any_role(user, BUSINESS_ROLES)


rules.add_perm("campaigns.manage", can_manage_campaigns)
for _model in ("campaign", "specialaction", "leadinggroupmember", "indicator", "target"):
    rules.add_perm(f"campaigns.view_{_model}", can_view_campaigns)
    for _verb in ("add", "change", "delete"):
        rules.add_perm(f"campaigns.{_verb}_{_model}", can_manage_campaigns)
