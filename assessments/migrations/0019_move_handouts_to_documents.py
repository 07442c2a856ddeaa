# The handout in a table of its own, step 2 of 3: each plan's cached PDF (the Japanese handout,
# the only one ever cached) becomes a PlanDocument row, byte for byte. Its render time was never
# kept: the plan's publishing time stands in. Going back puts the bytes on the plan again.
#
# One plan at a time, so that no more than one PDF is in memory.

import hashlib

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    CarePlan = apps.get_model("assessments", "CarePlan")
    PlanDocument = apps.get_model("assessments", "PlanDocument")
    cached = CarePlan.objects.using(db).filter(handout_pdf__isnull=False).order_by("pk")
    for pk in cached.values_list("pk", flat=True).iterator():
        plan = CarePlan.objects.using(db).only("pk", "published_at", "handout_pdf").get(pk=pk)
        content = bytes(plan.handout_pdf)
        if not content:
            continue
        PlanDocument.objects.using(db).create(
            plan_id=pk,
            language="ja",
            pdf=content,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            rendered_at=plan.published_at or timezone.now(),
        )


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    CarePlan = apps.get_model("assessments", "CarePlan")
    PlanDocument = apps.get_model("assessments", "PlanDocument")
    documents = PlanDocument.objects.using(db).filter(language="ja").order_by("pk")
    for pk in documents.values_list("pk", flat=True).iterator():
        document = PlanDocument.objects.using(db).get(pk=pk)
        CarePlan.objects.using(db).filter(pk=document.plan_id).update(
            handout_pdf=bytes(document.pdf)
        )
    PlanDocument.objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0018_plan_document")]

    operations = [migrations.RunPython(forwards, backwards)]
