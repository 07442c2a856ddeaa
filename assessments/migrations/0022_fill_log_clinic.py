"""Every exercise log gets its patient's clinic."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    ExerciseLog = apps.get_model("assessments", "ExerciseLog")
    Patient = apps.get_model("patients", "Patient")
    ExerciseLog.objects.filter(clinic__isnull=True).update(
        clinic_id=Subquery(Patient.objects.filter(pk=OuterRef("patient_id")).values("clinic_id"))
    )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0021_log_clinic")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
