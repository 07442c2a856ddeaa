"""The red-flag screen: each rule on both sides of its threshold, and what a flag records.

A flag says whom to see and how soon; what is withheld is the hazards' business
(test_rules_hazards.py)."""

import json
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from assessments.rules import (
    DEPARTMENT_LABELS,
    RULE_BY_CODE,
    RULES,
    RULES_VERSION,
    URGENCY_LABELS,
    Complaint,
    Palpation,
    PreviousVisit,
    RedFlagAnswers,
    WellsAnswers,
    screen,
)
from assessments.rules.redflags import patient_label, rule_label
from tests.assessments.cases import TODAY, answers, assess, days_ago


def flags(facts, today=TODAY):
    return {flag.code: flag for flag in screen(facts, today).flags}


# Each rule, by each route that raises it, beside the nearest case that must not raise it.
CASES = [
    ("suspected_dvt", "one leg swollen, sudden",
     assess(red_flags=answers(leg_swelling="left", swelling_sudden=True)),
     assess(red_flags=answers(leg_swelling="left"))),
    ("suspected_dvt", "one leg swollen and warm",
     assess(red_flags=answers(leg_swelling="right", leg_warm=True)),
     assess(red_flags=answers(leg_swelling="both", leg_warm=True))),
    ("suspected_dvt", "one leg swollen, warm on palpation",
     assess(red_flags=answers(leg_swelling="left"), palpation=Palpation(warm=True)),
     assess(palpation=Palpation(warm=True))),
    ("suspected_dvt", "Wells likely with both legs swollen",
     assess(red_flags=answers(leg_swelling="both"),
            wells=WellsAnswers(deep_vein_tenderness=True, collateral_veins=True)),
     assess(red_flags=answers(leg_swelling="both"), wells=WellsAnswers(collateral_veins=True))),
    ("suspected_dvt", "calf 3.0 cm larger and warm, nothing ticked",
     assess(calf=("40", "37"), palpation=Palpation(warm=True)),
     assess(calf=("39.9", "37"), palpation=Palpation(warm=True))),
    ("suspected_dvt", "calf 3.0 cm larger and the leg warm",
     assess(calf=("37", "40"), red_flags=answers(leg_warm=True)),
     assess(calf=("37", "40"))),
    ("calf_asymmetry", "left calf 3.0 cm larger",
     assess(calf=("40", "37")),
     assess(calf=("39.9", "37"))),
    ("calf_asymmetry", "right calf 3.0 cm larger",
     assess(calf=("35", "38")),
     assess(calf=("35.1", "38"))),
    ("leg_swelling", "leg swelling ticked",
     assess(red_flags=answers(leg_swelling="right")),
     assess()),
    ("leg_swelling", "warm and swollen, not only warm",
     assess(red_flags=answers(leg_swelling="left"), palpation=Palpation(warm=True)),
     assess(palpation=Palpation(warm=True), red_flags=answers(leg_warm=True))),
    ("leg_swelling", "whole leg swollen among the Wells answers",
     assess(wells=WellsAnswers(entire_leg_swollen=True)),
     assess(wells=WellsAnswers(deep_vein_tenderness=True))),
    ("popliteal_mass_hard_or_growing", "hard lump",
     assess(palpation=Palpation(mass=True, hard=True)),
     assess(palpation=Palpation(mass=True, tender=True))),
    ("popliteal_mass_hard_or_growing", "growing lump",
     assess(palpation=Palpation(mass=True, growing=True)),
     assess(palpation=Palpation(mass=True))),
    ("popliteal_mass_hard_or_growing", "red lump",
     assess(palpation=Palpation(mass=True, red=True)),
     assess(palpation=Palpation(red=True))),
    ("popliteal_mass_hard_or_growing", "warm lump",
     assess(palpation=Palpation(mass=True, warm=True)),
     assess(palpation=Palpation(warm=True))),
    ("popliteal_mass_hard_or_growing", "felt hard with the mass box empty",
     assess(palpation=Palpation(hard=True)),
     assess(palpation=Palpation(red=True, tender=True))),
    ("pulsating_mass", "pulsation",
     assess(palpation=Palpation(mass=True, pulsating=True)),
     assess(palpation=Palpation(mass=True, hard=True))),
    ("walking_or_stairs_worse", "ticked",
     assess(red_flags=answers(stairs_or_walking_harder=True)),
     assess(complaint=Complaint(provokers=frozenset({"walking", "stairs"})))),
    ("night_pain", "ticked",
     assess(red_flags=answers(night_pain=True)),
     assess()),
    ("night_pain", "complaint provoked at night",
     assess(complaint=Complaint(provokers=frozenset({"night"}))),
     assess(complaint=Complaint(provokers=frozenset({"walking", "cold"})))),
    ("numbness", "ticked",
     assess(red_flags=answers(numbness=True)),
     assess()),
    ("numbness", "complaint quality",
     assess(complaint=Complaint(qualities=frozenset({"numbness"}))),
     assess(complaint=Complaint(qualities=frozenset({"cramping", "pulling"})))),
    ("persistent_pain", "onset 14 days ago",
     assess(complaint=Complaint(onset=days_ago(14))),
     assess(complaint=Complaint(onset=days_ago(13)))),
    ("persistent_pain", "not improving",
     assess(red_flags=answers(pain_not_improving=True)),
     assess(complaint=Complaint(onset=TODAY + timedelta(days=30)))),
    ("persistent_pain", "14 days, 1 point better than last time (17 %)",
     assess(complaint=Complaint(onset=days_ago(14), pain=5),
            previous=PreviousVisit(on=days_ago(7), pain=6)),
     assess(complaint=Complaint(onset=days_ago(14), pain=4),
            previous=PreviousVisit(on=days_ago(7), pain=6))),
    ("persistent_pain", "better by the numbers, but ticked not improving",
     assess(complaint=Complaint(onset=days_ago(21), pain=2),
            red_flags=answers(pain_not_improving=True),
            previous=PreviousVisit(on=days_ago(14), pain=5)),
     assess(complaint=Complaint(onset=days_ago(21), pain=2),
            previous=PreviousVisit(on=days_ago(14), pain=5))),
    ("fever", "ticked",
     assess(red_flags=answers(fever=True)),
     assess()),
    ("trauma_cannot_bear_weight", "ticked",
     assess(red_flags=answers(trauma_cannot_bear_weight=True)),
     assess()),
    ("risk_factor_cancer", "cancer in the past beside a swollen leg",
     assess(red_flags=answers(cancer="past", leg_swelling="left")),
     assess(red_flags=answers(cancer="past"))),
    ("risk_factor_cancer", "active cancer beside a 3.0 cm calf",
     assess(red_flags=answers(cancer="active"), calf=("40", "37")),
     assess(red_flags=answers(cancer="active"), calf=("39.9", "37"))),
    ("risk_factor_surgery_or_immobilisation", "bedridden beside a swollen leg",
     assess(red_flags=answers(bedridden_or_surgery=True, leg_swelling="right")),
     assess(red_flags=answers(bedridden_or_surgery=True))),
    ("risk_factor_surgery_or_immobilisation", "a cast beside a whole swollen leg",
     assess(red_flags=answers(paralysis_or_cast=True), wells=WellsAnswers(entire_leg_swollen=True)),
     assess(red_flags=answers(paralysis_or_cast=True))),
    ("risk_factor_previous_dvt", "previous DVT beside a 3.0 cm calf",
     assess(red_flags=answers(previous_dvt=True), calf=("37", "40")),
     assess(red_flags=answers(previous_dvt=True), calf=("37", "39.9"))),
]  # fmt: skip


@pytest.mark.parametrize(
    "code, fires, stays_quiet",
    [pytest.param(code, fires, quiet, id=f"{code}: {name}") for code, name, fires, quiet in CASES],
)
def test_each_rule_fires_and_its_nearest_case_does_not(code, fires, stays_quiet):
    assert code in flags(fires)
    assert code not in flags(stays_quiet)


def test_every_rule_has_a_firing_and_a_quiet_case():
    assert {case[0] for case in CASES} == set(RULE_BY_CODE)


REFERRALS = {
    "suspected_dvt": ("internal_vascular", "same_day"),
    "calf_asymmetry": ("internal_vascular", "soon"),
    "leg_swelling": ("internal_vascular", "soon"),
    "popliteal_mass_hard_or_growing": ("orthopaedics", "soon"),
    "pulsating_mass": ("vascular_surgery", "same_day"),
    "walking_or_stairs_worse": ("orthopaedics", "routine"),
    "night_pain": ("orthopaedics", "soon"),
    "numbness": ("orthopaedics", "soon"),
    "persistent_pain": ("orthopaedics", "routine"),
    "fever": ("internal_medicine", "same_day"),
    "trauma_cannot_bear_weight": ("orthopaedics", "same_day"),
    "risk_factor_cancer": ("internal_vascular", "soon"),
    "risk_factor_surgery_or_immobilisation": ("internal_vascular", "soon"),
    "risk_factor_previous_dvt": ("internal_vascular", "soon"),
}


def test_each_rule_refers_to_its_department_with_its_urgency():
    assert {rule.code: (rule.department, rule.urgency) for rule in RULES} == REFERRALS


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_each_rule_has_labels_and_a_source(rule):
    assert str(DEPARTMENT_LABELS[rule.department]) and str(URGENCY_LABELS[rule.urgency])
    assert str(rule.label) and str(rule.source) and str(rule.patient_label)
    assert str(rule.patient_label) != str(rule.label) or "suspected" not in str(rule.label).lower()


def test_a_swollen_warm_calf_is_seen_the_same_day_with_a_wells_score():
    facts = assess(calf=("41", "37.5"), red_flags=answers(leg_swelling="left", leg_warm=True))
    screening = screen(facts, TODAY)
    dvt = screening.flags[0]
    assert (dvt.code, dvt.department, dvt.urgency) == (
        "suspected_dvt",
        "internal_vascular",
        "same_day",
    )
    assert screening.most_urgent == "same_day"
    assert screening.wells.items == ("calf_difference",)
    assert screening.wells.calf_difference_cm == D("3.5")
    assert dvt.inputs["wells.score"] == str(screening.wells.score)
    assert dvt.inputs["calf_difference_cm"] == "3.5"
    assert str(dvt.reason) == (
        "Swelling of the left leg; calf 3.5 cm larger on the left; the leg feels warm; "
        "Wells score 1"
    )
    assert str(dvt.advice) == "Please see Internal medicine / vascular surgery (Same day)."
    assert "calf_asymmetry" in flags(facts)


def test_one_sided_knee_back_pain_with_a_tight_hamstring_gets_no_flags():
    complaint = Complaint(
        region="knee_back",
        side="right",
        qualities=frozenset({"pulling"}),
        pain=5,
        onset=days_ago(5),
        provokers=frozenset({"walking"}),
    )
    screening = screen(assess(complaint=complaint, slr=("75", "55")), TODAY)
    assert screening.flags == ()
    assert screening.wells is None
    assert screening.most_urgent is None
    [slr] = screening.asymmetries
    assert (slr.flagged, slr.worse_side, str(slr.marker)) == (True, "right", "tighter hamstring")


def test_the_screen_collects_every_flag_that_fires():
    facts = assess(
        complaint=Complaint(onset=days_ago(30)),
        palpation=Palpation(mass=True, hard=True, pulsating=True),
        red_flags=RedFlagAnswers(**{
            "leg_swelling": "left", "swelling_sudden": True, "leg_warm": True,
            "stairs_or_walking_harder": True, "night_pain": True, "numbness": True,
            "fever": True, "trauma_cannot_bear_weight": True, "cancer": "active",
            "bedridden_or_surgery": True, "previous_dvt": True,
        }),
        calf=("42", "38"),
    )  # fmt: skip
    assert set(flags(facts)) == set(RULE_BY_CODE)


def test_flags_are_listed_most_urgent_first():
    facts = assess(
        complaint=Complaint(onset=days_ago(20)),
        red_flags=answers(night_pain=True, fever=True),
    )
    assert [flag.code for flag in screen(facts, TODAY).flags] == [
        "fever",
        "night_pain",
        "persistent_pain",
    ]


def test_ticks_and_findings_for_the_same_flag_are_both_given_as_reasons():
    facts = assess(
        red_flags=answers(numbness=True),
        complaint=Complaint(qualities=frozenset({"numbness", "dull"})),
    )
    numbness = flags(facts)["numbness"]
    assert str(numbness.reason) == "Numbness; numbness described in the complaint"
    assert numbness.inputs == {"red_flags.numbness": "true", "complaint.qualities": "dull,numbness"}


def test_persistent_pain_records_how_long():
    pain = flags(assess(complaint=Complaint(onset=date(2026, 11, 6))))["persistent_pain"]
    assert str(pain.reason) == "Pain for 14 days (since 2026-11-06)"
    assert pain.inputs == {
        "complaint.onset": "2026-11-06",
        "today": "2026-11-20",
        "days_since_onset": "14",
    }


def test_without_an_onset_there_is_no_duration_flag():
    assert "persistent_pain" not in flags(assess(complaint=Complaint(pain=8)))


def test_a_lump_records_its_size_and_side():
    palpation = Palpation(mass=True, growing=True, size_cm=D("2.5"), side="left")
    lump = flags(assess(palpation=palpation))["popliteal_mass_hard_or_growing"]
    assert lump.inputs == {
        "palpation.mass": "true",
        "palpation.size_cm": "2.5",
        "palpation.side": "left",
        "palpation.growing": "true",
    }


def test_wells_is_not_scored_without_a_swollen_leg():
    facts = assess(wells=WellsAnswers(deep_vein_tenderness=True), calf=("39.9", "37"))
    assert screen(facts, TODAY).wells is None


def test_wells_is_scored_when_the_calves_show_the_swelling_nobody_ticked():
    wells = screen(assess(calf=("37", "40")), TODAY).wells
    assert (wells.score, wells.items, wells.calf_difference_cm) == (1, ("calf_difference",), D("3"))


def test_wells_uses_the_reported_leg_even_when_the_other_calf_is_larger():
    facts = assess(red_flags=answers(leg_swelling="left"), calf=("37", "41"))
    wells = screen(facts, TODAY).wells
    assert (wells.score, wells.calf_difference_cm) == (0, D("-4"))
    assert "calf_asymmetry" in flags(facts)


def test_a_previous_dvt_answered_once_counts_in_wells():
    facts = assess(red_flags=answers(leg_swelling="left", previous_dvt=True))
    assert screen(facts, TODAY).wells.items == ("previous_dvt",)


def test_wells_likely_raises_suspected_dvt_without_sudden_or_warm():
    facts = assess(
        red_flags=answers(leg_swelling="left", cancer="active"),
        calf=("40", "37"),
    )
    dvt = flags(facts)["suspected_dvt"]
    assert (dvt.inputs["wells.score"], dvt.inputs["wells.likely"]) == ("2", "true")
    assert (dvt.inputs["wells.active_cancer"], dvt.inputs["wells.calf_difference"]) == ("+1", "+1")


def test_the_history_asked_once_makes_wells_likely_for_a_bedridden_patient_on_chemotherapy():
    """The reported case: only the general history ticked (cancer treated now, bedridden), the
    whole leg swollen: Wells 3, suspected DVT, same day."""
    facts = assess(
        red_flags=answers(cancer="active", bedridden_or_surgery=True),
        wells=WellsAnswers(entire_leg_swollen=True),
    )
    screening = screen(facts, TODAY)
    assert screening.wells.score == 3
    assert screening.flags[0].code == "suspected_dvt"
    assert screening.most_urgent == "same_day"


def test_cancer_in_the_past_is_a_risk_factor_but_no_wells_point():
    facts = assess(red_flags=answers(cancer="past", leg_swelling="left"))
    assert screen(facts, TODAY).wells.score == 0
    assert "risk_factor_cancer" in flags(facts)


def test_an_alternative_cause_can_bring_wells_below_likely():
    facts = assess(
        red_flags=answers(leg_swelling="both", cancer="active"),
        wells=WellsAnswers(entire_leg_swollen=True, alternative_as_likely=True),
    )
    assert "suspected_dvt" not in flags(facts)
    assert "leg_swelling" in flags(facts)


def test_warmth_behind_the_knee_without_swelling_raises_no_vascular_flag():
    """The reported case: a warm lump, no swelling entered, gave "suspected DVT" and a vascular
    referral. A lump is an orthopaedic referral; warmth alone is no vascular one."""
    facts = assess(palpation=Palpation(mass=True, warm=True, side="right"))
    found = flags(facts)
    assert set(found) == {"popliteal_mass_hard_or_growing"}
    assert found["popliteal_mass_hard_or_growing"].department == "orthopaedics"


def test_a_lump_goes_to_vascular_surgery_only_when_it_pulses_or_the_leg_swells():
    pulsing = flags(assess(palpation=Palpation(mass=True, pulsating=True, side="left")))
    assert pulsing["pulsating_mass"].department == "vascular_surgery"
    swollen = flags(
        assess(
            palpation=Palpation(mass=True, hard=True, side="left"),
            red_flags=answers(leg_swelling="left"),
        )
    )
    assert {flag.department for flag in swollen.values()} == {"orthopaedics", "internal_vascular"}


def test_clearly_improving_pain_is_not_referred_again():
    """Reassessment knows the trend: 5 -> 2 after three weeks is a precaution, not a referral."""
    facts = assess(
        complaint=Complaint(onset=days_ago(21), pain=2),
        previous=PreviousVisit(on=days_ago(14), pain=5),
    )
    assert "persistent_pain" not in flags(facts)


@pytest.mark.parametrize(
    "before, now, referred",
    [
        (5, 3, False),
        (5, 4, True),
        (3, 2, False),
        (10, 7, False),
        (10, 8, False),
        (7, 6, True),
        (2, 2, True),
        (3, 4, True),
        (None, 2, True),
        (5, None, True),
    ],
)
def test_the_trend_threshold_is_two_points_or_thirty_percent(before, now, referred):
    facts = assess(
        complaint=Complaint(onset=days_ago(30), pain=now),
        previous=PreviousVisit(on=days_ago(10), pain=before),
    )
    assert ("persistent_pain" in flags(facts)) is referred


def test_every_flag_has_a_patient_label_that_names_no_condition():
    for rule in RULES:
        assert str(patient_label(rule.code)) == str(rule.patient_label)


def test_a_retired_flag_code_still_reads_as_words():
    assert str(rule_label("leg_swelling_or_warmth")) == "Leg swelling or warmth"
    assert rule_label("no_such_flag") == "no_such_flag"


def test_a_clinic_calf_threshold_never_silences_the_calf_flag():
    thresholds = {"calf_circumference": D("5")}
    screening = screen(assess(calf=("41", "37")), TODAY, thresholds=thresholds)
    [calf] = screening.asymmetries
    assert not calf.flagged
    assert "calf_asymmetry" in [flag.code for flag in screening.flags]


def test_every_input_is_recorded_as_text():
    facts = assess(
        complaint=Complaint(onset=days_ago(40), provokers=frozenset({"night"})),
        palpation=Palpation(mass=True, hard=True, size_cm=D("3"), pulsating=True),
        red_flags=answers(leg_swelling="left", leg_warm=True, cancer="past"),
        wells=WellsAnswers(collateral_veins=True),
        calf=("41", "37.5"),
    )
    for flag in screen(facts, TODAY).flags:
        assert flag.inputs, flag.code
        assert all(isinstance(value, str) for value in flag.inputs.values()), flag.code


def test_a_flag_snapshots_to_plain_json():
    flag = flags(assess(palpation=Palpation(pulsating=True)))["pulsating_mass"]
    snapshot = json.loads(json.dumps(flag.as_dict()))
    assert snapshot == {
        "code": "pulsating_mass",
        "label": "Pulsating lump behind the knee",
        "department": "vascular_surgery",
        "urgency": "same_day",
        "reason": "Pulsation felt behind the knee",
        "inputs": {"palpation.mass": "false", "palpation.pulsating": "true"},
        "source": "Standard red-flag screening: a pulsating lump behind the knee",
    }


def test_the_screening_names_its_rules_version():
    assert screen(assess(), TODAY).rules_version == RULES_VERSION == "2026.12-1"


def test_the_same_facts_become_persistent_pain_two_weeks_after_onset():
    facts = assess(complaint=Complaint(onset=date(2026, 11, 10)))
    assert flags(facts) == {}
    assert set(flags(facts, today=date(2026, 11, 24))) == {"persistent_pain"}
