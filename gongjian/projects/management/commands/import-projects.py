import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongjian.accounts.services import system_actor
from gongjian.campaigns.management.commands.progress import _pad, _width
from gongjian.projects.imports import ProjectListError, import_projects
from gongjian.regions.models import Region


class Command(BaseCommand):
    help = "导入年度重点项目清单（.xlsx/.xls/.csv） / Import a published key-project list"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="重点项目清单 .xlsx/.xls/.csv / the key-project list")
        parser.add_argument("--year", type=int, required=True, help="清单年度 / the list's year")
        parser.add_argument("--region", default="", help="区域代码，表中无所在地列时使用")
        parser.add_argument("--update", action="store_true", help="更新已有项目（按项目编号）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument(
            "--format", choices=["json", "table"], default="table", help="输出格式 / output"
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(_("未知的区域代码“%(code)s”。") % {"code": options["region"]})
        try:
            result = import_projects(
                actor=system_actor(),
                data=path.read_bytes(),
                filename=path.name,
                year=options["year"],
                region=region,
                update=options["update"],
                dry_run=options["dry_run"],
            )
        except ProjectListError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(result))
        if result.errors:
            raise CommandError(
                _("有 %(count)s 处错误，未导入任何项目。") % {"count": len(result.errors)}
            )


def render_table(result) -> str:
    data = result.as_json()
    lines = [
        _("项目 %(rows)s 个，新建 %(created)s，更新 %(updated)s；")
        % {"rows": data["rows"], "created": data["created"], "updated": data["updated"]}
        + _("跳过 %(skipped)s 行，错误 %(errors)s 处")
        % {
            "skipped": len(data["skipped"]),
            "errors": len(data["errors"]),
        },
        _("总投资 %(total)s 万元，年度计划投资 %(plan)s 万元")
        % {"total": data["total_investment"], "plan": data["plan_investment"]},
    ]
    if result.dry_run:
        lines.append(_("（试导入，未写入）"))
    for warning in data["warnings"]:
        lines.append(_("提示：%(text)s") % {"text": warning})
    if data["skipped"]:
        lines.append(_("跳过的行："))
        for item in data["skipped"]:
            lines.append(f"  {_pad(str(item['row']), 5, right=True)}  {item['reason']}")
    if data["errors"]:
        lines.append(_("错误："))
        width = max(_width(f"{e['column']}{e['row']}") for e in data["errors"])
        for item in data["errors"]:
            cell = f"{item['column']}{item['row']}"
            lines.append(f"  {_pad(cell, width, right=False)}  {item['message']}")
    return "\n".join(lines)
