"""Background jobs of monthly reporting, queued in the database and run by `gongjian db_worker`."""

from __future__ import annotations

from django_tasks import task

from gongjian.reporting.jobs import import_job_run
from gongjian.reporting.models import ImportJob


@task()
def run_import(job_id: int) -> str:
    """Run a large import queued by ``imports.import_start`` (reports) or ``jobs.import_job_queue``
    (roster, sites, project list); answers the job's status."""
    job = ImportJob.objects.select_related("period", "created_by", "region").get(pk=job_id)
    # A job already run or being run (a retried task, or its page ran it) is not imported twice.
    return import_job_run(job=job).status
