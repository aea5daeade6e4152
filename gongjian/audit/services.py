"""Writing audit events. Every write service calls ``audit_record``; refusals go through
``audit_denied`` before any transaction opens, so that the refusal is kept while nothing else is."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from gongjian.audit.choices import AuditAction
from gongjian.audit.context import client_ip
from gongjian.audit.models import AuditEvent


def _object_fields(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    return {
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk or ""),
        "object_repr": str(obj)[:255],
        "region": getattr(obj, "region", None) if hasattr(obj, "region_id") else None,
    }


def audit_record(
    *,
    actor,
    action: str,
    obj: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
    username: str = "",
) -> AuditEvent:
    """Append one audit event. ``username`` is for events with no signed-in actor (failed login)."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_username=(actor.get_username() if authenticated else username)[:150],
        action=action,
        before=before,
        after=after,
        message=message,
        ip_address=client_ip(),
        **_object_fields(obj),
    )


def audit_denied(*, actor, obj: Any = None, message: str) -> PermissionDenied:
    """Record a refused attempt and return the exception for the caller to raise."""
    audit_record(actor=actor, action=AuditAction.DENIED, obj=obj, message=message)
    return PermissionDenied(message)
