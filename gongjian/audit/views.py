from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gongjian.audit import selectors
from gongjian.audit.forms import AuditFilterForm
from gongjian.audit.services import audit_denied


@require_safe
@login_required
def audit_event_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("audit.view_auditevent"):
        raise audit_denied(actor=request.user, message=_("无权查看审计日志。"))
    form = AuditFilterForm(request.GET or None, object_types=selectors.audit_object_types())
    filters = selectors.AuditFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.AuditFilters(**form.cleaned_data)
    events = selectors.audit_event_list(filters=filters)
    page = Paginator(events, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/event_list.html", {"form": form, "page": page, "query": query.urlencode()}
    )
