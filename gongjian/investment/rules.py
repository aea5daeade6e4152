"""Who may work the investment pipeline (django-rules). Services check these; views and the API
only ask.

The owning team of a lead is the department it is assigned to (its staff), or the district it
is assigned to (the district's filers and reviewers). The owning team and the campaign office
(city_admin) move a lead along and record follow-ups; only the owning team may reveal the
company's mobile number. 签约 and 落地 put a project into the district's ledger, so they need a
project editor of that district (its filer, or the city admin): a department hands the lead to
the district first. Leaders and city reviewers read; they change nothing.
"""

from __future__ import annotations

import rules

from gongjian.accounts.choices import Role
from gongjian.accounts.scopes import department_ids_of, has_any_role, has_role_at
from gongjian.regions.choices import RegionKind

DISTRICT_TEAM_ROLES = (Role.DISTRICT_FILER, Role.DISTRICT_REVIEWER)
RESOURCE_EDITOR_ROLES = (Role.CITY_ADMIN, Role.DISTRICT_FILER)


def _is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


@rules.predicate
def is_owning_team(user, lead) -> bool:
    if lead is None:
        return False
    if _is_superuser(user):
        return True
    if lead.department_id is not None:
        return lead.department_id in department_ids_of(user)
    return lead.region.kind != RegionKind.CITY and has_role_at(
        user, DISTRICT_TEAM_ROLES, lead.region
    )


@rules.predicate
def is_city_admin_over(user, lead) -> bool:
    if lead is None:
        return has_any_role(user, [Role.CITY_ADMIN])
    return has_role_at(user, [Role.CITY_ADMIN], lead.region)


@rules.predicate
def can_record_project_for(user, lead) -> bool:
    """A project editor of the lead's district (the ledger the signed project goes into)."""
    if lead is None:
        return False
    return user.has_perm("projects.add_project", lead.region)


@rules.predicate
def can_edit_resources(user, obj) -> bool:
    """``obj`` is a resource, or the region a new one will belong to."""
    if obj is None:
        return has_any_role(user, RESOURCE_EDITOR_ROLES)
    return has_role_at(user, RESOURCE_EDITOR_ROLES, getattr(obj, "region", obj))


can_work_lead = is_owning_team | is_city_admin_over

rules.add_perm("investment.work_lead", can_work_lead)
rules.add_perm("investment.reveal_mobile", is_owning_team)
rules.add_perm("investment.sign_lead", can_work_lead & can_record_project_for)
rules.add_perm("investment.change_resource", can_edit_resources)
