"""Reference data: the city's line departments named in the campaign."""

from django.db import migrations

DEPARTMENTS = [
    ("fgw", "市发改委", "Development and Reform Commission"),
    ("zsj", "市招商局", "Investment Promotion Bureau"),
    ("gxj", "市工信局", "Industry and Information Technology Bureau"),
    ("zjj", "市住建局", "Housing and Urban-Rural Development Bureau"),
    ("zrzyj", "市自然资源和规划局", "Natural Resources and Planning Bureau"),
    ("tjj", "市统计局", "Statistics Bureau"),
]


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    Department = apps.get_model("accounts", "Department")
    city = Region.objects.get(code="350500")
    for code, name, name_en in DEPARTMENTS:
        Department.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "region": city}
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("regions", "0002_quanzhou")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
