"""``gongjian upgrade``: after installing a new version, bring the database and the static files
up to it — migrate, recompute the indicators' monthly cells, collectstatic, in this order — while
the old version keeps serving. Run it as the tables' owner (docs/deploy.md), then restart the
web server and the worker.

Two upgrades at once would race each other's migrations, so the command holds a lock for its whole
run and refuses to start while another holds it: a PostgreSQL advisory lock (held by the database
server, so it also covers upgrades started on another machine), or for an SQLite file a lock file
beside it.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from argparse import ArgumentParser
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from gongjian.core.backup import Target

LOCK_NAME = "gongjian upgrade"
REFUSED = (
    "另一个升级（gongjian upgrade）正在对这个数据库运行，请等它结束。 / "
    "Another gongjian upgrade is running on this database; wait for it to finish."
)


@contextlib.contextmanager
def upgrade_lock(database: str = "default") -> Iterator[None]:
    """Hold the upgrade lock of ``database`` or raise CommandError at once if another holds it."""
    settings_dict = connections[database].settings_dict
    if connections[database].vendor == "postgresql":
        with Target.from_settings(settings_dict).connect(autocommit=True) as holder:
            row = holder.execute(
                "SELECT pg_try_advisory_lock(hashtext(%s))", [LOCK_NAME]
            ).fetchone()
            if not row or not row[0]:
                raise CommandError(REFUSED)
            yield  # the lock ends with the holder's session
        return
    name = str(settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        yield  # a database private to this process: nobody else can upgrade it
        return
    with open(Path(name).with_name(Path(name).name + ".upgrade-lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CommandError(REFUSED) from None
        yield


class Command(BaseCommand):
    help = (
        "升级后依次执行：迁移数据库、重算指标月度合计、收集静态文件（同一时间只允许一个升级）。 / "
        "After installing a new version: migrate, recompute, collectstatic, in this order "
        "(refused while another upgrade runs)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--database", default="default", help="Django database alias (default: default)"
        )

    def handle(self, *args: Any, database: str, **options: Any) -> None:
        verbosity = max(0, options["verbosity"] - 1)
        started = time.perf_counter()
        with upgrade_lock(database):
            self.stdout.write("1/3 migrate")
            call_command(
                "migrate",
                database=database,
                interactive=False,
                verbosity=verbosity,
                stdout=self.stdout,
            )
            self.stdout.write("2/3 recompute")
            call_command("recompute", verbosity=verbosity, stdout=self.stdout)
            self.stdout.write("3/3 collectstatic")
            call_command(
                "collectstatic", interactive=False, verbosity=verbosity, stdout=self.stdout
            )
        self.stdout.write(
            f"升级完成，请重启网站和后台任务服务。 / Upgrade done in "
            f"{time.perf_counter() - started:.0f} s; restart the web server and the worker."
        )
