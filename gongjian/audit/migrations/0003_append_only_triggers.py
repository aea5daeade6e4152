"""Database triggers that keep audit_auditevent append-only (see gongjian/audit/guard.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from gongjian.audit.guard import install

    install(schema_editor.connection)


def backwards(apps, schema_editor):
    from gongjian.audit.guard import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_alter_auditevent_action"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
