"""Background imports of the enterprise roster, the site inventory and the yearly key-project list:
queued above the threshold, run by the worker's task with the uploader's permission checked again,
followed on a job page only the uploader sees, never left queued or running for ever."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from gongjian.accounts.models import Membership
from gongjian.audit.models import AuditEvent
from gongjian.investment.imports import COLUMNS as SITE_COLUMNS
from gongjian.investment.models import Resource
from gongjian.parks.exports import write_roster
from gongjian.parks.models import Enterprise
from gongjian.projects.models import Project
from gongjian.reporting.jobs import ProgressWriter, count_rows
from gongjian.reporting.models import ImportJob
from gongjian.reporting.tasks import run_import
from gongjian.tests.factories import make_uscc

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------------------------
# Workbooks


def _roster_row(number: int, *, above: str = "是") -> list:
    return [make_uscc(number), f"泉州测试企业{number:04d}有限公司", "350502", "", above,
            None, None, "machinery", 10, 1000, 50, None, None, ""]  # fmt: skip


def roster(count: int, *, bad_row: int | None = None) -> bytes:
    """``count`` new enterprises in 鲤城区; with ``bad_row``, that data row's 规上 flag is wrong."""
    rows = [_roster_row(n + 1) for n in range(count)]
    if bad_row is not None:
        rows[bad_row - 2][4] = "也许"
    return write_roster(rows)


def _xlsx(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_string(r, c, value.isoformat())
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def sites(count: int) -> bytes:
    header = [title for title, _key, _required in SITE_COLUMNS]
    rows = [
        [
            f"LC-T{n:03d}",
            f"江南标准厂房{n}号",
            "标准厂房",
            "鲤城区",
            None,
            1000 + n,
            None,
            None,
            12.5,
            "",
            None,
            None,
            dt.date(2022, 12, 1),
            "江南高新园",
        ]
        for n in range(1, count + 1)
    ]
    return _xlsx([header, *rows])


def project_list(count: int, *, bad_total_row: int | None = None) -> bytes:
    """A district's list: title, header, ``count`` projects of 1000 + n 万元 with a plan of 100."""
    rows: list[list] = [
        ["鲤城区2022年重点项目清单"],
        ["序号", "项目名称", "所在地", "总投资（万元）", "年度计划投资（万元）"],
    ]
    for n in range(1, count + 1):
        rows.append([n, f"鲤城测试项目{n:03d}", "鲤城区", 1000 + n, 100])
    if bad_total_row is not None:
        rows[bad_total_row - 1][3] = "一千"
    return _xlsx(rows)


def _upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def _post(client, url: str, content: bytes, name: str, capture, **fields):
    with capture(execute=True):
        return client.post(url, {"file": _upload(content, name), **fields})


# ---------------------------------------------------------------------------------------------
# The roster


def test_a_large_roster_is_queued_and_the_worker_imports_it(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    # Given a threshold of 100 rows and a roster of 300
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 100
    client.force_login(city_admin)
    before = Enterprise.objects.count()
    content = roster(300)

    # When it is uploaded
    response = _post(
        client,
        "/parks/enterprises/import/",
        content,
        "名录.xlsx",
        django_capture_on_commit_callbacks,
    )

    # Then the page answers at once with the queued job's page, and nothing is imported yet
    job = ImportJob.objects.get()
    assert response["Location"] == f"/reporting/excel/imports/{job.pk}/"
    task = DBTaskResult.objects.get()
    assert (job.kind, job.status, job.period, job.total, job.is_background, job.task_id) == (
        "roster",
        "queued",
        None,
        300,
        True,
        str(task.id),
    )
    assert job.options == {"update_existing": False, "effective_on": None}
    assert (job.original_name, job.language, job.file.read()) == (
        "名录.xlsx",
        "zh-hans",
        content,
    )
    assert (task.task_path, task.args_kwargs) == (
        "gongjian.reporting.tasks.run_import",
        {"args": [job.pk], "kwargs": {}},
    )
    assert Enterprise.objects.count() == before
    page = client.get(response["Location"]).content.decode()
    assert "排队中，等待后台处理……" in page
    assert f'hx-get="/reporting/excel/imports/{job.pk}/progress/" hx-trigger="every 1s"' in page

    # When the worker runs the task
    assert run_import.call(job.pk) == "succeeded"

    # Then every row is an enterprise, created through the services (one audit event each)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.updated_count, job.unchanged_count) == (
        "succeeded",
        300,
        0,
        0,
    )
    assert (job.errors, job.phase, job.progress) == ([], "", job.total)
    assert Enterprise.objects.count() == before + 300
    assert AuditEvent.objects.filter(action="create", object_type="parks.enterprise").count() == (
        300
    )
    assert list(
        AuditEvent.objects.filter(object_type="reporting.importjob")
        .order_by("id")
        .values_list("action", "message")
    ) == [
        ("create", "上传企业名录（名录.xlsx，300 行），排队后台导入。"),
        ("import", "企业名录导入：新增 300，更新 0，未变 0。"),
    ]
    fragment = client.get(f"/reporting/excel/imports/{job.pk}/progress/")
    assert fragment["HX-Refresh"] == "true"
    page = client.get(f"/reporting/excel/imports/{job.pk}/").content.decode()
    assert "新增 300 行，更新 0 行，未变 0 行。" in page
    # A retried task does not import the file twice.
    assert run_import.call(job.pk) == "succeeded"
    assert Enterprise.objects.count() == before + 300
    # The upload page says which files go to the background and lists the user's jobs.
    upload_page = client.get("/parks/enterprises/import/").content.decode()
    assert "超过 100 行的文件在后台导入：上传后进入导入进度页，可以离开，稍后在下面查看结果。" in (
        upload_page
    )
    assert f'<a href="/reporting/excel/imports/{job.pk}/">名录.xlsx</a>' in upload_page


def test_a_small_roster_is_still_imported_in_the_request(client, city_admin, settings):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 100
    client.force_login(city_admin)

    response = client.post("/parks/enterprises/import/", {"file": _upload(roster(3), "r.xlsx")})

    assert response["Location"] == "/parks/"
    assert not ImportJob.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert Enterprise.objects.filter(uscc__in=[make_uscc(n) for n in (1, 2, 3)]).count() == 3


def test_the_worker_refuses_a_roster_whose_uploader_lost_the_role(
    client, lichen_filer, settings, django_capture_on_commit_callbacks
):
    # Given a district filer's queued roster
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(lichen_filer)
    _post(
        client,
        "/parks/enterprises/import/",
        roster(5),
        "r.xlsx",
        django_capture_on_commit_callbacks,
    )
    job = ImportJob.objects.get()
    assert job.status == "queued"

    # When the filer loses the role before the worker runs it
    Membership.objects.filter(user=lichen_filer).delete()
    assert run_import.call(job.pk) == "failed"

    # Then nothing is imported, the job says why, and the refusal is audited
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("failed", 0)
    assert [error["message"] for error in job.errors] == ["上传人已无导入权限，导入未执行。"]
    assert not Enterprise.objects.filter(uscc=make_uscc(1)).exists()
    assert list(
        AuditEvent.objects.filter(action="denied", object_type="reporting.importjob").values_list(
            "object_id", "message"
        )
    ) == [(str(job.pk), "无权导入企业名录。")]


def test_a_roster_with_an_error_fails_by_row_and_column_with_the_annotated_workbook(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(city_admin)
    _post(client, "/parks/enterprises/import/", roster(6, bad_row=5), "r.xlsx",
          django_capture_on_commit_callbacks)  # fmt: skip
    job = ImportJob.objects.get()

    assert run_import.call(job.pk) == "failed"

    job.refresh_from_db()
    assert (job.status, job.created_count) == ("failed", 0)
    assert job.errors == [
        {
            "row": 5,
            "column": "E",
            "message": "第 5 行 E 列（规上工业企业（是/否））：“也许”应为“是”或“否”。",
        }
    ]
    assert not Enterprise.objects.filter(uscc=make_uscc(1)).exists()
    page = client.get(f"/reporting/excel/imports/{job.pk}/").content.decode()
    assert "发现 1 处错误，未保存任何数据。请改正后重新上传。" in page
    assert "第 5 行 E 列（规上工业企业（是/否））：“也许”应为“是”或“否”。" in page
    annotated = client.get(f"/reporting/excel/imports/{job.pk}/annotated/")
    assert annotated.status_code == 200
    assert annotated.content.startswith(b"PK")


def test_the_job_is_in_the_uploaders_language(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(city_admin)
    client.cookies["django_language"] = "en"
    with translation.override("en"):  # the English page's template has English headers
        content = roster(4, bad_row=3)
    _post(client, "/parks/enterprises/import/", content, "r.xlsx",
          django_capture_on_commit_callbacks)  # fmt: skip
    job = ImportJob.objects.get()
    assert job.language == "en"

    run_import.call(job.pk)

    job.refresh_from_db()
    assert [error["message"] for error in job.errors] == [
        "Row 3, column E (Above-scale industrial (是/否)): “也许” must be 是 (yes) or 否 (no)."
    ]


# ---------------------------------------------------------------------------------------------
# Sites and the project list


def test_a_large_site_import_is_queued_and_run(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(city_admin)

    response = _post(client, "/investment/resources/import/", sites(4), "载体.xlsx",
                     django_capture_on_commit_callbacks)  # fmt: skip

    job = ImportJob.objects.get()
    assert response["Location"] == f"/reporting/excel/imports/{job.pk}/"
    assert (job.kind, job.status, job.total) == ("sites", "queued", 4)
    assert not Resource.objects.filter(code__startswith="LC-T").exists()

    assert run_import.call(job.pk) == "succeeded"

    job.refresh_from_db()
    assert (job.created_count, job.updated_count, job.errors) == (4, 0, [])
    assert list(
        Resource.objects.filter(code__startswith="LC-T")
        .order_by("code")
        .values_list("code", "area_m2")
    ) == [
        ("LC-T001", Decimal("1001.00")),
        ("LC-T002", Decimal("1002.00")),
        ("LC-T003", Decimal("1003.00")),
        ("LC-T004", Decimal("1004.00")),
    ]


def test_the_worker_refuses_sites_whose_uploader_lost_the_role(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(city_admin)
    _post(client, "/investment/resources/import/", sites(3), "s.xlsx",
          django_capture_on_commit_callbacks)  # fmt: skip
    job = ImportJob.objects.get()
    Membership.objects.filter(user=city_admin).delete()

    assert run_import.call(job.pk) == "failed"

    job.refresh_from_db()
    assert [error["message"] for error in job.errors] == ["上传人已无导入权限，导入未执行。"]
    assert not Resource.objects.filter(code__startswith="LC-T").exists()


def test_a_large_project_list_is_queued_and_run_with_its_totals(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(city_admin)

    response = _post(client, "/projects/import/", project_list(5), "清单.xlsx",
                     django_capture_on_commit_callbacks, year=2022)  # fmt: skip

    job = ImportJob.objects.get()
    assert response["Location"] == f"/reporting/excel/imports/{job.pk}/"
    # Title and header rows are counted: enough to say the file is large.
    assert (job.kind, job.status, job.total) == ("project_list", "queued", 6)
    assert job.options == {"year": 2022, "region": "", "update": False, "dry_run": False}

    assert run_import.call(job.pk) == "succeeded"

    job.refresh_from_db()
    assert (job.created_count, job.updated_count, job.errors, job.warnings) == (5, 0, [], [])
    assert job.summary == {
        "rows": 5,
        "created": 5,
        "updated": 0,
        "skipped": [],
        "total_investment": "5015.00",
        "plan_investment": "500.00",
        "warnings": [],
        "dry_run": False,
    }
    assert Project.objects.filter(name__startswith="鲤城测试项目").count() == 5
    page = client.get(f"/reporting/excel/imports/{job.pk}/").content.decode()
    assert "新增 5 行，更新 0 行，未变 0 行。" in page
    assert '<span id="result-total">5,015.00</span> 万元' in page


def test_a_failing_project_list_names_the_row_and_offers_the_annotated_workbook(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(city_admin)
    _post(client, "/projects/import/", project_list(4, bad_total_row=4), "清单.xlsx",
          django_capture_on_commit_callbacks, year=2022)  # fmt: skip
    job = ImportJob.objects.get()

    assert run_import.call(job.pk) == "failed"

    job.refresh_from_db()
    assert [error["message"] for error in job.errors] == [
        "第 4 行 D 列（总投资（万元））：“一千”不是金额。"
    ]
    assert not Project.objects.filter(name__startswith="鲤城测试项目").exists()
    annotated = client.get(f"/reporting/excel/imports/{job.pk}/annotated/")
    assert annotated.status_code == 200


def test_the_worker_refuses_a_project_list_whose_uploader_lost_the_role(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(city_admin)
    _post(client, "/projects/import/", project_list(3), "清单.xlsx",
          django_capture_on_commit_callbacks, year=2022)  # fmt: skip
    job = ImportJob.objects.get()
    Membership.objects.filter(user=city_admin).delete()

    assert run_import.call(job.pk) == "failed"

    job.refresh_from_db()
    assert [error["message"] for error in job.errors] == ["上传人已无导入权限，导入未执行。"]
    assert not Project.objects.filter(name__startswith="鲤城测试项目").exists()


# ---------------------------------------------------------------------------------------------
# Who sees a job; never stuck


def test_someone_elses_job_is_404_and_audited(
    client, lichen_filer, fengze_filer, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(lichen_filer)
    _post(client, "/parks/enterprises/import/", roster(3), "r.xlsx",
          django_capture_on_commit_callbacks)  # fmt: skip
    job = ImportJob.objects.get()

    client.force_login(fengze_filer)
    for suffix in ("", "progress/", "annotated/"):
        assert client.get(f"/reporting/excel/imports/{job.pk}/{suffix}").status_code == 404
    assert client.post(f"/reporting/excel/imports/{job.pk}/run/").status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor_username="fengze_filer").count() == 4
    job.refresh_from_db()
    assert job.status == "queued"


def test_queueing_is_refused_without_the_role(client, leader, settings):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(leader)

    response = client.post("/parks/enterprises/import/", {"file": _upload(roster(5), "r.xlsx")})

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_a_job_no_worker_picks_up_can_be_run_from_its_page(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(city_admin)
    _post(client, "/investment/resources/import/", sites(3), "s.xlsx",
          django_capture_on_commit_callbacks)  # fmt: skip
    job = ImportJob.objects.get()
    page = client.get(f"/reporting/excel/imports/{job.pk}/").content.decode()
    assert "在本页直接导入" not in page

    # Queued for longer than the grace: no worker runs
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(seconds=16))
    page = client.get(f"/reporting/excel/imports/{job.pk}/").content.decode()
    assert "后台任务尚未开始处理（可能没有运行后台任务）。" in page

    response = client.post(f"/reporting/excel/imports/{job.pk}/run/")

    assert response["Location"] == f"/reporting/excel/imports/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("succeeded", 3)
    # The worker, when it comes, leaves it alone; running it again from the page is refused.
    assert run_import.call(job.pk) == "succeeded"
    assert Resource.objects.filter(code__startswith="LC-T").count() == 3
    client.post(f"/reporting/excel/imports/{job.pk}/run/")
    assert (
        AuditEvent.objects.filter(object_type="reporting.importjob", action="update").count() == 1
    )


def test_a_running_job_whose_worker_died_is_marked_failed(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(city_admin)
    _post(client, "/parks/enterprises/import/", roster(3), "r.xlsx",
          django_capture_on_commit_callbacks)  # fmt: skip
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status="running",
        phase="save",
        progress=1,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=11),
    )

    fragment = client.get(f"/reporting/excel/imports/{job.pk}/progress/")

    assert fragment["HX-Refresh"] == "true"
    job.refresh_from_db()
    assert job.status == "error"
    assert [error["message"] for error in job.errors] == [
        "后台导入中断（长时间没有进展，可能是后台任务被终止），未保存任何数据；请重新上传。"
    ]


def test_a_failure_in_the_worker_marks_the_job_as_an_error(
    client, city_admin, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_IMPORT_BACKGROUND_ROWS = 2
    client.force_login(city_admin)
    _post(client, "/parks/enterprises/import/", roster(3), "r.xlsx",
          django_capture_on_commit_callbacks)  # fmt: skip
    job = ImportJob.objects.get()
    # The stored upload has gone (a lost volume): the worker cannot read it.
    job.file.storage.delete(job.file.name)

    assert run_import.call(job.pk) == "error"

    job.refresh_from_db()
    assert [error["message"] for error in job.errors] == [
        "导入时发生系统错误，未保存任何数据；请稍后重试，或把文件交给管理员。"
    ]


def test_the_progress_fragment_names_the_phase(client, city_admin):
    job = ImportJob.objects.create(
        kind="roster",
        created_by=city_admin,
        original_name="r.xlsx",
        size=1,
        status="running",
        phase="validate",
        progress=200,
        total=800,
        is_background=True,
    )
    client.force_login(city_admin)

    html = client.get(f"/reporting/excel/imports/{job.pk}/progress/").content.decode()

    assert "正在导入（校验）：已处理 200 / 800 行" in html
    assert (
        '<li class="done">读取</li><li class="current">校验</li><li class="todo">保存</li>' in html
    )
    assert '<span style="width: 25%"></span>' in html


def test_rows_are_counted_after_the_header():
    assert (count_rows(roster(7), "r.xlsx"), count_rows(b"a,b\n1,2\n\n3,4\n", "x.csv")) == (7, 2)
    assert count_rows(b"not a workbook", "x.xlsx") == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_phase_and_count_are_visible_while_the_import_transaction_is_open(city_admin):
    job = ImportJob.objects.create(
        kind="roster", created_by=city_admin, original_name="x.xlsx", size=1, total=10
    )
    seen = []

    def look() -> None:
        seen.append(
            ImportJob.objects.filter(pk=job.pk).values_list("phase", "progress", "total").get()
        )
        connection.close()

    with transaction.atomic():
        writer = ProgressWriter(job.pk, live=True, interval=0)
        writer("save", 200, 300)
        writer.close()
        other = threading.Thread(target=look)
        other.start()
        other.join()
    assert seen == [("save", 200, 300)]
