from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongjian.audit.services import audit_denied


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
