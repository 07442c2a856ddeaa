"""The exercise library: the shipped exercises are copied into each clinic, which then owns them."""

from assessments.exercise_seed import EXERCISES
from assessments.models import Exercise


def save_exercise(*, exercise: Exercise, clinic_id: int) -> Exercise:
    """The admin's new or edited exercise of their clinic's library, checked whole before it is
    saved. A saved exercise keeps its code (plans refer to it)."""
    if exercise.clinic_id != clinic_id:
        raise ValueError("an exercise is saved only into its own clinic's library")
    if exercise.pk is not None:
        kept = Exercise.objects.values_list("code", flat=True).get(pk=exercise.pk)
        if kept != exercise.code:
            raise ValueError("a saved exercise keeps its code")
    exercise.full_clean()
    exercise.save()
    return exercise


def set_retired(*, exercise: Exercise, retired: bool) -> Exercise:
    """Retire an exercise (no longer proposed; plans that use it keep it), or bring it back."""
    exercise.retired = retired
    exercise.save(update_fields=["retired", "updated_at"])
    return exercise


def install_shipped(*, clinic) -> int:
    """Add the shipped exercises a clinic lacks (matched by code); returns how many were added."""
    have = set(Exercise.objects.filter(clinic=clinic).values_list("code", flat=True))
    added = [
        Exercise(
            clinic=clinic,
            code=seed["code"],
            name_ja=seed["name_ja"],
            name_en=seed["name_en"],
            purpose=seed["purpose"],
            steps="\n".join(seed["steps"]),
            key_points="\n".join(seed["key_points"]),
            cautions="\n".join(seed["cautions"]),
            care_tags=list(seed["care_tags"]),
            targets=list(seed["targets"]),
            hold_seconds=seed["hold_seconds"],
            reps=seed["reps"],
            sets=seed["sets"],
            times_per_day=seed["times_per_day"],
            duration_minutes=seed["duration_minutes"],
            per_side=seed["per_side"],
            illustration=seed["illustration"],
        )
        for seed in EXERCISES
        if seed["code"] not in have
    ]
    for exercise in added:
        exercise.save()  # one by one: no bulk writes on clinical data (history hooks, later)
    return len(added)
