import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from gongjian.core.periods import parse_month
from gongjian.dispatch.selectors import agenda_document
from gongjian.regions.choices import RegionKind
from gongjian.regions.models import Region


class Command(BaseCommand):
    help = (
        "Print the dispatch meeting's agenda for a month, generated from the data at the month's "
        "end: gongjian dispatch-agenda --period 2022-11 [--region CODE] [--as-of YYYY-MM-DD] "
        "--format json|table. 生成调度会议程。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument(
            "--region", default="", help="a district's code (default: the whole city)"
        )
        parser.add_argument("--as-of", default="", help="YYYY-MM-DD (default: the month's end)")
        parser.add_argument(
            "--format",
            choices=["json", "table"],
            default="table",
            help="json for tools, table for people",
        )

    def handle(self, *args, period: str, region: str, as_of: str, format: str, **options):
        try:
            month = parse_month(period)
            when = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        if region:
            scope = Region.objects.filter(code=region).first()
            if scope is None:
                raise CommandError(f"未知的区域代码 / unknown region code: {region!r}")
        else:
            scope = Region.objects.filter(kind=RegionKind.CITY).order_by("path").first()
            if scope is None:
                raise CommandError("没有设区市 / no city region")
        document = agenda_document(region=scope, period=month, as_of=when)
        if format == "json":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{scope.name} {document['period']} 调度会议程（{len(document['items'])} 项）"
        )
        for number, item in enumerate(document["items"], start=1):
            self.stdout.write(f"{number:>3}. [{item['kind']}] {item['ref']} {item['title']}")
            for reason in item["reasons"]:
                self.stdout.write(f"       - {reason}")
