"""Crash drill: kill -9 the server in the middle of a burst of report submissions.

A district filer's client files and submits reports through the API as fast as four threads can
against gunicorn on the PostgreSQL test database. Once some submissions have been acknowledged
the whole server (master and workers) gets SIGKILL while requests are still being sent. After a
restart every submission the server acknowledged is there, whole (its status change, its audit
event, its monthly cells), and the filer finishes the month by re-reading the workspace through
the API, which is how a real filer recovers.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from gongjian.accounts.services import api_token_create
from gongjian.audit.models import AuditEvent
from gongjian.bench.client import Answer, Client, Unreachable
from gongjian.bench.server import Server
from gongjian.campaigns.models import IndicatorCell
from gongjian.campaigns.rollup import rollup_drift
from gongjian.core.backup import Target
from gongjian.reporting.models import ProgressReport, ReportStatusChange
from gongjian.tests.factories import (
    IndicatorFactory,
    ProjectFactory,
    ReportingPeriodFactory,
    StageEventFactory,
)

PROJECTS = 80
KILL_AFTER = 20  # acknowledged submissions before the kill
THREADS = 4
PERIOD = "2022-11"


def database_url() -> str:
    """The test database, for the server processes the drills start."""
    return Target.from_settings(connection.settings_dict).url()


def file_report(client: Client, project: int) -> Answer:
    """One report of 100.00 万元 for ``project`` in November, through the API."""
    return client.request(
        "POST",
        "/api/v1/reports",
        payload={
            "project": project,
            "period": PERIOD,
            "amount": "100.00",
            "progress_text": "主体结构施工",
        },
    )


class Filer:
    """Four threads filing and submitting one report per project; what the server acknowledged
    is recorded only from a 2xx answer that was read in full."""

    def __init__(self, port: int, token: str, projects: list[int]) -> None:
        self.port, self.token = port, token
        self.todo: queue.Queue[int] = queue.Queue()
        for pk in projects:
            self.todo.put(pk)
        self.created: dict[int, int] = {}  # project id -> report id, acknowledged 201
        self.submitted: set[int] = set()  # report ids, acknowledged 200
        self.unanswered: list[str] = []
        self.lock = threading.Lock()

    def _work(self) -> None:
        client = Client(self.port, token=self.token, timeout=30)
        while True:
            try:
                project = self.todo.get_nowait()
            except queue.Empty:
                return
            try:
                answer = file_report(client, project)
                assert answer.status == 201, answer.body
                report = answer.json()["id"]
                with self.lock:
                    self.created[project] = report
                answer = client.request("POST", f"/api/v1/reports/{report}/submit")
                assert answer.status == 200, answer.body
                with self.lock:
                    self.submitted.add(report)
            except Unreachable as exc:
                with self.lock:
                    self.unanswered.append(str(exc))

    def run_until_killed(self, server: Server) -> None:
        threads = [threading.Thread(target=self._work) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while len(self.submitted) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()
        for thread in threads:
            thread.join(timeout=120)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
def test_every_acknowledged_submission_survives_kill_9(tmp_path, lichen_filer):
    period = ReportingPeriodFactory.create(month=dt.date(2022, 11, 1))
    indicator = IndicatorFactory.create()  # 重点项目完成投资: its cells must stay exact too
    projects: list[int] = []
    for _ in range(PROJECTS):
        created = ProjectFactory.create()
        StageEventFactory.create(project=created, date=dt.date(2022, 3, 1))
        projects.append(created.pk)
    _, token = api_token_create(user=lichen_filer, name="crash drill")
    server = Server(
        env={
            "GONGJIAN_ENV": "test",
            "DATABASE_URL": database_url(),
            "GONGJIAN_TODAY": "2022-12-02",
        },
        log=tmp_path / "gunicorn.log",
        workers=2,
        threads=2,
    )
    server.start()
    try:
        filer = Filer(server.port, token, projects)
        filer.run_until_killed(server)

        # The kill came in the middle of the burst: requests were cut off and work was left.
        assert len(filer.submitted) >= KILL_AFTER
        assert len(filer.submitted) < PROJECTS
        assert filer.unanswered, "no request was cut off: the kill did not land mid-burst"

        unacknowledged = ProgressReport.objects.exclude(pk__in=filer.created.values()).count()
        print(
            f"crash drill: kill -9 after {len(filer.submitted)} acknowledged submissions "
            f"({len(filer.created)} acknowledged creations); {len(filer.unanswered)} requests "
            f"cut off; {unacknowledged} reports written but never acknowledged"
        )

        server.start()  # restart on the same database

        # Every acknowledged creation and submission is there, as acknowledged.
        stored = dict(
            ProgressReport.objects.filter(pk__in=filer.created.values()).values_list(
                "pk", "project_id"
            )
        )
        assert stored == {report: project for project, report in filer.created.items()}
        assert set(
            ProgressReport.objects.filter(pk__in=filer.submitted, status="submitted").values_list(
                "pk", flat=True
            )
        ) == set(filer.submitted)
        # ... and whole: the status change and the audit event were committed with each one.
        for report in ProgressReport.objects.filter(status="submitted"):
            assert ReportStatusChange.objects.filter(report=report, to_status="submitted").exists()
            assert AuditEvent.objects.filter(
                object_type="reporting.progressreport",
                object_id=str(report.pk),
                action="update",
                after__status="submitted",
            ).exists(), report.pk
        assert rollup_drift() == []

        # The filer recovers by re-reading the month through the API: drafts the server wrote
        # but never acknowledged are found and submitted, missing reports are filed.
        client = Client(server.port, token=token)
        listed = client.request("GET", f"/api/v1/reports?period={PERIOD}&limit=1000").json()
        on_file = {item["project_id"]: item for item in listed["items"]}
        assert set(on_file) >= set(filer.created)
        for project in projects:
            item = on_file.get(project)
            if item is None:
                answer = file_report(client, project)
                assert answer.status == 201, answer.body
                item = answer.json()
            if item["status"] == "draft":
                answer = client.request("POST", f"/api/v1/reports/{item['id']}/submit")
                assert answer.status == 200, answer.body
        client.close()

        assert ProgressReport.objects.filter(period=period, status="submitted").count() == PROJECTS
        assert ProgressReport.objects.filter(period=period).count() == PROJECTS
        assert rollup_drift() == []
        # Submitted reports are not approved yet, so the investment indicator has no value yet.
        assert not IndicatorCell.objects.filter(indicator=indicator).exclude(value=0).exists()
        assert sum(
            ProgressReport.objects.filter(period=period).values_list("amount", flat=True),
            Decimal(0),
        ) == Decimal("8000.00")
    finally:
        server.stop()
