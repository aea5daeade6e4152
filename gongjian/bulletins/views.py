"""Pages for bulletins: the list with the form that queues one, a bulletin's page with its
progress (htmx), the download and publishing. Thin: scope → form → service → message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongjian.audit.services import audit_denied
from gongjian.bulletins import selectors, services
from gongjian.bulletins.choices import CONTENT_TYPES, BulletinFormat, DocxTemplateKind
from gongjian.bulletins.forms import BulletinForm, DocxTemplateForm
from gongjian.core import gongwen

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


# ---------------------------------------------------------------------------------------------
# Word templates


def _require_manager(request: HttpRequest) -> None:
    if not request.user.has_perm("bulletins.manage"):
        raise audit_denied(actor=request.user, message=_("无权更换 Word 公文模板。"))


@login_required
def docx_templates(request: HttpRequest) -> HttpResponse:
    """The Word templates of the bulletin and the minutes: which is in use, download it,
    upload a replacement (refused with the reason when a placeholder is missing), reset."""
    _require_manager(request)
    form = DocxTemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.docx_template_upload(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            for field, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        else:
            messages.success(
                request,
                _("已更换%(kind)s的 Word 模板（%(name)s）。")
                % {"kind": template.get_kind_display(), "name": template.filename},
            )
            return redirect("bulletins:templates")
    kinds = [
        (kind, label, selectors.docx_template_current(kind))
        for kind, label in DocxTemplateKind.choices
    ]
    return render(
        request,
        "bulletins/templates.html",
        {
            "form": form,
            "kinds": kinds,
            "required": [gongwen.placeholder(name) for name in gongwen.REQUIRED_PLACEHOLDERS],
            "optional": [gongwen.placeholder(name) for name in gongwen.OPTIONAL_PLACEHOLDERS],
            "body": "{{p body }}",
        },
    )


@require_safe
@login_required
def docx_template_download(request: HttpRequest, kind: str) -> HttpResponse:
    """The template in use for ``kind`` (the office's, or the shipped one) to edit in Word."""
    _require_manager(request)
    if kind not in DocxTemplateKind.values:
        raise Http404
    data = selectors.docx_template_data(kind) or gongwen.DEFAULT_DOCX_TEMPLATE.read_bytes()
    response = HttpResponse(data, content_type=CONTENT_TYPES[BulletinFormat.DOCX])
    filename = _("%(kind)s模板.docx") % {"kind": DocxTemplateKind(kind).label}
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


@login_required
@require_POST
def docx_template_reset(request: HttpRequest, kind: str) -> HttpResponse:
    _require_manager(request)
    if kind not in DocxTemplateKind.values:
        raise Http404
    services.docx_template_reset(actor=request.user, kind=kind)
    messages.success(
        request,
        _("%(kind)s已恢复使用默认 Word 模板。") % {"kind": DocxTemplateKind(kind).label},
    )
    return redirect("bulletins:templates")
