from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.audit.services import audit_denied
from gongjian.campaigns.choices import Comparator
from gongjian.campaigns.models import Campaign, Indicator
from gongjian.campaigns.services import TargetInput
from gongjian.policytext.documents import DocumentError, text_from_bytes
from gongjian.policytext.extract import extract
from gongjian.policytext.services import proposals_accept
from gongjian.regions.models import Region

CITY_CODE = "350500"
SYMBOLS = {">=": Comparator.GTE, ">": Comparator.GT, "=": Comparator.EQ}
SYMBOLS |= {"<=": Comparator.LTE, "<": Comparator.LT}


def _require_admin(request: HttpRequest) -> None:
    if not request.user.has_perm("campaigns.manage"):
        raise audit_denied(actor=request.user, message=_("无权从文件提取目标。"))


def _region_for(scope: str, regions: list[Region]) -> str:
    for region in regions:
        if scope in (region.name, region.short_name) or region.name.endswith(scope):
            return region.code
    return CITY_CODE


def _in_indicator_unit(value: str, unit: str) -> str:
    """A normalized value (元, %, count) in the unit an indicator is stated in (万元, %, 个)."""
    number = Decimal(value)
    if unit == "元":
        number = number / Decimal(10_000)
    text = format(number.normalize(), "f")
    return text


def _guess_indicator(metric: str, indicators: list[Indicator]) -> str:
    best = ("", 0)
    for indicator in indicators:
        common = len(set(metric) & set(indicator.name))
        if common > best[1]:
            best = (indicator.code, common)
    return best[0]


def _rows_from_extraction(extraction, indicators, regions) -> list[dict]:
    rows = []
    for item in extraction.targets:
        end = item.period_end or ""
        start = f"{extraction.year or end[:4]}-01-01" if end else ""
        rows.append(
            {
                "kind": "target",
                "metric": item.metric,
                "filter": str(item.filter) if item.filter else "",
                "indicator": _guess_indicator(item.metric, indicators),
                "region": _region_for(item.scope, regions),
                "comparator": SYMBOLS[item.comparator],
                "value": _in_indicator_unit(item.normalized_value, item.normalized_unit),
                "written": f"{item.value}{item.unit}",
                "period_start": start,
                "period_end": end,
                "sentence": item.sentence,
                "accept": True,
            }
        )
    for fact in extraction.facts:
        year = (fact.date or str(extraction.year or ""))[:4]
        rows.append(
            {
                "kind": fact.kind,
                "metric": fact.metric,
                "filter": str(fact.filter) if fact.filter else "",
                "indicator": _guess_indicator(fact.metric, indicators),
                "region": _region_for(fact.scope, regions),
                "comparator": Comparator.GTE,
                "value": _in_indicator_unit(fact.normalized_value, fact.normalized_unit),
                "written": f"{fact.value}{fact.unit}",
                "period_start": f"{year}-01-01" if year else "",
                "period_end": f"{year}-12-31" if year else "",
                "sentence": fact.sentence,
                "accept": False,
            }
        )
    for number, row in enumerate(rows):
        row["number"] = number
    return rows


def _rows_from_post(post) -> list[dict]:
    rows = []
    count = int(post.get("row_count", "0") or 0)
    for number in range(min(count, 500)):
        prefix = f"row-{number}-"
        rows.append(
            {
                "number": number,
                "kind": post.get(prefix + "kind", "target"),
                "metric": post.get(prefix + "metric", ""),
                "filter": post.get(prefix + "filter", ""),
                "written": post.get(prefix + "written", ""),
                "indicator": post.get(prefix + "indicator", ""),
                "region": post.get(prefix + "region", ""),
                "comparator": post.get(prefix + "comparator", ""),
                "value": post.get(prefix + "value", "").strip(),
                "period_start": post.get(prefix + "period_start", ""),
                "period_end": post.get(prefix + "period_end", ""),
                "sentence": post.get(prefix + "sentence", ""),
                "accept": post.get(prefix + "accept") == "on",
            }
        )
    return rows


def _target_input(row: dict, errors: list[str]) -> TargetInput | None:
    dates = {}
    for name, label in (("period_start", _("起始日期")), ("period_end", _("截止日期"))):
        try:
            dates[name] = dt.date.fromisoformat(row[name])
        except ValueError:
            errors.append(_("%(label)s须为 YYYY-MM-DD 格式的日期。") % {"label": label})
    try:
        Decimal(row["value"])
    except InvalidOperation:
        errors.append(_("目标值不是有效的数字。"))
    if not row["indicator"]:
        errors.append(_("请选择指标。"))
    if errors:
        return None
    return TargetInput(
        indicator_code=row["indicator"],
        region_code=row["region"],
        period_start=dates["period_start"],
        period_end=dates["period_end"],
        value=row["value"],
        comparator=row["comparator"],
        source_sentence=row["sentence"],
    )


@login_required
def extract_view(request: HttpRequest) -> HttpResponse:
    """Paste or upload a campaign document, review the proposed targets and facts beside the
    sentences they come from, edit them and accept the chosen ones into a campaign."""
    _require_admin(request)
    campaigns = list(Campaign.objects.order_by("-starts_on", "code"))
    regions = list(Region.objects.order_by("path"))
    context: dict = {"campaigns": campaigns, "regions": regions, "nav_section": "policytext"}
    context["comparators"] = Comparator.choices
    if request.method != "POST":
        # Opened from a campaign's page: that campaign is preselected.
        context["campaign"] = next(
            (c for c in campaigns if c.code == request.GET.get("campaign")), None
        )
        return render(request, "policytext/extract.html", context)

    campaign = next((c for c in campaigns if c.code == request.POST.get("campaign")), None)
    context["campaign"] = campaign
    indicators = list(Indicator.objects.filter(targets__campaign=campaign).distinct())
    indicators = indicators or list(Indicator.objects.all())
    context["indicators"] = indicators
    text = request.POST.get("text", "")
    context["text"] = text
    if request.POST.get("action") == "accept":
        rows = _rows_from_post(request.POST)
        context["rows"] = rows
        context["sentences"] = _highlight(text, rows)
        if campaign is None:
            context["form_error"] = _("请选择攻坚行动。")
            return render(request, "policytext/extract.html", context, status=400)
        chosen: dict[int, TargetInput] = {}
        row_errors: dict[int, list[str]] = {}
        for row in rows:
            if not row["accept"]:
                continue
            errors: list[str] = []
            data = _target_input(row, errors)
            if data is None:
                row_errors[row["number"]] = errors
            else:
                chosen[row["number"]] = data
        if not chosen and not row_errors:
            context["form_error"] = _("请至少勾选一行。")
            return render(request, "policytext/extract.html", context, status=400)
        if not row_errors:
            result = proposals_accept(actor=request.user, campaign=campaign, rows=chosen)
            row_errors = result.errors
            if not row_errors:
                messages.success(
                    request,
                    _("已将 %(count)s 项目标加入“%(name)s”。")
                    % {"count": len(result.created), "name": campaign.display_name},
                )
                return redirect(reverse("policytext:extract"))
        for row in rows:
            row["errors"] = row_errors.get(row["number"], [])
        context["form_error"] = _("有 %(count)s 行未通过校验，未加入任何目标。") % {
            "count": len(row_errors)
        }
        return render(request, "policytext/extract.html", context, status=400)

    upload = request.FILES.get("document")
    if upload is not None:
        try:
            text = text_from_bytes(upload.read(), upload.name or "")
        except DocumentError as error:
            context["form_error"] = _("上传文件：%(error)s") % {"error": error}
            return render(request, "policytext/extract.html", context, status=400)
    year_text = request.POST.get("year", "").strip()
    year = None
    if year_text:
        if not year_text.isdigit() or not 1949 <= int(year_text) <= 2100:
            context["form_error"] = _("年份须为 1949 至 2100 之间的四位数字。")
            return render(request, "policytext/extract.html", context, status=400)
        year = int(year_text)
    if not text.strip():
        context["form_error"] = _("文件内容：请粘贴文本或上传 .txt / .docx 文件。")
        return render(request, "policytext/extract.html", context, status=400)
    extraction = extract(text, year=year)
    context["text"] = text
    context["year"] = extraction.year
    rows = _rows_from_extraction(extraction, indicators, regions)
    context["rows"] = rows
    context["sentences"] = _highlight(text, rows)
    return render(request, "policytext/extract.html", context)


def _highlight(text: str, rows: list[dict]) -> list[dict]:
    from gongjian.policytext.extract import document_body, split_sentences

    marked: dict[str, list[int]] = {row["sentence"]: [] for row in rows}
    for row in rows:
        marked[row["sentence"]].append(row["number"])
    return [
        {"text": sentence, "rows": marked.get(sentence, [])}
        for sentence in split_sentences(document_body(text))
    ]
