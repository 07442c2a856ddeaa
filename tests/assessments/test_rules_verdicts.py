"""The item x hazard x side matrix: for every item the product can give (the shipped exercises and
every rule item) under every hazard on the left, the right and both legs, what may be given.

`BLOCKED` is written by hand from the clinical table, item by item, not derived from the tags:
if a tag or a table entry changes what an item is, this test says so.
"""

import pytest

from assessments.rules import HAZARD_BY_CODE, HAZARD_RULES, as_given, check, unmet
from assessments.rules.hazards import ABSOLUTE, PRECAUTION, RELATIVE
from assessments.rules.plan_rules import (
    BOTH_AT_ONCE,
    COMPLAINT_SIDE,
    EACH_LEG,
    NOT_ON_A_LEG,
    RULE_BY_KEY,
    care_item,
    default_side,
    placement_of,
)
from tests.assessments.cases import SHIPPED, SHIPPED_BY_CODE, hazard

LEG_WORK = {
    ("clinic", "pelvic_alignment"),
    ("clinic", "hip_mobilisation"),
    ("clinic", "ankle_mobilisation"),
    ("clinic", "hamstring_release"),
    ("clinic", "calf_release"),
    ("exercise", "towel_hamstring_stretch"),
    ("exercise", "lying_knee_back_release"),
    ("exercise", "knee_back_lymph_massage"),
    ("exercise", "desk_break_knee_back_rub"),
    ("exercise", "wall_calf_stretch"),
    ("exercise", "knee_to_wall_ankle_rock"),
    ("exercise", "lying_hip_rotation"),
    ("habit", "keep_legs_warm"),
    ("compress", "warm_compress"),
    ("supporter", "supporter_optional"),
}
# What has the patient stand, walk or load the legs.
LOADING = {
    ("clinic", "posture_gait_guidance"),
    ("habit", "stand_up_regularly"),
    ("habit", "stop_one_leg_standing"),
}
SUPPORTER = {("supporter", "supporter_optional")}  # a snug sleeve presses the knee-back
HANDS_ON = {
    ("clinic", "hamstring_release"),
    ("clinic", "calf_release"),
    ("exercise", "knee_back_lymph_massage"),
    ("exercise", "desk_break_knee_back_rub"),
}
STRETCHES = {
    ("exercise", "towel_hamstring_stretch"),
    ("exercise", "lying_knee_back_release"),
    ("exercise", "wall_calf_stretch"),
    ("exercise", "knee_to_wall_ankle_rock"),
}
MOBILISATION = {
    ("clinic", "pelvic_alignment"),
    ("clinic", "hip_mobilisation"),
    ("clinic", "ankle_mobilisation"),
}
WARMING = {("habit", "keep_legs_warm"), ("compress", "warm_compress")}
KNEE_BACK_PRESSURE = {
    ("clinic", "hamstring_release"),
    ("exercise", "knee_back_lymph_massage"),
    ("exercise", "desk_break_knee_back_rub"),
}
NERVE_STRETCHES = {("exercise", "lying_knee_back_release")}  # the towel one keeps the knee bent
DEEP_WORK = {("clinic", "hamstring_release"), ("clinic", "calf_release")}

BLOCKED = {
    # absolute
    "suspected_dvt": LEG_WORK | LOADING | {("compress", "cold_compress")},
    "injury_cannot_bear_weight": LEG_WORK | LOADING,
    "pulsating_mass": HANDS_ON
    | SUPPORTER
    | {
        ("exercise", "towel_hamstring_stretch"),
        ("exercise", "lying_knee_back_release"),
        ("exercise", "wall_calf_stretch"),
    },
    "hot_swollen_leg": HANDS_ON | STRETCHES | MOBILISATION | WARMING | SUPPORTER,
    "leg_swelling": HANDS_ON | SUPPORTER,
    # relative
    "popliteal_lump": KNEE_BACK_PRESSURE | SUPPORTER,
    "night_pain": NERVE_STRETCHES | DEEP_WORK,
    "numbness": NERVE_STRETCHES | DEEP_WORK,
    "acute_inflammation": HANDS_ON | WARMING,
    "fever": HANDS_ON | WARMING,
    # precautions withhold nothing
    "persistent_pain": set(),
    "walking_or_stairs_worse": set(),
    "pain_improving": set(),
}
LIBRARY = SHIPPED_BY_CODE
ITEMS = [("exercise", entry.code) for entry in SHIPPED] + sorted(RULE_BY_KEY)
SIDES = ("left", "right", "both")


def given(kind, code, complaint_side=""):
    """The item where the generator puts it by default (each leg, or the complaint's leg)."""
    side = default_side(placement_of(code, kind, LIBRARY), complaint_side)
    return care_item(code, kind, LIBRARY, side)


def test_the_table_names_every_hazard():
    assert set(BLOCKED) == set(HAZARD_BY_CODE)


def test_the_matrix_covers_every_item_the_product_can_give():
    assert len(ITEMS) == len(set(ITEMS)) == len(SHIPPED) + len(RULE_BY_KEY)


MATRIX = [
    pytest.param(kind, code, rule.code, side, id=f"{kind}/{code} x {rule.code} ({side})")
    for kind, code in ITEMS
    for rule in HAZARD_RULES
    for side in SIDES
]


@pytest.mark.parametrize("kind, code, hazard_code, side", MATRIX)
def test_each_item_under_each_hazard_on_each_side(kind, code, hazard_code, side):
    verdict = check(given(kind, code), [hazard(hazard_code, side)])
    placement = placement_of(code, kind, LIBRARY)
    if (kind, code) not in BLOCKED[hazard_code]:
        assert verdict.clear and verdict.side == verdict.item.side
        return
    severity = HAZARD_BY_CODE[hazard_code].severity
    assert verdict.severity == severity
    assert verdict.hazard_codes() == [hazard_code]
    splittable = placement in (EACH_LEG, COMPLAINT_SIDE)
    if side != "both" and splittable:
        other = "right" if side == "left" else "left"
        assert verdict.narrowed and verdict.side == other and verdict.held_leg == side
    else:
        assert verdict.held and verdict.side is None


@pytest.mark.parametrize("kind, code", ITEMS, ids=lambda value: str(value))
@pytest.mark.parametrize("hazard_code", list(HAZARD_BY_CODE))
def test_a_left_hazard_never_withholds_the_right_legs_care(kind, code, hazard_code):
    if placement_of(code, kind, LIBRARY) not in (EACH_LEG, COMPLAINT_SIDE):
        return  # done with both legs at once, or on none: there is no right-leg-only version
    verdict = as_given(care_item(code, kind, LIBRARY, "right"), [hazard(hazard_code, "left")])
    assert verdict.clear


@pytest.mark.parametrize("kind, code", ITEMS, ids=lambda value: str(value))
def test_an_item_given_on_the_hazards_leg_is_stopped_exactly_when_the_table_says(kind, code):
    for rule in HAZARD_RULES:
        side = "left" if placement_of(code, kind, LIBRARY) in (EACH_LEG, COMPLAINT_SIDE) else ""
        verdict = as_given(care_item(code, kind, LIBRARY, side), [hazard(rule.code, "left")])
        assert verdict.held == ((kind, code) in BLOCKED[rule.code]), rule.code


def test_placements_are_what_the_clinic_does():
    assert placement_of("towel_hamstring_stretch", "exercise", LIBRARY) == EACH_LEG
    assert placement_of("lying_hip_rotation", "exercise", LIBRARY) == BOTH_AT_ONCE
    assert placement_of("morning_posture_breathing", "exercise", LIBRARY) == BOTH_AT_ONCE
    assert placement_of("pelvic_alignment", "clinic", LIBRARY) == BOTH_AT_ONCE
    assert placement_of("hamstring_release", "clinic", LIBRARY) == EACH_LEG
    assert placement_of("posture_gait_guidance", "clinic", LIBRARY) == NOT_ON_A_LEG
    assert placement_of("warm_compress", "compress", LIBRARY) == COMPLAINT_SIDE
    assert placement_of("keep_legs_warm", "habit", LIBRARY) == BOTH_AT_ONCE


def test_a_compress_goes_on_the_complaints_leg_and_is_clear_when_the_hazard_is_on_the_other():
    item = given("compress", "warm_compress", complaint_side="right")
    assert item.side == "right"
    assert check(item, [hazard("suspected_dvt", "left")]).clear
    assert check(item, [hazard("suspected_dvt", "right")]).held


def test_the_most_serious_hazard_decides_and_every_one_is_named():
    item = given("exercise", "knee_back_lymph_massage")
    verdict = check(item, [hazard("acute_inflammation", "both"), hazard("leg_swelling", "both")])
    assert verdict.held and verdict.severity == ABSOLUTE
    assert verdict.hazard_codes() == ["leg_swelling", "acute_inflammation"]


def test_an_absolute_hazard_on_one_leg_and_a_relative_on_the_other_hold_the_item_whole():
    item = given("exercise", "lying_knee_back_release")
    verdict = check(item, [hazard("suspected_dvt", "left"), hazard("night_pain", "right")])
    assert verdict.held and verdict.severity == ABSOLUTE
    assert {block.leg for block in verdict.blocks} == {"left", "right"}


def test_a_written_reason_answers_a_relative_hazard_never_an_absolute_one():
    item = care_item("lying_knee_back_release", "exercise", LIBRARY, "both")
    verdict = as_given(item, [hazard("night_pain", "both"), hazard("hot_swollen_leg", "left")])
    absolute, relative = unmet(verdict, overridden=["night_pain", "hot_swollen_leg"])
    assert [block.hazard.code for block in absolute] == ["hot_swollen_leg"]
    assert relative == ()
    absolute, relative = unmet(verdict, overridden=[])
    assert [block.hazard.code for block in relative] == ["night_pain"]


def test_precautions_block_nothing():
    for kind, code in ITEMS:
        for rule in HAZARD_RULES:
            if rule.severity == PRECAUTION:
                assert check(given(kind, code), [hazard(rule.code, "both")]).clear


def test_relative_and_absolute_are_the_only_severities_that_hold():
    held = {HAZARD_BY_CODE[code].severity for code, items in BLOCKED.items() if items}
    assert held == {ABSOLUTE, RELATIVE}
