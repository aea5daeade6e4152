import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongjian.campaigns.management.commands.progress import _pad, _width
from gongjian.core.periods import today
from gongjian.plans.choices import LightColor
from gongjian.plans.lights import lights_json
from gongjian.plans.selectors import planned_projects
from gongjian.regions.models import Region


class Command(BaseCommand):
    help = "项目红黄绿灯 / Project lights of the year's key projects at a date"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", default="", help="YYYY-MM-DD（默认今天）")
        parser.add_argument("--region", default="", help="区域代码（默认全市）")
        parser.add_argument(
            "--light",
            choices=["red", "yellow", "green"],
            default="",
            help="只列此灯色（默认全部） / only this light",
        )
        parser.add_argument(
            "--format", choices=["json", "table"], default="table", help="输出格式 / output"
        )

    def handle(self, *args, **options) -> None:
        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else today()
        except ValueError:
            raise CommandError(_("日期格式应为 YYYY-MM-DD。")) from None
        projects = planned_projects(as_of.year)
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(_("未知的区域代码“%(code)s”。") % {"code": options["region"]})
            projects = projects.filter(region__path__startswith=region.path)
        document = lights_json(projects=projects, as_of=as_of)
        if options["light"]:
            document["projects"] = [
                p for p in document["projects"] if p["light"] == options["light"]
            ]
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        labels = dict(LightColor.choices)
        counts = document["counts"]
        self.stdout.write(
            _("截至 %(as_of)s：红灯 %(red)s 个，黄灯 %(yellow)s 个，绿灯 %(green)s 个")
            % {"as_of": document["as_of"], **counts}
        )
        width = max((_width(p["code"]) for p in document["projects"]), default=0)
        for item in document["projects"]:
            if item["light"] == LightColor.GREEN:
                continue
            self.stdout.write(
                f"{labels[item['light']]}  {_pad(item['code'], width, right=False)}  "
                f"{item['name']}：{'；'.join(item['reasons'])}"
            )
