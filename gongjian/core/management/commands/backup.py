"""``gongjian backup --out DIR``: database dump, uploaded files and a manifest with checksums."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from gongjian.core.backup import BackupError, Target, backup


class Command(BaseCommand):
    help = (
        "备份数据库（pg_dump 自定义格式）和上传文件，附行数与 SHA-256 清单。 / "
        "Back up the database and MEDIA_ROOT into DIR with a manifest."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", required=True, help="new or empty directory")
        parser.add_argument("--database", default="default", help="Django database alias")

    def handle(self, *args: Any, out: str, database: str, **options: Any) -> None:
        try:
            target = Target.from_settings(connections[database].settings_dict)
            manifest = backup(out=Path(out), target=target, media_root=Path(settings.MEDIA_ROOT))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "已备份数据库 %(name)s：%(tables)s 张表 %(rows)s 行，"
                "上传文件 %(files)s 个，到 %(dir)s"
            )
            % {
                "name": manifest["database"],
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": manifest["media_files"],
                "dir": out,
            }
        )
