"""Who may see and do what, by region: the one place region scoping is computed.

A membership at a region covers that region and everything below it (a city admin covers the
whole city; a district filer covers the district). Superusers cover everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from gongjian.accounts.choices import BUSINESS_ROLES, Role
from gongjian.accounts.models import Membership
from gongjian.regions.models import Region

_CACHE_ATTR = "_gongjian_memberships"


def memberships_of(user) -> list[Membership]:
    """The user's memberships with their regions, loaded once per user object (i.e. per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("region", "department"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    """Drop the per-object cache after memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def region_scope_q(user, field: str = "region", roles: Iterable[str] | None = None) -> Q:
    """A filter on ``<field>`` that keeps only rows in regions the user covers.

    ``roles`` narrows to memberships with those roles; by default every business role (a
    security administrator's membership opens no business data). A user with no covering
    membership gets a filter that matches nothing.
    """
    if getattr(user, "is_superuser", False) and user.is_active:
        return Q()
    wanted = set(roles) if roles is not None else set(BUSINESS_ROLES)
    paths = sorted({m.region.path for m in memberships_of(user) if m.role in wanted})
    # A path below another adds nothing to the prefix match.
    paths = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    if not paths:
        return Q(pk__in=[])
    lookup = "path__startswith" if field == "" else f"{field}__path__startswith"
    query = Q()
    for path in paths:
        query |= Q(**{lookup: path})
    return query


def regions_visible_to(user):
    return Region.objects.filter(region_scope_q(user, field=""))


def has_role_at(user, roles: Iterable[str], region: Region) -> bool:
    """True when the user holds one of ``roles`` at ``region`` or at a region above it."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    wanted = set(roles)
    return any(m.role in wanted and m.region.contains(region) for m in memberships_of(user))


def has_any_role(user, roles: Iterable[str]) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    wanted = set(roles)
    return any(m.role in wanted for m in memberships_of(user))


def department_ids_of(user) -> list[int]:
    """The departments the user works in (memberships with the department role)."""
    return sorted(
        {
            m.department_id
            for m in memberships_of(user)
            if m.role == Role.DEPARTMENT and m.department_id
        }
    )


def is_city_admin(user) -> bool:
    return has_any_role(user, [Role.CITY_ADMIN])


def home_region(user) -> Region | None:
    """The highest region the user covers: where their pages start."""
    regions = [m.region for m in memberships_of(user)]
    if not regions:
        return None
    return min(regions, key=lambda r: (len(r.path), r.sort_order))
