"""Who may file and review monthly reports (django-rules predicates, region-scoped)."""

from __future__ import annotations

import rules

from gongjian.accounts.choices import Role
from gongjian.accounts.scopes import has_any_role, has_role_at

FILER_ROLES = (Role.DISTRICT_FILER, Role.CITY_ADMIN)
DISTRICT_REVIEW_ROLES = (Role.DISTRICT_REVIEWER,)
CITY_REVIEW_ROLES = (Role.CITY_REVIEWER, Role.CITY_ADMIN)


def _region(obj):
    """A report, a project or a region: the region the permission is asked about."""
    if hasattr(obj, "project"):
        return obj.project.region
    return getattr(obj, "region", obj)


@rules.predicate
def can_file(user, obj) -> bool:
    if obj is None:
        return has_any_role(user, FILER_ROLES)
    return has_role_at(user, FILER_ROLES, _region(obj))


@rules.predicate
def can_review_district(user, obj) -> bool:
    if obj is None:
        return has_any_role(user, DISTRICT_REVIEW_ROLES)
    return has_role_at(user, DISTRICT_REVIEW_ROLES, _region(obj))


@rules.predicate
def can_review_city(user, obj) -> bool:
    if obj is None:
        return has_any_role(user, CITY_REVIEW_ROLES)
    return has_role_at(user, CITY_REVIEW_ROLES, _region(obj))


@rules.predicate
def can_manage_periods(user, obj=None) -> bool:
    return has_any_role(user, [Role.CITY_ADMIN])


rules.add_perm("reporting.file_report", can_file)
rules.add_perm("reporting.review_district", can_review_district)
rules.add_perm("reporting.review_city", can_review_city)
rules.add_perm("reporting.manage_periods", can_manage_periods)
