"""A trigram index for patient search: pg_trgm GIN on (clinic_id, search_key) on PostgreSQL, an
FTS5 trigram table kept in sync by triggers on SQLite (see patients/search.py)."""

from django.db import migrations

from patients import search


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        search.create_index(cursor, schema_editor.connection.vendor)


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        search.drop_index(cursor, schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [("patients", "0003_search_key_fields")]

    operations = [migrations.RunPython(forwards, backwards)]
