"""Background jobs of monthly reporting, queued in the database and run by `gongjian db_worker`."""

from __future__ import annotations

from django_tasks import task

from gongjian.reporting.imports import import_run
from gongjian.reporting.models import ImportJob


@task()
def run_import(job_id: int) -> str:
    """Run a large Excel import queued by ``imports.import_start``; answers the job's status."""
    job = ImportJob.objects.select_related("period", "created_by", "region").get(pk=job_id)
    if job.is_finished:
        # Already run (a retried task must not import the same file twice).
        return job.status
    return import_run(job=job).status
