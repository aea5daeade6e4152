"""Two people save the same project at the same moment: one wins, the other is told, nothing lost.

Real threads on PostgreSQL, each with its own connection, so that select_for_update really locks.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongjian.audit.models import AuditEvent
from gongjian.projects.models import Project
from gongjian.projects.selectors import project_history
from gongjian.projects.services import (
    ProjectInput,
    StaleEditError,
    project_create,
    project_input_from,
    project_update,
)
from gongjian.tests.factories import ProjectFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _save_at_once(edits: dict[str, tuple[object, ProjectInput]], project_pk: int) -> dict:
    """Run every edit in its own thread, released together; return each outcome by name."""
    barrier = threading.Barrier(len(edits))
    outcomes: dict[str, object] = {}

    def edit(name: str, actor, data: ProjectInput) -> None:
        try:
            # Each thread loads the project itself, as a request would: both see version 1.
            project = Project.objects.get(pk=project_pk)
            assert project.version == 1
            barrier.wait(timeout=10)
            outcomes[name] = project_update(
                actor=actor, project=project, data=data, expected_version=1
            )
        except Exception as error:
            outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(name, actor, data))
        for name, (actor, data) in edits.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_two_simultaneous_edits_one_wins_one_is_told(city_admin, lichen_filer):
    project = ProjectFactory.create(
        code="LC-2022-300", name="原名称", total_investment=Decimal("50000.00")
    )
    base = project_input_from(project)
    edits = {
        "city_admin": (city_admin, replace(base, name="市项目办的名称")),
        "lichen_filer": (
            lichen_filer,
            replace(base, name="区里的名称", total_investment=Decimal("60000.00")),
        ),
    }

    outcomes = _save_at_once(edits, project.pk)

    winners = [name for name, result in outcomes.items() if isinstance(result, Project)]
    losers = [name for name, result in outcomes.items() if isinstance(result, StaleEditError)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    winner, loser = winners[0], losers[0]
    message = outcomes[loser].messages[0]  # type: ignore[attr-defined]
    assert message.startswith(f"保存失败：该项目已被 {winner} 于 ")
    assert message.endswith("（当前版本 2，您编辑的是版本 1）。您的修改未保存，请刷新后重新编辑。")

    row = Project.objects.get(pk=project.pk)
    expected = edits[winner][1]
    assert (row.version, row.name, row.total_investment) == (
        2,
        expected.name,
        expected.total_investment,
    )
    assert [
        (h.action, (h.after or {})["version"], (h.after or {})["name"], h.actor_username)
        for h in project_history(project=row)
    ] == [("update", 2, expected.name, winner)]
    assert list(
        AuditEvent.objects.order_by("id").values_list("action", "actor_username", "message")
    ) == [("update", winner, ""), ("stale_edit", loser, message)]


def test_same_code_created_at_once_gives_one_project_and_a_clear_refusal(city_admin, lichen_filer):
    # Given two people typing the same new project code
    data = ProjectInput(
        code="LC-RACE-01",
        name="同号项目",
        region_code="350502",
        category_code="key-construction",
        total_investment=Decimal("1000.00"),
    )
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def create(name: str, actor) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[name] = project_create(actor=actor, data=data)
        except Exception as error:
            outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=create, args=("admin", city_admin)),
        threading.Thread(target=create, args=("filer", lichen_filer)),
    ]
    # When both save at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then exactly one project exists and the other person is told why, not given a 500
    assert Project.objects.filter(code="LC-RACE-01").count() == 1
    refused = [o for o in outcomes.values() if isinstance(o, ValidationError)]
    created = [o for o in outcomes.values() if isinstance(o, Project)]
    assert len(created) == 1 and len(refused) == 1
    assert refused[0].message_dict == {"code": ["项目编号“LC-RACE-01”已存在。"]}
