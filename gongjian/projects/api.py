from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from gongjian.core.periods import today
from gongjian.notifications.sms import mask_phone
from gongjian.plans.lights import Light, project_lights
from gongjian.plans.selectors import planned_projects
from gongjian.projects import selectors
from gongjian.projects.models import Project

router = Router(tags=["projects"])


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


class ProjectPage(Schema):
    count: int
    items: list[ProjectOut]


class ProjectQuery(Schema):
    region: str = ""
    category: str = ""
    stage: str = ""
    industry: str = ""
    q: str = ""
    level: str = ""
    sector: str = ""
    project_class: str = ""
    responsible_unit: str = ""
    light: Literal["", "red", "yellow", "green"] = ""
    as_of: dt.date | None = None  # for the lights; default today
    limit: int = 100
    offset: int = 0


@router.get("", response=ProjectPage, summary="List projects in the caller's scope")
def list_projects(request: HttpRequest, params: Query[ProjectQuery]):
    filters = selectors.ProjectFilters(
        region=params.region,
        category=params.category,
        stage=params.stage,
        industry=params.industry,
        q=params.q,
        level=params.level,
        sector=params.sector,
        project_class=params.project_class,
        responsible_unit=params.responsible_unit,
    )
    projects = selectors.project_list(user=request.user, filters=filters)
    limit = max(1, min(params.limit, 1000))
    offset = min(max(0, params.offset), 2**31)  # past any count: an empty page, not a DB error
    lights: dict[int, Light] = {}
    if params.light:
        # The lights of the year's list: only projects with an annual plan have one.
        as_of = params.as_of or today()
        listed = projects.filter(pk__in=planned_projects(as_of.year).values("pk"))
        lights = project_lights(projects=listed, as_of=as_of)
        projects = projects.filter(
            pk__in=[pk for pk, light in lights.items() if light.color == params.light]
        )
    items = [
        ProjectOut.from_project(p, lights.get(p.pk)) for p in projects[offset : offset + limit]
    ]
    return {"count": projects.count(), "items": items}


@router.get("/{project_id}", response=ProjectOut, summary="One project in the caller's scope")
def get_project(request: HttpRequest, project_id: int):
    project = selectors.project_get(user=request.user, pk=project_id)
    as_of = today()
    listed = planned_projects(as_of.year).filter(pk=project.pk)
    return ProjectOut.from_project(
        project, project_lights(projects=listed, as_of=as_of).get(project.pk)
    )
