"""Who may do what in the monthly dispatch (django-rules). Services check these."""

from __future__ import annotations

import rules

from gongjian.accounts.choices import PROJECT_EDITOR_ROLES, Role
from gongjian.accounts.scopes import department_ids_of, has_any_role, has_role_at
from gongjian.projects.rules import DISTRICT_STAFF_ROLES

# The office that runs a meeting: the campaign office for the city's, the district's reviewers
# (its 项目办) for a district's.
MEETING_ROLES = (Role.CITY_ADMIN, Role.DISTRICT_REVIEWER)


@rules.predicate
def can_edit_milestones(user, project) -> bool:
    """Those who keep the project's record: the campaign office and the district's filers."""
    return has_role_at(user, PROJECT_EDITOR_ROLES, project.region)


@rules.predicate
def can_manage_links(user, project) -> bool:
    return has_role_at(user, PROJECT_EDITOR_ROLES, project.region)


@rules.predicate
def can_run_meeting(user, region) -> bool:
    """``region`` is the meeting's scope (or the Meeting)."""
    if region is None:
        return has_any_role(user, MEETING_ROLES)
    region = getattr(region, "region", region)
    if region.parent_id is None or region.kind in ("city", "province"):
        return has_role_at(user, (Role.CITY_ADMIN,), region)
    return has_role_at(user, MEETING_ROLES, region)


@rules.predicate
def can_report_task(user, task) -> bool:
    """The unit the task is handed to: the department's staff, the district's staff, or the
    person named."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    if task.owner_user_id is not None and task.owner_user_id == user.pk:
        return True
    if task.owner_department_id is not None:
        return task.owner_department_id in department_ids_of(user)
    return has_role_at(user, DISTRICT_STAFF_ROLES, task.owner_region)


rules.add_perm("dispatch.edit_milestones", can_edit_milestones)
rules.add_perm("dispatch.manage_links", can_manage_links)
rules.add_perm("dispatch.run_meeting", can_run_meeting)
rules.add_perm("dispatch.report_task", can_report_task)
