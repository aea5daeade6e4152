"""The campaigns API: every target's progress at an as-of date, the document of
``gongjian progress --format json``. Values are decimal strings in the indicator's unit (万元,
个, or percent 0–100), completion and time_elapsed fractions, ahead_points percentage points."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from gongjian.campaigns.models import Campaign
from gongjian.campaigns.selectors import campaign_progress, campaign_progress_document
from gongjian.core.api import ErrorOut
from gongjian.core.periods import today

router = Router(tags=["campaigns"])
# Dates the engine can evaluate (a year of history before and the months after stay in range).
AS_OF_MIN = dt.date(1900, 1, 1)
AS_OF_MAX = dt.date(2099, 12, 31)


class TargetProgressOut(Schema):
    indicator: str
    indicator_code: str
    action: str | None
    action_code: str | None
    region_code: str
    region_name: str
    period_start: dt.date
    period_end: dt.date
    comparator: str  # ≥ > = ≤ <
    target_value: str
    unit: str  # 万元, 个 or %
    actual_value: str | None  # None: a rate with no enterprise to measure
    baseline_value: str | None
    completion: str | None  # fraction, e.g. "0.8235"
    time_elapsed: str  # fraction of the period (序时进度)
    ahead_points: str | None  # completion − time_elapsed, percentage points
    forecast_value: str | None
    forecast_method: str | None  # final, seasonal or linear
    status: str  # green, yellow or red
    met: bool


class CampaignProgressOut(Schema):
    campaign: str
    as_of: dt.date
    targets: list[TargetProgressOut]


@router.get(
    "/{code}/progress",
    response={200: CampaignProgressOut, 404: ErrorOut, 422: ErrorOut},
    summary="Every target of a campaign the caller may see, at an as-of date (default today)",
)
def get_progress(request: HttpRequest, code: str, as_of: dt.date | None = None):
    if as_of is not None and not AS_OF_MIN <= as_of <= AS_OF_MAX:
        return Status(
            422,
            {
                "detail": _("as_of 须在 %(first)s 至 %(last)s 之间。")
                % {"first": AS_OF_MIN, "last": AS_OF_MAX}
                + f" / as_of must be within {AS_OF_MIN} and {AS_OF_MAX}."
            },
        )
    campaign = Campaign.objects.filter(code=code).first()
    if campaign is None:
        return Status(404, {"detail": _("未找到攻坚行动“%(code)s”。") % {"code": code}})
    progress = campaign_progress(campaign=campaign, as_of=as_of or today(), user=request.user)
    return campaign_progress_document(progress)
