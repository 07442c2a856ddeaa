"""The care-plan generator: the worked examples, exercises and doses, referrals, scheduling.

The helpers at the top (a small in-test library, `assess`, `make_plan`) are shared with
test_rules_plan_findings.py and test_rules_plan_contraindications.py.
"""

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import translation

from assessments.rules import (
    RULES_VERSION,
    AssessmentFacts,
    Bilateral,
    Complaint,
    LibraryExercise,
    Palpation,
    PlanInput,
    RedFlagAnswers,
    WellsAnswers,
    propose,
    screen,
)
from assessments.rules.plan import MAX_EXERCISES, choose_exercises, referrals

TODAY = date(2026, 11, 20)
LEG_WORK = frozenset({"suspected_dvt", "acute_hot_swelling", "awaiting_clearance"})


def exercise(code, targets, contraindications=LEG_WORK, **dose):
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
        contraindications=frozenset(contraindications),
        **values,
    )


LIBRARY = (
    exercise("towel_stretch", {"tight_hamstring", "knee_back_pain"}),
    exercise(
        "knee_back_massage",
        {"knee_back_tension", "calf_tension", "night_cramps"},
        LEG_WORK | {"popliteal_mass"},
        hold_seconds=10,
        sets=None,
        duration_minutes=5,
    ),
    exercise("calf_wall_stretch", {"stiff_ankle", "calf_tension"}),
    exercise("hip_rotation", {"stiff_hip"}, per_side=False, sets=1),
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
        LEG_WORK | {"popliteal_mass"},
        hold_seconds=None,
        reps=10,
        sets=None,
        times_per_day=3,
    ),
)
LIBRARY_BY_CODE = {item.code: item for item in LIBRARY}


def days_ago(days):
    return TODAY - timedelta(days=days)


def assess(*, complaint=None, palpation=None, red_flags=None, wells=None, **measured):
    return AssessmentFacts(
        complaint=complaint or Complaint(),
        palpation=palpation or Palpation(),
        red_flags=red_flags or RedFlagAnswers(),
        wells=wells or WellsAnswers(),
        measurements={
            code: Bilateral(D(left), D(right)) for code, (left, right) in measured.items()
        },
    )


def plan_input(facts=None, *, posture=None, lower_limb=None, habits=None, library=LIBRARY):
    facts = facts or assess()
    return PlanInput(
        facts=facts,
        screening=screen(facts, TODAY),
        posture=posture or {},
        lower_limb=lower_limb or {},
        habits=habits or {},
        library=tuple(library),
        today=TODAY,
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


# The worked example: right knee-back pain, a tight right hamstring and a stiff right ankle,
# desk work, the right leg crossed on top and the bag on the right; no red flag.
WORKED_FACTS = assess(
    complaint=Complaint(region="knee_back", side="right", pain=3, onset=days_ago(5)),
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
    calf_circumference=("41", "37.5"),
    slr=("60", "75"),
)
DVT_SECTIONS = {"posture": {"thoracic_kyphosis": True}, "habits": {"cold_extremities": True}}


def test_the_worked_example_proposes_exactly_the_expected_items():
    plan = make_plan(WORKED_FACTS, **WORKED_SECTIONS)
    assert [(entry.kind, entry.code) for entry in plan.items] == [
        ("clinic", "ankle_mobilisation"),
        ("clinic", "hamstring_release"),
        ("exercise", "towel_stretch"),
        ("exercise", "calf_wall_stretch"),
        ("exercise", "desk_break_rub"),
        ("habit", "uncross_legs"),
        ("habit", "swap_bag_side"),
        ("habit", "stand_up_regularly"),
    ]
    assert plan.withheld == ()
    assert plan.referrals == ()


def test_the_worked_example_gives_the_tighter_right_side_one_more_set_of_the_towel_stretch():
    dose = item(make_plan(WORKED_FACTS, **WORKED_SECTIONS), "towel_stretch").dose
    assert (dose.hold_seconds, dose.sets, dose.times_per_day) == (30, 2, 1)
    assert (dose.side, dose.extra_sets_side) == ("both", "right")


def test_the_worked_example_quotes_the_measurements_that_triggered_each_item():
    plan = make_plan(WORKED_FACTS, **WORKED_SECTIONS)
    slr = "Hamstring flexibility (straight-leg raise) left-right difference: right 55° / left 75°"
    ankle = "Ankle dorsiflexion (knee-to-wall) left-right difference: right 6.5 cm / left 10 cm"
    release = item(plan, "hamstring_release")
    assert str(release.reason) == f"{slr}; Complaint: back of the knee, right, pain 3/10"
    assert release.findings == ("tight_hamstring", "knee_back_pain")
    assert str(item(plan, "ankle_mobilisation").reason) == ankle
    assert str(item(plan, "uncross_legs").reason) == "Crosses the legs, right leg on top"
    assert str(item(plan, "swap_bag_side").reason) == "Carries the bag on the right"
    assert str(item(plan, "stand_up_regularly").reason) == "Desk work"


def test_the_worked_example_is_seen_weekly_and_reassessed_in_four_weeks():
    plan = make_plan(WORKED_FACTS, **WORKED_SECTIONS)
    assert plan.visit_interval_days == 7
    assert plan.reassess_on == TODAY + timedelta(days=28)
    assert plan.rules_version == RULES_VERSION


def test_a_swollen_warm_left_calf_is_referred_the_same_day_to_internal_vascular():
    plan = make_plan(DVT_FACTS, **DVT_SECTIONS)
    vascular = plan.referrals[0]
    assert (vascular.department, vascular.urgency) == ("internal_vascular", "same_day")
    assert vascular.flag_codes == ("suspected_dvt", "calf_asymmetry", "leg_swelling_or_warmth")
    assert "Calf 3 cm or more larger on one side: Calf 3.5 cm larger on the left." in str(
        vascular.reason
    )


def test_a_swollen_warm_left_calf_withholds_every_massage_strong_stretch_and_the_warm_compress():
    plan = make_plan(DVT_FACTS, **DVT_SECTIONS)
    assert held(plan) == [
        "hamstring_release",
        "calf_release",
        "towel_stretch",
        "knee_back_massage",
        "calf_wall_stretch",
        "desk_break_rub",
        "cold_compress",
        "warm_compress",
    ]
    assert {entry.contraindication for entry in plan.withheld} == {"suspected_dvt"}
    warm = plan.withheld[-1]
    assert str(warm.reason).startswith(
        "Suspected deep-vein thrombosis: Red flag “Suspected deep-vein thrombosis (DVT)”"
    )
    assert "Hot, swollen leg: The leg feels warm or hot" in str(warm.reason)


def test_a_swollen_warm_left_calf_keeps_only_what_presses_on_nothing():
    plan = make_plan(DVT_FACTS, **DVT_SECTIONS)
    assert proposed(plan) == [
        "posture_gait_guidance",
        "posture_breathing",
        "keep_legs_warm",
        "supporter_optional",
    ]


def test_a_same_day_referral_suspends_the_visit_interval_and_brings_reassessment_forward():
    plan = make_plan(DVT_FACTS, **DVT_SECTIONS)
    assert plan.visit_interval_days is None
    assert plan.reassess_on == TODAY + timedelta(days=7)


# Home exercises


def test_retired_exercises_are_never_proposed_nor_listed_as_withheld():
    retired = replace(LIBRARY_BY_CODE["towel_stretch"], retired=True)
    library = (retired, *LIBRARY[1:])
    assert "towel_stretch" not in proposed(make_plan(WORKED_FACTS, library=library))
    assert "towel_stretch" not in held(make_plan(DVT_FACTS, library=library))


def test_an_exercise_is_proposed_only_for_a_finding_it_targets():
    plan = make_plan(assess(slr=("75", "55")))
    assert proposed(plan, "exercise") == ["towel_stretch"]


def test_no_more_than_five_exercises_are_proposed_the_first_in_library_order():
    library = [exercise(f"stretch_{number}", {"tight_hamstring"}) for number in range(8)]
    plan = make_plan(assess(slr=("75", "55")), library=library)
    assert proposed(plan, "exercise") == [f"stretch_{number}" for number in range(5)]
    assert MAX_EXERCISES == 5


def test_no_more_than_five_exercises_are_listed_as_withheld_either():
    library = [exercise(f"stretch_{number}", {"tight_hamstring"}) for number in range(8)]
    plan = make_plan(replace(DVT_FACTS, complaint=Complaint()), library=library)
    exercises = [entry.code for entry in plan.withheld if entry.kind == "exercise"]
    assert exercises == [f"stretch_{number}" for number in range(5)]


def test_the_five_places_go_first_to_exercises_for_findings_not_yet_covered():
    library = [
        *(exercise(f"desk_{number}", {"desk_work"}, ()) for number in range(5)),
        exercise("ankle_rock", {"stiff_ankle"}),
    ]
    plan = make_plan(WORKED_FACTS, library=library, **WORKED_SECTIONS)
    assert proposed(plan, "exercise") == ["desk_0", "desk_1", "desk_2", "desk_3", "ankle_rock"]


def test_choose_exercises_keeps_everything_under_the_limit_in_order():
    items = make_plan(WORKED_FACTS, **WORKED_SECTIONS).items
    exercises = [entry for entry in items if entry.kind == "exercise"]
    assert choose_exercises(exercises) == exercises


def test_a_contraindicated_exercise_frees_its_place_for_a_safe_one():
    library = [
        *(exercise(f"stretch_{number}", {"posture_kyphosis"}) for number in range(5)),
        exercise("breathing", {"posture_kyphosis"}, ()),
    ]
    facts = assess(red_flags=RedFlagAnswers(numbness=True))
    plan = make_plan(facts, library=library, posture={"rounded_shoulders": True})
    assert proposed(plan, "exercise") == ["breathing"]
    assert [code for code in held(plan) if code.startswith("stretch")] == [
        f"stretch_{number}" for number in range(5)
    ]


def test_the_dose_is_the_library_dose():
    plan = make_plan(assess(), habits={"cold_extremities": True})
    dose = item(plan, "desk_break_rub").dose
    assert (dose.hold_seconds, dose.reps, dose.sets, dose.times_per_day) == (None, 10, None, 3)
    assert dose.duration_minutes is None


def test_an_exercise_done_once_for_both_legs_names_no_side():
    dose = item(make_plan(assess(hip_internal_rotation=("20", "35"))), "hip_rotation").dose
    assert (dose.side, dose.extra_sets_side, dose.sets) == ("", "", 1)


def test_the_extra_set_follows_the_tighter_side_to_the_left():
    dose = item(make_plan(assess(slr=("55", "75"))), "towel_stretch").dose
    assert dose.extra_sets_side == "left"


def test_no_extra_set_when_no_side_is_tighter():
    facts = assess(complaint=Complaint(region="knee_back", side="right"))
    dose = item(make_plan(facts), "towel_stretch").dose
    assert (dose.side, dose.extra_sets_side) == ("both", "")


def test_no_extra_set_when_the_findings_point_at_different_sides():
    facts = assess(knee_to_wall=("10", "6.5"))
    plan = make_plan(facts, lower_limb={"stiff_ankle": "left"})
    assert item(plan, "calf_wall_stretch").dose.extra_sets_side == ""


def test_no_extra_set_for_an_exercise_not_counted_in_sets():
    facts = assess(complaint=Complaint(qualities=frozenset({"pulling"})), slr=("75", "55"))
    dose = item(make_plan(facts), "knee_back_massage").dose
    assert (dose.side, dose.extra_sets_side, dose.duration_minutes) == ("both", "", 5)


def test_a_library_exercise_refuses_a_target_or_contraindication_it_does_not_know():
    with pytest.raises(ValueError, match="tight_hamstrings"):
        exercise("typo", {"tight_hamstrings"})
    with pytest.raises(ValueError, match="dvt"):
        exercise("typo", {"tight_hamstring"}, {"dvt"})


def test_a_library_exercise_accepts_lists_from_a_json_row():
    entry = exercise("listed", ["tight_hamstring"], ["suspected_dvt"])
    assert entry.targets == frozenset({"tight_hamstring"})
    assert entry.contraindications == frozenset({"suspected_dvt"})


def test_a_library_with_two_exercises_of_one_code_is_refused():
    with pytest.raises(ValueError, match="unique"):
        plan_input(library=(LIBRARY[0], LIBRARY[0]))


# Referrals, visits and reassessment


def test_one_referral_per_department_at_the_most_urgent_urgency_of_its_flags():
    facts = assess(
        red_flags=RedFlagAnswers(fever=True, night_pain=True, stairs_or_walking_harder=True)
    )
    found = referrals(screen(facts, TODAY))
    assert [(entry.department, entry.urgency, entry.flag_codes) for entry in found] == [
        ("internal_medicine", "same_day", ("fever",)),
        ("orthopaedics", "soon", ("night_pain", "walking_or_stairs_worse")),
    ]
    assert str(found[1].reason) == (
        "Pain at night: Strong pain at night. "
        "Walking or stairs getting harder: Walking or stairs getting harder."
    )


def test_no_red_flag_means_no_referral():
    assert make_plan(assess(slr=("75", "55"))).referrals == ()


def test_a_referral_that_is_not_same_day_keeps_the_visits_but_reassesses_in_a_week():
    plan = make_plan(assess(complaint=Complaint(pain=2), red_flags=RedFlagAnswers(numbness=True)))
    assert plan.visit_interval_days == 14
    assert plan.reassess_on == TODAY + timedelta(days=7)


@pytest.mark.parametrize(
    "facts, interval",
    [
        pytest.param(assess(complaint=Complaint(pain=5)), 7, id="pain 5: weekly"),
        pytest.param(assess(complaint=Complaint(pain=4)), 14, id="pain 4: fortnightly"),
        pytest.param(assess(shoulder_height=("141", "140")), 7, id="1 cm shoulder: weekly"),
        pytest.param(assess(shoulder_height=("140.9", "140")), 14, id="0.9 cm: fortnightly"),
        pytest.param(assess(), 14, id="nothing: fortnightly"),
    ],
)
def test_visits_are_weekly_with_pain_from_5_or_a_flagged_difference(facts, interval):
    plan = make_plan(facts)
    assert plan.visit_interval_days == interval
    assert plan.reassess_on == TODAY + timedelta(days=28)


# The snapshot a published plan stores


def test_the_plan_reads_as_plain_json_for_the_snapshot():
    snapshot = make_plan(DVT_FACTS, **DVT_SECTIONS).as_dict()
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["reassess_on"] == "2026-11-27"
    assert snapshot["withheld"][0]["contraindication"] == "suspected_dvt"
    assert snapshot["referrals"][0]["flag_codes"][0] == "suspected_dvt"


def test_the_plan_renders_in_japanese_too():
    with translation.override("ja"):
        snapshot = make_plan(WORKED_FACTS, **WORKED_SECTIONS).as_dict()
    towel = next(entry for entry in snapshot["items"] if entry["code"] == "towel_stretch")
    assert towel["dose"]["extra_sets_side"] == "right"
    assert all(isinstance(entry["reason"], str) for entry in snapshot["items"])


def test_lifted_contraindications_no_longer_withhold_after_a_doctors_clearance():
    from dataclasses import replace

    from assessments.rules.plan import propose as propose_plan

    given = plan_input(DVT_FACTS, **DVT_SECTIONS)
    held = {item.code for item in propose_plan(given).withheld}
    lifted = frozenset(
        {
            "suspected_dvt",
            "acute_hot_swelling",
            "awaiting_clearance",
            "acute_inflammation",
            "popliteal_mass",
        }
    )
    cleared = propose_plan(replace(given, lifted=lifted))
    assert held and not cleared.withheld
    assert held <= {item.code for item in cleared.items}
    # a partial lift keeps what the remaining contraindication rules out
    partial = propose_plan(replace(given, lifted=frozenset({"awaiting_clearance"})))
    assert {item.code for item in partial.withheld} == held
