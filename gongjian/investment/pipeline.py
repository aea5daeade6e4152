"""The pipeline's rules as plain functions: which stage may follow which, and what a lead still
needs before it can move (Data Hub's "required before the next stage")."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongjian.investment.choices import LEAD_PROGRESSION, OPEN_STAGES, LeadStage
from gongjian.regions.choices import RegionKind


def next_stages(stage: str) -> list[str]:
    """The stages a lead at ``stage`` may move to: the next one along, and 流失 while open."""
    following: list[str] = []
    if stage in LEAD_PROGRESSION and stage != LEAD_PROGRESSION[-1]:
        following.append(LEAD_PROGRESSION[LEAD_PROGRESSION.index(stage) + 1])
    if stage in OPEN_STAGES:
        following.append(LeadStage.LOST)
    return following


def stage_requirements(lead, to_stage: str, *, follow_up_count: int | None = None) -> list[str]:
    """What ``lead`` still lacks before it may enter ``to_stage``; empty when nothing.

    ``follow_up_count`` saves a query when the caller has counted already.
    """
    missing: list[str] = []
    if to_stage == LeadStage.CONTACTED:
        count = lead.follow_ups.count() if follow_up_count is None else follow_up_count
        if count == 0:
            missing.append(_("至少一条对接记录（电话、走访或洽谈）"))
    elif to_stage == LeadStage.NEGOTIATING:
        if not lead.planned_investment:
            missing.append(_("计划投资（万元）"))
        if lead.industry_chain_id is None:
            missing.append(_("所属行业"))
        if not lead.area:
            missing.append(_("需求面积"))
    elif to_stage == LeadStage.SIGNED:
        if lead.region.kind == RegionKind.CITY:
            missing.append(_("移交落地县（市、区）承办：签约项目记入县区项目台账"))
        if not lead.planned_investment:
            missing.append(_("计划投资（万元），即签约项目总投资"))
    elif to_stage == LeadStage.LANDED and lead.project_id is None:
        missing.append(_("签约项目（先办理签约）"))
    return missing
