"""``gongjian grant-app-role ROLE``: give the web server's database role its rights (see
gongjian/core/dbroles.py). Run it as the tables' owner, after ``gongjian migrate``."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from gongjian.core.dbroles import grant_app_role


class Command(BaseCommand):
    help = (
        "授予应用数据库角色数据读写权限，审计表仅可读取和追加（以表所有者身份在迁移后运行）。 / "
        "Grant the application's PostgreSQL role data rights, read and append only on the audit "
        "log (run as the tables' owner, after migrate)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("role", help="the role in the web server's DATABASE_URL")
        parser.add_argument("--database", default="default", help="Django database alias")

    def handle(self, *args: Any, role: str, database: str, **options: Any) -> None:
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("需要 PostgreSQL。 / grant-app-role needs PostgreSQL.")
        try:
            with transaction.atomic(using=database), connection.cursor() as cursor:
                done = grant_app_role(
                    cursor.cursor, role=role, database=connection.settings_dict["NAME"]
                )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for statement in done:
            self.stdout.write(f"  {statement}")
        self.stdout.write(
            f"已授权角色 {role}：审计表只读和追加。 / Role {role} granted; the audit log is "
            "read and append only for it."
        )
