import datetime as dt
import json
import unicodedata
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongjian.accounts.services import system_actor
from gongjian.campaigns.choices import ProgressStatus
from gongjian.campaigns.models import Campaign
from gongjian.campaigns.selectors import campaign_progress, campaign_progress_document
from gongjian.core.periods import today


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def _percent(fraction: str | None) -> str:
    if fraction is None:
        return "—"
    return f"{(Decimal(fraction) * 100).quantize(Decimal('0.01'))}%"


def render_table(document: dict, campaign: Campaign) -> str:
    """The progress document as an aligned plain-text table (CJK-aware)."""
    statuses = dict(ProgressStatus.choices)
    headers = [
        _("指标"),
        _("区域"),
        _("目标"),
        _("实际"),
        _("单位"),
        _("完成率"),
        _("序时进度"),
        _("超欠（百分点）"),
        _("预测"),
        _("状态"),
        _("达成"),
    ]
    right = [False, False, True, True, False, True, True, True, True, False, False]
    rows = [
        [
            item["indicator"],
            item["region_name"],
            f"{item['comparator']}{item['target_value']}",
            item["actual_value"] or "—",
            item["unit"],
            _percent(item["completion"]),
            _percent(item["time_elapsed"]),
            item["ahead_points"] or "—",
            item["forecast_value"] or "—",
            str(statuses[item["status"]]),
            _("是") if item["met"] else _("否"),
        ]
        for item in document["targets"]
    ]
    widths = [max(_width(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        _("%(name)s（%(code)s） 截至 %(as_of)s，共 %(count)s 项目标")
        % {
            "name": campaign.name,
            "code": campaign.code,
            "as_of": document["as_of"],
            "count": len(rows),
        },
        "  ".join(_pad(h, w, right=r) for h, w, r in zip(headers, widths, right, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    for row in rows:
        lines.append(
            "  ".join(_pad(c, w, right=r) for c, w, r in zip(row, widths, right, strict=True))
        )
    return "\n".join(line.rstrip() for line in lines) + "\n"


class Command(BaseCommand):
    help = (
        "Print every target of a campaign at an as-of date: "
        "gongjian progress --campaign xmgj2022 --as-of 2022-11-30 --format json|table. "
        "打印攻坚行动各项目标的进度。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="campaign code, e.g. xmgj2022")
        parser.add_argument("--as-of", default="", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--format",
            choices=["json", "table"],
            default="table",
            help="table (default) or json, the document of the progress API",
        )

    def handle(self, *args, campaign: str, as_of: str, format: str, **options):
        try:
            as_of_date = dt.date.fromisoformat(as_of) if as_of else today()
        except ValueError:
            raise CommandError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": as_of}) from None
        found = Campaign.objects.filter(code=campaign).first()
        if found is None:
            raise CommandError(_("未找到攻坚行动“%(code)s”。") % {"code": campaign})
        # Shell access to the server is the permission: the command sees every target.
        progress = campaign_progress(campaign=found, as_of=as_of_date, user=system_actor())
        document = campaign_progress_document(progress)
        if format == "json":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(document, found), ending="")
