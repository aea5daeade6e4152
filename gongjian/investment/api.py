"""The investment API: the caller's leads (mobile numbers masked), and stage moves and
conversion as actions through the same services as the pages (403 refused, 404 outside the
scope, 422 invalid with the services' Chinese messages per field)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import HttpRequest
from ninja import FilterSchema, Query, Router, Schema

from gongjian.core.api import ErrorOut, Listing, ValidationErrorOut, paginate
from gongjian.investment import selectors, services
from gongjian.investment.models import Lead

router = Router(tags=["leads"])


class LeadOut(Schema):
    id: int
    reference: str
    company: str
    uscc: str
    contact_name: str
    mobile: str  # always masked: 138****8000
    need: str
    use: str
    industry_chain: str | None
    area: str | None
    area_unit: str
    planned_investment: str | None  # decimal string, 万元
    expected_annual_tax: str | None  # decimal string, 万元
    preferred_regions: list[str]
    region_code: str
    department: str | None
    stage: str
    lost_reason: str
    project_code: str | None
    created_at: dt.datetime

    @staticmethod
    def from_lead(lead: Lead) -> LeadOut:
        def dec(value):
            return None if value is None else str(value)

        return LeadOut(
            id=lead.pk,
            reference=lead.reference,
            company=lead.company,
            uscc=lead.uscc,
            contact_name=lead.contact_name,
            mobile=lead.mobile_masked,
            need=lead.need,
            use=lead.use,
            industry_chain=lead.industry_chain.code if lead.industry_chain else None,
            area=dec(lead.area),
            area_unit=lead.area_unit,
            planned_investment=dec(lead.planned_investment),
            expected_annual_tax=dec(lead.expected_annual_tax),
            preferred_regions=[r.code for r in lead.preferred_regions.all()],
            region_code=lead.region.code,
            department=lead.department.code if lead.department else None,
            stage=lead.stage,
            lost_reason=lead.lost_reason,
            project_code=lead.project.code if lead.project else None,
            created_at=lead.created_at,
        )


class LeadFilter(FilterSchema):
    """The leads' filters (``selectors.LeadFilters``, as the pages apply them)."""

    stage: str = ""
    region: str = ""
    need: str = ""
    q: str = ""

    def custom_expression(self) -> Q:
        return selectors.LeadFilters(**self.model_dump()).as_q()


class StageIn(Schema):
    stage: str
    note: str = ""
    lost_reason: str = ""
    date: dt.date | None = None


class ConvertIn(Schema):
    date: dt.date | None = None
    project_code: str = ""  # link this existing 招商签约 project instead of creating one
    project_name: str = ""


_REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get("", response=list[LeadOut], summary="List leads in the caller's scope (mobile masked)")
@paginate
def list_leads(request: HttpRequest, filters: Query[LeadFilter]):
    leads = filters.filter(selectors.lead_list(user=request.user))
    return Listing(leads.prefetch_related("preferred_regions"), LeadOut.from_lead)


@router.get("/{lead_id}", response=LeadOut, summary="One lead in the caller's scope")
def get_lead(request: HttpRequest, lead_id: int):
    return LeadOut.from_lead(selectors.lead_get(user=request.user, pk=lead_id))


@router.post(
    "/{lead_id}/stage",
    response={200: LeadOut, **_REFUSALS},
    summary="Move a lead to its next stage, or to lost with a reason",
)
def move_stage(request: HttpRequest, lead_id: int, payload: StageIn):
    lead = selectors.lead_get(user=request.user, pk=lead_id)
    services.lead_move_stage(
        actor=request.user,
        lead=lead,
        to_stage=payload.stage,
        note=payload.note,
        lost_reason=payload.lost_reason,
        date=payload.date,
    )
    return LeadOut.from_lead(selectors.lead_get(user=request.user, pk=lead_id))


@router.post(
    "/{lead_id}/convert",
    response={200: LeadOut, **_REFUSALS},
    summary="Sign the lead: create (or link) its signed project in the ledger",
)
def convert(request: HttpRequest, lead_id: int, payload: ConvertIn):
    lead = selectors.lead_get(user=request.user, pk=lead_id)
    services.lead_move_stage(
        actor=request.user,
        lead=lead,
        to_stage="signed",
        date=payload.date,
        project_code=payload.project_code,
        project_name=payload.project_name,
    )
    return LeadOut.from_lead(selectors.lead_get(user=request.user, pk=lead_id))
