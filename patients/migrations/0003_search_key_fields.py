"""The search key gets one field per name part, each after "||" (so 1-2 character queries can
match the start of a field through a trigram index), and kanji variants folded to one form."""

from django.db import migrations

from patients import normalize

BATCH = 2000


def _old_key(p) -> str:
    return "|".join(
        normalize.fold(field)
        for field in (p.family_name + p.given_name, p.family_name_kana + p.given_name_kana)
    ) + f"|{p.phone_digits}"


def _new_key(p) -> str:
    return normalize.search_key(
        p.family_name + p.given_name,
        p.given_name,
        p.family_name_kana + p.given_name_kana,
        p.given_name_kana,
        p.phone_digits,
    )


def _rekey(apps, key):
    Patient = apps.get_model("patients", "Patient")
    fields = ("id", "family_name", "given_name", "family_name_kana", "given_name_kana")
    changed = []
    for patient in Patient.objects.only(*fields, "phone_digits", "search_key").iterator(BATCH):
        new = key(patient)
        if new != patient.search_key:
            patient.search_key = new
            changed.append(patient)
        if len(changed) >= BATCH:
            Patient.objects.bulk_update(changed, ["search_key"])
            changed = []
    Patient.objects.bulk_update(changed, ["search_key"])


def forwards(apps, schema_editor):
    _rekey(apps, _new_key)


def backwards(apps, schema_editor):
    _rekey(apps, _old_key)


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_reminders")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
