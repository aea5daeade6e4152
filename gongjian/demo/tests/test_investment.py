"""The demo's leads and sites: the counts, every stage, links to the demo's signed projects."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from gongjian.demo.investment import demo_investment_load
from gongjian.investment.models import Lead, Resource
from gongjian.projects.models import Category
from gongjian.regions.models import Region
from gongjian.tests.factories import ProjectFactory, StageEventFactory

pytestmark = pytest.mark.django_db


def test_the_demo_builds_leads_in_every_stage_and_links_signed_projects():
    signed = Category.objects.get(code="investment-signed")
    lichen = Region.objects.get(code="350502")
    for number in range(10):
        project = ProjectFactory.create(
            code=f"ZS2022-350502-{number:04d}",
            region=lichen,
            category=signed,
            stage="signed" if number < 6 else "landed",
            owner_enterprise=f"泉州演示{number}有限公司",
        )
        StageEventFactory.create(project=project, stage="signed", date=dt.date(2022, 5, 1))

    summary = demo_investment_load()
    again = demo_investment_load()  # the same every run, replacing the earlier load

    assert (summary.lead_count, summary.resource_count, summary.linked_project_count) == (
        300,
        150,
        10,
    )
    assert again == summary
    assert (Lead.objects.count(), Resource.objects.count()) == (300, 150)
    stages = Counter(Lead.objects.values_list("stage", flat=True))
    assert stages == {
        "new": 70,
        "contacted": 60,
        "negotiating": 50 + 39 + 26,  # signed/landed leads beyond the 10 projects stay in talks
        "signed": 6,
        "landed": 4,
        "lost": 45,
    }
    assert Lead.objects.filter(project__isnull=False).count() == 10
    assert all(
        lead.project is not None and lead.company == lead.project.owner_enterprise
        for lead in Lead.objects.filter(project__isnull=False).select_related("project")
    )
