"""The log's clinic is required, and (clinic, day) indexed; plans by (clinic, status, published)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assessments", "0022_fill_log_clinic")]

    operations = [
        migrations.AlterField(
            model_name="exerciselog",
            name="clinic",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="clinic.clinic",
            ),
        ),
        migrations.AddIndex(
            model_name="exerciselog",
            index=models.Index(fields=["clinic", "day"], name="log_clinic_day"),
        ),
        migrations.AddIndex(
            model_name="careplan",
            index=models.Index(
                fields=["clinic", "status", "published_at"], name="plan_clinic_published"
            ),
        ),
    ]
