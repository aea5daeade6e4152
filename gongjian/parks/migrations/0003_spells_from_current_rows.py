"""Turn every enterprise's current fields into its spells (``parks.history.initial_spells``): the
history the registry held so far was "entered its park on …" and "above scale since …"."""

from django.db import migrations

BATCH = 2000


def forwards(apps, schema_editor):
    from gongjian.parks.history import initial_spells

    Enterprise = apps.get_model("parks", "Enterprise")
    EnterpriseSpell = apps.get_model("parks", "EnterpriseSpell")
    rows = Enterprise.objects.filter(spells__isnull=True).order_by("pk")
    batch = []
    for enterprise in rows.iterator(chunk_size=BATCH):
        for draft in initial_spells(
            region_id=enterprise.region_id,
            park_id=enterprise.park_id,
            is_above_scale=enterprise.is_above_scale,
            above_scale_since=enterprise.above_scale_since,
            entered_park_on=enterprise.entered_park_on,
            industrial_land_mu=enterprise.industrial_land_mu,
            established_on=enterprise.established_on,
        ):
            batch.append(
                EnterpriseSpell(
                    enterprise_id=enterprise.pk,
                    region_id=draft.state.region_id,
                    park_id=draft.state.park_id,
                    is_above_scale=draft.state.is_above_scale,
                    previous_above_scale=draft.previous_above_scale,
                    industrial_land_mu=draft.state.industrial_land_mu,
                    valid_from=draft.valid_from,
                    valid_to=draft.valid_to,
                )
            )
        if len(batch) >= BATCH:
            EnterpriseSpell.objects.bulk_create(batch)
            batch = []
    EnterpriseSpell.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    apps.get_model("parks", "EnterpriseSpell").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("parks", "0002_enterprise_spells")]

    operations = [migrations.RunPython(forwards, backwards)]
