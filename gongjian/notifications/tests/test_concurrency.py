"""Reminders and escalations started twice at once (cron overlapping a hand run): each person is
told once, each order escalates once.

Real threads on PostgreSQL, each with its own connection, released together by a barrier, so
that the unique constraint on ReminderLog and select_for_update on the order really decide.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from gongjian.accounts.choices import Role
from gongjian.accounts.services import system_actor
from gongjian.notifications.models import Notification, ReminderLog, ReminderRun
from gongjian.notifications.reminders import reminders_send
from gongjian.projects.models import SupervisionStatusChange
from gongjian.projects.services import supervision_escalate_overdue
from gongjian.regions.models import Region
from gongjian.tests.factories import (
    MembershipFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
    SupervisionFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RUNS = 6


def _at_once(task: Callable[[], object], count: int) -> list[object]:
    """Run ``task`` in ``count`` threads released together; each result or exception."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            outcomes.append(task())
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_overlapping_reminder_runs_tell_each_filer_once():
    period = ReportingPeriodFactory.create(month=dt.date(2022, 12, 1))
    for code, where in (("LC-001", "350502"), ("FZ-001", "350503")):
        project = ProjectFactory.create(code=code, region=Region.objects.get(code=where))
        StageEventFactory.create(project=project, stage="started", date=dt.date(2022, 3, 1))
    for username, where in (("lc_a", "350502"), ("lc_b", "350502"), ("fz_a", "350503")):
        MembershipFactory.create(
            user=UserFactory.create(username=username),
            role=Role.DISTRICT_FILER,
            region=Region.objects.get(code=where),
        )
    actor = system_actor()

    outcomes = _at_once(
        lambda: reminders_send(period=period, today=dt.date(2023, 1, 6), actor=actor), RUNS
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "fz_a",
        "lc_a",
        "lc_b",
    ]
    assert ReminderLog.objects.count() == 3
    runs = list(ReminderRun.objects.values_list("recipient_count", "skipped_count"))
    assert len(runs) == RUNS
    assert sum(told for told, _skipped in runs) == 3
    assert all(told + skipped == 3 for told, skipped in runs)


def test_overlapping_escalations_escalate_once():
    order = SupervisionFactory.create(due_date=dt.date(2023, 1, 5))
    actor = system_actor()

    outcomes = _at_once(
        lambda: supervision_escalate_overdue(actor=actor, today=dt.date(2023, 1, 6)), RUNS
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sorted(len(o) for o in outcomes if isinstance(o, list)) == [0] * (RUNS - 1) + [1]
    assert list(
        SupervisionStatusChange.objects.filter(supervision=order).values_list(
            "from_status", "to_status"
        )
    ) == [("open", "escalated")]
    order.refresh_from_db()
    assert (order.status, order.escalation_level) == ("escalated", 1)
