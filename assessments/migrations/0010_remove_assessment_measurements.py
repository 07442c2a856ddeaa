# Typed measurements, step 3 of 3: the JSON the rows replaced (0009) is removed.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0009_move_measurements_to_rows"),
    ]

    operations = [
        migrations.RemoveField(model_name="assessment", name="measurements"),
    ]
