"""`gongjian bench import --rows 1500|20000`: our Excel imports beside python-calamine's parse.

* ``--rows 1500``: the monthly report template, the size of the city's (1,498 projects): a
  district filer's template for 1,500 due projects, every amount and 形象进度 filled in as a
  filer does, imported through ``reporting.imports.import_start`` (inline), i.e. parsed,
  checked and saved as drafts with their audit events.
* ``--rows 20000``: the enterprise roster (the statistics bureau's 规上 list, whose template
  allows 20,000 rows; the report template stops at 5,000), imported through
  ``parks.imports.roster_import`` as new enterprises.

Each run happens in the bench's own database ``gongjian_bench_import`` (built once: migrations
and the projects) inside a transaction that is rolled back, so every run imports the same file
into the same rows. In the same run, python-calamine parses the same bytes (every cell of every
sheet) and the rates are printed side by side: rows/s saved by us, rows/s merely parsed by
calamine, and their ratio. Nothing asserts speed.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings
from python_calamine import CalamineWorkbook

from gongjian.bench.rollup import (
    _create_database,
    _database_exists,
    _loadavg,
    _server_settings,
    meta_read,
    meta_write,
    use_database,
)

DATABASE = "gongjian_bench_import"
VERSION = 1
PERIOD = dt.date(2022, 12, 1)
REGION = "350502"
PROJECTS = 1500


@dataclass
class Result:
    kind: str
    rows: int
    ours_seconds: float
    calamine_seconds: float
    outcome: str
    load: str

    @property
    def ours_rows_per_s(self) -> float:
        return round(self.rows / self.ours_seconds, 1)

    @property
    def calamine_rows_per_s(self) -> float:
        return round(self.rows / self.calamine_seconds, 1)

    def document(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "ours_rows_per_s": self.ours_rows_per_s,
            "calamine_rows_per_s": self.calamine_rows_per_s,
            "ratio": round(self.ours_rows_per_s / self.calamine_rows_per_s, 4),
        }

    def table(self) -> list[str]:
        ratio = self.ours_rows_per_s / self.calamine_rows_per_s
        goal = "met" if self.ours_rows_per_s >= 2000 and ratio >= 0.05 else "NOT met"
        return [
            f"== gongjian bench import --rows {self.rows} ({self.kind}) ==",
            f"Result: {self.outcome}",
            f"Load average (1, 5, 15 min) at the end: {self.load}",
            f"{'':<36}{'seconds':>10}{'rows/s':>12}",
            f"{'ours: parse, check and save':<36}{self.ours_seconds:>10.2f}"
            f"{self.ours_rows_per_s:>12,.1f}",
            f"{'python-calamine: parse only':<36}{self.calamine_seconds:>10.3f}"
            f"{self.calamine_rows_per_s:>12,.1f}",
            f"ours / calamine: {ratio:.3f}×"
            + (f"   goal (≥ 2,000 rows/s and ≥ 0.05×): {goal}" if self.rows == 1500 else ""),
        ]


def _prepare(say: Callable[[str], None]) -> None:
    server = _server_settings(None)
    if server.get("ENGINE") != "django.db.backends.postgresql":
        raise RuntimeError("The benchmark needs PostgreSQL: set DATABASE_URL.")
    exists = _database_exists(server, DATABASE)
    if exists:
        use_database(server, DATABASE)
        meta = meta_read()
        if meta and meta["size"] == "import" and meta["generator_version"] == VERSION:
            call_command("migrate", verbosity=0, interactive=False)  # code moved on since
            return
    connection.close()
    _create_database(server, DATABASE, drop=exists)
    use_database(server, DATABASE)
    say(f"Building {DATABASE}: migrate, {PROJECTS:,} due projects in {REGION}, a filer…")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    _projects()
    meta_write(size="import", version=VERSION, seconds=time.perf_counter() - started, counts={})


def _projects() -> None:
    from gongjian.accounts.choices import Role
    from gongjian.accounts.models import Membership, User
    from gongjian.projects.models import Category, IndustryChain, Project, StageEvent
    from gongjian.regions.models import Region
    from gongjian.reporting.models import ReportingPeriod

    region = Region.objects.get(code=REGION)
    category = Category.objects.get(code="key-construction")
    chain = IndustryChain.objects.order_by("pk").first()
    projects = Project.objects.bulk_create(
        [
            Project(
                code=f"IMP-{number:05d}",
                name=f"导入基准项目{number}",
                region=region,
                category=category,
                industry_chain=chain,
                owner_enterprise="泉州基准实业有限公司",
                responsible_unit="鲤城区发改局",
                total_investment=Decimal("50000.00"),
                annual_plan=Decimal("12000.00"),
                stage="started",
            )
            for number in range(PROJECTS)
        ]
    )
    StageEvent.objects.bulk_create(
        [StageEvent(project=p, stage="started", date=dt.date(2022, 3, 1)) for p in projects]
    )
    ReportingPeriod.objects.get_or_create(
        month=PERIOD, defaults={"due_date": dt.date(2023, 1, 5), "state": "open"}
    )
    filer, _created = User.objects.get_or_create(username="bench_import_filer")
    Membership.objects.get_or_create(user=filer, region=region, role=Role.DISTRICT_FILER)


def _report_workbook(filer, period) -> bytes:
    """The filer's template with every row filled in (amounts and 形象进度)."""
    from django.utils import timezone

    from gongjian.reporting.selectors import workspace_rows
    from gongjian.reporting.workbook import (
        FIRST_DATA_ROW,
        FORMAT_VERSION,
        MetaRow,
        SheetRow,
        TemplateMeta,
        input_digest,
        write_workbook,
    )

    rows = {}
    meta_rows = []
    for offset, project in enumerate(workspace_rows(user=filer, period=period)):
        amount = Decimal(100 + offset % 900)
        rows[FIRST_DATA_ROW + offset] = SheetRow(
            values=[
                project.code,
                project.name,
                project.region.display_name,
                project.total_investment,
                project.ytd,
                project.since_start,
                amount,
                "主体结构施工",
                "",
                "未填报",
            ],
            editable=True,
        )
        meta_rows.append(
            MetaRow(code=project.code, version=None, digest=input_digest(None, "", ""))
        )
    meta = TemplateMeta(
        format_version=FORMAT_VERSION,
        period=f"{period.month:%Y-%m}",
        region="",
        language="zh-hans",
        generated_at=timezone.localtime().isoformat(timespec="seconds"),
        rows=tuple(meta_rows),
    )
    return write_workbook(
        title="项目进展填报", info="", notes="", rows=rows, meta_cells=meta.cells()
    )


def _roster_workbook(rows: int) -> bytes:
    from gongjian.core.uscc import organisation_code_check_digit, uscc_check_digit
    from gongjian.parks.exports import write_roster

    values = []
    for number in range(rows):
        body = str(10_000_000 + number)
        first17 = f"91{REGION}{body}{organisation_code_check_digit(body)}"
        values.append(
            [
                first17 + uscc_check_digit(first17),
                f"泉州基准制造有限公司{number:05d}",
                REGION,
                "",
                "是" if number % 3 == 0 else "否",
                "2020-01-01" if number % 3 == 0 else "",
                "",
                "",
                "12.5",
                "1000",
                "50",
                "",
                "2015-06-01",
                "存续",
            ]
        )
    return write_roster(values)


def _calamine_seconds(data: bytes) -> float:
    """python-calamine reading every cell of every sheet of ``data`` (best of three)."""
    best = float("inf")
    for _attempt in range(3):
        started = time.perf_counter()
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        best = min(best, time.perf_counter() - started)
    return best


class _Rollback(Exception):
    pass


def run(*, rows: int, say: Callable[[str], None] = print) -> Result:
    from gongjian.accounts.models import User
    from gongjian.reporting.models import ReportingPeriod

    _prepare(say)
    if rows == 1500:
        filer = User.objects.get(username="bench_import_filer")
        period = ReportingPeriod.objects.get(month=PERIOD)
        data = _report_workbook(filer, period)
        outcome = ""
        started = time.perf_counter()
        try:
            with transaction.atomic(), override_settings(REPORT_IMPORT_BACKGROUND_ROWS=10**6):
                from gongjian.reporting.imports import import_start

                job = import_start(
                    actor=filer,
                    period=period,
                    upload=SimpleUploadedFile("bench.xlsx", data),
                )
                seconds = time.perf_counter() - started
                outcome = (
                    f"{job.status}: {job.saved_count:,} saved, {len(job.errors)} errors, "
                    f"{len(job.warnings)} warnings"
                )
                if job.errors:
                    outcome += f" (first: {job.errors[0]['message']})"
                raise _Rollback
        except _Rollback:
            pass
        kind = "report template"
    elif rows == 20000:
        from gongjian.parks.imports import roster_import

        admin, _created = User.objects.get_or_create(
            username="bench_import_admin", defaults={"is_superuser": True, "is_staff": True}
        )
        data = _roster_workbook(rows)
        started = time.perf_counter()
        try:
            with transaction.atomic():
                result = roster_import(actor=admin, data=data)
                seconds = time.perf_counter() - started
                outcome = f"{result.created:,} enterprises created, {len(result.errors)} errors" + (
                    f" (first: {result.errors[0].message})" if result.errors else ""
                )
                raise _Rollback
        except _Rollback:
            pass
        kind = "enterprise roster"
    else:
        raise RuntimeError("--rows must be 1500 or 20000")
    return Result(
        kind=kind,
        rows=rows,
        ours_seconds=seconds,
        calamine_seconds=_calamine_seconds(data),
        outcome=outcome,
        load=_loadavg(),
    )
