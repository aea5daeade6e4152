"""The dispatch's rule kinds for the project lights (``plans.lights``): 前期工作 milestones overdue
or still open close to the planned start, and open 要素保障 requests. Registered from
``DispatchConfig.ready``; their default rules come with migration 0003."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from gongjian.dispatch import selectors
from gongjian.plans.lights import RuleKind, register_rule_kind
from gongjian.plans.models import LightRule
from gongjian.projects.models import Project

KIND_MILESTONE_OVERDUE = "milestone_overdue"
KIND_MILESTONE_NEAR_START = "milestone_near_start"
KIND_FACTOR_OVERDUE = "factor_request_overdue"
KIND_FACTOR_OPEN = "factor_request_open"


def _joined(found: dict[int, list[str]]) -> dict[int, str]:
    return {pk: "；".join(texts) for pk, texts in found.items()}


def _ids(projects: QuerySet[Project]) -> list[int]:
    return list(projects.values_list("pk", flat=True))


def _milestone_overdue(*, rule: LightRule, projects: QuerySet[Project], as_of: dt.date):
    return _joined(selectors.milestone_overdue_reasons(_ids(projects), as_of=as_of))


def _milestone_near_start(*, rule: LightRule, projects: QuerySet[Project], as_of: dt.date):
    days = rule.days if rule.days is not None else selectors.MILESTONE_WARNING_DAYS
    return _joined(selectors.milestone_near_start_reasons(_ids(projects), as_of=as_of, days=days))


def _factor_overdue(*, rule: LightRule, projects: QuerySet[Project], as_of: dt.date):
    return _joined(selectors.factor_request_reasons(_ids(projects), as_of=as_of, overdue=True))


def _factor_open(*, rule: LightRule, projects: QuerySet[Project], as_of: dt.date):
    return _joined(selectors.factor_request_reasons(_ids(projects), as_of=as_of, overdue=False))


def register() -> None:
    register_rule_kind(
        RuleKind(
            code=KIND_MILESTONE_OVERDUE,
            label=gettext_lazy("前期工作节点逾期"),
            evaluate=_milestone_overdue,
        )
    )
    register_rule_kind(
        RuleKind(
            code=KIND_MILESTONE_NEAR_START,
            label=gettext_lazy("临近计划开工前期工作未完成"),
            evaluate=_milestone_near_start,
            parameters=("days",),
        )
    )
    register_rule_kind(
        RuleKind(
            code=KIND_FACTOR_OVERDUE,
            label=gettext_lazy("要素保障需求逾期未解决"),
            evaluate=_factor_overdue,
        )
    )
    register_rule_kind(
        RuleKind(
            code=KIND_FACTOR_OPEN,
            label=gettext_lazy("要素保障需求待解决"),
            evaluate=_factor_open,
        )
    )
