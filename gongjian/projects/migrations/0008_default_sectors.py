from django.db import migrations

SECTORS = [
    ("industry", "产业", "Industry"),
    ("transport", "交通", "Transport"),
    ("energy", "能源", "Energy"),
    ("urban", "城建", "Urban construction"),
    ("agri-water", "农林水利", "Agriculture, forestry and water"),
    ("social", "社会事业", "Social services"),
    ("new-infra", "新基建", "New infrastructure"),
    ("other", "其他", "Other"),
]


def add_sectors(apps, schema_editor):
    Sector = apps.get_model("projects", "Sector")
    for order, (code, name, name_en) in enumerate(SECTORS, start=1):
        Sector.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_key_project_list_fields")]
    operations = [migrations.RunPython(add_sectors, migrations.RunPython.noop)]
