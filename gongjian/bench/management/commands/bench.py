"""`gongjian bench rollup --size city|province|nation-ci` (gongjian/bench/rollup.py) and
`gongjian bench deadline` (gongjian/bench/deadline.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongjian.bench.sizes import PUBLIC_SIZES, SIZES


class Command(BaseCommand):
    help = (
        "Benchmarks: `rollup` generates a size into its own PostgreSQL database "
        "(gongjian_bench_<size>) and prints the engine's full evaluation, freshness after "
        "approvals, hand-written SQL, DuckDB and pandas timings. `deadline` serves a copy of the "
        "demo with gunicorn on 127.0.0.1 and simulates the monthly deadline: every district "
        "files, submits and gets approved its reports while leaders read dashboards; prints "
        "throughput, latency, errors and lost work."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "benchmark",
            choices=["rollup", "deadline", "dashboard", "import"],
            help=(
                "rollup: the campaign engine at a size; deadline: the monthly deadline drill; "
                "dashboard: pages under concurrent readers; import: Excel imports against calamine"
            ),
        )
        parser.add_argument(
            "--size",
            choices=[*PUBLIC_SIZES, "tiny"],
            help="rollup: city (1,000 projects), province (25,000), nation-ci (700,000)",
        )
        parser.add_argument(
            "--database-url",
            default=None,
            help="the PostgreSQL server to create the bench database on "
            "(default: DATABASE_URL's server)",
        )
        parser.add_argument(
            "--regenerate", action="store_true", help="rebuild the bench database even if current"
        )
        parser.add_argument("--repeats", type=int, default=None, help="rollup: runs of each method")
        deadline = parser.add_argument_group("deadline")
        deadline.add_argument("--reports", type=int, default=1000, help="reports to file (1000)")
        deadline.add_argument(
            "--seconds", type=float, default=60.0, help="the schedule's length (60)"
        )
        deadline.add_argument(
            "--readers", type=int, default=6, help="leaders reading dashboards (6)"
        )
        deadline.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
        deadline.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
        deadline.add_argument(
            "--drain",
            type=float,
            default=120.0,
            help="after the schedule, at most this many seconds to finish (120)",
        )
        deadline.add_argument(
            "--source",
            default=None,
            help="copy this database instead of the demo (it needs an open period with due "
            "projects, district filers and reviewers and a city reviewer)",
        )
        deadline.add_argument("--period", default=None, help="the month to file (demo: 2022-12)")
        deadline.add_argument(
            "--today", default=None, help="the server's business date (demo: 2022-12-20)"
        )
        deadline.add_argument("--json", default=None, help="also write the figures to this file")
        dashboard = parser.add_argument_group("dashboard")
        dashboard.add_argument(
            "--concurrency", type=int, default=32, help="clients at once after the c1 run (32)"
        )
        dashboard.add_argument(
            "--requests", type=int, default=None, help="requests of each path at concurrency N"
        )
        parser.add_argument(
            "--format",
            choices=["table", "json"],
            default="table",
            help="table for people, json for tools",
        )
        bench_import = parser.add_argument_group("import")
        bench_import.add_argument(
            "--rows", type=int, choices=[1500, 20000], default=1500, help="rows in the workbook"
        )
        bench_import.add_argument(
            "--kind",
            choices=["report", "project_list", "roster"],
            default=None,
            help="which import: the report template, the yearly key-project list or the "
            "enterprise roster (default: report for --rows 1500, roster for --rows 20000, as "
            "before)",
        )

    def handle(self, *args, **options) -> None:
        if options["benchmark"] == "rollup":
            self._rollup(options)
        elif options["benchmark"] == "dashboard":
            self._dashboard(options)
        elif options["benchmark"] == "import":
            self._import(options)
        else:
            self._deadline(options)

    def _dashboard(self, options) -> None:
        import json

        from gongjian.bench import dashboard

        size = options["size"]
        if size not in ("city", "province", "tiny"):
            raise CommandError("bench dashboard needs --size city|province")
        concurrency = options["concurrency"]
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1")
        requests = options["requests"] or concurrency * 10
        quiet = options["format"] == "json"
        try:
            result = dashboard.run(
                SIZES[size],
                concurrency=concurrency,
                requests=requests,
                database_url=options["database_url"],
                regenerate=options["regenerate"],
                workers=options["workers"],
                threads=options["threads"],
                say=self.stderr.write if quiet else self.stdout.write,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if quiet:
            self.stdout.write(json.dumps(result.document(), ensure_ascii=False, indent=2))
        else:
            for line in result.table():
                self.stdout.write(line)
        if result.errors:
            raise CommandError(f"{result.errors} requests failed (not 200)")

    def _import(self, options) -> None:
        import json

        from gongjian.bench import imports

        try:
            result = imports.run(rows=options["rows"], kind=options["kind"], say=self.stderr.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.document(), ensure_ascii=False, indent=2))
        else:
            for line in result.table():
                self.stdout.write(line)

    def _rollup(self, options) -> None:
        from gongjian.bench.rollup import run

        if not options["size"]:
            raise CommandError("bench rollup needs --size city|province|nation-ci")
        try:
            run(
                SIZES[options["size"]],
                database_url=options["database_url"],
                regenerate=options["regenerate"],
                repeats=options["repeats"],
                say=self.stdout.write,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc

    def _deadline(self, options) -> None:
        from gongjian.bench import deadline

        if options["reports"] < 1 or options["seconds"] <= 0 or options["readers"] < 0:
            raise CommandError("--reports must be at least 1, --seconds positive, --readers ≥ 0")
        load = deadline.Load(
            reports=options["reports"],
            seconds=options["seconds"],
            readers=options["readers"],
            workers=options["workers"],
            threads=options["threads"],
            drain=options["drain"],
        )
        try:
            verdict = deadline.run(
                load,
                database_url=options["database_url"],
                source=options["source"],
                regenerate=options["regenerate"],
                period=options["period"] or deadline.DEMO_PERIOD,
                today=options["today"] or deadline.DEMO_TODAY,
                json_out=Path(options["json"]) if options["json"] else None,
                say=self.stdout.write,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if verdict.lost or verdict.drift:
            raise CommandError(
                f"lost work: {verdict.lost} acknowledged writes missing, "
                f"{verdict.drift} cells disagree with their rows"
            )
