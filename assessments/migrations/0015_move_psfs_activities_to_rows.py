# PSFS activities as rows, step 2 of 3: each scale's JSON list of {"name", "score"} becomes
# FunctionalActivity rows in the order the patient named them.
#
# Nothing is lost: an activity the row cannot hold as it is (no name, a name longer than 80
# characters, a score that is not a whole number from 0 to 10, keys other than name and score,
# a sixth activity) is not moved and is kept as it was in `activities_unmigrated`, which the
# disclosure export shows. Going back gives the list again, the kept activities after the rows.

from django.db import migrations

MAX_ACTIVITIES, NAME_LENGTH = 5, 80


def held(activity) -> tuple[str, int] | None:
    if not isinstance(activity, dict) or set(activity) - {"name", "score"}:
        return None
    name, score = activity.get("name"), activity.get("score")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_LENGTH:
        return None
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        return None
    return name.strip(), score


def split(stored) -> tuple[list[tuple[str, int]], list]:
    """([(name, score)] to move, [kept as recorded]) of one scale's JSON."""
    if not isinstance(stored, list):
        return [], ([] if stored in (None, "", {}) else [stored])
    moved, kept = [], []
    for activity in stored:
        row = held(activity)
        if row is None or len(moved) == MAX_ACTIVITIES:
            kept.append(activity)
        else:
            moved.append(row)
    return moved, kept


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Scale = apps.get_model("assessments", "FunctionalScale")
    Activity = apps.get_model("assessments", "FunctionalActivity")
    for scale in Scale.objects.using(db).order_by("pk").iterator():
        moved, kept = split(scale.activities)
        Activity.objects.using(db).bulk_create(
            Activity(scale_id=scale.pk, position=position, name=name, score=score)
            for position, (name, score) in enumerate(moved)
        )
        if kept:
            scale.activities_unmigrated = kept
            scale.save(using=db, update_fields=["activities_unmigrated"])


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Scale = apps.get_model("assessments", "FunctionalScale")
    Activity = apps.get_model("assessments", "FunctionalActivity")
    for scale in Scale.objects.using(db).order_by("pk").iterator():
        rows = Activity.objects.using(db).filter(scale_id=scale.pk).order_by("position")
        scale.activities = [{"name": r.name, "score": r.score} for r in rows] + list(
            scale.activities_unmigrated or []
        )
        scale.save(using=db, update_fields=["activities"])
    # the rows go with their table (0014 backwards)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0014_psfs_activity_rows"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
