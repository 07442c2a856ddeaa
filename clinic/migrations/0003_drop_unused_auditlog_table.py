"""django-auditlog 3.4 creates its own log-entry table even when AUDITLOG_LOGENTRY_MODEL points
elsewhere (jazzband/django-auditlog#804, fixed upstream in #805, not yet released). Nothing
writes to it here; on PostgreSQL its foreign key to django_content_type makes TRUNCATE (test
flushes) fail. The trail lives in clinic_auditentry."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0002_audit_trail"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS auditlog_logentry", migrations.RunSQL.noop),
    ]
