"""`gongjian recompute`: rebuild every indicator's monthly cells from the rows (after a bulk load
or a restore), or with --check report the cells that disagree with their rows, changing nothing."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from gongjian.campaigns.rollup import rollup_drift, rollup_rebuild


class Command(BaseCommand):
    help = "Rebuild the indicators' monthly cells from reports and stage events / 重算指标月度合计"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="report cells that disagree with their rows and exit 1 if any; change nothing",
        )

    def handle(self, *args, check: bool, **options) -> None:
        started = time.perf_counter()
        if check:
            drift = rollup_drift()
            for code, region, month, stored, actual in drift:
                self.stdout.write(f"{code}\t{region}\t{month:%Y-%m}\t{stored}\t{actual}")
            if drift:
                raise CommandError(
                    f"{len(drift)} 个指标月度合计与明细不符 / cells disagree with their rows"
                )
            elapsed = time.perf_counter() - started
            self.stdout.write(f"指标月度合计与明细一致 / every cell agrees ({elapsed:.2f} s)")
            return
        written = rollup_rebuild()
        self.stdout.write(
            f"已重算 {written} 个指标月度合计 / rebuilt {written} cells "
            f"({time.perf_counter() - started:.2f} s)"
        )
