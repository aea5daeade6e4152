"""Import jobs of every kind: an upload too large to import inside the web request is kept with an
ImportJob, queued for `gongjian db_worker` (task ``tasks.run_import``) and followed on its page.

The monthly report import (``imports.import_start``) was the first; the enterprise roster, the
site inventory and the yearly key-project list use the same job, task, page and progress bar.
Each kind names who may import it and how its upload is imported (``KINDS``); the import itself
is the app's own all-or-nothing function, called with a ``progress(phase, done, total)`` callback.

Permission is checked when the job is queued and again when it runs (the uploader may have lost
the role meanwhile). A job never stays queued or running for ever: a failure in the worker marks
it as an error, a queued job no worker picks up can be run from its page, and a running job whose
progress stopped (the worker was killed) is marked as failed when its page is next read.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import queue
import re
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.utils.translation import override as language_override

from gongjian.accounts.scopes import has_any_role, home_region
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_denied, audit_record
from gongjian.core.spreadsheets import SpreadsheetError, check_xlsx
from gongjian.reporting.choices import ImportKind, ImportStatus
from gongjian.reporting.models import ImportJob

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


def background_rows() -> int:
    """Uploads with more data rows than this are imported by the background worker."""
    return settings.REPORT_IMPORT_BACKGROUND_ROWS


def upload_page_context(*, user, kind: str) -> dict[str, Any]:
    """What an upload page shows of background imports: the threshold and the user's last jobs."""
    from gongjian.reporting.selectors import import_job_list

    return {
        "background_rows": background_rows(),
        "recent_jobs": list(import_job_list(user=user, kind=kind)[:3]),
    }


@dataclass
class JobOutcome:
    """What an import of one kind answered, in the job's terms."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # [{"row": Excel row or None, "column": letter or "", "message": text naming row and column}]
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    annotated: bytes | None = None


def _file_error(message: str) -> dict[str, Any]:
    return {"row": None, "column": "", "message": message}


# ---------------------------------------------------------------------------------------------
# The kinds: who may import, and how


def _roster_may_import(actor) -> bool:
    from gongjian.parks.rules import PARK_EDITOR_ROLES

    return has_any_role(actor, PARK_EDITOR_ROLES)


def _roster_run(job: ImportJob, data: bytes, progress: Progress) -> JobOutcome:
    from gongjian.parks.imports import roster_import

    effective_on = job.options.get("effective_on")
    result = roster_import(
        actor=job.created_by,
        data=data,
        update_existing=bool(job.options.get("update_existing")),
        effective_on=dt.date.fromisoformat(effective_on) if effective_on else None,
        progress=progress,
    )
    return JobOutcome(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        errors=[
            {"row": error.row, "column": error.column, "message": error.message}
            for error in result.errors
        ],
        annotated=result.annotated,
    )


def _sites_may_import(actor) -> bool:
    return actor.has_perm("investment.change_resource", None)


def _sites_run(job: ImportJob, data: bytes, progress: Progress) -> JobOutcome:
    from gongjian.investment.imports import resource_import

    try:
        result = resource_import(actor=job.created_by, data=data, progress=progress)
    except ValidationError as refusal:
        return JobOutcome(errors=[_file_error(message) for message in refusal.messages])
    # The site import names row and column inside each message.
    return JobOutcome(
        created=result.created,
        updated=result.updated,
        errors=[_file_error(message) for message in result.errors],
    )


def _project_list_may_import(actor) -> bool:
    from gongjian.accounts.choices import PROJECT_EDITOR_ROLES

    return has_any_role(actor, PROJECT_EDITOR_ROLES)


def _project_list_run(job: ImportJob, data: bytes, progress: Progress) -> JobOutcome:
    from gongjian.projects.imports import ProjectListError, annotated_workbook, import_projects
    from gongjian.regions.models import Region

    options = job.options
    region = (
        Region.objects.filter(code=options["region"]).first() if options.get("region") else None
    )
    try:
        result = import_projects(
            actor=job.created_by,
            data=data,
            filename=job.original_name,
            year=int(options["year"]),
            region=region,
            update=bool(options.get("update")),
            dry_run=bool(options.get("dry_run")),
            progress=progress,
        )
    except ProjectListError as error:
        return JobOutcome(errors=[_file_error(str(error))])
    errors = [
        {
            "row": error["row"],
            "column": error["column"],
            "message": _("第 %(row)s 行 %(column)s 列（%(field)s）：%(detail)s")
            % {
                "row": error["row"],
                "column": error["column"] or "-",
                "field": error["field"],
                "detail": error["message"],
            },
        }
        for error in result.errors
    ]
    summary = result.as_json()
    summary["dry_run"] = result.dry_run
    del summary["errors"]
    return JobOutcome(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        errors=errors,
        warnings=[_file_error(message) for message in result.warnings],
        summary=summary,
        annotated=annotated_workbook(data, job.original_name, result) if result.errors else None,
    )


@dataclass(frozen=True)
class KindSpec:
    """One kind of import: who may run it, how it runs, where its page leads back to."""

    may_import: Callable[[Any], bool]
    run: Callable[[ImportJob, bytes, Progress], JobOutcome]
    denied: str | Promise
    upload_url: str  # URL name of the upload page
    result_url: str  # URL name of the list the imported rows show in


KINDS: dict[str, KindSpec] = {
    ImportKind.ROSTER: KindSpec(
        _roster_may_import,
        _roster_run,
        gettext_lazy("无权导入企业名录。"),
        "parks:roster_import",
        "parks:list",
    ),
    ImportKind.SITES: KindSpec(
        _sites_may_import,
        _sites_run,
        gettext_lazy("无权导入载体。"),
        "investment:resource_import",
        "investment:resource_list",
    ),
    ImportKind.PROJECT_LIST: KindSpec(
        _project_list_may_import,
        _project_list_run,
        gettext_lazy("无权导入项目清单。"),
        "projects:import",
        "projects:list",
    ),
}


# ---------------------------------------------------------------------------------------------
# Counting, queueing


# The largest unpacked workbook whose rows are counted (the imports refuse larger ones themselves).
COUNT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+(\d+)(?::[A-Z]+(\d+))?"')


def count_rows(data: bytes, filename: str) -> int:
    """The data rows of an upload, after the first (header) row: enough to decide whether it is
    large. An .xlsx says its used range in each sheet's ``<dimension>``, read from the head of the
    sheet in milliseconds (the largest sheet counts); without one, the non-blank rows of the first
    sheet are counted. A file that cannot be read counts 0 and is refused by the inline import
    with its usual message."""
    from python_calamine import CalamineError, CalamineWorkbook

    if filename.lower().endswith(".csv"):
        filled = sum(1 for line in data.splitlines() if line.strip(b", \t\r"))
        return max(filled - 1, 0)
    if data.startswith(b"PK"):
        declared = _declared_rows(data)
        if declared is not None:
            return declared
    try:
        if data.startswith(b"PK"):
            # Before calamine builds its grid: no workbook that would take too much memory.
            check_xlsx(
                data, max_uncompressed=COUNT_MAX_UNCOMPRESSED, max_rows=100_000, max_columns=200
            )
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=True)
    except (SpreadsheetError, CalamineError, OSError, ValueError, IndexError):
        return 0
    filled = sum(1 for row in rows if any(value not in ("", None) for value in row))
    return max(filled - 1, 0)


def _declared_rows(data: bytes) -> int | None:
    """The rows after the first of the largest ``<dimension>`` of the workbook's sheets, or None
    when a sheet does not declare one (or the file is no zip)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheets = [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        ]
        largest = None
        for name in sheets:
            with archive.open(name) as sheet:
                head = sheet.read(4096)
            found = _DIMENSION.search(head)
            if found is None:
                return None
            first, last = int(found.group(1)), int(found.group(2) or found.group(1))
            largest = max(largest or 0, last - first)
        return largest
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None


def import_job_queue(
    *, actor, kind: str, filename: str, data: bytes, rows: int, options: dict[str, Any]
) -> ImportJob:
    """Keep an upload of ``kind`` as uploaded with a queued ImportJob and hand it to the background
    worker (after the job row is committed). Refused, and audited, when the actor may not import
    this kind."""
    spec = KINDS[kind]
    if not spec.may_import(actor):
        raise audit_denied(actor=actor, message=str(spec.denied))
    name = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:255]
    job = ImportJob(
        kind=kind,
        created_by=actor,
        region=home_region(actor),
        original_name=name,
        size=len(data),
        language=get_language() or settings.LANGUAGE_CODE,
        options=options,
        is_background=True,
        total=rows,
    )
    job.file.save(name, ContentFile(data), save=False)
    with transaction.atomic():
        job.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=job,
            after={"kind": kind, "file": name, "rows": rows, "options": options},
            message=_("上传%(kind)s（%(file)s，%(rows)s 行），排队后台导入。")
            % {"kind": job.get_kind_display(), "file": name, "rows": rows},
        )
        transaction.on_commit(partial(enqueue_import_job, job.pk))
    return job


def enqueue_import_job(job_id: int) -> None:
    """Hand a committed job to the background worker (``tasks.run_import``)."""
    from gongjian.reporting.tasks import run_import

    result = run_import.enqueue(job_id)
    ImportJob.objects.filter(pk=job_id).update(task_id=str(result.id))


# ---------------------------------------------------------------------------------------------
# Running


def _claim(job: ImportJob) -> bool:
    """Move the job out of the queue; only the first of the worker and a "run now" request wins."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    if claimed:
        job.status, job.started_at, job.heartbeat_at = ImportStatus.RUNNING, now, now
    return bool(claimed)


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Run a queued job (the worker's task, or its page when no worker runs); a job already
    claimed or finished is left alone."""
    if not _claim(job):
        job.refresh_from_db()
        return job
    if job.kind == ImportKind.REPORT:
        from gongjian.reporting.imports import import_run

        return import_run(job=job)
    return _run(job)


def _run(job: ImportJob) -> ImportJob:
    spec = KINDS[job.kind]
    with language_override(job.language or None):
        actor = job.created_by
        try:
            if actor is None or not actor.is_active or not spec.may_import(actor):
                if actor is not None:
                    audit_denied(actor=actor, obj=job, message=str(spec.denied))
                detail = _("上传人已无导入权限，导入未执行。")
                return _finish(job, actor, JobOutcome(errors=[_file_error(detail)]))
            with job.file.open("rb") as stored:
                data = stored.read()
            writer = ProgressWriter(job.pk, live=True)
            try:
                outcome = spec.run(job, data, writer)
            finally:
                writer.close()
            return _finish(job, actor, outcome)
        except PermissionDenied as refusal:
            return _finish(job, actor, JobOutcome(errors=[_file_error(str(refusal))]))
        except Exception:
            logger.exception("Background import %s failed", job.pk)
            return _fail(
                job,
                _("导入时发生系统错误，未保存任何数据；请稍后重试，或把文件交给管理员。"),
            )


def _fail(job: ImportJob, detail: str) -> ImportJob:
    job.status = ImportStatus.ERROR
    job.errors = [_file_error(detail)]
    job.phase = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "phase", "finished_at"])
    audit_record(
        actor=job.created_by,
        action=AuditAction.IMPORT,
        obj=job,
        after={"status": job.status, "file": job.original_name},
        message=detail,
    )
    return job


def _finish(job: ImportJob, actor, outcome: JobOutcome) -> ImportJob:
    """Record the outcome on the job and in the audit log (the rows' own events were written by
    the app's services)."""
    failed = bool(outcome.errors)
    job.refresh_from_db(fields=["total", "progress", "task_id"])
    job.status = ImportStatus.FAILED if failed else ImportStatus.SUCCEEDED
    job.errors = outcome.errors
    job.warnings = outcome.warnings
    job.summary = outcome.summary
    job.created_count = 0 if failed else outcome.created
    job.updated_count = 0 if failed else outcome.updated
    job.unchanged_count = 0 if failed else outcome.unchanged
    job.progress = job.total
    job.phase = ""
    job.finished_at = timezone.now()
    if outcome.annotated:
        job.annotated.save("annotated.xlsx", ContentFile(outcome.annotated), save=False)
    job.save()
    if failed:
        message = _("%(kind)s导入未执行：%(count)s 处错误，未保存任何数据。") % {
            "kind": job.get_kind_display(),
            "count": len(job.errors),
        }
    else:
        message = _("%(kind)s导入：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s。") % {
            "kind": job.get_kind_display(),
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
        }
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=job,
        after={
            "status": job.status,
            "kind": job.kind,
            "file": job.original_name,
            "rows": job.total,
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
            "errors": len(job.errors),
        },
        message=message,
    )
    return job


def import_job_run_now(*, actor, job: ImportJob) -> ImportJob:
    """Run in this request a job no background worker picked up (a deployment without
    `gongjian db_worker`), so that it never stays 排队中. Only its uploader; audited."""
    if job.created_by_id != actor.pk:
        raise audit_denied(actor=actor, obj=job, message=_("只有上传人可以执行该导入。"))
    if job.status != ImportStatus.QUEUED:
        raise ValidationError(_("该导入已在执行或已结束。"))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=job,
        message=_("后台任务未运行，在页面中直接导入 %(file)s。") % {"file": job.original_name},
    )
    return import_job_run(job=job)


def import_job_expire_stalled(*, job: ImportJob) -> ImportJob:
    """A running job whose progress stopped long ago lost its worker: say so, rather than leave
    it running for ever. Its import was one transaction, so nothing of it was saved."""
    if not job.is_stalled:
        return job
    stalled = ImportJob.objects.filter(
        pk=job.pk, status=ImportStatus.RUNNING, heartbeat_at=job.heartbeat_at
    ).update(status=ImportStatus.ERROR)
    if not stalled:
        job.refresh_from_db()
        return job
    with language_override(job.language or None):
        return _fail(
            job,
            _("后台导入中断（长时间没有进展，可能是后台任务被终止），未保存任何数据；请重新上传。"),
        )


# ---------------------------------------------------------------------------------------------
# Progress


class ProgressWriter:
    """``progress(phase, done, total)`` for an import job: publishes the phase and the row count
    for the progress bar while the import runs.

    The rows are saved in one transaction (all or nothing), so an UPDATE of the job made inside it
    would stay invisible until the end. On PostgreSQL a helper thread — which Django gives a
    connection of its own — writes the count and commits at once. On SQLite a second writer would
    only wait for the import's lock, so there the bar moves when the import ends.
    """

    def __init__(self, job_id: int, *, live: bool, interval: float = 0.5) -> None:
        self.job_id = job_id
        self.interval = interval
        self._last = 0.0
        self._phase = ""
        self._queue: queue.SimpleQueue[tuple[str, int, int] | None] | None = None
        self._thread: threading.Thread | None = None
        if live and connection.vendor == "postgresql":
            self._queue = queue.SimpleQueue()
            self._thread = threading.Thread(
                target=self._run, name=f"import-progress-{job_id}", daemon=True
            )
            self._thread.start()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self._queue is None:
            return
        now = time.monotonic()
        # A new phase is always shown; counts within a phase at most every ``interval``.
        if phase != self._phase or now - self._last >= self.interval:
            self._phase = phase
            self._last = now
            self._queue.put((phase, done, total))

    def close(self) -> None:
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()

    def _run(self) -> None:
        assert self._queue is not None
        try:
            stop = False
            while not stop:
                latest = self._queue.get()
                stop = latest is None
                # Only the latest count matters; skip the ones queued behind a slow write.
                while not stop and not self._queue.empty():
                    value = self._queue.get_nowait()
                    stop = value is None
                    latest = latest if value is None else value
                if latest is not None:
                    phase, done, total = latest
                    ImportJob.objects.filter(pk=self.job_id).update(
                        phase=phase,
                        total=max(total, 0),
                        progress=min(max(done, 0), max(total, 0)),
                        heartbeat_at=timezone.now(),
                    )
        except Exception:
            logger.exception("Progress of import %s not recorded", self.job_id)
        finally:
            connections.close_all()
