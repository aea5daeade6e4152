"""``gongjian audit-purge``: delete audit events past retention (never younger than 183 days)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongjian.accounts.services import system_actor
from gongjian.audit.guard import RETENTION_FLOOR_DAYS
from gongjian.audit.models import AuditEvent
from gongjian.audit.services import audit_purge, audit_purge_cutoff


class Command(BaseCommand):
    help = (
        "删除超过保留期的审计日志（至少保留 183 天）。 / "
        "Delete audit events older than --older-than-days (default and floor 183)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=RETENTION_FLOOR_DAYS,
            help="删除早于此天数的事件，不少于 %(default)s / remove events older than this "
            "many days (at least %(default)s)",
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计不删除 / count only")

    def handle(self, *args: Any, older_than_days: int, dry_run: bool, **options: Any) -> None:
        try:
            cutoff = audit_purge_cutoff(older_than_days=older_than_days)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if dry_run:
            count = AuditEvent.objects.filter(at__lt=cutoff).count()
            self.stdout.write(_("将删除 %(count)s 条审计日志（未修改）。") % {"count": count})
            return
        count = audit_purge(actor=system_actor(), older_than_days=older_than_days)
        self.stdout.write(_("已删除 %(count)s 条审计日志。") % {"count": count})
