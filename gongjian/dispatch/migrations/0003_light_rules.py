"""The dispatch's default light rules (kinds registered by ``dispatch.lights``)."""

from django.db import migrations

LIGHT_RULES = [
    # code, name, kind, color, days
    ("milestone-overdue", "前期工作节点逾期", "milestone_overdue", "red", None),
    (
        "milestone-near-start",
        "计划开工前60天内仍有前期工作未完成",
        "milestone_near_start",
        "yellow",
        60,
    ),
    ("factor-overdue", "要素保障需求逾期未解决", "factor_request_overdue", "red", None),
    ("factor-open", "有待解决的要素保障需求", "factor_request_open", "yellow", None),
]


def add_rules(apps, schema_editor):
    LightRule = apps.get_model("plans", "LightRule")
    for order, (code, name, kind, color, days) in enumerate(LIGHT_RULES, start=1):
        LightRule.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "color": color,
                "days": days,
                "sort_order": 100 + order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0002_catalogue"), ("plans", "0002_default_rules")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
