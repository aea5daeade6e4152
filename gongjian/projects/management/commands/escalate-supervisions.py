import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gongjian.accounts.services import system_actor
from gongjian.core import periods
from gongjian.projects.services import supervision_escalate_overdue


class Command(BaseCommand):
    help = (
        "Escalate 督办 orders still open after their due date to the next level: "
        "gongjian escalate-supervisions [--today 2023-01-06]. 逾期督办升级。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", default="", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, today: str, **options):
        try:
            day = dt.date.fromisoformat(today) if today else periods.today()
        except ValueError as error:
            raise CommandError(str(error)) from None
        escalated = supervision_escalate_overdue(actor=system_actor(), today=day)
        for order in escalated:
            assert order.escalated_to_region is not None
            self.stdout.write(
                f"  {order.title}（{order.target}，期限 {order.due_date:%Y-%m-%d}）"
                f"→ 升级至{order.escalated_to_region.name}"
            )
        self.stdout.write(f"{day:%Y-%m-%d}：升级逾期督办 {len(escalated)} 件。")
