"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit trail (the model
refuses them in the application everywhere). TRUNCATE, used only by test flushes and by a
restore into an empty database, is not a row change and is left alone. Someone with the rights
to drop the trigger can still alter rows: the hash chain is what detects that."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION hikagami_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER clinic_auditentry_append_only
    BEFORE UPDATE OR DELETE ON clinic_auditentry
    FOR EACH ROW EXECUTE FUNCTION hikagami_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS clinic_auditentry_append_only ON clinic_auditentry;
DROP FUNCTION IF EXISTS hikagami_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0004_clinic_require_two_factor")]

    operations = [migrations.RunPython(forwards, backwards)]
