from __future__ import annotations

import datetime as dt
import re
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


# A proposal is ticked for acceptance only when the review is this sure of it: its metric is an
# existing indicator's name, its unit is that indicator's, and its scope is a region here.
ACCEPT_THRESHOLD = Decimal("0.8")
# The indicator unit each normalised unit of the extractor can be stated in.
_INDICATOR_UNITS = {"元": "万元", "count": "个", "人": "个", "%": "%"}


def _region_for(scope: str, regions: list[Region]) -> str | None:
    """The region a proposal's scope names (全市 is the city), or None for a scope that is not
    a region of this platform (全国, 全省, another city's district)."""
    if scope == "全市":
        return CITY_CODE
    for region in regions:
        if scope in (region.name, region.short_name) or region.name.endswith(scope):
            return region.code
    return None


def _in_indicator_unit(value: str, unit: str) -> str:
    """A normalized value (元, %, count) in the unit an indicator is stated in (万元, %, 个)."""
    number = Decimal(value)
    if unit == "元":
        number = number / Decimal(10_000)
    return format(number.normalize(), "f")


def _plain(name: str) -> str:
    return re.sub(r"[\s“”\"（）()]", "", name)


def _match_indicator(
    metric: str, unit: str, region: str | None, indicators: list[Indicator]
) -> tuple[str, Decimal, str]:
    """(indicator code or "", confidence, why): an existing indicator only when the metric and
    the indicator's name agree (equal: 1, one containing the other: 0.8), the unit is the
    indicator's unit and the scope is a region here; otherwise a new indicator is proposed."""
    wanted_unit = _INDICATOR_UNITS.get(unit)
    best: tuple[Decimal, Indicator | None] = (Decimal(0), None)
    indicator: Indicator | None
    for indicator in indicators:
        name, plain = _plain(indicator.name), _plain(metric)
        if not name or not plain:
            continue
        if name == plain:
            score = Decimal(1)
        elif name in plain or plain in name:
            score = Decimal("0.8")
        else:
            continue
        if score > best[0]:
            best = (score, indicator)
    score, indicator = best
    if indicator is None:
        return "", Decimal("0.5"), _("没有同名指标，建议新建指标。")
    if wanted_unit != indicator.unit:
        return (
            "",
            Decimal("0.3"),
            _("单位与指标“%(name)s”（%(unit)s）不一致，建议新建指标。")
            % {
                "name": indicator.display_name,
                "unit": indicator.unit,
            },
        )
    if region is None:
        return "", Decimal("0.3"), _("范围不是本市的区域，建议新建指标或改选区域。")
    return indicator.code, score, ""


def _symbols(text: str) -> str:
    return text.replace(">=", "≥").replace("<=", "≤")


def _row(kind: str, item, extraction, indicators, regions) -> dict:
    region = _region_for(item.scope, regions)
    code, confidence, why = _match_indicator(item.metric, item.normalized_unit, region, indicators)
    return {
        "kind": kind,
        "metric": item.metric,
        "filter": _symbols(str(item.filter)) if item.filter else "",
        "indicator": code,
        "new_indicator": not code,
        "why": why,
        "confidence": confidence,
        "region": region or CITY_CODE,
        "scope": item.scope,
        "written": f"{item.value}{item.unit}",
        "sentence": item.sentence,
    }


def _rows_from_extraction(extraction, indicators, regions) -> list[dict]:
    rows = []
    for item in extraction.targets:
        end = item.period_end or ""
        start = f"{extraction.year or end[:4]}-01-01" if end else ""
        # A range (6%-7%) gives two rows, at least the low end and at most value_max, so that
        # either bound can be accepted as a target.
        bounds = [(item.comparator, item.normalized_value)]
        if item.value_max is not None:
            bounds.append(("<=", item.normalized_value_max))
        for symbol, value in bounds:
            row = _row("target", item, extraction, indicators, regions)
            if item.value_max is not None:
                row["written"] = f"{item.value}–{item.value_max}{item.unit}"
            row |= {
                "comparator": SYMBOLS[symbol],
                "value": _in_indicator_unit(value, item.normalized_unit),
                "period_start": start,
                "period_end": end,
            }
            row["accept"] = bool(row["indicator"]) and row["confidence"] >= ACCEPT_THRESHOLD
            rows.append(row)
    for fact in extraction.facts:
        year = (fact.date or str(extraction.year or ""))[:4]
        row = _row(fact.kind, fact, extraction, indicators, regions)
        row |= {
            "comparator": Comparator.GTE,
            "value": _in_indicator_unit(fact.normalized_value, fact.normalized_unit),
            "period_start": f"{year}-01-01" if year else "",
            "period_end": f"{year}-12-31" if year else "",
            "accept": False,  # a fact becomes a target only when the reviewer says so
        }
        rows.append(row)
    for number, row in enumerate(rows):
        row["number"] = number
        row["confidence_percent"] = int(row["confidence"] * 100)
    return rows


def _year_warning(year: int | None, campaign: Campaign | None) -> str:
    """A warning when the document speaks of another year than the campaign runs in."""
    if year is None or campaign is None:
        return ""
    if campaign.starts_on.year <= year <= campaign.ends_on.year:
        return ""
    years = str(campaign.starts_on.year)
    if campaign.ends_on.year != campaign.starts_on.year:
        years += f"–{campaign.ends_on.year}"
    return _(
        "文件年份为 %(year)s 年，与攻坚行动“%(name)s”的年份（%(years)s）不一致：请核对截止日期，"
        "或改选攻坚行动。"
    ) % {"year": year, "name": campaign.display_name, "years": years}


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
                "why": post.get(prefix + "why", ""),
                "confidence_percent": _percent(post.get(prefix + "confidence", "")),
            }
        )
    return rows


def _percent(text: str) -> int:
    return int(text) if text.isdigit() and int(text) <= 100 else 0


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
        errors.append(_("请选择已有指标；没有合适的指标时，请先在指标库新建指标。"))
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
        doc_year = request.POST.get("doc_year", "")
        context["year"] = int(doc_year) if doc_year.isdigit() else None
        context["year_warning"] = _year_warning(context["year"], campaign)
        context["accept_threshold"] = int(ACCEPT_THRESHOLD * 100)
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
    context["year_warning"] = _year_warning(extraction.year, campaign)
    context["accept_threshold"] = int(ACCEPT_THRESHOLD * 100)
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
