# Clinical safety v2, step 3 of 3: the exercises' care tags (0006) replace their contraindications.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_one_history_and_hazards"),
    ]

    operations = [
        migrations.RemoveField(model_name="exercise", name="contraindications"),
    ]
