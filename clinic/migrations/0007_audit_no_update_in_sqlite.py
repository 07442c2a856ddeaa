"""On SQLite the database refuses UPDATE on the audit trail too. DELETE stays possible there:
Django's test flush empties tables with DELETE (PostgreSQL's uses TRUNCATE, which its trigger
leaves alone), and a removed entry is what the hash chain detects."""

from django.db import migrations

CREATE = """
CREATE TRIGGER clinic_auditentry_no_update
BEFORE UPDATE ON clinic_auditentry
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
"""
DROP = "DROP TRIGGER IF EXISTS clinic_auditentry_no_update;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0006_audit_entries_protected")]

    operations = [migrations.RunPython(forwards, backwards)]
