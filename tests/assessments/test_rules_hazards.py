"""Hazards: each one by each route that raises it beside the nearest case that must not, on the
side it names, with its severity; and the table's wording, one pair at a time.

The clinical table in one place (a clinician reviews it here and in the issue's note):
  absolute   suspected_dvt, injury_cannot_bear_weight, pulsating_mass, hot_swollen_leg,
             leg_swelling
  relative   popliteal_lump, night_pain, numbness, acute_inflammation, fever
  precaution persistent_pain, walking_or_stairs_worse, pain_improving
"""

from dataclasses import replace

import pytest
from django.utils import translation

from assessments.rules import (
    HAZARD_BY_CODE,
    HAZARD_RULES,
    RULES,
    Complaint,
    Palpation,
    PreviousVisit,
    WellsAnswers,
    hazards_in_force,
    screen,
)
from assessments.rules.care import CARE_TAGS, GROUP_OF_TAG
from assessments.rules.hazards import ABSOLUTE, PRECAUTION, RELATIVE, patient_why, staff_why
from tests.assessments.cases import TODAY, answers, assess, days_ago, hazard


def in_force(facts, today=TODAY, lifted=()):
    return {h.code: h for h in hazards_in_force(facts, screen(facts, today), today, lifted=lifted)}


def complaint(**fields):
    return assess(complaint=Complaint(**fields))


SEVERITIES = {
    "suspected_dvt": ABSOLUTE,
    "injury_cannot_bear_weight": ABSOLUTE,
    "pulsating_mass": ABSOLUTE,
    "hot_swollen_leg": ABSOLUTE,
    "leg_swelling": ABSOLUTE,
    "popliteal_lump": RELATIVE,
    "night_pain": RELATIVE,
    "numbness": RELATIVE,
    "acute_inflammation": RELATIVE,
    "fever": RELATIVE,
    "persistent_pain": PRECAUTION,
    "walking_or_stairs_worse": PRECAUTION,
    "pain_improving": PRECAUTION,
}

# (hazard, route, facts that raise it and on which side, the nearest facts that must not)
CASES = [
    ("suspected_dvt", "one leg swollen, sudden",
     assess(red_flags=answers(leg_swelling="left", swelling_sudden=True)), "left",
     assess(red_flags=answers(leg_swelling="left"))),
    ("suspected_dvt", "Wells 2 from the history asked once, no side",
     assess(red_flags=answers(cancer="active"), wells=WellsAnswers(entire_leg_swollen=True)),
     "both",
     assess(red_flags=answers(cancer="past"), wells=WellsAnswers(entire_leg_swollen=True))),
    ("suspected_dvt", "calf 3.0 cm larger on the right and warm",
     assess(calf=("37", "40"), red_flags=answers(leg_warm=True)), "right",
     assess(calf=("37", "39.9"), red_flags=answers(leg_warm=True))),
    ("suspected_dvt", "the left reported, the right calf 4 cm larger: both legs",
     assess(calf=("37", "41"), red_flags=answers(leg_swelling="left", swelling_sudden=True)),
     "both",
     assess(calf=("37", "41"))),
    ("injury_cannot_bear_weight", "injury (the screen asks no side: both legs)",
     assess(complaint=Complaint(side="right"), red_flags=answers(trauma_cannot_bear_weight=True)),
     "both",
     assess(complaint=Complaint(side="right"))),
    ("pulsating_mass", "pulsation behind the left knee",
     assess(palpation=Palpation(mass=True, pulsating=True, side="left")), "left",
     assess(palpation=Palpation(mass=True, hard=True, side="left"))),
    ("hot_swollen_leg", "swollen and warm",
     assess(red_flags=answers(leg_swelling="right", leg_warm=True)), "right",
     assess(red_flags=answers(leg_swelling="right"))),
    ("hot_swollen_leg", "calf 3 cm larger, warm behind the knee",
     assess(calf=("41", "38"), palpation=Palpation(warm=True)), "left",
     assess(calf=("41", "38.1"), palpation=Palpation(warm=True))),
    ("hot_swollen_leg", "not from a warm lump without swelling",
     assess(red_flags=answers(leg_swelling="left"), palpation=Palpation(warm=True)), "left",
     assess(palpation=Palpation(mass=True, warm=True, side="left"))),
    ("leg_swelling", "one leg swollen, not warm",
     assess(red_flags=answers(leg_swelling="left")), "left",
     assess()),
    ("leg_swelling", "calves 3.0 cm apart",
     assess(calf=("38", "41")), "right",
     assess(calf=("38", "40.9"))),
    ("popliteal_lump", "a lump on the right",
     assess(palpation=Palpation(mass=True, side="right")), "right",
     assess(palpation=Palpation(tender=True, side="right"))),
    ("popliteal_lump", "felt hard, the mass box empty",
     assess(palpation=Palpation(hard=True, side="left")), "left",
     assess(palpation=Palpation(red=True, side="left"))),
    ("popliteal_lump", "not when it pulses (absolute instead)",
     assess(palpation=Palpation(mass=True, side="left")), "left",
     assess(palpation=Palpation(mass=True, pulsating=True, side="left"))),
    ("night_pain", "ticked, right complaint",
     assess(complaint=Complaint(side="right"), red_flags=answers(night_pain=True)), "right",
     assess(complaint=Complaint(side="right"))),
    ("night_pain", "provoked at night, no side",
     complaint(provokers=frozenset({"night"})), "both",
     complaint(provokers=frozenset({"walking"}))),
    ("numbness", "a quality of the left complaint",
     complaint(side="left", qualities=frozenset({"numbness"})), "left",
     complaint(side="left", qualities=frozenset({"pulling"}))),
    ("acute_inflammation", "warmth behind the right knee",
     assess(complaint=Complaint(side="right"), palpation=Palpation(warm=True)), "right",
     assess(complaint=Complaint(side="right"), palpation=Palpation(tender=True))),
    ("acute_inflammation", "redness of a lump on the left",
     assess(palpation=Palpation(mass=True, red=True, side="left")), "left",
     assess(palpation=Palpation(mass=True, side="left"))),
    ("acute_inflammation", "a swelling 2 days old",
     assess(complaint=Complaint(side="left", onset=days_ago(2)),
            red_flags=answers(leg_swelling="left")), "left",
     assess(complaint=Complaint(side="left", onset=days_ago(3)),
            red_flags=answers(leg_swelling="left"))),
    ("acute_inflammation", "not from the date alone",
     assess(complaint=Complaint(onset=days_ago(1)), red_flags=answers(leg_warm=True)), "both",
     complaint(onset=days_ago(1))),
    ("fever", "fever",
     assess(red_flags=answers(fever=True)), "both",
     assess()),
    ("persistent_pain", "14 days",
     complaint(side="right", onset=days_ago(14)), "right",
     complaint(side="right", onset=days_ago(13))),
    ("walking_or_stairs_worse", "ticked",
     assess(red_flags=answers(stairs_or_walking_harder=True)), "both",
     complaint(provokers=frozenset({"stairs"}))),
    ("pain_improving", "21 days, 5 -> 3",
     assess(complaint=Complaint(onset=days_ago(21), pain=3, side="right"),
            previous=PreviousVisit(on=days_ago(14), pain=5)), "right",
     assess(complaint=Complaint(onset=days_ago(21), pain=4, side="right"),
            previous=PreviousVisit(on=days_ago(14), pain=5))),
]  # fmt: skip


@pytest.mark.parametrize(
    "code, raised, side, quiet",
    [
        pytest.param(c, raised, side, quiet, id=f"{c}: {name}")
        for c, name, raised, side, quiet in CASES
    ],
)
def test_each_hazard_is_raised_on_its_side_and_its_nearest_case_is_not(code, raised, side, quiet):
    found = in_force(raised)
    assert code in found
    assert found[code].side == side
    assert found[code].severity == SEVERITIES[code]
    assert code not in in_force(quiet)


def test_every_hazard_has_a_raised_and_a_quiet_case():
    assert {case[0] for case in CASES} == set(HAZARD_BY_CODE)


def test_the_severity_of_each_hazard_is_the_reviewed_table():
    assert {rule.code: rule.severity for rule in HAZARD_RULES} == SEVERITIES


def test_absolute_hazards_come_first_in_the_table():
    order = [rule.severity for rule in HAZARD_RULES]
    assert order == sorted(order, key=[ABSOLUTE, RELATIVE, PRECAUTION].index)


def test_an_ordinary_tight_knee_back_has_no_hazard():
    facts = assess(
        complaint=Complaint(region="knee_back", side="right", pain=3, onset=days_ago(5)),
        slr=("75", "55"),
    )
    assert in_force(facts) == {}


def test_the_worked_patients_routine_referral_is_a_precaution_only():
    facts = assess(
        complaint=Complaint(region="knee_back", side="right", pain=5, onset=days_ago(21)),
        slr=("75", "55"),
    )
    found = in_force(facts)
    assert set(found) == {"persistent_pain"}
    assert found["persistent_pain"].severity == PRECAUTION


def test_night_pain_numbness_and_stairs_withhold_nothing_absolute():
    facts = assess(
        complaint=Complaint(side="right", onset=days_ago(30)),
        red_flags=answers(night_pain=True, numbness=True, stairs_or_walking_harder=True),
    )
    assert {h.severity for h in in_force(facts).values()} == {RELATIVE, PRECAUTION}


def test_a_lifted_hazard_is_no_longer_in_force_and_the_others_stay():
    facts = assess(red_flags=answers(leg_swelling="left", leg_warm=True))
    everything = in_force(facts)
    assert {"suspected_dvt", "hot_swollen_leg", "leg_swelling"} <= set(everything)
    lifted = in_force(facts, lifted={"suspected_dvt"})
    assert "suspected_dvt" not in lifted
    assert set(everything) - {"suspected_dvt"} == set(lifted)


def test_each_hazard_quotes_its_findings():
    facts = assess(red_flags=answers(leg_swelling="left", leg_warm=True))
    found = in_force(facts)
    assert str(found["hot_swollen_leg"].reason) == "Swelling of the left leg; the leg feels warm"
    assert str(found["suspected_dvt"].reason).startswith(
        "Red flag “Suspected deep-vein thrombosis (DVT)”: Swelling of the left leg"
    )
    assert found["hot_swollen_leg"].inputs == {
        "red_flags.leg_swelling": "left",
        "red_flags.leg_warm": "true",
    }


# The table's wording: a practitioner's and a patient's sentence for every group of care a
# hazard blocks, and a caution for every precaution.


@pytest.mark.parametrize("rule", HAZARD_RULES, ids=lambda rule: rule.code)
def test_each_hazard_has_wording_for_every_group_of_care_it_blocks(rule):
    assert str(rule.label) and str(rule.explanation) and str(rule.source)
    assert set(rule.blocks) <= set(CARE_TAGS)
    assert {GROUP_OF_TAG[tag] for tag in rule.blocks} == set(rule.why)
    for wording in rule.why.values():
        assert str(wording.staff) and str(wording.patient).count("{leg}") == 1
    if rule.severity == PRECAUTION:
        assert not rule.blocks and rule.caution is not None
        assert str(rule.caution.staff) and str(rule.caution.patient)
    else:
        assert rule.blocks and rule.caution is None


def test_the_patient_is_told_about_the_held_care_not_another_one():
    """The reported case: a massage withheld "because heat makes swelling worse"."""
    inflamed = hazard("acute_inflammation", "left")
    massage = str(patient_why(inflamed, "massage", "left"))
    warming = str(patient_why(inflamed, "heat", "left"))
    assert "massage" in massage and "warm it" not in massage
    assert "warm" in warming and "massage" not in warming
    assert "left leg" in massage


def test_staff_wording_follows_the_pair_too():
    dvt = hazard("suspected_dvt", "right")
    assert str(staff_why(dvt, "massage")) != str(staff_why(dvt, "heat"))
    assert "clot" in str(staff_why(dvt, "massage"))


def test_a_hazard_on_no_known_side_reaches_both_legs():
    found = in_force(complaint(provokers=frozenset({"night"})))["night_pain"]
    assert found.covers("left") and found.covers("right")
    left = replace(found, side="left")
    assert left.covers("left") and not left.covers("right")


def test_the_patient_reads_legs_not_both_legs_when_no_side_is_known():
    """ "Both legs" would claim both are affected; "your legs" names where care waits."""
    text = str(patient_why(hazard("suspected_dvt", "both"), "stretch", "both"))
    assert text == "Until a doctor has checked the swelling, please do not stretch your legs."
    with translation.override("ja"):
        japanese = str(patient_why(hazard("suspected_dvt", "both"), "stretch", "both"))
    assert "両脚" not in japanese and "脚" in japanese


@pytest.mark.parametrize(
    "code, flags, lifts",
    [
        ("suspected_dvt", ["suspected_dvt"], True),
        ("suspected_dvt", ["leg_swelling"], True),
        ("suspected_dvt", ["persistent_pain"], False),
        ("suspected_dvt", ["pulsating_mass"], False),
        ("pulsating_mass", ["pulsating_mass"], True),
        ("pulsating_mass", ["suspected_dvt", "persistent_pain"], False),
        ("injury_cannot_bear_weight", ["trauma_cannot_bear_weight"], True),
        ("injury_cannot_bear_weight", ["night_pain"], False),
        ("night_pain", ["night_pain"], True),
        ("night_pain", ["numbness"], False),
        ("acute_inflammation", ["persistent_pain"], True),  # any doctor who saw the leg
        ("persistent_pain", ["persistent_pain"], False),  # a precaution holds nothing to lift
    ],
)
def test_only_the_referral_for_a_hazards_own_flags_may_lift_it(code, flags, lifts):
    assert HAZARD_BY_CODE[code].lifted_by(flags) is lifts


def test_every_absolute_hazard_names_the_flags_that_clear_it():
    for rule in HAZARD_RULES:
        if rule.severity == ABSOLUTE:
            assert rule.cleared_by and rule.cleared_by <= {r.code for r in RULES}
