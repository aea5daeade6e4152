"""`gongjian bench import --rows 1500|20000 [--kind report|project_list|roster]`: our Excel
imports beside python-calamine's parse.

Without ``--kind`` the run is what it always was: the report template at 1,500 rows, the roster
at 20,000.

* ``--kind report`` (``--rows 1500``): the monthly report template, the size of the city's
  (1,498 projects): a district filer's template for 1,500 due projects, every amount and
  形象进度 filled in as a filer does, imported through ``reporting.imports.import_start``
  (inline), i.e. parsed, checked and saved as drafts with their audit events.
* ``--kind roster``: the enterprise roster (the statistics bureau's 规上 list, whose template
  allows 20,000 rows; the report template stops at 5,000), imported through
  ``parks.imports.roster_import`` as new enterprises.
* ``--kind project_list``: a yearly key-project list in the published shape (title line, header
  with units, 所在地 across the districts, levels, classes, sectors, year ranges, planned months,
  an owner's credit code on every tenth row that the registry knows), imported through
  ``projects.imports.import_projects`` as new projects with their 2022 annual plans.

Each run happens in the bench's own database ``<database>_bench_import`` (``gongjian_bench_import``
for the default ``gongjian`` database; built once: migrations, the projects and a few
enterprises) inside a transaction that is rolled back, so every run imports the same file
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

VERSION = 2
PERIOD = dt.date(2022, 12, 1)
REGION = "350502"
PROJECTS = 1500
ENTERPRISES = 200
KINDS = ("report", "project_list", "roster")
_KIND_LABELS = {
    "report": "report template",
    "project_list": "key-project list",
    "roster": "enterprise roster",
}


def _database_name(server: dict[str, Any]) -> str:
    """The bench database beside the configured one (two checkouts on one server do not share
    it): ``gongjian`` → ``gongjian_bench_import``."""
    return f"{server.get('NAME') or 'gongjian'}_bench_import"


def default_kind(rows: int) -> str:
    """What ``--rows`` alone has always measured."""
    return "report" if rows == 1500 else "roster"


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
            "kind": self.kind,
            "rows": self.rows,
            "ours_rows_per_s": self.ours_rows_per_s,
            "calamine_rows_per_s": self.calamine_rows_per_s,
            "ratio": round(self.ours_rows_per_s / self.calamine_rows_per_s, 4),
        }

    def table(self) -> list[str]:
        ratio = self.ours_rows_per_s / self.calamine_rows_per_s
        goal = "met" if self.ours_rows_per_s >= 2000 and ratio >= 0.05 else "NOT met"
        return [
            f"== gongjian bench import --rows {self.rows} --kind {self.kind} "
            f"({_KIND_LABELS[self.kind]}) ==",
            f"Result: {self.outcome}",
            f"Load average (1, 5, 15 min) at the end: {self.load}",
            f"{'':<36}{'seconds':>10}{'rows/s':>12}",
            f"{'ours: parse, check and save':<36}{self.ours_seconds:>10.2f}"
            f"{self.ours_rows_per_s:>12,.1f}",
            f"{'python-calamine: parse only':<36}{self.calamine_seconds:>10.3f}"
            f"{self.calamine_rows_per_s:>12,.1f}",
            f"ours / calamine: {ratio:.3f}×"
            + (
                f"   goal (≥ 2,000 rows/s and ≥ 0.05×): {goal}"
                if self.rows == 1500 and self.kind == "report"
                else ""
            ),
        ]


def _prepare(say: Callable[[str], None]) -> None:
    server = _server_settings(None)
    if server.get("ENGINE") != "django.db.backends.postgresql":
        raise RuntimeError("The benchmark needs PostgreSQL: set DATABASE_URL.")
    database = _database_name(server)
    exists = _database_exists(server, database)
    if exists:
        use_database(server, database)
        meta = meta_read()
        if meta and meta["size"] == "import" and meta["generator_version"] == VERSION:
            call_command("migrate", verbosity=0, interactive=False)  # code moved on since
            return
    connection.close()
    _create_database(server, database, drop=exists)
    use_database(server, database)
    say(
        f"Building {database}: migrate, {PROJECTS:,} due projects in {REGION}, "
        f"{ENTERPRISES} enterprises, a filer…"
    )
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    _projects()
    _enterprises()
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


def _uscc(prefix: str, number: int) -> str:
    from gongjian.core.uscc import organisation_code_check_digit, uscc_check_digit

    body = str(number)
    first17 = f"{prefix}{REGION}{body}{organisation_code_check_digit(body)}"
    return first17 + uscc_check_digit(first17)


def _owner_uscc(number: int) -> str:
    """The credit code of the registry's ``number``-th bench enterprise (an owner)."""
    return _uscc("91", 20_000_000 + number % ENTERPRISES)


def _enterprises() -> None:
    from gongjian.parks.models import Enterprise
    from gongjian.regions.models import Region

    region = Region.objects.get(code=REGION)
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                uscc=_owner_uscc(number), name=f"泉州基准业主有限公司{number:03d}", region=region
            )
            for number in range(ENTERPRISES)
        ]
    )


def _project_list_workbook(rows: int) -> bytes:
    """A published-looking yearly list of ``rows`` new projects (money in 万元), spread over
    the reporting districts by name."""
    import xlsxwriter

    from gongjian.regions.choices import RegionKind
    from gongjian.regions.models import Region

    places = list(
        Region.objects.filter(kind__in=(RegionKind.COUNTY, RegionKind.ZONE), is_reporting=True)
        .order_by("sort_order", "code")
        .values_list("name", flat=True)
    )
    sectors = ["产业", "交通", "能源", "城建", "社会事业", "新基建"]
    header = [
        "序号",
        "项目编号",
        "项目名称",
        "所在地",
        "业主单位",
        "统一社会信用代码",
        "建设规模及内容",
        "建设起止年限",
        "总投资（万元）",
        "2022年计划投资（万元）",
        "计划开工时间",
        "计划竣工时间",
        "项目级别",
        "建设性质",
        "行业领域",
        "责任单位",
        "责任人",
        "联系电话",
    ]
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True})
    sheet = workbook.add_worksheet("重点项目")
    sheet.write(0, 0, "泉州市2022年重点项目清单（基准）")
    sheet.write_row(1, 0, header)
    for number in range(rows):
        place = places[number % len(places)]
        owned = number % 10 == 0
        sheet.write_row(
            2 + number,
            0,
            [
                number + 1,
                f"BL2022-{number:05d}",
                f"{place}基准重点项目{number:05d}",
                place,
                "" if owned else f"泉州基准建设有限公司{number % 97:02d}",
                _owner_uscc(number) if owned else "",
                "新建厂房及配套设施",
                "2022-2024" if number % 2 else "2021—2023",
                50000 + number % 900,
                12000 + number % 300,
                f"2022年{1 + number % 12}月",
                f"2024年{1 + number % 12}月",
                "省重点" if number % 7 == 0 else "市重点",
                "新开工" if number % 2 else "续建",
                sectors[number % len(sectors)],
                f"{place}发改局",
                "林工",
                "0595-22000000",
            ],
        )
    workbook.close()
    return out.getvalue()


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
    from gongjian.parks.exports import write_roster

    values = []
    for number in range(rows):
        values.append(
            [
                _uscc("91", 10_000_000 + number),
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
                "在营",
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


def run(*, rows: int, kind: str | None = None, say: Callable[[str], None] = print) -> Result:
    from gongjian.accounts.models import User
    from gongjian.reporting.models import ReportingPeriod

    kind = kind or default_kind(rows)
    if kind not in KINDS:
        raise RuntimeError(f"--kind must be one of {', '.join(KINDS)}")
    if kind == "report" and rows != 1500:
        raise RuntimeError("the report template is measured at 1,500 rows (--rows 1500)")
    _prepare(say)
    admin, _created = User.objects.get_or_create(
        username="bench_import_admin", defaults={"is_superuser": True, "is_staff": True}
    )
    outcome = ""
    if kind == "report":
        filer = User.objects.get(username="bench_import_filer")
        period = ReportingPeriod.objects.get(month=PERIOD)
        data = _report_workbook(filer, period)
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
    elif kind == "roster":
        from gongjian.parks.imports import roster_import

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
    else:
        from gongjian.projects.imports import import_projects

        data = _project_list_workbook(rows)
        started = time.perf_counter()
        try:
            with transaction.atomic():
                listed = import_projects(
                    actor=admin, data=data, filename="bench-list.xlsx", year=2022
                )
                seconds = time.perf_counter() - started
                outcome = (
                    f"{listed.created:,} projects created, {len(listed.errors)} errors, "
                    f"total {listed.total_investment} 万元, plans {listed.plan_investment} 万元"
                ) + (f" (first: {listed.errors[0]['message']})" if listed.errors else "")
                raise _Rollback
        except _Rollback:
            pass
    say(f"Result: {outcome}")
    return Result(
        kind=kind,
        rows=rows,
        ours_seconds=seconds,
        calamine_seconds=_calamine_seconds(data),
        outcome=outcome,
        load=_loadavg(),
    )
