from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from gongjian.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_event_list(*, filters: AuditFilters | None = None):
    f = filters or AuditFilters()
    events = AuditEvent.objects.select_related("region", "actor")
    if f.actor:
        events = events.filter(actor_username__iexact=f.actor)
    if f.action:
        events = events.filter(action=f.action)
    if f.object_type:
        events = events.filter(object_type=f.object_type)
    if f.q.strip():
        term = f.q.strip()
        events = events.filter(
            Q(object_repr__icontains=term) | Q(message__icontains=term) | Q(object_id=term)
        )
    if f.date_from:
        events = events.filter(at__date__gte=f.date_from)
    if f.date_to:
        events = events.filter(at__date__lte=f.date_to)
    return events.order_by("-at", "-id")


def audit_object_types() -> list[str]:
    return list(
        AuditEvent.objects.exclude(object_type="")
        .values_list("object_type", flat=True)
        .distinct()
        .order_by("object_type")
    )
