"""Contraindications: when each is in force, which items each one rules out, and that nothing
ruled out ever reaches the plan."""

import pytest

from assessments.rules import (
    CONTRAINDICATION_BY_CODE,
    CONTRAINDICATIONS,
    Complaint,
    Palpation,
    RedFlagAnswers,
    contraindications_in_force,
    screen,
    violations,
)
from assessments.rules.contraindications import DVT_FLAGS, MASS_FLAGS
from assessments.rules.plan_rules import RULE_BY_KEY
from assessments.rules.redflags import RULE_BY_CODE
from tests.assessments.test_rules_plan import (
    DVT_FACTS,
    LIBRARY,
    LIBRARY_BY_CODE,
    TODAY,
    WORKED_SECTIONS,
    assess,
    days_ago,
    exercise,
    make_plan,
)


def complaint_only(**fields):
    return assess(complaint=Complaint(**fields))


def in_force(facts, today=TODAY):
    return contraindications_in_force(facts, screen(facts, today), today)


CASES = [
    ("suspected_dvt", "calf 3.0 cm larger",
     assess(calf_circumference=("40", "37")), assess(calf_circumference=("39.9", "37"))),
    ("suspected_dvt", "one leg swollen",
     assess(red_flags=RedFlagAnswers(leg_swelling="right")),
     assess(red_flags=RedFlagAnswers(night_pain=True))),
    ("suspected_dvt", "one leg swollen and warm",
     assess(red_flags=RedFlagAnswers(leg_swelling="left", leg_warm=True)),
     assess(red_flags=RedFlagAnswers(fever=True))),
    ("acute_hot_swelling", "the leg warm",
     assess(red_flags=RedFlagAnswers(leg_warm=True)),
     assess(red_flags=RedFlagAnswers(leg_swelling="left"))),
    ("acute_hot_swelling", "warm behind the knee with a swollen leg",
     assess(palpation=Palpation(warm=True), red_flags=RedFlagAnswers(leg_swelling="left")),
     assess(palpation=Palpation(warm=True))),
    ("acute_hot_swelling", "a warm lump",
     assess(palpation=Palpation(warm=True, mass=True)),
     assess(palpation=Palpation(mass=True, tender=True))),
    ("popliteal_mass", "a lump felt",
     assess(palpation=Palpation(mass=True)), assess(palpation=Palpation(tender=True))),
    ("popliteal_mass", "felt hard, the mass box empty",
     assess(palpation=Palpation(hard=True)), assess(palpation=Palpation(red=True))),
    ("popliteal_mass", "pulsating",
     assess(palpation=Palpation(pulsating=True)), assess(palpation=Palpation(warm=True))),
    ("acute_inflammation", "onset 2 days ago",
     complaint_only(onset=days_ago(2)), complaint_only(onset=days_ago(3))),
    ("acute_inflammation", "warm behind the knee",
     assess(palpation=Palpation(warm=True)), assess(palpation=Palpation(tender=True))),
    ("acute_inflammation", "red behind the knee",
     assess(palpation=Palpation(red=True)), assess(palpation=Palpation(tender=True))),
    ("awaiting_clearance", "numbness",
     assess(red_flags=RedFlagAnswers(numbness=True)),
     complaint_only(qualities=frozenset({"dull"}))),
    ("awaiting_clearance", "pain for 14 days",
     complaint_only(onset=days_ago(14)), complaint_only(onset=days_ago(13))),
]  # fmt: skip


@pytest.mark.parametrize(
    "code, fires, stays_quiet",
    [pytest.param(code, fires, quiet, id=f"{code}: {name}") for code, name, fires, quiet in CASES],
)
def test_each_contraindication_is_in_force_and_its_nearest_case_is_not(code, fires, stays_quiet):
    assert code in in_force(fires)
    assert code not in in_force(stays_quiet)


def test_every_contraindication_has_a_firing_and_a_quiet_case():
    assert {case[0] for case in CASES} == set(CONTRAINDICATION_BY_CODE)


def test_nothing_is_in_force_for_an_unremarkable_assessment():
    assert in_force(assess(slr=("75", "55"))) == {}


def test_the_flags_a_contraindication_reads_are_real_red_flags():
    assert DVT_FLAGS | MASS_FLAGS <= set(RULE_BY_CODE)


@pytest.mark.parametrize("entry", CONTRAINDICATIONS, ids=lambda entry: entry.code)
def test_each_contraindication_has_a_label_and_an_explanation(entry):
    assert str(entry.label) and str(entry.explanation)


def test_the_reasons_quote_the_flag_or_the_finding():
    reasons = {code: str(reason) for code, reason in in_force(DVT_FACTS).items()}
    assert reasons["suspected_dvt"] == (
        "Red flag “Suspected deep-vein thrombosis (DVT)”, “Calf 3 cm or more larger on one "
        "side”, “Leg swelling or warmth”"
    )
    assert reasons["acute_hot_swelling"] == "The leg feels warm or hot"
    assert reasons["awaiting_clearance"].startswith("A doctor has yet to see the red flag")
    assert "“Pain for two weeks or more, or not improving”" in reasons["awaiting_clearance"]
    lump = in_force(assess(palpation=Palpation(mass=True, size_cm=2)))
    assert str(lump["popliteal_mass"]) == "Lump felt behind the knee (2 cm)"
    fresh = in_force(complaint_only(onset=days_ago(1)))
    assert str(fresh["acute_inflammation"]) == "Recent onset: pain since 2026-11-19"


# violations(): exactly which contraindication rules out which item.

LEG_WORK = {"suspected_dvt", "acute_hot_swelling", "awaiting_clearance"}
EXPECTED = {
    ("clinic", "pelvic_alignment"): LEG_WORK,
    ("clinic", "hip_mobilisation"): LEG_WORK,
    ("clinic", "ankle_mobilisation"): LEG_WORK,
    ("clinic", "hamstring_release"): LEG_WORK,
    ("clinic", "calf_release"): LEG_WORK,
    ("clinic", "posture_gait_guidance"): set(),
    ("habit", "uncross_legs"): set(),
    ("habit", "swap_bag_side"): set(),
    ("habit", "stop_one_leg_standing"): set(),
    ("habit", "stand_up_regularly"): set(),
    ("habit", "shoe_choice"): set(),
    ("habit", "fluids_and_minerals"): set(),
    ("habit", "keep_legs_warm"): set(),
    ("supporter", "supporter_active_only"): set(),
    ("supporter", "supporter_optional"): set(),
    ("compress", "cold_compress"): {"suspected_dvt"},
    ("compress", "warm_compress"): {"acute_inflammation", "acute_hot_swelling", "suspected_dvt"},
    **{("exercise", entry.code): set(entry.contraindications) for entry in LIBRARY},
}
MATRIX = [
    pytest.param(kind, code, contraindication, id=f"{kind}/{code} under {contraindication}")
    for kind, code in EXPECTED
    for contraindication in CONTRAINDICATION_BY_CODE
]


def test_the_expected_table_covers_every_plan_item():
    assert {key for key in EXPECTED if key[0] != "exercise"} == set(RULE_BY_KEY)


@pytest.mark.parametrize("kind, code, contraindication", MATRIX)
def test_each_contraindication_rules_out_exactly_the_items_it_should(kind, code, contraindication):
    broken = violations(code, kind, LIBRARY_BY_CODE, {contraindication: "why"})
    others = {other: "why" for other in CONTRAINDICATION_BY_CODE if other != contraindication}
    left_over = violations(code, kind, LIBRARY_BY_CODE, others)
    if contraindication in EXPECTED[(kind, code)]:
        assert broken == [contraindication]
        assert contraindication not in left_over
    else:
        assert broken == []


@pytest.mark.parametrize("kind, code", list(EXPECTED), ids=lambda value: str(value))
def test_nothing_in_force_rules_out_nothing(kind, code):
    assert violations(code, kind, LIBRARY_BY_CODE, {}) == []


def test_violations_list_the_most_serious_first():
    everything = {code: "why" for code in reversed(list(CONTRAINDICATION_BY_CODE))}
    assert violations("knee_back_massage", "exercise", LIBRARY_BY_CODE, everything) == [
        "suspected_dvt",
        "acute_hot_swelling",
        "popliteal_mass",
        "awaiting_clearance",
    ]


def test_a_hand_added_massage_on_a_swollen_warm_calf_needs_an_override():
    forced = in_force(DVT_FACTS)
    assert violations("knee_back_massage", "exercise", LIBRARY_BY_CODE, forced) == [
        "suspected_dvt",
        "acute_hot_swelling",
        "awaiting_clearance",
    ]
    assert violations("warm_compress", "compress", LIBRARY_BY_CODE, forced) == [
        "suspected_dvt",
        "acute_hot_swelling",
    ]
    assert violations("posture_breathing", "exercise", LIBRARY_BY_CODE, forced) == []
    assert violations("uncross_legs", "habit", LIBRARY_BY_CODE, forced) == []


def test_a_hand_added_massage_for_an_ordinary_tight_knee_back_needs_none():
    forced = in_force(assess(slr=("75", "55")))
    assert violations("knee_back_massage", "exercise", LIBRARY_BY_CODE, forced) == []
    assert violations("hamstring_release", "clinic", LIBRARY_BY_CODE, forced) == []


def test_a_retired_exercise_still_answers_for_a_plan_that_has_it():
    library = {"old": exercise("old", {"tight_hamstring"}, {"suspected_dvt"}, retired=True)}
    assert violations("old", "exercise", library, {"suspected_dvt": "why"}) == ["suspected_dvt"]


@pytest.mark.parametrize(
    "code, kind", [("no_such_exercise", "exercise"), ("no_such_work", "clinic"), ("x", "massage")]
)
def test_violations_refuse_an_item_nobody_defined(code, kind):
    with pytest.raises(KeyError):
        violations(code, kind, LIBRARY_BY_CODE, {"suspected_dvt": "why"})


# propose(): nothing ruled out reaches the plan, whatever is in force.


@pytest.mark.parametrize(
    "facts",
    [pytest.param(fires, id=f"{code}: {name}") for code, name, fires, _quiet in CASES],
)
def test_nothing_ruled_out_ever_reaches_the_plan(facts):
    sections = {
        "posture": {"thoracic_kyphosis": True, "pelvic_high_side": "left"},
        "lower_limb": {"stiff_hip": "left", "stiff_ankle": "left", "gait": "antalgic"},
        "habits": {**WORKED_SECTIONS["habits"], "night_cramps": True, "cold_extremities": True},
    }
    plan = make_plan(facts, **sections)
    forced = in_force(facts)
    assert forced
    for item in plan.items:
        assert violations(item.code, item.kind, LIBRARY_BY_CODE, forced) == [], item.code
    for item in plan.withheld:
        broken = violations(item.code, item.kind, LIBRARY_BY_CODE, forced)
        assert broken and item.contraindication == broken[0], item.code
        assert str(CONTRAINDICATION_BY_CODE[broken[0]].label) in str(item.reason)
