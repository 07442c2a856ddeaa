"""Plan findings, and each plan rule they trigger: the case that fires beside the nearest that must
not."""

from datetime import timedelta

import pytest

from assessments.rules import CARE_TAGS, TARGET_LABELS, Complaint, Palpation
from assessments.rules.facts import RedFlagAnswers
from assessments.rules.findings import FINDING_RULE_BY_CODE, findings
from assessments.rules.plan_rules import COMPRESS_RULES, HABIT_RULES, RULE_BY_KEY, SUPPORTER_RULES
from tests.assessments.cases import (
    TODAY,
    assess,
    days_ago,
    make_plan,
    plan_input,
    proposed,
)


def given(facts=None, **sections):
    return {"facts": facts, **sections}


def complaint(**fields):
    return assess(complaint=Complaint(**fields))


def qualities(*names, **fields):
    return assess(complaint=Complaint(qualities=frozenset(names)), **fields)


def posture(**fields):
    return given(posture=fields)


def lower_limb(**fields):
    return given(lower_limb=fields)


def habits(**fields):
    return given(habits=fields)


FINDING_CASES = [
    ("tight_hamstring", "SLR 20° apart",
     given(assess(slr=("75", "55"))), given(assess(slr=("75", "66")))),
    ("stiff_hip", "internal rotation 15° apart",
     given(assess(hip_internal_rotation=("20", "35"))),
     given(assess(hip_internal_rotation=("26", "35")))),
    ("stiff_hip", "external rotation 15° apart",
     given(assess(hip_external_rotation=("45", "30"))),
     given(assess(hip_external_rotation=("39", "30")))),
    ("stiff_hip", "observed", lower_limb(stiff_hip="left"), lower_limb(stiff_hip="")),
    ("stiff_ankle", "knee-to-wall 3.5 cm apart",
     given(assess(knee_to_wall=("10", "6.5"))), given(assess(knee_to_wall=("10", "8.5")))),
    ("stiff_ankle", "observed on both", lower_limb(stiff_ankle="both"), lower_limb(gait="normal")),
    ("pelvic_obliquity", "iliac crests 1 cm apart",
     given(assess(iliac_crest_height=("100", "101"))),
     given(assess(iliac_crest_height=("100", "100.9")))),
    ("pelvic_obliquity", "observed",
     posture(pelvic_high_side="right"), posture(pelvic_high_side="")),
    ("pelvic_rotation", "observed", posture(pelvic_rotation="left"), posture(pelvic_rotation="")),
    ("knee_back_pain", "complaint behind the knee",
     given(complaint(region="knee_back")), given(complaint(region="knee_front"))),
    ("knee_back_tension", "tender on palpation",
     given(assess(palpation=Palpation(tender=True))),
     given(assess(palpation=Palpation(side="left")))),
    ("knee_back_tension", "pulling", given(qualities("pulling")), given(qualities("dull"))),
    ("calf_tension", "complaint in the calf",
     given(complaint(region="calf")), given(complaint(region="thigh_back"))),
    ("calf_tension", "cramping", given(qualities("cramping")), given(qualities("throbbing"))),
    ("posture_kyphosis", "rounded upper back",
     posture(thoracic_kyphosis=True), posture(thoracic_kyphosis=False)),
    ("posture_kyphosis", "rounded shoulders",
     posture(rounded_shoulders=True), posture(rounded_shoulders=False)),
    ("posture_kyphosis", "forward head", posture(forward_head=True), posture(forward_head=False)),
    ("posture_lordosis", "arched lower back",
     posture(lumbar_hyperlordosis=True), posture(lumbar_hyperlordosis=False)),
    ("posture_lordosis", "anterior pelvic tilt",
     posture(pelvic_tilt="anterior"), posture(pelvic_tilt="posterior")),
    ("knee_hyperextension", "locked knees",
     posture(knee_hyperextension="both"), posture(knee_hyperextension="")),
    ("gait_pattern", "toe-in", lower_limb(gait="toe_in"), lower_limb(gait="normal")),
    ("gait_pattern", "antalgic", lower_limb(gait="antalgic"), lower_limb(gait="")),
    ("short_stride", "observed", lower_limb(short_stride="right"), lower_limb(short_stride="")),
    ("desk_work", "desk work", habits(work_style="desk"), habits(work_style="standing")),
    ("desk_work", "sits 6 hours", habits(sitting_hours="6"), habits(sitting_hours="5.9")),
    ("desk_work", "sits 8 hours (a number)", habits(sitting_hours=8), habits(sitting_hours=None)),
    ("driving_work", "drives", habits(work_style="driving"), habits(work_style="mixed")),
    ("crosses_legs", "left leg on top", habits(leg_on_top="left"), habits(leg_on_top="")),
    ("bag_one_side", "bag on the right", habits(bag_side="right"), habits(bag_side="")),
    ("stands_on_one_leg", "habit", habits(stands_on_one_leg="left"), habits(stands_on_one_leg="")),
    ("stands_on_one_leg", "posture", posture(weight_on_leg="right"), posture(weight_on_leg="")),
    ("heels", "heels", habits(footwear="heels"), habits(footwear="mixed")),
    ("low_fluids", "1.4 litres", habits(fluid_litres="1.4"), habits(fluid_litres="1.5")),
    ("low_fluids", "nothing", habits(fluid_litres="0"), habits(fluid_litres="")),
    ("heavy_sweating", "ticked", habits(heavy_sweating=True), habits(heavy_sweating=False)),
    ("night_cramps", "ticked", habits(night_cramps=True), habits(night_cramps=False)),
    ("cold_extremities", "ticked", habits(cold_extremities=True), habits(cold_extremities=False)),
    ("supporter_all_day", "ticked",
     habits(supporter_all_day=True), habits(supporter_all_day=False)),
    ("knee_pain_moderate", "knee-back pain 4",
     given(complaint(region="knee_back", pain=4)), given(complaint(region="knee_back", pain=3))),
    ("knee_pain_moderate", "front of the knee 7",
     given(complaint(region="knee_front", pain=7)), given(complaint(region="calf", pain=7))),
    ("acute_stage", "onset 2 days ago",
     given(complaint(onset=days_ago(2))), given(complaint(onset=days_ago(3)))),
    ("acute_stage", "the leg warm",
     given(assess(red_flags=RedFlagAnswers(leg_warm=True))),
     given(assess(red_flags=RedFlagAnswers(leg_swelling="left")))),
    ("acute_stage", "warm behind the knee",
     given(assess(palpation=Palpation(warm=True))),
     given(assess(palpation=Palpation(tender=True)))),
    ("chronic_stage", "onset 14 days ago",
     given(complaint(onset=days_ago(14))), given(complaint(onset=days_ago(13)))),
    ("chronic_stage", "dull ache", given(qualities("dull")), given(qualities("throbbing"))),
    ("chronic_stage", "heavy without warmth",
     given(qualities("heavy")), given(qualities("heavy", palpation=Palpation(warm=True)))),
]  # fmt: skip


def cases(table):
    return [
        pytest.param(code, fires, quiet, id=f"{code}: {name}") for code, name, fires, quiet in table
    ]


@pytest.mark.parametrize("code, fires, stays_quiet", cases(FINDING_CASES))
def test_each_finding_holds_and_its_nearest_case_does_not(code, fires, stays_quiet):
    assert code in findings(plan_input(**fires))
    assert code not in findings(plan_input(**stays_quiet))


def test_every_finding_has_a_firing_and_a_quiet_case():
    assert {case[0] for case in FINDING_CASES} == set(FINDING_RULE_BY_CODE)


def test_every_trigger_target_and_care_tag_names_something_that_exists():
    assert set(TARGET_LABELS) <= set(FINDING_RULE_BY_CODE)
    for rule in RULE_BY_KEY.values():
        assert rule.triggers and rule.triggers <= set(FINDING_RULE_BY_CODE), rule.code
        assert rule.unless <= set(FINDING_RULE_BY_CODE), rule.code
        assert rule.tags <= set(CARE_TAGS), rule.code


def test_a_finding_points_at_the_tighter_side():
    found = findings(plan_input(assess(slr=("75", "55"), iliac_crest_height=("101", "100"))))
    assert found["tight_hamstring"].side == "right"
    assert found["pelvic_obliquity"].side == "left"


def test_an_observed_side_counts_but_both_sides_name_no_tighter_one():
    assert findings(plan_input(**lower_limb(stiff_ankle="left")))["stiff_ankle"].side == "left"
    assert findings(plan_input(**lower_limb(stiff_ankle="both")))["stiff_ankle"].side == ""


def test_two_sources_that_agree_keep_the_side_and_quote_both():
    facts = assess(knee_to_wall=("6.5", "10"))
    found = findings(plan_input(facts, lower_limb={"stiff_ankle": "left"}))["stiff_ankle"]
    assert found.side == "left"
    assert [str(reason) for reason in found.reasons] == [
        "Ankle dorsiflexion (knee-to-wall) left-right difference: left 6.5 cm / right 10 cm",
        "Stiff ankle observed (left)",
    ]


def test_a_finding_reads_its_values_back_in_the_reason():
    found = findings(
        plan_input(
            habits={"sitting_hours": "6.50", "fluid_litres": "1.0"}, lower_limb={"gait": "toe_in"}
        )
    )
    assert str(found["desk_work"].reason) == "Sits 6.5 hours a day"
    assert str(found["low_fluids"].reason) == "Drinks 1 L a day"
    assert str(found["gait_pattern"].reason) == "Gait: toe-in"


def test_ticks_stored_as_text_read_as_ticks():
    found = findings(plan_input(habits={"night_cramps": "true", "heavy_sweating": "false"}))
    assert "night_cramps" in found and "heavy_sweating" not in found


def test_unreadable_numbers_count_as_not_recorded():
    found = findings(plan_input(habits={"sitting_hours": "lots", "fluid_litres": True}))
    assert "desk_work" not in found and "low_fluids" not in found


def test_an_onset_in_the_future_is_read_as_acute_the_cautious_way():
    found = findings(plan_input(complaint(onset=TODAY + timedelta(days=3))))
    assert "acute_stage" in found and "chronic_stage" not in found


# Each plan rule: proposed from its trigger, not from the nearest case.

RULE_CASES = [
    ("pelvic_alignment", "pelvis high on one side",
     posture(pelvic_high_side="left"), posture(pelvic_high_side="")),
    ("pelvic_alignment", "pelvis rotated", posture(pelvic_rotation="right"), posture()),
    ("pelvic_alignment", "anterior tilt",
     posture(pelvic_tilt="anterior"), posture(pelvic_tilt="neutral")),
    ("hip_mobilisation", "stiff hip", lower_limb(stiff_hip="right"), lower_limb(stiff_ankle="")),
    ("ankle_mobilisation", "stiff ankle",
     given(assess(knee_to_wall=("10", "6.5"))), given(assess(knee_to_wall=("10", "8.5")))),
    ("hamstring_release", "tight hamstring",
     given(assess(slr=("75", "55"))), given(assess(slr=("75", "66")))),
    ("hamstring_release", "knee-back pain",
     given(complaint(region="knee_back")), given(complaint(region="knee_front"))),
    ("calf_release", "cramping calf", given(qualities("cramping")), given(qualities("heavy"))),
    ("posture_gait_guidance", "rounded upper back",
     posture(thoracic_kyphosis=True), posture(thoracic_kyphosis=False)),
    ("posture_gait_guidance", "toe-out gait",
     lower_limb(gait="toe_out"), lower_limb(gait="normal")),
    ("posture_gait_guidance", "short stride",
     lower_limb(short_stride="left"), lower_limb(short_stride="")),
    ("posture_gait_guidance", "locked knees",
     posture(knee_hyperextension="right"), posture(knee_hyperextension="")),
    ("uncross_legs", "crosses legs", habits(leg_on_top="right"), habits(leg_on_top="")),
    ("swap_bag_side", "bag on one side", habits(bag_side="left"), habits(bag_side="")),
    ("stop_one_leg_standing", "stands on one leg",
     habits(stands_on_one_leg="right"), habits(stands_on_one_leg="")),
    ("stop_one_leg_standing", "weight on one leg",
     posture(weight_on_leg="left"), posture(weight_on_leg="")),
    ("stand_up_regularly", "sits 6 hours", habits(sitting_hours="6"), habits(sitting_hours="5.5")),
    ("stand_up_regularly", "drives", habits(work_style="driving"), habits(work_style="standing")),
    ("shoe_choice", "heels", habits(footwear="heels"), habits(footwear="flat")),
    ("fluids_and_minerals", "drinks 1.4 litres",
     habits(fluid_litres="1.4"), habits(fluid_litres="1.5")),
    ("fluids_and_minerals", "heavy sweating",
     habits(heavy_sweating=True), habits(heavy_sweating=False)),
    ("fluids_and_minerals", "night cramps", habits(night_cramps=True), habits(night_cramps=False)),
    ("keep_legs_warm", "cold hands and feet",
     habits(cold_extremities=True), habits(cold_extremities=False)),
    ("supporter_active_only", "worn all day",
     habits(supporter_all_day=True), habits(supporter_all_day=False)),
    ("supporter_optional", "knee pain 4",
     given(complaint(region="knee_back", pain=4)), given(complaint(region="knee_back", pain=3))),
    ("supporter_optional", "not as well as the all-day advice",
     given(complaint(region="knee_front", pain=6)),
     {**given(complaint(region="knee_front", pain=6)), **habits(supporter_all_day=True)}),
    ("cold_compress", "onset 2 days ago",
     given(complaint(onset=days_ago(2))), given(complaint(onset=days_ago(3)))),
    ("warm_compress", "onset 14 days ago",
     given(complaint(onset=days_ago(14))), given(complaint(onset=days_ago(13)))),
    ("warm_compress", "dull ache without warmth",
     given(qualities("dull")), given(qualities("throbbing"))),
]  # fmt: skip


@pytest.mark.parametrize("code, fires, stays_quiet", cases(RULE_CASES))
def test_each_plan_rule_is_proposed_and_its_nearest_case_is_not(code, fires, stays_quiet):
    assert code in proposed(make_plan(**fires))
    assert code not in proposed(make_plan(**stays_quiet))


def test_every_plan_rule_has_a_proposed_and_a_quiet_case():
    assert {case[0] for case in RULE_CASES} == {code for _kind, code in RULE_BY_KEY}


@pytest.mark.parametrize(
    "rule", [*HABIT_RULES, *SUPPORTER_RULES, *COMPRESS_RULES], ids=lambda rule: rule.code
)
def test_each_piece_of_advice_has_a_label_and_a_text(rule):
    assert str(rule.label) and str(rule.detail)


@pytest.mark.parametrize(
    "code, words",
    [
        ("stand_up_regularly", ["30 to 60 minutes"]),
        ("fluids_and_minerals", ["magnesium", "potassium", "calcium"]),
        ("supporter_active_only", ["walking or exercising", "at rest", "size"]),
        ("supporter_optional", ["walking or exercising", "at rest", "size"]),
        ("cold_compress", ["24 to 48 hours", "above or below the back of the knee"]),
        ("warm_compress", ["20 to 30 minutes", "after a bath", "not in the hollow", "skin"]),
    ],
)
def test_the_advice_says_what_the_clinic_teaches(code, words):
    [rule] = [rule for (_kind, rule_code), rule in RULE_BY_KEY.items() if rule_code == code]
    for word in words:
        assert word in str(rule.detail)


def test_each_compress_carries_its_duration():
    durations = {rule.code: rule.dose.duration_minutes for rule in COMPRESS_RULES}
    assert durations == {"cold_compress": 10, "warm_compress": 20}
