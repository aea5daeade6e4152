"""Writing audit events. Every write service calls ``audit_record``; refusals go through
``audit_denied`` before any transaction opens, so that the refusal is kept while nothing else is."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.audit import guard
from gongjian.audit.choices import AuditAction
from gongjian.audit.context import client_ip
from gongjian.audit.models import AuditEvent

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def neutralise(text: str) -> str:
    """Make user-supplied text safe to print one event per line (ASVS 7.3.1, log injection).

    Line breaks, tabs, other control characters (C0, DEL, C1, e.g. ESC for terminal codes) and the
    Unicode line/paragraph separators become visible escapes such as ``\\n`` or ``\\x1b``, so that
    a username like ``"bob\\n2022-05-06 city_admin login"`` cannot forge a second log line.
    """
    out = []
    for ch in text:
        if ch in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[ch])
        elif unicodedata.category(ch) in {"Cc", "Zl", "Zp"}:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


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
    fields = _object_fields(obj)
    if "object_repr" in fields:
        fields["object_repr"] = neutralise(fields["object_repr"])[:255]
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_username=neutralise(actor.get_username() if authenticated else username)[:150],
        action=action,
        before=before,
        after=after,
        message=neutralise(message),
        ip_address=client_ip(),
        **fields,
    )


@dataclass(frozen=True)
class AuditEntry:
    """One event for ``audit_record_many``: what ``audit_record`` takes besides the actor."""

    action: str
    obj: Any = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    message: str = ""


def audit_record_many(*, actor, entries: list[AuditEntry]) -> list[AuditEvent]:
    """Append many events by one actor in one INSERT (an import's rows), in the given order;
    each event is what ``audit_record`` would have written for it."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    username = neutralise(actor.get_username() if authenticated else "")[:150]
    address = client_ip()
    events = []
    for entry in entries:
        fields = _object_fields(entry.obj)
        if "object_repr" in fields:
            fields["object_repr"] = neutralise(fields["object_repr"])[:255]
        events.append(
            AuditEvent(
                actor=actor if authenticated else None,
                actor_username=username,
                action=entry.action,
                before=entry.before,
                after=entry.after,
                message=neutralise(entry.message),
                ip_address=address,
                **fields,
            )
        )
    return AuditEvent.objects.bulk_create(events, batch_size=1000)


def audit_denied(*, actor, obj: Any = None, message: str) -> PermissionDenied:
    """Record a refused attempt and return the exception for the caller to raise.

    Only the object's type and id are kept: its name (a lead's company, a problem's title) and
    its region would tell whoever reads the event what the refusal was protecting. Auditors find
    the object by its id.
    """
    event = AuditEvent(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_username=neutralise(
            actor.get_username() if getattr(actor, "is_authenticated", False) else ""
        )[:150],
        action=AuditAction.DENIED,
        message=neutralise(message),
        ip_address=client_ip(),
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk or "")
    event.save()
    return PermissionDenied(message)


def audit_purge_cutoff(*, older_than_days: int, now: dt.datetime | None = None) -> dt.datetime:
    """The instant before which events may be purged; refuses anything under the floor."""
    if older_than_days < guard.RETENTION_FLOOR_DAYS:
        raise ValueError(
            _("审计日志至少保留 %(floor)s 天，不能清理 %(days)s 天内的记录。")
            % {"floor": guard.RETENTION_FLOOR_DAYS, "days": older_than_days}
        )
    return (now or timezone.now()) - dt.timedelta(days=older_than_days)


def audit_purge(*, actor, older_than_days: int = guard.RETENTION_FLOOR_DAYS) -> int:
    """Delete events older than ``older_than_days`` (at least 183) and record that it was done.

    Runs through the database's controlled path (``guard.purge_mode``); the trigger re-checks the
    183-day floor, so a younger row is never deleted even if this code were wrong.
    """
    if not getattr(actor, "is_superuser", False):
        # Retention is a server operator's job (``gongjian audit-purge``), never a web user's.
        raise audit_denied(actor=actor, message=_("无权清理审计日志。"))
    cutoff = audit_purge_cutoff(older_than_days=older_than_days)
    with transaction.atomic(), guard.purge_mode(connection):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {guard.TABLE} WHERE at < %s", [cutoff])
            count = cursor.rowcount
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            message=_("清理审计日志：删除 %(count)s 条早于 %(cutoff)s 的记录（保留 %(days)s 天）。")
            % {
                "count": count,
                "cutoff": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M:%S"),
                "days": older_than_days,
            },
        )
    return count
