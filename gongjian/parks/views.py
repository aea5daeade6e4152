"""Park pages: the list with filters, a park with its enterprises, the ranking, 拉练 (parks side
by side) and the roster's Excel round trip. Thin: scope and figures come from the selectors,
writes from the import (which goes through the services)."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gongjian.accounts.scopes import has_any_role
from gongjian.audit.services import audit_denied
from gongjian.core.periods import today
from gongjian.core.spreadsheets import XLSX_CONTENT_TYPE
from gongjian.parks.exports import roster_export
from gongjian.parks.forms import CompareForm, ParkFilterForm, RosterImportForm
from gongjian.parks.imports import roster_import
from gongjian.parks.rules import PARK_EDITOR_ROLES
from gongjian.parks.selectors import (
    PARK_MEASURES,
    enterprise_list,
    park_enterprises,
    park_entry_rate,
    park_figures,
    park_get,
    park_ranking,
)
from gongjian.parks.workbook import MAX_UPLOAD_BYTES
from gongjian.reporting.choices import ImportKind
from gongjian.reporting.jobs import (
    background_rows,
    count_rows,
    import_job_queue,
    upload_page_context,
)

_ANNOTATED = "parks_import_annotated"
_ANNOTATED_LIMIT = 5 * 1024 * 1024


def _filters(request: HttpRequest) -> tuple[ParkFilterForm, dict]:
    form = ParkFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    standardised = {"1": True, "0": False}.get(data.get("standardised") or "")
    return form, {
        "as_of": data.get("as_of") or today(),
        "region": data.get("region"),
        "kind": data.get("kind") or "",
        "standardised": standardised,
        "by": data.get("by") or "above_scale",
    }


def _can_import(request: HttpRequest) -> bool:
    return has_any_role(request.user, PARK_EDITOR_ROLES)


@require_safe
@login_required
def park_list(request: HttpRequest) -> HttpResponse:
    form, f = _filters(request)
    parks = park_figures(
        user=request.user,
        as_of=f["as_of"],
        region=f["region"],
        kind=f["kind"],
        standardised=f["standardised"],
    )
    return render(
        request,
        "parks/park_list.html",
        {
            "form": form,
            "parks": parks,
            "as_of": f["as_of"],
            "query": request.GET.urlencode(),
            "can_import": _can_import(request),
        },
    )


@require_safe
@login_required
def park_detail(request: HttpRequest, pk: int) -> HttpResponse:
    park = park_get(user=request.user, pk=pk)
    form, f = _filters(request)
    figures = park_figures(user=request.user, as_of=f["as_of"], codes=[park.code])[0]
    rates = park_entry_rate(region=park.region, as_of=f["as_of"])
    return render(
        request,
        "parks/park_detail.html",
        {
            "park": park,
            "figures": figures,
            "region_rate": rates[park.region.code],
            "spells": park_enterprises(park=park, as_of=f["as_of"]),
            "as_of": f["as_of"],
            "form": form,
        },
    )


@require_safe
@login_required
def park_ranking_view(request: HttpRequest) -> HttpResponse:
    form, f = _filters(request)
    parks = park_ranking(user=request.user, as_of=f["as_of"], measure=f["by"], region=f["region"])
    return render(
        request,
        "parks/park_ranking.html",
        {
            "form": form,
            "parks": parks,
            "as_of": f["as_of"],
            "by": f["by"],
            "by_label": PARK_MEASURES[f["by"]],
        },
    )


@require_safe
@login_required
def park_compare(request: HttpRequest) -> HttpResponse:
    """拉练: the chosen parks side by side on the chosen measures (a table and a bar chart)."""
    everything = park_figures(user=request.user, as_of=today())
    choices = [(p.code, f"{p.region.display_name} · {p.name}") for p in everything]
    form = CompareForm(request.GET or None, park_choices=choices)
    as_of = today()
    chosen: list = []
    measures: list[str] = []
    if form.is_valid():
        as_of = form.cleaned_data["as_of"] or as_of
        measures = form.cleaned_data["measures"] or ["above_scale", "land", "output", "tax"]
        codes = form.cleaned_data["parks"]
        if codes:
            by_code = {p.code: p for p in park_figures(user=request.user, as_of=as_of, codes=codes)}
            chosen = [by_code[code] for code in codes if code in by_code]
    table = [
        {"key": key, "label": PARK_MEASURES[key], "values": [getattr(p, key) for p in chosen]}
        for key in measures
    ]
    chart = {
        "parks": [p.name for p in chosen],
        "series": [
            {"name": str(row["label"]), "data": [float(v or 0) for v in row["values"]]}
            for row in table
        ],
    }
    return render(
        request,
        "parks/park_compare.html",
        {"form": form, "parks": chosen, "table": table, "chart": chart, "as_of": as_of},
    )


@require_safe
@login_required
def roster_download(request: HttpRequest) -> HttpResponse:
    rows = enterprise_list(user=request.user).order_by("region__sort_order", "uscc")
    response = HttpResponse(roster_export(rows), content_type=XLSX_CONTENT_TYPE)
    name = f"enterprises-{today().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def roster_upload(request: HttpRequest) -> HttpResponse:
    if not _can_import(request):
        raise audit_denied(actor=request.user, message=_("无权导入企业名录。"))
    result = None
    form = RosterImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("文件超过 10 MB 的上限；请分批导入。"))
        else:
            data = upload.read()
            rows = count_rows(data, upload.name or "")
            if rows > background_rows():
                effective_on = form.cleaned_data["effective_on"]
                job = import_job_queue(
                    actor=request.user,
                    kind=ImportKind.ROSTER,
                    filename=upload.name or "",
                    data=data,
                    rows=rows,
                    options={
                        "update_existing": form.cleaned_data["update_existing"],
                        "effective_on": effective_on.isoformat() if effective_on else None,
                    },
                )
                return redirect("reporting:import_detail", pk=job.pk)
            result = roster_import(
                actor=request.user,
                data=data,
                update_existing=form.cleaned_data["update_existing"],
                effective_on=form.cleaned_data["effective_on"],
            )
            if result.ok:
                messages.success(
                    request,
                    _("导入完成：新增 %(created)s 家，更新 %(updated)s 家，未变 %(unchanged)s 家。")
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                )
                return redirect("parks:list")
            if result.annotated and len(result.annotated) <= _ANNOTATED_LIMIT:
                request.session[_ANNOTATED] = base64.b64encode(result.annotated).decode()
    return render(
        request,
        "parks/roster_import.html",
        {
            "form": form,
            "result": result,
            "has_annotated": _ANNOTATED in request.session,
            **upload_page_context(user=request.user, kind=ImportKind.ROSTER),
        },
    )


@login_required
def roster_annotated(request: HttpRequest) -> HttpResponse:
    """The last failed upload with its errors written beside each row."""
    stored = request.session.get(_ANNOTATED)
    if not stored:
        return redirect("parks:roster_import")
    response = HttpResponse(base64.b64decode(stored), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="enterprises-errors.xlsx"'
    return response
