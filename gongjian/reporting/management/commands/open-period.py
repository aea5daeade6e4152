from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongjian.accounts.services import system_actor
from gongjian.core.periods import parse_month
from gongjian.reporting.services import period_open


class Command(BaseCommand):
    help = (
        "Open a month for reporting: gongjian open-period 2022-12 [--due 2023-01-05]. 开启填报期。"
    )

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument(
            "--due", default="", help="due date YYYY-MM-DD (default: 5th of next month)"
        )

    def handle(self, *args, month: str, due: str, **options):
        import datetime as dt

        try:
            first = parse_month(month)
            due_date = dt.date.fromisoformat(due) if due else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        try:
            period = period_open(actor=system_actor(), month=first, due_date=due_date)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(
            f"{period.label} 填报期：{period.get_state_display()}，截止 {period.due_date:%Y-%m-%d}"
        )
