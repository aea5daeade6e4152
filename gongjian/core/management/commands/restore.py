"""``gongjian restore DIR``: load a backup in one transaction, stopping at the first error."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from gongjian.core.backup import BackupError, Target, restore


class Command(BaseCommand):
    help = (
        "从备份目录恢复数据库和上传文件（单一事务，遇错即停；目标非空时需 --force）。 / "
        "Restore a backup directory into DATABASE_URL (or --database-url) and MEDIA_ROOT."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("source", help="backup directory written by gongjian backup")
        parser.add_argument("--database-url", default="", help="target (default: DATABASE_URL)")
        parser.add_argument("--media-root", default="", help="target (default: MEDIA_ROOT)")
        parser.add_argument("--force", action="store_true", help="overwrite a non-empty target")

    def handle(
        self,
        *args: Any,
        source: str,
        database_url: str,
        media_root: str,
        force: bool,
        **options: Any,
    ) -> None:
        try:
            target = (
                Target.from_url(database_url)
                if database_url
                else Target.from_settings(connections["default"].settings_dict)
            )
            manifest = restore(
                source=Path(source),
                target=target,
                media_root=Path(media_root or settings.MEDIA_ROOT),
                force=force,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "已恢复到数据库 %(name)s：%(tables)s 张表 %(rows)s 行与备份清单一致，"
                "上传文件 %(files)s 个。"
            )
            % {
                "name": target.name,
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": manifest["media_files"],
            }
        )
