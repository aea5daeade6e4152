"""Database guards: a published assessment result, its scores and a published rubric are never
updated (the models refuse too; this also stops raw SQL and bulk updates). Deleting stays
possible so that removing a whole campaign (e.g. reloading the demo) cascades."""

from django.db import migrations

TABLES = ("assessment_assessmentresult", "assessment_assessmentscore")
MESSAGE = "published assessment results are immutable"
RUBRIC_MESSAGE = "a published rubric is immutable"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION assessment_refuse_update() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE OR REPLACE FUNCTION assessment_refuse_rubric_update() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{RUBRIC_MESSAGE}'; END; $$ LANGUAGE plpgsql"
            )
            for table in TABLES:
                cursor.execute(
                    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION assessment_refuse_update()"
                )
            cursor.execute(
                "CREATE TRIGGER assessment_rubric_no_update BEFORE UPDATE ON assessment_rubric "
                "FOR EACH ROW WHEN (OLD.status = 'published') "
                "EXECUTE FUNCTION assessment_refuse_rubric_update()"
            )
        elif vendor == "sqlite":
            for table in TABLES:
                cursor.execute(
                    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )
            cursor.execute(
                "CREATE TRIGGER assessment_rubric_no_update BEFORE UPDATE ON assessment_rubric "
                "FOR EACH ROW WHEN OLD.status = 'published' "
                f"BEGIN SELECT RAISE(ABORT, '{RUBRIC_MESSAGE}'); END"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        names = [f"{t}_no_update" for t in TABLES] + ["assessment_rubric_no_update"]
        tables = [*TABLES, "assessment_rubric"]
        for name, table in zip(names, tables, strict=True):
            if vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            elif vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS assessment_refuse_update()")
            cursor.execute("DROP FUNCTION IF EXISTS assessment_refuse_rubric_update()")


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
