"""What every care-plan module reads: the clinic's library as the rules read it, the plan input
of an assessment, and the hazards in force for an assessment or a plan."""

import datetime as dt

from assessments import services
from assessments.models import CarePlan, Exercise, PlanItem
from assessments.rules import hazards as hazard_rules
from assessments.rules.findings import PlanInput
from assessments.rules.library import LibraryExercise
from assessments.rules.redflags import screen

KIND_ORDER = [
    PlanItem.Kind.CLINIC,
    PlanItem.Kind.EXERCISE,
    PlanItem.Kind.HABIT,
    PlanItem.Kind.SUPPORTER,
    PlanItem.Kind.COMPRESS,
]
DOSE_FIELDS = ("hold_seconds", "reps", "sets", "times_per_day", "duration_minutes")


def ordered_items(plan: CarePlan, *, include_removed=True) -> list[PlanItem]:
    items = plan.items.select_related("exercise")
    if not include_removed:
        items = items.filter(removed=False)
    return sorted(items, key=lambda item: (KIND_ORDER.index(item.kind), item.position, item.id))


def library_exercise(row: Exercise) -> LibraryExercise:
    return LibraryExercise(
        code=row.code,
        name=row.name_ja,
        targets=row.targets,
        care_tags=row.care_tags,
        hold_seconds=row.hold_seconds,
        reps=row.reps,
        sets=row.sets,
        times_per_day=row.times_per_day,
        duration_minutes=row.duration_minutes,
        per_side=row.per_side,
        retired=row.retired,
    )


def library_for(clinic_id) -> dict[str, Exercise]:
    return {row.code: row for row in Exercise.objects.filter(clinic_id=clinic_id)}


def pure_library(rows: dict[str, Exercise]) -> dict[str, LibraryExercise]:
    return {code: library_exercise(row) for code, row in rows.items()}


def plan_input(assessment, rows: dict[str, Exercise], today: dt.date, lifted=()) -> PlanInput:
    thresholds = services.effective_thresholds(assessment.clinic_id)
    facts = services.facts_from(assessment)
    return PlanInput(
        facts=facts,
        screening=screen(facts, today, thresholds=thresholds),
        posture=assessment.section("posture"),
        lower_limb=assessment.section("lower_limb"),
        habits=assessment.section("habits"),
        library=tuple(library_exercise(row) for row in rows.values()),
        today=today,
        lifted=frozenset(lifted),
    )


def screening_of(assessment, today):
    facts = services.facts_from(assessment)
    thresholds = services.effective_thresholds(assessment.clinic_id)
    return facts, screen(facts, today, thresholds=thresholds)


def hazards_for_assessment(assessment, today, lifted=()) -> tuple:
    """The hazards of an assessment under the current rules, less those lifted."""
    facts, screening = screening_of(assessment, today)
    return hazard_rules.hazards_in_force(facts, screening, today, lifted=lifted)


def hazards_for(plan: CarePlan, today) -> tuple:
    return hazards_for_assessment(plan.assessment, today, plan.lifted)
