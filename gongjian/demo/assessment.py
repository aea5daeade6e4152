"""The demo's assessment: a default published rubric for 项目攻坚2022 (``xmgj2022``) and its
published result for 2022-11, written through the services as the campaign office would.

Called by ``loaddemo`` after the campaign is loaded (``demo_assessment_load()``). The rubric is
the demo's own choice — the campaign document publishes no scoring rules: the eight indicators
allocated to the 13 reporting units, 100 points in all, scored on 序时完成率 (completion against
the share of the year elapsed), 0.1 point off per late monthly report up to 5.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongjian.accounts.models import User
from gongjian.assessment.choices import LateMode, ScoringBasis, ScoringMethod
from gongjian.assessment.models import AssessmentResult, Rubric
from gongjian.assessment.services import (
    RubricInput,
    RubricItemInput,
    assessment_publish,
    rubric_create,
    rubric_item_add,
    rubric_publish,
)
from gongjian.campaigns.models import Campaign

CAMPAIGN_CODE = "xmgj2022"
RUBRIC_CODE = "district-2022"
RESULT_MONTH = dt.date(2022, 11, 1)
# The demo's business date: November's reports are not due until 2022-12-05.
COUNTED_ON = dt.date(2022, 12, 2)


def _bands(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"from": start, "points": points} for start, points in pairs]


ITEMS: tuple[RubricItemInput, ...] = (
    RubricItemInput("xmgj-key-investment", Decimal(25), ScoringMethod.LINEAR, {"cap": "1.2"}),
    RubricItemInput("xmgj-signed-investment", Decimal(15), ScoringMethod.LINEAR, {"cap": "1.2"}, 1),
    RubricItemInput(
        "xmgj-key-started",
        Decimal(15),
        ScoringMethod.BANDS,
        {
            "bands": _bands(("1", "15"), ("0.9", "12"), ("0.8", "9"), ("0.6", "5")),
            "bonus_per_point": "0.1",
            "bonus_max": "3",
            "penalty": "3",
            "penalty_below": "0.6",
        },
        2,
    ),
    RubricItemInput(
        "xmgj-signed-count",
        Decimal(10),
        ScoringMethod.RANKING,
        {"points": ["10", "9", "8", "7", "6", "5", "4"], "rest": "3"},
        3,
    ),
    RubricItemInput(
        "xmgj-signed-major-count",
        Decimal(10),
        ScoringMethod.BANDS,
        {"bands": _bands(("1", "10"), ("0.8", "8"), ("0.6", "5")), "penalty": "2"},
        4,
    ),
    RubricItemInput("xmgj-key-completed", Decimal(10), ScoringMethod.LINEAR, {"cap": "1"}, 5),
    RubricItemInput(
        "xmgj-urban-started",
        Decimal(10),
        ScoringMethod.RANKING,
        {"points": ["10", "9", "8", "7", "6", "5", "4"], "rest": "3"},
        6,
    ),
    RubricItemInput("xmgj-new-infra-started", Decimal(5), ScoringMethod.LINEAR, {"cap": "1.2"}, 7),
)


def demo_assessment_load(*, actor: User | None = None) -> AssessmentResult | None:
    """Publish the default rubric of xmgj2022 and its 2022-11 result (as the demo city_admin);
    nothing when the campaign is missing or already has the rubric."""
    campaign = Campaign.objects.filter(code=CAMPAIGN_CODE).first()
    if campaign is None or Rubric.objects.filter(campaign=campaign, code=RUBRIC_CODE).exists():
        return None
    actor = actor or User.objects.get(username="city_admin")
    rubric = rubric_create(
        actor=actor,
        campaign=campaign,
        data=RubricInput(
            code=RUBRIC_CODE,
            name="2022年县（市、区）项目攻坚考核办法",
            effective_from=dt.date(2022, 1, 1),
            basis=ScoringBasis.PACE,
            late_mode=LateMode.PER_REPORT,
            late_points=Decimal("0.1"),
            late_cap=Decimal("5"),
            description="八项分解到县（市、区）的指标共 100 分，按序时完成率计分，"
            "城区、县域分组排名；逾期填报每份扣 0.1 分，最多扣 5 分。",
        ),
    )
    for item in ITEMS:
        rubric_item_add(actor=actor, rubric=rubric, data=item)
    rubric_publish(actor=actor, rubric=rubric)
    return assessment_publish(
        actor=actor,
        campaign=campaign,
        month=RESULT_MONTH,
        counted_on=COUNTED_ON,
        note="",
    )


def demo_assessment_remove() -> None:
    """Remove the demo campaign's assessment results and rubrics (``loaddemo --reset``), before
    the campaign itself goes: a published result protects its rubric, and a rubric item its
    indicator."""
    campaign = Campaign.objects.filter(code=CAMPAIGN_CODE).first()
    if campaign is None:
        return
    AssessmentResult.objects.filter(campaign=campaign).delete()
    Rubric.objects.filter(campaign=campaign).delete()
