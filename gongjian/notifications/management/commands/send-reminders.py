import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongjian.accounts.services import system_actor
from gongjian.core import periods
from gongjian.notifications.choices import ReminderKind
from gongjian.notifications.reminders import code_list, reminders_send
from gongjian.reporting.models import ReportingPeriod
from gongjian.reporting.selectors import period_current


class Command(BaseCommand):
    help = (
        "Remind district filers of missing reports, or chase overdue ones: "
        "gongjian send-reminders [--period 2022-12] [--today 2023-01-06] [--dry-run]. "
        "催报：提醒各县区填报员报送未报送的月度报告。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", default="", help="YYYY-MM (default: the current period)")
        parser.add_argument("--today", default="", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be sent; send nothing"
        )

    def handle(self, *args, period: str, today: str, dry_run: bool, **options):
        try:
            month = periods.parse_month(period) if period else None
            day = dt.date.fromisoformat(today) if today else periods.today()
        except ValueError as error:
            raise CommandError(str(error)) from None
        if month is None:
            found = period_current()
        else:
            found = ReportingPeriod.objects.filter(month=month).first()
        if found is None:
            raise CommandError(f"没有 {period or '当前'} 的填报期 / no such reporting period")
        try:
            outcome = reminders_send(period=found, today=day, actor=system_actor(), dry_run=dry_run)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None

        kind = "逾期催报" if outcome.kind == ReminderKind.OVERDUE else "填报提醒"
        heading = f"{found.label} {kind}（{day:%Y-%m-%d}，截止 {found.due_date:%Y-%m-%d}）"
        self.stdout.write(heading + ("  [试运行，未发送]" if dry_run else ""))
        for shortfall in outcome.shortfalls:
            told = outcome.recipients_of(shortfall.region)
            names = "、".join(r.user.username for r in told) or "无（没有可通知的填报员）"
            self.stdout.write(
                f"  {shortfall.region.name} 未报送 {len(shortfall.codes)} 个："
                f"{code_list(shortfall.codes, 5)} → 通知 {names}"
            )
        emails = sum(1 for r in outcome.sent if r.emailed)
        texts = sum(1 for r in outcome.sent if r.texted)
        self.stdout.write(
            f"合计：{len(outcome.shortfalls)} 个区域 {outcome.project_count} 个项目未报送；"
            f"{'将' if dry_run else '已'}通知 {len(outcome.sent)} 人，邮件 {emails} 封，"
            f"短信 {texts} 条；今日已提醒而跳过 {len(outcome.skipped)} 人。"
        )
