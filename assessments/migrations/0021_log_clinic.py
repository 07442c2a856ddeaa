"""Each exercise log carries its patient's clinic, indexed with the day, so the practitioner's
watch list reads the clinic's recent logs from an index (issue 13: pages flat in the data).
Three steps (add, fill, require): PostgreSQL refuses to alter a table with row changes pending."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0020_remove_careplan_handout_pdf"),
        ("clinic", "0001_initial"),
        ("patients", "0004_search_trigram_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="exerciselog",
            name="clinic",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="clinic.clinic",
            ),
        ),
    ]
