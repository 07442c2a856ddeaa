"""Shared helpers for the rules tests: facts in a line, a small library, and the worked cases.

Not a test module: test_rules_*.py import from here.
"""

from datetime import date, timedelta
from decimal import Decimal as D

from assessments.exercise_seed import EXERCISES
from assessments.rules import (
    AssessmentFacts,
    Bilateral,
    Complaint,
    Hazard,
    LibraryExercise,
    Palpation,
    PlanInput,
    RedFlagAnswers,
    WellsAnswers,
    propose,
    screen,
)
from assessments.rules.hazards import HAZARD_BY_CODE

TODAY = date(2026, 11, 20)
STRETCH = frozenset({"stretch", "nerve_stretch", "knee_back_stretch"})
MASSAGE = frozenset({"massage", "knee_back_pressure"})


def days_ago(days):
    return TODAY - timedelta(days=days)


def exercise(code, targets, tags=STRETCH, **dose):
    values = {
        "hold_seconds": 30,
        "reps": None,
        "sets": 2,
        "times_per_day": 1,
        "duration_minutes": None,
        "per_side": True,
    }
    values.update(dose)
    return LibraryExercise(
        code=code,
        name=code.replace("_", " ").capitalize(),
        targets=frozenset(targets),
        care_tags=frozenset(tags),
        **values,
    )


# A small library of the shapes the shipped one has: stretches done on each leg, a knee-back
# massage, an exercise done with both legs at once, and breathing that touches no leg.
LIBRARY = (
    exercise("towel_stretch", {"tight_hamstring", "knee_back_pain"}),
    exercise(
        "knee_back_massage",
        {"knee_back_tension", "calf_tension", "night_cramps"},
        MASSAGE,
        hold_seconds=10,
        sets=None,
        duration_minutes=5,
    ),
    exercise(
        "calf_wall_stretch", {"stiff_ankle", "calf_tension"}, {"stretch", "knee_back_stretch"}
    ),
    exercise("hip_rotation", {"stiff_hip"}, {"leg_exercise"}, per_side=False, sets=1),
    exercise(
        "posture_breathing",
        {"posture_kyphosis", "posture_lordosis"},
        (),
        hold_seconds=None,
        sets=None,
        per_side=False,
        duration_minutes=3,
    ),
    exercise(
        "desk_break_rub",
        {"desk_work", "cold_extremities"},
        MASSAGE,
        hold_seconds=None,
        reps=10,
        sets=None,
        times_per_day=3,
    ),
)
LIBRARY_BY_CODE = {item.code: item for item in LIBRARY}

# The library the product ships, as the rules read it.
SHIPPED = tuple(
    LibraryExercise(
        code=seed["code"],
        name=seed["name_en"],
        targets=seed["targets"],
        care_tags=seed["care_tags"],
        hold_seconds=seed["hold_seconds"],
        reps=seed["reps"],
        sets=seed["sets"],
        times_per_day=seed["times_per_day"],
        duration_minutes=seed["duration_minutes"],
        per_side=seed["per_side"],
    )
    for seed in EXERCISES
)
SHIPPED_BY_CODE = {item.code: item for item in SHIPPED}


def assess(
    *,
    complaint=None,
    palpation=None,
    red_flags=None,
    wells=None,
    calf=None,
    previous=None,
    **measured,
):
    measurements = {code: Bilateral(D(left), D(right)) for code, (left, right) in measured.items()}
    if calf:
        measurements["calf_circumference"] = Bilateral(D(calf[0]), D(calf[1]))
    return AssessmentFacts(
        complaint=complaint or Complaint(),
        palpation=palpation or Palpation(),
        red_flags=red_flags or RedFlagAnswers(),
        wells=wells or WellsAnswers(),
        measurements=measurements,
        previous=previous,
    )


def answers(**ticked):
    return RedFlagAnswers(**ticked)


def plan_input(
    facts=None,
    *,
    posture=None,
    lower_limb=None,
    habits=None,
    library=LIBRARY,
    today=TODAY,
    lifted=frozenset(),
):
    facts = facts or assess()
    return PlanInput(
        facts=facts,
        screening=screen(facts, today),
        posture=posture or {},
        lower_limb=lower_limb or {},
        habits=habits or {},
        library=tuple(library),
        today=today,
        lifted=frozenset(lifted),
    )


def make_plan(facts=None, **sections):
    return propose(plan_input(facts, **sections))


def proposed(plan, kind=None):
    return [item.code for item in plan.items if kind is None or item.kind == kind]


def item(plan, code):
    [found] = [entry for entry in plan.items if entry.code == code]
    return found


def held(plan):
    return [entry.code for entry in plan.withheld]


def hazard(code, side="both"):
    """One hazard of the table, on `side`, as `hazards_in_force` would report it."""
    return Hazard(
        code=code, severity=HAZARD_BY_CODE[code].severity, side=side, reason="x", inputs={}
    )


# The article's worked patient: right knee-back pain for three weeks, a tight right hamstring and
# a stiff right ankle, desk work, the right leg crossed on top and the bag on the right.
WORKED_FACTS = assess(
    complaint=Complaint(region="knee_back", side="right", pain=3, onset=days_ago(21)),
    slr=("75", "55"),
    knee_to_wall=("10", "6.5"),
)
WORKED_SECTIONS = {"habits": {"work_style": "desk", "leg_on_top": "right", "bag_side": "right"}}

# A swollen, warm left calf (calf L 41 / R 37.5) beside a three-week dull, cramping knee-back ache.
DVT_FACTS = assess(
    complaint=Complaint(
        region="knee_back",
        side="left",
        pain=4,
        qualities=frozenset({"dull", "cramping", "pulling"}),
        onset=days_ago(21),
    ),
    red_flags=RedFlagAnswers(leg_swelling="left", leg_warm=True),
    calf=("41", "37.5"),
    slr=("60", "75"),
)
DVT_SECTIONS = {"posture": {"thoracic_kyphosis": True}, "habits": {"cold_extremities": True}}
