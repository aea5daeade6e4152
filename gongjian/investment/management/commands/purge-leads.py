"""``gongjian purge-leads``: anonymise closed investment leads past the retention period."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongjian.core import periods
from gongjian.investment.services import leads_due_for_purge, leads_purge


class Command(BaseCommand):
    help = (
        "匿名化超过保留期的已关闭招商线索（落地、流失、疑似垃圾）："
        "清除联系人、手机号、IP 和补充说明。 / "
        "Anonymise closed investment leads older than the retention period."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="保留天数，默认 GONGJIAN_LEAD_RETENTION_DAYS / retention in days",
        )
        parser.add_argument("--today", default="", help="按此日期计算（YYYY-MM-DD）/ as of")
        parser.add_argument("--dry-run", action="store_true", help="只统计不修改 / count only")

    def handle(self, *args: Any, days: int | None, today: str, dry_run: bool, **options: Any):
        retention = settings.LEAD_RETENTION_DAYS if days is None else days
        if retention < 1:
            raise CommandError("--days 须至少为 1 / must be at least 1")
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today {today!r} 不是日期 YYYY-MM-DD") from None
            now = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
        else:
            now = periods.now()
        if dry_run:
            count = leads_due_for_purge(now=now, retention_days=retention).count()
            self.stdout.write(f"将匿名化 {count} 条线索（未修改）/ would anonymise {count} leads")
            return
        count = leads_purge(now=now, retention_days=retention)
        self.stdout.write(f"已匿名化 {count} 条线索 / anonymised {count} leads")
