"""``gongjian loaddemo``: the Quanzhou 2022 demo ledger, monthly reports and logins, the same
every run."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongjian.demo.campaign import DEMO_NOTES
from gongjian.demo.data import DEMO_PASSWORD, DEMO_USERS, DISTRICT_STAFF
from gongjian.demo.services import DemoLoadRefused, DemoSummary, demo_load
from gongjian.projects.models import Project


class Command(BaseCommand):
    help = (
        "载入泉州 2022 演示数据（项目、阶段记录、月度填报、园区和企业、演示账号），"
        "每次结果相同。 / "
        "Load the deterministic Quanzhou 2022 demo data "
        "(projects, stage events, monthly reports, parks and enterprises, demo logins)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--if-empty",
            action="store_true",
            help="台账已有项目时什么也不做 / do nothing when any project exists (for `make demo`)",
        )
        mode.add_argument(
            "--reset",
            action="store_true",
            help=(
                "先删除演示项目、阶段记录、月度填报、园区和企业及演示账号再载入 / "
                "delete the demo data first, then load"
            ),
        )

    def handle(self, *args: Any, if_empty: bool, reset: bool, **options: Any) -> None:
        if if_empty and Project.objects.exists():
            self.stdout.write(
                "台账中已有项目，未载入演示数据。 / "
                "Projects already exist; demo data not loaded (--if-empty)."
            )
            return
        started = time.monotonic()
        try:
            summary = demo_load(reset=reset)
        except DemoLoadRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self._report(summary, time.monotonic() - started)

    def _report(self, summary: DemoSummary, seconds: float) -> None:
        write = self.stdout.write
        if summary.removed_project_count:
            write(
                f"已清除原演示项目 {summary.removed_project_count} 个 / "
                f"removed {summary.removed_project_count} earlier demo projects"
            )
        write(
            self.style.SUCCESS(
                f"泉州 2022 演示数据已载入（{seconds:.1f} 秒） / "
                f"Quanzhou 2022 demo data loaded in {seconds:.1f} s"
            )
        )
        # Codes first: Chinese characters are double width and would break the columns.
        for code, name, count in summary.projects_by_category:
            write(f"  {code:<22}{count:>6}  {name}")
        write(f"  {'projects':<22}{summary.project_count:>6}  项目合计")
        write(f"  {'stage events':<22}{summary.event_count:>6}  阶段记录")
        for stage, label, count in summary.events_by_stage:
            write(f"    {stage:<20}{count:>6}  {label}")
        write(f"  {'reporting periods':<22}{summary.period_count:>6}  填报期")
        write(f"  {'reports':<22}{summary.report_count:>6}  月度进展报告")
        for status, label, count in summary.reports_by_status:
            write(f"    {status:<20}{count:>6}  {label}")
        write(f"  {'status changes':<22}{summary.status_change_count:>6}  报告状态变更")
        write(f"  {'parks':<22}{summary.park_count:>6}  园区")
        write(f"  {'enterprises':<22}{summary.enterprise_count:>6}  企业")
        write(f"    {'above scale':<20}{summary.above_scale_count:>6}  规上工业企业")
        write(f"  {'demo users':<22}{summary.user_count:>6}  演示账号")
        for user in DEMO_USERS:
            write(f"    {user.username:<20}{user.display_name}")
        examples = "、".join(user.username for user in DISTRICT_STAFF[:2])
        write(
            f"    + {len(DISTRICT_STAFF)} 个县区填报员、审核员（如 {examples}） / "
            f"{len(DISTRICT_STAFF)} more district filers and reviewers"
        )
        write(f"  演示密码 / password: {DEMO_PASSWORD}")
        write("  演示说明 / demo notes:")
        for note in DEMO_NOTES:
            write(f"    - {note}")
