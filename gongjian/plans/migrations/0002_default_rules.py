from decimal import Decimal

from django.db import migrations

LIGHT_RULES = [
    # code, name, kind, color, threshold, months
    ("behind-10", "年度计划完成落后序时进度超过10个百分点", "behind_schedule", "yellow", Decimal(10), None),
    ("behind-30", "年度计划完成落后序时进度超过30个百分点", "behind_schedule", "red", Decimal(30), None),
    ("start-overdue", "计划开工月份已过仍未开工", "start_overdue", "red", None, None),
    ("no-report-2m", "连续两个月无审核通过的月报", "no_approved_report", "yellow", None, 2),
]
BOARD_RULES = [
    # code, name, subject, keywords, size
    ("projects", "重点项目红黑榜", "project", "", 5),
    ("regions", "县（市、区）红黑榜", "region", "", 3),
    ("departments", "市直部门红黑榜", "unit", "局、委、办", 3),
    ("soes", "国有企业红黑榜", "unit", "集团、公司", 3),
]


def add_rules(apps, schema_editor):
    LightRule = apps.get_model("plans", "LightRule")
    BoardRule = apps.get_model("plans", "BoardRule")
    for order, (code, name, kind, color, threshold, months) in enumerate(LIGHT_RULES, start=1):
        LightRule.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "color": color,
                "threshold": threshold,
                "months": months,
                "sort_order": order * 10,
            },
        )
    for order, (code, name, subject, keywords, size) in enumerate(BOARD_RULES, start=1):
        BoardRule.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "subject": subject,
                "unit_keywords": keywords,
                "size": size,
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
