"""The care-plan generator: the worked examples, hazards and sides, exercises and doses,
referrals, scheduling. Shared helpers live in tests/assessments/cases.py."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import translation

from assessments.rules import RULES_VERSION, Complaint, Palpation, RedFlagAnswers, screen
from assessments.rules.plan import MAX_EXERCISES, choose_exercises, propose, referrals
from tests.assessments.cases import (
    DVT_FACTS,
    DVT_SECTIONS,
    LIBRARY,
    LIBRARY_BY_CODE,
    SHIPPED,
    TODAY,
    WORKED_FACTS,
    WORKED_SECTIONS,
    assess,
    days_ago,
    exercise,
    held,
    item,
    make_plan,
    plan_input,
    proposed,
)


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
        ("compress", "warm_compress"),
    ]
    assert plan.withheld == ()


def test_the_worked_patient_keeps_his_stretches_beside_a_routine_referral():
    """The reported case: three weeks of one-sided pain lost every stretch to a routine
    orthopaedic referral. Pain for two weeks is a precaution: nothing is withheld."""
    plan = make_plan(WORKED_FACTS, **WORKED_SECTIONS)
    [referral] = plan.referrals
    assert (referral.department, referral.urgency) == ("orthopaedics", "routine")
    assert "towel_stretch" in proposed(plan, "exercise")
    assert item(plan, "towel_stretch").dose.side == "both"
    assert [caution.hazard for caution in plan.cautions] == ["persistent_pain"]
    assert str(plan.cautions[0].patient).startswith("See a doctor the same day if")


def test_the_worked_patient_with_the_shipped_library_keeps_every_stretch():
    plan = make_plan(WORKED_FACTS, library=SHIPPED, **WORKED_SECTIONS)
    assert {"towel_hamstring_stretch", "lying_knee_back_release", "wall_calf_stretch"} <= set(
        proposed(plan, "exercise")
    )
    assert plan.withheld == ()


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


def test_the_worked_example_is_seen_weekly_and_reassessed_a_week_after_its_referral():
    plan = make_plan(WORKED_FACTS, **WORKED_SECTIONS)
    assert plan.visit_interval_days == 7
    assert plan.reassess_on == TODAY + timedelta(days=7)
    assert plan.rules_version == RULES_VERSION


def test_a_swollen_warm_left_calf_is_referred_the_same_day_to_internal_vascular():
    plan = make_plan(DVT_FACTS, **DVT_SECTIONS)
    vascular = plan.referrals[0]
    assert (vascular.department, vascular.urgency) == ("internal_vascular", "same_day")
    assert vascular.flag_codes == ("suspected_dvt", "calf_asymmetry", "leg_swelling")
    assert "Calf 3 cm or more larger on one side: Calf 3.5 cm larger on the left." in str(
        vascular.reason
    )


def test_a_swollen_warm_left_calf_holds_the_left_leg_and_keeps_the_right():
    plan = make_plan(DVT_FACTS, **DVT_SECTIONS)
    assert [(entry.code, entry.side) for entry in plan.items if entry.side] == [
        ("hamstring_release", "right"),
        ("calf_release", "right"),
        ("towel_stretch", "right"),
        ("knee_back_massage", "right"),
        ("calf_wall_stretch", "right"),
        ("desk_break_rub", "right"),
    ]
    left = [(w.code, w.side, w.partial) for w in plan.withheld if w.partial]
    assert left == [
        ("hamstring_release", "left", True),
        ("calf_release", "left", True),
        ("towel_stretch", "left", True),
        ("knee_back_massage", "left", True),
        ("calf_wall_stretch", "left", True),
        ("desk_break_rub", "left", True),
    ]
    assert {w.severity for w in plan.withheld} == {"absolute"}


def test_a_swollen_warm_left_calf_holds_whole_what_cannot_be_split():
    plan = make_plan(DVT_FACTS, **DVT_SECTIONS)
    whole = [(w.code, w.side) for w in plan.withheld if not w.partial]
    # done with both legs at once, or on the complaint's (left) leg: nothing to narrow them to
    assert whole == [
        ("posture_gait_guidance", ""),
        ("keep_legs_warm", ""),
        ("supporter_optional", "left"),
        ("cold_compress", "left"),
    ]
    cold = next(w for w in plan.withheld if w.code == "cold_compress")
    assert cold.hazards == ("suspected_dvt",)
    assert str(cold.reason) == (
        "Suspected deep-vein thrombosis (absolute): No cold packs at home: the doctor sees the "
        "leg as it is."
    )
    warm = next(w for w in plan.withheld if w.code == "keep_legs_warm")
    assert warm.hazards[:2] == ("suspected_dvt", "hot_swollen_leg")
    assert str(warm.patient) == (
        "Until a doctor has checked the swelling, please do not warm your left leg "
        "(warm packs, long hot baths)."
    )


def test_the_patient_reads_about_the_held_care_itself():
    plan = make_plan(DVT_FACTS, **DVT_SECTIONS)
    by_code = {w.code: str(w.patient) for w in plan.withheld}
    assert "massage" in by_code["knee_back_massage"]
    assert "stretch" in by_code["towel_stretch"]
    assert "warm" in by_code["keep_legs_warm"]
    assert "cool" in by_code["cold_compress"]


def test_a_swollen_warm_left_calf_keeps_what_touches_no_leg():
    plan = make_plan(DVT_FACTS, **DVT_SECTIONS)
    unsided = [entry.code for entry in plan.items if not entry.side]
    assert unsided == ["posture_breathing"]


def test_a_hazard_on_both_legs_holds_every_leg_item_whole():
    facts = assess(
        complaint=DVT_FACTS.complaint, red_flags=RedFlagAnswers(fever=True), slr=("60", "75")
    )
    plan = make_plan(facts, **DVT_SECTIONS)
    fever = {w.code: w for w in plan.withheld}
    assert {"knee_back_massage", "desk_break_rub", "calf_release", "warm_compress"} <= set(fever)
    assert all(not w.partial and w.severity == "relative" for w in plan.withheld)
    assert "towel_stretch" in proposed(plan)


def test_a_narrowed_exercise_loses_the_extra_set_of_its_held_leg():
    facts = assess(
        complaint=Complaint(side="right"),
        red_flags=RedFlagAnswers(leg_swelling="right", leg_warm=True),
        slr=("75", "55"),
    )
    towel = item(make_plan(facts), "towel_stretch")
    assert (towel.dose.side, towel.dose.extra_sets_side) == ("left", "")


def test_a_narrowed_exercise_keeps_the_extra_set_of_its_safe_leg():
    facts = assess(red_flags=RedFlagAnswers(leg_swelling="left", leg_warm=True), slr=("75", "55"))
    towel = item(make_plan(facts), "towel_stretch")
    assert (towel.dose.side, towel.dose.extra_sets_side) == ("right", "right")


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


def test_a_held_exercise_frees_its_place_for_a_safe_one():
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


def test_a_library_exercise_refuses_a_target_or_care_tag_it_does_not_know():
    with pytest.raises(ValueError, match="tight_hamstrings"):
        exercise("typo", {"tight_hamstrings"})
    with pytest.raises(ValueError, match="massages"):
        exercise("typo", {"tight_hamstring"}, {"massages"})


def test_a_library_exercise_accepts_lists_from_a_json_row():
    entry = exercise("listed", ["tight_hamstring"], ["massage"])
    assert entry.targets == frozenset({"tight_hamstring"})
    assert entry.care_tags == frozenset({"massage"})


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
    assert snapshot["withheld"][0]["hazards"][0] == "suspected_dvt"
    assert snapshot["withheld"][0]["severity"] == "absolute"
    assert snapshot["referrals"][0]["flag_codes"][0] == "suspected_dvt"
    assert snapshot["hazards"][0] == {
        "code": "suspected_dvt",
        "severity": "absolute",
        "side": "left",
        "reason": snapshot["hazards"][0]["reason"],
        "inputs": snapshot["hazards"][0]["inputs"],
    }


def test_the_plan_renders_in_japanese_too():
    with translation.override("ja"):
        snapshot = make_plan(WORKED_FACTS, **WORKED_SECTIONS).as_dict()
    towel = next(entry for entry in snapshot["items"] if entry["code"] == "towel_stretch")
    assert towel["dose"]["extra_sets_side"] == "right"
    assert all(isinstance(entry["reason"], str) for entry in snapshot["items"])


def test_lifted_hazards_no_longer_withhold_after_a_doctors_clearance():
    given = plan_input(DVT_FACTS, **DVT_SECTIONS)
    before = propose(given)
    assert before.withheld
    everything = {hazard.code for hazard in before.hazards}
    cleared = propose(replace(given, lifted=frozenset(everything)))
    assert not cleared.withheld
    assert {w.code for w in before.withheld} <= {entry.code for entry in cleared.items}
    # a partial lift keeps what the remaining hazards hold
    partial = propose(replace(given, lifted=frozenset({"suspected_dvt"})))
    assert {w.code for w in partial.withheld} & {"knee_back_massage", "towel_stretch"}
    assert "suspected_dvt" not in {h.code for h in partial.hazards}


def test_when_the_reported_leg_and_the_larger_calf_disagree_both_legs_are_held():
    """A clot may be in either: the right calf measures 4 cm more than the reported left."""
    facts = assess(
        red_flags=RedFlagAnswers(leg_swelling="left", swelling_sudden=True),
        calf=("37", "41"),
        slr=("75", "55"),
    )
    plan = make_plan(facts)
    on_a_leg = [entry.code for entry in plan.items if entry.side in ("left", "right", "both")]
    assert "hamstring_release" not in on_a_leg and "towel_stretch" not in on_a_leg
    assert {w.code for w in plan.withheld if not w.partial} >= {
        "hamstring_release",
        "towel_stretch",
    }


def test_a_leg_that_cannot_bear_weight_gets_no_standing_or_walking_advice():
    facts = assess(red_flags=RedFlagAnswers(trauma_cannot_bear_weight=True))
    plan = make_plan(facts, habits={"work_style": "desk", "stands_on_one_leg": "left"})
    assert not {"stand_up_regularly", "stop_one_leg_standing"} & set(proposed(plan))
    assert {"stand_up_regularly", "stop_one_leg_standing"} <= set(held(plan))


def test_the_warm_compress_is_not_proposed_beside_the_cold_one():
    facts = assess(
        complaint=Complaint(side="right", onset=days_ago(21)),
        palpation=Palpation(warm=True),
    )
    plan = make_plan(facts, lifted=frozenset({"acute_inflammation"}))
    assert "cold_compress" in proposed(plan) and "warm_compress" not in proposed(plan)


def test_a_whole_held_item_blocked_on_both_legs_tells_the_patient_about_both():
    facts = assess(
        complaint=Complaint(side="right"),
        red_flags=RedFlagAnswers(leg_swelling="left", leg_warm=True, night_pain=True),
        palpation=Palpation(warm=True),
    )
    plan = make_plan(facts, habits={"cold_extremities": True})
    warm = next(w for w in plan.withheld if w.code == "keep_legs_warm")
    assert str(warm.patient).endswith("your legs (warm packs, long hot baths).")
