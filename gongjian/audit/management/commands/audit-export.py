"""``gongjian audit-export``: the audit log for auditors, hash-chained, with the file's SHA-256."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.services import system_actor
from gongjian.audit.choices import AuditAction
from gongjian.audit.exports import audit_export
from gongjian.audit.services import audit_record


def _day(value: str, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(name)s 日期格式应为 YYYY-MM-DD：%(value)s") % {"name": name, "value": value}
        ) from None
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


class Command(BaseCommand):
    help = (
        "导出审计日志（CSV 或 JSONL，含哈希链和文件 SHA-256）。 / "
        "Export the audit log as CSV or JSONL with a SHA-256 hash chain."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", required=True, help="output file")
        parser.add_argument(
            "--format",
            choices=["jsonl", "csv"],
            default="jsonl",
            help="jsonl (one event a line, default) or csv / 文件格式",
        )
        parser.add_argument("--since", default="", help="YYYY-MM-DD, inclusive")
        parser.add_argument("--until", default="", help="YYYY-MM-DD, exclusive")

    def handle(
        self, *args: Any, out: str, format: str, since: str, until: str, **options: Any
    ) -> None:
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(_("目录不存在：%(dir)s") % {"dir": path.parent})
        count, last, file_hash = audit_export(
            path=path, fmt=format, since=_day(since, "--since"), until=_day(until, "--until")
        )
        audit_record(
            actor=system_actor(),
            action=AuditAction.EXPORT,
            message=_("导出审计日志 %(count)s 条，文件 SHA-256 %(hash)s。")
            % {"count": count, "hash": file_hash},
        )
        self.stdout.write(
            _("已导出 %(count)s 条审计日志到 %(path)s；哈希链末值 %(last)s；文件 SHA-256 %(hash)s")
            % {"count": count, "path": path, "last": last, "hash": file_hash}
        )
