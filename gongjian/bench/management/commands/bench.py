"""`gongjian bench rollup --size city|province|nation-ci`: see gongjian/bench/rollup.py."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gongjian.bench.sizes import PUBLIC_SIZES, SIZES


class Command(BaseCommand):
    help = (
        "Benchmarks: `rollup` generates a size into its own PostgreSQL database "
        "(gongjian_bench_<size>) and prints the engine's full evaluation, freshness after "
        "approvals, hand-written SQL, DuckDB and pandas timings."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("benchmark", choices=["rollup"])
        parser.add_argument(
            "--size",
            required=True,
            choices=[*PUBLIC_SIZES, "tiny"],
            help="city (1,000 projects), province (25,000), nation-ci (700,000)",
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
        parser.add_argument("--repeats", type=int, default=None, help="runs of each method")

    def handle(self, *args, **options) -> None:
        from gongjian.bench.rollup import run

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
