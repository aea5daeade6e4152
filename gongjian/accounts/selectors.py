from __future__ import annotations

from collections.abc import Iterable

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
