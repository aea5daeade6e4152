"""`gongjian bench deadline`: the monthly reporting deadline, simulated on loopback.

Every district's filers file and submit their month's reports through the API on a fixed
schedule (``reports`` spread evenly over ``seconds``), each district's reviewer approves them as
they arrive, the city reviewers give the second approval, and leaders keep reading the dashboard,
the 大屏 and the progress API the whole time. The server is gunicorn with production settings on
a copy of the demo database; the clients are threads of this process speaking HTTP to
127.0.0.1 only.

It prints throughput, latency per request kind (p50 / p95 / max), errors and **lost work**: every
submission and approval the server acknowledged is looked up in the database afterwards, and the
indicators' monthly cells are checked against their rows. It is bounded in count (``reports``)
and in time (``seconds`` plus ``drain`` to finish what is in flight); nothing asserts speed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import queue
import random
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from gongjian.accounts.choices import Role
from gongjian.accounts.models import Membership
from gongjian.accounts.services import api_token_create
from gongjian.bench.client import Client, Unreachable
from gongjian.bench.rollup import (
    Timing,
    _create_database,
    _maintenance,
    _server_settings,
    meta_read,
    meta_write,
)
from gongjian.bench.rollup import use_database as _use_database
from gongjian.bench.server import LOOPBACK, Server
from gongjian.campaigns.models import Campaign
from gongjian.campaigns.rollup import rollup_drift
from gongjian.core.backup import Target
from gongjian.core.periods import parse_month
from gongjian.reporting.choices import ReportStatus
from gongjian.reporting.models import ProgressReport, ReportingPeriod
from gongjian.reporting.selectors import projects_due

TEMPLATE_DATABASE = "gongjian_bench_deadline"
RUN_DATABASE = "gongjian_bench_deadline_run"
# The demo's open month and a business date inside it, before its due date.
DEMO_PERIOD = "2022-12"
DEMO_TODAY = "2022-12-20"

WRITE_KINDS = ("file", "submit", "district_approve", "city_approve")
READ_KINDS = ("dashboard", "screen", "progress_api")
KIND_LABELS = {
    "file": "file a report (POST /api/v1/reports)",
    "submit": "submit (POST …/submit)",
    "district_approve": "district approval (POST …/approve)",
    "city_approve": "city approval (POST …/approve)",
    "dashboard": "city dashboard (GET /)",
    "screen": "大屏 (GET /dashboards/screen/)",
    "progress_api": "progress API (GET /api/v1/campaigns/…/progress)",
}


@dataclass(frozen=True)
class Load:
    reports: int = 1000
    seconds: float = 60.0
    filers_per_district: int = 2
    city_reviewers: int = 2
    readers: int = 6
    read_pause: float = 1.0  # seconds a reader looks at a page before the next one
    drain: float = 120.0  # after the schedule, at most this long to finish what is in flight
    workers: int = 3
    threads: int = 4


# ---------------------------------------------------------------------------------------------
# The plan: which reports, by whom, when


@dataclass(frozen=True)
class Job:
    project: int
    amount: str
    at: float  # seconds after the start at which the filer files it


@dataclass
class District:
    code: str
    name: str
    filer_token: str
    reviewer_token: str
    jobs: list[Job]


@dataclass
class Plan:
    period: str
    districts: list[District]
    city_tokens: list[str]
    reader_logins: list[tuple[str, str]]
    reader_token: str
    campaign: str | None

    @property
    def reports(self) -> int:
        return sum(len(d.jobs) for d in self.districts)


def _member(region_id: int, role: str):
    membership = (
        Membership.objects.filter(region_id=region_id, role=role, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return membership.user if membership else None


def _bench_reader(number: int, city_id: int) -> tuple[str, str]:
    """A leader account of the bench's own (created in the bench database) with a fresh
    password, so that readers sign in through the login page like anybody else."""
    user_model = get_user_model()
    username = f"bench_leader_{number}"
    password = secrets.token_urlsafe(18)
    user, _ = user_model.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active = True
    user.save()
    Membership.objects.get_or_create(user=user, region_id=city_id, role=Role.LEADER)
    return username, password


def plan_build(load: Load, *, period: str) -> Plan:
    """Pick ``load.reports`` projects due in ``period`` with no report yet (a fixed shuffle, so
    every district gets its share), the amounts to file (within each project's remaining
    investment) and API tokens for every district's filer and reviewer and the city reviewers."""
    month = parse_month(period)
    open_period = ReportingPeriod.objects.filter(month=month, state="open").first()
    if open_period is None:
        raise RuntimeError(f"No open reporting period {period} in the bench database.")
    filed = ProgressReport.objects.filter(period=open_period).values("project_id")
    due = list(
        projects_due(period=open_period)
        .exclude(pk__in=filed)
        .order_by("pk")
        .values_list("pk", "region_id", "region__code", "region__name", "total_investment")
    )
    if len(due) < load.reports:
        raise RuntimeError(
            f"Only {len(due)} projects are due in {period} without a report; "
            f"asked for {load.reports}."
        )
    random.Random(2022).shuffle(due)
    chosen = due[: load.reports]
    prior = dict(
        ProgressReport.objects.filter(project_id__in=[row[0] for row in chosen])
        .values("project_id")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "total")
    )
    spacing = load.seconds / load.reports
    by_region: dict[int, list[Job]] = defaultdict(list)
    names: dict[int, tuple[str, str]] = {}
    for index, (pk, region_id, code, name, total) in enumerate(chosen):
        remaining = max(total - (prior.get(pk) or Decimal(0)), Decimal(0))
        # A month's work: a twenty-fourth of the total, never more than what is left.
        amount = min(remaining, total / 24).quantize(Decimal("0.01"))
        by_region[region_id].append(Job(project=pk, amount=str(amount), at=index * spacing))
        names[region_id] = (code, name)

    districts = []
    for region_id, jobs in sorted(by_region.items(), key=lambda item: names[item[0]][0]):
        code, name = names[region_id]
        filer = _member(region_id, Role.DISTRICT_FILER)
        reviewer = _member(region_id, Role.DISTRICT_REVIEWER)
        if filer is None or reviewer is None:
            raise RuntimeError(f"{name} ({code}) has no active district filer or reviewer.")
        districts.append(
            District(
                code=code,
                name=name,
                filer_token=api_token_create(user=filer, name="bench deadline")[1],
                reviewer_token=api_token_create(user=reviewer, name="bench deadline")[1],
                jobs=jobs,
            )
        )
    city = (
        Membership.objects.filter(role=Role.CITY_REVIEWER, user__is_active=True)
        .select_related("user", "region")
        .order_by("user__username")
    )
    city_reviewers = [m.user for m in city]
    if not city_reviewers:
        raise RuntimeError("The bench database has no active city reviewer.")
    city_tokens = [
        api_token_create(user=city_reviewers[i % len(city_reviewers)], name="bench deadline")[1]
        for i in range(load.city_reviewers)
    ]
    city_id = city[0].region_id
    readers = [_bench_reader(n + 1, city_id) for n in range(max(load.readers, 1))]
    reader_user = get_user_model().objects.get(username=readers[0][0])
    campaign = (
        Campaign.objects.filter(is_active=True)
        .order_by("-starts_on", "code")
        .values_list("code", flat=True)
        .first()
    )
    return Plan(
        period=period,
        districts=districts,
        city_tokens=city_tokens,
        reader_logins=readers[: load.readers],
        reader_token=api_token_create(user=reader_user, name="bench deadline")[1],
        campaign=campaign,
    )


# ---------------------------------------------------------------------------------------------
# The drive: threads speaking HTTP to the server


@dataclass
class Outcome:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    submitted: dict[int, int] = field(default_factory=dict)  # report id -> project id
    district_approved: set[int] = field(default_factory=set)
    city_approved: set[int] = field(default_factory=set)
    unfinished: int = 0  # scheduled reports not city-approved when the time bound ran out
    started: float = 0.0
    writes_ended: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, kind: str, message: str) -> None:
        with self.lock:
            self.errors[kind] += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{kind}: {message[:300]}")

    @property
    def write_seconds(self) -> float:
        return self.writes_ended - self.started


_DONE = None  # the end-of-work marker on a reviewer's queue


def _call(
    outcome: Outcome, client: Client, kind: str, method: str, path: str, expect: int, **kwargs
) -> dict | None:
    """One request; its latency is recorded, anything but ``expect`` is an error."""
    try:
        answer = client.request(method, path, **kwargs)
    except Unreachable as exc:
        outcome.error(kind, str(exc))
        return None
    outcome.timed(kind, answer.seconds)
    if answer.status != expect:
        outcome.error(kind, f"{method} {path} → {answer.status}: {answer.body[:200]!r}")
        return None
    if answer.body[:1] not in (b"{", b"["):
        return {}
    try:
        return answer.json()
    except ValueError as exc:
        outcome.error(kind, f"{method} {path}: not JSON: {exc}")
        return None


def drive(plan: Plan, load: Load, *, port: int) -> Outcome:
    outcome = Outcome()
    start = time.monotonic() + 0.5
    outcome.started = start
    hard_stop = start + load.seconds + load.drain
    city_queue: queue.Queue = queue.Queue()
    writers_left = threading.Semaphore(0)

    def filer(district: District, jobs: queue.Queue, reviewer: queue.Queue) -> None:
        client = Client(port, token=district.filer_token)
        while True:
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                break
            wait = start + job.at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if time.monotonic() > hard_stop:
                break
            saved = _call(
                outcome,
                client,
                "file",
                "POST",
                "/api/v1/reports",
                201,
                payload={
                    "project": job.project,
                    "period": plan.period,
                    "amount": job.amount,
                    "progress_text": "主体工程施工，按计划推进",
                },
            )
            if saved is None:
                continue
            submitted = _call(
                outcome, client, "submit", "POST", f"/api/v1/reports/{saved['id']}/submit", 200
            )
            if submitted is None:
                continue
            with outcome.lock:
                outcome.submitted[saved["id"]] = job.project
            reviewer.put(saved["id"])
        client.close()

    def approve(client: Client, report: int, kind: str, note: str) -> bool:
        path = f"/api/v1/reports/{report}/approve"
        return _call(outcome, client, kind, "POST", path, 200, payload={"note": note}) is not None

    def district_reviewer(district: District, inbox: queue.Queue, filers: int) -> None:
        client = Client(port, token=district.reviewer_token)
        finished = 0
        try:
            while finished < filers and time.monotonic() < hard_stop:
                try:
                    report = inbox.get(timeout=0.5)
                except queue.Empty:
                    continue
                if report is _DONE:
                    finished += 1
                    continue
                if approve(client, report, "district_approve", "县区审核通过"):
                    with outcome.lock:
                        outcome.district_approved.add(report)
                    city_queue.put(report)
        finally:
            client.close()
            writers_left.release()  # the main thread waits for every district's reviewer

    def city_reviewer(token: str) -> None:
        client = Client(port, token=token)
        while time.monotonic() < hard_stop:
            try:
                report = city_queue.get(timeout=0.5)
            except queue.Empty:
                continue
            if report is _DONE:
                break
            if approve(client, report, "city_approve", "市级审核通过"):
                with outcome.lock:
                    outcome.city_approved.add(report)
        client.close()

    stop_reading = threading.Event()

    def reader(number: int, username: str, password: str) -> None:
        client = Client(port)
        api = Client(port, token=plan.reader_token)
        try:
            client.sign_in(username, password)
        except (RuntimeError, Unreachable) as exc:
            outcome.error("dashboard", f"sign-in: {exc}")
            return
        pages: list[tuple[str, Client, str]] = [
            ("dashboard", client, "/"),
            ("screen", client, "/dashboards/screen/"),
        ]
        if plan.campaign:
            pages.append(("progress_api", api, f"/api/v1/campaigns/{plan.campaign}/progress"))
        turn = number  # readers start on different pages
        while not stop_reading.is_set() and time.monotonic() < hard_stop:
            kind, which, path = pages[turn % len(pages)]
            turn += 1
            _call(outcome, which, kind, "GET", path, 200)
            stop_reading.wait(load.read_pause)
        client.close()
        api.close()

    threads: list[threading.Thread] = []
    for district in plan.districts:
        jobs: queue.Queue = queue.Queue()
        for job in district.jobs:
            jobs.put(job)
        inbox: queue.Queue = queue.Queue()
        filers = [
            threading.Thread(target=filer, args=(district, jobs, inbox), daemon=True)
            for _ in range(load.filers_per_district)
        ]

        def filers_then_done(filers=filers, inbox=inbox) -> None:
            for thread in filers:
                thread.start()
            for thread in filers:
                thread.join()
            inbox.put(_DONE)

        threads.append(threading.Thread(target=filers_then_done, daemon=True))
        threads.append(
            threading.Thread(target=district_reviewer, args=(district, inbox, 1), daemon=True)
        )
    cities = [
        threading.Thread(target=city_reviewer, args=(token,), daemon=True)
        for token in plan.city_tokens
    ]
    readers = [
        threading.Thread(target=reader, args=(n, u, p), daemon=True)
        for n, (u, p) in enumerate(plan.reader_logins)
    ]
    for thread in [*threads, *cities, *readers]:
        thread.start()
    for _ in plan.districts:
        writers_left.acquire()  # every district reviewer has finished (or the time is up)
    for _ in cities:
        city_queue.put(_DONE)
    for thread in [*threads, *cities]:
        thread.join(timeout=max(0.0, hard_stop - time.monotonic()) + 5)
    outcome.writes_ended = time.monotonic()
    stop_reading.set()
    for thread in readers:
        thread.join(timeout=load.read_pause + 60)
    outcome.unfinished = plan.reports - len(outcome.city_approved)
    return outcome


# ---------------------------------------------------------------------------------------------
# Verification: was anything acknowledged lost?


@dataclass(frozen=True)
class Verdict:
    lost_submissions: int
    lost_district_approvals: int
    lost_city_approvals: int
    drift: int

    @property
    def lost(self) -> int:
        return self.lost_submissions + self.lost_district_approvals + self.lost_city_approvals


def verify(outcome: Outcome) -> Verdict:
    """Look up in the database every submission and approval the server acknowledged."""
    status = dict(
        ProgressReport.objects.filter(pk__in=list(outcome.submitted)).values_list("pk", "status")
    )
    at_least_submitted = {
        ReportStatus.SUBMITTED,
        ReportStatus.DISTRICT_APPROVED,
        ReportStatus.CITY_APPROVED,
    }
    at_least_district = {ReportStatus.DISTRICT_APPROVED, ReportStatus.CITY_APPROVED}
    return Verdict(
        lost_submissions=sum(
            1 for pk in outcome.submitted if status.get(pk) not in at_least_submitted
        ),
        lost_district_approvals=sum(
            1 for pk in outcome.district_approved if status.get(pk) not in at_least_district
        ),
        lost_city_approvals=sum(
            1 for pk in outcome.city_approved if status.get(pk) != ReportStatus.CITY_APPROVED
        ),
        drift=len(rollup_drift()),
    )


# ---------------------------------------------------------------------------------------------
# Report


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def report_lines(plan: Plan, load: Load, outcome: Outcome, verdict: Verdict) -> list[str]:
    districts = ", ".join(f"{d.name} {len(d.jobs)}" for d in plan.districts)
    writes = sum(len(outcome.latencies[kind]) for kind in WRITE_KINDS)
    reads = sum(len(outcome.latencies[kind]) for kind in READ_KINDS)
    seconds = outcome.write_seconds
    lines = [
        f"Deadline drill: {plan.reports:,} reports of {plan.period} offered over "
        f"{load.seconds:.0f} s by {len(plan.districts)} districts' filers "
        f"({load.filers_per_district} each), approved by each district's reviewer and "
        f"{load.city_reviewers} city reviewers, while {load.readers} leaders read dashboards "
        f"(a page every {load.read_pause:g} s each); gunicorn {load.workers} workers × "
        f"{load.threads} threads, production settings, on {LOOPBACK}.",
        f"  reports per district: {districts}",
        f"  city-approved: {len(outcome.city_approved):,} of {plan.reports:,} in {seconds:.1f} s "
        f"→ {len(outcome.city_approved) / seconds:.1f} reports/s fully approved; "
        f"{writes:,} writes ({writes / seconds:.1f}/s) and {reads:,} reads",
        "  latency (ms)                                         n      p50      p95      max",
    ]
    for kind in (*WRITE_KINDS, *READ_KINDS):
        values = outcome.latencies.get(kind) or []
        if not values:
            lines.append(f"    {KIND_LABELS[kind]:<48} {0:>5}        –        –        –")
            continue
        timing = Timing(kind, values)
        lines.append(
            f"    {KIND_LABELS[kind]:<48} {len(values):>5} {_ms(timing.p50):>8} "
            f"{_ms(timing.p95):>8} {_ms(timing.max):>8}"
        )
    total_errors = sum(outcome.errors.values())
    lines.append(
        f"  errors: {total_errors}"
        + (
            f" ({', '.join(f'{k} {v}' for k, v in sorted(outcome.errors.items()))})"
            if total_errors
            else ""
        )
    )
    lines.extend(f"    {sample}" for sample in outcome.error_samples)
    lines.append(f"  not finished within the time bound: {outcome.unfinished}")
    lines.append(
        f"  lost submissions: {verdict.lost_submissions} (of {len(outcome.submitted):,} "
        f"acknowledged); lost approvals: "
        f"{verdict.lost_district_approvals + verdict.lost_city_approvals} (of "
        f"{len(outcome.district_approved) + len(outcome.city_approved):,} acknowledged)"
    )
    lines.append(f"  monthly cells disagreeing with their rows after the load: {verdict.drift}")
    return lines


def summary(plan: Plan, outcome: Outcome, verdict: Verdict) -> dict[str, Any]:
    """The figures as a JSON-able dictionary (``--json``)."""
    latency = {}
    for kind in (*WRITE_KINDS, *READ_KINDS):
        values = outcome.latencies.get(kind) or []
        if values:
            timing = Timing(kind, values)
            latency[kind] = {
                "n": len(values),
                "p50_ms": round(timing.p50 * 1000, 1),
                "p95_ms": round(timing.p95 * 1000, 1),
                "max_ms": round(timing.max * 1000, 1),
            }
    return {
        "reports": plan.reports,
        "districts": {d.code: len(d.jobs) for d in plan.districts},
        "submitted": len(outcome.submitted),
        "district_approved": len(outcome.district_approved),
        "city_approved": len(outcome.city_approved),
        "seconds": round(outcome.write_seconds, 2),
        "reports_per_second": round(len(outcome.city_approved) / outcome.write_seconds, 2),
        "latency": latency,
        "errors": dict(outcome.errors),
        "unfinished": outcome.unfinished,
        "lost_submissions": verdict.lost_submissions,
        "lost_approvals": verdict.lost_district_approvals + verdict.lost_city_approvals,
        "drift": verdict.drift,
    }


# ---------------------------------------------------------------------------------------------
# Running it


def server_env(database_url: str, *, today: str, var_dir: Path) -> dict[str, str]:
    """Production settings, a throwaway secret and PII key, plain HTTP on loopback."""
    from cryptography.fernet import Fernet

    return {
        "GONGJIAN_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "GONGJIAN_PII_KEY": Fernet.generate_key().decode(),
        "GONGJIAN_VAR_DIR": str(var_dir),
        "ALLOWED_HOSTS": LOOPBACK,
        "SECURE_SSL_REDIRECT": "0",
        "GONGJIAN_TODAY": today,
        "DEBUG": "0",
    }


def execute(
    load: Load,
    *,
    database_url: str,
    period: str,
    today: str,
    var_dir: Path,
    say: Callable[[str], None] = print,
) -> tuple[Plan, Outcome, Verdict]:
    """Plan on the current database (which ``database_url`` names), serve it with gunicorn,
    drive the load, stop the server, verify."""
    plan = plan_build(load, period=period)
    say(
        f"Planned {plan.reports:,} reports in {len(plan.districts)} districts; "
        f"starting gunicorn ({load.workers} × {load.threads})…"
    )
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(database_url, today=today, var_dir=var_dir)
    # Production pages name the static files by their hashes: collect them as an upgrade does.
    subprocess.run(
        [sys.executable, "-m", "gongjian.cli", "collectstatic", "--no-input", "--verbosity", "0"],
        env={**os.environ, **env},
        check=True,
    )
    server = Server(
        env=env,
        log=var_dir / "gunicorn.log",
        workers=load.workers,
        threads=load.threads,
    )
    with server:
        say(f"  serving on http://{LOOPBACK}:{server.port}/; driving the load…")
        outcome = drive(plan, load, port=server.port)
    connection.close()  # the verification reads what the server committed, afresh
    verdict = verify(outcome)
    return plan, outcome, verdict


def _demo_fingerprint() -> str:
    """What the template was built from: the demo package's sources and the migrations."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted([*root.glob("demo/**/*.py"), *root.glob("*/migrations/*.py")]):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _template_current() -> bool:
    meta = meta_read()
    return (
        meta is not None
        and meta["size"] == "deadline"
        and meta["counts"].get("fingerprint") == _demo_fingerprint()
    )


def prepare(
    *,
    database_url: str | None,
    source: str | None,
    regenerate: bool,
    say: Callable[[str], None],
) -> tuple[dict[str, Any], str]:
    """Make ``gongjian_bench_deadline_run`` a fresh copy of ``source`` (default: the demo,
    built once into ``gongjian_bench_deadline`` and re-used while the demo is unchanged)."""
    server = _server_settings(database_url)
    if server.get("ENGINE") != "django.db.backends.postgresql":
        raise RuntimeError(
            "The deadline drill needs PostgreSQL: set DATABASE_URL or --database-url."
        )
    host = server.get("HOST") or "localhost"
    if host not in {"127.0.0.1", "localhost", "::1", ""} and not host.startswith("/"):
        raise RuntimeError(f"The deadline drill runs on this machine only, not on {host}.")
    main_name = settings.DATABASES["default"].get("NAME")
    template = source or TEMPLATE_DATABASE
    if main_name == RUN_DATABASE or (source is None and template == main_name):
        raise RuntimeError(f"Refusing to use the main database {main_name!r} for the drill.")
    if source is None:
        with _maintenance(server) as maintenance:
            exists = (
                maintenance.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [template]
                ).fetchone()
                is not None
            )
        current = False
        if exists and not regenerate:
            _use_database(server, template)
            current = _template_current()
        if current:
            say(
                f"Re-using {template} (the demo, unchanged since it was built; "
                "--regenerate to rebuild)."
            )
        else:
            connection.close()
            _create_database(server, template, drop=exists)
            _use_database(server, template)
            say(f"Building {template}: migrate and load the demo (once)…")
            started = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            call_command("loaddemo", verbosity=0)
            meta_write(
                size="deadline",
                version=0,
                seconds=time.perf_counter() - started,
                counts={"fingerprint": _demo_fingerprint()},
            )
            say(f"  built in {time.perf_counter() - started:.0f} s")
    connection.close()
    from psycopg import sql

    with _maintenance(server) as maintenance:
        maintenance.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(RUN_DATABASE))
        )
        maintenance.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(RUN_DATABASE), sql.Identifier(template)
            )
        )
    _use_database(server, RUN_DATABASE)
    call_command("migrate", verbosity=0, interactive=False)
    say(f"Copied {template} to {RUN_DATABASE} for this run.")
    return server, RUN_DATABASE


def run(
    load: Load,
    *,
    database_url: str | None = None,
    source: str | None = None,
    regenerate: bool = False,
    period: str = DEMO_PERIOD,
    today: str = DEMO_TODAY,
    var_dir: Path | None = None,
    json_out: Path | None = None,
    say: Callable[[str], None] = print,
) -> Verdict:
    with _one_at_a_time(database_url):
        return _run(
            load,
            database_url=database_url,
            source=source,
            regenerate=regenerate,
            period=period,
            today=today,
            var_dir=var_dir,
            json_out=json_out,
            say=say,
        )


@contextlib.contextmanager
def _one_at_a_time(database_url: str | None) -> Iterator[None]:
    """A second drill would drop the run database under the first: hold a session advisory lock
    on the server for the whole run and refuse to start while another holds it."""
    with _maintenance(_server_settings(database_url)) as maintenance:
        held = maintenance.execute(
            "SELECT pg_try_advisory_lock(hashtext(%s))", [RUN_DATABASE]
        ).fetchone()
        if not held or not held[0]:
            raise RuntimeError(
                "另一个截止日演练正在这台数据库服务器上运行。 / "
                "Another deadline drill is running on this database server."
            )
        yield  # the lock ends with the maintenance connection


def _run(
    load: Load,
    *,
    database_url: str | None,
    source: str | None,
    regenerate: bool,
    period: str,
    today: str,
    var_dir: Path | None,
    json_out: Path | None,
    say: Callable[[str], None],
) -> Verdict:
    from gongjian.bench.rollup import machine

    server, name = prepare(database_url=database_url, source=source, regenerate=regenerate, say=say)
    say("Machine:")
    for key, value in machine().items():
        say(f"  {key}: {value}")
    plan, outcome, verdict = execute(
        load,
        database_url=Target.from_settings({**server, "NAME": name}).url(),
        period=period,
        today=today,
        var_dir=var_dir or Path(settings.VAR_DIR) / "bench-deadline",
        say=say,
    )
    for line in report_lines(plan, load, outcome, verdict):
        say(line)
    if json_out is not None:
        json_out.write_text(
            json.dumps(
                {"load": dataclasses.asdict(load), **summary(plan, outcome, verdict)},
                ensure_ascii=False,
                indent=2,
            )
        )
    return verdict
