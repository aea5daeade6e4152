from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema

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
    version: int
    updated_at: dt.datetime

    @staticmethod
    def from_project(project: Project) -> ProjectOut:
        def dec(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

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
    )
    projects = selectors.project_list(user=request.user, filters=filters)
    limit = max(1, min(params.limit, 1000))
    offset = min(max(0, params.offset), 2**31)  # past any count: an empty page, not a DB error
    items = [ProjectOut.from_project(p) for p in projects[offset : offset + limit]]
    return {"count": projects.count(), "items": items}


@router.get("/{project_id}", response=ProjectOut, summary="One project in the caller's scope")
def get_project(request: HttpRequest, project_id: int):
    return ProjectOut.from_project(selectors.project_get(user=request.user, pk=project_id))
