"""Reads for the home page and dashboards: grouped SQL over the user's scope, no Python loops."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from gongjian.audit.models import AuditEvent
from gongjian.projects.choices import Stage
from gongjian.projects.models import Project
from gongjian.projects.selectors import STAGE_GROUPS

_NOT_STARTED = STAGE_GROUPS["not_started"][1]
_STARTED_OR_LATER = STAGE_GROUPS["started_or_later"][1]
_COMPLETED_OR_LATER = STAGE_GROUPS["completed_or_later"][1]


def _stage_aggregates() -> dict:
    return {
        "count": Count("id"),
        "total_investment": Sum("total_investment"),
        "annual_plan": Sum("annual_plan"),
        "started": Count("id", filter=Q(stage__in=_STARTED_OR_LATER)),
        "completed": Count("id", filter=Q(stage__in=_COMPLETED_OR_LATER)),
        "suspended": Count("id", filter=Q(stage=Stage.SUSPENDED)),
        "not_started": Count("id", filter=Q(stage__in=_NOT_STARTED)),
    }


def home_summary(*, user) -> dict:
    """Totals over every project the user can see (one query)."""
    return Project.objects.visible_to(user).aggregate(**_stage_aggregates())


def home_by_region(*, user) -> list[dict]:
    """The same totals per district or zone (one grouped query)."""
    return list(
        Project.objects.visible_to(user)
        .values("region__code", "region__name", "region__name_en", "region__sort_order")
        .annotate(**_stage_aggregates())
        .order_by("region__sort_order", "region__code")
    )


def home_recent_activity(*, user, limit: int = 8) -> list[AuditEvent]:
    """The user's own latest writes, so they can pick up where they left off."""
    return list(
        AuditEvent.objects.filter(actor=user)
        .exclude(action__in=["login", "logout", "login_failed"])
        .order_by("-at", "-id")[:limit]
    )
