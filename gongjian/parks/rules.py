"""Who may keep the park and enterprise registry (django-rules). Services check these; views and
the API only ask.

City admins keep it for the whole city, district filers for their own district, as with the
project ledger. Everyone covering a region may read its parks and enterprises
(``visible_to``).
"""

from __future__ import annotations

import rules

from gongjian.accounts.choices import Role
from gongjian.accounts.scopes import has_any_role, has_role_at

PARK_EDITOR_ROLES = (Role.CITY_ADMIN, Role.DISTRICT_FILER)


def _region_of(obj):
    return getattr(obj, "region", obj)


@rules.predicate
def can_edit_region_parks(user, obj) -> bool:
    """``obj`` is a park, an enterprise, or the region a new one will belong to."""
    if obj is None:
        return has_any_role(user, PARK_EDITOR_ROLES)
    return has_role_at(user, PARK_EDITOR_ROLES, _region_of(obj))


rules.add_perm("parks.add_park", can_edit_region_parks)
rules.add_perm("parks.change_park", can_edit_region_parks)
rules.add_perm("parks.add_enterprise", can_edit_region_parks)
rules.add_perm("parks.change_enterprise", can_edit_region_parks)
