"""Who may set up and read assessments (django-rules): the campaign office (city_admin) alone
writes rubrics and publishes results; city roles and leaders read every district's breakdown;
a district reads the rankings and its own breakdown."""

from __future__ import annotations

import rules

from gongjian.accounts.choices import BUSINESS_ROLES, Role
from gongjian.accounts.scopes import has_any_role, has_role_at
from gongjian.regions.models import Region

MANAGER_ROLES = (Role.CITY_ADMIN,)
# Roles held at the city that see every district's breakdown.
CITY_READER_ROLES = (Role.CITY_ADMIN, Role.CITY_REVIEWER, Role.LEADER, Role.DEPARTMENT)


@rules.predicate
def can_manage_assessment(user, obj=None) -> bool:
    return has_any_role(user, MANAGER_ROLES)


@rules.predicate
def can_view_assessment(user, obj=None) -> bool:
    """Anyone with a role reads rubrics and the rankings."""
    return has_any_role(user, BUSINESS_ROLES)


@rules.predicate
def can_view_all_breakdowns(user, obj=None) -> bool:
    return has_any_role(user, CITY_READER_ROLES)


@rules.predicate
def can_view_breakdown(user, obj=None) -> bool:
    """``obj`` is the district (Region) whose breakdown is asked for."""
    if has_any_role(user, CITY_READER_ROLES):
        return True
    if isinstance(obj, Region):
        return has_role_at(user, BUSINESS_ROLES, obj)
    return False


rules.add_perm("assessment.manage", can_manage_assessment)
rules.add_perm("assessment.view", can_view_assessment)
rules.add_perm("assessment.view_all_breakdowns", can_view_all_breakdowns)
rules.add_perm("assessment.view_breakdown", can_view_breakdown)
for _model in ("rubric", "rubricitem", "assessmentresult", "assessmentscore"):
    rules.add_perm(f"assessment.view_{_model}", can_view_all_breakdowns)
