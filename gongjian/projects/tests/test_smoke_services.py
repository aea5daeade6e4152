from decimal import Decimal

import pytest

from gongjian.projects.services import ProjectInput, project_create


@pytest.mark.django_db
def test_filer_creates_project_in_own_district(lichen_filer):
    project = project_create(
        actor=lichen_filer,
        data=ProjectInput(
            code="LC-2022-001",
            name="鲤城古城片区提升工程",
            region_code="350502",
            category_code="urban-quality",
            total_investment=Decimal("12000.50"),
        ),
    )
    assert project.region.code == "350502"
    assert project.version == 1
