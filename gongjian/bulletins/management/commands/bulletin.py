from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongjian.accounts.services import system_actor
from gongjian.bulletins.choices import BulletinFormat
from gongjian.bulletins.services import bulletin_build
from gongjian.campaigns.models import Campaign
from gongjian.core.periods import parse_month


class Command(BaseCommand):
    help = (
        "Write a campaign's monthly bulletin: gongjian bulletin --campaign xmgj2022 "
        "--period 2022-11 --format pdf|docx|xlsx --out FILE. 生成月度工作通报。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="campaign code, e.g. xmgj2022")
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument(
            "--format", required=True, choices=BulletinFormat.values, help="the file type"
        )
        parser.add_argument("--out", required=True, help="the file to write")

    def handle(self, *args, campaign: str, period: str, format: str, out: str, **options):
        try:
            month = parse_month(period)
        except ValueError:
            raise CommandError(_("月份格式应为 YYYY-MM：%(value)s") % {"value": period}) from None
        found = Campaign.objects.filter(code=campaign).first()
        if found is None:
            raise CommandError(_("未找到攻坚行动“%(code)s”。") % {"code": campaign})
        try:
            # Shell access to the server is the permission: the command acts as the system.
            data = bulletin_build(actor=system_actor(), campaign=found, month=month, format=format)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        path = Path(out)
        path.write_bytes(data)
        self.stdout.write(_("已写入 %(path)s（%(size)s 字节）") % {"path": path, "size": len(data)})
