"""Signed investment projects count by their stage dates; they do not file monthly progress."""

from django.db import migrations


def load(apps, schema_editor):
    Category = apps.get_model("projects", "Category")
    Category.objects.filter(code="investment-signed").update(requires_monthly_report=False)


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_category_requires_monthly_report")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
