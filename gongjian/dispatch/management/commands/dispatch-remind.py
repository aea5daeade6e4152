import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gongjian.core import periods
from gongjian.dispatch.services import task_send_reminders


class Command(BaseCommand):
    help = (
        "Remind the owners of 交办事项 due within three days or overdue (once a day; SMS too "
        "when overdue): gongjian dispatch-remind [--today 2022-12-02]. 交办事项到期提醒。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", default="", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, today: str, **options):
        try:
            day = dt.date.fromisoformat(today) if today else periods.today()
        except ValueError as error:
            raise CommandError(str(error)) from None
        count = task_send_reminders(on=day)
        self.stdout.write(f"{day:%Y-%m-%d}：提醒交办事项 {count} 件。")
