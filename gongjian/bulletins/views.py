"""Pages for bulletins: the list with the form that queues one, a bulletin's page with its
progress (htmx), the download and publishing. Thin: scope → form → service → message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongjian.audit.services import audit_denied
from gongjian.bulletins import selectors, services
from gongjian.bulletins.choices import CONTENT_TYPES
from gongjian.bulletins.forms import BulletinForm

LIST_LIMIT = 100


def _require_reader(request: HttpRequest) -> None:
    if not request.user.has_perm("bulletins.read"):
        raise audit_denied(actor=request.user, message=_("无权查看工作通报。"))


def _list_page(request: HttpRequest, form: BulletinForm) -> HttpResponse:
    return render(
        request,
        "bulletins/list.html",
        {
            "bulletins": selectors.bulletin_list(user=request.user)[:LIST_LIMIT],
            "form": form,
            "can_manage": request.user.has_perm("bulletins.manage"),
        },
    )


@require_safe
@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    return _list_page(request, BulletinForm())


@login_required
@require_POST
def bulletin_create(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = BulletinForm(request.POST)
    if form.is_valid():
        try:
            bulletin = services.bulletin_request(
                actor=request.user,
                campaign=form.cleaned_data["campaign"],
                month=form.cleaned_data["month"],
                format=form.cleaned_data["format"],
            )
        except ValidationError as error:
            for field, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        else:
            messages.success(request, _("已提交生成，通报将在后台生成。"))
            return redirect("bulletins:detail", pk=bulletin.pk)
    return _list_page(request, form)


@require_safe
@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    return render(
        request,
        "bulletins/detail.html",
        {"bulletin": bulletin, "can_manage": request.user.has_perm("bulletins.manage")},
    )


@require_safe
@login_required
def bulletin_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar (htmx polls it); once the bulletin is finished the page reloads."""
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    response = render(
        request,
        "bulletins/_progress.html",
        {"bulletin": bulletin, "can_manage": request.user.has_perm("bulletins.manage")},
    )
    if bulletin.is_finished:
        response["HX-Refresh"] = "true"
    return response


@login_required
def bulletin_download(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    try:
        data = services.bulletin_download(actor=request.user, bulletin=bulletin)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("bulletins:detail", pk=bulletin.pk)
    response = HttpResponse(data, content_type=CONTENT_TYPES[bulletin.format])
    response["Content-Disposition"] = (
        content_disposition_header(True, bulletin.filename) or "attachment"
    )
    return response


@login_required
@require_POST
def bulletin_generate_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a bulletin that no background worker picked up, in this request."""
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    try:
        services.bulletin_generate_now(actor=request.user, bulletin=bulletin)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("bulletins:detail", pk=bulletin.pk)


@login_required
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    try:
        services.bulletin_publish(actor=request.user, bulletin=bulletin)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("已发布工作通报 第%(number)s期（%(label)s）。")
            % {"number": bulletin.issue_number, "label": bulletin.month_label},
        )
    return redirect("bulletins:detail", pk=bulletin.pk)
