"""Property tests of the pure generator: whatever the findings, nothing a hazard holds is proposed.

Hypothesis draws assessments (every red-flag answer, palpation, the calves, the complaint's side,
onset and pain, a previous visit) and checks every proposed item against the hazards in force, as
it would be given. The database paths (the editor, overrides, a clearance redraft, publishing)
have their own property test in test_plan_safety.py.
"""

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.rules import (
    AssessmentFacts,
    Bilateral,
    Complaint,
    Palpation,
    PreviousVisit,
    RedFlagAnswers,
    WellsAnswers,
    as_given,
    propose,
    unmet,
)
from assessments.rules.plan_rules import care_item, default_side, placement_of
from tests.assessments.cases import LIBRARY, SHIPPED, TODAY, plan_input

SIDE = st.sampled_from(["", "left", "right", "both"])
ONE_SIDE = st.sampled_from(["", "left", "right"])
YES = st.booleans()

red_flags = st.builds(
    RedFlagAnswers,
    leg_swelling=ONE_SIDE,
    swelling_sudden=YES,
    leg_warm=YES,
    stairs_or_walking_harder=YES,
    night_pain=YES,
    numbness=YES,
    fever=YES,
    trauma_cannot_bear_weight=YES,
    pain_not_improving=YES,
    cancer=st.sampled_from(["", "past", "active"]),
    paralysis_or_cast=YES,
    bedridden_or_surgery=YES,
    previous_dvt=YES,
)
palpation = st.builds(
    Palpation,
    mass=YES,
    hard=YES,
    warm=YES,
    red=YES,
    tender=YES,
    pulsating=YES,
    growing=YES,
    side=SIDE,
)
wells = st.builds(
    WellsAnswers,
    deep_vein_tenderness=YES,
    entire_leg_swollen=YES,
    pitting_oedema=YES,
    collateral_veins=YES,
    alternative_as_likely=YES,
)
centimetres = st.decimals(min_value=30, max_value=45, places=1)
degrees = st.integers(min_value=40, max_value=90).map(Decimal)


@st.composite
def facts(draw):
    pain = draw(st.one_of(st.none(), st.integers(0, 10)))
    onset = draw(st.one_of(st.none(), st.integers(-2, 60).map(lambda d: TODAY - timedelta(d))))
    complaint = Complaint(
        region=draw(st.sampled_from(["knee_back", "calf", "knee_front", ""])),
        side=draw(SIDE),
        qualities=frozenset(draw(st.sets(st.sampled_from(["numbness", "dull", "cramping"])))),
        pain=pain,
        onset=onset,
        provokers=frozenset(draw(st.sets(st.sampled_from(["night", "walking", "stairs"])))),
    )
    measurements = {}
    if draw(YES):
        measurements["calf_circumference"] = Bilateral(draw(centimetres), draw(centimetres))
    if draw(YES):
        measurements["slr"] = Bilateral(draw(degrees), draw(degrees))
    previous = None
    if draw(YES):
        previous = PreviousVisit(on=TODAY - timedelta(14), pain=draw(st.integers(0, 10)))
    return AssessmentFacts(
        complaint=complaint,
        palpation=draw(palpation),
        red_flags=draw(red_flags),
        wells=draw(wells),
        measurements=measurements,
        previous=previous,
    )


SECTIONS = {
    "posture": {"thoracic_kyphosis": True, "pelvic_high_side": "left"},
    "lower_limb": {"stiff_hip": "left", "stiff_ankle": "right", "gait": "antalgic"},
    "habits": {"night_cramps": True, "cold_extremities": True, "work_style": "desk"},
}


@settings(max_examples=300, deadline=None)
@given(facts=facts(), shipped=YES)
def test_no_proposed_item_meets_a_hazard_where_it_is_given(facts, shipped):
    library = SHIPPED if shipped else LIBRARY
    plan = propose(plan_input(facts, library=library, **SECTIONS))
    by_code = {entry.code: entry for entry in library}
    for entry in plan.items:
        verdict = as_given(care_item(entry.code, entry.kind, by_code, entry.side), plan.hazards)
        absolute, relative = unmet(verdict, overridden=())
        assert not absolute, (entry.code, entry.side, [b.hazard.code for b in absolute])
        assert not relative, (entry.code, entry.side, [b.hazard.code for b in relative])


@settings(max_examples=300, deadline=None)
@given(facts=facts())
def test_every_held_item_or_leg_is_listed_with_its_most_serious_hazard(facts):
    plan = propose(plan_input(facts, library=SHIPPED, **SECTIONS))
    given_items = {(entry.kind, entry.code): entry for entry in plan.items}
    hazards = {hazard.code: hazard for hazard in plan.hazards}
    for held in plan.withheld:
        assert held.hazards and set(held.hazards) <= set(hazards)
        assert held.severity == hazards[held.hazards[0]].severity
        if held.partial:
            kept = given_items[(held.kind, held.code)]
            assert kept.side in ("left", "right") and kept.side != held.side
        else:
            assert (held.kind, held.code) not in given_items
        assert str(held.patient) and str(held.reason)


@settings(max_examples=200, deadline=None)
@given(facts=facts())
def test_an_absolute_hazard_on_one_leg_never_empties_the_other_leg(facts):
    """A left-side hazard never withholds right-side care: whatever is held only because of a
    one-legged hazard is still given on the other leg."""
    plan = propose(plan_input(facts, library=SHIPPED, **SECTIONS))
    sides = {hazard.side for hazard in plan.hazards if hazard.severity != "precaution"}
    if sides not in ({"left"}, {"right"}):
        return
    library = {entry.code: entry for entry in SHIPPED}
    for held in plan.withheld:
        side = default_side(placement_of(held.code, held.kind, library), facts.complaint.side)
        if side == "both":  # given on each leg: the hazard's leg is held, the other one kept
            assert held.partial, held.code
