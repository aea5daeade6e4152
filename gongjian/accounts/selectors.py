from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongjian.accounts.models import User
from gongjian.audit.services import audit_denied
from gongjian.regions.models import Region


def scoped_get_or_404(*, queryset: QuerySet, scoped: QuerySet, user, pk) -> Model:
    """Fetch ``pk`` through the user's scope; outside it answer 404 exactly as for a missing row.

    A row that exists but lies outside the scope is a refused attempt and is audited as such.
    """
    try:
        return scoped.get(pk=pk)
    except (scoped.model.DoesNotExist, ValueError, TypeError):
        pass
    outside = queryset.filter(pk=pk).first() if str(pk).isdigit() else None
    if outside is not None:
        audit_denied(actor=user, obj=outside, message=_("访问范围之外的对象。"))
    raise Http404


def users_with_role(
    *,
    roles: Iterable[str],
    region: Region | None = None,
    covering: Region | None = None,
    department_id: int | None = None,
) -> QuerySet[User]:
    """Active users holding one of ``roles``: at exactly ``region``, or at ``covering`` or a region
    above it, or in ``department_id``; ordered by username. Used to address notifications."""
    query = Q(memberships__role__in=list(roles))
    if region is not None:
        query &= Q(memberships__region=region)
    if covering is not None:
        codes = covering.path.strip("/").split("/")
        paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
        query &= Q(memberships__region__path__in=paths)
    if department_id is not None:
        query &= Q(memberships__department_id=department_id)
    return User.objects.filter(query, is_active=True).distinct().order_by("username")


# The audit actions a security administrator watches: sign-ins that failed, refusals, and every
# change to accounts, roles, passwords and API tokens.
SECURITY_ACTIONS = (
    "login_failed",
    "denied",
    "role_granted",
    "role_revoked",
    "password_reset",
    "token_created",
)


@dataclass(frozen=True)
class SecurityOverview:
    """What the security administrator's home shows: the state of the accounts, the sign-in
    locks in force and the latest security events."""

    active_users: int
    disabled_users: int
    must_change_password: int
    without_second_factor: list[User]
    lockouts: list
    events: list


def security_overview(*, now, events: int = 20) -> SecurityOverview:
    """The accounts at a glance, for the security administrator (no business data in it)."""
    from gongjian.accounts.models import LoginLockout
    from gongjian.accounts.totp import MANDATORY_ROLES
    from gongjian.audit.models import AuditEvent

    users = User.objects.exclude(username="system")
    without = (
        users.filter(is_active=True, memberships__role__in=MANDATORY_ROLES)
        .exclude(totp_device__is_confirmed=True)
        .distinct()
        .order_by("username")
    )
    return SecurityOverview(
        active_users=users.filter(is_active=True).count(),
        disabled_users=users.filter(is_active=False).count(),
        must_change_password=users.filter(is_active=True, must_change_password=True).count(),
        without_second_factor=list(without),
        lockouts=list(
            LoginLockout.objects.filter(locked_until__gt=now, unlocked_at__isnull=True).order_by(
                "-locked_at"
            )
        ),
        events=list(
            AuditEvent.objects.filter(action__in=SECURITY_ACTIONS).order_by("-at", "-id")[:events]
        ),
    )
