"""The project API: the ledger, and stage claims with their verification.

A refusal by a service is answered 403 (no permission) or 422 (``{"detail", "errors": {field:
[messages]}}`` with the services' own Chinese messages); an object outside the caller's scope 404.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import FilterSchema, Query, Router, Schema, Status

from gongjian.core.api import ErrorOut, Listing, ValidationErrorOut, paginate
from gongjian.core.periods import today
from gongjian.notifications.sms import mask_phone
from gongjian.plans.lights import Light, project_lights
from gongjian.plans.selectors import planned_projects
from gongjian.projects import selectors, services
from gongjian.projects.models import Project, StageEvent

router = Router(tags=["projects"])
stage_events_router = Router(tags=["stage-events"])


class StageEventOut(Schema):
    id: int
    stage: str
    date: dt.date
    note: str
    status: str  # "pending" (待核实), "confirmed" or "rejected"
    has_evidence: bool
    rejection_reason: str
    recorded_at: dt.datetime
    reviewed_at: dt.datetime | None

    @staticmethod
    def from_event(event: StageEvent) -> StageEventOut:
        return StageEventOut(
            id=event.pk,
            stage=event.stage,
            date=event.date,
            note=event.note,
            status=event.status,
            has_evidence=bool(event.evidence),
            rejection_reason=event.rejection_reason,
            recorded_at=event.recorded_at,
            reviewed_at=event.reviewed_at,
        )


class RejectIn(Schema):
    reason: str = ""


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    region_code: str
    region_name: str
    category: str
    category_name: str
    industry_chain: str | None
    stage: str
    total_investment: str  # decimal string, 万元
    annual_plan: str  # decimal string, 万元
    owner_enterprise: str
    responsible_unit: str
    longitude: str | None
    latitude: str | None
    levels: list[str]  # provincial, city, county
    project_class: str  # continuing, new, completing, preparatory, or ""
    sector: str | None
    start_year: int | None
    end_year: int | None
    planned_start_month: str | None  # YYYY-MM
    planned_completion_month: str | None  # YYYY-MM
    national_code: str
    owner_uscc: str
    responsible_person: str
    responsible_phone: str  # masked: 138****8000
    markers: str
    light: str | None  # red, yellow, green (filtered by light or asked with with_light)
    light_reasons: list[str]
    version: int
    updated_at: dt.datetime

    @staticmethod
    def from_project(project: Project, light: Light | None = None) -> ProjectOut:
        def dec(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        def month(value: dt.date | None) -> str | None:
            return None if value is None else value.strftime("%Y-%m")

        return ProjectOut(
            id=project.pk,
            code=project.code,
            name=project.name,
            region_code=project.region.code,
            region_name=project.region.name,
            category=project.category.code,
            category_name=project.category.name,
            industry_chain=project.industry_chain.code if project.industry_chain else None,
            stage=project.stage,
            total_investment=str(project.total_investment),
            annual_plan=str(project.annual_plan),
            owner_enterprise=project.owner_enterprise,
            responsible_unit=project.responsible_unit,
            longitude=dec(project.longitude),
            latitude=dec(project.latitude),
            levels=project.levels,
            project_class=project.project_class,
            sector=project.sector.code if project.sector else None,
            start_year=project.start_year,
            end_year=project.end_year,
            planned_start_month=month(project.planned_start_month),
            planned_completion_month=month(project.planned_completion_month),
            national_code=project.national_code,
            owner_uscc=project.owner_uscc,
            responsible_person=project.responsible_person,
            responsible_phone=mask_phone(project.responsible_phone)
            if project.responsible_phone
            else "",
            markers=project.markers,
            light=None if light is None else str(light.color),
            light_reasons=[] if light is None else light.reason_texts(),
            version=project.version,
            updated_at=project.updated_at,
        )


class ProjectDetailOut(ProjectOut):
    stage_events: list[StageEventOut]  # every record, each with its status


class ProjectFilter(FilterSchema):
    """The ledger's filters (``selectors.ProjectFilters``, as the pages and exports apply them)."""

    region: str = ""
    category: str = ""
    stage: str = ""
    industry: str = ""
    q: str = ""
    level: str = ""
    sector: str = ""
    project_class: str = ""
    responsible_unit: str = ""

    def custom_expression(self) -> Q:
        return selectors.ProjectFilters(**self.model_dump()).as_q()


class LightQuery(Schema):
    light: Literal["", "red", "yellow", "green"] = ""
    as_of: dt.date | None = None  # for the lights; default today


@router.get("", response=list[ProjectOut], summary="List projects in the caller's scope")
@paginate
def list_projects(request: HttpRequest, filters: Query[ProjectFilter], params: Query[LightQuery]):
    projects = filters.filter(selectors.project_list(user=request.user))
    lights: dict[int, Light] = {}
    if params.light:
        # The lights of the year's list: only projects with an annual plan have one.
        as_of = params.as_of or today()
        listed = projects.filter(pk__in=planned_projects(as_of.year).values("pk"))
        lights = project_lights(projects=listed, as_of=as_of)
        projects = projects.filter(
            pk__in=[pk for pk, light in lights.items() if light.color == params.light]
        )
    return Listing(projects, lambda p: ProjectOut.from_project(p, lights.get(p.pk)))


@router.get("/{project_id}", response=ProjectDetailOut, summary="One project in the caller's scope")
def get_project(request: HttpRequest, project_id: int):
    project = selectors.project_get(user=request.user, pk=project_id)
    as_of = today()
    listed = planned_projects(as_of.year).filter(pk=project.pk)
    light = project_lights(projects=listed, as_of=as_of).get(project.pk)
    events = selectors.project_stage_events(project=project)
    return ProjectDetailOut(
        **ProjectOut.from_project(project, light).dict(),
        stage_events=[StageEventOut.from_event(e) for e in events],
    )


_CLAIM_BODY = {
    "type": "object",
    "required": ["stage", "date"],
    "properties": {
        "stage": {
            "type": "string",
            "enum": ["signed", "landed", "started", "completed", "operating", "suspended"],
        },
        "date": {"type": "string", "format": "date"},
        "note": {"type": "string"},
    },
}
_CLAIM_MULTIPART = {
    **_CLAIM_BODY,
    "properties": {
        **_CLAIM_BODY["properties"],  # type: ignore[dict-item]
        "evidence": {"type": "string", "format": "binary"},
    },
}


def _claim_fields(request: HttpRequest) -> tuple[dict[str, Any], Any]:
    """The claim's fields from a multipart form (with its ``evidence`` file) or a JSON body."""
    if (request.content_type or "").startswith("multipart/form-data"):
        return request.POST.dict(), request.FILES.get("evidence")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise ValidationError(_("请求体不是有效的 JSON。")) from None
    if not isinstance(body, dict):
        raise ValidationError(_("请求体须为 JSON 对象。"))
    return body, None


@router.post(
    "/{project_id}/stage-events",
    response={201: StageEventOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Record a stage (开工, 竣工…): a claim pending the district reviewer",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {"schema": _CLAIM_MULTIPART},
                "application/json": {"schema": _CLAIM_BODY},
            }
        }
    },
)
def record_stage_event(request: HttpRequest, project_id: int):
    project = selectors.project_get(user=request.user, pk=project_id)
    fields, evidence = _claim_fields(request)
    date = parse_date(str(fields.get("date") or ""))
    if date is None:
        raise ValidationError({"date": [_("日期须为 YYYY-MM-DD 格式。")]})
    event = services.project_record_stage(
        actor=request.user,
        project=project,
        stage=str(fields.get("stage") or ""),
        date=date,
        note=str(fields.get("note") or ""),
        evidence=evidence,
    )
    return Status(201, StageEventOut.from_event(event))


@stage_events_router.post(
    "/{event_id}/confirm",
    response={200: StageEventOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Confirm a pending stage claim (district reviewer)",
)
def confirm_stage_event(request: HttpRequest, event_id: int):
    event = selectors.stage_event_get(user=request.user, pk=event_id)
    return StageEventOut.from_event(services.stage_event_confirm(actor=request.user, event=event))


@stage_events_router.post(
    "/{event_id}/reject",
    response={200: StageEventOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Reject a pending stage claim with a reason (district reviewer)",
)
def reject_stage_event(request: HttpRequest, event_id: int, payload: RejectIn):
    event = selectors.stage_event_get(user=request.user, pk=event_id)
    return StageEventOut.from_event(
        services.stage_event_reject(actor=request.user, event=event, reason=payload.reason)
    )
