"""Project list filters, including the stage groups the home page links to."""

from __future__ import annotations

import pytest

from gongjian.projects.selectors import ProjectFilters, project_list
from gongjian.tests.factories import ProjectFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stage", "codes"),
    [
        ("not_started", ["P-PLANNED", "P-SIGNED"]),
        ("started_or_later", ["P-COMPLETED", "P-OPERATING", "P-STARTED"]),
        ("completed_or_later", ["P-COMPLETED", "P-OPERATING"]),
        ("started", ["P-STARTED"]),
        ("suspended", ["P-SUSPENDED"]),
    ],
)
def test_stage_and_stage_group_filters(city_admin, stage, codes):
    for name in ("planned", "signed", "started", "completed", "operating", "suspended"):
        ProjectFactory.create(code=f"P-{name.upper()}", stage=name)

    listed = project_list(user=city_admin, filters=ProjectFilters(stage=stage))

    assert sorted(p.code for p in listed) == codes
