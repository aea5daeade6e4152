"""Who may issue and answer 督办 orders and raise, assign and handle problems (django-rules).

The project ledger's own permissions are in ``accounts/rules.py``; these are the coordination
work that hangs off projects.
"""

from __future__ import annotations

import rules

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Department
from gongjian.accounts.scopes import department_ids_of, has_any_role, has_role_at

# The city side: the campaign office and the city's reviewers issue, close and assign.
CITY_STAFF_ROLES = (Role.CITY_ADMIN, Role.CITY_REVIEWER)
# A district answers through its filers and reviewers.
DISTRICT_STAFF_ROLES = (Role.DISTRICT_FILER, Role.DISTRICT_REVIEWER)
# Who is told when an order escalates past its target.
LEADERSHIP_ROLES = (Role.LEADER, Role.CITY_ADMIN)


def _seat(target):
    """The region a supervision target (Region or Department) or an order lives in."""
    if isinstance(target, Department):
        return target.region
    return getattr(target, "seat", target)


def _works_in(user, department_id: int | None) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return department_id is not None and department_id in department_ids_of(user)


@rules.predicate
def can_issue_supervision(user, target) -> bool:
    """``target`` is the district (Region) or the Department the order will go to."""
    if target is None:
        return has_any_role(user, CITY_STAFF_ROLES)
    return has_role_at(user, CITY_STAFF_ROLES, _seat(target))


@rules.predicate
def can_respond_supervision(user, supervision) -> bool:
    if supervision.target_department_id is not None:
        return _works_in(user, supervision.target_department_id)
    return has_role_at(user, DISTRICT_STAFF_ROLES, supervision.target_region)


@rules.predicate
def can_close_supervision(user, supervision) -> bool:
    return has_role_at(user, CITY_STAFF_ROLES, _seat(supervision))


@rules.predicate
def can_escalate_supervisions(user, obj=None) -> bool:
    return has_any_role(user, [Role.CITY_ADMIN])


@rules.predicate
def can_raise_problem(user, project) -> bool:
    if project is None:
        return has_any_role(user, (Role.DISTRICT_FILER, *CITY_STAFF_ROLES))
    return has_role_at(user, (Role.DISTRICT_FILER, *CITY_STAFF_ROLES), project.region)


@rules.predicate
def can_assign_problem(user, problem) -> bool:
    if problem is None:
        return has_any_role(user, CITY_STAFF_ROLES)
    return has_role_at(user, CITY_STAFF_ROLES, problem.project.region)


@rules.predicate
def can_update_problem_status(user, problem) -> bool:
    return _works_in(user, problem.department_id) or has_role_at(
        user, CITY_STAFF_ROLES, problem.project.region
    )


@rules.predicate
def can_review_stage(user, event) -> bool:
    """The district's reviewers confirm or reject a stage claim; the city's reviewers may too."""
    return has_role_at(user, (Role.DISTRICT_REVIEWER, Role.CITY_REVIEWER), event.project.region)


rules.add_perm("projects.review_stage", can_review_stage)
rules.add_perm("projects.issue_supervision", can_issue_supervision)
rules.add_perm("projects.respond_supervision", can_respond_supervision)
rules.add_perm("projects.close_supervision", can_close_supervision)
rules.add_perm("projects.escalate_supervisions", can_escalate_supervisions)
rules.add_perm("projects.raise_problem", can_raise_problem)
rules.add_perm("projects.assign_problem", can_assign_problem)
# Reopening a resolved problem is the city's call, the same people who assign it.
rules.add_perm("projects.reopen_problem", can_assign_problem)
rules.add_perm("projects.update_problem_status", can_update_problem_status)
