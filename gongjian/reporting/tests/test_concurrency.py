"""Many people file or review the same report at the same moment: one wins, every other is told,
no value is lost, and the status-change rows tell the same story as the report.

Real threads on PostgreSQL, each with its own connection (closed when the thread ends), released
together by a barrier, so that the unique constraint and select_for_update really decide.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongjian.accounts.choices import Role
from gongjian.accounts.models import User
from gongjian.audit.models import AuditEvent
from gongjian.regions.models import Region
from gongjian.reporting.models import ProgressReport, ReportStatusChange
from gongjian.reporting.services import (
    ReportConflictError,
    ReportInput,
    report_approve,
    report_return,
    report_save,
    report_submit,
)
from gongjian.tests.factories import (
    MembershipFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _at_once(tasks: dict[str, Callable[[threading.Barrier], object]]) -> dict[str, object]:
    """Run each task in its own thread; each waits on the shared barrier before its write.
    Returns each task's result or the exception it raised, by name."""
    barrier = threading.Barrier(len(tasks))
    outcomes: dict[str, object] = {}

    def run(name: str, task: Callable[[threading.Barrier], object]) -> None:
        try:
            outcomes[name] = task(barrier)
        except Exception as error:
            outcomes[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in tasks.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert len(outcomes) == len(tasks)
    return outcomes


def _licheng_project(code: str):
    project = ProjectFactory.create(code=code, total_investment=Decimal("50000.00"))
    StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
    return project


@pytest.fixture
def period(db):
    return ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))


def test_twenty_first_saves_make_one_report_and_nineteen_clear_refusals(
    lichen_filer, city_admin, period
):
    project = _licheng_project("LC-RACE-20")
    actors = [lichen_filer.pk, city_admin.pk]
    amounts = {f"filer{n:02d}": Decimal(f"{1000 + n}.25") for n in range(20)}

    def first_save(name: str, user_pk: int):
        def task(barrier: threading.Barrier):
            actor = User.objects.get(pk=user_pk)  # loaded per request, as a page would
            data = ReportInput(amount=amounts[name], progress_text=f"{name} 的形象进度")
            barrier.wait(timeout=20)
            report, _ = report_save(
                actor=actor, project=project, period=period, data=data, expected_version=None
            )
            return report

        return task

    outcomes = _at_once({name: first_save(name, actors[n % 2]) for n, name in enumerate(amounts)})

    winners = [n for n, o in outcomes.items() if isinstance(o, ProgressReport)]
    losers = [n for n, o in outcomes.items() if isinstance(o, ReportConflictError)]
    assert (len(winners), len(losers)) == (1, 19), outcomes
    message = "LC-RACE-20 的 2022-11 报告已由他人创建，您的填报未保存；请刷新后在该报告上修改。"
    assert {tuple(outcomes[n].messages) for n in losers} == {(message,)}  # type: ignore[attr-defined]
    winner = winners[0]
    row = ProgressReport.objects.get()
    assert (row.amount, row.progress_text, row.version, row.status) == (
        amounts[winner],
        f"{winner} 的形象进度",
        1,
        "draft",
    )
    assert list(AuditEvent.objects.values_list("action", "object_id", "after__amount")) == [
        ("create", str(row.pk), str(amounts[winner]))
    ]


def test_fifty_edits_of_the_same_version_give_exactly_one_success(lichen_filer, period):
    project = _licheng_project("LC-RACE-50")
    report = ProgressReportFactory.create(
        project=project, period=period, amount=Decimal("500.00"), version=7
    )
    edits = {
        f"edit{n:02d}": ReportInput(amount=Decimal(f"{2000 + n}.50"), progress_text=f"第 {n} 稿")
        for n in range(50)
    }

    def edit(data: ReportInput):
        def task(barrier: threading.Barrier):
            actor = User.objects.get(pk=lichen_filer.pk)
            barrier.wait(timeout=20)
            saved, _ = report_save(
                actor=actor, project=project, period=period, data=data, expected_version=7
            )
            return saved

        return task

    outcomes = _at_once({name: edit(data) for name, data in edits.items()})

    winners = [n for n, o in outcomes.items() if isinstance(o, ProgressReport)]
    losers = [n for n, o in outcomes.items() if isinstance(o, ReportConflictError)]
    assert (len(winners), len(losers)) == (1, 49), outcomes
    message = (
        "保存失败：该报告已被他人修改（当前版本 8，您编辑的是版本 7）。"
        "您的修改未保存，请刷新后重新填写。"
    )
    assert {tuple(outcomes[n].messages) for n in losers} == {(message,)}  # type: ignore[attr-defined]
    winner = edits[winners[0]]
    row = ProgressReport.objects.get(pk=report.pk)
    assert (row.version, row.amount, row.progress_text) == (8, winner.amount, winner.progress_text)
    assert list(
        AuditEvent.objects.values_list(
            "action", "before__amount", "after__amount", "after__version"
        )
    ) == [("update", "500.00", str(winner.amount), 8)]


SUBMITTED = ReportInput(amount=Decimal("1200.50"), progress_text="主体结构施工")
EDITED = ReportInput(amount=Decimal("9999.00"), progress_text="主体封顶（改）")


@pytest.fixture
def second_reviewer(db):
    user = UserFactory.create(username="lichen_reviewer_2")
    MembershipFactory.create(
        user=user, role=Role.DISTRICT_REVIEWER, region=Region.objects.get(code="350502")
    )
    return user


def test_approve_racing_return_edit_resubmit_never_approves_unseen_values(
    lichen_filer, lichen_reviewer, second_reviewer, period
):
    # Ten rounds in one test (one database flush); the approval's delay grows each round so that
    # it lands before, between and after the other side's three steps.
    for iteration in range(10):
        _race_approve_against_return_edit_resubmit(
            iteration, lichen_filer, lichen_reviewer, second_reviewer, period
        )


def _race_approve_against_return_edit_resubmit(
    iteration, lichen_filer, lichen_reviewer, second_reviewer, period
):
    # Given a report the filer submitted with 1,200.50
    project = _licheng_project(f"LC-ABA-{iteration}")
    report, _ = report_save(
        actor=lichen_filer, project=project, period=period, data=SUBMITTED, expected_version=None
    )
    report_submit(actor=lichen_filer, report=report)

    def approve(barrier: threading.Barrier):
        # The reviewer looks at version 2 (1,200.50) and approves it, a moment after the others
        # start: the delay spreads the approval over the other side's three steps.
        actor = User.objects.get(pk=lichen_reviewer.pk)
        seen = ProgressReport.objects.get(pk=report.pk)
        barrier.wait(timeout=20)
        time.sleep(iteration * 0.004)
        return report_approve(actor=actor, report=seen)

    def return_edit_resubmit(barrier: threading.Barrier):
        # Meanwhile a colleague returns it and the filer changes it to 9,999.00 and resubmits.
        reviewer = User.objects.get(pk=second_reviewer.pk)
        filer = User.objects.get(pk=lichen_filer.pk)
        seen = ProgressReport.objects.get(pk=report.pk)
        barrier.wait(timeout=20)
        returned = report_return(actor=reviewer, report=seen, reason="请核实金额")
        edited, _ = report_save(
            actor=filer,
            project=project,
            period=period,
            data=EDITED,
            expected_version=returned.version,
        )
        return report_submit(actor=filer, report=edited)

    # When both act at once
    outcomes = _at_once({"approve": approve, "return": return_edit_resubmit})

    # Then exactly one side won, the other was refused, and the report is what the winner left
    row = ProgressReport.objects.get(pk=report.pk)
    changes = list(
        ReportStatusChange.objects.filter(report=row).values_list(
            "from_status", "to_status", "actor__username", "reason"
        )
    )
    if isinstance(outcomes["approve"], ProgressReport):
        refused = outcomes["return"]
        assert isinstance(refused, ValidationError), f"round {iteration}: {outcomes}"
        assert refused.messages == ["报告当前状态为“县区已审核”，不能执行此操作。"]
        assert (row.status, row.version, row.amount, row.progress_text) == (
            "district_approved",
            3,
            SUBMITTED.amount,
            SUBMITTED.progress_text,
        ), f"round {iteration}: {outcomes}"
        assert changes == [
            ("draft", "submitted", "lichen_filer", ""),
            ("submitted", "district_approved", "lichen_reviewer", ""),
        ]
    else:
        refused = outcomes["approve"]
        assert isinstance(outcomes["return"], ProgressReport), f"round {iteration}: {outcomes}"
        assert isinstance(refused, ValidationError), f"round {iteration}: {outcomes}"
        assert refused.messages[0] in {
            # the approval came while the report was back with the filer
            "报告当前状态为“已退回”，不能执行此操作。",
            # or after it was resubmitted with values the reviewer never saw
            "操作失败：该报告已被他人修改（当前版本 5，您看到的是版本 2）。"
            "操作未执行，请刷新后查看最新内容。",
        }
        assert (row.status, row.version, row.amount, row.progress_text) == (
            "submitted",
            5,
            EDITED.amount,
            EDITED.progress_text,
        ), f"round {iteration}: {outcomes}"
        assert changes == [
            ("draft", "submitted", "lichen_filer", ""),
            ("submitted", "returned", "lichen_reviewer_2", "请核实金额"),
            ("returned", "submitted", "lichen_filer", ""),
        ]
    # The audit log tells the same story as the status-change rows.
    transitions = [
        (e.actor_username, (e.before or {})["status"], (e.after or {})["status"])
        for e in AuditEvent.objects.filter(
            object_type="reporting.progressreport", object_id=str(row.pk), action="update"
        ).order_by("id")
        if set(e.before or {}) == {"status"}  # a transition, not an edit's snapshot
    ]
    assert transitions == [(actor, before, after) for before, after, actor, _ in changes]
