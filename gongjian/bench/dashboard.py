"""`gongjian bench dashboard --size city|province`: the pages leaders wait for, under load.

The bench's own database ``gongjian_bench_dashboard_<size>`` holds the rollup benchmark's rows
of that size (``generate``: regions, projects, 60 months of reports, stage events, enterprises;
their monthly cells built) plus a campaign over the nine bench indicators with a 2022 target for
every region (the root's allocated to every region below it) and a leader at the root. It is
built once and re-used while the generator and this module's version are unchanged.

gunicorn serves it with production settings on a free loopback port (3 workers × 4 threads, as
the deadline drill); a leader signs in through the login page; then, in the same run, each path
is requested first one at a time (concurrency 1) and then by ``concurrency`` clients at once
(each with its own keep-alive connection), ``requests`` times in all: the floor (a path
answered by the WSGI entry point before Django, ``/-/alive``), the login page, and the pages:
the root dashboard ``/``, the 大屏, a district page, the campaign page and a target page.
It prints p50 / p95 / max and requests per second of each, and whether each page meets its
goal (p95 at concurrency ``concurrency``: 200 ms at city size, 500 ms at province size).
Nothing asserts speed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from gongjian.bench import methods
from gongjian.bench.client import Client, Unreachable
from gongjian.bench.generate import ROOT_CODE, generate
from gongjian.bench.rollup import (
    _create_database,
    _database_exists,
    _loadavg,
    _server_settings,
    meta_read,
    meta_write,
    use_database,
)
from gongjian.bench.server import LOOPBACK, Server
from gongjian.bench.sizes import GENERATOR_VERSION, Size

# Bump when the campaign set up below changes, so that an older database is rebuilt.
DASHBOARD_VERSION = 1
CAMPAIGN_CODE = "bench2022"
TODAY = "2022-12-20"
GOALS_MS = {"city": 200.0, "province": 500.0, "tiny": 500.0}
FLOOR_PATH = "/-/alive"
LOGIN_PATH = "/accounts/login/"


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Figures:
    """Latencies (seconds) of one path at one concurrency, and the wall time they took."""

    seconds: list[float] = field(default_factory=list)
    wall: float = 0.0
    errors: int = 0

    def as_c1(self) -> dict[str, float]:
        return {"p50_ms": self.ms(0.5), "p95_ms": self.ms(0.95)}

    def as_cn(self) -> dict[str, float]:
        return {**self.as_c1(), "rps": round(len(self.seconds) / self.wall, 1) if self.wall else 0}

    def ms(self, q: float) -> float:
        return round(_quantile(self.seconds, q) * 1000, 1)

    @property
    def max_ms(self) -> float:
        return round(max(self.seconds) * 1000, 1) if self.seconds else 0.0


@dataclass
class PageFigures:
    name: str
    path: str
    c1: Figures
    cn: Figures


# ---------------------------------------------------------------------------------------------
# The database


def _campaign_setup(size: Size) -> None:
    """The campaign, its targets (the root's 2022 target of each indicator, allocated to every
    region below), a reporting period open for 2022-12, and nothing else."""
    from gongjian.campaigns.models import Campaign, Target
    from gongjian.regions.models import Region
    from gongjian.reporting.models import ReportingPeriod

    indicators = methods.bench_indicators()
    campaign, _created = Campaign.objects.get_or_create(
        code=CAMPAIGN_CODE,
        defaults={
            "name": "基准测试攻坚行动2022",
            "starts_on": "2022-01-01",
            "ends_on": "2022-12-31",
            "is_active": True,
        },
    )
    Campaign.objects.exclude(pk=campaign.pk).update(is_active=False)
    regions = list(Region.objects.order_by("path"))
    root = next(r for r in regions if r.code == ROOT_CODE)
    below = [r for r in regions if r.pk != root.pk]
    share = Decimal(1) / Decimal(size.leaves)
    for order, indicator in enumerate(indicators):
        if indicator.kind == "stock_ratio":
            value, comparator = Decimal("50.00"), "≥"
        elif indicator.unit == "万元":
            value, comparator = Decimal(2_000) * size.projects, "≥"
        else:
            value, comparator = Decimal(size.projects // 10 + 1), "≥"
        parent, _created = Target.objects.get_or_create(
            campaign=campaign,
            indicator=indicator,
            region=root,
            period_start="2022-01-01",
            period_end="2022-12-31",
            defaults={"comparator": comparator, "value": value, "sort_order": order},
        )
        for region in below:
            depth_share = share * Decimal(size.levels[-1]) / Decimal(_siblings(region, regions))
            Target.objects.get_or_create(
                campaign=campaign,
                indicator=indicator,
                region=region,
                period_start="2022-01-01",
                period_end="2022-12-31",
                defaults={
                    "comparator": comparator,
                    "value": value
                    if indicator.kind == "stock_ratio"
                    else (value * depth_share).quantize(Decimal("0.01")),
                    "sort_order": order,
                    "parent": parent,
                },
            )
    ReportingPeriod.objects.filter(month="2022-12-01").update(state="open")


def _siblings(region, regions) -> int:
    return sum(1 for r in regions if r.parent_id == region.parent_id)


def prepare(
    size: Size, *, database_url: str | None, regenerate: bool, say: Callable[[str], None]
) -> dict[str, Any]:
    server = _server_settings(database_url)
    if server.get("ENGINE") != "django.db.backends.postgresql":
        raise RuntimeError("The benchmark needs PostgreSQL: set DATABASE_URL or --database-url.")
    name = f"gongjian_bench_dashboard_{size.database_suffix}"
    if name == settings.DATABASES["default"].get("NAME"):
        raise RuntimeError(f"Refusing to use the main database {name!r} for the benchmark.")
    version = GENERATOR_VERSION * 100 + DASHBOARD_VERSION
    exists = _database_exists(server, name)
    if exists and not regenerate:
        use_database(server, name)
        meta = meta_read()
        if (
            meta
            and meta["size"] == f"dashboard-{size.name}"
            and meta["generator_version"] == version
        ):
            call_command("migrate", verbosity=0, interactive=False)  # code moved on since
            say(f"Re-using database {name} (--regenerate to rebuild).")
            return {**server, "NAME": name}
    connection.close()
    _create_database(server, name, drop=exists)
    use_database(server, name)
    say(f"Created database {name}; migrating…")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    counts = generate(size)
    _campaign_setup(size)
    seconds = time.perf_counter() - started
    say(f"  built in {seconds:.1f} s: {counts.as_dict()}")
    meta_write(size=f"dashboard-{size.name}", version=version, seconds=seconds, counts={})
    return {**server, "NAME": name}


def _leader() -> tuple[str, str]:
    import secrets

    from django.contrib.auth import get_user_model

    from gongjian.accounts.choices import Role
    from gongjian.accounts.models import Membership
    from gongjian.regions.models import Region

    password = secrets.token_urlsafe(18)
    user, _created = get_user_model().objects.get_or_create(username="bench_dashboard_leader")
    user.set_password(password)
    user.is_active = True
    user.save()
    Membership.objects.get_or_create(
        user=user, region=Region.objects.get(code=ROOT_CODE), role=Role.LEADER
    )
    return user.username, password


def _pages() -> list[tuple[str, str]]:
    from gongjian.campaigns.models import Target
    from gongjian.regions.models import Region

    district = (
        Region.objects.filter(path__startswith=f"/{ROOT_CODE}/", children__isnull=True)
        .order_by("path")
        .first()
    )
    target = (
        Target.objects.filter(campaign__code=CAMPAIGN_CODE, region__code=ROOT_CODE)
        .order_by("sort_order", "id")
        .first()
    )
    assert district is not None and target is not None
    return [
        ("dashboard", "/"),
        ("screen", "/dashboards/screen/"),
        ("district", f"/dashboards/regions/{district.code}/"),
        ("campaign", f"/campaigns/{CAMPAIGN_CODE}/"),
        ("target", f"/campaigns/{CAMPAIGN_CODE}/targets/{target.pk}/"),
    ]


# ---------------------------------------------------------------------------------------------
# The load


def _hammer(port: int, cookies: dict[str, str], path: str, *, clients: int, total: int) -> Figures:
    """``total`` GETs of ``path`` by ``clients`` threads at once, each on its own connection."""
    figures = Figures()
    lock = threading.Lock()
    remaining = [total]
    start_line = threading.Barrier(clients + 1)

    def client() -> None:
        http = Client(port, timeout=300)
        http.cookies = dict(cookies)
        start_line.wait()
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            try:
                answer = http.request("GET", path)
            except Unreachable:
                with lock:
                    figures.errors += 1
                continue
            with lock:
                if answer.status == 200:
                    figures.seconds.append(answer.seconds)
                else:
                    figures.errors += 1
        http.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_line.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    figures.wall = time.perf_counter() - started
    return figures


def _measure(
    port: int, cookies: dict[str, str], path: str, *, concurrency: int, requests: int
) -> tuple[Figures, Figures]:
    warm = Client(port, timeout=300)
    warm.cookies = dict(cookies)
    warm.request("GET", path)  # the first request of a worker imports and fills caches
    warm.close()
    c1 = _hammer(port, cookies, path, clients=1, total=max(10, min(requests, 50)))
    cn = _hammer(port, cookies, path, clients=concurrency, total=requests)
    return c1, cn


@dataclass
class Result:
    size: str
    concurrency: int
    requests: int
    floor: PageFigures
    login: PageFigures
    pages: list[PageFigures]
    load_before: str
    load_after: str

    def document(self) -> dict[str, Any]:
        def one(item: PageFigures) -> dict[str, Any]:
            return {"c1": item.c1.as_c1(), "cN": item.cn.as_cn()}

        return {
            "size": self.size,
            "concurrency": self.concurrency,
            "floor": one(self.floor),
            "login": one(self.login),
            "pages": [{"name": p.name, "path": p.path, **one(p)} for p in self.pages],
        }

    @property
    def errors(self) -> int:
        return sum(p.c1.errors + p.cn.errors for p in [self.floor, self.login, *self.pages])

    def table(self) -> list[str]:
        goal = GOALS_MS.get(self.size, 500.0)
        n = self.concurrency
        lines = [
            f"== gongjian bench dashboard --size {self.size} --concurrency {n} "
            f"--requests {self.requests} ==",
            f"Load average (1, 5, 15 min): before {self.load_before}; after {self.load_after}",
            "",
            f"{'path':<44}{'c1 p50':>9}{'c1 p95':>9}{'cN p50':>9}{'cN p95':>9}{'cN max':>9}"
            f"{'req/s':>8}{'errors':>8}  goal (p95 ≤ {goal:.0f} ms at {n})",
        ]
        for label, item, judged in (
            ("floor " + self.floor.path, self.floor, False),
            ("login " + self.login.path, self.login, False),
            *((f"{p.name} {p.path}", p, True) for p in self.pages),
        ):
            verdict = ""
            if judged:
                verdict = "met" if item.cn.ms(0.95) <= goal and not item.cn.errors else "NOT met"
            lines.append(
                f"{label[:43]:<44}{item.c1.ms(0.5):>9.1f}{item.c1.ms(0.95):>9.1f}"
                f"{item.cn.ms(0.5):>9.1f}{item.cn.ms(0.95):>9.1f}{item.cn.max_ms:>9.1f}"
                f"{item.cn.as_cn()['rps']:>8}{item.c1.errors + item.cn.errors:>8}  {verdict}"
            )
        lines.append(f"(ms; c1: one request at a time; cN: {n} clients at once)")
        return lines


def run(
    size: Size,
    *,
    concurrency: int,
    requests: int,
    database_url: str | None,
    regenerate: bool,
    workers: int = 3,
    threads: int = 4,
    say: Callable[[str], None] = print,
) -> Result:
    from gongjian.bench.deadline import server_env
    from gongjian.core.backup import Target

    server_settings = prepare(size, database_url=database_url, regenerate=regenerate, say=say)
    username, password = _leader()
    pages = _pages()
    connection.close()
    var_dir = Path(settings.VAR_DIR) / "bench-dashboard"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(Target.from_settings(server_settings).url(), today=TODAY, var_dir=var_dir)
    # Production pages name the static files by their hashes: collect them as an upgrade does
    # (without, every page is a 500 in a fresh clone and gunicorn never answers ready).
    subprocess.run(
        [sys.executable, "-m", "gongjian.cli", "collectstatic", "--no-input", "--verbosity", "0"],
        env={**os.environ, **env},
        check=True,
    )
    gunicorn = Server(env=env, log=var_dir / "gunicorn.log", workers=workers, threads=threads)
    load_before = _loadavg()
    with gunicorn:
        say(f"Serving on http://{LOOPBACK}:{gunicorn.port}/ ({workers} × {threads}); measuring…")
        leader = Client(gunicorn.port, timeout=300)
        leader.sign_in(username, password)
        cookies = dict(leader.cookies)
        leader.close()
        anonymous: dict[str, str] = {}

        def measured(name: str, path: str, cookies: dict[str, str]) -> PageFigures:
            c1, cn = _measure(
                gunicorn.port, cookies, path, concurrency=concurrency, requests=requests
            )
            say(
                f"  {name:<10} {path:<44} c1 p95 {c1.ms(0.95):8.1f} ms, "
                f"c{concurrency} p95 {cn.ms(0.95):8.1f} ms"
            )
            return PageFigures(name=name, path=path, c1=c1, cn=cn)

        floor = measured("floor", FLOOR_PATH, anonymous)
        login = measured("login", LOGIN_PATH, anonymous)
        measured_pages = [measured(name, path, cookies) for name, path in pages]
    return Result(
        size=size.name,
        concurrency=concurrency,
        requests=requests,
        floor=floor,
        login=login,
        pages=measured_pages,
        load_before=load_before,
        load_after=_loadavg(),
    )
