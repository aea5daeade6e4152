"""The cells of sums and counts now keep the number of their rows in ``base`` (it was 0): build
them again from the rows, as ``gongjian recompute`` does."""

from django.db import migrations


def rebuild(apps, schema_editor):
    # The live rebuild (not historical models): it is what keeps the cells, and it reads the
    # indicators' definitions through the same parser as every write.
    from gongjian.campaigns.rollup import rollup_rebuild

    if apps.get_model("campaigns", "IndicatorCell").objects.exists():
        rollup_rebuild()


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0006_indicator_versions")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
